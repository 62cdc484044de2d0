#include "app/Application.h"

#include "app/ExitCodes.h"
#include "app/MaintenanceCommands.h"
#include "app/UnixSignals.h"
#include "core/api/ApiService.h"
#include "core/audit/AuditLog.h"
#include "core/auth/JwtKeyStore.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventBus.h"
#include "core/common/Version.h"
#include "core/engine/EngineInfo.h"
#include "core/engine/SessionRegistry.h"
#include "core/network/EgressProxy.h"
#include "core/proxies/ProxyHealthMonitor.h"
#include "core/proxies/ProxyService.h"
#include "core/webhooks/DeliveryService.h"
#include "core/webhooks/DeliveryWorker.h"
#include "core/retention/RetentionService.h"
#include "core/campaigns/CampaignScheduler.h"
#include "core/cluster/ForwardedSessions.h"
#include "core/cluster/InstanceHeartbeat.h"
#include "core/leases/LeaseOwners.h"
#include "core/cluster/LeaseTakeover.h"
#include "core/cluster/SessionLeases.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/media/MediaService.h"
#include "core/db/SettingsRepository.h"
#include "core/log/Logging.h"
#include "core/config/ConfigLoader.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/firstrun/FirstRunSetup.h"
#include "ui/firstrun/FirstRunWizard.h"
#include "ui/shell/DesktopShell.h"
#include "ui/shell/SingleInstance.h"
#include "core/secrets/AesGcm.h"
#include "core/cluster/BrowserSnapshotStore.h"
#include "core/secrets/MasterKeyCheck.h"
#include "core/secrets/SecretStoreSelector.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QHostInfo>
#include <QLockFile>
#include <QUrl>
#include <cstdio>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
// Where this machine reaches its own API: an any-address bind is reached on loopback, and an
// IPv6 address needs its brackets (QUrl adds them).
QString localApiAddress(const QString &bindAddress, quint16 port)
{
    QString host = bindAddress;
    const QHostAddress address(bindAddress);
    if (address == QHostAddress::AnyIPv4 || address == QHostAddress::Any)
        host = QStringLiteral("127.0.0.1");
    else if (address == QHostAddress::AnyIPv6)
        host = QStringLiteral("::1");
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(host);
    url.setPort(port);
    return url.toString();
}
} // namespace

Application::Application(AppConfig config, QProcessEnvironment env)
    : m_config(std::move(config))
    , m_env(std::move(env))
{
}

int Application::verifyAudit()
{
    const QString location = m_config.database.isEmpty() ? QStringLiteral("wadesk.db") : m_config.database;
    Result<DatabaseUrl> url = DatabaseUrl::parse(location, m_config.dataDir);
    if (!url)
        return fail(ExitCode::InvalidOption, QStringLiteral("--db: %1").arg(url.error().message));
    Database database(url.value());
    SqlRunner sql(database);
    AuditLog audit(sql);
    Result<AuditLog::Verification> v = audit.verify();
    if (!v)
        return fail(ExitCode::RuntimeFailure, QStringLiteral("cannot read the audit log of %1").arg(database.url().describe()));
    if (!v.value().intact) {
        std::printf("audit log BROKEN in organization %s at entry %s (seq %lld): %s\n",
                    qPrintable(v.value().organizationId), qPrintable(v.value().firstBadEntryId),
                    static_cast<long long>(v.value().seq), qPrintable(v.value().reason));
        return ExitCode::RuntimeFailure;
    }
    std::printf("audit log intact: %d entries in %d organization(s)\n", v.value().entries, v.value().organizations);
    return ExitCode::Ok;
}

int Application::runCommand(const MaintenanceCommand &command)
{
    return MaintenanceCommands::run(command, m_config, m_env);
}

Application::~Application()
{
    stopServices();
}

int Application::fail(int code, const QString &message)
{
    std::fprintf(stderr, "wadesk: %s\n", message.toLocal8Bit().constData());
    if (m_loggingReady)
        spdlog::error("{}", message.toStdString());
    return code;
}

