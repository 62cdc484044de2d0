// Linking by phone number over real HTTP with the engine in process, on SQLite and PostgreSQL:
// a migrated database, a SessionRegistry on the main thread whose sessions load the project's
// fake WhatsApp Web page (tests/fixtures/fake-whatsapp, from file://, driven through
// runJavaScript("__fake…")), and the REST API (ApiService, its own thread) on a loopback port.
//
// POST /api/clients/:clientId/pairing-code {phone}: 409 client_not_linkable before the client
// shows its QR code; 400 for a missing, malformed or invalid number; 404 for an unknown client and
// another organization's; 403 for agents and viewers; every refusal leaves the audit log and the
// page alone. A number WhatsApp refuses answers 422 phone_number_refused; a good one answers the
// code the page gave, the phone types it, and the client becomes ready with that number (one
// audit entry per code asked of the page). A linked client answers 409; the fake page itself
// refuses a code once linked, as wa-js does.

#include "tests/support/EngineApiClient.h"
#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/api/ApiService.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/engine/SessionRegistry.h"
#include "core/engine/WaSession.h"
#include "core/events/EventBus.h"

#include <QDir>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>
#include <QUrlQuery>
#include <QWebEnginePage>
#include <QWebEngineScript>

#include <memory>
#include <unistd.h>

using namespace wadesk;
using wadesk::test::Account;
using wadesk::test::ApiResponse;
using wadesk::test::ApiTestHarness;
using wadesk::test::EngineApiClient;
using wadesk::test::HeaderList;

namespace {

constexpr int kWaitMs = 30000;
const QString kPhone = QStringLiteral("+14155552671");

QUrl fakeUrl()
{
    QUrl url = QUrl::fromLocalFile(QDir(test::FakeWhatsAppServer::defaultFixtureDirectory()).filePath(QStringLiteral("index.html")));
    QUrlQuery query;
    for (const auto &[key, value] : QList<QPair<QString, QString>>{{QStringLiteral("readyMs"), QStringLiteral("50")},
                                                                    {QStringLiteral("qrFirstMs"), QStringLiteral("60000")},
                                                                    {QStringLiteral("qrMax"), QStringLiteral("100")},
                                                                    {QStringLiteral("syncMs"), QStringLiteral("200")}})
        query.addQueryItem(key, value);
    url.setQuery(query);
    return url;
}

QVariant runJs(QWebEnginePage *page, const QString &code, int timeoutMs = 10000)
{
    if (!page)
        return {};
    auto state = std::make_shared<std::pair<bool, QVariant>>(false, QVariant());
    page->runJavaScript(code, QWebEngineScript::MainWorld, [state](const QVariant &v) {
        state->first = true;
        state->second = v;
    });
    if (!QTest::qWaitFor([&] { return state->first; }, timeoutMs))
        qWarning("runJavaScript timed out: %s", qPrintable(code.left(200)));
    return state->second;
}

QJsonValue js(QWebEnginePage *page, const QString &expr)
{
    const QString code = QStringLiteral("JSON.stringify({v: (function () { return (%1); })()})").arg(expr);
    return QJsonDocument::fromJson(runJs(page, code).toString().toUtf8()).object().value(QLatin1String("v"));
}

} // namespace

class TestPairingCode : public QObject {
    Q_OBJECT

    // One database of the row's dialect, the engine and the API over it.
    struct Stack {
        test::TestDatabase db;
        std::unique_ptr<QTemporaryDir> data;
        EventBus bus;
        std::unique_ptr<SessionRegistry> registry;
        std::unique_ptr<ApiService> api;
        ~Stack()
        {
            if (api)
                api->stop(0);
            api.reset();
            if (registry)
                registry->stopAll();
            registry.reset();
            if (db.database)
                db.database->closeThreadConnection();
        }
    };

