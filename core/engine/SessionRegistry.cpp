#include "core/engine/SessionRegistry.h"

#include "core/events/EventBus.h"
#include "core/cluster/LeaseTakeover.h"
#include "core/cluster/SessionLeases.h"
#include "core/db/SqlRunner.h"
#include "core/engine/ClientEgress.h"
#include "core/engine/ClientRuntime.h"
#include "core/engine/EngineInfo.h"
#include "core/engine/InboundMediaFetcher.h"
#include "core/engine/WaJsBundle.h"
#include "core/engine/WaSession.h"
#include "core/messaging/InboundProcessor.h"
#include "core/journal/OutageJournal.h"
#include "core/engine/PageReportJournal.h"
#include "core/autoreplies/AutoReplyEngine.h"
#include "core/cluster/BrowserSnapshotStore.h"
#include "core/messaging/InterruptedSends.h"
#include "core/messaging/MessageSender.h"
#include "core/messaging/LeasedQueue.h"
#include "core/messaging/OutboundAcks.h"
#include "core/messaging/SendReconciler.h"
#include "core/proxies/ProxyService.h"
#include "core/sessions/ClientRepository.h"
#include "core/sessions/ClientSendTiers.h"
#include "core/sessions/ClientStatus.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QPointer>
#include <QSet>
#include <QThread>
#include <QTimer>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

