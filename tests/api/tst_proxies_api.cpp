// The proxy pool's routes over real HTTP (core/api/controllers/ProxyController and the proxy
// fields of PATCH /api/clients/:clientId), on SQLite and PostgreSQL: the real ApiService with the
// cipher the application gives it, organizations and members made through the API.
//
// Proves: the create → read → change → delete round trip and its JSON shape; the password in no
// answer (raw bodies searched, the audit log's too) and stored sealed; the validation battery
// (400 validation_failed naming the field, nothing stored) with unknown fields ignored;
// proxy_exists; RBAC (admins manage; managers list and assign but cannot create, change or
// delete; agents and viewers 403); tenants (another organization's proxy or client reads 404, a
// malformed id or one with a NUL too); assignment explicit, auto (fewest clients, skipping full
// and dead entries), null, proxy_full, no_proxy_available; proxy_failover on the client;
// proxy_in_use with the count; health as the engine records it (ProxyService on the same
// database) shown by the API, client.proxy_failed stored for each client, and failover.

#include "tests/support/ApiTestHarness.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventBus.h"
#include "core/proxies/ProxyService.h"
#include "core/secrets/AesGcm.h"
#include "core/webhooks/WebhookService.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>
#include <QUrl>
#include <memory>

using namespace wadesk;
using namespace wadesk::test;

namespace {

const QString kPassword = QStringLiteral("Pr0xy-Secret-xyzzy");
const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);

QStringList sortedKeys(const QJsonObject &o)
{
    QStringList keys = o.keys();
    keys.sort();
    return keys;
}

// One started API with its cast: org A (admin, manager, agent, viewer, two clients) and org B.
struct Stage {
    AesGcm cipher{AesGcm::randomBytes(AesGcm::kKeyBytes)};
    EventBus bus;
    ApiTestHarness api;
    Account admin, manager, agent, viewer, otherAdmin;
    QStringList clients; // org A: Sales (assigned to the agent and the viewer), Support, Billing, Extra
    QString otherClient; // org B
    QList<QByteArray> bodies; // every answer, to search for the password

    ApiResponse call(const Account &who, const QByteArray &method, const QString &path, const QJsonValue &body = kNoBody)
    {
        ApiResponse r = api.request(method, path, body, ApiTestHarness::apiKey(who.apiKey));
        bodies << r.body;
        return r;
    }
    bool cast()
    {
        admin = api.registerOrganization(QStringLiteral("admin@a.test"), QStringLiteral("Org A"));
        otherAdmin = api.registerOrganization(QStringLiteral("admin@b.test"), QStringLiteral("Org B"));
        if (!admin.valid() || !otherAdmin.valid())
            return false;
        manager = api.createMember(admin, QStringLiteral("manager"), QStringLiteral("manager@a.test"));
        agent = api.createMember(admin, QStringLiteral("agent"), QStringLiteral("agent@a.test"));
        viewer = api.createMember(admin, QStringLiteral("viewer"), QStringLiteral("viewer@a.test"));
        for (const char *name : {"Sales", "Support", "Billing", "Extra"})
            clients << api.createClient(admin, QLatin1String(name));
        otherClient = api.createClient(otherAdmin, QStringLiteral("Theirs"));
        if (!manager.valid() || !agent.valid() || !viewer.valid() || clients.contains(QString()) || otherClient.isEmpty())
            return false;
        return api.assign(admin, agent.userId, clients.at(0)) && api.assign(admin, viewer.userId, clients.at(0));
    }
    QJsonObject addProxy(const QJsonObject &body, const Account *who = nullptr)
    {
        const ApiResponse r = call(who ? *who : admin, "POST", QStringLiteral("/api/proxies"), body);
        if (r.status != 201) {
            qWarning("add proxy: %s", r.describe().constData());
            return {};
        }
        return r.json.value(QStringLiteral("proxy")).toObject();
    }
    QJsonObject proxyBody(const QString &host, int maxClients = 5) const
    {
        return QJsonObject{{QStringLiteral("type"), QStringLiteral("http")}, {QStringLiteral("host"), host},
                           {QStringLiteral("port"), 3128}, {QStringLiteral("max_clients"), maxClients}};
    }
    int proxyCount() { return api.rows(QStringLiteral("SELECT COUNT(*) FROM proxies")).value(0).toInt(); }
    ApiResponse setClientProxy(const Account &who, const QString &clientId, const QJsonValue &proxyId)
    {
        return call(who, "PATCH", QStringLiteral("/api/clients/") + clientId, QJsonObject{{QStringLiteral("proxy_id"), proxyId}});
    }
    QString proxyOfClient(const QString &clientId)
    {
        return api.rows(QStringLiteral("SELECT proxy_id FROM clients WHERE id = ?"), {clientId}).value(0);
    }
};

