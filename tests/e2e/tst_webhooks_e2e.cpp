// Webhooks acceptance with the real `wadesk` binary (QProcess, headless, its own HOME/XDG
// directories, a free port, SQLite in its data directory). A WebhookReceiver and the fake
// WhatsApp Web page (FakeWhatsAppServer) are served from this process over loopback. The
// functions run in order and share one data directory:
//   a webhook registered over the API; a real client linked through the fake page and a real
//   message sent: client.qr, client.connected, message.sent, message.delivered and message.read
//   arrive with both signatures valid and no credentials in any payload;
//   the receiver stopped while events are produced, then started again: every event arrives;
//   kill -9 while a slow receiver has deliveries in flight and ~100 are pending: after a
//   restart every event id arrives at least once and every delivery ends succeeded.

#include "tests/support/BinarySandbox.h"
#include "tests/support/EngineApiClient.h"
#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/WebhookReceiver.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <memory>

using wadesk::test::Account;
using wadesk::test::ApiResponse;
using wadesk::test::ApiTestHarness;
using wadesk::test::EngineApiClient;
using wadesk::test::FakeWhatsAppServer;
using wadesk::test::WebhookReceiver;
using Behaviour = wadesk::test::WebhookReceiver::Behaviour;

using wadesk::test::freeLoopbackPort;
using wadesk::test::isolatedEnvironment;
using wadesk::test::wadeskBinary;

namespace {

constexpr int kWaitMs = 45000; // a cold Chromium in a fresh process, 2 busy cores
constexpr int kWebhookTimeoutMs = 3000;
const QString kSession = QStringLiteral("hooks");
const QString kPhone = QStringLiteral("14155552671");
const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);

// One run of the binary in the shared sandbox.
class Instance {
public:
    Instance(const QString &home, const QString &pageUrl, const QString &operatorOrganization)
    {
        QProcessEnvironment env = isolatedEnvironment(home);
        env.insert(QStringLiteral("WADESK_PASSWORD_HASH_COST"), QStringLiteral("min"));
        env.insert(QStringLiteral("WADESK_HEALTH_CACHE_MS"), QStringLiteral("0"));
        env.insert(QStringLiteral("WADESK_WA_URL"), pageUrl);
        env.insert(QStringLiteral("WADESK_INJECT_WAJS"), QStringLiteral("0"));
        env.insert(QStringLiteral("WADESK_PACING"), QStringLiteral("0"));
        env.insert(QStringLiteral("WADESK_CHECK_NUMBER_EXISTS"), QStringLiteral("0"));
        env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_INTERVAL_MS"), QStringLiteral("500"));
        env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_TIMEOUT_MS"), QStringLiteral("20000"));
        env.insert(QStringLiteral("WADESK_WEBHOOKS_ALLOW_PRIVATE"), QStringLiteral("1"));
        env.insert(QStringLiteral("WADESK_WEBHOOK_TIMEOUT_MS"), QString::number(kWebhookTimeoutMs));
        env.insert(QStringLiteral("WADESK_WEBHOOK_MAX_ATTEMPTS"), QStringLiteral("50"));
        if (!operatorOrganization.isEmpty())
            env.insert(QStringLiteral("WADESK_OPERATOR_ORG"), operatorOrganization);
        m_process.setProcessEnvironment(env);
        m_dataDir = home + QStringLiteral("/data");
        m_output = home + QStringLiteral("/output-%1.txt").arg(++s_runs);
        m_process.setStandardOutputFile(m_output);
        m_process.setStandardErrorFile(m_output, QIODevice::Append);
    }

    ~Instance()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(10000);
        }
    }

    bool start()
    {
        m_port = freeLoopbackPort();
        m_process.start(wadeskBinary(), {QStringLiteral("--headless"), QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--port"),
                                       QString::number(m_port)});
        if (!m_process.waitForStarted(10000))
            return false;
        return QTest::qWaitFor(
                   [&] {
                       if (m_process.state() != QProcess::Running)
                           return true;
                       wadesk::test::HttpTestClient c;
                       if (!c.connectTo(m_port, 1000))
                           return false;
                       c.send(wadesk::test::HttpTestClient::request("GET", "/health"));
                       return c.waitResponse(2000).status == 200;
                   },
                   kWaitMs)
            && m_process.state() == QProcess::Running;
    }

    bool stop(int timeoutMs = 30000)
    {
        if (m_process.state() == QProcess::NotRunning)
            return true;
        ::kill(pid_t(m_process.processId()), SIGTERM);
        const bool ended = QTest::qWaitFor([&] { return m_process.state() == QProcess::NotRunning; }, timeoutMs);
        if (!ended) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
        return ended;
    }

    bool killHard()
    {
        ::kill(pid_t(m_process.processId()), SIGKILL);
        return QTest::qWaitFor([&] { return m_process.state() == QProcess::NotRunning; }, 15000);
    }

    quint16 port() const { return m_port; }
    QString output() const
    {
        QFile f(m_output);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }
    QString logFile() const
    {
        QFile f(QDir(m_dataDir).filePath(QStringLiteral("logs/wadesk.log")));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

private:
    static inline int s_runs = 0;
    QProcess m_process;
    QString m_dataDir;
    QString m_output;
    quint16 m_port = 0;
};

} // namespace