namespace wadesk {

namespace {

// What a pause shows: a healthy page reads as paused, with the reason; trouble (qr, logged out,
// failed, ...) keeps showing through.
void showPaused(SessionSnapshot &s, const QString &organizationId, const QString &clientId, const QString &reason, qint64 now)
{
    s.clientId = clientId;
    s.organizationId = organizationId;
    if (s.state == SessionState::Ready || s.state == SessionState::Disconnected || s.state == SessionState::Authenticating)
        s.state = SessionState::Paused;
    s.stateSince = now;
    s.lastError = reason;
}

} // namespace

SessionRegistry::SessionRegistry(Database &database, EventBus &events, EngineSettings settings, MessagingSettings messaging,
                                 const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_events(events)
    , m_clock(clock)
    , m_settings(std::move(settings))
    , m_messaging(std::move(messaging))
    , m_recorder(database, &events, clock)
    , m_autoReplies(std::make_unique<AutoReplyEngine>(m_messaging.maxTextLength, m_messaging.defaultTiers, clock))
    , m_inbound(std::make_unique<InboundProcessor>(database, &events, m_messaging, clock))
    , m_acks(std::make_unique<OutboundAcks>(database, &events, clock))
    , m_reconciler(std::make_unique<SendReconciler>(database, &events, *m_acks, clock))
    , m_egress(std::make_unique<ClientEgress>(nullptr, nullptr))
{
    m_inbound->setResponder(m_autoReplies.get(), [this](const QString &clientId) { requestWake(clientId); });
    m_stuckSendsSince = clock.nowMs();
    // Also catches a row a database outage left `sending` while its session stayed ready.
    m_stuckSendsTimer.setInterval(kStuckSendsSweepMs);
    connect(&m_stuckSendsTimer, &QTimer::timeout, this, [this]() { sweepStuckSends(); });
    m_stuckSendsTimer.start();
    if (!m_settings.dataDir.isEmpty()) {
        m_journal = std::make_unique<OutageJournal>(QDir(m_settings.dataDir).filePath(QStringLiteral("journal")), m_settings.journal);
        if (Status opened = m_journal->open(); !opened) {
            spdlog::error("{}: what pages report during a database outage is kept in memory only", opened.error().message.toStdString());
            m_journal.reset();
        }
    }
    if (m_journal) {
        m_acks->setJournal(m_journal.get());
        m_reports = std::make_unique<PageReportJournal>(*m_journal, database, &events, m_recorder, *m_inbound, *m_acks, clock);
        m_reports->setMediaRequested([this](const QString &organizationId, const QString &clientId, const InboundMediaRequest &file) {
            WaSession *page = session(clientId);
            auto *media = page ? page->findChild<InboundMediaFetcher *>() : nullptr;
            if (!media) {
                spdlog::warn("client {}: the file of message {} is fetched when its page runs again", clientId.toStdString(),
                             file.waMessageId.toStdString());
                return;
            }
            media->fetch(file.waMessageId, [this, organizationId, clientId, waId = file.waMessageId](const FetchedMedia &fetched) {
                m_inbound->onMediaFetched(organizationId, clientId, waId, fetched);
            });
        });
    }
    if (m_settings.injectWaJs) {
        const WaJsBundle bundle = WaJsBundle::load(m_settings.dataDir);
        m_waJsSource = bundle.source;
        m_waJsVersion = bundle.version;
        if (bundle.isEmpty())
            spdlog::error("no wa-js bundle found: sessions cannot drive WhatsApp Web");
        else
            spdlog::info("wa-js {} ({})", m_waJsVersion.toStdString(), bundle.origin.toStdString());
    }
}

SessionRegistry::~SessionRegistry()
{
    if (m_browserSnapshots)
        m_browserSnapshots->waitForBackground(); // no restore finishes for a registry that is gone
    stopAll();
}

bool SessionRegistry::onOwnThread(const char *call) const
{
    if (QThread::currentThread() == thread())
        return true;
    spdlog::error("SessionRegistry::{} called off the main thread: refused (other threads use the SessionControl requests)", call);
    return false;
}

void SessionRegistry::setEgress(EgressProxy *forwarder, ProxyService *proxies)
{
    if (!onOwnThread("setEgress"))
        return;
    m_egress = std::make_unique<ClientEgress>(forwarder, proxies);
    m_proxies = proxies;
}

void SessionRegistry::setSnapshotStore(BrowserSnapshotStore *store, std::chrono::milliseconds interval)
{
    if (!onOwnThread("setSnapshotStore"))
        return;
    m_browserSnapshots = store;
    m_browserSnapshotTimer.stop();
    if (!store)
        return;
    m_browserSnapshotTimer.setInterval(std::max(interval, std::chrono::milliseconds(1000)));
    connect(&m_browserSnapshotTimer, &QTimer::timeout, this, &SessionRegistry::snapshotReadySessions, Qt::UniqueConnection);
    m_browserSnapshotTimer.start();
}

// A linked session stopped cleanly. Chromium writes the last of a closed profile's leveldb files
// on its own threads a moment after the profile object is gone (see removeProfileDirectory):
// the snapshot is taken after that, unless the process is quitting (`flushed` false: the store
// then packs at once, and waits for it when destroyed).
void SessionRegistry::snapshotAfterStop(const QString &clientId, bool flushed)
{
    static constexpr int kFlushDelayMs = 1500;
    if (!m_browserSnapshots)
        return;
    const QString dir = WaSession::sessionDirectory(m_settings.dataDir, clientId);
    if (!flushed) {
        m_browserSnapshots->saveInBackground(clientId, dir);
        return;
    }
    QPointer<SessionRegistry> self(this);
    BrowserSnapshotStore *store = m_browserSnapshots;
    QTimer::singleShot(kFlushDelayMs, this, [self, store, clientId, dir]() {
        // Started again meanwhile: that run's own snapshots (or its logout) decide instead.
        if (self && self->m_browserSnapshots == store && !self->m_sessions.count(clientId))
            store->saveInBackground(clientId, dir);
    });
}

// WhatsApp Web writes its keys for a while after it links, and Chromium commits Local Storage in
// batches: a session counts for the periodic snapshots once it has been ready for a settling time
// (the interval, at most a minute, as RemoteAuth waits a minute before its first save).
qint64 SessionRegistry::snapshotSettleMs() const
{
    return std::min<qint64>(m_browserSnapshotTimer.interval(), 60 * 1000);
}

void SessionRegistry::snapshotReadySessions()
{
    const qint64 settled = m_clock.nowMs() - snapshotSettleMs();
    for (auto it = m_linkedClients.cbegin(); it != m_linkedClients.cend(); ++it) {
        WaSession *page = session(it.key());
        if (page && page->state() == SessionState::Ready && it.value() <= settled)
            m_browserSnapshots->saveInBackground(it.key(), WaSession::sessionDirectory(m_settings.dataDir, it.key()));
    }
}

void SessionRegistry::setMediaLibrary(MediaLibrary *media)
{
    if (!onOwnThread("setMediaLibrary"))
        return;
    m_media = media;
    m_inbound->setMediaLibrary(media);
    for (auto &entry : m_sessions) {
        if (MessageSender *queue = entry.second->sender())
            queue->setMediaLibrary(media);
    }
}

void SessionRegistry::waitForProxy(const QString &organizationId, const QString &clientId, const QString &reason)
{
    spdlog::warn("client {}: not started: {}", clientId.toStdString(), reason.toStdString());
    m_waitingForProxy.insert(clientId, organizationId);
    m_organizations.insert(clientId, organizationId);
    SessionSnapshot waiting;
    waiting.clientId = clientId;
    waiting.organizationId = organizationId;
    waiting.state = SessionState::Disconnected;
    waiting.stateSince = m_clock.nowMs();
    waiting.lastError = reason;
    waiting.waJsVersion = m_waJsVersion;
    writeSnapshot(waiting);
    if (Status s = m_recorder.saveState(waiting, std::nullopt); !s)
        spdlog::error("client {}: cannot store that it waits for its proxy: {}", clientId.toStdString(), s.error().message.toStdString());
}

void SessionRegistry::onProxyHealthChanged(const QString &proxyId, bool healthy, const QString &error)
{
    if (!onOwnThread("onProxyHealthChanged"))
        return;
    if (healthy) {
        QStringList toStart;
        for (auto it = m_waitingForProxy.cbegin(); it != m_waitingForProxy.cend(); ++it)
            toStart << it.key();
        // Every waiting client is tried: the one whose proxy came back starts, the others stay
        // waiting with their reason (their proxy is read again, it may have been reassigned).
        for (const QString &clientId : toStart) {
            if (!m_waitingForProxy.contains(clientId) || !m_proxies)
                continue;
            Result<std::optional<ProxyService::ClientProxy>> proxy = m_proxies->proxyOfClient(m_waitingForProxy.value(clientId), clientId);
            if (proxy && proxy.value() && proxy.value()->proxyId == proxyId) {
                spdlog::info("client {}: its proxy is reachable again; starting", clientId.toStdString());
                start(m_waitingForProxy.value(clientId), clientId);
            }
        }
        return;
    }
    for (const QString &clientId : m_egress->clientsUsing(proxyId)) {
        const QString organizationId = m_organizations.value(clientId);
        std::optional<ProxyService::ClientProxy> current;
        if (m_proxies) {
            Result<std::optional<ProxyService::ClientProxy>> found = m_proxies->proxyOfClient(organizationId, clientId);
            if (found)
                current = found.value();
        }
        const QString name = current && !current->label.isEmpty() ? current->label : proxyId;
        const QString reason = QStringLiteral("waiting for proxy %1: %2").arg(name, error);
        // Nothing more leaves through the dead proxy's route, not even what the page has queued.
        m_egress->block(clientId, reason);
        if (current && current->failover) {
            Result<QString> moved = m_proxies->failOver(organizationId, clientId);
            if (moved) {
                spdlog::warn("client {}: proxy {} died; moved to proxy {} (failover allowed)", clientId.toStdString(),
                             proxyId.toStdString(), moved.value().toStdString());
                stop(clientId);
                start(organizationId, clientId);
                continue;
            }
            spdlog::warn("client {}: proxy {} died and no other proxy can take it: {}", clientId.toStdString(), proxyId.toStdString(),
                         moved.error().message.toStdString());
        }
        stop(clientId);
        waitForProxy(organizationId, clientId, reason);
    }
}

void SessionRegistry::restoreAtStart()
{
    if (!onOwnThread("restoreAtStart"))
        return;
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    if (m_leases) {
        // Several instances: only this instance's own come back here (their lease was its, or
        // they are pinned to it); the others are the takeover's, which spreads them.
        Result<QList<QPair<QString, QString>>> mine = LeaseTakeover::ownClientsAtStart(m_database, m_leases->instanceId());
        if (!mine) {
            spdlog::error("cannot list the clients to restore: {}", mine.error().message.toStdString());
            return;
        }
        for (const auto &c : mine.value()) {
            spdlog::info("restoring client {}", c.second.toStdString());
            start(c.first, c.second);
        }
        return;
    }
    Result<QList<ClientRecord>> toRestore = clients.clientsToRestore();
    if (!toRestore) {
        spdlog::error("cannot list the clients to restore: {}", toRestore.error().message.toStdString());
        return;
    }
    for (const ClientRecord &c : toRestore.value()) {
        spdlog::info("restoring client {} ({})", c.id.toStdString(), c.name.toStdString());
        start(c.organizationId, c.id);
    }
}

bool SessionRegistry::start(const QString &organizationId, const QString &clientId, QString *error)
{
    if (!onOwnThread("start")) {
        if (error)
            *error = QStringLiteral("sessions are started on the main thread only");
        return false;
    }
    if (m_sessions.count(clientId))
        return true;
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    Result<std::optional<ClientRecord>> found = clients.find(organizationId, clientId, ClientScope::all());
    if (!found || !found.value()) {
        if (!found)
            spdlog::error("client {}: cannot read it to start it: {}", clientId.toStdString(), found.error().message.toStdString());
        if (error)
            *error = QStringLiteral("client not found");
        QWriteLocker lock(&m_lock);
        m_snapshots.remove(clientId);
        return false;
    }
    const ClientRecord &record = *found.value();
    // Several instances: the lease before anything else is done for the client.
    std::optional<LeaseFence> fence;
    if (m_leases) {
        Result<std::optional<LeaseFence>> lease = m_leases->acquire(clientId);
        if (!lease || !lease.value()) {
            Result<QString> owner = lease ? m_leases->liveOwner(clientId) : Result<QString>(lease.error());
            const QString why = !lease ? QStringLiteral("cannot take its lease: %1").arg(lease.error().message)
                                       : QStringLiteral("it runs on instance %1").arg(owner ? owner.value() : QStringLiteral("(unknown)"));
            spdlog::info("client {}: not started here: {}", clientId.toStdString(), why.toStdString());
            if (error)
                *error = why;
            return false;
        }
        fence = lease.value();
    }
    BrowserIdentity identity = BrowserIdentity::fromJson(QJsonDocument::fromJson(record.browserIdentity.toUtf8()).object());
    if (!identity.isValid()) {
        identity = BrowserIdentity::generate(EngineInfo::chromiumVersion(), QLocale::system().name());
        // Not stored: this start still uses it, and the next one generates another (a changed
        // identity is a ban signal, so this is worth the error line).
        if (Status s = clients.setBrowserIdentity(organizationId, clientId,
                                                  QString::fromUtf8(QJsonDocument(identity.toJson()).toJson(QJsonDocument::Compact)));
            !s)
            spdlog::error("client {}: cannot store its browser identity: {}", clientId.toStdString(), s.error().message.toStdString());
    }
    setAutostart(organizationId, clientId, true);

    m_waitingForProxy.remove(clientId);
    const ClientEgress::Plan egress = m_egress->prepare(organizationId, clientId);
    if (!egress.allowed) {
        waitForProxy(organizationId, clientId, egress.waitReason);
        if (error)
            *error = egress.waitReason;
        return false;
    }
    // Seen from the proxy's country (not stored: the client's identity stays its own).
    if (!egress.country.isEmpty())
        identity = identity.localizedTo(egress.country);

    ClientRuntime::Setup setup;
    setup.page.settings = m_settings;
    setup.page.egress = egress.credentials;
    setup.page.clientId = clientId;
    setup.page.clientName = record.name;
    setup.page.identity = identity;
    setup.page.waJsSource = m_settings.injectWaJs ? m_waJsSource : QString();
    setup.page.clock = &m_clock;
    setup.organizationId = organizationId;
    setup.messaging = m_messaging;
    setup.tiers = clientSendTiers(record, m_messaging.defaultTiers);
    setup.paused = record.paused;
    setup.fence = fence;
    auto runtime = std::make_unique<ClientRuntime>(m_database, m_events, setup);
    WaSession *raw = &runtime->session();
    connect(runtime->sender(), &MessageSender::healthTripped, this,
            [this, organizationId, clientId](const QString &reason) { pause(organizationId, clientId, reason); });
    connect(runtime->sender(), &MessageSender::waMessageIdRecorded, this,
            [this, clientId](const QString &waId) { m_acks->onRecorded(clientId, waId); });
    runtime->sender()->setMediaLibrary(m_media);
    runtime->sender()->setJournal(m_journal.get());
    m_organizations.insert(clientId, organizationId);
    wire(raw, organizationId);
    m_sessions.emplace(clientId, std::move(runtime));
    if (record.paused) {
        QWriteLocker lock(&m_lock);
        m_snapshots[clientId].lastError = record.pausedReason;
    }

    return restoreThenOpenPage(organizationId, clientId, error);
}

// Restoring MBs of profile is the store's thread's work; here only the latest snapshot's id is
// read (one row) to know whether there is one to restore. The profile is not in use until the
// page opens.
bool SessionRegistry::restoreThenOpenPage(const QString &organizationId, const QString &clientId, QString *error)
{
    if (m_browserSnapshots) {
        const QString dir = WaSession::sessionDirectory(m_settings.dataDir, clientId);
        Result<bool> needed = m_browserSnapshots->needsRestore(clientId, dir);
        if (!needed) {
            spdlog::error("client {}: cannot read its browser snapshots, the page opens from its own profile: {}", clientId.toStdString(),
                          needed.error().message.toStdString());
        } else if (needed.value()) {
            QPointer<WaSession> page(session(clientId));
            m_browserSnapshots->restoreInBackground(clientId, dir, this, [this, page, organizationId, clientId](const Result<bool> &restored) {
                if (!restored)
                    spdlog::error("client {}: its browser snapshot was not restored, the page opens from its own profile: {}",
                                  clientId.toStdString(), restored.error().message.toStdString());
                if (page && session(clientId) == page) // not stopped (or started anew) meanwhile
                    openPage(organizationId, clientId, nullptr);
            });
            return true;
        }
    }
    return openPage(organizationId, clientId, error);
}

bool SessionRegistry::openPage(const QString &organizationId, const QString &clientId, QString *error)
{
    WaSession *raw = session(clientId);
    if (!raw)
        return false;
    QString why;
    if (!raw->start(&why)) {
        spdlog::error("client {}: cannot start: {}", clientId.toStdString(), why.toStdString());
        m_sessions.erase(clientId);
        m_egress->release(clientId);
        SessionSnapshot failed;
        failed.clientId = clientId;
        failed.organizationId = organizationId;
        failed.state = SessionState::Failed;
        failed.stateSince = m_clock.nowMs();
        failed.lastError = why;
        writeSnapshot(failed);
        if (Status s = m_recorder.saveState(failed, std::nullopt); !s)
            spdlog::error("client {}: cannot store that it failed to start: {}", clientId.toStdString(), s.error().message.toStdString());
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
        if (!text.isEmpty()) {
            if (Status s = m_recorder.recordQr(organizationId, clientId, text, expiresAt); !s)
                spdlog::error("client {}: could not record the event client.qr: {}", clientId.toStdString(), s.error().message.toStdString());
        }
    });
    connect(session, &WaSession::accountKnown, this, [this, session, organizationId, clientId](const QString &phone, const QJsonObject &info) {
        if (const QString holder = clientWithNumber(organizationId, clientId, phone); !holder.isEmpty()) {
            refuseDuplicateNumber(organizationId, clientId, phone, holder);
            return;
        }
        SessionSnapshot account;
        {
            QWriteLocker lock(&m_lock);
            SessionSnapshot &s = m_snapshots[clientId];
            s.phoneNumber = phone;
            s.deviceInfo = info;
            account = s;
        }
        // The row keeps the page's own state (not the paused overlay) next to the account.
        account.clientId = clientId;
        account.organizationId = organizationId;
        account.state = session->state();
        account.lastError = session->lastError();
        Result<QString> replaced = m_recorder.saveAccount(account);
        if (!replaced) {
            spdlog::error("client {}: cannot store its linked account: {}", clientId.toStdString(), replaced.error().message.toStdString());
        } else if (!replaced.value().isEmpty()) {
            spdlog::warn("client {}: linked to {}, which replaces the number it had, {}", clientId.toStdString(), phone.toStdString(),
                         replaced.value().toStdString());
            QWriteLocker lock(&m_lock);
            m_snapshots[clientId].replacedPhoneNumber = replaced.value();
        }
        emit snapshotChanged(clientId);
    });
    // Received messages. Files still awaited from an earlier page of this client never come.
    m_inbound->failPendingMedia(organizationId, clientId);
    auto *media = new InboundMediaFetcher(session, m_messaging.mediaMaxBytes, session);
    connect(session, &WaSession::messageReceived, this, [this, organizationId, clientId, media](const QJsonObject &message) {
        const std::optional<InboundMediaRequest> file = m_reports ? m_reports->message(organizationId, clientId, message, sender(clientId))
                                                                  : m_inbound->onMessage(organizationId, clientId, message, sender(clientId));
        if (!file)
            return;
        media->fetch(file->waMessageId, [this, organizationId, clientId, waId = file->waMessageId](const FetchedMedia &fetched) {
            m_inbound->onMediaFetched(organizationId, clientId, waId, fetched);
        });
    });
    connect(session, &WaSession::messageEdited, this,
            [this, organizationId, clientId](const QJsonObject &edit) { m_inbound->onEdit(organizationId, clientId, edit); });
    connect(session, &WaSession::messageRevoked, this,
            [this, organizationId, clientId](const QJsonObject &revoke) { m_inbound->onRevoke(organizationId, clientId, revoke); });
    connect(session, &WaSession::reactionReceived, this,
            [this, organizationId, clientId](const QJsonObject &reaction) { m_inbound->onReaction(organizationId, clientId, reaction); });
    connect(session, &WaSession::ackReceived, this,
            [this, organizationId, clientId](const QJsonObject &ack) {
                if (m_reports)
                    m_reports->ack(organizationId, clientId, ack);
                else
                    m_acks->onAck(organizationId, clientId, ack);
            });
    connect(session, &WaSession::waJsVersionKnown, this, [this, clientId](const QString &version) {
        QWriteLocker lock(&m_lock);
        m_snapshots[clientId].waJsVersion = version;
        m_reportedWaJsVersion = version;
    });
}

QString SessionRegistry::clientWithNumber(const QString &organizationId, const QString &clientId, const QString &phone)
{
    if (phone.isEmpty())
        return {};
    SqlRunner sql(m_database);
    Result<std::optional<ClientRecord>> other = ClientRepository(sql).otherWithPhone(organizationId, phone, clientId);
    if (!other) {
        spdlog::error("client {}: cannot look for another client with its number: {}", clientId.toStdString(),
                      other.error().message.toStdString());
        return {};
    }
    if (!other.value())
        return {};
    return QStringLiteral("\"%1\" (%2)").arg(other.value()->name, other.value()->id);
}

void SessionRegistry::refuseDuplicateNumber(const QString &organizationId, const QString &clientId, const QString &phone,
                                            const QString &holder)
{
    const QString reason = QStringLiteral("The WhatsApp number %1 is already linked to the client %2; this client was stopped. "
                                          "Log this one out, or delete one of them.")
                               .arg(phone, holder);
    spdlog::warn("client {}: {}", clientId.toStdString(), reason.toStdString());
    // Not from inside the page's own signal: the session is deleted when it stops.
    QMetaObject::invokeMethod(this, [this, organizationId, clientId, reason]() {
        std::optional<SessionSnapshot> before = snapshot(clientId);
        const SessionState previous = before ? before->state : SessionState::Stopped;
        stop(clientId);
        setAutostart(organizationId, clientId, false);
        SessionSnapshot refused = before.value_or(SessionSnapshot());
        refused.clientId = clientId;
        refused.organizationId = organizationId;
        refused.state = SessionState::Failed;
        refused.stateSince = m_clock.nowMs();
        refused.lastError = reason;
        refused.qrText.clear();
        refused.phoneNumber.clear();
        refused.deviceInfo = QJsonObject();
        writeSnapshot(refused);
        if (Status s = m_recorder.recordTransition(refused, previous); !s)
            spdlog::error("client {}: cannot store why it was stopped: {}", clientId.toStdString(), s.error().message.toStdString());
    }, Qt::QueuedConnection);
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
        if (real == SessionState::LoggedOut) {
            s.phoneNumber.clear();
            s.replacedPhoneNumber.clear();
            s.deviceInfo = QJsonObject();
        }
        if (s.waJsVersion.isEmpty())
            s.waJsVersion = session->waJsVersion().isEmpty() ? m_waJsVersion : session->waJsVersion();
        snap = s;
    }
    if (m_reports)
        m_reports->state(snap, previous);
    else if (Status s = m_recorder.recordTransition(snap, previous); !s)
        spdlog::error("client {}: cannot store its state {}: {}", clientId.toStdString(), SessionStates::name(snap.state).toStdString(),
                      s.error().message.toStdString());
    emit snapshotChanged(clientId);
    if (m_browserSnapshots) {
        // Only a linked session is snapshotted; a logged-out state must not come back elsewhere.
        if (session->state() == SessionState::Ready && !m_linkedClients.contains(clientId)) {
            m_linkedClients.insert(clientId, m_clock.nowMs());
            // The first snapshot of this run once settled, not a whole interval later.
            QPointer<WaSession> page(session);
            QTimer::singleShot(snapshotSettleMs(), this, [this, page, clientId]() {
                if (page && this->session(clientId) == page && page->state() == SessionState::Ready && m_linkedClients.contains(clientId))
                    m_browserSnapshots->saveInBackground(clientId, WaSession::sessionDirectory(m_settings.dataDir, clientId));
            });
        } else if (session->state() == SessionState::LoggedOut) {
            m_linkedClients.remove(clientId);
            m_browserSnapshots->removeAllInBackground(clientId);
        }
    }
    if (snap.state == SessionState::Ready) {
        if (MessageSender *queue = sender(clientId))
            queue->wake();
    }
    // After a start, a restart or a takeover: what its previous life left `sending` is settled now.
    if (session->state() == SessionState::Ready)
        QTimer::singleShot(0, this, [this, clientId]() { sweepStuckSends(clientId); });
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
    if (!onOwnThread("stop"))
        return;
    if (m_waitingForProxy.contains(clientId)) {
        // Stopped while it waited for its proxy: it no longer waits.
        SessionSnapshot stopped;
        stopped.clientId = clientId;
        stopped.organizationId = m_waitingForProxy.take(clientId);
        stopped.state = SessionState::Stopped;
        stopped.stateSince = m_clock.nowMs();
        writeSnapshot(stopped);
        if (Status s = m_recorder.saveState(stopped, std::nullopt); !s)
            spdlog::error("client {}: cannot store that it stopped: {}", clientId.toStdString(), s.error().message.toStdString());
        if (m_leases && !m_sessions.count(clientId)) {
            if (Status s = m_leases->release(clientId); !s)
                spdlog::warn("client {}: its lease was not released ({}); it expires", clientId.toStdString(), s.error().message.toStdString());
        }
    }
    auto it = m_sessions.find(clientId);
    if (it == m_sessions.end())
        return;
    emit sessionAboutToStop(clientId);
    it = m_sessions.find(clientId); // a receiver may have changed the map
    if (it == m_sessions.end())
        return;
    std::unique_ptr<ClientRuntime> runtime = std::move(it->second);
    m_sessions.erase(it);
    const bool linked = m_linkedClients.remove(clientId) && runtime->session().state() != SessionState::LoggedOut;
    runtime->stop(this);
    m_egress->release(clientId);
    if (linked)
        snapshotAfterStop(clientId, true);
    std::optional<SessionSnapshot> stopped;
    {
        QWriteLocker lock(&m_lock);
        auto snap = m_snapshots.find(clientId);
        if (snap != m_snapshots.end()) {
            // A logged-out session keeps saying so; anything else is now stopped.
            if (snap->state != SessionState::LoggedOut) {
                snap->state = SessionState::Stopped;
                snap->stateSince = m_clock.nowMs();
            }
            snap->qrText.clear();
            stopped = *snap;
        }
    }
    // Stored too, so that the client list (read from the database) says what /status says.
    if (stopped) {
        if (Status s = m_recorder.saveState(*stopped, std::nullopt); !s)
            spdlog::error("client {}: cannot store that it stopped: {}", clientId.toStdString(), s.error().message.toStdString());
        emit snapshotChanged(clientId);
    }
    // Several instances: another instance may start it now (its state is stored above).
    if (m_leases) {
        if (Status s = m_leases->release(clientId); !s)
            spdlog::warn("client {}: its lease was not released ({}); it expires", clientId.toStdString(), s.error().message.toStdString());
    }
    emit sessionStopped(clientId);
}

