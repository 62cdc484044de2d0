// ProxyService, the proxy pool's use cases, on SQLite and PostgreSQL (a fresh migrated database
// per test, organizations, users and clients written straight into it).
//
// Proves: create/get/list/update/remove with their defaults; the password sealed in the column
// (not the plaintext, bound to its row) and unsealed only for the engine; the validation battery
// (nothing stored on a refusal); proxy_exists; RBAC (admins manage, managers read and assign,
// agents and viewers refused); tenant scoping (another organization's entry and client read as
// not found, a malformed id too, before any SQL); assignment explicit, automatic (fewest clients,
// skipping full and dead entries), none, proxy_full and no_proxy_available; proxy_in_use;
// recordCheck's transitions with client.proxy_failed for each client of an entry going dead;
// failOver to another healthy entry, only where the client allows it; an endpoint change
// resetting the health; every change audited, no audit entry carrying the password.

#include "tests/support/ManualClock.h"
#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "core/common/Ids.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventBus.h"
#include "core/events/EventPayloads.h"
#include "core/proxies/ProxyService.h"
#include "core/secrets/AesGcm.h"

#include <QSet>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>
#include <memory>

using namespace wadesk;
using namespace wadesk::test;

namespace {

const QString kPassword = QStringLiteral("s3cret-Proxy-pass");

// One organization's cast and clients, written straight into the database.
struct World {
    TestDatabase db;
    std::unique_ptr<AesGcm> cipher;
    std::unique_ptr<EventBus> bus;
    ManualClock clock;
    std::unique_ptr<ProxyService> service;
    AuthContext admin, manager, agent, viewer, otherAdmin;
    QStringList clients;   // of the admin's organization
    QString otherClient;   // of the other organization

    bool exec(const QString &sql, const QVariantList &bind = {})
    {
        SqlRunner runner(*db.database);
        Result<int> r = runner.change(sql, bind, "test.exec");
        if (!r)
            qWarning("%s: %s", qPrintable(sql), qPrintable(r.error().message));
        return r.ok();
    }
    QVariant scalar(const QString &sql, const QVariantList &bind = {})
    {
        SqlRunner runner(*db.database);
        Result<QSqlQuery> q = runner.run(sql, bind, "test.scalar");
        if (!q || !q.value().next())
            return QVariant();
        return q.value().value(0);
    }
    int count(const QString &sql, const QVariantList &bind = {}) { return scalar(sql, bind).toInt(); }

    AuthContext user(const QString &org, const QString &id, Role role)
    {
        exec(QStringLiteral("INSERT INTO users (id, organization_id, email, email_normalized, password_hash, name, role, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?, 'x', ?, ?, 1, 1)"),
             {id, org, id + QStringLiteral("@t.test"), id + QStringLiteral("@t.test"), id, Permissions::roleName(role)});
        AuthContext a;
        a.userId = id;
        a.organizationId = org;
        a.role = role;
        a.ipAddress = QStringLiteral("198.51.100.9");
        return a;
    }
    QString client(const QString &org, const QString &name)
    {
        const QString id = QStringLiteral("client_") + name;
        exec(QStringLiteral("INSERT INTO clients (id, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, 1, 1)"), {id, org, name});
        return id;
    }

    bool setUp()
    {
        if (!Migrator(*db.database, Migrator::embeddedDirectory(db.database->url().dialectName())).migrate().ok())
            return false;
        cipher = std::make_unique<AesGcm>(AesGcm::randomBytes(AesGcm::kKeyBytes));
        bus = std::make_unique<EventBus>();
        service = std::make_unique<ProxyService>(*db.database, *cipher, *bus, clock);
        for (const char *org : {"org_a", "org_b"})
            exec(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, 1, 1)"), {QLatin1String(org), QLatin1String(org)});
        admin = user(QStringLiteral("org_a"), QStringLiteral("user_admin"), Role::Admin);
        manager = user(QStringLiteral("org_a"), QStringLiteral("user_manager"), Role::Manager);
        agent = user(QStringLiteral("org_a"), QStringLiteral("user_agent"), Role::Agent);
        viewer = user(QStringLiteral("org_a"), QStringLiteral("user_viewer"), Role::Viewer);
        otherAdmin = user(QStringLiteral("org_b"), QStringLiteral("user_other"), Role::Admin);
        for (const char *name : {"one", "two", "three", "four"})
            clients << client(QStringLiteral("org_a"), QLatin1String(name));
        otherClient = client(QStringLiteral("org_b"), QStringLiteral("foreign"));
        return true;
    }

