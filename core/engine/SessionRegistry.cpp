#include "core/engine/SessionRegistry.h"

#include "core/events/EventBus.h"
#include "core/db/SqlRunner.h"
#include "core/engine/EngineInfo.h"
#include "core/audit/AuditLog.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/engine/WaSession.h"
#include "core/engine/WaSessionTransport.h"
#include "core/messaging/InboundProcessor.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/MessageSender.h"
#include "core/messaging/MessageService.h"
#include "core/sessions/ClientRepository.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>
#include <QTimer>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
QString versionOfBundle(const QString &source)
{
    static const QRegularExpression pattern(QStringLiteral("\\.version=\"([0-9][0-9A-Za-z.\\-]*)\""));
    const auto match = pattern.match(source);
    return match.hasMatch() ? match.captured(1) : QString();
}
} // namespace

SessionRegistry::Runtime::Runtime() = default;
SessionRegistry::Runtime::Runtime(Runtime &&) noexcept = default;
SessionRegistry::Runtime::~Runtime()
{
    sender.reset();
    transport.reset();
    session.reset();
}

SessionRegistry::SessionRegistry(Database &database, EventBus &events, EngineSettings settings, MessagingSettings messaging,
                                 const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_events(events)
    , m_clock(clock)
    , m_settings(std::move(settings))
    , m_messaging(std::move(messaging))
    , m_inbound(std::make_unique<InboundProcessor>(database, &events, m_messaging, clock))
{
    if (m_settings.injectWaJs) {
        QString origin;
        m_waJsSource = loadWaJsBundle(m_settings.dataDir, &m_waJsVersion, &origin);
        if (m_waJsSource.isEmpty())
            spdlog::error("no wa-js bundle found: sessions cannot drive WhatsApp Web");
        else
            spdlog::info("wa-js {} ({})", m_waJsVersion.toStdString(), origin.toStdString());
    }
}

SessionRegistry::~SessionRegistry()
{
    stopAll();
}

QString SessionRegistry::loadWaJsBundle(const QString &dataDir, QString *version, QString *origin)
{
    const QString overridePath = QDir(dataDir).filePath(QStringLiteral("wa-js/wppconnect-wa.js"));
    for (const QString &path : {overridePath, QStringLiteral(":/wa-js/wppconnect-wa.js")}) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QString source = QString::fromUtf8(file.readAll());
        if (source.isEmpty())
            continue;
        if (version)
            *version = versionOfBundle(source);
        if (origin)
            *origin = path == overridePath ? QStringLiteral("override from %1").arg(path) : QStringLiteral("embedded");
        return source;
    }
    return {};
}

void SessionRegistry::restoreAtStart()
{
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    Result<QList<ClientRecord>> toRestore = clients.clientsToRestore();
    if (!toRestore) {
        spdlog::error("cannot list the clients to restore");
        return;
    }
    for (const ClientRecord &c : toRestore.value()) {
        spdlog::info("restoring client {} ({})", c.id.toStdString(), c.name.toStdString());
        start(c.organizationId, c.id);
    }
}

