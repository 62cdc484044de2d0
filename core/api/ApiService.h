#pragma once

#include "core/api/ApiSettings.h"
#include "core/api/HealthController.h"
#include "core/common/DomainError.h"
#include "core/services/ServiceGraph.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QMutex>
#include <QPair>
#include <memory>

namespace wadesk {

class ApiThread;

// The REST API as one unit: the API thread, its HTTP server, the thread's ServiceGraph and the
// controllers over it. Used by the application and, unchanged, by the API tests.
class ApiService {
public:
    struct Options {
        SharedServices shared;     // database, JWT key, cipher, event bus, the engine
        ServiceSettings services;  // what the API thread's ServiceGraph is built from
        ApiSettings api;           // address, port, limits (api.port 0: any free port)
        HealthController::Info health;
        // For /metrics's build info and sessions' owner (the API does not link the engine).
        QString instanceId = {};
        QString chromiumVersion = {};
    };

    explicit ApiService(Options options);
    ~ApiService();

    Result<quint16> start();
    void stop(int graceMs);
    quint16 port() const;
    // Method and pattern of every route the server answers ("GET", "/api/clients/:clientId").
    QList<QPair<QByteArray, QString>> routeTable() const;

private:
    struct OnApiThread;
    Options m_options;
    std::shared_ptr<OnApiThread> m_parts;
    std::unique_ptr<ApiThread> m_thread;
};

} // namespace wadesk
