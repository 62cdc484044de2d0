#include "core/sessions/ClientActionService.h"


#include "core/audit/AuditEvent.h"
#include "core/common/PhoneNumbers.h"
#include "core/common/RequestContext.h"
#include "core/db/SqlRunner.h"
#include "core/sessions/ClientRepository.h"
#include "core/sessions/ClientService.h"
#include "core/sessions/SessionControl.h"

#include <QPointer>
#include <QSet>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {

// `done` to run on `context`'s thread (at once when context is null: the engine's own thread,
// where the sessions answer), under the asking request's id; dropped when context is gone.
template <typename T>
std::function<void(T)> answeredOn(QObject *context, std::function<void(T)> done)
{
    QPointer<QObject> target(context);
    const bool onEngineThread = context == nullptr;
    const QByteArray requestId = QByteArray::fromStdString(RequestContext::currentRequestId());
    return RequestContext::carried([target, onEngineThread, done = std::move(done), requestId](T value) {
        auto answer = [done, value, requestId]() {
            const RequestContext::RequestScope logScope(requestId);
            done(value);
        };
        if (onEngineThread)
            answer();
        else if (target)
            QMetaObject::invokeMethod(target.data(), answer, Qt::AutoConnection);
    });
}

} // namespace

namespace {
constexpr int kPauseAllBatch = 500;

bool runs(const std::optional<SessionSnapshot> &snapshot)
{
    return snapshot && snapshot->state != SessionState::Stopped;
}
} // namespace

ClientActionService::ClientActionService(Database &database, ClientService &clients, SessionControl *sessions, const Clock &clock)
    : m_database(database), m_clients(clients), m_sessions(sessions), m_clock(clock)
{
}

// In the order the API has always answered: the permission (the route's gate), then the engine.
Status ClientActionService::mayAct(const AuthContext &actor) const
{
    if (Status s = actor.require(Permission::ManageClients); !s)
        return s;
    return needEngine();
}

Status ClientActionService::needEngine() const
{
    if (!m_sessions)
        return DomainError::unavailable(QStringLiteral("WhatsApp sessions do not run in this process"),
                                        QStringLiteral("engine_unavailable"));
    return {};
}


Status ClientActionService::manageable(const AuthContext &actor, const QString &clientId)
{
    if (Status s = mayAct(actor); !s)
        return s;
    Result<ClientRecord> client = m_clients.get(actor, clientId);
    if (!client)
        return client.error();
    return {};
}

Status ClientActionService::audit(const AuthContext &actor, const QString &action, const QString &clientId)
{
    return AuditLog::appendAlone(m_database, auditBy(actor, action, QStringLiteral("whatsapp_clients"), clientId), m_clock);
}

QString ClientActionService::pauseReason(const AuthContext &actor)
{
    return QStringLiteral("paused by %1").arg(actor.email);
}

Result<ClientActionService::Started> ClientActionService::start(const AuthContext &actor, const QString &clientId)
{
    if (Status s = manageable(actor, clientId); !s)
        return s.error();
    const std::optional<SessionSnapshot> before = m_sessions->snapshot(clientId);
    Started started;
    started.alreadyRunning = before && before->state != SessionState::Stopped && before->state != SessionState::Failed;
    // Also for a running session: a request to start refreshes a QR code that stopped rotating.
    m_sessions->requestStart(actor.organizationId, clientId);
    const std::optional<SessionSnapshot> now = m_sessions->snapshot(clientId);
    if (now) {
        started.state = now->state;
        started.lastError = now->lastError;
    }
    if (!started.alreadyRunning) {
        if (Status s = audit(actor, QStringLiteral("init_client"), clientId); !s)
            return s.error();
    }
    return started;
}

Status ClientActionService::stop(const AuthContext &actor, const QString &clientId)
{
    if (Status s = manageable(actor, clientId); !s)
        return s;
    if (!runs(m_sessions->snapshot(clientId)))
        return {};
    m_sessions->requestStop(actor.organizationId, clientId);
    return audit(actor, QStringLiteral("stop_client"), clientId);
}

Result<SessionState> ClientActionService::logout(const AuthContext &actor, const QString &clientId)
{
    if (Status s = manageable(actor, clientId); !s)
        return s.error();
    const std::optional<SessionSnapshot> live = m_sessions->snapshot(clientId);
    if (!runs(live))
        return DomainError::conflict(QStringLiteral("The client is not running"), QStringLiteral("client_not_running"));
    m_sessions->requestLogout(actor.organizationId, clientId);
    if (Status s = audit(actor, QStringLiteral("logout_client"), clientId); !s)
        return s.error();
    return live->state;
}

Status ClientActionService::pause(const AuthContext &actor, const QString &clientId)
{
    if (Status s = manageable(actor, clientId); !s)
        return s;
    if (Status s = audit(actor, QStringLiteral("pause_client_requested"), clientId); !s)
        return s;
    m_sessions->requestPause(actor.organizationId, clientId, pauseReason(actor));
    return {};
}

Status ClientActionService::resume(const AuthContext &actor, const QString &clientId)
{
    if (Status s = manageable(actor, clientId); !s)
        return s;
    if (Status s = audit(actor, QStringLiteral("resume_client"), clientId); !s)
        return s;
    m_sessions->requestResume(actor.organizationId, clientId);
    return {};
}