    int scalar(Database &db, const QString &sqlText)
    {
        SqlRunner sql(db);
        Result<QSqlQuery> q = sql.run(sqlText, {});
        if (!q || !q.value().next())
            return -1;
        return q.value().value(0).toInt();
    }

private slots:
    void linkByPairingCode_data() { test::addDialectRows(); }
    void linkByPairingCode()
    {
        QFETCH(QString, dialect);
        Stack s;
        QString skip;
        s.db = test::makeDatabase(dialect, &skip);
        if (!s.db.database) {
            if (test::PgCluster::required())
                QFAIL(qPrintable(skip));
            QSKIP(qPrintable(skip));
        }
        Database &db = *s.db.database;
        const Result<int> migrated = Migrator(db, Migrator::embeddedDirectory(dialect)).migrate();
        QVERIFY2(migrated.ok(), migrated ? "" : qPrintable(migrated.error().message));
        s.data = std::make_unique<QTemporaryDir>();
        EngineSettings engine;
        engine.dataDir = s.data->path();
        engine.url = fakeUrl();
        engine.injectWaJs = false;
        engine.heartbeatIntervalMs = 250;
        engine.heartbeatTimeoutMs = 15000;
        engine.readyTimeoutMs = 20000;
        s.registry = std::make_unique<SessionRegistry>(db, s.bus, engine);
        ApiService::Options o;
        o.services.auth.passwordCost = PasswordHasher::Cost::Minimal;
        o.services.auth.authCacheMs = 0;
        o.api.healthCacheMs = 0;
        o.shared.sessions = s.registry.get();
        o.shared.database = &db;
        o.shared.jwtKey = QByteArrayLiteral("pairing-test-jwt-key-0123456789abcdef0123456789");
        o.api.port = 0;
        s.api = std::make_unique<ApiService>(o);
        const Result<quint16> port = s.api->start();
        QVERIFY(port.ok());
        EngineApiClient http(port.value());

        const Account admin = http.registerOrganization(QStringLiteral("admin@pairing.test"), QStringLiteral("Pairing Org"));
        const Account other = http.registerOrganization(QStringLiteral("admin@other.test"), QStringLiteral("Other Org"));
        QVERIFY(admin.valid() && other.valid());
        const Account agent = http.createMember(admin, QStringLiteral("agent"), QStringLiteral("agent@pairing.test"));
        const Account viewer = http.createMember(admin, QStringLiteral("viewer"), QStringLiteral("viewer@pairing.test"));
        const Account manager = http.createMember(admin, QStringLiteral("manager"), QStringLiteral("manager@pairing.test"));
        QVERIFY(agent.valid() && viewer.valid() && manager.valid());
        const QString client = http.createClient(admin, QStringLiteral("Front desk"));
        QVERIFY(!client.isEmpty());
        QVERIFY(http.assign(admin, agent.userId, client));
        QVERIFY(http.assign(admin, viewer.userId, client));
        const QString path = QStringLiteral("/api/clients/%1/pairing-code").arg(client);
        auto ask = [&](const Account &who, const QJsonValue &body, const QString &at = QString()) {
            return http.request("POST", at.isEmpty() ? path : at, body, ApiTestHarness::apiKey(who.apiKey));
        };
        const QJsonObject good{{QStringLiteral("phone"), kPhone}};
        const auto audits = [&] { return scalar(db, QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'request_pairing_code'")); };

        // Not started: nothing to link yet.
        ApiResponse r = ask(admin, good);
        QVERIFY2(r.isError(409, QStringLiteral("client_not_linkable")), r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("details")).toObject().value(QLatin1String("status")).toString(), QStringLiteral("stopped"));

        const ApiResponse init = http.request("POST", QStringLiteral("/api/clients/%1/init").arg(client), QJsonObject{},
                                              ApiTestHarness::apiKey(admin.apiKey));
        QVERIFY2(init.status == 200, init.describe().constData());
        QVERIFY(QTest::qWaitFor([&] {
            WaSession *w = s.registry->session(client);
            return w && w->state() == SessionState::Qr && !w->qrText().isEmpty();
        }, kWaitMs));
        QWebEnginePage *page = s.registry->session(client)->page();

        // Bad input, wrong callers: clear errors, no audit entry, nothing asked of the page.
        QVERIFY2((r = ask(admin, QJsonObject{})).isError(400, QStringLiteral("validation_failed")), r.describe().constData());
        QVERIFY2((r = ask(admin, QJsonObject{{QStringLiteral("phone"), 14155552671LL}})).isError(400, QStringLiteral("validation_failed")),
                 r.describe().constData());
        QVERIFY2((r = ask(admin, QJsonObject{{QStringLiteral("phone"), QStringLiteral("call me")}})).isError(400, QStringLiteral("invalid_phone_number")),
                 r.describe().constData());
        QVERIFY2((r = ask(admin, QJsonObject{{QStringLiteral("phone"), QStringLiteral("+1 415 555")}})).isError(400, QStringLiteral("invalid_phone_number")),
                 r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("details")).toObject().value(QLatin1String("field")).toString(), QStringLiteral("phone"));
        QVERIFY2((r = ask(admin, QJsonObject{{QStringLiteral("phone"), QString(41, QLatin1Char('1'))}})).isError(400, QStringLiteral("validation_failed")),
                 r.describe().constData());
        r = http.request("POST", path, QJsonValue(QJsonArray{kPhone}), ApiTestHarness::apiKey(admin.apiKey));
        QVERIFY2(r.status == 400 && !r.code().isEmpty(), r.describe().constData());
        QVERIFY2((r = ask(agent, good)).isError(403, QStringLiteral("forbidden")), r.describe().constData());
        QVERIFY2((r = ask(viewer, good)).isError(403, QStringLiteral("forbidden")), r.describe().constData());
        QVERIFY2((r = ask(other, good)).isError(404, QStringLiteral("not_found")), r.describe().constData());
        QVERIFY2((r = ask(admin, good, QStringLiteral("/api/clients/client_doesnotexist/pairing-code"))).isError(404, QStringLiteral("not_found")),
                 r.describe().constData());
        r = http.request("POST", path, good);
        QCOMPARE(r.status, 401);
        QCOMPARE(audits(), 0);
        QCOMPARE(js(page, QStringLiteral("__fake.state().pairingRequests.length")).toInt(-1), 0);

        // A number WhatsApp will not link (the fake's notOnWhatsApp: ending in 0000).
        QVERIFY2((r = ask(manager, QJsonObject{{QStringLiteral("phone"), QStringLiteral("+14155550000")}}))
                     .isError(422, QStringLiteral("phone_number_refused")),
                 r.describe().constData());
        QCOMPARE(audits(), 1);

        // The code: the page's own, for the digits of the number; typed on the phone, it links.
        r = ask(admin, QJsonObject{{QStringLiteral("phone"), QStringLiteral("14155552671")}}); // E.164 without "+" is read as such
        QVERIFY2(r.status == 200, r.describe().constData());
        const QString code = r.json.value(QLatin1String("code")).toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^[1-9A-HJ-NP-TV-Z]{8}$")).match(code).hasMatch(), qPrintable(code));
        QCOMPARE(r.json.value(QLatin1String("phone")).toString(), kPhone);
        QCOMPARE(r.header("cache-control"), QByteArrayLiteral("no-store"));
        QCOMPARE(js(page, QStringLiteral("__fake.state().pairingCode")).toString(), code);
        QCOMPARE(js(page, QStringLiteral("__fake.state().pairingPhone")).toString(), kPhone.mid(1));
        QCOMPARE(js(page, QStringLiteral("__fake.state().pairingRequests.slice(-1)[0].push")).toBool(), true);
        QCOMPARE(audits(), 2);
        {
            SqlRunner sql(db);
            Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT user_id, resource_id, details FROM audit_logs WHERE action = 'request_pairing_code' "
                                                         "ORDER BY seq DESC"),
                                          {});
            QVERIFY(q && q.value().next());
            QCOMPARE(q.value().value(1).toString(), client);
            QVERIFY(q.value().value(2).toString().contains(kPhone));
        }

        QVERIFY(!js(page, QStringLiteral("__fake.enterPairingCode('AAAA-AAAA')")).toObject().value(QLatin1String("ok")).toBool());
        const QString typed = (code.left(4) + QLatin1Char('-') + code.mid(4)).toLower();
        QVERIFY(js(page, QStringLiteral("__fake.enterPairingCode('%1')").arg(typed)).toObject().value(QLatin1String("ok")).toBool());
        bool ready = false;
        http.waitForStatus(admin, client, {QStringLiteral("ready")}, kWaitMs, &ready);
        QVERIFY(ready);
        QTRY_COMPARE_WITH_TIMEOUT(http.status(admin, client).json.value(QLatin1String("phoneNumber")).toString(), kPhone, kWaitMs);

        // Linked: no code from WaDesk, and none from the page (wa-js refuses once authenticated).
        QVERIFY2((r = ask(admin, good)).isError(409, QStringLiteral("client_not_linkable")), r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("details")).toObject().value(QLatin1String("status")).toString(), QStringLiteral("ready"));
        QCOMPARE(audits(), 2);
        runJs(page, QStringLiteral("window.__pairingAfterLink = null; WPP.conn.genLinkDeviceCodeForPhoneNumber('14155552671')"
                                   ".then((c) => { window.__pairingAfterLink = 'code ' + c; })"
                                   ".catch((e) => { window.__pairingAfterLink = e.code; }); true"));
        QTRY_COMPARE_WITH_TIMEOUT(js(page, QStringLiteral("window.__pairingAfterLink")).toString(),
                                  QStringLiteral("cannot_get_code_for_already_authenticated"), kWaitMs);
    }
};

int main(int argc, char **argv)
{
    if (::geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX"))
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QTWEBENGINE_CHROMIUM_FLAGS"))
        qputenv("QTWEBENGINE_CHROMIUM_FLAGS",
                "--disable-background-timer-throttling --disable-renderer-backgrounding --disable-backgrounding-occluded-windows");
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QGuiApplication app(argc, argv);
    TestPairingCode test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_pairing_code.moc"