bool SessionRegistry::start(const QString &organizationId, const QString &clientId, QString *error)
{
    if (m_sessions.count(clientId))
        return true;
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    Result<std::optional<ClientRecord>> found = clients.find(organizationId, clientId, ClientScope::all());
    if (!found || !found.value()) {
        if (error)
            *error = QStringLiteral("client not found");
        QWriteLocker lock(&m_lock);
        m_snapshots.remove(clientId);
        return false;
    }
    const ClientRecord &record = *found.value();
    BrowserIdentity identity = BrowserIdentity::fromJson(QJsonDocument::fromJson(record.browserIdentity.toUtf8()).object());
    if (!identity.isValid()) {
        identity = BrowserIdentity::generate(EngineInfo::chromiumVersion(), QLocale::system().name());
        if (Status s = clients.setBrowserIdentity(organizationId, clientId,
                                                  QString::fromUtf8(QJsonDocument(identity.toJson()).toJson(QJsonDocument::Compact)));
            !s) // the session runs on the new identity; the next start generates another
            spdlog::warn("client {}: cannot store its browser identity: {}", clientId.toStdString(), s.error().message.toStdString());
    }
    if (Status s = clients.setAutostart(organizationId, clientId, true); !s)
        spdlog::warn("client {}: cannot mark it to start with WaDesk: {}", clientId.toStdString(), s.error().message.toStdString());

    WaSession::Config config;
    config.settings = m_settings;
    config.clientId = clientId;
    config.clientName = record.name;
    config.identity = identity;
    config.waJsSource = m_settings.injectWaJs ? m_waJsSource : QString();
    config.clock = &m_clock;
    Runtime runtime;
    runtime.session = std::make_unique<WaSession>(config);
    WaSession *raw = runtime.session.get();
    runtime.transport = std::make_unique<WaSessionTransport>(*raw);
    runtime.sender = std::make_unique<MessageSender>(m_database, &m_events, organizationId, clientId, *runtime.transport, m_messaging,
                                                      m_clock);
    runtime.sender->setTiers(MessageService::tiersOf(record, m_messaging.defaultTiers));
    runtime.sender->setPaused(record.paused);
    connect(runtime.sender.get(), &MessageSender::healthTripped, this,
            [this, organizationId, clientId](const QString &reason) { pause(organizationId, clientId, reason); });
    m_organizations.insert(clientId, organizationId);
    wire(raw, organizationId);
    m_sessions.emplace(clientId, std::move(runtime));
    if (record.paused) {
        QWriteLocker lock(&m_lock);
        m_snapshots[clientId].lastError = record.pausedReason;
    }

    QString why;
    if (!raw->start(&why)) {
        spdlog::error("client {}: cannot start: {}", clientId.toStdString(), why.toStdString());
        m_sessions.erase(clientId);
        SessionSnapshot failed;
        failed.clientId = clientId;
        failed.organizationId = organizationId;
        failed.state = SessionState::Failed;
        failed.stateSince = m_clock.nowMs();
        failed.lastError = why;
        writeSnapshot(failed);
        persistState(failed, std::nullopt);
        if (error)
            *error = why;
        return false;
    }
    emit sessionStarted(clientId);
    return true;
}

void SessionRegistry::wire(WaSession *session, const QString &organizationId)
{
    const QString clientId = session->clientId();
    connect(session, &WaSession::stateChanged, this, [this, session, organizationId]() { onStateChanged(session, organizationId); });
    connect(session, &WaSession::qrChanged, this, [this, session, organizationId, clientId](const QString &text, qint64 expiresAt) {
        {
            QWriteLocker lock(&m_lock);
            SessionSnapshot &s = m_snapshots[clientId];
            s.qrText = text;
            s.qrExpiresAt = expiresAt;
            s.qrIdle = session->qrIdle();
        }
        emit snapshotChanged(clientId);
        if (!text.isEmpty())
            recordEvent(ClientEvents::qr(organizationId, clientId, text, expiresAt, m_clock));
    });
    connect(session, &WaSession::accountKnown, this, [this, session, organizationId, clientId](const QString &phone, const QJsonObject &info) {
        SessionSnapshot copy;
        {
            QWriteLocker lock(&m_lock);
            SessionSnapshot &s = m_snapshots[clientId];
            s.phoneNumber = phone;
            s.deviceInfo = info;
            copy = s;
        }
        SqlRunner sql(m_database);
        ClientRepository clients(sql);
        ClientStateUpdate update;
        update.status = SessionStates::name(session->state());
        update.since = copy.stateSince;
        update.lastError = session->lastError();
        update.phoneNumber = phone;
        update.deviceInfo = QString::fromUtf8(QJsonDocument(info).toJson(QJsonDocument::Compact));
        if (Status s = clients.saveState(organizationId, clientId, update); !s)
            spdlog::warn("client {}: cannot store its state: {}", clientId.toStdString(), s.error().message.toStdString());
        emit snapshotChanged(clientId);
    });
    connect(session, &WaSession::messageReceived, this, [this, organizationId, clientId](const QJsonObject &message) {
        m_inbound->onMessage(organizationId, clientId, message, sender(clientId));
    });
    connect(session, &WaSession::ackReceived, this,
            [this, organizationId, clientId](const QJsonObject &ack) { m_inbound->onAck(organizationId, clientId, ack); });
    connect(session, &WaSession::waJsVersionKnown, this, [this, clientId](const QString &version) {
        QWriteLocker lock(&m_lock);
        m_snapshots[clientId].waJsVersion = version;
        m_reportedWaJsVersion = version;
    });
}

