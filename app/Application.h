#pragma once

#include "config/AppConfig.h"

#include <QProcessEnvironment>
#include <memory>

class QApplication;
class QLockFile;

namespace wadesk {

class ApiService;
class DeliveryService;
class EventBus;
class SessionRegistry;
class AesGcm;
class Database;
class MainWindow;
class UnixSignals;

// Builds and wires the services for one run of WaDesk, GUI or headless, and tears them down in
// reverse order. The one owner of the object graph: everything below receives what it needs in
// its constructor.
class Application {
public:
    Application(AppConfig config, QProcessEnvironment env);
    ~Application();

    // Runs until quit; returns the process exit code (see ExitCodes.h).
    int run(QApplication &app);
    // `wadesk --verify-audit`: checks every organization's audit chain (read-only) and prints
    // the verdict; exit code 0 when intact, 1 when broken.
    int verifyAudit();

private:
    int fail(int code, const QString &message);
    int startServices();
    void stopServices();

    AppConfig m_config;
    QProcessEnvironment m_env;
    std::unique_ptr<QLockFile> m_lock;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<AesGcm> m_cipher;
    std::unique_ptr<EventBus> m_events;
    std::unique_ptr<SessionRegistry> m_sessions;
    std::unique_ptr<ApiService> m_api;
    std::unique_ptr<DeliveryService> m_deliveries;
    std::unique_ptr<UnixSignals> m_signals;
    std::unique_ptr<MainWindow> m_window;
    QString m_secretsDescription;
    bool m_loggingReady = false;
};

} // namespace wadesk
