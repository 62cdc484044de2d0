#pragma once

#include "api/HttpResponse.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <functional>

namespace wadesk {

class Database;
class Router;

// GET /health, unauthenticated: the guide's {status, timestamp, uptime, database,
// activeClients, environment} plus version. 503 with status "unhealthy" when the database
// does not answer. The database probe is cached for `cacheMs` so a flood of health checks
// cannot become a flood of queries.
class HealthController {
public:
    struct Info {
        QString environment;
        QString databaseKind;                       // "sqlite" | "postgres"
        std::function<int()> activeClients;         // sessions currently ready
        std::function<QString()> waJsVersion = {};  // empty until the engine reports one
    };

    HealthController(Database &database, Info info, int cacheMs);
    void registerRoutes(Router &router);
    HttpResponse health();

private:
    Database &m_database;
    Info m_info;
    int m_cacheMs;
    QElapsedTimer m_started;
    QElapsedTimer m_lastProbe;
    bool m_lastOk = false;
};

} // namespace wadesk