Result<int> ClientActionService::pauseAll(const AuthContext &actor)
{
    if (Status s = mayAct(actor); !s)
        return s.error();
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    // The list leaves the paused flag out: the paused ids come in one query beside it.
    Result<QSet<QString>> paused = clients.pausedIds(actor.organizationId);
    if (!paused)
        return paused.error();
    const ClientScope scope = ClientScope::of(actor);
    int count = 0;
    for (int offset = 0;; offset += kPauseAllBatch) {
        Result<QList<ClientRecord>> page = clients.list(actor.organizationId, scope, kPauseAllBatch, offset);
        if (!page)
            return page.error();
        for (const ClientRecord &client : page.value()) {
            if (paused.value().contains(client.id))
                continue;
            // A client whose pause cannot be recorded is left running rather than paused unaudited.
            if (Status s = audit(actor, QStringLiteral("pause_client_requested"), client.id); !s) {
                spdlog::error("pause all: client {}: {}", client.id.toStdString(), s.error().message.toStdString());
                continue;
            }
            m_sessions->requestPause(actor.organizationId, client.id, pauseReason(actor));
            ++count;
        }
        if (page.value().size() < kPauseAllBatch)
            break;
    }
    return count;
}

Result<ClientRecord> ClientActionService::update(const AuthContext &actor, const QString &clientId, const ClientService::Change &change)
{
    Result<ClientRecord> updated = m_clients.update(actor, clientId, change);
    if (updated && m_sessions && (change.perMinute || change.perHour || change.perDay))
        m_sessions->requestReloadSettings(updated.value().id);
    return updated;
}

Status ClientActionService::remove(const AuthContext &actor, const QString &clientId)
{
    if (Status s = m_clients.remove(actor, clientId); !s)
        return s;
    if (m_sessions)
        m_sessions->requestRemove(clientId); // stops the session and deletes its browser profile
    return {};
}

Result<QString> ClientActionService::qrAccess(const AuthContext &actor, const QString &clientId)
{
    if (!actor.can(Permission::SendMessages)) {
        if (Status s = actor.require(Permission::ManageClients); !s)
            return s.error();
    }
    Result<ClientRecord> client = m_clients.get(actor, clientId);
    if (!client)
        return client.error();
    if (Status s = needEngine(); !s)
        return s.error();
    return client.value().id;
}

Result<ClientActionService::QrCode> ClientActionService::qrCode(const AuthContext &actor, const QString &clientId)
{
    Result<QString> id = qrAccess(actor, clientId);
    if (!id)
        return id.error();
    return currentQrCode(*m_sessions, id.value());
}

void ClientActionService::qrCode(const AuthContext &actor, const QString &clientId, QObject *context, std::function<void(Result<QrCode>)> done)
{
    Result<QString> id = qrAccess(actor, clientId);
    if (!id)
        return done(id.error());
    const std::optional<SessionSnapshot> live = m_sessions->snapshot(id.value());
    // Only the instance that runs the page knows its code; a session elsewhere in any other
    // state is answered from what that instance stored.
    if (!live || live->instance.isEmpty() || live->state != SessionState::Qr)
        return done(currentQrCode(*m_sessions, id.value()));
    m_sessions->requestQrCode(id.value(), answeredOn<Result<QrCode>>(context, std::move(done)));
}

void ClientActionService::pairingCode(const AuthContext &actor, const QString &clientId, const QString &phone, QObject *context,
                                      std::function<void(Result<PairingCode>)> done)
{
    if (Status s = actor.require(Permission::ManageClients); !s)
        return done(s.error());
    Result<ClientRecord> client = m_clients.get(actor, clientId);
    if (!client)
        return done(client.error());
    Result<QString> e164 = PhoneNumbers::toE164(phone);
    if (!e164) {
        DomainError e = e164.error();
        e.details.insert(QStringLiteral("field"), QStringLiteral("phone"));
        return done(e);
    }
    if (Status s = needEngine(); !s)
        return done(s.error());
    const QString id = client.value().id;
    const std::optional<SessionSnapshot> live = m_sessions->snapshot(id);
    if (!live || live->state != SessionState::Qr) {
        const QString status = live ? SessionStates::name(live->state) : QStringLiteral("stopped");
        DomainError e = DomainError::conflict(
            QStringLiteral("The client cannot be linked now: it is %1 (start it and wait for its QR code)").arg(status),
            QStringLiteral("client_not_linkable"));
        e.details.insert(QStringLiteral("status"), status);
        return done(e);
    }
    if (Status s = AuditLog::appendAlone(m_database,
                                         auditBy(actor, QStringLiteral("request_pairing_code"), QStringLiteral("whatsapp_clients"), id,
                                                 {{QStringLiteral("clientId"), id}, {QStringLiteral("phoneNumber"), e164.value()}}),
                                         m_clock);
        !s)
        return done(s.error());
    const QString number = e164.value();
    m_sessions->requestPairingCode(id, number, answeredOn<Result<QString>>(context, [done, number](Result<QString> code) {
        if (!code)
            return done(code.error());
        done(PairingCode{code.value(), number});
    }));
}

} // namespace wadesk
