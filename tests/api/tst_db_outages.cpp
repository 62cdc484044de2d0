// The REST API through a PostgreSQL outage and against malformed ids, on a real cluster that the
// test stops and starts: every route of the router table, given an id with a NUL or another
// control character or an overlong one, answers 404 (or 400) before any SQL, never 500; while
// the server is stopped every route answers 503 database_unavailable with Retry-After (or, for
// the few that need no database, what they always answer), never 500 and never a 401 for a
// valid key; /metrics says the database is down; once the server is back the same requests
// answer 200 again within 5 s.

#include "tests/support/ApiTestHarness.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSqlQuery>
#include <QTest>

using namespace wadesk;
using namespace wadesk::test;

namespace {

// The path of `pattern` with each ":param" replaced by what `valueFor` gives for its name.
template <typename ValueFor>
QString fill(const QString &pattern, ValueFor valueFor)
{
    QStringList parts = pattern.split(QLatin1Char('/'));
    for (QString &part : parts) {
        if (part.startsWith(QLatin1Char(':')))
            part = valueFor(part.mid(1));
    }
    return parts.join(QLatin1Char('/'));
}

QJsonValue bodyFor(const QByteArray &method)
{
    return method == "GET" || method == "DELETE" ? QJsonValue(QJsonValue::Undefined) : QJsonValue(QJsonObject{});
}

QByteArray describe(const QByteArray &method, const QString &path, const ApiResponse &r)
{
    return method + ' ' + path.toUtf8() + " -> " + r.describe();
}

PgCluster *clusterOrSkip()
{
    return PgCluster::shared();
}

} // namespace

class TestDatabaseOutages : public QObject {
    Q_OBJECT

private slots:
    // Every route with a path parameter, walked from the router's own table: NUL, other control
    // characters and overlong ids are refused before a handler (and SQL) sees them.
    void malformedIdsOnEveryRoute()
    {
        WADESK_START_API(api, QStringLiteral("postgres"));
        const Account admin = api.registerOrganization(QStringLiteral("ids@example.com"), QStringLiteral("Ids Org"));
        QVERIFY(admin.valid());
        const QString client = api.createClient(admin, QStringLiteral("Front desk"));
        QVERIFY(!client.isEmpty());
        const HeaderList auth = ApiTestHarness::apiKey(admin.apiKey);

        const QStringList malformed{QStringLiteral("%00"), QStringLiteral("client_%00"), client + QStringLiteral("%00"),
                                    QStringLiteral("x%01y"), QStringLiteral("%0A"), QStringLiteral("a%7F"),
                                    QStringLiteral("client_") + QString(400, QLatin1Char('z'))};
        int walked = 0;
        const auto routes = api.routeTable();
        QVERIFY(routes.size() > 40);
        for (const auto &route : routes) {
            if (!route.second.contains(QLatin1Char(':')))
                continue;
            // Each parameter in turn is the malformed one; the others are a real client id.
            const QStringList params = [&]() {
                QStringList names;
                for (const QString &part : route.second.split(QLatin1Char('/'))) {
                    if (part.startsWith(QLatin1Char(':')))
                        names << part.mid(1);
                }
                return names;
            }();
            for (const QString &bad : malformed) {
                for (const QString &target : params) {
                    const QString path = fill(route.second, [&](const QString &name) { return name == target ? bad : client; });
                    const ApiResponse r = api.request(route.first, path, bodyFor(route.first), auth);
                    QVERIFY2(r.status == 404 || r.status == 400, describe(route.first, path, r).constData());
                    QVERIFY2(r.jsonObject && !r.code().isEmpty(), describe(route.first, path, r).constData());
                    ++walked;
                }
            }
        }
        QVERIFY(walked > 100);
        // The routes still answer a plain id.
        const ApiResponse plain = api.request("GET", QStringLiteral("/api/clients/") + client, QJsonValue(QJsonValue::Undefined), auth);
        QVERIFY2(plain.status == 200, plain.describe().constData());
    }