void SessionRegistry::setAutostart(const QString &organizationId, const QString &clientId, bool autostart)
{
    SqlRunner sql(m_database);
    if (Status s = ClientRepository(sql).setAutostart(organizationId, clientId, autostart); !s)
        spdlog::error("client {}: cannot store whether it starts with the application: {}", clientId.toStdString(),
                      s.error().message.toStdString());
}

void SessionRegistry::stopAll()
{
    if (!onOwnThread("stopAll"))
        return;
    const QStringList ids = runningClients();
    for (const QString &id : ids) {
        emit sessionAboutToStop(id);
        auto it = m_sessions.find(id);
        if (it != m_sessions.end()) {
            const bool linked = m_linkedClients.remove(id) && it->second->session().state() != SessionState::LoggedOut;
            it->second->stop(this); // keep the stored state: these come back at next start
            m_sessions.erase(it);
            m_egress->release(id);
            if (linked)
                snapshotAfterStop(id, false);
        }
    }
}

void SessionRegistry::remove(const QString &clientId)
{
    m_waitingForProxy.remove(clientId);
    stop(clientId);
    {
        QWriteLocker lock(&m_lock);
        m_snapshots.remove(clientId);
    }
    m_organizations.remove(clientId);
    m_acks->forget(clientId);
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
    if (!onOwnThread("session"))
        return nullptr;
    auto it = m_sessions.find(clientId);
    return it == m_sessions.end() ? nullptr : &it->second->session();
}

