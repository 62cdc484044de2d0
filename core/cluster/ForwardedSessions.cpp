#include "core/cluster/ForwardedSessions.h"

#include "core/cluster/SessionCommandQueue.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QPointer>
#include <algorithm>
#include <utility>
#include <vector>
#include <QSqlQuery>
#include <QVariant>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
constexpr int kPruneEveryRounds = 120;         // about a minute at the default 500 ms
constexpr qint64 kKeepDoneMs = 10 * 60 * 1000;      // done commands are kept ten minutes (for whoever debugs)
constexpr qint64 kKeepUndoneMs = 60 * 60 * 1000;    // commands for an instance that never came back: an hour

const QString kStart = QStringLiteral("start");
const QString kStop = QStringLiteral("stop");
const QString kLogout = QStringLiteral("logout");
const QString kRefreshQr = QStringLiteral("refresh_qr");
const QString kPairingCode = QStringLiteral("pairing_code");
const QString kQrCode = QStringLiteral("qr_code");
const QString kWake = QStringLiteral("wake");
const QString kReloadSettings = QStringLiteral("reload_settings");
const QString kPause = QStringLiteral("pause");
const QString kResume = QStringLiteral("resume");
const QString &kHandOver = kHandOverCommand;

QJsonObject errorJson(const DomainError &e)
{
    return {{QStringLiteral("error"), e.message},
            {QStringLiteral("code"), e.code},
            {QStringLiteral("status"), e.httpStatus},
            {QStringLiteral("retry_after"), e.retryAfterSeconds},
            {QStringLiteral("details"), e.details}};
}

DomainError errorFrom(const QJsonObject &result)
{
    DomainError e;
    e.httpStatus = result.value(QStringLiteral("status")).toInt(500);
    e.code = result.value(QStringLiteral("code")).toString();
    e.message = result.value(QStringLiteral("error")).toString();
    e.details = result.value(QStringLiteral("details")).toObject();
    e.retryAfterSeconds = result.value(QStringLiteral("retry_after")).toInt();
    return e;
}

DomainError instanceTimeout()
{
    DomainError e;
    e.httpStatus = 504;
    e.code = QStringLiteral("instance_timeout");
    e.message = QStringLiteral("The instance that runs this client did not answer in time");
    return e;
}

const QJsonObject kOk{{QStringLiteral("ok"), true}};
} // namespace

