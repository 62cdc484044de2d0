#pragma once

#include "core/config/AppConfig.h"
#include "core/config/MaintenanceCommand.h"

#include "core/services/ServiceGraph.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QStringList>
#include <memory>

class QApplication;
class QLockFile;

namespace wadesk {

class ApiService;
class ForwardedSessions;
class DeliveryService;
class EgressProxy;
class ProxyHealthMonitor;
class ProxyService;
class RetentionService;
class CampaignScheduler;
class EventBus;
class MediaService;
class SessionRegistry;
class InstanceHeartbeat;
class LeaseTakeover;
class SessionLeases;
class AesGcm;
class BrowserSnapshotStore;
class Database;
class DesktopContext;
class DesktopShell;
class SingleInstance;
class UnixSignals;

// Builds and wires the services for one run of WaDesk, GUI or headless, and tears them down in
// reverse order. The one owner of the object graph: everything below receives what it needs in
// its constructor.
class Application {
public:
    Application(AppConfig config, QProcessEnvironment env);
    ~Application();

    // The command line as given (program name first): the configuration is read again from it
    // after the first-run wizard has written the settings file.
    void setArguments(QStringList arguments) { m_arguments = std::move(arguments); }
    // The listening socket main() bound for WaDesk's forwarding proxy before Chromium was told to
    // use it (EgressProxy::prepareForChromium); -1 when that failed.
    void setEgressSocket(int fd) { m_egressSocket = fd; }

    // Runs until quit; returns the process exit code (see ExitCodes.h).
    int run(QApplication &app);
    // `wadesk --verify-audit`: checks every organization's audit chain (read-only) and prints
    // the verdict; exit code 0 when intact, 1 when broken.
    int verifyAudit();
    // `wadesk backup | restore | import-v1`: runs the command once (QCoreApplication only) and
    // returns its exit code. It takes no lock: a backup runs beside a running WaDesk.
    int runCommand(const MaintenanceCommand &command);

private:
    int fail(int code, const QString &message);
    int startServices();
    void stopServices();
    // GUI on a fresh data directory: the first-run wizard. Finished: the settings file and the
    // organization exist and the configuration was read again; Cancelled: nothing was written;
    // Failed: `exitCode` says why.
    enum class FirstRun { Finished, Cancelled, Failed };
    FirstRun runFirstRun(int *exitCode);
    void startDesktop(QApplication &app);

    AppConfig m_config;
    QProcessEnvironment m_env;
    QStringList m_arguments;
    std::unique_ptr<SingleInstance> m_instance;
    std::unique_ptr<QLockFile> m_lock;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<AesGcm> m_cipher;
    std::unique_ptr<EventBus> m_events;
    int m_egressSocket = -1;
    std::unique_ptr<EgressProxy> m_egress;
    std::unique_ptr<ProxyService> m_proxies;
    std::unique_ptr<MediaService> m_media; // the main thread's (senders, received files)
    std::unique_ptr<ProxyHealthMonitor> m_proxyMonitor;
    std::unique_ptr<BrowserSnapshotStore> m_browserSnapshots; // linked profiles in the database (cluster/snapshots)
    std::unique_ptr<SessionRegistry> m_sessions;
    std::unique_ptr<ForwardedSessions> m_forwarded; // PostgreSQL: requests for sessions other instances drive go to them
    // Several instances on one PostgreSQL: this instance's row, its session leases, the takeover.
    std::unique_ptr<InstanceHeartbeat> m_heartbeat;
    std::unique_ptr<SessionLeases> m_leases;
    std::unique_ptr<LeaseTakeover> m_takeover;
    std::unique_ptr<ApiService> m_api;
    std::unique_ptr<DeliveryService> m_deliveries;
    std::unique_ptr<RetentionService> m_retention;
    std::unique_ptr<CampaignScheduler> m_campaigns;
    std::unique_ptr<UnixSignals> m_signals;
    std::unique_ptr<DesktopContext> m_context;
    std::unique_ptr<DesktopShell> m_shell;
    SharedServices m_shared; // what every thread's ServiceGraph is built over
    QString m_secretsDescription;
    bool m_loggingReady = false;
};

} // namespace wadesk
