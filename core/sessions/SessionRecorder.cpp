#include "core/sessions/SessionRecorder.h"

#include "core/audit/AuditLog.h"
#include "core/audit/AuditedChange.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventBus.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/sessions/ClientRepository.h"

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
    // Logged out, the account is gone: its number no longer belongs to this client (and may be
    // linked to another one).
    update.forgetAccount = snapshot.state == SessionState::LoggedOut;
    return update;
}

// The client.* event a move from `previous` to the snapshot's state means, if any.
std::optional<EventType> eventOfTransition(SessionState previous, SessionState now)
{
    if (now == previous)
        return std::nullopt;
    switch (now) {
    case SessionState::Ready:
        return EventType::ClientConnected;
    case SessionState::Disconnected:
        return EventType::ClientDisconnected;
    case SessionState::LoggedOut:
        return EventType::ClientLoggedOut;
    case SessionState::Failed:
        return previous == SessionState::Ready ? std::optional<EventType>(EventType::ClientDisconnected) : std::nullopt;
    default:
        return std::nullopt;
    }
}

} // namespace

SessionRecorder::SessionRecorder(Database &database, EventBus *events, const Clock &clock)
    : m_database(database)
    , m_events(events)
    , m_clock(clock)
{
}

Status SessionRecorder::checkFence(SqlRunner &sql, const QString &clientId) const
{
    if (!m_fences)
        return {};
    const std::optional<LeaseFence> fence = m_fences(clientId);
    if (!fence)
        return {};
    struct Lease {
        bool exists = false;
        QString owner;
        qint64 token = 0;
        bool live = false;
    };
    Result<Lease> lease = sql.query(
        QStringLiteral("SELECT COALESCE(owner, ''), token, expires_at > ") + databaseNowMs()
            + QStringLiteral(" FROM client_leases WHERE client_id = ? FOR SHARE"),
        {clientId}, "client_leases.fence", [](QSqlQuery &q) {
            Lease l;
            if (q.next()) {
                l.exists = true;
                l.owner = q.value(0).toString();
                l.token = q.value(1).toLongLong();
                l.live = q.value(2).toBool();
            }
            return l;
        });
    if (!lease)
        return lease.error();
    const Lease &l = lease.value();
    const bool allowed = fence->token > 0 ? l.exists && l.live && l.owner == fence->owner && l.token == fence->token
                                          : !l.exists || !l.live || l.owner.isEmpty() || l.owner == fence->owner;
    if (allowed)
        return {};
    return DomainError::conflict(QStringLiteral("This instance does not hold the client's lease; its state is not stored"),
                                 QStringLiteral("client_runs_elsewhere"));
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
    const std::optional<EventType> type = eventOfTransition(previous, snapshot.state);
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    EventLog events(sql, m_events);
    Transaction tx(m_database);
    Status s = tx.begin();
    if (s)
        s = checkFence(sql, snapshot.clientId);
    if (s)
        s = clients.saveState(snapshot.organizationId, snapshot.clientId, stateUpdateOf(snapshot, linkedAfter(snapshot.state)));
    if (s && type) {
        ClientEventData data;
        data.clientId = snapshot.clientId;
        data.status = SessionStates::name(snapshot.state);
        data.phoneNumber = snapshot.phoneNumber;
        data.reason = snapshot.lastError;
        s = events.record(ClientEvents::stateChanged(*type, snapshot.organizationId, data, m_clock));
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
    if (!m_fences)
        return clients.saveState(snapshot.organizationId, snapshot.clientId, stateUpdateOf(snapshot, linked));
    Transaction tx(m_database);
    Status s = tx.begin();
    if (s)
        s = checkFence(sql, snapshot.clientId);
    if (s)
        s = clients.saveState(snapshot.organizationId, snapshot.clientId, stateUpdateOf(snapshot, linked));
    if (s)
        s = tx.commit();
    return s;
}

Result<QString> SessionRecorder::saveAccount(const SessionSnapshot &snapshot)
{
    ClientStateUpdate update = stateUpdateOf(snapshot, std::nullopt);
    update.phoneNumber = snapshot.phoneNumber;
    update.deviceInfo = QString::fromUtf8(QJsonDocument(snapshot.deviceInfo).toJson(QJsonDocument::Compact));
    QString replaced;
    Status saved = runAudited(
        m_database, m_events,
        [&](AuditedWrite &write) -> Status {
            ClientRepository clients(write.sql);
            if (Status s = checkFence(write.sql, snapshot.clientId); !s)
                return s;
            Result<std::optional<ClientRecord>> before = clients.find(snapshot.organizationId, snapshot.clientId, ClientScope::all());
            if (!before)
                return before.error();
            if (Status s = clients.saveState(snapshot.organizationId, snapshot.clientId, update); !s)
                return s;
            const QString previous = before.value() ? before.value()->phoneNumber : QString();
            if (previous.isEmpty() || snapshot.phoneNumber.isEmpty() || previous == snapshot.phoneNumber)
                return {};
            // The number typed when the client was added (or linked before) is not the one
            // that linked now: the linked one wins, and the change is on record.
            replaced = previous;
            AuditEntry entry;
            entry.organizationId = snapshot.organizationId;
            entry.action = QStringLiteral("client_phone_changed");
            entry.resource = QStringLiteral("whatsapp_clients");
            entry.resourceId = snapshot.clientId;
            entry.details = QJsonObject{{QStringLiteral("previous_phone_number"), previous},
                                        {QStringLiteral("phone_number"), snapshot.phoneNumber},
                                        {QStringLiteral("reason"), QStringLiteral("linked")}};
            return write.audit.append(entry);
        },
        m_clock);
    if (!saved)
        return saved.error();
    return replaced;
}

Status SessionRecorder::recordQr(const QString &organizationId, const QString &clientId, const QString &qrText, qint64 expiresAt)
{
    return recordEvent(ClientEvents::qr(organizationId, clientId, qrText, expiresAt, m_clock));
}

Status SessionRecorder::pause(const QString &organizationId, const QString &clientId, const QString &reason,
                              const std::optional<SessionSnapshot> &running)
{
    return runAudited(
        m_database, m_events,
        [&](AuditedWrite &write) -> Status {
            ClientRepository clients(write.sql);
            if (Status s = clients.setPaused(organizationId, clientId, true, reason); !s)
                return s;
            AuditEntry entry;
            entry.organizationId = organizationId;
            entry.action = QStringLiteral("pause_client");
            entry.resource = QStringLiteral("whatsapp_clients");
            entry.resourceId = clientId;
            entry.details = QJsonObject{{QStringLiteral("reason"), reason}};
            if (Status s = write.audit.append(entry); !s)
                return s;
            if (Status s = write.events.record(ClientEvents::paused(organizationId, clientId, reason, m_clock)); !s)
                return s;
            // The client row shows it too (GET /api/clients/:id), as for every other state change.
            if (running) {
                if (Status s = checkFence(write.sql, clientId); !s)
                    return s;
                return clients.saveState(organizationId, clientId, stateUpdateOf(*running, std::nullopt));
            }
            return {};
        },
        m_clock);
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
        s = checkFence(sql, clientId);
    if (s && running)
        s = clients.saveState(running->organizationId, clientId, stateUpdateOf(*running, std::nullopt));
    if (s)
        s = tx.commit();
    return s;
}

Status SessionRecorder::recordEvent(const Event &event)
{
    SqlRunner sql(m_database);
    EventLog events(sql, m_events);
    Transaction tx(m_database);
    Status s = tx.begin();
    if (s)
        s = events.record(event);
    if (s)
        s = tx.commit();
    if (s)
        events.publishRecorded();
    return s;
}

} // namespace wadesk