void SessionRegistry::onStateChanged(WaSession *session, const QString &organizationId)
{
    const QString clientId = session->clientId();
    SessionSnapshot snap;
    SessionState previous;
    {
        QWriteLocker lock(&m_lock);
        SessionSnapshot &s = m_snapshots[clientId];
        previous = s.state;
        s.clientId = clientId;
        s.organizationId = organizationId;
        const MessageSender *queue = sender(clientId);
        const bool paused = queue && queue->isPaused();
        const SessionState real = session->state();
        // A paused client shows as paused while its page is healthy; real trouble shows through.
        s.state = paused && real != SessionState::LoggedOut && real != SessionState::Failed && real != SessionState::Qr
            ? SessionState::Paused
            : real;
        s.stateSince = m_clock.nowMs();
        s.lastError = session->lastError();
        s.qrText = session->qrText();
        s.qrExpiresAt = session->qrExpiresAt();
        s.qrIdle = session->qrIdle();
        if (s.waJsVersion.isEmpty())
            s.waJsVersion = session->waJsVersion().isEmpty() ? m_waJsVersion : session->waJsVersion();
        snap = s;
    }
    std::optional<bool> linked;
    if (snap.state == SessionState::Ready)
        linked = true;
    else if (snap.state == SessionState::LoggedOut)
        linked = false;
    persistState(snap, linked);
    emit snapshotChanged(clientId);
    if (snap.state == SessionState::Ready) {
        if (MessageSender *queue = sender(clientId))
            queue->wake();
    }
    if (snap.state == previous)
        return;

    ClientEventData data;
    data.clientId = clientId;
    data.status = SessionStates::name(snap.state);
    data.phoneNumber = snap.phoneNumber;
    data.reason = snap.lastError;
    switch (snap.state) {
    case SessionState::Ready:
        recordEvent(ClientEvents::stateChanged(EventType::ClientConnected, organizationId, data, m_clock));
        break;
    case SessionState::Disconnected:
        recordEvent(ClientEvents::stateChanged(EventType::ClientDisconnected, organizationId, data, m_clock));
        break;
    case SessionState::LoggedOut:
        recordEvent(ClientEvents::stateChanged(EventType::ClientLoggedOut, organizationId, data, m_clock));
        break;
    case SessionState::Failed:
        if (previous == SessionState::Ready)
            recordEvent(ClientEvents::stateChanged(EventType::ClientDisconnected, organizationId, data, m_clock));
        break;
    default:
        break;
    }
}

void SessionRegistry::recordEvent(const Event &event)
{
    SqlRunner sql(m_database);
    EventLog events(sql, &m_events);
    Transaction tx(m_database);
    if (tx.begin() && events.record(event) && tx.commit())
        events.publishRecorded();
    else
        spdlog::error("could not record the event {}", event.type.toStdString());
}