MessageSender *SessionRegistry::sender(const QString &clientId) const
{
    if (!onOwnThread("sender"))
        return nullptr;
    auto it = m_sessions.find(clientId);
    return it == m_sessions.end() ? nullptr : it->second->sender();
}

void SessionRegistry::pause(const QString &organizationId, const QString &clientId, const QString &reason)
{
    if (!onOwnThread("pause"))
        return;
    MessageSender *queue = sender(clientId);
    if (organizationId.isEmpty() || (queue && queue->isPaused()))
        return;
    if (queue)
        queue->setPaused(true);
    const qint64 now = m_clock.nowMs();
    // The client row shows it too (GET /api/clients/:id) while the page runs, as for every other
    // state change; the snapshot changes once the database has it.
    std::optional<SessionSnapshot> running;
    if (session(clientId)) {
        SessionSnapshot next;
        {
            QReadLocker lock(&m_lock);
            next = m_snapshots.value(clientId);
        }
        showPaused(next, organizationId, clientId, reason, now);
        running = next;
    }
    if (Status s = m_recorder.pause(organizationId, clientId, reason, running); !s)
        spdlog::error("client {}: could not store its pause (the queue stays stopped in memory): {}", clientId.toStdString(),
                      s.error().message.toStdString());
    spdlog::warn("client {}: paused: {}", clientId.toStdString(), reason.toStdString());
    {
        QWriteLocker lock(&m_lock);
        showPaused(m_snapshots[clientId], organizationId, clientId, reason, now);
    }
    emit snapshotChanged(clientId);
}

