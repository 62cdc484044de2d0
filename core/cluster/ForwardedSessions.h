#pragma once

#include "core/cluster/ClusterSettings.h"
#include "core/cluster/SessionOwners.h"
#include "core/sessions/SessionControl.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QReadWriteLock>
#include <QTimer>
#include <functional>

namespace wadesk {

class Database;

// SessionControl for an instance among several on one PostgreSQL (DESIGN §9): a request for a
// client whose live lease another instance holds is written to session_commands for that owner
// instead of being run here, and the commands written for this instance are run on its own
// sessions. A start for a client nobody drives goes to its pinned instance, else to the live
// instance with the fewest sessions (SessionOwners::placementOf). Requests for a client nobody owns, or this instance owns, go to the local engine
// as before. A pairing code comes back through the command's result, with a bounded wait (504
// instance_timeout when the owner does not answer in time).
//
// Threads: requests may be made on any thread (each asks the database on its own connection);
// poll() runs on the thread that owns this object (the main thread, the engine's), where the
// commands run and where every PairingCodeDone is called, as SessionControl promises.
class ForwardedSessions final : public QObject, public SessionControl {
    Q_OBJECT
public:
    // This instance's own engine: its SessionControl and what a hand-over needs beyond it.
    struct Local {
        SessionControl *control = nullptr;
        std::function<QStringList()> runningClients;
        // Stops a session without changing the operator's intent (it starts again elsewhere).
        std::function<void(const QString &clientId)> stopForHandOver;
    };

    ForwardedSessions(Database &database, Local local, ClusterSettings settings, QObject *parent = nullptr);
    ~ForwardedSessions() override;

    const QString &instanceId() const { return m_settings.instanceId; }
    // Polls every cluster.commandPollMs from now on.
    void start();
    // One round: runs this instance's commands, answers the requests whose results came back or
    // whose wait ran out, refreshes what is known of the sessions other instances drive, and, on
    // a draining instance, hands one session over.
    void poll();
    // How long a forwarded pairing code is waited for (15 s).
    void setReplyTimeoutMs(int ms) { m_replyTimeoutMs = ms; }
    // The client's session stops where it runs and its lease is released, so that another instance
    // (its pinned one) takes it. Nothing happens when no instance drives it.
    Status requestHandOver(const QString &clientId);

    // SessionControl.
    std::optional<SessionSnapshot> snapshot(const QString &clientId) const override;
    void requestStart(const QString &organizationId, const QString &clientId) override;
    void requestStop(const QString &organizationId, const QString &clientId) override;
    void requestLogout(const QString &organizationId, const QString &clientId) override;
    void requestRefreshQr(const QString &clientId) override;
    void requestPairingCode(const QString &clientId, const QString &phoneE164, PairingCodeDone done) override;
    void requestQrCode(const QString &clientId, QrCodeDone done) override;
    void requestRemove(const QString &clientId) override;
    void requestWake(const QString &clientId) override;
    void requestReloadSettings(const QString &clientId) override;
    void requestPause(const QString &organizationId, const QString &clientId, const QString &reason) override;
    void requestResume(const QString &organizationId, const QString &clientId) override;
    int readyCount() const override;
    QString waJsVersion() const override;

signals:
    // The sessions other instances drive (or their states) changed: lists redraw.
    void remoteSessionsChanged();

private:
    // The owner when it is another instance (empty: run here). A database that cannot say runs
    // the request here, as without a cluster.
    QString ownerElsewhere(const QString &clientId) const;
    // Writes the command for the client's owner elsewhere; false when it is to run here.
    bool forward(const QString &clientId, const QString &command, const QJsonObject &payload = {});
    void runCommands();
    void run(const QString &commandId, const QString &clientId, const QString &command, const QJsonObject &payload);
    void answerWaiting();
    void refreshRemote();
    void drainOne();
    void handOverHere(const QString &clientId);

    // A request waiting for its command's result: the result object, or the error it names.
    using ResultDone = std::function<void(Result<QJsonObject>)>;
    void await(const QString &clientId, const QString &owner, const QString &command, const QJsonObject &payload, ResultDone done);

    struct Waiting {
        ResultDone done;
        QDeadlineTimer deadline;
    };

    Database &m_database;
    Local m_local;
    ClusterSettings m_settings;
    int m_replyTimeoutMs = 15000;
    QTimer m_timer;
    int m_rounds = 0;

    mutable QMutex m_waitingMutex;
    QHash<QString, Waiting> m_waiting; // command id -> the request waiting for its result

    mutable QReadWriteLock m_remoteLock;
    QHash<QString, SessionOwners::RemoteSession> m_remote; // client id -> its session elsewhere
    // Sessions this instance asked another to start, shown as starting there until its lease
    // appears (or the ask is given up on).
    struct Placed {
        SessionOwners::RemoteSession session;
        QDeadlineTimer until;
    };
    QHash<QString, Placed> m_placed;
};

} // namespace wadesk
