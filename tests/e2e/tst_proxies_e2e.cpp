// Per-client proxies, end to end: the real `wadesk` binary (headless, SQLite), two clients each
// given its own proxy of the pool through the REST API (one HTTP, one SOCKS5, both with
// credentials), and the fake WhatsApp Web page served at a name only those proxies resolve.
//
// The name `web.whatsapp.test` leads to a different fake page server depending on the proxy that
// resolves it (proxy A → 127.0.0.1, proxy B → 127.0.0.2, same port), so a client can only link by
// the commands of the server its own proxy reaches: linking client A by server A's page while
// client B still shows its QR proves that neither client's traffic took the other's proxy.
// Chromium never proxies loopback, hence the name.

#include "tests/support/BinarySandbox.h"
#include "tests/support/EngineApiClient.h"
#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/TestProxy.h"
#include "tests/support/WadeskInstance.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <memory>

using wadesk::test::Account;
using wadesk::test::ApiResponse;
using wadesk::test::ApiTestHarness;
using wadesk::test::EngineApiClient;
using wadesk::test::FakeWhatsAppServer;
using wadesk::test::TestProxy;
using wadesk::test::WadeskInstance;
using wadesk::test::wadeskBinary;

namespace {

constexpr int kWaitMs = 60000; // a cold Chromium in a fresh process, 2 busy cores
const QString kSession = QStringLiteral("proxied");
const QString kHost = QStringLiteral("web.whatsapp.test");
const QString kUserA = QStringLiteral("alpha-user");
const QString kPasswordA = QStringLiteral("alpha-secret-7431");
const QString kUserB = QStringLiteral("bravo-user");
const QString kPasswordB = QStringLiteral("bravo-secret-9902");
const QJsonValue kNoBody(QJsonValue::Undefined);

// The binary as these tests run it: the fake page at a name only the test proxies resolve, proxies
// checked every second against that page's port.
QProcessEnvironment instanceEnvironment(const QString &pageUrl, quint16 checkPort)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("WADESK_PASSWORD_HASH_COST"), QStringLiteral("min"));
    env.insert(QStringLiteral("WADESK_HEALTH_CACHE_MS"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_AUTH_CACHE_MS"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_WA_URL"), pageUrl);
    env.insert(QStringLiteral("WADESK_INJECT_WAJS"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_INTERVAL_MS"), QStringLiteral("500"));
    env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_TIMEOUT_MS"), QStringLiteral("20000"));
    env.insert(QStringLiteral("WADESK_PROXY_CHECK_INTERVAL_SEC"), QStringLiteral("1"));
    env.insert(QStringLiteral("WADESK_PROXY_CHECK_TIMEOUT_SEC"), QStringLiteral("3"));
    env.insert(QStringLiteral("WADESK_PROXY_CHECK_TARGET"), QStringLiteral("%1:%2").arg(kHost).arg(checkPort));
    env.insert(QStringLiteral("WADESK_LOG_LEVEL"), QStringLiteral("debug"));
    return env;
}

} // namespace