void SessionRegistry::resume(const QString &organizationId, const QString &clientId)
{
    if (!onOwnThread("resume"))
        return;
    const QString organization = organizationId.isEmpty() ? m_organizations.value(clientId) : organizationId;
    WaSession *page = session(clientId);
    std::optional<SessionSnapshot> running;
    if (page) {
        SessionSnapshot next;
        {
            QReadLocker lock(&m_lock);
            next = m_snapshots.value(clientId);
        }
        next.clientId = clientId;
        next.organizationId = organization;
        next.state = page->state();
        next.stateSince = m_clock.nowMs();
        next.lastError = page->lastError();
        running = next;
    }
    // An empty organization (a resume without one) leaves the stored flag alone.
    if (Status s = m_recorder.resume(organizationId, clientId, running); !s)
        spdlog::error("client {}: could not store its resume: {}", clientId.toStdString(), s.error().message.toStdString());
    if (MessageSender *queue = sender(clientId))
        queue->setPaused(false);
    if (running) {
        QWriteLocker lock(&m_lock);
        SessionSnapshot &snap = m_snapshots[clientId];
        snap.clientId = running->clientId;
        snap.organizationId = running->organizationId;
        snap.state = running->state;
        snap.stateSince = running->stateSince;
        snap.lastError = running->lastError;
    }
    emit snapshotChanged(clientId);
}

