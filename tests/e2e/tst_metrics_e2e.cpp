// GET /metrics of the real `wadesk` binary (headless, its own sandbox, SQLite and a throwaway
// PostgreSQL) after real traffic: a client linked on the fake WhatsApp Web page (served by
// FakeWhatsAppServer), two messages sent through the page, one received from it, webhook
// deliveries to a receiver that takes them and to one that answers 410 (a dead letter). The
// answer is parsed strictly (tests/support/PrometheusText: names, HELP and TYPE once per family,
// label escaping, every sample in a declared family, histogram buckets cumulative with +Inf ==
// _count) and cross-checked with `promtool check metrics` where promtool is installed; the
// families follow the traffic: sessions by state and owner, sends by client and outcome, tier
// use, inbound messages, webhook outcomes, latency and dead letters, database latency, process
// figures and the build info (Chromium, wa-js, the instance).

#include "tests/support/ApiTestHarness.h"
#include "tests/support/BinarySandbox.h"
#include "tests/support/EngineApiClient.h"
#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/PgCluster.h"
#include "tests/support/PrometheusText.h"
#include "tests/support/TestDatabases.h"
#include "tests/support/WadeskInstance.h"
#include "tests/support/WebhookReceiver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>
#include <memory>

using namespace wadesk::test;

namespace {

constexpr int kWaitMs = 45000; // a cold Chromium in a fresh process, 2 busy cores
const QString kInstance = QStringLiteral("metrics-e2e");
const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);

QByteArray scrapeRaw(quint16 port)
{
    HttpTestClient c;
    if (!c.connectTo(port, 2000))
        return {};
    c.send(HttpTestClient::request("GET", "/metrics"));
    const auto r = c.waitResponse(10000);
    return r.status == 200 ? r.body : QByteArray();
}

} // namespace

