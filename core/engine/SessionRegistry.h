#pragma once

#include "core/common/Clock.h"
#include "core/sessions/EngineSettings.h"
#include "core/messaging/MessagingSettings.h"
#include "core/sessions/SessionControl.h"
#include "core/sessions/SessionRecorder.h"

#include <QHash>
#include <QObject>
#include <QReadWriteLock>
#include <QTimer>
#include <chrono>
#include <map>
#include <memory>

namespace wadesk {

class ClientEgress;
class ClientRuntime;
class Database;
struct Event;
class EgressProxy;
class EventBus;
class InboundProcessor;
class AutoReplyEngine;
class BrowserSnapshotStore;
class MediaLibrary;
class MessageSender;
class OutageJournal;
class OutboundAcks;
class PageReportJournal;
class ProxyService;
class SendReconciler;
class SessionLeases;
class WaSession;

// The running clients of this process: one ClientRuntime (page, transport, sender) per client,
// created, stopped and deleted only here, on the main thread; a snapshot per client that other
// threads read under a lock; and the requests other threads hand over (SessionControl). What a
// session's life leaves in the database (its state, the client.* events, pauses) is written by
// the SessionRecorder.
//
// Thread rule: the calls under "Main thread only" act on the pages and the senders and are
// refused (logged, nothing done: false / nullptr / empty) when made from any other thread; other
// threads use the SessionControl requests instead.
class SessionRegistry final : public QObject, public SessionControl {
    Q_OBJECT
public:
    SessionRegistry(Database &database, EventBus &events, EngineSettings settings, MessagingSettings messaging = {},
                    const Clock &clock = Clock::system(), QObject *parent = nullptr);
    ~SessionRegistry() override;

    // Main thread only (refused elsewhere, see above).
    // Where pages reach the network: WaDesk's forwarding proxy and the pool it routes through.
    // Without this call every page goes direct (tests of the engine alone). Before restoreAtStart.
    void setEgress(EgressProxy *forwarder, ProxyService *proxies);
    // A proxy of the pool died or came back (ProxyHealthMonitor): its clients stop and wait, move
    // to another proxy when their operator allowed it, or start again.
    void onProxyHealthChanged(const QString &proxyId, bool healthy, const QString &error);
    // The main thread's media library (not owned; it outlives the registry's sessions): the
    // senders read the files of media messages from it (without it they fail) and received
    // files are stored in it (without it messages are kept without their files). Before
    // restoreAtStart.
    void setMediaLibrary(MediaLibrary *media);
    // Browser-state snapshots (cluster/snapshots; not owned, it outlives the registry): a linked
    // session's profile is stored every `interval` (cluster/snapshotIntervalMinutes) while ready
    // and at each clean stop, and the latest is restored before a page opens when the profile did
    // not come from it; a logout removes the client's snapshots. Without this call nothing is
    // snapshotted. Before restoreAtStart.
    void setSnapshotStore(BrowserSnapshotStore *store, std::chrono::milliseconds interval);
    void restoreAtStart();
    bool start(const QString &organizationId, const QString &clientId, QString *error = nullptr);
    void stop(const QString &clientId);
    void stopAll();
    WaSession *session(const QString &clientId) const;
    MessageSender *sender(const QString &clientId) const;
    void pause(const QString &organizationId, const QString &clientId, const QString &reason);
    void resume(const QString &organizationId, const QString &clientId);
    // At start, before anything sends: messages left `sending` (a crash, a stop while the page
    // had not answered, a database outage) are looked at now and then every
    // kStuckSendsSweepMs by SendReconciler for each client ready here (also each time a
    // session becomes ready), those from before this registry at once, later ones after
    // SendReconciler::kGraceMs; a client that is logged out, stopped by its operator, or not ready
    // here within kStuckSendsBoundMs of a look finding its rows has them failed as interrupted,
    // never resent. Rows of
    // clients another live instance holds are left to it.
    void reconcileStuckSends();
    static constexpr int kStuckSendsSweepMs = 45 * 1000;
    static constexpr qint64 kStuckSendsBoundMs = 10 * 60 * 1000;
    QStringList runningClients() const;
    // What the pages reported while the database was away (<dataDir>/journal/), applied in
    // order; at start before any session runs (then every second by itself while it holds
    // any). Returns how many records were applied.
    int replayJournal();
    // Records waiting in the journal (any thread; -1 without a journal: no data directory).
    int journalDepth() const;

    // SessionControl: any thread.
    std::optional<SessionSnapshot> snapshot(const QString &clientId) const override;
    void requestStart(const QString &organizationId, const QString &clientId) override;
    void requestStop(const QString &organizationId, const QString &clientId) override;
    void requestLogout(const QString &organizationId, const QString &clientId) override;
    void requestRefreshQr(const QString &clientId) override;
    void requestPairingCode(const QString &clientId, const QString &phoneE164, PairingCodeDone done) override;
    void requestRemove(const QString &clientId) override;
    void requestWake(const QString &clientId) override;
    void requestReloadSettings(const QString &clientId) override;
    void requestPause(const QString &organizationId, const QString &clientId, const QString &reason) override;
    void requestResume(const QString &organizationId, const QString &clientId) override;
    int readyCount() const override;
    QString waJsVersion() const override;

