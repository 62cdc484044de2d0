#pragma once

#include "core/common/Clock.h"
#include "core/sessions/EngineSettings.h"
#include "core/messaging/MessagingSettings.h"
#include "core/sessions/SessionControl.h"

#include <QHash>
#include <QObject>
#include <QReadWriteLock>
#include <map>
#include <memory>

namespace wadesk {

class Database;
struct Event;
class EventBus;
class InboundProcessor;
class MessageSender;
class WaSession;
class WaSessionTransport;

// Owns one WaSession per running client (the only owner: sessions are created, stopped and
// deleted here, on the main thread). Stores every state change on the client row, publishes
// client.* events, and keeps a snapshot per client that other threads read under a lock.
class SessionRegistry final : public QObject, public SessionControl {
    Q_OBJECT
public:
    SessionRegistry(Database &database, EventBus &events, EngineSettings settings, MessagingSettings messaging = {},
                    const Clock &clock = Clock::system(), QObject *parent = nullptr);
    ~SessionRegistry() override;

    // The wa-js bundle to inject: <dataDir>/wa-js/wppconnect-wa.js when present, else the embedded one.
    static QString loadWaJsBundle(const QString &dataDir, QString *version, QString *origin);

    // Main thread.
    void restoreAtStart();
    bool start(const QString &organizationId, const QString &clientId, QString *error = nullptr);
    void stop(const QString &clientId);
    void stopAll();
    WaSession *session(const QString &clientId) const;
    MessageSender *sender(const QString &clientId) const;
    void pause(const QString &organizationId, const QString &clientId, const QString &reason);
    void resume(const QString &organizationId, const QString &clientId);
    // After a crash: messages that were being sent are failed as interrupted, never resent.
    void failInterruptedSends();
    QStringList runningClients() const;

    // SessionControl: any thread.
    std::optional<SessionSnapshot> snapshot(const QString &clientId) const override;
    void requestStart(const QString &organizationId, const QString &clientId) override;
    void requestStop(const QString &clientId) override;
    void requestLogout(const QString &clientId) override;
    void requestRefreshQr(const QString &clientId) override;
    void requestRemove(const QString &clientId) override;
    void requestWake(const QString &clientId) override;
    void requestReloadSettings(const QString &clientId) override;
    void requestPause(const QString &organizationId, const QString &clientId, const QString &reason) override;
    void requestResume(const QString &organizationId, const QString &clientId) override;
    int readyCount() const override;
    QString waJsVersion() const override;

signals:
    void sessionStarted(const QString &clientId);
    // Emitted while the session's page still exists, just before it is stopped and deleted (a
    // view showing the page lets go of it here).
    void sessionAboutToStop(const QString &clientId);
    void sessionStopped(const QString &clientId);
    void snapshotChanged(const QString &clientId);

private:
    void wire(WaSession *session, const QString &organizationId);
    void onStateChanged(WaSession *session, const QString &organizationId);
    void writeSnapshot(const SessionSnapshot &snapshot);
    void persistState(const SessionSnapshot &snapshot, std::optional<bool> linked);
    void remove(const QString &clientId);
    void removeProfileDirectory(const QString &clientId, const QString &dir, int attempt);

    Database &m_database;
    EventBus &m_events;
    const Clock &m_clock;
    EngineSettings m_settings;
    QString m_waJsSource;
    QString m_waJsVersion;
    // One runtime per running client, destroyed sender → transport → session.
    struct Runtime {
        std::unique_ptr<WaSession> session;
        std::unique_ptr<WaSessionTransport> transport;
        std::unique_ptr<MessageSender> sender;
        Runtime();
        Runtime(Runtime &&) noexcept;
        ~Runtime();
    };
    void reloadSettings(const QString &clientId);
    // Records a client.* event durably (with its webhook deliveries) and publishes it.
    void recordEvent(const Event &event);
    MessagingSettings m_messaging;
    std::unique_ptr<InboundProcessor> m_inbound;
    std::map<QString, Runtime> m_sessions;
    QHash<QString, QString> m_organizations; // clientId -> organizationId

    mutable QReadWriteLock m_lock;
    QHash<QString, SessionSnapshot> m_snapshots;
    QString m_reportedWaJsVersion;
};

} // namespace wadesk
