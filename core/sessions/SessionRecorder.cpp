#include "core/sessions/SessionRecorder.h"

#include "core/audit/AuditLog.h"
#include "core/common/EventBus.h"
#include "core/common/UtcTime.h"
#include "core/db/SqlRunner.h"
#include "core/sessions/ClientRepository.h"
#include "core/webhooks/EventLog.h"

#include <QJsonDocument>

namespace wadesk {

namespace {

ClientStateUpdate stateUpdateOf(const SessionSnapshot &snapshot, std::optional<bool> linked)
{
    ClientStateUpdate update;
    update.status = SessionStates::name(snapshot.state);
    update.since = snapshot.stateSince;
    update.lastError = snapshot.lastError;
    update.linked = linked;
    return update;
}

// The client.* event a move from `previous` to the snapshot's state means, if any.
QString eventOfTransition(SessionState previous, SessionState now)
{
    if (now == previous)
        return {};
    switch (now) {
    case SessionState::Ready:
        return QStringLiteral("client.connected");
    case SessionState::Disconnected:
        return QStringLiteral("client.disconnected");
    case SessionState::LoggedOut:
        return QStringLiteral("client.logged_out");
    case SessionState::Failed:
        return previous == SessionState::Ready ? QStringLiteral("client.disconnected") : QString();
    default:
        return {};
    }
}

} // namespace

SessionRecorder::SessionRecorder(Database &database, EventBus *events)
    : m_database(database)
    , m_events(events)
{
}

std::optional<bool> SessionRecorder::linkedAfter(SessionState state)
{
    if (state == SessionState::Ready)
        return true;
    if (state == SessionState::LoggedOut)
        return false;
    return std::nullopt;
}

Status SessionRecorder::recordTransition(const SessionSnapshot &snapshot, SessionState previous)
{
    const QString type = eventOfTransition(previous, snapshot.state);
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    EventLog events(sql, m_events);
    Transaction tx(m_database);
    Status s = tx.begin();
    if (s)
        s = clients.saveState(snapshot.organizationId, snapshot.clientId, stateUpdateOf(snapshot, linkedAfter(snapshot.state)));
    if (s && !type.isEmpty()) {
        const QJsonObject data{{QStringLiteral("clientId"), snapshot.clientId},
                               {QStringLiteral("status"), SessionStates::name(snapshot.state)},
                               {QStringLiteral("phoneNumber"),
                                snapshot.phoneNumber.isEmpty() ? QJsonValue() : QJsonValue(snapshot.phoneNumber)},
                               {QStringLiteral("reason"), snapshot.lastError.isEmpty() ? QJsonValue() : QJsonValue(snapshot.lastError)}};
        s = events.record(Event::make(type, snapshot.organizationId, data));
    }
    if (s)
        s = tx.commit();
    if (s)
        events.publishRecorded();
    return s;
}

Status SessionRecorder::saveState(const SessionSnapshot &snapshot, std::optional<bool> linked)
{
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    return clients.saveState(snapshot.organizationId, snapshot.clientId, stateUpdateOf(snapshot, linked));
}

Status SessionRecorder::saveAccount(const SessionSnapshot &snapshot)
{
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    ClientStateUpdate update = stateUpdateOf(snapshot, std::nullopt);
    update.phoneNumber = snapshot.phoneNumber;
    update.deviceInfo = QString::fromUtf8(QJsonDocument(snapshot.deviceInfo).toJson(QJsonDocument::Compact));
    return clients.saveState(snapshot.organizationId, snapshot.clientId, update);
}

Status SessionRecorder::recordQr(const QString &organizationId, const QString &clientId, const QString &qrText, qint64 expiresAt)
{
    return recordEvent(QStringLiteral("client.qr"), organizationId,
                       {{QStringLiteral("clientId"), clientId},
                        {QStringLiteral("qr"), qrText},
                        {QStringLiteral("expires_at"), UtcTime::fromMSecs(expiresAt).toString(Qt::ISODate)}});
}

Status SessionRecorder::pause(const QString &organizationId, const QString &clientId, const QString &reason,
                              const std::optional<SessionSnapshot> &running)
{
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    EventLog events(sql, m_events);
    AuditLog audit(sql);
    Transaction tx(m_database);
    Status s = tx.begin();
    if (s)
        s = clients.setPaused(organizationId, clientId, true, reason);
    if (s) {
        AuditEntry entry;
        entry.organizationId = organizationId;
        entry.action = QStringLiteral("pause_client");
        entry.resource = QStringLiteral("whatsapp_clients");
        entry.resourceId = clientId;
        entry.details = QJsonObject{{QStringLiteral("reason"), reason}};
        s = audit.append(entry);
    }
    if (s)
        s = events.record(Event::make(QStringLiteral("client.paused"), organizationId,
                                      {{QStringLiteral("clientId"), clientId}, {QStringLiteral("reason"), reason}}));
    // The client row shows it too (GET /api/clients/:id), as for every other state change.
    if (s && running)
        s = clients.saveState(organizationId, clientId, stateUpdateOf(*running, std::nullopt));
    if (s)
        s = tx.commit();
    if (s)
        events.publishRecorded();
    return s;
}

Status SessionRecorder::resume(const QString &organizationId, const QString &clientId, const std::optional<SessionSnapshot> &running)
{
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    Transaction tx(m_database);
    Status s = tx.begin();
    if (s && !organizationId.isEmpty())
        s = clients.setPaused(organizationId, clientId, false, QString());
    if (s && running)
        s = clients.saveState(running->organizationId, clientId, stateUpdateOf(*running, std::nullopt));
    if (s)
        s = tx.commit();
    return s;
}

Status SessionRecorder::recordEvent(const QString &type, const QString &organizationId, const QJsonObject &data)
{
    SqlRunner sql(m_database);
    EventLog events(sql, m_events);
    Transaction tx(m_database);
    Status s = tx.begin();
    if (s)
        s = events.record(Event::make(type, organizationId, data));
    if (s)
        s = tx.commit();
    if (s)
        events.publishRecorded();
    return s;
}

} // namespace wadesk