void SessionRegistry::reloadSettings(const QString &clientId)
{
    // A change of proxy (or of its credentials) takes effect at once: a waiting client tries
    // again, a running one restarts on its new route.
    if (m_waitingForProxy.contains(clientId)) {
        start(m_waitingForProxy.value(clientId), clientId);
        return;
    }
    if (m_proxies && m_sessions.count(clientId)) {
        const QString organizationId = m_organizations.value(clientId);
        Result<std::optional<ProxyService::ClientProxy>> now = m_proxies->proxyOfClient(organizationId, clientId);
        const QString proxyNow = now && now.value() ? now.value()->proxyId : QString();
        const std::optional<ProxyEndpoint> endpointNow = now && now.value() ? std::optional<ProxyEndpoint>(now.value()->endpoint)
                                                                          : std::nullopt;
        if (!now || m_egress->differsFrom(clientId, proxyNow, endpointNow)) {
            spdlog::info("client {}: its proxy changed; restarting its session on the new route", clientId.toStdString());
            stop(clientId);
            start(organizationId, clientId);
            return;
        }
    }
    MessageSender *queue = sender(clientId);
    const QString organizationId = m_organizations.value(clientId);
    if (!queue || organizationId.isEmpty())
        return;
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    Result<std::optional<ClientRecord>> record = clients.find(organizationId, clientId, ClientScope::all());
    if (!record)
        spdlog::error("client {}: cannot read its new settings: {}", clientId.toStdString(), record.error().message.toStdString());
    else if (record.value())
        queue->setTiers(clientSendTiers(*record.value(), m_messaging.defaultTiers));
    queue->wake();
}