int Application::run(QApplication &app)
{
    QElapsedTimer startClock;
    startClock.start();
    if (!m_config.headless) {
        // One desktop per data directory: a second launch brings the first one to the front.
        m_instance = std::make_unique<SingleInstance>(m_config.dataDir);
        if (m_instance->notifyRunning()) {
            std::fprintf(stderr, "wadesk: WaDesk is already running for the data directory %s: its window was brought to the front\n",
                         m_config.dataDir.toLocal8Bit().constData());
            return ExitCode::Ok;
        }
    }
    const bool existed = QDir(m_config.dataDir).exists();
    if (!QDir().mkpath(m_config.dataDir))
        return fail(ExitCode::RuntimeFailure, QStringLiteral("cannot create the data directory %1").arg(m_config.dataDir));
    if (!existed) // it will hold the database, keys and session profiles: owner only
        QFile::setPermissions(m_config.dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    m_lock = std::make_unique<QLockFile>(QDir(m_config.dataDir).filePath(QStringLiteral("wadesk.lock")));
    m_lock->setStaleLockTime(0); // stale only when the owning process is gone
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host;
        QString app;
        m_lock->getLockInfo(&pid, &host, &app);
        return fail(ExitCode::AlreadyRunning, QStringLiteral("WaDesk is already running for the data directory %1 (pid %2)")
                                                  .arg(m_config.dataDir)
                                                  .arg(pid));
    }
    if (m_instance)
        m_instance->listen();

    if (!m_config.headless && FirstRunSetup::isFirstRun(m_config)) {
        m_signals = std::make_unique<UnixSignals>(); // SIGINT/SIGTERM cancel the wizard
        int exitCode = ExitCode::Ok;
        switch (runFirstRun(&exitCode)) {
        case FirstRun::Finished:
            break;
        case FirstRun::Cancelled:
            m_lock.reset();
            if (!existed)
                QDir().rmdir(m_config.dataDir); // only when still empty: nothing was written
            return ExitCode::Ok;
        case FirstRun::Failed:
            return exitCode;
        }
    }

    LogOptions logOptions;
    logOptions.level = m_config.logLevel;
    logOptions.json = m_config.logJson;
    logOptions.directory = QDir(m_config.dataDir).filePath(QStringLiteral("logs"));
    const Status logging = Logging::setup(logOptions);
    if (!logging)
        return fail(ExitCode::RuntimeFailure, logging.error().message);
    m_loggingReady = true;

    spdlog::info("WaDesk {} starting ({} mode, Qt {}, data directory {})", kVersion,
                 m_config.headless ? "headless" : "desktop", qVersion(), m_config.dataDir.toStdString());

    const int started = startServices();
    if (started != ExitCode::Ok)
        return started;
    spdlog::info("started in {} ms", startClock.elapsed());

    m_signals.reset(); // the first run's, if any: these log
    m_signals = std::make_unique<UnixSignals>();
    QObject::connect(m_signals.get(), &UnixSignals::terminationRequested, &app, [&app](int signalNumber) {
        spdlog::info("signal {} received: shutting down", signalNumber);
        app.quit();
    });

    if (!m_config.headless)
        startDesktop(app);

    const int code = app.exec();
    stopServices();
    spdlog::info("stopped");
    Logging::shutdown();
    return code;
}