void SessionRegistry::persistState(const SessionSnapshot &snapshot, std::optional<bool> linked)
{
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    ClientStateUpdate update;
    update.status = SessionStates::name(snapshot.state);
    update.since = snapshot.stateSince;
    update.lastError = snapshot.lastError;
    update.linked = linked;
    if (Status s = clients.saveState(snapshot.organizationId, snapshot.clientId, update); !s)
        spdlog::error("client {}: cannot store its state", snapshot.clientId.toStdString());
}

void SessionRegistry::writeSnapshot(const SessionSnapshot &snapshot)
{
    {
        QWriteLocker lock(&m_lock);
        m_snapshots.insert(snapshot.clientId, snapshot);
    }
    emit snapshotChanged(snapshot.clientId);
}

void SessionRegistry::stop(const QString &clientId)
{
    auto it = m_sessions.find(clientId);
    if (it == m_sessions.end())
        return;
    emit sessionAboutToStop(clientId);
    it = m_sessions.find(clientId); // a receiver may have changed the map
    if (it == m_sessions.end())
        return;
    Runtime runtime = std::move(it->second);
    m_sessions.erase(it);
    runtime.sender.reset();
    runtime.session->disconnect(this);
    runtime.session->stop();
    {
        QWriteLocker lock(&m_lock);
        auto snap = m_snapshots.find(clientId);
        if (snap != m_snapshots.end()) {
            snap->state = SessionState::Stopped;
            snap->stateSince = m_clock.nowMs();
            snap->qrText.clear();
        }
    }
    emit sessionStopped(clientId);
}

void SessionRegistry::stopAll()
{
    const QStringList ids = runningClients();
    for (const QString &id : ids) {
        emit sessionAboutToStop(id);
        auto it = m_sessions.find(id);
        if (it != m_sessions.end()) {
            it->second.sender.reset();
            it->second.session->disconnect(this); // keep the stored state: these come back at next start
            it->second.session->stop();
            m_sessions.erase(it);
        }
    }
}

void SessionRegistry::remove(const QString &clientId)
{
    stop(clientId);
    {
        QWriteLocker lock(&m_lock);
        m_snapshots.remove(clientId);
    }
    m_organizations.remove(clientId);
    removeProfileDirectory(clientId, WaSession::sessionDirectory(m_settings.dataDir, clientId), 0);
}

// Chromium finishes writing a closed profile (network state, cookies) on its own threads a moment
// after the profile object is gone, and may put files back into a directory just removed: remove,
// then look again a few times until it stays away.
void SessionRegistry::removeProfileDirectory(const QString &clientId, const QString &dir, int attempt)
{
    static const int kDelaysMs[] = {300, 700, 1500, 3000, 6000};
    constexpr int kAttempts = int(sizeof(kDelaysMs) / sizeof(kDelaysMs[0]));
    const bool removed = !QDir(dir).exists() || QDir(dir).removeRecursively();
    if (attempt >= kAttempts) {
        if (!removed)
            spdlog::warn("client {}: could not remove its profile directory {}", clientId.toStdString(), dir.toStdString());
        return;
    }
    QTimer::singleShot(kDelaysMs[attempt], this, [this, clientId, dir, attempt]() {
        if (!m_sessions.count(clientId)) // not started again meanwhile
            removeProfileDirectory(clientId, dir, attempt + 1);
    });
}

WaSession *SessionRegistry::session(const QString &clientId) const
{
    auto it = m_sessions.find(clientId);
    return it == m_sessions.end() ? nullptr : it->second.session.get();
}

MessageSender *SessionRegistry::sender(const QString &clientId) const
{
    auto it = m_sessions.find(clientId);
    return it == m_sessions.end() ? nullptr : it->second.sender.get();
}