void SessionRegistry::reconcileStuckSends()
{
    if (!onOwnThread("reconcileStuckSends"))
        return;
    // Once the event loop runs: after restoreAtStart, so that the clients coming back are known.
    QTimer::singleShot(0, this, [this]() { sweepStuckSends(); });
}

void SessionRegistry::sweepStuckSends(const QString &onlyClient)
{
    const qint64 now = m_clock.nowMs();
    SqlRunner sql(m_database);
    // What was `sending` before this registry existed waits for no answer here: no grace. Its
    // own millisecond included (a crash and a quick restart can share one); a row this registry's
    // senders claimed since is one they still answer for, and skipped below.
    const qint64 sendingBefore = std::max(now - SendReconciler::kGraceMs, m_stuckSendsSince);
    Result<QList<MessageRecord>> stuck = stuckSendsNotLeasedElsewhere(sql, sendingBefore, m_instanceId);
    if (!stuck) {
        spdlog::warn("cannot look for messages left `sending` ({}); looked again later", stuck.error().message.toStdString());
        return;
    }
    QHash<QString, QList<MessageRecord>> toReconcile; // clientId → its rows
    QList<MessageRecord> toFail;
    QHash<QString, bool> operatorStopped; // clientId → autostart off (read once per sweep)
    ClientRepository clients(sql);
    if (onlyClient.isEmpty()) {
        // Rows no longer stuck (or now another instance's) are forgotten.
        QSet<QString> current;
        for (const MessageRecord &m : stuck.value())
            current.insert(m.id);
        for (auto it = m_stuckSeenAt.begin(); it != m_stuckSeenAt.end();)
            it = current.contains(it.key()) ? std::next(it) : m_stuckSeenAt.erase(it);
    }
    for (const MessageRecord &m : stuck.value()) {
        if (!onlyClient.isEmpty() && m.clientId != onlyClient)
            continue;
        auto running = m_sessions.find(m.clientId);
        ClientRuntime *runtime = running == m_sessions.end() ? nullptr : running->second.get();
        if (runtime && runtime->sender() && runtime->sender()->answersFor(m.id))
            continue; // in flight, or its outcome waits for the database: the sender's
        const SessionState state = runtime ? runtime->session().state() : SessionState::Stopped;
        const qint64 seen = m_stuckSeenAt.value(m.id, now);
        m_stuckSeenAt.insert(m.id, seen);
        // Past the bound: its page did not come back here in time, or (ready) it never managed to
        // list the chat.
        const bool overdue = now - seen >= kStuckSendsBoundMs;
        if (state == SessionState::Ready && !overdue) {
            toReconcile[m.clientId] << m;
            continue;
        }
        if (state == SessionState::LoggedOut || overdue) {
            toFail << m; // a logged-out page and what it sent are gone
            continue;
        }
        if (!runtime && !m_waitingForProxy.contains(m.clientId)) {
            if (!operatorStopped.contains(m.clientId)) {
                Result<std::optional<ClientRecord>> c = clients.find(m.organizationId, m.clientId, ClientScope::all());
                operatorStopped.insert(m.clientId, c && (!c.value() || !c.value()->autostart));
            }
            if (operatorStopped.value(m.clientId))
                toFail << m; // nothing brings its page back by itself
        }
    }
    if (!toFail.isEmpty()) {
        Result<int> failed = failSendsAsInterrupted(m_database, &m_events, m_clock, toFail);
        if (!failed) {
            spdlog::error("messages left `sending` whose page is not back could not be failed: {}", failed.error().message.toStdString());
        } else {
            for (const MessageRecord &m : toFail) {
                m_stuckSeenAt.remove(m.id);
                spdlog::warn("message {} was being sent when WaDesk or its session stopped, and its page does not show it or is not back: "
                             "failed as interrupted (not resent)",
                             m.id.toStdString());
            }
        }
    }
    for (auto it = toReconcile.cbegin(); it != toReconcile.cend(); ++it) {
        const QString clientId = it.key();
        auto running = m_sessions.find(clientId); // the events published above may have stopped it
        if (running == m_sessions.end())
            continue;
        ClientRuntime *runtime = running->second.get();
        QPointer<WaSession> page(&runtime->session());
        m_reconciler->reconcile(clientId, it.value(), runtime->transport(), [this, page, clientId]() {
            return page && session(clientId) == page && page->state() == SessionState::Ready
                && (!m_leases || m_leases->holds(clientId));
        });
    }
}