ForwardedSessions::ForwardedSessions(Database &database, Local local, ClusterSettings settings, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_local(std::move(local))
    , m_settings(std::move(settings))
{
    Q_ASSERT(m_local.control);
    m_timer.setInterval(std::max(50, m_settings.commandPollMs));
    connect(&m_timer, &QTimer::timeout, this, &ForwardedSessions::poll);
}

ForwardedSessions::~ForwardedSessions()
{
    // Requests still waiting are answered: their callers (HTTP replies) must not hang.
    QHash<QString, Waiting> waiting;
    {
        QMutexLocker lock(&m_waitingMutex);
        waiting.swap(m_waiting);
    }
    for (const Waiting &w : std::as_const(waiting))
        w.done(instanceTimeout());
}

void ForwardedSessions::start()
{
    m_timer.start();
    poll();
}

void ForwardedSessions::poll()
{
    runCommands();
    answerWaiting();
    refreshRemote();
    drainOne();
    if (++m_rounds % kPruneEveryRounds == 0) {
        SessionCommandQueue queue(m_database);
        if (Result<int> pruned = queue.prune(kKeepDoneMs, kKeepUndoneMs); !pruned)
            spdlog::warn("session commands: prune failed: {}", pruned.error().message.toStdString());
    }
}

QString ForwardedSessions::ownerElsewhere(const QString &clientId) const
{
    SessionOwners owners(m_database);
    Result<QString> owner = owners.ownerOf(clientId);
    if (!owner) {
        spdlog::warn("session commands: owner of {} unknown ({}): the request runs here", clientId.toStdString(),
                     owner.error().message.toStdString());
        return {};
    }
    return owner.value() == m_settings.instanceId ? QString() : owner.value();
}

bool ForwardedSessions::forward(const QString &clientId, const QString &command, const QJsonObject &payload)
{
    const QString owner = ownerElsewhere(clientId);
    if (owner.isEmpty())
        return false;
    SessionCommandQueue queue(m_database);
    if (Result<QString> id = queue.enqueue(clientId, owner, command, payload); !id) {
        // Not run here either: the page is another instance's, and a second page would fight it.
        spdlog::error("session commands: {} for {} could not be sent to {}: {}", command.toStdString(), clientId.toStdString(),
                      owner.toStdString(), id.error().message.toStdString());
    }
    return true;
}

Status ForwardedSessions::requestHandOver(const QString &clientId)
{
    SessionOwners owners(m_database);
    Result<QString> owner = owners.ownerOf(clientId);
    if (!owner)
        return owner.error();
    if (owner.value().isEmpty())
        return {};
    // Also for this instance's own sessions: the command runs on the main thread, where pages live.
    SessionCommandQueue queue(m_database);
    Result<QString> id = queue.enqueue(clientId, owner.value(), kHandOver);
    if (!id)
        return id.error();
    return {};
}

void ForwardedSessions::runCommands()
{
    SessionCommandQueue queue(m_database);
    Result<QList<SessionCommandQueue::Command>> pending = queue.pendingFor(m_settings.instanceId);
    if (!pending) {
        spdlog::warn("session commands: cannot read this instance's: {}", pending.error().message.toStdString());
        return;
    }
    for (const SessionCommandQueue::Command &c : pending.value()) {
        // Whoever asked has stopped waiting (this instance was down or stalled): an old stop or
        // pairing request run now would surprise more than it helps.
        if (c.ageMs > m_replyTimeoutMs) {
            (void)queue.complete(c.id, errorJson(instanceTimeout()));
            continue;
        }
        run(c.id, c.clientId, c.command, c.payload);
    }
}

void ForwardedSessions::run(const QString &commandId, const QString &clientId, const QString &command, const QJsonObject &payload)
{
    SessionControl &local = *m_local.control;
    const QString organizationId = payload.value(QStringLiteral("organization_id")).toString();
    SessionCommandQueue queue(m_database);
    if (command == kPairingCode) {
        QPointer<ForwardedSessions> self(this);
        Database *database = &m_database;
        local.requestPairingCode(clientId, payload.value(QStringLiteral("phone")).toString(), [self, database, commandId](Result<QString> code) {
            if (!self)
                return;
            SessionCommandQueue answers(*database);
            const QJsonObject result = code ? QJsonObject{{QStringLiteral("pairing_code"), code.value()}} : errorJson(code.error());
            if (Status s = answers.complete(commandId, result); !s)
                spdlog::error("session commands: pairing code answer not stored: {}", s.error().message.toStdString());
        });
        return;
    }
    if (command == kQrCode) {
        const Result<QrCode> code = currentQrCode(local, clientId);
        const QJsonObject result = code ? QJsonObject{{QStringLiteral("qr"), code->text}, {QStringLiteral("expires_at"), double(code->expiresAt)}}
                                        : errorJson(code.error());
        if (Status s = queue.complete(commandId, result); !s)
            spdlog::error("session commands: QR code answer not stored: {}", s.error().message.toStdString());
        return;
    }
    QJsonObject result = kOk;
    if (command == kStart)
        local.requestStart(organizationId, clientId);
    else if (command == kStop)
        local.requestStop(organizationId, clientId);
    else if (command == kLogout)
        local.requestLogout(organizationId, clientId);
    else if (command == kRefreshQr)
        local.requestRefreshQr(clientId);
    else if (command == kWake)
        local.requestWake(clientId);
    else if (command == kReloadSettings)
        local.requestReloadSettings(clientId);
    else if (command == kPause)
        local.requestPause(organizationId, clientId, payload.value(QStringLiteral("reason")).toString());
    else if (command == kResume)
        local.requestResume(organizationId, clientId);
    else if (command == kHandOver)
        handOverHere(clientId);
    else
        result = errorJson(DomainError::badRequest(QStringLiteral("Unknown session command"), QStringLiteral("unknown_command")));
    if (Status s = queue.complete(commandId, result); !s)
        spdlog::error("session commands: {} done but not recorded: {}", command.toStdString(), s.error().message.toStdString());
}

void ForwardedSessions::answerWaiting()
{
    QStringList ids;
    {
        QMutexLocker lock(&m_waitingMutex);
        ids = m_waiting.keys();
    }
    if (ids.isEmpty())
        return;
    SessionCommandQueue queue(m_database);
    Result<QHash<QString, QJsonObject>> results = queue.results(ids);
    std::vector<std::pair<ResultDone, Result<QJsonObject>>> answers;
    {
        QMutexLocker lock(&m_waitingMutex);
        for (const QString &id : std::as_const(ids)) {
            auto it = m_waiting.find(id);
            if (it == m_waiting.end())
                continue;
            if (results && results.value().contains(id)) {
                const QJsonObject r = results.value().value(id);
                answers.emplace_back(it->done, r.contains(QStringLiteral("error")) ? Result<QJsonObject>(errorFrom(r)) : Result<QJsonObject>(r));
                m_waiting.erase(it);
            } else if (it->deadline.hasExpired()) {
                answers.emplace_back(it->done, Result<QJsonObject>(instanceTimeout()));
                m_waiting.erase(it);
            }
        }
    }
    // Outside the lock: an answer may make a new request.
    for (const auto &[done, answer] : answers)
        done(answer);
}

void ForwardedSessions::refreshRemote()
{
    SessionOwners owners(m_database);
    Result<QList<SessionOwners::RemoteSession>> elsewhere = owners.ownedElsewhere(m_settings.instanceId);
    if (!elsewhere)
        return; // what was known stays shown until the database answers again
    QHash<QString, SessionOwners::RemoteSession> now;
    for (const SessionOwners::RemoteSession &s : elsewhere.value())
        now.insert(s.clientId, s);
    bool changed = false;
    {
        QWriteLocker lock(&m_remoteLock);
        changed = now.size() != m_remote.size();
        for (auto it = now.cbegin(); !changed && it != now.cend(); ++it) {
            auto old = m_remote.constFind(it.key());
            changed = old == m_remote.cend() || old->owner != it->owner || old->state != it->state
                      || old->lastError != it->lastError || old->phoneNumber != it->phoneNumber;
        }
        m_remote.swap(now);
        for (auto p = m_placed.begin(); p != m_placed.end();) {
            if (m_remote.contains(p.key()) || p->until.hasExpired())
                p = m_placed.erase(p);
            else
                ++p;
        }
    }
    if (changed)
        emit remoteSessionsChanged();
}

void ForwardedSessions::drainOne()
{
    if (!m_local.runningClients)
        return;
    SqlRunner sql(m_database);
    Result<bool> draining = sql.query(QStringLiteral("SELECT draining FROM instances WHERE id = ?"), {m_settings.instanceId},
                                      "instance draining", [](QSqlQuery &q) { return q.next() && q.value(0).toInt() != 0; });
    if (!draining || !draining.value())
        return;
    const QStringList running = m_local.runningClients();
    // One session per round, so that the others take them over one by one rather than all at once.
    if (!running.isEmpty()) {
        spdlog::info("instance {} is draining: handing {} over", m_settings.instanceId.toStdString(), running.first().toStdString());
        handOverHere(running.first());
    }
}

void ForwardedSessions::handOverHere(const QString &clientId)
{
    if (m_local.stopForHandOver)
        m_local.stopForHandOver(clientId);
    SqlRunner sql(m_database);
    Result<int> released = sql.change(QStringLiteral("UPDATE client_leases SET owner = NULL, expires_at = 0 WHERE client_id = ? AND owner = ?"),
                                      {clientId, m_settings.instanceId}, "release lease");
    if (!released)
        spdlog::error("session commands: lease of {} not released: {}", clientId.toStdString(), released.error().message.toStdString());
}

std::optional<SessionSnapshot> ForwardedSessions::snapshot(const QString &clientId) const
{
    std::optional<SessionSnapshot> live = m_local.control->snapshot(clientId);
    if (live && live->state != SessionState::Stopped)
        return live;
    QReadLocker lock(&m_remoteLock);
    const SessionOwners::RemoteSession *it = nullptr;
    if (auto remote = m_remote.constFind(clientId); remote != m_remote.cend())
        it = &remote.value();
    else if (auto placed = m_placed.constFind(clientId); placed != m_placed.cend() && !placed->until.hasExpired())
        it = &placed->session;
    if (!it)
        return live;
    SessionSnapshot s;
    s.clientId = clientId;
    s.organizationId = it->organizationId;
    s.state = it->state;
    s.stateSince = it->stateSince;
    s.lastError = it->lastError;
    s.phoneNumber = it->phoneNumber;
    s.instance = it->owner;
    return s;
}

void ForwardedSessions::requestStart(const QString &organizationId, const QString &clientId)
{
    const QJsonObject payload{{QStringLiteral("organization_id"), organizationId}};
    if (forward(clientId, kStart, payload))
        return;
    // Nobody drives it (or this instance does): a new session goes where placementOf says, which
    // may be another instance; one of this instance's own refreshes its code here.
    const std::optional<SessionSnapshot> here = m_local.control->snapshot(clientId);
    const bool runsHere = here && here->state != SessionState::Stopped && here->state != SessionState::Failed;
    if (!runsHere) {
        SessionOwners owners(m_database);
        Result<QString> target = owners.placementOf(clientId, qint64(m_settings.leaseSeconds) * 1000);
        if (target && !target.value().isEmpty() && target.value() != m_settings.instanceId) {
            SessionCommandQueue queue(m_database);
            if (Result<QString> id = queue.enqueue(clientId, target.value(), kStart, payload); id) {
                spdlog::info("session commands: client {} starts on instance {} (its pin, or the fewest sessions)",
                             clientId.toStdString(), target.value().toStdString());
                // Shown as starting there until that instance's lease says more.
                SessionOwners::RemoteSession starting;
                starting.clientId = clientId;
                starting.organizationId = organizationId;
                starting.owner = target.value();
                starting.state = SessionState::Initializing;
                QWriteLocker lock(&m_remoteLock);
                m_placed.insert(clientId, Placed{starting, QDeadlineTimer(m_replyTimeoutMs)});
                return;
            }
        }
    }
    m_local.control->requestStart(organizationId, clientId);
}

void ForwardedSessions::requestStop(const QString &organizationId, const QString &clientId)
{
    if (!forward(clientId, kStop, {{QStringLiteral("organization_id"), organizationId}}))
        m_local.control->requestStop(organizationId, clientId);
}

void ForwardedSessions::requestLogout(const QString &organizationId, const QString &clientId)
{
    if (!forward(clientId, kLogout, {{QStringLiteral("organization_id"), organizationId}}))
        m_local.control->requestLogout(organizationId, clientId);
}

void ForwardedSessions::requestRefreshQr(const QString &clientId)
{
    if (!forward(clientId, kRefreshQr))
        m_local.control->requestRefreshQr(clientId);
}

void ForwardedSessions::requestPairingCode(const QString &clientId, const QString &phoneE164, PairingCodeDone done)
{
    const QString owner = ownerElsewhere(clientId);
    if (owner.isEmpty())
        return m_local.control->requestPairingCode(clientId, phoneE164, std::move(done));
    await(clientId, owner, kPairingCode, {{QStringLiteral("phone"), phoneE164}}, [done = std::move(done)](Result<QJsonObject> r) {
        if (!r)
            return done(r.error());
        const QJsonValue code = r->value(QStringLiteral("pairing_code"));
        done(code.isString() ? Result<QString>(code.toString())
                             : Result<QString>(DomainError::unavailable(QStringLiteral("The instance that runs this client gave no code"),
                                                                        QStringLiteral("page_not_answering"))));
    });
}

void ForwardedSessions::requestQrCode(const QString &clientId, QrCodeDone done)
{
    const QString owner = ownerElsewhere(clientId);
    if (owner.isEmpty())
        return m_local.control->requestQrCode(clientId, std::move(done));
    await(clientId, owner, kQrCode, {}, [done = std::move(done)](Result<QJsonObject> r) {
        if (!r)
            return done(r.error());
        const QString text = r->value(QStringLiteral("qr")).toString();
        if (text.isEmpty())
            return done(DomainError::unavailable(QStringLiteral("The instance that runs this client gave no QR code"),
                                                 QStringLiteral("page_not_answering")));
        done(QrCode{text, qint64(r->value(QStringLiteral("expires_at")).toDouble())});
    });
}

void ForwardedSessions::await(const QString &clientId, const QString &owner, const QString &command, const QJsonObject &payload, ResultDone done)
{
    SessionCommandQueue queue(m_database);
    Result<QString> id = queue.enqueue(clientId, owner, command, payload);
    if (!id) {
        // Answered on this object's thread, like every other answer.
        DomainError e = id.error();
        QMetaObject::invokeMethod(this, [done = std::move(done), e]() { done(e); }, Qt::QueuedConnection);
        return;
    }
    QMutexLocker lock(&m_waitingMutex);
    m_waiting.insert(id.value(), Waiting{std::move(done), QDeadlineTimer(m_replyTimeoutMs)});
}

void ForwardedSessions::requestRemove(const QString &clientId)
{
    // The client row is gone (the caller deleted it), and with it its lease and its commands: an
    // owner elsewhere finds its lease gone and stops. Here, a session of ours stops and its profile goes.
    m_local.control->requestRemove(clientId);
}

void ForwardedSessions::requestWake(const QString &clientId)
{
    if (!forward(clientId, kWake))
        m_local.control->requestWake(clientId);
}

void ForwardedSessions::requestReloadSettings(const QString &clientId)
{
    if (!forward(clientId, kReloadSettings))
        m_local.control->requestReloadSettings(clientId);
}

void ForwardedSessions::requestPause(const QString &organizationId, const QString &clientId, const QString &reason)
{
    if (!forward(clientId, kPause, {{QStringLiteral("organization_id"), organizationId}, {QStringLiteral("reason"), reason}}))
        m_local.control->requestPause(organizationId, clientId, reason);
}

void ForwardedSessions::requestResume(const QString &organizationId, const QString &clientId)
{
    if (!forward(clientId, kResume, {{QStringLiteral("organization_id"), organizationId}}))
        m_local.control->requestResume(organizationId, clientId);
}

int ForwardedSessions::readyCount() const
{
    return m_local.control->readyCount();
}

QString ForwardedSessions::waJsVersion() const
{
    return m_local.control->waJsVersion();
}

} // namespace wadesk