class TestProxiesE2e : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;
    FakeWhatsAppServer m_fakeA; // 127.0.0.1:P, reached through proxy A
    FakeWhatsAppServer m_fakeB; // 127.0.0.2:P, reached through proxy B
    TestProxy m_proxyA;         // HTTP
    TestProxy m_proxyB;         // SOCKS5
    std::unique_ptr<WadeskInstance> m_app;
    EngineApiClient m_http;
    Account m_admin;
    QString m_clientA, m_clientB;
    QString m_poolA, m_poolB;

    QString pageUrl() const
    {
        const QString base = QStringLiteral("http://%1:%2").arg(kHost).arg(m_fakeA.port());
        QUrl url(base + QStringLiteral("/index.html"));
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("control"), base);
        q.addQueryItem(QStringLiteral("session"), kSession);
        q.addQueryItem(QStringLiteral("readyMs"), QStringLiteral("50"));
        q.addQueryItem(QStringLiteral("qrFirstMs"), QStringLiteral("30000"));
        q.addQueryItem(QStringLiteral("qrNextMs"), QStringLiteral("20000"));
        q.addQueryItem(QStringLiteral("qrMax"), QStringLiteral("100"));
        q.addQueryItem(QStringLiteral("syncMs"), QStringLiteral("300"));
        url.setQuery(q);
        return url.toString(QUrl::FullyEncoded);
    }

    bool startApp()
    {
        m_app = std::make_unique<WadeskInstance>(m_home.path(), instanceEnvironment(pageUrl(), m_fakeA.port()), kWaitMs);
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

    QJsonObject status(const QString &clientId) { return m_http.status(m_admin, clientId).json; }

    bool waitStatus(const QString &clientId, const QString &wanted, int timeoutMs = kWaitMs)
    {
        QString last;
        const bool ok = QTest::qWaitFor(
            [&] {
                last = status(clientId).value(QLatin1String("status")).toString();
                return last == wanted;
            },
            timeoutMs);
        if (!ok)
            qWarning("client %s: status %s never came (last %s)\n%s", qPrintable(clientId), qPrintable(wanted), qPrintable(last),
                     qPrintable(m_app->logFile().right(3000)));
        return ok;
    }

    // Runs one command in the pages served by `fake`; its result.
    QJsonObject command(FakeWhatsAppServer &fake, const QString &cmd, const QJsonArray &args = {})
    {
        const int before = fake.results(kSession).size();
        fake.enqueue(kSession, cmd, args);
        if (!QTest::qWaitFor([&] { return fake.results(kSession).size() > before; }, kWaitMs)) {
            qWarning("the page never ran %s (polls so far: %d)", qPrintable(cmd), fake.polls(kSession));
            return {};
        }
        return fake.results(kSession).at(before);
    }

    QString createProxy(const QString &label, const QString &type, const TestProxy &proxy, const QString &user,
                        const QString &password, const QString &country)
    {
        const ApiResponse r = call("POST", QStringLiteral("/api/proxies"),
                                   QJsonObject{{QStringLiteral("type"), type},
                                               {QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                                               {QStringLiteral("port"), int(proxy.port())},
                                               {QStringLiteral("username"), user},
                                               {QStringLiteral("password"), password},
                                               {QStringLiteral("label"), label},
                                               {QStringLiteral("country"), country}});
        if (r.status != 201)
            qWarning("%s", r.describe().constData());
        return r.json.value(QLatin1String("proxy")).toObject().value(QLatin1String("id")).toString();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(wadeskBinary()), qPrintable(wadeskBinary()));
        QVERIFY(m_home.isValid());
        QVERIFY(m_fakeA.start());
        QVERIFY2(m_fakeB.start(m_fakeA.port(), QHostAddress(QStringLiteral("127.0.0.2"))), "127.0.0.2 on the same port");
        m_proxyA.requireCredentials(kUserA, kPasswordA);
        m_proxyA.mapHost(kHost, QHostAddress(QStringLiteral("127.0.0.1")));
        m_proxyB.requireCredentials(kUserB, kPasswordB);
        m_proxyB.mapHost(kHost, QHostAddress(QStringLiteral("127.0.0.2")));
        QVERIFY(m_proxyA.start());
        QVERIFY(m_proxyB.start());
        QVERIFY(startApp());
        m_admin = m_http.registerOrganization(QStringLiteral("admin@proxies.test"), QStringLiteral("Proxy Org"));
        QVERIFY(m_admin.valid());
        m_clientA = m_http.createClient(m_admin, QStringLiteral("Alpha"));
        m_clientB = m_http.createClient(m_admin, QStringLiteral("Bravo"));
        QVERIFY(!m_clientA.isEmpty() && !m_clientB.isEmpty());
    }

    // Each client through its own proxy, assigned through the API; neither takes the other's.
    void twoClientsLinkThroughTheirOwnProxies()
    {
        m_poolA = createProxy(QStringLiteral("Alpha HTTP"), QStringLiteral("http"), m_proxyA, kUserA, kPasswordA, QStringLiteral("BR"));
        m_poolB = createProxy(QStringLiteral("Bravo SOCKS"), QStringLiteral("socks5"), m_proxyB, kUserB, kPasswordB, QString());
        QVERIFY(!m_poolA.isEmpty() && !m_poolB.isEmpty());
        QVERIFY(call("PATCH", QStringLiteral("/api/clients/%1").arg(m_clientA), QJsonObject{{QStringLiteral("proxy_id"), m_poolA}}).status == 200);
        QVERIFY(call("PATCH", QStringLiteral("/api/clients/%1").arg(m_clientB), QJsonObject{{QStringLiteral("proxy_id"), m_poolB}}).status == 200);

        // Checked by the monitor through each proxy (the check target is the fake page's port).
        QVERIFY(QTest::qWaitFor(
            [&] {
                const QJsonArray list = call("GET", QStringLiteral("/api/proxies")).json.value(QLatin1String("proxies")).toArray();
                int healthy = 0;
                for (const QJsonValue &p : list)
                    healthy += p.toObject().value(QLatin1String("healthy")).toBool(false) ? 1 : 0;
                return healthy == 2;
            },
            kWaitMs));

        QVERIFY(call("POST", QStringLiteral("/api/clients/%1/init").arg(m_clientA), QJsonObject{}).status == 200);
        QVERIFY(call("POST", QStringLiteral("/api/clients/%1/init").arg(m_clientB), QJsonObject{}).status == 200);
        QVERIFY(waitStatus(m_clientA, QStringLiteral("qr")));
        QVERIFY(waitStatus(m_clientB, QStringLiteral("qr")));
        QVERIFY(m_fakeA.count(QStringLiteral("GET /index.html")) >= 1);
        QVERIFY(m_fakeB.count(QStringLiteral("GET /index.html")) >= 1);

        // Client A's page is the one server A controls: scanning there links A and only A.
        const QJsonObject scanA = command(m_fakeA, QStringLiteral("scan"), {QStringLiteral("5511999990001")});
        QVERIFY2(scanA.value(QLatin1String("ok")).toBool(), QJsonDocument(scanA).toJson().constData());
        QVERIFY(waitStatus(m_clientA, QStringLiteral("ready")));
        QTest::qWait(1000);
        QCOMPARE(status(m_clientB).value(QLatin1String("status")).toString(), QStringLiteral("qr"));
        const QJsonObject scanB = command(m_fakeB, QStringLiteral("scan"), {QStringLiteral("4915100000002")});
        QVERIFY2(scanB.value(QLatin1String("ok")).toBool(), QJsonDocument(scanB).toJson().constData());
        QVERIFY(waitStatus(m_clientB, QStringLiteral("ready")));
        QCOMPARE(status(m_clientA).value(QLatin1String("phoneNumber")).toString(), QStringLiteral("+5511999990001"));
        QCOMPARE(status(m_clientB).value(QLatin1String("phoneNumber")).toString(), QStringLiteral("+4915100000002"));

        // Each upstream saw only its own credentials (the proxies refuse any other) and only the
        // page's name (nothing else resolves there).
        for (const TestProxy *proxy : {&m_proxyA, &m_proxyB}) {
            int accepted = 0;
            for (const TestProxy::Connection &c : proxy->connections()) {
                if (!c.accepted)
                    continue;
                ++accepted;
                QCOMPARE(c.username, proxy == &m_proxyA ? kUserA : kUserB);
                QVERIFY2(c.target.startsWith(kHost + QLatin1Char(':')), qPrintable(c.target));
            }
            QVERIFY(accepted >= 2);
        }
    }

    // The pool never gives a password back; the log never holds one.
    void passwordsStaySecret()
    {
        const ApiResponse list = call("GET", QStringLiteral("/api/proxies"));
        QCOMPARE(list.status, 200);
        const ApiResponse one = call("GET", QStringLiteral("/api/proxies/%1").arg(m_poolA));
        QCOMPARE(one.status, 200);
        for (const ApiResponse *r : {&list, &one}) {
            QVERIFY(!r->body.contains(kPasswordA.toUtf8()));
            QVERIFY(!r->body.contains(kPasswordB.toUtf8()));
        }
        QCOMPARE(one.json.value(QLatin1String("proxy")).toObject().value(QLatin1String("has_password")).toBool(), true);
        const QString log = m_app->logFile() + m_app->output();
        QVERIFY(!log.isEmpty());
        QVERIFY(!log.contains(kPasswordA));
        QVERIFY(!log.contains(kPasswordB));
    }

    // With its proxy down, a client does not come back after a restart (and never goes direct),
    // the other does; the dead proxy is reported; when the proxy returns, so does the client.
    void deadProxyKeepsItsClientWaiting()
    {
        QVERIFY(m_app->stop());
        m_proxyB.stop();
        const int pagesOfB = m_fakeB.requestLog().size();
        QVERIFY(startApp());

        QVERIFY(waitStatus(m_clientA, QStringLiteral("ready"))); // restored through proxy A, no QR
        QVERIFY(QTest::qWaitFor(
            [&] {
                const QJsonObject p = call("GET", QStringLiteral("/api/proxies/%1").arg(m_poolB)).json.value(QLatin1String("proxy")).toObject();
                return p.value(QLatin1String("healthy")).isBool() && !p.value(QLatin1String("healthy")).toBool()
                    && !p.value(QLatin1String("last_error")).toString().isEmpty();
            },
            kWaitMs));
        QVERIFY(waitStatus(m_clientB, QStringLiteral("disconnected")));
        const QJsonObject waiting = status(m_clientB);
        QVERIFY2(waiting.value(QLatin1String("last_error")).toString().contains(QLatin1String("Bravo SOCKS")),
                 QJsonDocument(waiting).toJson().constData());
        // It stays that way, and nothing of it reached its page by any other road.
        QTest::qWait(3000);
        QCOMPARE(status(m_clientB).value(QLatin1String("status")).toString(), QStringLiteral("disconnected"));
        QCOMPARE(m_fakeB.requestLog().size(), pagesOfB);
        QCOMPARE(status(m_clientA).value(QLatin1String("status")).toString(), QStringLiteral("ready"));

        // The proxy comes back on its address: the client follows, linked as before.
        QVERIFY(m_proxyB.start(m_proxyB.port()));
        QVERIFY(waitStatus(m_clientB, QStringLiteral("ready")));
        QCOMPARE(call("GET", QStringLiteral("/api/proxies/%1").arg(m_poolB)).json.value(QLatin1String("proxy")).toObject().value(QLatin1String("healthy")).toBool(),
                 true);

        QVERIFY(m_app->stop());
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("inspect"));
            db.setDatabaseName(m_app->dataDir() + QStringLiteral("/wadesk.db"));
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT data FROM events WHERE type = 'client.proxy_failed'")));
            int forB = 0, forA = 0;
            while (q.next()) {
                const QJsonObject data = QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object();
                const QString text = QString::fromUtf8(QJsonDocument(data).toJson());
                forB += text.contains(m_clientB) ? 1 : 0;
                forA += text.contains(m_clientA) ? 1 : 0;
            }
            QVERIFY(forB >= 1);
            QCOMPARE(forA, 0);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("inspect"));
    }

    void cleanupTestCase()
    {
        if (m_app)
            m_app->stop();
    }
};

QTEST_GUILESS_MAIN(TestProxiesE2e)
#include "tst_proxies_e2e.moc"