class TestMetricsE2e : public QObject {
    Q_OBJECT

private slots:
    void metricsFollowRealTraffic_data() { addDialectRows(); }
    void metricsFollowRealTraffic()
    {
        QFETCH(QString, dialect);
        QString databaseUrl;
        if (dialect == QLatin1String("postgres")) {
            QString why;
            PgCluster *cluster = PgCluster::shared(&why);
            if (!cluster) {
                if (PgCluster::required())
                    QFAIL(qPrintable(why));
                QSKIP(qPrintable(why));
            }
            databaseUrl = cluster->createDatabase();
        }
        QTemporaryDir home;
        QVERIFY(home.isValid());
        FakeWhatsAppServer fake;
        QVERIFY(fake.start());
        WebhookReceiver taker;
        QVERIFY(taker.start());
        WebhookReceiver gone;
        gone.setBehaviour(WebhookReceiver::Behaviour::Gone);
        QVERIFY(gone.start());

        const QString session = QStringLiteral("metrics-") + dialect;
        QProcessEnvironment env;
        env.insert(QStringLiteral("WADESK_PASSWORD_HASH_COST"), QStringLiteral("min"));
        env.insert(QStringLiteral("WADESK_HEALTH_CACHE_MS"), QStringLiteral("0"));
        env.insert(QStringLiteral("WADESK_WA_URL"), fake.pageUrl(session, {{QStringLiteral("readyMs"), QStringLiteral("50")},
                                                                           {QStringLiteral("qrFirstMs"), QStringLiteral("30000")},
                                                                           {QStringLiteral("syncMs"), QStringLiteral("300")},
                                                                           {QStringLiteral("ackMs"), QStringLiteral("100")}})
                                                        .toString(QUrl::FullyEncoded));
        env.insert(QStringLiteral("WADESK_INJECT_WAJS"), QStringLiteral("0"));
        env.insert(QStringLiteral("WADESK_PACING"), QStringLiteral("0"));
        env.insert(QStringLiteral("WADESK_CHECK_NUMBER_EXISTS"), QStringLiteral("0"));
        env.insert(QStringLiteral("WADESK_RATE_PER_DAY"), QStringLiteral("900"));
        env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_INTERVAL_MS"), QStringLiteral("500"));
        env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_TIMEOUT_MS"), QStringLiteral("20000"));
        env.insert(QStringLiteral("WADESK_WEBHOOKS_ALLOW_PRIVATE"), QStringLiteral("1"));
        env.insert(QStringLiteral("WADESK_INSTANCE_ID"), kInstance);
        if (!databaseUrl.isEmpty())
            env.insert(QStringLiteral("WADESK_DB"), databaseUrl);
        WadeskInstance app(home.path(), env, kWaitMs);
        QVERIFY2(app.start(), qPrintable(app.output().right(4000)));
        EngineApiClient http;
        http.setPort(app.port());
        const Account admin = http.registerOrganization(QStringLiteral("metrics-e2e@example.com"), QStringLiteral("Metrics E2E"));
        QVERIFY(admin.valid());
        const HeaderList key = ApiTestHarness::apiKey(admin.apiKey);
        for (WebhookReceiver *receiver : {&taker, &gone}) {
            const ApiResponse hook = http.request("POST", QStringLiteral("/api/webhooks"),
                                                  QJsonObject{{QStringLiteral("url"), receiver->url(QStringLiteral("/metrics-e2e"))},
                                                              {QStringLiteral("events"), QJsonArray{QStringLiteral("message.received")}}},
                                                  key);
            QVERIFY2(hook.status == 201, hook.describe().constData());
        }

        // A linked client: init, the phone scans, ready.
        const QString client = http.createClient(admin, QStringLiteral("Metrics desk"));
        QVERIFY(!client.isEmpty());
        QVERIFY(http.request("POST", QStringLiteral("/api/clients/%1/init").arg(client), QJsonObject{}, key).status == 200);
        const auto status = [&]() { return http.status(admin, client).json.value(QLatin1String("status")).toString(); };
        QVERIFY(QTest::qWaitFor([&] { return status() == QLatin1String("qr"); }, kWaitMs));
        fake.enqueue(session, QStringLiteral("scan"), {QStringLiteral("14155552671")});
        QVERIFY2(QTest::qWaitFor([&] { return status() == QLatin1String("ready"); }, kWaitMs), qPrintable(app.logFile().right(3000)));

        // Two sends through the page, one message from a contact.
        QStringList sent;
        for (const char *text : {"first", "second"}) {
            const ApiResponse r = http.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(client),
                                               QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550190")},
                                                           {QStringLiteral("message"), QLatin1String(text)}},
                                               key);
            QVERIFY2(r.status == 200, r.describe().constData());
            sent << r.json.value(QLatin1String("messageId")).toString();
        }
        for (const QString &id : std::as_const(sent)) {
            QVERIFY(QTest::qWaitFor([&] {
                const QString s = http.request("GET", QStringLiteral("/api/messages/") + id, kNoBody, key).json.value(QLatin1String("status")).toString();
                return s == QLatin1String("sent") || s == QLatin1String("delivered") || s == QLatin1String("read");
            }, kWaitMs));
        }
        fake.enqueue(session, QStringLiteral("incoming"), {QJsonObject{{QStringLiteral("from"), QStringLiteral("14155550191")},
                                                                       {QStringLiteral("body"), QStringLiteral("hello \"metrics\"")},
                                                                       {QStringLiteral("twice"), true}}});
        QVERIFY(taker.waitForCount(1, kWaitMs));
        QVERIFY(gone.waitForCount(1, kWaitMs));

        // Scrape until the dead letter is stored (the 410's outcome is committed after it answered).
        PrometheusText m;
        QByteArray raw;
        QString error;
        QVERIFY(QTest::qWaitFor([&] {
            raw = scrapeRaw(app.port());
            m = PrometheusText();
            error.clear();
            return PrometheusText::parse(raw, m, &error) && m.value(QStringLiteral("wadesk_webhook_dead_letters")) >= 1
                && m.value(QStringLiteral("wadesk_webhook_deliveries_total"), {{QStringLiteral("outcome"), QStringLiteral("succeeded")}}) >= 1;
        }, kWaitMs));
        QVERIFY2(error.isEmpty(), qPrintable(error + QLatin1Char('\n') + QString::fromUtf8(raw)));

        const QHash<QString, QString> ofClient{{QStringLiteral("client"), client}};
        QCOMPARE(m.value(QStringLiteral("wadesk_sessions"), {{QStringLiteral("state"), QStringLiteral("ready")}, {QStringLiteral("owner"), kInstance}}), 1.0);
        QCOMPARE(m.value(QStringLiteral("wadesk_client_sends_total"), {{QStringLiteral("client"), client}, {QStringLiteral("outcome"), QStringLiteral("sent")}}), 2.0);
        QCOMPARE(m.value(QStringLiteral("wadesk_client_sends_total"), {{QStringLiteral("client"), client}, {QStringLiteral("outcome"), QStringLiteral("failed")}}), 0.0);
        QCOMPARE(m.value(QStringLiteral("wadesk_messages_sent_total"), {{QStringLiteral("outcome"), QStringLiteral("sent")}}), 2.0);
        QCOMPARE(m.value(QStringLiteral("wadesk_send_tier_limit"), {{QStringLiteral("client"), client}, {QStringLiteral("tier"), QStringLiteral("day")}}), 900.0);
        const double dayUsed = m.value(QStringLiteral("wadesk_send_tier_used"), {{QStringLiteral("client"), client}, {QStringLiteral("tier"), QStringLiteral("day")}});
        QVERIFY2(dayUsed >= 1 && dayUsed <= 2, qPrintable(QString::number(dayUsed))); // as the sender last looked, before or after its second send
        QCOMPARE(m.value(QStringLiteral("wadesk_inbound_messages_total"), ofClient), 1.0); // reported twice, stored and counted once
        QCOMPARE(m.value(QStringLiteral("wadesk_webhook_dead_letters")), 1.0);
        QCOMPARE(m.value(QStringLiteral("wadesk_webhook_deliveries_total"), {{QStringLiteral("outcome"), QStringLiteral("dead")}}), 1.0);
        const double deliveries = m.sum(QStringLiteral("wadesk_webhook_deliveries_total"));
        QVERIFY(m.value(QStringLiteral("wadesk_webhook_delivery_duration_seconds_count")) >= 2);
        QVERIFY(m.value(QStringLiteral("wadesk_webhook_delivery_duration_seconds_count")) <= deliveries);
        QVERIFY(m.value(QStringLiteral("wadesk_database_duration_seconds_count"), {{QStringLiteral("operation"), QStringLiteral("statement")}}) > 10);
        QVERIFY(m.value(QStringLiteral("wadesk_database_duration_seconds_count"), {{QStringLiteral("operation"), QStringLiteral("commit")}}) > 0);
        QCOMPARE(m.value(QStringLiteral("wadesk_journal_depth")), 0.0);
        QCOMPARE(m.value(QStringLiteral("wadesk_http_requests_total"), {{QStringLiteral("method"), QStringLiteral("POST")},
                                                                         {QStringLiteral("route"), QStringLiteral("/api/clients/:clientId/send-message")},
                                                                         {QStringLiteral("status"), QStringLiteral("200")}}),
                 2.0);
        QVERIFY(m.value(QStringLiteral("process_resident_memory_bytes")) > 1e7);
        QVERIFY(m.value(QStringLiteral("process_cpu_seconds_total")) > 0);
        QVERIFY(m.value(QStringLiteral("process_open_fds")) > 3);
        QVERIFY(m.value(QStringLiteral("process_max_fds")) >= m.value(QStringLiteral("process_open_fds")));
        const QList<PrometheusSample> build = m.all(QStringLiteral("wadesk_build_info"));
        QCOMPARE(build.size(), 1);
        QCOMPARE(build.first().labels.value(QStringLiteral("instance")), kInstance);
        QCOMPARE(build.first().labels.value(QStringLiteral("database")), dialect);
        QCOMPARE(build.first().labels.value(QStringLiteral("wa_js_version")), QStringLiteral("fake-1.0"));
        static const QRegularExpression chromium(QStringLiteral("^\\d+\\.\\d+\\.\\d+\\.\\d+$"));
        QVERIFY2(chromium.match(build.first().labels.value(QStringLiteral("chromium_version"))).hasMatch(),
                 qPrintable(build.first().labels.value(QStringLiteral("chromium_version"))));

        QString lint;
        if (!promtoolAvailable())
            qInfo("promtool is not installed: the cross-check with `promtool check metrics` is skipped");
        QVERIFY2(promtoolCheck(raw, &lint), qPrintable(lint));

        // Stopped: its session is nobody's.
        QVERIFY(http.request("POST", QStringLiteral("/api/clients/%1/stop").arg(client), QJsonObject{}, key).status == 200);
        QVERIFY(QTest::qWaitFor([&] { return status() == QLatin1String("stopped"); }, kWaitMs));
        // The state is written before the lease is let go: the scrape may see the stopped session
        // still held here for a moment.
        PrometheusText stopped;
        QVERIFY(QTest::qWaitFor([&] {
            stopped = PrometheusText();
            error.clear();
            return PrometheusText::parse(scrapeRaw(app.port()), stopped, &error)
                && stopped.value(QStringLiteral("wadesk_sessions"), {{QStringLiteral("state"), QStringLiteral("stopped")}, {QStringLiteral("owner"), QStringLiteral("none")}}) == 1.0;
        }, kWaitMs));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(stopped.value(QStringLiteral("wadesk_sessions"), {{QStringLiteral("state"), QStringLiteral("stopped")}, {QStringLiteral("owner"), QStringLiteral("none")}}), 1.0);
        QVERIFY(std::isnan(stopped.value(QStringLiteral("wadesk_sessions"), {{QStringLiteral("owner"), kInstance}})));
        QVERIFY(app.stop());
    }
};

QTEST_GUILESS_MAIN(TestMetricsE2e)
#include "tst_metrics_e2e.moc"
