#pragma once

#include "core/common/Clock.h"
#include "core/http/HttpResponse.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <functional>

namespace wadesk {

class Database;
class Router;

// GET /health, unauthenticated: {status, timestamp, uptime, database, database_type,
// active_clients, environment, version, wa_js_version} (the guide defines only "status"). 503 with status "unhealthy" when the database
// does not answer. The database probe is cached for `cacheMs` so a flood of health checks
// cannot become a flood of queries. It is also the hottest route (load balancers and monitors
// poll it), so the answer is written straight into bytes: the parts that only change with the
// probe are kept serialized, and the per-request parts (timestamp, uptime, active_clients) are
// formatted by hand. The bytes are exactly what QJsonDocument::Compact would write.
class HealthController {
public:
    struct Info {
        QString environment;
        QString databaseKind;                       // "sqlite" | "postgres"
        std::function<int()> activeClients;         // sessions currently ready
        std::function<QString()> waJsVersion = {};  // empty until the engine reports one
    };

    HealthController(Database &database, Info info, int cacheMs, const Clock &clock = Clock::system());
    void registerRoutes(Router &router);
    HttpResponse health();

private:
    void probeIfDue();
    void appendTimestamp(QByteArray &out);

    Database &m_database;
    Info m_info;
    int m_cacheMs;
    const Clock &m_clock;
    QElapsedTimer m_started;
    QElapsedTimer m_lastProbe;
    bool m_lastOk = false;
    QByteArray m_middle;        // ,"database":…,"timestamp":"   (changes with the probe result)
    QByteArray m_version;       // ,"version":"…"
    qint64 m_timestampSecond = -1;
    QByteArray m_timestampPrefix; // yyyy-MM-ddTHH:mm:ss of m_timestampSecond
    QString m_waJsVersion;
    QByteArray m_waJsVersionJson; // ,"wa_js_version":"…" or empty
};

} // namespace wadesk