Application::FirstRun Application::runFirstRun(int *exitCode)
{
    FirstRunWizard::Options options;
    options.dataDir = m_config.dataDir;
    options.settingsFile = m_config.settingsFile;
    options.defaultDataDir = ConfigLoader::defaultDataDir();
    options.passwordCost = m_config.services.auth.passwordCost;
    options.bindAddress = m_config.api.bindAddress;
    options.port = m_config.api.port > 0 ? m_config.api.port : 3002;
    options.masterKeyInEnvironment = !m_env.value(QStringLiteral("WADESK_MASTER_KEY")).isEmpty();
    std::fprintf(stderr, "wadesk: first run on %s: showing the setup wizard\n", m_config.dataDir.toLocal8Bit().constData());
    FirstRunWizard wizard(options);
    if (m_signals) {
        // Like Cancel: nothing written, the lock released (ignored while Finish is applying).
        QObject::connect(m_signals.get(), &UnixSignals::terminationRequested, &wizard, [&wizard](int signalNumber) {
            std::fprintf(stderr, "wadesk: signal %d received: leaving the setup\n", signalNumber);
            wizard.reject();
        });
    }
    if (m_instance) {
        QObject::connect(m_instance.get(), &SingleInstance::raiseRequested, &wizard, [&wizard]() {
            wizard.show();
            wizard.raise();
            wizard.activateWindow();
        });
    }
    if (wizard.exec() != QDialog::Accepted || !wizard.registration()) {
        std::fprintf(stderr, "wadesk: first-run setup cancelled; nothing was written\n");
        return FirstRun::Cancelled;
    }
    // The settings file exists now: read the configuration again (command line and environment
    // still take precedence over it).
    const bool headless = m_config.headless;
    auto loaded = ConfigLoader::load(m_arguments.isEmpty() ? QStringList{QStringLiteral("wadesk")} : m_arguments, m_env,
                                     m_config.settingsFile);
    if (!loaded) {
        *exitCode = fail(ExitCode::InvalidOption, loaded.error().message);
        return FirstRun::Failed;
    }
    const QString dataDir = m_config.dataDir;
    m_config = loaded.value().config;
    m_config.headless = headless;
    m_config.dataDir = dataDir; // the one this run has locked
    m_config.engine.dataDir = dataDir;
    FirstRunWizard::showCompletion(nullptr, *wizard.registration());
    return FirstRun::Finished;
}

void Application::startDesktop(QApplication &app)
{
    DesktopContext::Facts facts;
    facts.apiAddress = localApiAddress(m_config.api.bindAddress, m_api->port());
    facts.database = m_database->url().describe();
    facts.secrets = m_secretsDescription;
    facts.dataDir = m_config.dataDir;
    facts.settingsFile = m_config.settingsFile;
    m_context = std::make_unique<DesktopContext>(m_shared, m_config.services, *m_sessions, facts);
    m_context->setProxyMonitor(m_proxyMonitor.get());
    m_context->setCluster(m_forwarded.get());
    DesktopShell::Options options;
    options.settingsFile = m_config.settingsFile;
    m_shell = std::make_unique<DesktopShell>(*m_context, options);
    app.setQuitOnLastWindowClosed(false); // the shell decides: Quit, or the last window closed without a tray
    QObject::connect(m_shell.get(), &DesktopShell::quitRequested, &app, &QApplication::quit, Qt::QueuedConnection);
    if (m_instance)
        QObject::connect(m_instance.get(), &SingleInstance::raiseRequested, m_shell.get(), &DesktopShell::showFront);
    m_shell->start();
}

