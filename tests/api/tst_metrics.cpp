// GET /metrics through the real API on both databases: the answer is valid Prometheus text
// format 0.0.4 (every sample in a family declared once with HELP and TYPE, label values
// escaped, histogram buckets cumulative up to +Inf == _count); request counters and the latency
// histogram move by route template, method and status; the database gauges (up, sessions by
// state, queue depth by client) follow what the database holds; and who may read it: loopback
// clients without a token, anyone with the right bearer token once one is set, nobody when
// disabled, a non-loopback client without a token never.

#include "tests/support/ApiTestHarness.h"
#include "tests/support/PrometheusText.h"
#include "core/api/MetricsController.h"
#include "core/common/RuntimeMetrics.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/SqlRunner.h"
#include "core/http/ApiRequest.h"

#include <QDateTime>
#include <QDir>
#include <QHash>
#include <QScopeGuard>
#include <QTest>
#include <cmath>

using namespace wadesk;
using namespace wadesk::test;

namespace {

using Exposition = PrometheusText;
using Sample = PrometheusSample;

bool parse(const QByteArray &body, Exposition &out, QString *error)
{
    return PrometheusText::parse(body, out, error);
}

Exposition scrape(ApiTestHarness &api)
{
    const ApiResponse r = api.request("GET", QStringLiteral("/metrics"));
    Exposition e;
    QString error;
    if (r.status != 200 || !r.header("content-type").startsWith("text/plain; version=0.0.4") || !parse(r.body, e, &error))
        qWarning("bad /metrics answer (%s): %s", qPrintable(error), r.describe().constData());
    return e;
}

} // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private slots:
    void validTextAndCountersMove_data() { addDialectRows(); }
    void validTextAndCountersMove()
    {
        QFETCH(QString, dialect);
        WADESK_START_API(api, dialect);
        const Account admin = api.registerOrganization(QStringLiteral("metrics@example.com"), QStringLiteral("Metrics Org"));
        QVERIFY(admin.valid());
        const QString client = api.createClient(admin, QStringLiteral("Front desk"));
        QVERIFY(!client.isEmpty());
        const HeaderList auth = ApiTestHarness::apiKey(admin.apiKey);

        const ApiResponse raw = api.request("GET", QStringLiteral("/metrics"));
        QCOMPARE(raw.status, 200);
        QCOMPARE(raw.header("content-type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        Exposition before;
        QString error;
        QVERIFY2(parse(raw.body, before, &error), qPrintable(error + QLatin1Char('\n') + QString::fromUtf8(raw.body)));
        for (const char *family : {"wadesk_build_info", "wadesk_uptime_seconds", "process_start_time_seconds", "wadesk_database_up",
                                   "wadesk_sessions", "wadesk_queue_depth", "wadesk_messages_sent_total",
                                   "wadesk_webhook_deliveries_total", "wadesk_http_requests_total", "wadesk_http_request_duration_seconds"})
            QVERIFY2(before.types.contains(QLatin1String(family)), family);
#ifdef Q_OS_LINUX
        QVERIFY(before.value(QStringLiteral("process_resident_memory_bytes")) > 1e6);
        QVERIFY(before.value(QStringLiteral("process_open_fds")) > 3);
#endif
        QCOMPARE(before.value(QStringLiteral("wadesk_database_up")), 1.0);
        QCOMPARE(before.value(QStringLiteral("wadesk_build_info"), {{QStringLiteral("database"), dialect}}), 1.0);
        QCOMPARE(before.types.value(QStringLiteral("wadesk_http_request_duration_seconds")), QStringLiteral("histogram"));

        const QHash<QString, QString> listOk{{QStringLiteral("method"), QStringLiteral("GET")},
                                             {QStringLiteral("route"), QStringLiteral("/api/clients/:clientId")},
                                             {QStringLiteral("status"), QStringLiteral("200")}};
        const QHash<QString, QString> missing{{QStringLiteral("method"), QStringLiteral("GET")},
                                              {QStringLiteral("route"), QStringLiteral("/api/clients/:clientId")},
                                              {QStringLiteral("status"), QStringLiteral("404")}};
        auto orZero = [](double v) { return std::isnan(v) ? 0.0 : v; };
        const double okBefore = orZero(before.value(QStringLiteral("wadesk_http_requests_total"), listOk));
        const double missingBefore = orZero(before.value(QStringLiteral("wadesk_http_requests_total"), missing));
        const QHash<QString, QString> unmatched{{QStringLiteral("route"), QStringLiteral("(unmatched)")}, {QStringLiteral("status"), QStringLiteral("404")}};
        const double unmatchedBefore = orZero(before.value(QStringLiteral("wadesk_http_requests_total"), unmatched)); // counters are the process's
        for (int i = 0; i < 3; ++i)
            QCOMPARE(api.request("GET", QStringLiteral("/api/clients/") + client, QJsonValue(QJsonValue::Undefined), auth).status, 200);
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients/client_00000000000000000000000000"), QJsonValue(QJsonValue::Undefined), auth)
                     .status,
                 404);
        QCOMPARE(api.request("GET", QStringLiteral("/no/such/path")).status, 404);

        // One linked client with two queued messages (no session runs here to send them).
        QVERIFY(api.exec(QStringLiteral("UPDATE clients SET linked = 1, status = 'ready' WHERE id = ?"), {client}));
        for (const char *text : {"one", "two"}) {
            const ApiResponse sent = api.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(client),
                                                 QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550100")},
                                                             {QStringLiteral("message"), QLatin1String(text)}},
                                                 auth);
            QVERIFY2(sent.status == 200, sent.describe().constData());
        }

        const Exposition after = scrape(api);
        QCOMPARE(after.value(QStringLiteral("wadesk_http_requests_total"), listOk), okBefore + 3);
        QCOMPARE(after.value(QStringLiteral("wadesk_http_requests_total"), missing), missingBefore + 1);
        QCOMPARE(after.value(QStringLiteral("wadesk_http_requests_total"), unmatched), unmatchedBefore + 1);
        const QHash<QString, QString> series{{QStringLiteral("method"), QStringLiteral("GET")},
                                             {QStringLiteral("route"), QStringLiteral("/api/clients/:clientId")}};
        QVERIFY(after.value(QStringLiteral("wadesk_http_request_duration_seconds_count"), series) >= okBefore + 4);
        QVERIFY(after.value(QStringLiteral("wadesk_http_request_duration_seconds_sum"), series) > 0);
        QCOMPARE(after.value(QStringLiteral("wadesk_queue_depth"), {{QStringLiteral("client"), client}}), 2.0);
        QCOMPARE(after.value(QStringLiteral("wadesk_sessions"), {{QStringLiteral("state"), QStringLiteral("ready")}}), 1.0);
        QVERIFY(after.value(QStringLiteral("wadesk_uptime_seconds")) >= before.value(QStringLiteral("wadesk_uptime_seconds")));
        // No path with an id in it ever becomes a series of its own.
        for (const Sample &s : after.samples)
            QVERIFY2(!s.labels.value(QStringLiteral("route")).contains(client), qPrintable(s.labels.value(QStringLiteral("route"))));
    }

    // The families the database and the process feed: sessions by state and owner (a live lease
    // names its instance, an expired one does not; a session open here is this instance's; the
    // rest is "none"), database latency by operation and errors by kind, the journal's depth,
    // dead letters, the build info's instance and the file descriptor limit.
    void databaseAndOwnerFamilies_data() { addDialectRows(); }
    void databaseAndOwnerFamilies()
    {
        QFETCH(QString, dialect);
        WADESK_START_API(api, dialect);
        const Account admin = api.registerOrganization(QStringLiteral("owners@example.com"), QStringLiteral("Owners Org"));
        QVERIFY(admin.valid());
        QStringList clients;
        for (const char *name : {"Leased here", "Leased elsewhere", "Expired lease", "Open here", "Stopped"}) {
            clients << api.createClient(admin, QLatin1String(name));
            QVERIFY(!clients.last().isEmpty());
        }
        for (int i = 0; i < 4; ++i)
            QVERIFY(api.exec(QStringLiteral("UPDATE clients SET status = 'ready' WHERE id = ?"), {clients.at(i)}));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QString lease = QStringLiteral("INSERT INTO client_leases (client_id, owner, token, acquired_at, expires_at) VALUES (?, ?, 1, ?, ?)");
        QVERIFY(api.exec(lease, {clients.at(0), QStringLiteral("harness-instance"), now, now + 600000}));
        QVERIFY(api.exec(lease, {clients.at(1), QStringLiteral("box-2"), now, now + 600000}));
        QVERIFY(api.exec(lease, {clients.at(2), QStringLiteral("box-3"), now - 600000, now - 300000}));
        RuntimeMetrics::instance().setSessionRunning(clients.at(3), true);
        const auto closed = qScopeGuard([&]() { RuntimeMetrics::instance().setSessionRunning(clients.at(3), false); });
        RuntimeMetrics::instance().setJournalDepth(7);
        const auto emptied = qScopeGuard([]() { RuntimeMetrics::instance().setJournalDepth(0); });

        const Exposition before = scrape(api);
        QVERIFY(!before.types.isEmpty());
        const auto sessions = [](const Exposition &e, const char *state, const char *owner) {
            return e.value(QStringLiteral("wadesk_sessions"), {{QStringLiteral("state"), QLatin1String(state)}, {QStringLiteral("owner"), QLatin1String(owner)}});
        };
        QCOMPARE(sessions(before, "ready", "harness-instance"), 2.0); // its live lease, and its open page
        QCOMPARE(sessions(before, "ready", "box-2"), 1.0);
        QCOMPARE(sessions(before, "ready", "none"), 1.0); // box-3's lease expired and no page is open here
        QVERIFY(std::isnan(sessions(before, "ready", "box-3")));
        QCOMPARE(sessions(before, "stopped", "none"), 1.0);
        QCOMPARE(before.sum(QStringLiteral("wadesk_sessions")), 5.0);
        QCOMPARE(before.value(QStringLiteral("wadesk_journal_depth")), 7.0);
        QCOMPARE(before.value(QStringLiteral("wadesk_webhook_dead_letters")), 0.0);
        QCOMPARE(before.value(QStringLiteral("wadesk_build_info"), {{QStringLiteral("instance"), QStringLiteral("harness-instance")}}), 1.0);
        QVERIFY(before.types.contains(QStringLiteral("wadesk_client_sends_total")));
        QVERIFY(before.types.contains(QStringLiteral("wadesk_inbound_messages_total")));
        QCOMPARE(before.types.value(QStringLiteral("wadesk_webhook_delivery_duration_seconds")), QStringLiteral("histogram"));
#ifdef Q_OS_LINUX
        QVERIFY(before.value(QStringLiteral("process_max_fds")) >= before.value(QStringLiteral("process_open_fds")));
        QVERIFY(before.value(QStringLiteral("process_cpu_seconds_total")) > 0);
#endif
        const QHash<QString, QString> statement{{QStringLiteral("operation"), QStringLiteral("statement")}};
        const QHash<QString, QString> ping{{QStringLiteral("operation"), QStringLiteral("ping")}};
        const QHash<QString, QString> other{{QStringLiteral("kind"), QStringLiteral("other")}};
        const QHash<QString, QString> outage{{QStringLiteral("kind"), QStringLiteral("outage")}};
        QVERIFY(before.value(QStringLiteral("wadesk_database_duration_seconds_count"), statement) > 0);

        // A statement the database refuses counts as "other"; a database out of reach as "outage".
        {
            SqlRunner sql(api.database());
            QVERIFY(!sql.run(QStringLiteral("SELECT * FROM no_such_table"), {}, "metrics test"));
        }
        {
            const Result<DatabaseUrl> unreachable = DatabaseUrl::parse(QStringLiteral("postgres://wadesk@127.0.0.1:1/nothing"), QDir::tempPath());
            QVERIFY(unreachable);
            Database nowhere(unreachable.value());
            QVERIFY(!nowhere.connection());
            nowhere.closeThreadConnection();
        }
        // The API's own requests run statements too.
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), QJsonValue(QJsonValue::Undefined), ApiTestHarness::apiKey(admin.apiKey)).status, 200);
        const Exposition after = scrape(api);
        QCOMPARE(after.value(QStringLiteral("wadesk_database_errors_total"), other), before.value(QStringLiteral("wadesk_database_errors_total"), other) + 1);
        QCOMPARE(after.value(QStringLiteral("wadesk_database_errors_total"), outage), before.value(QStringLiteral("wadesk_database_errors_total"), outage) + 1);
        QVERIFY(after.value(QStringLiteral("wadesk_database_duration_seconds_count"), statement)
                > before.value(QStringLiteral("wadesk_database_duration_seconds_count"), statement));
        QCOMPARE(after.value(QStringLiteral("wadesk_database_duration_seconds_count"), ping),
                 before.value(QStringLiteral("wadesk_database_duration_seconds_count"), ping) + 1); // one per scrape, nothing else pings here

        // A lease that ends moves its session to "none".
        QVERIFY(api.exec(QStringLiteral("UPDATE client_leases SET owner = NULL WHERE client_id = ?"), {clients.at(1)}));
        const Exposition released = scrape(api);
        QVERIFY(std::isnan(sessions(released, "ready", "box-2")));
        QCOMPARE(sessions(released, "ready", "none"), 2.0);

        QString lint;
        if (!promtoolAvailable())
            qInfo("promtool is not installed: the cross-check with `promtool check metrics` is skipped");
        const ApiResponse raw = api.request("GET", QStringLiteral("/metrics"));
        QVERIFY2(promtoolCheck(raw.body, &lint), qPrintable(lint));
    }

    void whoMayRead()
    {
        {
            ApiTestHarness::Options options;
            options.metricsToken = QStringLiteral("scrape-token-1");
            WADESK_START_API(api, QStringLiteral("sqlite"), options);
            QVERIFY(api.request("GET", QStringLiteral("/metrics")).isError(401, QStringLiteral("unauthorized")));
            QVERIFY(api.request("GET", QStringLiteral("/metrics"), QJsonValue(QJsonValue::Undefined), ApiTestHarness::bearer(QStringLiteral("scrape-token-2")))
                        .isError(401, QStringLiteral("unauthorized")));
            const ApiResponse ok = api.request("GET", QStringLiteral("/metrics"), QJsonValue(QJsonValue::Undefined),
                                               ApiTestHarness::bearer(QStringLiteral("scrape-token-1")));
            QCOMPARE(ok.status, 200);
            QVERIFY(ok.body.contains("wadesk_database_up 1\n"));
        }
        {
            ApiTestHarness::Options options;
            options.metricsEnabled = false;
            WADESK_START_API(api, QStringLiteral("sqlite"), options);
            QVERIFY(api.request("GET", QStringLiteral("/metrics")).isError(404, QStringLiteral("not_found")));
        }
        // Without a token, a client beyond loopback is refused (the server is called directly:
        // the tests can only reach it over loopback).
        WADESK_DATABASE_OR_SKIP(fresh, QStringLiteral("sqlite"));
        MetricsController controller(*fresh.database, MetricsController::Settings{}, MetricsController::Info{QStringLiteral("sqlite")});
        ApiRequest request;
        request.method = "GET";
        request.path = QStringLiteral("/metrics");
        request.remoteAddress = QHostAddress(QStringLiteral("192.0.2.10"));
        QCOMPARE(controller.metrics(request).status, 403);
        request.remoteAddress = QHostAddress(QStringLiteral("::ffff:192.0.2.10"));
        QCOMPARE(controller.metrics(request).status, 403);
        request.remoteAddress = QHostAddress(QStringLiteral("::1"));
        QCOMPARE(controller.metrics(request).status, 200);
        request.remoteAddress = QHostAddress(QStringLiteral("::ffff:127.0.0.1"));
        QCOMPARE(controller.metrics(request).status, 200);
        fresh.database->closeThreadConnection();
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
