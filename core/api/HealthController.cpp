#include "api/HealthController.h"

#include "api/Router.h"
#include "common/Version.h"
#include "db/Database.h"

namespace wadesk {

HealthController::HealthController(Database &database, Info info, int cacheMs)
    : m_database(database)
    , m_info(std::move(info))
    , m_cacheMs(cacheMs)
{
    m_started.start();
}

void HealthController::registerRoutes(Router &router)
{
    router.add("GET", QStringLiteral("/health"), [this](ApiRequest &) { return health(); });
}

HttpResponse HealthController::health()
{
    if (!m_lastProbe.isValid() || m_lastProbe.elapsed() >= m_cacheMs) {
        m_lastOk = m_database.ping().ok();
        m_lastProbe.restart();
    }
    QJsonObject body{
        {QStringLiteral("status"), m_lastOk ? QStringLiteral("healthy") : QStringLiteral("unhealthy")},
        {QStringLiteral("timestamp"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {QStringLiteral("uptime"), double(m_started.elapsed()) / 1000.0},
        {QStringLiteral("database"), m_lastOk ? QStringLiteral("connected") : QStringLiteral("disconnected")},
        {QStringLiteral("databaseType"), m_info.databaseKind},
        {QStringLiteral("activeClients"), m_info.activeClients ? m_info.activeClients() : 0},
        {QStringLiteral("environment"), m_info.environment},
        {QStringLiteral("version"), QLatin1String(kVersion)},
    };
    if (m_info.waJsVersion) {
        const QString wa = m_info.waJsVersion();
        if (!wa.isEmpty())
            body.insert(QStringLiteral("wa_js_version"), wa);
    }
    return HttpResponse::json(body, m_lastOk ? 200 : 503);
}

} // namespace wadesk
