#pragma once

#include "engine/EngineSettings.h"
#include "sessions/SessionControl.h"

#include <QHash>
#include <QObject>
#include <QReadWriteLock>
#include <map>
#include <memory>

namespace wadesk {

class Database;
class EventBus;
class WaSession;

// Owns one WaSession per running client (the only owner: sessions are created, stopped and
// deleted here, on the main thread). Stores every state change on the client row, publishes
// client.* events, and keeps a snapshot per client that other threads read under a lock.
class SessionRegistry final : public QObject, public SessionControl {
    Q_OBJECT
public:
    SessionRegistry(Database &database, EventBus &events, EngineSettings settings, QObject *parent = nullptr);
    ~SessionRegistry() override;

    // The wa-js bundle to inject: <dataDir>/wa-js/wppconnect-wa.js when present, else the embedded one.
    static QString loadWaJsBundle(const QString &dataDir, QString *version, QString *origin);

    // Main thread.
    void restoreAtStart();
    bool start(const QString &organizationId, const QString &clientId, QString *error = nullptr);
    void stop(const QString &clientId);
    void stopAll();
    WaSession *session(const QString &clientId) const;
    QStringList runningClients() const;

    // SessionControl: any thread.
    std::optional<SessionSnapshot> snapshot(const QString &clientId) const override;
    void requestStart(const QString &organizationId, const QString &clientId) override;
    void requestLogout(const QString &clientId) override;
    void requestRefreshQr(const QString &clientId) override;
    void requestRemove(const QString &clientId) override;
    int readyCount() const override;
    QString waJsVersion() const override;

signals:
    void sessionStarted(const QString &clientId);
    void sessionStopped(const QString &clientId);
    void snapshotChanged(const QString &clientId);

private:
    void wire(WaSession *session, const QString &organizationId);
    void onStateChanged(WaSession *session, const QString &organizationId);
    void writeSnapshot(const SessionSnapshot &snapshot);
    void persistState(const SessionSnapshot &snapshot, std::optional<bool> linked);
    void remove(const QString &clientId);

    Database &m_database;
    EventBus &m_events;
    EngineSettings m_settings;
    QString m_waJsSource;
    QString m_waJsVersion;
    std::map<QString, std::unique_ptr<WaSession>> m_sessions;
    QHash<QString, QString> m_organizations; // clientId -> organizationId

    mutable QReadWriteLock m_lock;
    QHash<QString, SessionSnapshot> m_snapshots;
    QString m_reportedWaJsVersion;
};

} // namespace wadesk