void SessionRegistry::pause(const QString &organizationId, const QString &clientId, const QString &reason)
{
    MessageSender *queue = sender(clientId);
    if (organizationId.isEmpty() || (queue && queue->isPaused()))
        return;
    if (queue)
        queue->setPaused(true);
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    EventLog events(sql, &m_events);
    AuditLog audit(sql, m_clock);
    Transaction tx(m_database);
    bool ok = tx.begin().ok() && clients.setPaused(organizationId, clientId, true, reason).ok();
    AuditEntry entry;
    entry.organizationId = organizationId;
    entry.action = QStringLiteral("pause_client");
    entry.resource = QStringLiteral("whatsapp_clients");
    entry.resourceId = clientId;
    entry.details = QJsonObject{{QStringLiteral("reason"), reason}};
    ok = ok && audit.append(entry).ok();
    ok = ok && events.record(ClientEvents::paused(organizationId, clientId, reason, m_clock)).ok();
    if (ok && tx.commit().ok())
        events.publishRecorded();
    else
        spdlog::error("client {}: could not store its pause", clientId.toStdString());
    spdlog::warn("client {}: paused: {}", clientId.toStdString(), reason.toStdString());
    SessionSnapshot copy;
    {
        QWriteLocker lock(&m_lock);
        SessionSnapshot &s = m_snapshots[clientId];
        s.clientId = clientId;
        s.organizationId = organizationId;
        if (s.state == SessionState::Ready || s.state == SessionState::Disconnected || s.state == SessionState::Authenticating)
            s.state = SessionState::Paused;
        s.stateSince = m_clock.nowMs();
        s.lastError = reason;
        copy = s;
    }
    // The client row shows it too (GET /api/clients/:id), as for every other state change.
    if (session(clientId))
        persistState(copy, std::nullopt);
    emit snapshotChanged(clientId);
}

void SessionRegistry::resume(const QString &organizationId, const QString &clientId)
{
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    if (!organizationId.isEmpty()) {
        if (Status s = clients.setPaused(organizationId, clientId, false, QString()); !s)
            spdlog::warn("client {}: cannot store its resume: {}", clientId.toStdString(), s.error().message.toStdString());
    }
    if (MessageSender *queue = sender(clientId))
        queue->setPaused(false);
    if (WaSession *s = session(clientId)) {
        SessionSnapshot copy;
        {
            QWriteLocker lock(&m_lock);
            SessionSnapshot &snap = m_snapshots[clientId];
            snap.clientId = clientId;
            snap.organizationId = organizationId.isEmpty() ? m_organizations.value(clientId) : organizationId;
            snap.state = s->state();
            snap.stateSince = m_clock.nowMs();
            snap.lastError = s->lastError();
            copy = snap;
        }
        persistState(copy, std::nullopt);
    }
    emit snapshotChanged(clientId);
}

void SessionRegistry::reloadSettings(const QString &clientId)
{
    MessageSender *queue = sender(clientId);
    const QString organizationId = m_organizations.value(clientId);
    if (!queue || organizationId.isEmpty())
        return;
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    Result<std::optional<ClientRecord>> record = clients.find(organizationId, clientId, ClientScope::all());
    if (record && record.value())
        queue->setTiers(MessageService::tiersOf(*record.value(), m_messaging.defaultTiers));
    queue->wake();
}

void SessionRegistry::failInterruptedSends()
{
    SqlRunner sql(m_database);
    MessageRepository messages(sql);
    EventLog events(sql, &m_events);
    Transaction tx(m_database);
    if (!tx.begin())
        return;
    const qint64 now = m_clock.nowMs();
    Result<QList<MessageRecord>> failed = messages.failInterrupted(now);
    if (!failed)
        return;
    for (const MessageRecord &m : failed.value()) {
        spdlog::warn("message {} was being sent when WaDesk stopped: failed as interrupted (not resent)", m.id.toStdString());
        MessageEventData failure;
        failure.messageId = m.id;
        failure.clientId = m.clientId;
        failure.counterpart = m.contactPhone;
        failure.reason = QStringLiteral("interrupted");
        failure.at = now;
        if (Status s = events.record(MessageEvents::failed(m.organizationId, failure, m_clock)); !s)
            spdlog::warn("message {}: cannot record its message.failed event: {}", m.id.toStdString(), s.error().message.toStdString());
    }
    if (tx.commit())
        events.publishRecorded();
}

