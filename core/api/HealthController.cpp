#include "core/api/HealthController.h"

#include "core/http/Router.h"
#include "core/common/Version.h"
#include "core/db/Database.h"
#include "core/common/UtcTime.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace wadesk {

namespace {
// A JSON string literal, quotes included, escaped exactly as QJsonDocument escapes it.
QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact); // ["…"]
    return array.mid(1, array.size() - 2);
}

void appendDigits(QByteArray &out, qint64 value, int width)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = char('0' + value % 10);
        value /= 10;
    } while (value > 0 && n < int(sizeof digits));
    for (int i = n; i < width; ++i)
        out += '0';
    while (n > 0)
        out += digits[--n];
}
} // namespace

HealthController::HealthController(Database &database, Info info, int cacheMs, const Clock &clock)
    : m_database(database)
    , m_info(std::move(info))
    , m_cacheMs(cacheMs)
    , m_clock(clock)
{
    m_started.start();
    m_version = ",\"version\":" + jsonString(QLatin1String(kVersion));
}

void HealthController::registerRoutes(Router &router)
{
    router.add("GET", QStringLiteral("/health"), [this](ApiRequest &) { return health(); });
}

void HealthController::probeIfDue()
{
    if (m_lastProbe.isValid() && m_lastProbe.elapsed() < m_cacheMs && !m_middle.isEmpty())
        return;
    m_lastOk = m_database.ping().ok();
    m_lastProbe.restart();
    // A database that answers but refuses writes (disk full, read-only file) still serves reads:
    // "degraded" with 200, so a load balancer keeps the instance while a monitor sees why.
    QString problem;
    switch (Database::currentWriteProblem()) {
    case Database::WriteProblem::DiskFull:
        problem = QStringLiteral("disk_full");
        break;
    case Database::WriteProblem::ReadOnly:
        problem = QStringLiteral("read_only");
        break;
    case Database::WriteProblem::IoError:
        problem = QStringLiteral("io_error");
        break;
    case Database::WriteProblem::None:
        break;
    }
    const QString status = !m_lastOk ? QStringLiteral("unhealthy") : problem.isEmpty() ? QStringLiteral("healthy") : QStringLiteral("degraded");
    // Keys in the order QJsonDocument writes them (sorted).
    m_middle = ",\"database\":" + jsonString(m_lastOk ? QStringLiteral("connected") : QStringLiteral("disconnected"))
        + (problem.isEmpty() ? QByteArray() : ",\"database_problem\":" + jsonString(problem))
        + ",\"database_type\":" + jsonString(m_info.databaseKind) + ",\"environment\":" + jsonString(m_info.environment)
        + ",\"status\":" + jsonString(status) + ",\"timestamp\":\"";
}

void HealthController::appendTimestamp(QByteArray &out)
{
    // ISO 8601 in UTC with milliseconds, as QDateTime::toString(Qt::ISODateWithMs) writes it;
    // the date and time of day are formatted once per second.
    const qint64 now = m_clock.nowMs();
    const qint64 second = now / 1000;
    if (second != m_timestampSecond) {
        m_timestampSecond = second;
        m_timestampPrefix = UtcTime::fromMSecs(second * 1000)
                                .toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss"))
                                .toLatin1();
    }
    out += m_timestampPrefix;
    out += '.';
    appendDigits(out, now % 1000, 3);
    out += 'Z';
}

HttpResponse HealthController::health()
{
    probeIfDue();
    if (m_info.waJsVersion) {
        const QString wa = m_info.waJsVersion();
        if (wa != m_waJsVersion) {
            m_waJsVersion = wa;
            m_waJsVersionJson = wa.isEmpty() ? QByteArray() : ",\"wa_js_version\":" + jsonString(wa);
        }
    }

    QByteArray body;
    body.reserve(64 + m_middle.size() + m_timestampPrefix.size() + m_version.size() + m_waJsVersionJson.size());
    body += "{\"active_clients\":";
    appendDigits(body, m_info.activeClients ? std::max(0, m_info.activeClients()) : 0, 1);
    body += m_middle;
    appendTimestamp(body);
    body += "\",\"uptime\":";
    body += QByteArray::number(double(m_started.elapsed()) / 1000.0, 'g', QLocale::FloatingPointShortest);
    body += m_version;
    body += m_waJsVersionJson;
    body += '}';
    return HttpResponse::raw(std::move(body), QByteArrayLiteral("application/json"), m_lastOk ? 200 : 503);
}

} // namespace wadesk
