#include "core/api/MetricsController.h"

#include "core/common/RuntimeMetrics.h"
#include "core/common/Version.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "core/http/Router.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QMap>
#include <QSet>
#include <QSqlQuery>
#include <QtGlobal>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace wadesk {

namespace {
// The process's start, as the process_start_time_seconds of the Prometheus client libraries.
const qint64 kProcessStartMs = QDateTime::currentMSecsSinceEpoch();

void family(QByteArray &out, const char *name, const char *type, const char *help)
{
    out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n';
}

void sample(QByteArray &out, const char *name, double value, const QByteArray &labels = {})
{
    out += name;
    if (!labels.isEmpty())
        out += '{' + labels + '}';
    out += ' ' + QByteArray::number(value, 'g', 15) + '\n';
}

QByteArray label(const char *name, const QString &value)
{
    return QByteArray(name) + "=\"" + RuntimeMetrics::escapeLabel(value) + '"';
}

// Comparing digests keeps the comparison's time independent of where the token differs.
bool sameToken(const QByteArray &given, const QString &expected)
{
    return QCryptographicHash::hash(given, QCryptographicHash::Sha256)
        == QCryptographicHash::hash(expected.toUtf8(), QCryptographicHash::Sha256);
}

// A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d.
bool isLoopbackPeer(const QHostAddress &address)
{
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    return mapped ? QHostAddress(v4).isLoopback() : address.isLoopback();
}

void appendProcess(QByteArray &out)
{
    family(out, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch in seconds.");
    sample(out, "process_start_time_seconds", double(kProcessStartMs) / 1000.0);
#ifdef Q_OS_UNIX
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) == 0) {
        family(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
        sample(out, "process_cpu_seconds_total",
               double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6);
    }
#endif
#ifdef Q_OS_LINUX
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (statm.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> pages = statm.readAll().simplified().split(' ');
        const double pageSize = double(sysconf(_SC_PAGESIZE));
        if (pages.size() >= 2) {
            family(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
            sample(out, "process_virtual_memory_bytes", pages.at(0).toDouble() * pageSize);
            family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes (this process, not its renderers).");
            sample(out, "process_resident_memory_bytes", pages.at(1).toDouble() * pageSize);
        }
    }
    const qsizetype fds = QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot).size();
    family(out, "process_open_fds", "gauge", "Number of open file descriptors.");
    sample(out, "process_open_fds", double(fds));
#endif
#ifdef Q_OS_UNIX
    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
        family(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
        sample(out, "process_max_fds", double(files.rlim_cur));
    }
#endif
}
} // namespace

MetricsController::MetricsController(Database &database, Settings settings, Info info)
    : m_database(database)
    , m_settings(std::move(settings))
    , m_info(std::move(info))
{
    m_started.start();
}

void MetricsController::registerRoutes(Router &router)
{
    if (!m_settings.enabled)
        return; // the router answers 404
    router.add("GET", QStringLiteral("/metrics"), [this](ApiRequest &request) { return metrics(request); });
}

HttpResponse MetricsController::metrics(const ApiRequest &request)
{
    if (!m_settings.token.isEmpty()) {
        const QByteArray authorization = request.header("authorization");
        if (!authorization.startsWith("Bearer ") || !sameToken(authorization.mid(7).trimmed(), m_settings.token)) {
            HttpResponse r = HttpResponse::error(401, QStringLiteral("unauthorized"), QStringLiteral("A valid metrics token is required"));
            r.withHeader("WWW-Authenticate", "Bearer realm=\"metrics\"");
            return r;
        }
    } else if (!isLoopbackPeer(request.remoteAddress)) {
        return HttpResponse::error(403, QStringLiteral("forbidden"),
                                   QStringLiteral("/metrics answers loopback clients only unless metrics/token is set"));
    }
    return HttpResponse::raw(render(), "text/plain; version=0.0.4; charset=utf-8");
}