class TestWebhooksE2e : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;
    FakeWhatsAppServer m_fake;
    WebhookReceiver m_receiver;
    std::unique_ptr<Instance> m_app;
    EngineApiClient m_http;
    Account m_admin;
    QString m_clientId;
    QString m_webhookId;
    QString m_secret;
    QString m_operatorOrganization;

    QString pageUrl() const
    {
        return m_fake.pageUrl(kSession, {{QStringLiteral("readyMs"), QStringLiteral("50")},
                                         {QStringLiteral("qrFirstMs"), QStringLiteral("30000")},
                                         {QStringLiteral("qrNextMs"), QStringLiteral("20000")},
                                         {QStringLiteral("qrMax"), QStringLiteral("100")},
                                         {QStringLiteral("syncMs"), QStringLiteral("300")},
                                         {QStringLiteral("ackMs"), QStringLiteral("200")}})
            .toString(QUrl::FullyEncoded);
    }

    bool startApp()
    {
        m_app = std::make_unique<Instance>(m_home.path(), pageUrl(), m_operatorOrganization);
        if (!m_app->start()) {
            qWarning("wadesk did not start:\n%s", qPrintable(m_app->output().right(4000)));
            return false;
        }
        m_http.setPort(m_app->port());
        return true;
    }

    wadesk::test::HeaderList key() const { return ApiTestHarness::apiKey(m_admin.apiKey); }

    ApiResponse call(const QByteArray &method, const QString &path, const QJsonValue &body = kNoBody)
    {
        return m_http.request(method, path, body, key());
    }

    QJsonObject command(const QString &cmd, const QJsonArray &args = {})
    {
        const int before = m_fake.results(kSession).size();
        m_fake.enqueue(kSession, cmd, args);
        if (!QTest::qWaitFor([&] { return m_fake.results(kSession).size() > before; }, kWaitMs))
            return {};
        return m_fake.results(kSession).at(before);
    }

    bool waitClientStatus(const QString &wanted)
    {
        const bool ok = QTest::qWaitFor(
            [&] { return m_http.status(m_admin, m_clientId).json.value(QLatin1String("status")).toString() == wanted; }, kWaitMs);
        if (!ok)
            qWarning("client status %s never came\n%s", qPrintable(wanted), qPrintable(m_app->logFile().right(3000)));
        return ok;
    }

    // Requests the receiver got for one event type.
    QList<WebhookReceiver::Request> received(const QString &event) const
    {
        QList<WebhookReceiver::Request> out;
        for (const auto &r : m_receiver.requests()) {
            if (r.event() == event)
                out << r;
        }
        return out;
    }

    // Every delivery of our webhook as the API lists it: delivery id → {event id, status}.
    QHash<QString, QPair<QString, QString>> deliveries()
    {
        QHash<QString, QPair<QString, QString>> out;
        for (int offset = 0;; offset += 500) {
            const ApiResponse r = call("GET", QStringLiteral("/api/webhooks/%1/deliveries?limit=500&offset=%2").arg(m_webhookId).arg(offset));
            if (r.status != 200) {
                qWarning("deliveries: %s", r.describe().constData());
                return out;
            }
            const QJsonArray items = r.json.value(QStringLiteral("deliveries")).toArray();
            for (const QJsonValue &v : items) {
                const QJsonObject d = v.toObject();
                out.insert(d.value(QStringLiteral("id")).toString(),
                           {d.value(QStringLiteral("event_id")).toString(), d.value(QStringLiteral("status")).toString()});
            }
            if (items.size() < 500)
                return out;
        }
    }

    // Every event the webhook has a delivery for was received, and every delivery succeeded.
    bool everyEventArrived(QString *missing)
    {
        const QHash<QString, QPair<QString, QString>> rows = deliveries();
        const QSet<QString> seen = m_receiver.webhookIds();
        QStringList notSeen;
        QStringList notDone;
        for (auto it = rows.begin(); it != rows.end(); ++it) {
            if (!seen.contains(it.value().first))
                notSeen << it.value().first;
            if (it.value().second != QLatin1String("succeeded"))
                notDone << it.key() + QLatin1Char('=') + it.value().second;
        }
        *missing = QStringLiteral("%1 deliveries; not received: %2; not succeeded: %3")
                       .arg(rows.size())
                       .arg(notSeen.join(QLatin1Char(' ')), notDone.join(QLatin1Char(' ')));
        return !rows.isEmpty() && notSeen.isEmpty() && notDone.isEmpty();
    }

    bool broadcast(int n, const QString &tag)
    {
        for (int i = 0; i < n; ++i) {
            const ApiResponse r = call("POST", QStringLiteral("/api/webhooks/broadcast"),
                                       QJsonObject{{QStringLiteral("event"), QStringLiteral("system.status")},
                                                   {QStringLiteral("data"), QJsonObject{{QStringLiteral("tag"), tag}, {QStringLiteral("n"), i}}}});
            if (r.status != 200) {
                qWarning("broadcast %d: %s", i, r.describe().constData());
                return false;
            }
        }
        return true;
    }

    int countTagged(const QString &tag) const
    {
        QSet<QString> ids;
        for (const auto &r : m_receiver.requests()) {
            if (r.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("tag")).toString() == tag)
                ids.insert(r.webhookId());
        }
        return int(ids.size());
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(wadeskBinary()), qPrintable(wadeskBinary()));
        QVERIFY(m_home.isValid());
        QVERIFY(m_fake.start());
        QVERIFY(m_receiver.start());
        QVERIFY(startApp());
        m_admin = m_http.registerOrganization(QStringLiteral("admin@hooks.test"), QStringLiteral("Hooks Org"));
        QVERIFY(m_admin.valid());
        // This installation's operator is this organization (it may broadcast): a restart with
        // the setting.
        m_operatorOrganization = m_admin.organizationId;
        QVERIFY(m_app->stop());
        QVERIFY(startApp());

        const ApiResponse r = call("POST", QStringLiteral("/api/webhooks"),
                                   QJsonObject{{QStringLiteral("url"), m_receiver.url(QStringLiteral("/e2e"))},
                                               {QStringLiteral("events"), QJsonArray{QStringLiteral("*")}}});
        QVERIFY2(r.status == 201, r.describe().constData());
        const QJsonObject hook = r.json.value(QStringLiteral("webhook")).toObject();
        m_webhookId = hook.value(QStringLiteral("id")).toString();
        m_secret = hook.value(QStringLiteral("secret")).toString();
        QVERIFY(m_secret.startsWith(QLatin1String("whsec_")));
    }

    void cleanupTestCase()
    {
        if (m_app)
            m_app->stop();
    }

    // A real client and a real message: the engine's and messaging's events arrive signed.
    void realMessageEventsArriveSigned()
    {
        m_clientId = m_http.createClient(m_admin, QStringLiteral("Desk"));
        QVERIFY(!m_clientId.isEmpty());
        const ApiResponse init = call("POST", QStringLiteral("/api/clients/%1/init").arg(m_clientId), QJsonObject{});
        QVERIFY2(init.status == 200, init.describe().constData());
        QVERIFY(waitClientStatus(QStringLiteral("qr")));
        QVERIFY(QTest::qWaitFor([&] { return !received(QStringLiteral("client.qr")).isEmpty(); }, kWaitMs));
        const QJsonObject scan = command(QStringLiteral("scan"), {kPhone});
        QVERIFY2(scan.value(QLatin1String("result")).toObject().value(QLatin1String("ok")).toBool(), QJsonDocument(scan).toJson().constData());
        QVERIFY(waitClientStatus(QStringLiteral("ready")));
        QVERIFY(QTest::qWaitFor([&] { return !received(QStringLiteral("client.connected")).isEmpty(); }, kWaitMs));

        const ApiResponse sent = call("POST", QStringLiteral("/api/clients/%1/send-message").arg(m_clientId),
                                      QJsonObject{{QStringLiteral("to"), QStringLiteral("14155550123")},
                                                  {QStringLiteral("message"), QStringLiteral("Hello from the webhook test")}});
        QVERIFY2(sent.status == 200 || sent.status == 202, sent.describe().constData());
        const QString messageId = sent.json.value(QStringLiteral("messageId")).toString();
        QVERIFY(!messageId.isEmpty());
        for (const QString &event : {QStringLiteral("message.sent"), QStringLiteral("message.delivered"), QStringLiteral("message.read")}) {
            const bool arrived = QTest::qWaitFor(
                [&] {
                    for (const auto &r : received(event)) {
                        if (QJsonDocument(r.json()).toJson().contains(messageId.toUtf8()))
                            return true;
                    }
                    return false;
                },
                kWaitMs);
            QVERIFY2(arrived, qPrintable(event + QLatin1String(" for ") + messageId + QLatin1String(" never arrived\n") + m_app->logFile().right(3000)));
        }
        QVERIFY(m_receiver.count() >= 5);
        for (const auto &r : m_receiver.requests()) {
            QVERIFY2(WebhookReceiver::verify(r, m_secret), qPrintable(r.event()));
            QCOMPARE(r.json().value(QStringLiteral("organization_id")).toString(), m_admin.organizationId);
            QCOMPARE(r.json().value(QStringLiteral("event")).toString(), r.event());
            // Credentials never appear in payloads.
            for (const QString &credential : {m_admin.apiKey, m_admin.token, m_admin.password, m_secret, m_secret.mid(6)})
                QVERIFY2(!r.body.contains(credential.toUtf8()), qPrintable(r.event()));
        }
    }

    // The receiver goes away while events happen, then comes back: every event arrives.
    void receiverDownThenBack()
    {
        m_receiver.stop();
        QVERIFY(broadcast(10, QStringLiteral("down")));
        const ApiResponse sent = call("POST", QStringLiteral("/api/clients/%1/send-message").arg(m_clientId),
                                      QJsonObject{{QStringLiteral("to"), QStringLiteral("14155550124")},
                                                  {QStringLiteral("message"), QStringLiteral("While the receiver is down")}});
        QVERIFY2(sent.status == 200 || sent.status == 202, sent.describe().constData());
        // Attempts fail (connection refused) and are scheduled again.
        QVERIFY(QTest::qWaitFor(
            [&] {
                int retrying = 0;
                for (const auto &d : deliveries())
                    retrying += d.second == QLatin1String("retrying") ? 1 : 0;
                return retrying >= 10;
            },
            kWaitMs));
        QTest::qWait(1000);
        QVERIFY(m_receiver.start(m_receiver.port()));
        QString missing;
        const bool all = QTest::qWaitFor([&] { return everyEventArrived(&missing); }, 60000);
        QVERIFY2(all, qPrintable(missing));
        QCOMPARE(countTagged(QStringLiteral("down")), 10);
        QVERIFY(!received(QStringLiteral("message.sent")).isEmpty());
        for (const auto &r : m_receiver.requests())
            QVERIFY(WebhookReceiver::verify(r, m_secret));
    }

    // kill -9 with deliveries in flight to a slow receiver and about 100 pending: after a restart
    // every event id arrives at least once and every delivery ends succeeded.
    void killWithPendingAndInFlight()
    {
        const int baseline = m_receiver.count();
        m_receiver.setResponseDelayMs(1000);
        const int before = int(deliveries().size());
        QVERIFY(broadcast(100, QStringLiteral("kill")));
        QVERIFY(m_receiver.waitForCount(baseline + 6, 30000)); // some delivered, some in flight right now
        const QHash<QString, QPair<QString, QString>> atKill = deliveries();
        int pending = 0;
        int inFlight = 0;
        for (const auto &d : atKill) {
            pending += d.second == QLatin1String("pending") || d.second == QLatin1String("retrying") ? 1 : 0;
            inFlight += d.second == QLatin1String("delivering") ? 1 : 0;
        }
        QCOMPARE(int(atKill.size()), before + 100);
        QVERIFY2(pending >= 80, qPrintable(QString::number(pending)));
        QVERIFY(m_app->killHard());
        qInfo("killed with %d pending and %d in flight", pending, inFlight);
        QVERIFY2(inFlight >= 1, "the slow receiver should have had requests in flight");

        m_receiver.setResponseDelayMs(0);
        QVERIFY(startApp());
        // Pending ones go out at once; the ones in flight at the kill once their lease (the
        // transfer timeout + 60 s) has run out.
        QString missing;
        const bool all = QTest::qWaitFor([&] { return everyEventArrived(&missing); }, 120000);
        QVERIFY2(all, qPrintable(missing));
        QCOMPARE(countTagged(QStringLiteral("kill")), 100);
        for (const auto &r : m_receiver.requests())
            QVERIFY(WebhookReceiver::verify(r, m_secret));
        // At least once: duplicates are possible for what was in flight, never more than that.
        QVERIFY2(m_receiver.count() - baseline <= 100 + inFlight + 4, qPrintable(QString::number(m_receiver.count() - baseline)));
    }
};

QTEST_GUILESS_MAIN(TestWebhooksE2e)
#include "tst_webhooks_e2e.moc"