QStringList SessionRegistry::runningClients() const
{
    QStringList out;
    for (const auto &entry : m_sessions)
        out << entry.first;
    return out;
}

std::optional<SessionSnapshot> SessionRegistry::snapshot(const QString &clientId) const
{
    QReadLocker lock(&m_lock);
    auto it = m_snapshots.constFind(clientId);
    if (it == m_snapshots.constEnd())
        return std::nullopt;
    return it.value();
}

void SessionRegistry::requestStart(const QString &organizationId, const QString &clientId)
{
    {
        // Visible at once to the caller's next read, before the main thread gets to it.
        QWriteLocker lock(&m_lock);
        SessionSnapshot &s = m_snapshots[clientId];
        if (s.state == SessionState::Stopped || s.state == SessionState::Failed) {
            s.clientId = clientId;
            s.organizationId = organizationId;
            s.state = SessionState::Initializing;
            s.stateSince = m_clock.nowMs();
            s.waJsVersion = m_waJsVersion;
        }
    }
    QMetaObject::invokeMethod(this, [this, organizationId, clientId]() {
        WaSession *existing = session(clientId);
        if (existing && existing->state() == SessionState::Failed)
            stop(clientId); // an explicit init after a failure starts afresh
        if (existing && existing->state() == SessionState::Qr && existing->qrIdle())
            existing->refreshQr();
        start(organizationId, clientId);
    }, Qt::AutoConnection); // at once on the main thread (the desktop), queued from the API's
}

void SessionRegistry::requestStop(const QString &clientId)
{
    QMetaObject::invokeMethod(this, [this, clientId]() { stop(clientId); }, Qt::AutoConnection);
}

void SessionRegistry::requestLogout(const QString &clientId)
{
    QMetaObject::invokeMethod(this, [this, clientId]() {
        if (WaSession *s = session(clientId))
            s->logout();
    }, Qt::QueuedConnection);
}

void SessionRegistry::requestRefreshQr(const QString &clientId)
{
    QMetaObject::invokeMethod(this, [this, clientId]() {
        if (WaSession *s = session(clientId))
            s->refreshQr();
    }, Qt::QueuedConnection);
}

void SessionRegistry::requestRemove(const QString &clientId)
{
    QMetaObject::invokeMethod(this, [this, clientId]() { remove(clientId); }, Qt::QueuedConnection);
}

void SessionRegistry::requestWake(const QString &clientId)
{
    QMetaObject::invokeMethod(this, [this, clientId]() {
        if (MessageSender *queue = sender(clientId))
            queue->wake();
    }, Qt::QueuedConnection);
}

void SessionRegistry::requestReloadSettings(const QString &clientId)
{
    QMetaObject::invokeMethod(this, [this, clientId]() { reloadSettings(clientId); }, Qt::QueuedConnection);
}

void SessionRegistry::requestPause(const QString &organizationId, const QString &clientId, const QString &reason)
{
    QMetaObject::invokeMethod(this, [this, organizationId, clientId, reason]() { pause(organizationId, clientId, reason); },
                              Qt::AutoConnection);
}

void SessionRegistry::requestResume(const QString &organizationId, const QString &clientId)
{
    QMetaObject::invokeMethod(this, [this, organizationId, clientId]() { resume(organizationId, clientId); }, Qt::AutoConnection);
}

int SessionRegistry::readyCount() const
{
    QReadLocker lock(&m_lock);
    int n = 0;
    for (const SessionSnapshot &s : m_snapshots)
        n += s.state == SessionState::Ready ? 1 : 0;
    return n;
}

QString SessionRegistry::waJsVersion() const
{
    QReadLocker lock(&m_lock);
    return m_reportedWaJsVersion.isEmpty() ? m_waJsVersion : m_reportedWaJsVersion;
}

} // namespace wadesk