QByteArray MetricsController::render()
{
    QByteArray out;
    out.reserve(16384);
    family(out, "wadesk_build_info", "gauge", "Versions of WaDesk, Qt, Chromium and wa-js, the database kind and this instance's id; always 1.");
    const QString waJs = m_info.waJsVersion ? m_info.waJsVersion() : QString();
    sample(out, "wadesk_build_info", 1,
           label("version", QLatin1String(kVersion)) + ',' + label("qt_version", QLatin1String(qVersion())) + ','
               + label("chromium_version", m_info.chromiumVersion) + ',' + label("wa_js_version", waJs) + ','
               + label("database", m_info.databaseKind) + ',' + label("instance", m_info.instanceId));
    family(out, "wadesk_uptime_seconds", "gauge", "Seconds since the API started.");
    sample(out, "wadesk_uptime_seconds", double(m_started.elapsed()) / 1000.0);
    appendProcess(out);

    QElapsedTimer probe;
    probe.start();
    const bool up = m_database.ping().ok();
    family(out, "wadesk_database_up", "gauge", "1 when the database answered a round trip for this scrape, else 0.");
    sample(out, "wadesk_database_up", up ? 1 : 0);
    family(out, "wadesk_database_ping_seconds", "gauge", "How long that round trip (or the failed attempt) took.");
    sample(out, "wadesk_database_ping_seconds", double(probe.nsecsElapsed()) / 1e9);
    if (up) {
        // Across organizations: these are the server's figures, and name no organization.
        SqlRunner sql(m_database);
        appendSessions(out);
        if (Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT client_id, COUNT(*) AS depth FROM outbox GROUP BY client_id "
                                                         "ORDER BY depth DESC, client_id LIMIT %1").arg(kMaxQueueSeries),
                                          {}, "metrics: queues")) {
            family(out, "wadesk_queue_depth", "gauge", "Messages waiting to be sent, by client (the 500 deepest queues).");
            while (q.value().next())
                sample(out, "wadesk_queue_depth", q.value().value(1).toDouble(), label("client", q.value().value(0).toString()));
        }
        if (Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT status, COUNT(*) FROM webhook_deliveries "
                                                         "WHERE status IN ('pending', 'delivering', 'retrying') GROUP BY status ORDER BY status"),
                                          {}, "metrics: webhook backlog")) {
            family(out, "wadesk_webhook_backlog", "gauge", "Webhook deliveries not yet done, by status.");
            while (q.value().next())
                sample(out, "wadesk_webhook_backlog", q.value().value(1).toDouble(), label("status", q.value().value(0).toString()));
        }
        if (Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'dead'"), {}, "metrics: dead letters");
            q && q.value().next()) {
            family(out, "wadesk_webhook_dead_letters", "gauge", "Webhook deliveries given up on (dead letters) that the database keeps.");
            sample(out, "wadesk_webhook_dead_letters", q.value().value(0).toDouble());
        }
    }
    RuntimeMetrics::instance().appendPrometheus(out);
    return out;
}

void MetricsController::appendSessions(QByteArray &out)
{
    // A lease is live until its expiry on the database's clock (the one every instance compares
    // with); a client without one belongs to this instance while its page is open here.
    const QString databaseNow = m_database.isPostgres()
        ? QStringLiteral("CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)")
        : QStringLiteral("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)");
    SqlRunner sql(m_database);
    Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT c.id, c.status, CASE WHEN l.expires_at > %1 THEN l.owner END "
                                                 "FROM clients c LEFT JOIN client_leases l ON l.client_id = c.id")
                                      .arg(databaseNow),
                                  {}, "metrics: sessions");
    if (!q)
        return;
    const QSet<QString> running = RuntimeMetrics::instance().runningSessions();
    const QString none = QStringLiteral("none");
    QMap<QPair<QString, QString>, qint64> counts; // (state, owner): sorted, so the text is stable
    while (q.value().next()) {
        QString owner = q.value().value(2).toString();
        if (owner.isEmpty())
            owner = running.contains(q.value().value(0).toString()) ? m_info.instanceId : none;
        ++counts[qMakePair(q.value().value(1).toString(), owner)];
    }
    family(out, "wadesk_sessions", "gauge",
           "WhatsApp sessions (clients) by state and owner: the instance holding the live lease, else this instance for the sessions it runs, else none.");
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        sample(out, "wadesk_sessions", double(it.value()), label("state", it.key().first) + ',' + label("owner", it.key().second));
}

} // namespace wadesk
