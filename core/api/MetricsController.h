#pragma once

#include "core/http/HttpResponse.h"

#include <QElapsedTimer>
#include <QString>
#include <functional>

namespace wadesk {

class Database;
class Router;
struct ApiRequest;

// GET /metrics in the Prometheus text format 0.0.4, for the server's operator (not for an
// organization: it counts across all of them). Who may read it (`metrics/...` settings):
// - no token set (the default): clients on a loopback address only (a Prometheus or an agent on
//   the same machine); others get 403;
// - `metrics/token` set: anyone presenting `Authorization: Bearer <token>`, from anywhere;
// - `metrics/enabled` false: 404, as if there were no such route.
// The database part costs a ping, a few grouped counts (the send queue by client, the webhook
// backlog and dead letters) and one row per client (its state and its lease, for sessions by
// state and owner); everything else is counted in memory (RuntimeMetrics).
class MetricsController {
public:
    struct Settings {
        bool enabled = true;
        QString token; // empty: loopback clients only
    };
    struct Info {
        QString databaseKind;                      // "sqlite" | "postgres"
        std::function<QString()> waJsVersion = {}; // empty until the engine reports one
        QString instanceId = {};                   // cluster/instanceId: the owner of the sessions this process runs
        QString chromiumVersion = {};              // the embedded browser's (the engine reports it: the API does not link it)
    };

    MetricsController(Database &database, Settings settings, Info info);
    void registerRoutes(Router &router);
    HttpResponse metrics(const ApiRequest &request);

    // The most clients listed in wadesk_queue_depth (the deepest queues first).
    static constexpr int kMaxQueueSeries = 500;

private:
    QByteArray render();
    void appendSessions(QByteArray &out);

    Database &m_database;
    Settings m_settings;
    Info m_info;
    QElapsedTimer m_started;
};

} // namespace wadesk