int SessionRegistry::replayJournal()
{
    if (!onOwnThread("replayJournal") || !m_reports)
        return 0;
    return m_reports->replay();
}

int SessionRegistry::journalDepth() const
{
    return m_journal ? m_journal->depth() : -1;
}

QStringList SessionRegistry::runningClients() const
{
    if (!onOwnThread("runningClients"))
        return {};
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

void SessionRegistry::requestStop(const QString &organizationId, const QString &clientId)
{
    // On the main thread, hence after a start asked before it (which sets the flag).
    QMetaObject::invokeMethod(this, [this, organizationId, clientId]() {
        stop(clientId);
        setAutostart(organizationId, clientId, false);
    }, Qt::AutoConnection);
}

void SessionRegistry::requestLogout(const QString &organizationId, const QString &clientId)
{
    QMetaObject::invokeMethod(this, [this, organizationId, clientId]() {
        setAutostart(organizationId, clientId, false);
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

namespace {
constexpr int kPairingCodeTimeoutMs = 30000;

DomainError notLinkable(SessionState state)
{
    DomainError e = DomainError::conflict(
        QStringLiteral("The client cannot be linked now: it is %1 (a code is given only while it shows its QR code)")
            .arg(SessionStates::name(state)),
        QStringLiteral("client_not_linkable"));
    e.details.insert(QStringLiteral("status"), SessionStates::name(state));
    return e;
}
} // namespace

void SessionRegistry::requestPairingCode(const QString &clientId, const QString &phoneE164, PairingCodeDone done)
{
    QMetaObject::invokeMethod(this, [this, clientId, phoneE164, done = std::move(done)]() {
        WaSession *s = session(clientId);
        if (!s || s->state() != SessionState::Qr) {
            done(notLinkable(s ? s->state() : SessionState::Stopped));
            return;
        }
        // wa-js wants the number as digits, without the "+".
        const QString digits = phoneE164.startsWith(QLatin1Char('+')) ? phoneE164.mid(1) : phoneE164;
        QPointer<WaSession> guard(s);
        s->call(QStringLiteral("linkCode"), QJsonArray{digits, true},
                [guard, done, phoneE164](bool ok, const QJsonValue &result, const QString &error) {
                    if (ok && result.isString() && !result.toString().isEmpty()) {
                        done(result.toString());
                        return;
                    }
                    const SessionState state = guard ? guard->state() : SessionState::Stopped;
                    if (error.startsWith(QLatin1String("cannot_get_code_for_already_authenticated")) || state != SessionState::Qr
                        || error == QLatin1String("the session is not ready")) {
                        done(notLinkable(state == SessionState::Qr ? SessionState::Authenticating : state));
                        return;
                    }
                    if (error == QLatin1String("the page did not answer in time")) {
                        done(DomainError::unavailable(QStringLiteral("WhatsApp Web did not answer; try again"),
                                                      QStringLiteral("page_not_answering")));
                        return;
                    }
                    spdlog::warn("pairing code for {} refused: {}", phoneE164.toStdString(), error.left(200).toStdString());
                    done(DomainError::unprocessable(
                        QStringLiteral("WhatsApp gave no code for %1 (%2): check that this number uses WhatsApp")
                            .arg(phoneE164, ok ? QStringLiteral("no code") : error.left(200)),
                        QStringLiteral("phone_number_refused")));
                },
                kPairingCodeTimeoutMs);
    }, Qt::AutoConnection);
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

// --- Several instances on one PostgreSQL (leases) ---

void SessionRegistry::setLeases(SessionLeases *leases)
{
    if (!onOwnThread("setLeases"))
        return;
    m_leases = leases;
    m_instanceId = leases ? leases->instanceId() : QString();
    if (!leases) {
        m_recorder.setFences({});
        return;
    }
    m_recorder.setFences([leases](const QString &clientId) {
        return std::optional<LeaseFence>(leases->fence(clientId).value_or(LeaseFence{leases->instanceId(), 0}));
    });
    // Direct: the pages stop inside the deadline's check, before anything else runs.
    connect(leases, &SessionLeases::lost, this, &SessionRegistry::onLeasesLost, Qt::DirectConnection);
}

QString SessionRegistry::instanceId() const
{
    return m_instanceId;
}

void SessionRegistry::onLeasesLost(const QStringList &clientIds)
{
    for (const QString &clientId : clientIds) {
        m_waitingForProxy.remove(clientId);
        auto it = m_sessions.find(clientId);
        if (it != m_sessions.end()) {
            emit sessionAboutToStop(clientId);
            it = m_sessions.find(clientId);
        }
        if (it != m_sessions.end()) {
            std::unique_ptr<ClientRuntime> runtime = std::move(it->second);
            m_sessions.erase(it);
            runtime->stop(this);
            m_egress->release(clientId);
        }
        {
            // Its state is its new owner's to tell (read from the client's row).
            QWriteLocker lock(&m_lock);
            m_snapshots.remove(clientId);
        }
        emit snapshotChanged(clientId);
        emit sessionStopped(clientId);
    }
}

int SessionRegistry::readyCount() const
{
    QReadLocker lock(&m_lock);
    int n = 0;
    for (const SessionSnapshot &s : m_snapshots)
        n += ClientStatus::isReady(s.state) ? 1 : 0;
    return n;
}

QString SessionRegistry::waJsVersion() const
{
    QReadLocker lock(&m_lock);
    return m_reportedWaJsVersion.isEmpty() ? m_waJsVersion : m_reportedWaJsVersion;
}

} // namespace wadesk