int Application::startServices()
{
    const QString location = m_config.database.isEmpty() ? QStringLiteral("wadesk.db") : m_config.database;
    Result<DatabaseUrl> url = DatabaseUrl::parse(location, m_config.dataDir);
    if (!url)
        return fail(ExitCode::InvalidOption, QStringLiteral("--db: %1").arg(url.error().message));
    m_database = std::make_unique<Database>(url.value());
    spdlog::info("database: {}", m_database->url().describe().toStdString());

    Migrator migrator(*m_database, Migrator::embeddedDirectory(m_database->url().dialectName()));
    const Result<int> migrated = migrator.migrate();
    if (!migrated)
        return fail(ExitCode::RuntimeFailure,
                    QStringLiteral("cannot prepare the database (%1): %2").arg(m_database->url().describe(), migrated.error().message));

    const int keychainTimeoutMs = m_config.headless ? 5000 : 30000;
    Result<SecretStoreChoice> choice = SecretStoreSelector::select(m_config.secretsBackend, m_config.dataDir, m_env,
                                                                   keychainTimeoutMs);
    if (!choice)
        return fail(ExitCode::RuntimeFailure, choice.error().message);
    SecretStore &store = *choice.value().store;
    Result<QByteArray> masterKey = store.loadOrCreateMasterKey();
    if (!masterKey)
        return fail(ExitCode::RuntimeFailure, masterKey.error().message);
    m_secretsDescription = store.description();
    if (store.backend() == QLatin1String("file"))
        spdlog::warn("secrets: {} ({})", m_secretsDescription.toStdString(), choice.value().reason.toStdString());
    else
        spdlog::info("secrets: {} ({})", m_secretsDescription.toStdString(), choice.value().reason.toStdString());
    SettingsRepository settings(*m_database);
    const Status keyCheck = MasterKeyCheck::verifyOrRecord(settings, masterKey.value(), store.description());
    if (!keyCheck)
        return fail(ExitCode::RuntimeFailure, keyCheck.error().message);
    m_cipher = std::make_unique<AesGcm>(masterKey.value());

    SettingsRepository settingsForJwt(*m_database);
    Result<QByteArray> jwtKey = JwtKeyStore::loadOrCreate(settingsForJwt, *m_cipher);
    if (!jwtKey)
        return fail(ExitCode::RuntimeFailure, jwtKey.error().message);

    m_events = std::make_unique<EventBus>();
    if (!m_config.engine.injectWaJs)
        spdlog::warn("whatsapp/injectWaJs is off: sessions expect {} to provide window.WPP itself",
                     m_config.engine.url.toString().toStdString());
    const ServiceSettings &services = m_config.services;
    if (services.messaging.pacing.isOff())
        spdlog::warn("messaging/pacing is off: messages go out without typing time or pauses");
    if (services.webhooks.delivery.allowPrivateTargets)
        spdlog::warn("webhooks/allowPrivateTargets is on: webhooks may target this machine and private networks");
    if (services.auth.passwordCost == PasswordHasher::Cost::Minimal)
        spdlog::warn("auth/passwordHashCost is 'min': passwords are hashed with test-only strength");
    // One clock for every service and worker of this process (SharedServices::clock).
    const Clock &clock = *m_shared.clock;
    m_sessions = std::make_unique<SessionRegistry>(*m_database, *m_events, m_config.engine, services.messaging, clock);
    // Linked sessions' browser state in the database, so another instance opens them without a QR.
    if (BrowserSnapshotStore::enabledFor(m_config.cluster, m_database->isPostgres())) {
        BrowserSnapshotStore::Settings snapshots;
        snapshots.instanceId = m_config.cluster.instanceId;
        snapshots.maxMegabytes = m_config.cluster.snapshotMaxMegabytes;
        snapshots.kept = m_config.cluster.snapshotsKept;
        m_browserSnapshots = std::make_unique<BrowserSnapshotStore>(*m_database, *m_cipher, snapshots, clock);
        m_sessions->setSnapshotStore(m_browserSnapshots.get(), std::chrono::minutes(m_config.cluster.snapshotIntervalMinutes));
        spdlog::info("browser snapshots: on (every {} min while ready, at each clean stop; {} kept per client)",
                     m_config.cluster.snapshotIntervalMinutes, m_config.cluster.snapshotsKept);
    }
    // What the pages reported during a database outage before a crash goes in first (in order),
    // so that a send whose outcome it holds is not taken for interrupted.
    m_sessions->replayJournal();
    // --- Several instances on one PostgreSQL: this instance's row and its session leases ---
    if (m_database->isPostgres()) {
        const ClusterSettings &cluster = m_config.cluster;
        InstanceHeartbeat::Identity identity{cluster.instanceId, QHostInfo::localHostName(), QString::fromLatin1(kVersion),
                                             QDir(m_config.dataDir).filePath(QStringLiteral("instance-row"))};
        const SessionLeases::Timing timing = SessionLeases::timingOf(cluster);
        m_leases = std::make_unique<SessionLeases>(*m_database, cluster.instanceId, timing);
        SessionLeases *leases = m_leases.get();
        m_heartbeat = std::make_unique<InstanceHeartbeat>(*m_database, identity, timing.leaseMs, timing.renewMs,
                                                          [leases]() { return leases->heldCount(); });
        if (Status s = m_heartbeat->start(); !s) {
            m_heartbeat.reset();
            m_leases.reset();
            return fail(s.error().code == QLatin1String("instance_id_in_use") ? ExitCode::AlreadyRunning : ExitCode::RuntimeFailure,
                        s.error().message);
        }
        spdlog::info("instance {}: sessions are leased for {} s, renewed every {} s", cluster.instanceId.toStdString(),
                     cluster.leaseSeconds, cluster.renewSeconds);
        setThisInstanceId(cluster.instanceId); // before the API's threads, which name owners
        m_sessions->setLeases(leases);
        m_leases->start();
        SessionRegistry *registry = m_sessions.get();
        m_takeover = std::make_unique<LeaseTakeover>(*m_database, *leases, [registry](const QString &organizationId, const QString &clientId) {
            return registry->start(organizationId, clientId);
        });
    }
    // Before anything sends: what was being sent when WaDesk last stopped is reconciled with its
    // page once that is ready here (failed as interrupted when it cannot be), never resent.
    m_sessions->reconcileStuckSends();
    // Each page reaches WhatsApp through WaDesk's forwarding proxy, directly or through its own
    // proxy of the pool (docs/proxies.md); the pool's health decides which sessions may run.
    if (m_egressSocket >= 0) {
        m_egress = std::make_unique<EgressProxy>(m_egressSocket);
        m_egressSocket = -1; // the proxy owns it now
        if (!m_egress->isListening())
            spdlog::error("the forwarding proxy could not take its socket: clients with a proxy will wait");
    } else {
        spdlog::warn("no forwarding proxy: sessions go direct and clients with a proxy wait (see the log above)");
    }
    m_proxies = std::make_unique<ProxyService>(*m_database, *m_cipher, *m_events, clock);
    m_sessions->setEgress(m_egress.get(), m_proxies.get());
    m_proxyMonitor = std::make_unique<ProxyHealthMonitor>(*m_proxies, m_config.proxies);
    QObject::connect(m_proxyMonitor.get(), &ProxyHealthMonitor::healthChanged, m_sessions.get(), &SessionRegistry::onProxyHealthChanged);
    if (m_egress) {
        ProxyHealthMonitor *monitor = m_proxyMonitor.get();
        // A tunnel that fails is news before the next round of checks: check that proxy now.
        QObject::connect(m_egress.get(), &EgressProxy::upstreamFailed, monitor,
                         [monitor](const QString &, const QString &proxyId, const QString &) {
                             if (!proxyId.isEmpty())
                                 monitor->checkNow(proxyId);
                         });
    }
    m_proxyMonitor->start();

    // Uploads a killed process left half-written, and files no stored media names any more.
    const int swept = MediaService::sweepOrphans(*m_database, m_config.services.media.directory);
    if (swept > 0)
        spdlog::info("media: removed {} leftover files", swept);
    // The main thread's media store: the senders read files from it, received files go into it.
    m_media = std::make_unique<MediaService>(*m_database, services.media, m_events.get(), clock);
    m_sessions->setMediaLibrary(m_media.get());

    m_shared.database = m_database.get();
    m_shared.jwtKey = jwtKey.value();
    m_shared.cipher = m_cipher.get();
    m_shared.events = m_events.get();
    m_shared.sessions = m_sessions.get();
    // Several instances on one PostgreSQL: every service (the API's, the desktop's) asks through
    // the forwarder, which sends what concerns another instance's sessions to that instance.
    if (m_database->isPostgres()) {
        SessionRegistry *registry = m_sessions.get();
        ForwardedSessions::Local local;
        local.control = registry;
        local.runningClients = [registry]() { return registry->runningClients(); };
        local.stopForHandOver = [registry](const QString &clientId) { registry->stop(clientId); };
        m_forwarded = std::make_unique<ForwardedSessions>(*m_database, local, m_config.cluster);
        m_forwarded->start();
        m_shared.sessions = m_forwarded.get();
    }

    ApiService::Options options;
    options.shared = m_shared;
    options.services = services;
    options.api = m_config.api;
    options.health.environment = m_config.api.environment;
    options.health.databaseKind = m_database->url().dialectName();
    SessionRegistry *sessions = m_sessions.get();
    options.health.activeClients = [sessions]() { return sessions->readyCount(); };
    options.health.waJsVersion = [sessions]() { return sessions->waJsVersion(); };
    options.instanceId = m_config.cluster.instanceId;
    options.chromiumVersion = EngineInfo::chromiumVersion();
    m_api = std::make_unique<ApiService>(options);
    const Result<quint16> port = m_api->start();
    if (!port)
        return fail(ExitCode::RuntimeFailure, port.error().message);
    spdlog::info("REST API listening on http://{}:{}", m_config.api.bindAddress.toStdString(), port.value());
    // Webhook deliveries: pending and interrupted ones from earlier runs go out now.
    m_deliveries = std::make_unique<DeliveryService>(*m_database, *m_cipher, services.webhooks.delivery, clock);
    QObject::connect(m_events.get(), &EventBus::published, m_deliveries->worker(), &DeliveryWorker::wake, Qt::QueuedConnection);
    m_deliveries->start();

    // Old events, finished deliveries (and messages, when asked) are pruned in the background.
    m_retention = std::make_unique<RetentionService>(*m_database, m_config.retention, clock);
    m_retention->start();

    // Campaigns feed the clients' queues from here, next to the senders (one per process).
    m_campaigns = std::make_unique<CampaignScheduler>(*m_database, m_events.get(), m_sessions.get(), services.messaging, services.campaigns, clock);
    m_campaigns->start();

    // Linked clients come back by themselves, from their profiles, without a new QR code.
    m_sessions->restoreAtStart();
    if (m_takeover)
        m_takeover->start();
    return ExitCode::Ok;
}