#define STAGE(s)                                                                                                                   \
    QFETCH(QString, dialect);                                                                                                      \
    Stage s;                                                                                                                       \
    {                                                                                                                              \
        ApiTestHarness::Options stageOptions;                                                                                      \
        stageOptions.cipher = &s.cipher;                                                                                           \
        stageOptions.events = &s.bus;                                                                                              \
        QString why;                                                                                                               \
        if (!s.api.start(dialect, &why, stageOptions)) {                                                                           \
            if (dialect == QLatin1String("postgres") && !PgCluster::required() && !why.startsWith(QLatin1String("server:")))      \
                QSKIP(qPrintable(why));                                                                                            \
            QFAIL(qPrintable(why));                                                                                                \
        }                                                                                                                          \
        QVERIFY(s.cast());                                                                                                         \
    }

} // namespace

class TestProxiesApi : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<wadesk::Event>(); }

    void roundTrip_data() { addDialectRows(); }
    void roundTrip()
    {
        STAGE(s);
        const QJsonObject body{{QStringLiteral("type"), QStringLiteral("socks5")},
                               {QStringLiteral("host"), QStringLiteral("Gate.Example.NET")},
                               {QStringLiteral("port"), 1080},
                               {QStringLiteral("username"), QStringLiteral("alice")},
                               {QStringLiteral("password"), kPassword},
                               {QStringLiteral("country"), QStringLiteral("nl")},
                               {QStringLiteral("label"), QStringLiteral("Amsterdam")}};
        const ApiResponse created = s.call(s.admin, "POST", QStringLiteral("/api/proxies"), body);
        QVERIFY2(created.status == 201, created.describe().constData());
        QCOMPARE(created.json.value(QStringLiteral("message")).toString(), QStringLiteral("Proxy added"));
        const QJsonObject p = created.json.value(QStringLiteral("proxy")).toObject();
        QCOMPARE(sortedKeys(p), QStringList({QStringLiteral("clients"), QStringLiteral("country"), QStringLiteral("created_at"),
                                             QStringLiteral("exit_address"), QStringLiteral("has_password"), QStringLiteral("healthy"),
                                             QStringLiteral("host"), QStringLiteral("id"), QStringLiteral("label"),
                                             QStringLiteral("last_checked_at"), QStringLiteral("last_error"), QStringLiteral("last_error_at"),
                                             QStringLiteral("latency_ms"), QStringLiteral("max_clients"), QStringLiteral("port"),
                                             QStringLiteral("type"), QStringLiteral("updated_at"), QStringLiteral("username")}));
        const QString id = p.value(QStringLiteral("id")).toString();
        QVERIFY(id.startsWith(QLatin1String("px_")));
        QCOMPARE(p.value(QStringLiteral("type")).toString(), QStringLiteral("socks5"));
        QCOMPARE(p.value(QStringLiteral("host")).toString(), QStringLiteral("gate.example.net"));
        QCOMPARE(p.value(QStringLiteral("port")).toInt(), 1080);
        QCOMPARE(p.value(QStringLiteral("username")).toString(), QStringLiteral("alice"));
        QCOMPARE(p.value(QStringLiteral("has_password")).toBool(), true);
        QCOMPARE(p.value(QStringLiteral("country")).toString(), QStringLiteral("NL"));
        QCOMPARE(p.value(QStringLiteral("max_clients")).toInt(), 5);
        QCOMPARE(p.value(QStringLiteral("clients")).toInt(), 0);
        QVERIFY(p.value(QStringLiteral("healthy")).isNull());
        QVERIFY(p.value(QStringLiteral("latency_ms")).isNull());
        QVERIFY(p.value(QStringLiteral("last_checked_at")).isNull());
        QVERIFY(p.value(QStringLiteral("created_at")).toString().endsWith(QLatin1Char('Z')));

        // Stored sealed, bound to its row.
        const QString sealed = s.api.rows(QStringLiteral("SELECT password_sealed FROM proxies WHERE id = ?"), {id}).value(0);
        QVERIFY(sealed.startsWith(QLatin1String("v1:")));
        QVERIFY(!sealed.contains(kPassword));
        QCOMPARE(s.cipher.open(sealed.toLatin1(), ProxyService::sealingContext(id)).value_or(QByteArray()), kPassword.toUtf8());

        // Read: list and one; managers too.
        for (const Account *who : {&s.admin, &s.manager}) {
            const ApiResponse list = s.call(*who, "GET", QStringLiteral("/api/proxies"));
            QVERIFY2(list.status == 200, list.describe().constData());
            QCOMPARE(list.json.value(QStringLiteral("count")).toInt(), 1);
            QCOMPARE(list.json.value(QStringLiteral("proxies")).toArray().at(0).toObject(), p);
            const ApiResponse one = s.call(*who, "GET", QStringLiteral("/api/proxies/") + id);
            QCOMPARE(one.json.value(QStringLiteral("proxy")).toObject(), p);
        }

        // Change: the port (health back to unknown after a check), then the password away.
        ProxyService engine(s.api.database(), s.cipher, s.bus);
        ProxyCheck ok;
        ok.ok = true;
        ok.latencyMs = 87;
        ok.exitAddress = QStringLiteral("198.51.100.20");
        QVERIFY(engine.recordCheck(id, ok).value());
        const QJsonObject checked = s.call(s.admin, "GET", QStringLiteral("/api/proxies/") + id).json.value(QStringLiteral("proxy")).toObject();
        QCOMPARE(checked.value(QStringLiteral("healthy")).toBool(), true);
        QCOMPARE(checked.value(QStringLiteral("latency_ms")).toInt(), 87);
        QCOMPARE(checked.value(QStringLiteral("exit_address")).toString(), QStringLiteral("198.51.100.20"));
        QVERIFY(checked.value(QStringLiteral("last_checked_at")).isString());

        ApiResponse changed = s.call(s.admin, "PATCH", QStringLiteral("/api/proxies/") + id,
                                     QJsonObject{{QStringLiteral("port"), 1081}, {QStringLiteral("bogus_field"), 1}});
        QVERIFY2(changed.status == 200, changed.describe().constData());
        QJsonObject after = changed.json.value(QStringLiteral("proxy")).toObject();
        QCOMPARE(after.value(QStringLiteral("port")).toInt(), 1081);
        QVERIFY(after.value(QStringLiteral("healthy")).isNull());
        QVERIFY(after.value(QStringLiteral("latency_ms")).isNull());
        QCOMPARE(after.value(QStringLiteral("label")).toString(), QStringLiteral("Amsterdam"));
        changed = s.call(s.admin, "PATCH", QStringLiteral("/api/proxies/") + id,
                         QJsonObject{{QStringLiteral("password"), QStringLiteral("NewPass-4242")}, {QStringLiteral("max_clients"), 9}});
        QVERIFY2(changed.status == 200, changed.describe().constData());
        QCOMPARE(engine.endpointOf(id).value().password, QStringLiteral("NewPass-4242"));
        changed = s.call(s.admin, "PATCH", QStringLiteral("/api/proxies/") + id, QJsonObject{{QStringLiteral("password"), QJsonValue()}});
        after = changed.json.value(QStringLiteral("proxy")).toObject();
        QCOMPARE(after.value(QStringLiteral("has_password")).toBool(), false);
        QCOMPARE(after.value(QStringLiteral("max_clients")).toInt(), 9);
        QVERIFY(s.api.rows(QStringLiteral("SELECT password_sealed FROM proxies WHERE id = ?"), {id}).value(0) == QLatin1String("NULL"));
        QVERIFY(s.call(s.admin, "PATCH", QStringLiteral("/api/proxies/") + id, QJsonObject{{QStringLiteral("bogus"), 1}})
                    .isError(400, QStringLiteral("empty_change")));

        // Audited, and no entry, no answer holds a password.
        const QStringList actions = s.api.rows(QStringLiteral("SELECT action FROM audit_logs WHERE resource = 'proxies' ORDER BY seq"));
        QCOMPARE(actions.count(QStringLiteral("create_proxy")), 1);
        QCOMPARE(actions.count(QStringLiteral("update_proxy")), 3);
        const ApiResponse audit = s.call(s.admin, "GET", QStringLiteral("/api/audit-logs?limit=100"));
        QVERIFY(audit.body.contains("update_proxy"));
        const QStringList details = s.api.rows(QStringLiteral("SELECT details FROM audit_logs"));
        for (const QString &d : details)
            QVERIFY2(!d.contains(kPassword) && !d.contains(QLatin1String("NewPass-4242")), qPrintable(d));

        QVERIFY(s.call(s.admin, "DELETE", QStringLiteral("/api/proxies/") + id).status == 200);
        QVERIFY(s.call(s.admin, "GET", QStringLiteral("/api/proxies/") + id).isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.proxyCount(), 0);
        for (const QByteArray &b : s.bodies)
            QVERIFY2(!b.contains(kPassword.toUtf8()) && !b.contains("NewPass-4242"), b.constData());
    }

    void validation_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<QJsonObject>("change"); // merged into a valid body
        QTest::addColumn<QString>("field");
        struct Row {
            const char *name;
            QJsonObject change;
            const char *field;
        };
        const QList<Row> rows = {
            {"type ftp", {{QStringLiteral("type"), QStringLiteral("ftp")}}, "type"},
            {"type number", {{QStringLiteral("type"), 5}}, "type"},
            {"type missing", {{QStringLiteral("type"), QJsonValue()}}, "type"},
            {"port 0", {{QStringLiteral("port"), 0}}, "port"},
            {"port 70000", {{QStringLiteral("port"), 70000}}, "port"},
            {"port huge", {{QStringLiteral("port"), 1e300}}, "port"},
            {"port fraction", {{QStringLiteral("port"), 80.5}}, "port"},
            {"port string", {{QStringLiteral("port"), QStringLiteral("80")}}, "port"},
            {"host with space", {{QStringLiteral("host"), QStringLiteral("proxy host.test")}}, "host"},
            {"host with NUL", {{QStringLiteral("host"), QStringLiteral("proxy") + QChar(0) + QStringLiteral(".test")}}, "host"},
            {"host missing", {{QStringLiteral("host"), QJsonValue()}}, "host"},
            {"host array", {{QStringLiteral("host"), QJsonArray{1}}}, "host"},
            {"country usa", {{QStringLiteral("country"), QStringLiteral("usa")}}, "country"},
            {"max_clients 0", {{QStringLiteral("max_clients"), 0}}, "max_clients"},
            {"max_clients 1001", {{QStringLiteral("max_clients"), 1001}}, "max_clients"},
            {"password without username", {{QStringLiteral("password"), kPassword}}, "password"},
            {"username too long", {{QStringLiteral("username"), QString(256, QLatin1Char('u'))}}, "username"},
            {"label too long", {{QStringLiteral("label"), QString(101, QLatin1Char('l'))}}, "label"},
        };
        for (const char *dialect : {"sqlite", "postgres"}) {
            for (const Row &r : rows)
                QTest::newRow(qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(dialect), QLatin1String(r.name))))
                    << QString::fromLatin1(dialect) << r.change << QString::fromLatin1(r.field);
        }
    }
    void validation()
    {
        STAGE(s);
        QFETCH(QJsonObject, change);
        QFETCH(QString, field);
        QJsonObject body = s.proxyBody(QStringLiteral("valid.test"));
        for (auto it = change.begin(); it != change.end(); ++it)
            body.insert(it.key(), it.value());
        const ApiResponse r = s.call(s.admin, "POST", QStringLiteral("/api/proxies"), body);
        QVERIFY2(r.isError(400, QStringLiteral("validation_failed")), r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), field);
        QCOMPARE(s.proxyCount(), 0);

        // The same as a change of a valid entry (a missing field there is "unchanged", so only
        // the others): refused, the entry as it was.
        const QJsonObject p = s.addProxy(s.proxyBody(QStringLiteral("valid.test")));
        QVERIFY(!p.isEmpty());
        if (!change.value(change.keys().first()).isNull()) {
            const QString path = QStringLiteral("/api/proxies/") + p.value(QStringLiteral("id")).toString();
            const ApiResponse refused = s.call(s.admin, "PATCH", path, change);
            QVERIFY2(refused.isError(400, QStringLiteral("validation_failed")), refused.describe().constData());
            QCOMPARE(s.call(s.admin, "GET", path).json.value(QStringLiteral("proxy")).toObject(), p);
        }
    }

    void duplicatesAndPrivateAddresses_data() { addDialectRows(); }
    void duplicatesAndPrivateAddresses()
    {
        STAGE(s);
        // LAN and loopback proxies are allowed (admin-managed).
        for (const char *host : {"192.168.1.10", "127.0.0.1", "::1", "10.1.2.3"})
            QVERIFY2(!s.addProxy(s.proxyBody(QLatin1String(host))).isEmpty(), host);
        const ApiResponse again = s.call(s.admin, "POST", QStringLiteral("/api/proxies"), s.proxyBody(QStringLiteral("192.168.1.10")));
        QVERIFY2(again.isError(409, QStringLiteral("proxy_exists")), again.describe().constData());
        QJsonObject withUser = s.proxyBody(QStringLiteral("192.168.1.10"));
        withUser.insert(QStringLiteral("username"), QStringLiteral("bob"));
        QVERIFY(!s.addProxy(withUser).isEmpty()); // another account on the same proxy
        // Another organization may have the same proxy.
        QVERIFY(!s.addProxy(s.proxyBody(QStringLiteral("192.168.1.10")), &s.otherAdmin).isEmpty());
        QCOMPARE(s.proxyCount(), 6);
        // A change onto an existing entry's address is refused the same way.
        const QJsonObject other = s.addProxy(s.proxyBody(QStringLiteral("gate.test")));
        const ApiResponse clash = s.call(s.admin, "PATCH", QStringLiteral("/api/proxies/") + other.value(QStringLiteral("id")).toString(),
                                         QJsonObject{{QStringLiteral("host"), QStringLiteral("10.1.2.3")}});
        QVERIFY2(clash.isError(409, QStringLiteral("proxy_exists")), clash.describe().constData());
    }

    void permissionsAndTenants_data() { addDialectRows(); }
    void permissionsAndTenants()
    {
        STAGE(s);
        const QJsonObject p = s.addProxy(s.proxyBody(QStringLiteral("pool.test")));
        const QString path = QStringLiteral("/api/proxies/") + p.value(QStringLiteral("id")).toString();
        const QJsonObject relabel{{QStringLiteral("label"), QStringLiteral("x")}};
        for (const Account *who : {&s.manager, &s.agent, &s.viewer}) {
            QVERIFY(s.call(*who, "POST", QStringLiteral("/api/proxies"), s.proxyBody(QStringLiteral("other.test"))).isError(403, QStringLiteral("forbidden")));
            QVERIFY(s.call(*who, "PATCH", path, relabel).isError(403, QStringLiteral("forbidden")));
            QVERIFY(s.call(*who, "DELETE", path).isError(403, QStringLiteral("forbidden")));
        }
        for (const Account *who : {&s.agent, &s.viewer}) {
            QVERIFY(s.call(*who, "GET", QStringLiteral("/api/proxies")).isError(403, QStringLiteral("forbidden")));
            QVERIFY(s.call(*who, "GET", path).isError(403, QStringLiteral("forbidden")));
            QVERIFY(s.setClientProxy(*who, s.clients.at(0), p.value(QStringLiteral("id"))).isError(403, QStringLiteral("forbidden")));
        }
        QCOMPARE(s.proxyCount(), 1);
        QCOMPARE(s.proxyOfClient(s.clients.at(0)), QStringLiteral("NULL"));
        QVERIFY(s.call(s.manager, "GET", QStringLiteral("/api/proxies")).status == 200);
        const ApiResponse assigned = s.setClientProxy(s.manager, s.clients.at(0), p.value(QStringLiteral("id")));
        QVERIFY2(assigned.status == 200, assigned.describe().constData());
        QCOMPARE(assigned.json.value(QStringLiteral("client")).toObject().value(QStringLiteral("proxy_id")).toString(), p.value(QStringLiteral("id")).toString());

        // Another organization: the proxy reads as absent; its own client cannot take it.
        QVERIFY(s.call(s.otherAdmin, "GET", path).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, "PATCH", path, relabel).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, "DELETE", path).isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.call(s.otherAdmin, "GET", QStringLiteral("/api/proxies")).json.value(QStringLiteral("count")).toInt(), 0);
        QVERIFY(s.setClientProxy(s.otherAdmin, s.otherClient, p.value(QStringLiteral("id"))).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.setClientProxy(s.otherAdmin, s.clients.at(1), QStringLiteral("auto")).isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.proxyOfClient(s.otherClient), QStringLiteral("NULL"));
        QCOMPARE(s.call(s.admin, "GET", path).json.value(QStringLiteral("proxy")).toObject().value(QStringLiteral("label")).toString(),
                 p.value(QStringLiteral("label")).toString());

        // Malformed ids: 404 before any SQL (a NUL included).
        for (const QString &bad : {QStringLiteral("px_%00"), p.value(QStringLiteral("id")).toString() + QStringLiteral("%00"),
                                   QStringLiteral("nope"), QStringLiteral("px_') OR 1=1 --")}) {
            const ApiResponse r = s.call(s.admin, "GET", QStringLiteral("/api/proxies/") + QString::fromLatin1(QUrl::toPercentEncoding(bad, "%")));
            QVERIFY2(r.isError(404, QStringLiteral("not_found")), qPrintable(bad + QLatin1Char(' ') + QString::fromUtf8(r.describe())));
            QVERIFY(s.setClientProxy(s.admin, s.clients.at(1), bad).isError(404, QStringLiteral("not_found")));
        }
        const QString withNul = p.value(QStringLiteral("id")).toString() + QChar(0);
        QVERIFY(s.setClientProxy(s.admin, s.clients.at(1), withNul).isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.proxyOfClient(s.clients.at(1)), QStringLiteral("NULL"));
    }

    void assignment_data() { addDialectRows(); }
    void assignment()
    {
        STAGE(s);
        const QString small = s.addProxy(s.proxyBody(QStringLiteral("small.test"), 1)).value(QStringLiteral("id")).toString();
        const QString big = s.addProxy(s.proxyBody(QStringLiteral("big.test"), 2)).value(QStringLiteral("id")).toString();
        const QString broken = s.addProxy(s.proxyBody(QStringLiteral("broken.test"), 50)).value(QStringLiteral("id")).toString();
        QVERIFY(!small.isEmpty() && !big.isEmpty() && !broken.isEmpty());
        ProxyService engine(s.api.database(), s.cipher, s.bus);
        ProxyCheck down;
        down.error = QStringLiteral("connect: connection refused");
        QVERIFY(engine.recordCheck(broken, down).value());

        // Explicit; the client's view shows it, in the list too.
        ApiResponse r = s.setClientProxy(s.admin, s.clients.at(0), small);
        QVERIFY2(r.status == 200, r.describe().constData());
        QJsonObject client = r.json.value(QStringLiteral("client")).toObject();
        QCOMPARE(client.value(QStringLiteral("proxy_id")).toString(), small);
        QCOMPARE(client.value(QStringLiteral("proxy_failover")).toBool(), false);
        const ApiResponse list = s.call(s.admin, "GET", QStringLiteral("/api/clients"));
        bool listed = false;
        for (const QJsonValue &c : list.json.value(QStringLiteral("clients")).toArray()) {
            if (c.toObject().value(QStringLiteral("id")).toString() == s.clients.at(0))
                listed = c.toObject().value(QStringLiteral("proxy_id")).toString() == small;
            else
                QVERIFY(c.toObject().value(QStringLiteral("proxy_id")).isNull());
        }
        QVERIFY(listed);
        QCOMPARE(s.call(s.admin, "GET", QStringLiteral("/api/clients/") + s.clients.at(0)).json.value(QStringLiteral("client")).toObject()
                     .value(QStringLiteral("proxy_id")).toString(), small);

        // Full: 409, nothing changed.
        QVERIFY(s.setClientProxy(s.admin, s.clients.at(1), small).isError(409, QStringLiteral("proxy_full")));
        QCOMPARE(s.proxyOfClient(s.clients.at(1)), QStringLiteral("NULL"));

        // Auto: small full, broken dead → big; and again big (one place left).
        r = s.setClientProxy(s.admin, s.clients.at(1), QStringLiteral("auto"));
        QCOMPARE(r.json.value(QStringLiteral("client")).toObject().value(QStringLiteral("proxy_id")).toString(), big);
        r = s.setClientProxy(s.admin, s.clients.at(2), QStringLiteral("auto"));
        QCOMPARE(r.json.value(QStringLiteral("client")).toObject().value(QStringLiteral("proxy_id")).toString(), big);
        // Now nothing: big and small full, broken dead.
        QVERIFY(s.setClientProxy(s.admin, s.clients.at(3), QStringLiteral("auto")).isError(409, QStringLiteral("no_proxy_available")));
        QCOMPARE(s.proxyOfClient(s.clients.at(3)), QStringLiteral("NULL"));
        // A client already on an entry counts as leaving it: auto may keep it there.
        r = s.setClientProxy(s.admin, s.clients.at(0), QStringLiteral("auto"));
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(s.proxyOfClient(s.clients.at(0)), small);
        // null: no proxy (with another change in the same request).
        r = s.call(s.admin, "PATCH", QStringLiteral("/api/clients/") + s.clients.at(2),
                   QJsonObject{{QStringLiteral("proxy_id"), QJsonValue()}, {QStringLiteral("name"), QStringLiteral("Billing 2")}});
        QVERIFY2(r.status == 200, r.describe().constData());
        QVERIFY(r.json.value(QStringLiteral("client")).toObject().value(QStringLiteral("proxy_id")).isNull());
        QCOMPARE(r.json.value(QStringLiteral("client")).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("Billing 2"));
        QCOMPARE(s.proxyOfClient(s.clients.at(2)), QStringLiteral("NULL"));
        // A refused proxy change changes nothing else either.
        r = s.call(s.admin, "PATCH", QStringLiteral("/api/clients/") + s.clients.at(2),
                   QJsonObject{{QStringLiteral("proxy_id"), small}, {QStringLiteral("name"), QStringLiteral("must not stick")}});
        QVERIFY(r.isError(409, QStringLiteral("proxy_full")));
        QCOMPARE(s.api.rows(QStringLiteral("SELECT name FROM clients WHERE id = ?"), {s.clients.at(2)}).value(0), QStringLiteral("Billing 2"));

        // Bad values for the client's proxy fields.
        for (const QJsonValue &bad : {QJsonValue(QString()), QJsonValue(5), QJsonValue(true), QJsonValue(QJsonArray())})
            QVERIFY(s.setClientProxy(s.admin, s.clients.at(2), bad).isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, "PATCH", QStringLiteral("/api/clients/") + s.clients.at(2), QJsonObject{{QStringLiteral("proxy_failover"), QStringLiteral("yes")}})
                    .isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.setClientProxy(s.admin, s.clients.at(2), QStringLiteral("px_00000000000000000000000000")).isError(404, QStringLiteral("not_found")));

        // Failover flag.
        r = s.call(s.manager, "PATCH", QStringLiteral("/api/clients/") + s.clients.at(1), QJsonObject{{QStringLiteral("proxy_failover"), true}});
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("client")).toObject().value(QStringLiteral("proxy_failover")).toBool(), true);

        // In use: 409 with the count; the proxies' client counts.
        const ApiResponse inUse = s.call(s.admin, "DELETE", QStringLiteral("/api/proxies/") + big);
        QVERIFY2(inUse.isError(409, QStringLiteral("proxy_in_use")), inUse.describe().constData());
        QCOMPARE(inUse.json.value(QStringLiteral("details")).toObject().value(QStringLiteral("clients")).toInt(), 1);
        QCOMPARE(s.call(s.admin, "GET", QStringLiteral("/api/proxies/") + big).json.value(QStringLiteral("proxy")).toObject()
                     .value(QStringLiteral("clients")).toInt(), 1);

        // big dies: client.proxy_failed for its client; the API shows it dead; failover moves
        // the client (it allows it) to the only healthy one with room.
        QVERIFY(engine.recordCheck(broken, ProxyCheck{true, 20, QString(), QString()}).value());
        QVERIFY(engine.recordCheck(big, down).value());
        const QStringList failed = s.api.rows(QStringLiteral("SELECT data FROM events WHERE type = 'client.proxy_failed' ORDER BY created_at"));
        QCOMPARE(failed.size(), 1);
        const QJsonObject data = QJsonDocument::fromJson(failed.first().toUtf8()).object();
        QCOMPARE(data.value(QStringLiteral("clientId")).toString(), s.clients.at(1));
        QCOMPARE(data.value(QStringLiteral("proxy_id")).toString(), big);
        QCOMPARE(data.value(QStringLiteral("error")).toString(), down.error);
        const QJsonObject deadView = s.call(s.admin, "GET", QStringLiteral("/api/proxies/") + big).json.value(QStringLiteral("proxy")).toObject();
        QCOMPARE(deadView.value(QStringLiteral("healthy")).toBool(true), false);
        QCOMPARE(deadView.value(QStringLiteral("last_error")).toString(), down.error);
        QVERIFY(deadView.value(QStringLiteral("last_error_at")).isString());
        QCOMPARE(engine.failOver(s.admin.organizationId, s.clients.at(1)).value(), broken);
        QCOMPARE(s.proxyOfClient(s.clients.at(1)), broken);
        QVERIFY(s.call(s.admin, "DELETE", QStringLiteral("/api/proxies/") + big).status == 200);

        // Webhooks may subscribe to the new event.
        WebhookService::Input hook;
        hook.events = QStringList{QStringLiteral("client.proxy_failed")};
        QVERIFY(WebhookService::validate(hook, false).ok());
    }
};

QTEST_GUILESS_MAIN(TestProxiesApi)
#include "tst_proxies_api.moc"