    ProxyRecord make(const QString &host, int maxClients = 5, const QString &username = {}, const QString &password = {})
    {
        ProxyInput in;
        in.type = QStringLiteral("http");
        in.host = host;
        in.port = 3128;
        in.username = username;
        in.password = password;
        in.maxClients = maxClients;
        Result<ProxyRecord> r = service->create(admin, in);
        if (!r) {
            qWarning("create %s: %s", qPrintable(host), qPrintable(r.error().message));
            return {};
        }
        return r.value();
    }
    QString proxyOf(const QString &clientId)
    {
        return scalar(QStringLiteral("SELECT proxy_id FROM clients WHERE id = ?"), {clientId}).toString();
    }
    int audits(const QString &action) { return count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = ?"), {action}); }
};

#define WORLD(w)                                                                                                                   \
    QFETCH(QString, dialect);                                                                                                      \
    World w;                                                                                                                       \
    {                                                                                                                              \
        QString why;                                                                                                               \
        w.db = makeDatabase(dialect, &why);                                                                                        \
        if (!w.db.database) {                                                                                                      \
            if (PgCluster::required())                                                                                             \
                QFAIL(qPrintable(why));                                                                                            \
            QSKIP(qPrintable(why));                                                                                                \
        }                                                                                                                          \
        QVERIFY(w.setUp());                                                                                                        \
    }

ProxyCheck healthy(int latency = 40)
{
    ProxyCheck c;
    c.ok = true;
    c.latencyMs = latency;
    c.exitAddress = QStringLiteral("203.0.113.7");
    return c;
}

ProxyCheck dead(const QString &why = QStringLiteral("connection refused"))
{
    ProxyCheck c;
    c.error = why;
    return c;
}

} // namespace

class TestProxyService : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<wadesk::Event>(); }

    void createReadUpdateRemove_data() { addDialectRows(); }
    void createReadUpdateRemove()
    {
        WORLD(w);
        ProxyInput in;
        in.type = QStringLiteral("socks5");
        in.host = QStringLiteral("Proxy.Example.COM");
        in.port = 1080;
        in.username = QStringLiteral("alice");
        in.password = kPassword;
        in.country = QStringLiteral("de");
        Result<ProxyRecord> created = w.service->create(w.admin, in);
        QVERIFY2(created.ok(), qPrintable(created.ok() ? QString() : created.error().message));
        const ProxyRecord p = created.value();
        QVERIFY(Ids::looksValid(p.id, "px"));
        QCOMPARE(p.host, QStringLiteral("proxy.example.com"));
        QCOMPARE(p.label, QStringLiteral("proxy.example.com:1080"));
        QCOMPARE(p.country, QStringLiteral("DE"));
        QCOMPARE(p.maxClients, 5);
        QVERIFY(p.hasPassword);
        QVERIFY(!p.healthy.has_value());

        // Sealed in the column, bound to its row.
        const QString sealed = w.scalar(QStringLiteral("SELECT password_sealed FROM proxies WHERE id = ?"), {p.id}).toString();
        QVERIFY(sealed.startsWith(QLatin1String("v1:")));
        QVERIFY(!sealed.contains(kPassword));
        QCOMPARE(w.cipher->open(sealed.toLatin1(), ProxyService::sealingContext(p.id)).value_or(QByteArray()), kPassword.toUtf8());
        QVERIFY(!w.cipher->open(sealed.toLatin1(), ProxyService::sealingContext(QStringLiteral("px_other"))));
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE details LIKE ?"), {QStringLiteral("%") + kPassword + QStringLiteral("%")}), 0);
        QCOMPARE(w.audits(QStringLiteral("create_proxy")), 1);

        // Read back (managers read too), unsealed only for the engine.
        QCOMPARE(w.service->get(w.manager, p.id).value().host, p.host);
        QCOMPARE(w.service->list(w.manager).value().size(), 1);
        const ProxyEndpoint endpoint = w.service->endpointOf(p.id).value();
        QCOMPARE(endpoint.password, kPassword);
        QCOMPARE(endpoint.type, ProxyEndpoint::Type::Socks5);
        QCOMPARE(endpoint.port, quint16(1080));

        // Same host, port and username again: 409, nothing stored.
        QCOMPARE(w.service->create(w.admin, in).error().code, QStringLiteral("proxy_exists"));
        in.username = QStringLiteral("bob"); // another account on the same proxy is another entry
        QVERIFY(w.service->create(w.admin, in).ok());
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM proxies")), 2);

        // A health check, then an endpoint change: unknown again; the default label follows.
        QVERIFY(w.service->recordCheck(p.id, healthy()).value());
        QCOMPARE(w.service->get(w.admin, p.id).value().healthy, std::optional<bool>(true));
        ProxyPatch labelOnly;
        labelOnly.maxClients = 7;
        Result<ProxyRecord> relabelled = w.service->update(w.admin, p.id, labelOnly);
        QVERIFY(relabelled.ok());
        QCOMPARE(relabelled.value().healthy, std::optional<bool>(true)); // not an endpoint change
        QCOMPARE(relabelled.value().maxClients, 7);
        ProxyPatch move;
        move.port = 1081;
        Result<ProxyRecord> moved = w.service->update(w.admin, p.id, move);
        QVERIFY(moved.ok());
        QVERIFY(!moved.value().healthy.has_value());
        QCOMPARE(moved.value().latencyMs, -1);
        QCOMPARE(moved.value().label, QStringLiteral("proxy.example.com:1081"));
        QVERIFY(moved.value().hasPassword);

        // A new password is sealed afresh; null removes it (and the username can then go).
        ProxyPatch newPassword;
        newPassword.password = QStringLiteral("another-one");
        QVERIFY(w.service->update(w.admin, p.id, newPassword).ok());
        QCOMPARE(w.service->endpointOf(p.id).value().password, QStringLiteral("another-one"));
        ProxyPatch dropUserOnly;
        dropUserOnly.username = QString();
        QCOMPARE(w.service->update(w.admin, p.id, dropUserOnly).error().details.value(QStringLiteral("field")).toString(), QStringLiteral("password"));
        ProxyPatch dropBoth;
        dropBoth.username = QString();
        dropBoth.clearPassword = true;
        Result<ProxyRecord> anonymous = w.service->update(w.admin, p.id, dropBoth);
        QVERIFY(anonymous.ok());
        QVERIFY(!anonymous.value().hasPassword);
        QVERIFY(w.scalar(QStringLiteral("SELECT password_sealed FROM proxies WHERE id = ?"), {p.id}).isNull());
        QCOMPARE(w.service->endpointOf(p.id).value().password, QString());
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE details LIKE '%another-one%'")), 0);
        QCOMPARE(w.audits(QStringLiteral("update_proxy")), 4);

        // Tenants and malformed ids: not found, nothing changed.
        QCOMPARE(w.service->get(w.otherAdmin, p.id).error().httpStatus, 404);
        QCOMPARE(w.service->update(w.otherAdmin, p.id, move).error().httpStatus, 404);
        QCOMPARE(w.service->remove(w.otherAdmin, p.id).error().httpStatus, 404);
        QVERIFY(w.service->list(w.otherAdmin).value().isEmpty());
        QCOMPARE(w.service->get(w.admin, p.id + QChar(0)).error().httpStatus, 404);
        QCOMPARE(w.service->get(w.admin, QStringLiteral("px_")).error().httpStatus, 404);
        QCOMPARE(w.service->get(w.admin, QString(p.id).replace(0, 2, QStringLiteral("wh"))).error().httpStatus, 404);

        QVERIFY(w.service->remove(w.admin, p.id).ok());
        QCOMPARE(w.service->get(w.admin, p.id).error().httpStatus, 404);
        QCOMPARE(w.audits(QStringLiteral("delete_proxy")), 1);
    }

    void validation_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("username");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("country");
        QTest::addColumn<int>("maxClients");
        QTest::addColumn<QString>("field");
        const QString h = QStringLiteral("proxy.test");
        const QString longName = QString(256, QLatin1Char('u'));
        struct Row {
            const char *name;
            QString type, host;
            int port;
            QString username, password, country;
            int maxClients;
            const char *field;
        };
        const QList<Row> rows = {
            {"type https", QStringLiteral("https"), h, 80, {}, {}, {}, 5, "type"},
            {"type empty", QString(), h, 80, {}, {}, {}, 5, "type"},
            {"type upper", QStringLiteral("HTTP"), h, 80, {}, {}, {}, 5, "type"},
            {"port 0", QStringLiteral("http"), h, 0, {}, {}, {}, 5, "port"},
            {"port 70000", QStringLiteral("http"), h, 70000, {}, {}, {}, 5, "port"},
            {"port -1", QStringLiteral("http"), h, -1, {}, {}, {}, 5, "port"},
            {"host empty", QStringLiteral("http"), QString(), 80, {}, {}, {}, 5, "host"},
            {"host space", QStringLiteral("http"), QStringLiteral("proxy .test"), 80, {}, {}, {}, 5, "host"},
            {"host NUL", QStringLiteral("http"), QStringLiteral("proxy") + QChar(0) + QStringLiteral(".test"), 80, {}, {}, {}, 5, "host"},
            {"host newline", QStringLiteral("http"), QStringLiteral("proxy.test\n"), 80, {}, {}, {}, 5, "host"},
            {"host underscore", QStringLiteral("http"), QStringLiteral("my_proxy.test"), 80, {}, {}, {}, 5, "host"},
            {"host leading hyphen", QStringLiteral("http"), QStringLiteral("-proxy.test"), 80, {}, {}, {}, 5, "host"},
            {"host empty label", QStringLiteral("http"), QStringLiteral("proxy..test"), 80, {}, {}, {}, 5, "host"},
            {"host bad IPv4", QStringLiteral("http"), QStringLiteral("300.1.1.1"), 80, {}, {}, {}, 5, "host"},
            {"host with port", QStringLiteral("http"), QStringLiteral("proxy.test:80"), 80, {}, {}, {}, 5, "host"},
            {"host URL", QStringLiteral("http"), QStringLiteral("http://proxy.test"), 80, {}, {}, {}, 5, "host"},
            {"host too long", QStringLiteral("http"), QString(254, QLatin1Char('a')), 80, {}, {}, {}, 5, "host"},
            {"username too long", QStringLiteral("socks5"), h, 80, longName, {}, {}, 5, "username"},
            {"username colon (http)", QStringLiteral("http"), h, 80, QStringLiteral("a:b"), {}, {}, 5, "username"},
            {"username control", QStringLiteral("http"), h, 80, QStringLiteral("a\tb"), {}, {}, 5, "username"},
            {"password too long", QStringLiteral("socks5"), h, 80, QStringLiteral("u"), QString(128, QChar(0x00e9)), {}, 5, "password"},
            {"password without username", QStringLiteral("http"), h, 80, {}, kPassword, {}, 5, "password"},
            {"country usa", QStringLiteral("http"), h, 80, {}, {}, QStringLiteral("usa"), 5, "country"},
            {"country unknown", QStringLiteral("http"), h, 80, {}, {}, QStringLiteral("QQ"), 5, "country"},
            {"country digits", QStringLiteral("http"), h, 80, {}, {}, QStringLiteral("1A"), 5, "country"},
            {"max_clients 0", QStringLiteral("http"), h, 80, {}, {}, {}, 0, "max_clients"},
            {"max_clients 1001", QStringLiteral("http"), h, 80, {}, {}, {}, 1001, "max_clients"},
        };
        for (const char *dialect : {"sqlite", "postgres"}) {
            for (const Row &r : rows)
                QTest::newRow(qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(dialect), QLatin1String(r.name))))
                    << QString::fromLatin1(dialect) << r.type << r.host << r.port << r.username << r.password << r.country << r.maxClients
                    << QString::fromLatin1(r.field);
        }
    }
    void validation()
    {
        WORLD(w);
        QFETCH(QString, type);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QString, username);
        QFETCH(QString, password);
        QFETCH(QString, country);
        QFETCH(int, maxClients);
        QFETCH(QString, field);
        ProxyInput in;
        in.type = type;
        in.host = host;
        in.port = port;
        in.username = username;
        in.password = password;
        in.country = country;
        in.maxClients = maxClients;
        Result<ProxyRecord> r = w.service->create(w.admin, in);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().httpStatus, 400);
        QCOMPARE(r.error().code, QStringLiteral("validation_failed"));
        QCOMPARE(r.error().details.value(QStringLiteral("field")).toString(), field);
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM proxies")), 0);
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM audit_logs")), 0);

        // The same value as a change of a valid entry: refused the same way, nothing changed.
        const ProxyRecord p = w.make(QStringLiteral("valid.test"));
        QVERIFY(!p.id.isEmpty());
        ProxyPatch patch;
        if (field == QLatin1String("type"))
            patch.type = type;
        else if (field == QLatin1String("host"))
            patch.host = host;
        else if (field == QLatin1String("port"))
            patch.port = port;
        else if (field == QLatin1String("country"))
            patch.country = country;
        else if (field == QLatin1String("max_clients"))
            patch.maxClients = maxClients;
        else if (field == QLatin1String("username"))
            patch.username = username;
        else
            patch.password = password;
        if (field == QLatin1String("username") && type == QLatin1String("socks5"))
            patch.type = type;
        if (field == QLatin1String("password") && !username.isEmpty())
            patch.username = username;
        const QString before = w.scalar(QStringLiteral("SELECT updated_at FROM proxies WHERE id = ?"), {p.id}).toString();
        Result<ProxyRecord> changed = w.service->update(w.admin, p.id, patch);
        QVERIFY(!changed.ok());
        QCOMPARE(changed.error().code, QStringLiteral("validation_failed"));
        QCOMPARE(w.scalar(QStringLiteral("SELECT updated_at FROM proxies WHERE id = ?"), {p.id}).toString(), before);
    }

    void acceptedForms_data() { addDialectRows(); }
    void acceptedForms()
    {
        WORLD(w);
        const QList<QPair<QString, QString>> hosts = {
            {QStringLiteral("10.0.0.5"), QStringLiteral("10.0.0.5")},     // private: allowed (LAN proxies)
            {QStringLiteral("127.0.0.1"), QStringLiteral("127.0.0.1")},   // loopback: allowed
            {QStringLiteral("[::1]"), QStringLiteral("::1")},
            {QStringLiteral("2001:DB8::1"), QStringLiteral("2001:db8::1")},
            {QStringLiteral("localhost"), QStringLiteral("localhost")},
            {QStringLiteral("xn--bcher-kva.example."), QStringLiteral("xn--bcher-kva.example")},
        };
        for (const auto &h : hosts) {
            const ProxyRecord p = w.make(h.first);
            QVERIFY2(!p.id.isEmpty(), qPrintable(h.first));
            QCOMPARE(p.host, h.second);
        }
        const ProxyRecord v6 = w.service->get(w.admin, w.service->list(w.admin).value().at(2).id).value();
        QCOMPARE(v6.label, QStringLiteral("[::1]:3128"));
        ProxyInput edge;
        edge.type = QStringLiteral("socks5");
        edge.host = QStringLiteral("edge.test");
        edge.port = 65535;
        edge.username = QStringLiteral("user:with:colons"); // fine for SOCKS5
        edge.password = QString(255, QLatin1Char('p'));
        edge.maxClients = 1000;
        edge.label = QStringLiteral("  Frankfurt #1  ");
        Result<ProxyRecord> r = w.service->create(w.admin, edge);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r.value().label, QStringLiteral("Frankfurt #1"));
    }

    void permissions_data() { addDialectRows(); }
    void permissions()
    {
        WORLD(w);
        const ProxyRecord p = w.make(QStringLiteral("proxy.test"));
        ProxyInput in;
        in.type = QStringLiteral("http");
        in.host = QStringLiteral("second.test");
        in.port = 8080;
        ProxyPatch patch;
        patch.label = QStringLiteral("renamed");
        for (const AuthContext *who : {&w.manager, &w.agent, &w.viewer}) {
            QCOMPARE(w.service->create(*who, in).error().httpStatus, 403);
            QCOMPARE(w.service->update(*who, p.id, patch).error().httpStatus, 403);
            QCOMPARE(w.service->remove(*who, p.id).error().httpStatus, 403);
        }
        for (const AuthContext *who : {&w.agent, &w.viewer}) {
            QCOMPARE(w.service->list(*who).error().httpStatus, 403);
            QCOMPARE(w.service->get(*who, p.id).error().httpStatus, 403);
            QCOMPARE(w.service->assign(*who, w.clients.at(0), p.id).error().httpStatus, 403);
            QCOMPARE(w.service->setFailover(*who, w.clients.at(0), true).error().httpStatus, 403);
        }
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM proxies")), 1);
        QCOMPARE(w.proxyOf(w.clients.at(0)), QString());
        // Managers list and assign.
        QCOMPARE(w.service->list(w.manager).value().size(), 1);
        QCOMPARE(w.service->assign(w.manager, w.clients.at(0), p.id).value(), p.id);
        QVERIFY(w.service->setFailover(w.manager, w.clients.at(0), true).ok());
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'assign_proxy' AND user_id = ?"), {w.manager.userId}), 1);
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'set_proxy_failover' AND user_id = ?"), {w.manager.userId}), 1);
        // Another organization's client or proxy: not found.
        QCOMPARE(w.service->assign(w.otherAdmin, w.clients.at(1), QString()).error().httpStatus, 404);
        QCOMPARE(w.service->assign(w.otherAdmin, w.otherClient, p.id).error().httpStatus, 404);
        QCOMPARE(w.proxyOf(w.otherClient), QString());
    }

    void assignment_data() { addDialectRows(); }
    void assignment()
    {
        WORLD(w);
        const ProxyRecord small = w.make(QStringLiteral("small.test"), 1);
        const ProxyRecord big = w.make(QStringLiteral("big.test"), 3);
        const ProxyRecord broken = w.make(QStringLiteral("broken.test"), 10);
        QVERIFY(!small.id.isEmpty() && !big.id.isEmpty() && !broken.id.isEmpty());
        QCOMPARE(w.service->recordCheck(broken.id, dead()).value(), true); // unknown → dead is a change

        // Explicit, then proxy_full for the next client; reassigning the same client is fine.
        QCOMPARE(w.service->assign(w.admin, w.clients.at(0), small.id).value(), small.id);
        QCOMPARE(w.service->assign(w.admin, w.clients.at(0), small.id).value(), small.id);
        Result<QString> full = w.service->assign(w.admin, w.clients.at(1), small.id);
        QCOMPARE(full.error().code, QStringLiteral("proxy_full"));
        QCOMPARE(full.error().httpStatus, 409);
        QCOMPARE(w.proxyOf(w.clients.at(1)), QString());
        QCOMPARE(w.service->get(w.admin, small.id).value().clients, 1);

        // Auto: small is full, broken is dead: big, whatever its count.
        QCOMPARE(w.service->assign(w.admin, w.clients.at(1), ProxyService::kAuto).value(), big.id);
        QCOMPARE(w.service->assign(w.admin, w.clients.at(2), ProxyService::kAuto).value(), big.id);
        // A fresh unchecked entry with no clients wins over big (fewest clients).
        const ProxyRecord fresh = w.make(QStringLiteral("fresh.test"), 1);
        QCOMPARE(w.service->assign(w.admin, w.clients.at(3), ProxyService::kAuto).value(), fresh.id);
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'assign_proxy'")), 4);

        // Nothing left below its maximum and alive: 409, the client keeps no proxy.
        QCOMPARE(w.service->assign(w.admin, w.clients.at(3), QString()).value(), QString());
        QCOMPARE(w.proxyOf(w.clients.at(3)), QString());
        ProxyPatch shrink;
        shrink.maxClients = 2;
        QVERIFY(w.service->update(w.admin, big.id, shrink).ok());
        QVERIFY(w.service->recordCheck(fresh.id, dead()).ok());
        Result<QString> none = w.service->assign(w.admin, w.clients.at(3), ProxyService::kAuto);
        QCOMPARE(none.error().code, QStringLiteral("no_proxy_available"));
        QCOMPARE(w.proxyOf(w.clients.at(3)), QString());
        // A maximum below the clients already on it is refused.
        shrink.maxClients = 1;
        QCOMPARE(w.service->update(w.admin, big.id, shrink).error().details.value(QStringLiteral("field")).toString(), QStringLiteral("max_clients"));

        // Unknown or foreign proxy ids: not found.
        QCOMPARE(w.service->assign(w.admin, w.clients.at(3), QStringLiteral("px_nope")).error().httpStatus, 404);
        ProxyInput foreign;
        foreign.type = QStringLiteral("http");
        foreign.host = QStringLiteral("foreign.test");
        foreign.port = 1;
        const ProxyRecord theirs = w.service->create(w.otherAdmin, foreign).value();
        QCOMPARE(w.service->assign(w.admin, w.clients.at(3), theirs.id).error().httpStatus, 404);

        // In use: 409 with the count; free again once the clients leave.
        Status inUse = w.service->remove(w.admin, big.id);
        QCOMPARE(inUse.error().code, QStringLiteral("proxy_in_use"));
        QCOMPARE(inUse.error().details.value(QStringLiteral("clients")).toInt(), 2);
        QVERIFY(w.service->assign(w.admin, w.clients.at(1), QString()).ok());
        QVERIFY(w.service->assign(w.admin, w.clients.at(2), QString()).ok());
        QVERIFY(w.service->remove(w.admin, big.id).ok());
    }

    void healthChecksAndFailover_data() { addDialectRows(); }
    void healthChecksAndFailover()
    {
        WORLD(w);
        const ProxyRecord main = w.make(QStringLiteral("main.test"), 5, QStringLiteral("u"), kPassword);
        const ProxyRecord spare = w.make(QStringLiteral("spare.test"), 5);
        const ProxyRecord unchecked = w.make(QStringLiteral("unchecked.test"), 5);
        QVERIFY(w.service->assign(w.admin, w.clients.at(0), main.id).ok());
        QVERIFY(w.service->assign(w.admin, w.clients.at(1), main.id).ok());
        QVERIFY(w.service->setFailover(w.admin, w.clients.at(0), true).ok());
        QSignalSpy published(w.bus.get(), &EventBus::published);

        // unknown → healthy: a change; healthy → healthy: none.
        QCOMPARE(w.service->recordCheck(main.id, healthy(35)).value(), true);
        QCOMPARE(w.service->recordCheck(main.id, healthy(50)).value(), false);
        ProxyRecord now = w.service->get(w.admin, main.id).value();
        QCOMPARE(now.healthy, std::optional<bool>(true));
        QCOMPARE(now.latencyMs, 50);
        QCOMPARE(now.exitAddress, QStringLiteral("203.0.113.7"));
        QCOMPARE(now.lastCheckedAt, w.clock.nowMs());
        QCOMPARE(now.clients, 2);
        QVERIFY(published.isEmpty());

        // healthy → dead: client.proxy_failed for each of its clients, stored and published.
        w.clock.advance(60000);
        QCOMPARE(w.service->recordCheck(main.id, dead(QStringLiteral("407 from upstream"))).value(), true);
        QCOMPARE(published.size(), 2);
        QSet<QString> told;
        for (const QList<QVariant> &args : published) {
            const Event e = args.at(0).value<Event>();
            QVERIFY(e.is(EventType::ClientProxyFailed));
            QCOMPARE(e.organizationId, QStringLiteral("org_a"));
            const ClientEventData data = ClientEvents::parse(e).value();
            QCOMPARE(data.proxyId, main.id);
            QCOMPARE(data.error, QStringLiteral("407 from upstream"));
            told.insert(data.clientId);
        }
        QCOMPARE(told, QSet<QString>({w.clients.at(0), w.clients.at(1)}));
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM events WHERE type = 'client.proxy_failed'")), 2);
        now = w.service->get(w.admin, main.id).value();
        QCOMPARE(now.healthy, std::optional<bool>(false));
        QCOMPARE(now.lastError, QStringLiteral("407 from upstream"));
        QCOMPARE(now.lastErrorAt, w.clock.nowMs());
        QCOMPARE(now.latencyMs, -1);
        QCOMPARE(w.audits(QStringLiteral("proxy_failed")), 1);
        QVERIFY(w.scalar(QStringLiteral("SELECT user_id FROM audit_logs WHERE action = 'proxy_failed'")).isNull());

        // dead → dead: nothing new; dead → healthy: a change, no event.
        QCOMPARE(w.service->recordCheck(main.id, dead()).value(), false);
        QCOMPARE(published.size(), 2);

        // The engine's view of a client: endpoint with the password, health, failover flag.
        const std::optional<ProxyService::ClientProxy> cp = w.service->proxyOfClient(QStringLiteral("org_a"), w.clients.at(0)).value();
        QVERIFY(cp.has_value());
        QCOMPARE(cp->proxyId, main.id);
        QCOMPARE(cp->endpoint.password, kPassword);
        QCOMPARE(cp->endpoint.username, QStringLiteral("u"));
        QCOMPARE(cp->healthy, std::optional<bool>(false));
        QVERIFY(cp->failover);
        QVERIFY(!w.service->proxyOfClient(QStringLiteral("org_a"), w.clients.at(2)).value().has_value());
        QCOMPARE(w.service->proxyOfClient(QStringLiteral("org_b"), w.clients.at(0)).error().httpStatus, 404);
        QCOMPARE(w.service->clientsOf(main.id).value(), QStringList({w.clients.at(0), w.clients.at(1)}));
        QCOMPARE(w.service->allForChecks().value().size(), 3);

        // Failover: only where allowed; never to an unchecked or dead entry.
        QCOMPARE(w.service->failOver(QStringLiteral("org_a"), w.clients.at(1)).error().code, QStringLiteral("failover_not_allowed"));
        QCOMPARE(w.service->failOver(QStringLiteral("org_a"), w.clients.at(0)).error().code, QStringLiteral("no_proxy_available"));
        QCOMPARE(w.proxyOf(w.clients.at(0)), main.id);
        QVERIFY(w.service->recordCheck(spare.id, healthy()).value());
        QCOMPARE(w.service->failOver(QStringLiteral("org_a"), w.clients.at(0)).value(), spare.id);
        QCOMPARE(w.proxyOf(w.clients.at(0)), spare.id);
        QCOMPARE(w.audits(QStringLiteral("proxy_failover")), 1);
        QCOMPARE(w.service->failOver(QStringLiteral("org_b"), w.clients.at(0)).error().httpStatus, 404);
        Q_UNUSED(unchecked);

        QCOMPARE(w.service->recordCheck(main.id, healthy()).value(), true);
        QCOMPARE(published.size(), 2);
        QCOMPARE(w.audits(QStringLiteral("proxy_healthy")), 3); // main twice, spare once
        QCOMPARE(w.service->recordCheck(QStringLiteral("px_00000000000000000000000000"), healthy()).error().httpStatus, 404);
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE details LIKE ?"), {QStringLiteral("%") + kPassword + QStringLiteral("%")}), 0);
    }
};

QTEST_GUILESS_MAIN(TestProxyService)
#include "tst_proxy_service.moc"