void Application::stopServices()
{
    m_shell.reset(); // windows first, then the services they use
    m_context.reset();
    if (m_api) {
        m_api->stop(m_config.api.shutdownGraceMs);
        m_api.reset();
    }
    if (m_campaigns) {
        m_campaigns->stop();
        m_campaigns.reset();
    }
    if (m_retention) {
        m_retention->stop();
        m_retention.reset();
    }
    if (m_deliveries) {
        m_deliveries->stop();
        m_deliveries.reset();
    }
    if (m_proxyMonitor) {
        m_proxyMonitor->stop();
        m_proxyMonitor.reset();
    }
    if (m_takeover) {
        m_takeover->stop();
        m_takeover.reset();
    }
    if (m_sessions) {
        m_forwarded.reset(); // before the registry it hands requests to
        m_sessions->stopAll(); // pages before profiles, while the application still runs
        m_sessions.reset();
        m_browserSnapshots.reset(); // after the sessions: waits for the snapshots of their stops
        m_media.reset(); // after the sessions that read from and write to it
    }
    if (m_leases) {
        // A clean stop hands the sessions over at once instead of after the lease time.
        m_leases->stop();
        m_leases->releaseAll();
        m_leases.reset();
    }
    if (m_heartbeat) {
        m_heartbeat->stop();
        m_heartbeat.reset();
    }
    m_proxies.reset();
    m_egress.reset(); // after the pages that used it
    m_events.reset();
    m_cipher.reset();
    if (m_database) {
        m_database->closeThreadConnection();
        m_database.reset();
    }
    m_signals.reset();
    m_instance.reset();
}

} // namespace wadesk