    // --- Several instances on one PostgreSQL (leases; DESIGN §9) ---
    // Main thread, before restoreAtStart. From then on a session runs here only while this
    // instance holds its lease: start() acquires it first (refused, naming the owner, while
    // another live instance holds it), stop and remove release it, and a lease lost (not
    // renewed in time, taken over) stops its session at once without touching the client's
    // row (the new owner's). Without it (SQLite, engine tests) nothing is leased.
    void setLeases(SessionLeases *leases);
    QString instanceId() const;

signals:
    void sessionStarted(const QString &clientId);
    // Emitted while the session's page still exists, just before it is stopped and deleted (a
    // view showing the page lets go of it here).
    void sessionAboutToStop(const QString &clientId);
    void sessionStopped(const QString &clientId);
    void snapshotChanged(const QString &clientId);

private:
    // True on the registry's own (main) thread; otherwise logs the refused `call` and is false.
    bool onOwnThread(const char *call) const;
    void wire(WaSession *session, const QString &organizationId);
    void onStateChanged(WaSession *session, const QString &organizationId);
    // Another client of the organization with this number ("name" (id)), or empty. Two clients
    // of one organization cannot share a number (the clients table says so too).
    QString clientWithNumber(const QString &organizationId, const QString &clientId, const QString &phone);
    // The page linked a number another client has: the session stops, failed with a reason that
    // names that client, and does not start with the application.
    void refuseDuplicateNumber(const QString &organizationId, const QString &clientId, const QString &phone,
                               const QString &holder);
    void writeSnapshot(const SessionSnapshot &snapshot);
    void remove(const QString &clientId);
    void removeProfileDirectory(const QString &clientId, const QString &dir, int attempt);
    void reloadSettings(const QString &clientId);
    // Opens a started client's page; when the database holds a browser snapshot its profile did
    // not come from, restores it first on the store's thread and opens the page after that.
    bool restoreThenOpenPage(const QString &organizationId, const QString &clientId, QString *error);
    bool openPage(const QString &organizationId, const QString &clientId, QString *error);
    // Browser-state snapshots: one after a clean stop, and the periodic ones.
    void snapshotAfterStop(const QString &clientId, bool flushed);
    void snapshotReadySessions();
    qint64 snapshotSettleMs() const;
    // The operator's intent, read by restoreAtStart: start() sets it, an operator's stop or
    // logout clears it (a stop of this process's own, at quit or for a dead proxy, does not).
    void setAutostart(const QString &organizationId, const QString &clientId, bool autostart);
    // The client does not start (or stops) until its proxy is back: stored as disconnected with
    // the reason, and started again by onProxyHealthChanged or an operator's change.
    void waitForProxy(const QString &organizationId, const QString &clientId, const QString &reason);
    // The leases of these clients are gone: their pages stop now, nothing is written for them.
    void onLeasesLost(const QStringList &clientIds);
    // One look at the messages left `sending` (see reconcileStuckSends), of every client or of
    // `onlyClient`.
    void sweepStuckSends(const QString &onlyClient = QString());

    Database &m_database;
    EventBus &m_events;
    const Clock &m_clock;
    EngineSettings m_settings;
    QString m_waJsSource;
    QString m_waJsVersion;
    MessagingSettings m_messaging;
    SessionRecorder m_recorder;
    std::unique_ptr<AutoReplyEngine> m_autoReplies; // answers what m_inbound stores
    std::unique_ptr<InboundProcessor> m_inbound;
    std::unique_ptr<OutboundAcks> m_acks; // acks of every client's page, held until their message's id is known
    std::unique_ptr<SendReconciler> m_reconciler;
    QTimer m_stuckSendsTimer;
    qint64 m_stuckSendsSince = 0; // rows `sending` from before this registry need no grace
    // Stuck rows whose client was not ready here, and when a look first found them so: the bound
    // counts from then (a takeover after another instance's crash gets its chance to reconcile
    // rows that are old already).
    QHash<QString, qint64> m_stuckSeenAt;
    std::unique_ptr<OutageJournal> m_journal; // null without a data directory (or if it cannot be opened)
    std::unique_ptr<PageReportJournal> m_reports;
    MediaLibrary *m_media = nullptr;
    std::map<QString, std::unique_ptr<ClientRuntime>> m_sessions;
    QHash<QString, QString> m_organizations; // clientId -> organizationId
    std::unique_ptr<ClientEgress> m_egress;
    ProxyService *m_proxies = nullptr;
    QHash<QString, QString> m_waitingForProxy; // clientId -> organizationId
    // Browser-state snapshots: the store, the clients whose page was ready in this run (linked)
    // with when it first was, and the periodic timer.
    BrowserSnapshotStore *m_browserSnapshots = nullptr;
    QHash<QString, qint64> m_linkedClients; // clientId -> ready since (m_clock)
    QTimer m_browserSnapshotTimer;
    SessionLeases *m_leases = nullptr;         // several instances only; not owned
    QString m_instanceId;                      // m_leases' (empty without leases)

    mutable QReadWriteLock m_lock;
    QHash<QString, SessionSnapshot> m_snapshots;
    QString m_reportedWaJsVersion;
};

} // namespace wadesk