    // Last: it stops the process's PostgreSQL cluster for a while.
    void outageAnswers503ThenRecovers()
    {
        WADESK_START_API(api, QStringLiteral("postgres"));
        PgCluster *cluster = clusterOrSkip();
        QVERIFY(cluster);
        const Account admin = api.registerOrganization(QStringLiteral("outage@example.com"), QStringLiteral("Outage Org"));
        QVERIFY(admin.valid());
        const QString client = api.createClient(admin, QStringLiteral("Front desk"));
        QVERIFY(!client.isEmpty());
        QVERIFY(api.exec(QStringLiteral("UPDATE clients SET linked = 1, status = 'ready' WHERE id = ?"), {client}));
        const HeaderList auth = ApiTestHarness::apiKey(admin.apiKey);
        const HeaderList jwt = ApiTestHarness::bearer(admin.token);

        // Reads and writes, by API key and by token, and the public login: all need the database.
        struct Call {
            QByteArray method;
            QString path;
            QJsonValue body;
            HeaderList headers;
        };
        const QJsonObject send{{QStringLiteral("to"), QStringLiteral("+14155550100")}, {QStringLiteral("message"), QStringLiteral("hi")}};
        const QList<Call> calls{
            {"GET", QStringLiteral("/api/clients"), QJsonValue(QJsonValue::Undefined), auth},
            {"GET", QStringLiteral("/api/clients/") + client, QJsonValue(QJsonValue::Undefined), auth},
            {"GET", QStringLiteral("/api/clients/") + client + QStringLiteral("/messages"), QJsonValue(QJsonValue::Undefined), jwt},
            {"GET", QStringLiteral("/api/team/members"), QJsonValue(QJsonValue::Undefined), jwt},
            {"GET", QStringLiteral("/api/organization"), QJsonValue(QJsonValue::Undefined), auth},
            {"POST", QStringLiteral("/api/clients"), QJsonObject{{QStringLiteral("name"), QStringLiteral("Second")}}, auth},
            {"POST", QStringLiteral("/api/clients/") + client + QStringLiteral("/send-message"), send, auth},
            {"PATCH", QStringLiteral("/api/clients/") + client, QJsonObject{{QStringLiteral("name"), QStringLiteral("Renamed")}}, jwt},
            {"POST", QStringLiteral("/api/auth/login"),
             QJsonObject{{QStringLiteral("email"), admin.email}, {QStringLiteral("password"), admin.password}}, HeaderList{}},
        };
        for (const Call &call : calls) {
            const ApiResponse r = api.request(call.method, call.path, call.body, call.headers);
            QVERIFY2(r.status >= 200 && r.status < 300, describe(call.method, call.path, r).constData());
        }

        // The test cluster commits without waiting and is stopped with -m immediate: what was
        // written so far must be on disk first.
        {
            QSqlQuery checkpoint(api.database().connection().value());
            QVERIFY(checkpoint.exec(QStringLiteral("CHECKPOINT"))); // not a statement PostgreSQL can prepare
        }
        QVERIFY(cluster->stopServer());
        bool restarted = false;
        const auto restart = qScopeGuard([&]() {
            if (!restarted)
                cluster->startServer();
        });

        auto isOutage = [](const ApiResponse &r) {
            return r.isError(503, QStringLiteral("database_unavailable")) && r.header("retry-after").toInt() > 0;
        };
        for (int round = 0; round < 2; ++round) { // a failed reconnect wedges nothing
            for (const Call &call : calls) {
                const ApiResponse r = api.request(call.method, call.path, call.body, call.headers);
                QVERIFY2(isOutage(r), describe(call.method, call.path, r).constData());
            }
        }
        // Every route of the table: 503 with Retry-After where it needs the database, never 500.
        const QString someId = Ids::make("x");
        int unavailable = 0;
        for (const auto &route : api.routeTable()) {
            if (route.second == QLatin1String("/health"))
                continue; // its own answer, checked below
            const QString path = fill(route.second, [&](const QString &name) { return name == QLatin1String("clientId") ? client : someId; });
            const ApiResponse r = api.request(route.first, path, bodyFor(route.first), auth);
            QVERIFY2((r.status != 0 && r.status < 500) || isOutage(r), describe(route.first, path, r).constData());
            QVERIFY2(r.status != 401 && r.status != 403, describe(route.first, path, r).constData()); // the key is valid
            if (r.status == 503)
                ++unavailable;
        }
        QVERIFY2(unavailable > 40, QByteArray::number(unavailable).constData());
        const ApiResponse health = api.request("GET", QStringLiteral("/health"));
        QCOMPARE(health.status, 503);
        const ApiResponse metrics = api.request("GET", QStringLiteral("/metrics"));
        QCOMPARE(metrics.status, 200);
        QVERIFY2(metrics.body.contains("\nwadesk_database_up 0\n"), metrics.body.constData());

        QVERIFY(cluster->startServer());
        restarted = true;
        QElapsedTimer back;
        back.start();
        ApiResponse first = api.request(calls.first().method, calls.first().path, calls.first().body, calls.first().headers);
        while (first.status != 200 && back.elapsed() < 5000) {
            QTest::qWait(50);
            first = api.request(calls.first().method, calls.first().path, calls.first().body, calls.first().headers);
        }
        QVERIFY2(first.status == 200, first.describe().constData());
        qInfo("the API answered again %lld ms after the server was back", back.elapsed());
        for (const Call &call : calls) {
            const ApiResponse r = api.request(call.method, call.path, call.body, call.headers);
            QVERIFY2(r.status >= 200 && r.status < 300, describe(call.method, call.path, r).constData());
        }
        const ApiResponse healthy = api.request("GET", QStringLiteral("/health"));
        QCOMPARE(healthy.status, 200);
        QVERIFY(api.request("GET", QStringLiteral("/metrics")).body.contains("\nwadesk_database_up 1\n"));
    }
};

QTEST_GUILESS_MAIN(TestDatabaseOutages)
#include "tst_db_outages.moc"
