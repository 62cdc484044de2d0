// The webhook routes over real HTTP (core/api/controllers/WebhookController): a migrated SQLite
// database, organizations and members made through the API (ApiTestHarness), and two further
// ApiService instances on the same database with the webhook wiring the application gives them
// (cipher, event bus, operator organization): one that allows private targets (as the tests
// need, the receiver is on loopback) and one that does not. A real delivery worker sends what
// the routes queue to a real receiver on loopback.
//
// Proves: registration's 201 shape and the secret shown only then; unknown events → 400 with the
// valid list; SSRF refusals at registration and on a URL change (127.0.0.1, 10.0.0.1,
// 169.254.1.1, [::1], localhost, ...); list/get/patch/delete; rotate-secret (both secrets sign);
// the test endpoint's result shape for 200, 500 and a refused connection; the deliveries listing
// with its status filter, paging bounds and capped excerpt; replaying a dead letter; broadcast
// only for the operator organization's admin; RBAC (manager, agent, viewer → 403); tenant
// isolation (another organization's ids → 404).

#include "tests/support/ApiTestHarness.h"
#include "tests/support/WebhookReceiver.h"
#include "core/events/EventBus.h"
#include "core/db/SqlRunner.h"
#include "core/secrets/AesGcm.h"
#include "core/webhooks/DeliveryService.h"
#include "core/webhooks/DeliveryWorker.h"
#include "core/events/EventLog.h"
#include "core/webhooks/WebhookService.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSet>
#include <QTest>
#include <memory>

using namespace wadesk;
using wadesk::test::Account;
using wadesk::test::ApiResponse;
using wadesk::test::ApiTestHarness;
using wadesk::test::HeaderList;
using wadesk::test::WebhookReceiver;
using Behaviour = wadesk::test::WebhookReceiver::Behaviour;

namespace {
constexpr int kWaitMs = 15000;
const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);

QStringList strings(const QJsonArray &a)
{
    QStringList out;
    for (const QJsonValue &v : a)
        out << v.toString();
    return out;
}

QStringList sortedKeys(const QJsonObject &o)
{
    QStringList keys = o.keys();
    keys.sort();
    return keys;
}
} // namespace

class TestWebhooksApi : public QObject {
    Q_OBJECT

    ApiTestHarness m_harness;
    std::unique_ptr<AesGcm> m_cipher;
    std::unique_ptr<EventBus> m_bus;
    std::unique_ptr<ApiService> m_api;    // private targets allowed, operator = m_operator's organization
    std::unique_ptr<ApiService> m_strict; // private targets refused
    std::unique_ptr<DeliveryService> m_deliveries;
    quint16 m_port = 0;
    quint16 m_strictPort = 0;
    WebhookReceiver m_receiver;
    Account m_operator;
    Account m_adminA;
    Account m_adminB;
    Account m_manager;
    Account m_agent;
    Account m_viewer;
    Account m_operatorManager;

    ApiResponse call(const Account &who, const QByteArray &method, const QString &path, const QJsonValue &body = kNoBody, quint16 port = 0)
    {
        return m_harness.request(method, path, body, ApiTestHarness::apiKey(who.apiKey), port ? port : m_port);
    }

    QJsonObject registerHook(const Account &who, const QString &path, const QStringList &events, const QJsonObject &extra = {})
    {
        QJsonObject body{{QStringLiteral("url"), m_receiver.url(path)}, {QStringLiteral("events"), QJsonArray::fromStringList(events)}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            body.insert(it.key(), it.value());
        const ApiResponse r = call(who, "POST", QStringLiteral("/api/webhooks"), body);
        if (r.status != 201) {
            qWarning("register failed: %s", r.describe().constData());
            return {};
        }
        return r.json.value(QStringLiteral("webhook")).toObject();
    }

    // Records events for one organization the way messaging and the engine do.
    QList<Event> record(const QString &org, const QString &type, int count)
    {
        SqlRunner sql(m_harness.database());
        EventLog log(sql, m_bus.get());
        Transaction tx(m_harness.database());
        QList<Event> out;
        if (!tx.begin())
            return {};
        for (int i = 0; i < count; ++i) {
            const Event e = Event::make(EventTypes::fromName(type).value(), org, {{QStringLiteral("n"), i}});
            if (!log.record(e))
                return {};
            out << e;
        }
        if (!tx.commit())
            return {};
        log.publishRecorded();
        return out;
    }

    QString deliveryStatus(const QString &eventId, const QString &webhookId)
    {
        return m_harness.rows(QStringLiteral("SELECT status FROM webhook_deliveries WHERE event_id = ? AND webhook_id = ?"), {eventId, webhookId}).value(0);
    }

    bool waitDelivery(const QString &eventId, const QString &webhookId, const QString &status)
    {
        const bool ok = QTest::qWaitFor([&]() { return deliveryStatus(eventId, webhookId) == status; }, kWaitMs);
        if (!ok)
            qWarning("delivery of %s: %s (wanted %s)", qPrintable(eventId), qPrintable(deliveryStatus(eventId, webhookId)), qPrintable(status));
        return ok;
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<wadesk::Event>();
        QString whyNot;
        QVERIFY2(m_harness.start(QStringLiteral("sqlite"), &whyNot), qPrintable(whyNot));
        QVERIFY(m_receiver.start());
        m_operator = m_harness.registerOrganization(QStringLiteral("ops@operator.test"), QStringLiteral("Operator"));
        m_adminA = m_harness.registerOrganization(QStringLiteral("admin@a.test"), QStringLiteral("Org A"));
        m_adminB = m_harness.registerOrganization(QStringLiteral("admin@b.test"), QStringLiteral("Org B"));
        QVERIFY(m_operator.valid() && m_adminA.valid() && m_adminB.valid());
        m_manager = m_harness.createMember(m_adminA, QStringLiteral("manager"), QStringLiteral("manager@a.test"));
        m_agent = m_harness.createMember(m_adminA, QStringLiteral("agent"), QStringLiteral("agent@a.test"));
        m_viewer = m_harness.createMember(m_adminA, QStringLiteral("viewer"), QStringLiteral("viewer@a.test"));
        m_operatorManager = m_harness.createMember(m_operator, QStringLiteral("manager"), QStringLiteral("manager@operator.test"));
        QVERIFY(m_manager.valid() && m_agent.valid() && m_viewer.valid() && m_operatorManager.valid());

        m_cipher = std::make_unique<AesGcm>(AesGcm::randomBytes(AesGcm::kKeyBytes));
        m_bus = std::make_unique<EventBus>();
        ApiService::Options o;
        o.services.auth.passwordCost = PasswordHasher::Cost::Minimal;
        o.services.auth.authCacheMs = 0;
        o.api.healthCacheMs = 0;
        o.shared.cipher = m_cipher.get();
        o.shared.events = m_bus.get();
        o.services.webhooks.delivery.allowPrivateTargets = true;
        o.services.webhooks.operatorOrganization = m_operator.organizationId;
        o.shared.database = &m_harness.database();
        o.shared.jwtKey = m_harness.jwtKey();
        o.api.port = 0;
        m_api = std::make_unique<ApiService>(o);
        const Result<quint16> port = m_api->start();
        QVERIFY(port.ok());
        m_port = port.value();
        o.services.webhooks.delivery.allowPrivateTargets = false;
        o.shared.database = &m_harness.database();
        o.shared.jwtKey = m_harness.jwtKey();
        o.api.port = 0;
        m_strict = std::make_unique<ApiService>(o);
        const Result<quint16> strictPort = m_strict->start();
        QVERIFY(strictPort.ok());
        m_strictPort = strictPort.value();

        DeliverySettings s;
        s.allowPrivateTargets = true;
        s.maxAttempts = 1; // the first failure is a dead letter
        s.timeoutMs = 3000;
        s.pollMs = 100;
        m_deliveries = std::make_unique<DeliveryService>(m_harness.database(), *m_cipher, s);
        QObject::connect(m_bus.get(), &EventBus::published, m_deliveries->worker(), &DeliveryWorker::wake, Qt::QueuedConnection);
        m_deliveries->start();
    }

    void cleanupTestCase()
    {
        m_deliveries.reset();
        if (m_api)
            m_api->stop(0);
        if (m_strict)
            m_strict->stop(0);
        m_api.reset();
        m_strict.reset();
        m_harness.stop();
        m_receiver.stop();
    }

    void init()
    {
        m_receiver.setBehaviour(Behaviour::Ok);
        m_receiver.setResponseBody("ok");
        m_receiver.clear();
    }

    void registerShape()
    {
        const ApiResponse r = call(m_adminA, "POST", QStringLiteral("/api/webhooks"),
                                   QJsonObject{{QStringLiteral("url"), m_receiver.url(QStringLiteral("/reg"))},
                                               {QStringLiteral("events"), QJsonArray{QStringLiteral("message.sent"), QStringLiteral("message.delivered")}}});
        QVERIFY2(r.status == 201, r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("message")).toString(), QStringLiteral("Webhook registered"));
        const QJsonObject hook = r.json.value(QStringLiteral("webhook")).toObject();
        QCOMPARE(sortedKeys(hook), (QStringList{QStringLiteral("active"), QStringLiteral("events"), QStringLiteral("id"), QStringLiteral("secret"),
                                                QStringLiteral("url")}));
        QVERIFY(hook.value(QStringLiteral("id")).toString().startsWith(QLatin1String("wh_")));
        QCOMPARE(hook.value(QStringLiteral("url")).toString(), m_receiver.url(QStringLiteral("/reg")));
        QCOMPARE(strings(hook.value(QStringLiteral("events")).toArray()), (QStringList{QStringLiteral("message.sent"), QStringLiteral("message.delivered")}));
        QCOMPARE(hook.value(QStringLiteral("active")).toBool(), true);
        const QString secret = hook.value(QStringLiteral("secret")).toString();
        QVERIFY2(secret.startsWith(QLatin1String("whsec_")), qPrintable(secret));
        QVERIFY(QByteArray::fromBase64(secret.mid(6).toLatin1()).size() >= 24);

        // The secret is shown only here: not by get or list, and not stored in clear.
        const QString id = hook.value(QStringLiteral("id")).toString();
        const ApiResponse got = call(m_adminA, "GET", QStringLiteral("/api/webhooks/") + id);
        QVERIFY2(got.status == 200, got.describe().constData());
        QVERIFY(!got.body.contains(secret.toLatin1()));
        QVERIFY(!got.json.value(QStringLiteral("webhook")).toObject().contains(QStringLiteral("secret")));
        const ApiResponse list = call(m_adminA, "GET", QStringLiteral("/api/webhooks"));
        QVERIFY(!list.body.contains(secret.toLatin1()));
        const QString sealed = m_harness.rows(QStringLiteral("SELECT secret_sealed FROM webhooks WHERE id = ?"), {id}).value(0);
        QVERIFY(!sealed.isEmpty());
        QVERIFY(!sealed.contains(secret.mid(6)));
        QVERIFY(m_harness.rows(QStringLiteral("SELECT action FROM audit_logs WHERE organization_id = ?"), {m_adminA.organizationId})
                    .contains(QStringLiteral("create_webhook")));

        // "*" subscribes to everything; duplicates collapse.
        const QJsonObject all = registerHook(m_adminA, QStringLiteral("/all"), {QStringLiteral("*"), QStringLiteral("*")});
        QCOMPARE(strings(all.value(QStringLiteral("events")).toArray()), QStringList{QStringLiteral("*")});
        QVERIFY(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + all.value(QStringLiteral("id")).toString()).status == 200);
        QVERIFY(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + id).status == 200);
    }

    void invalidRegistrations()
    {
        const ApiResponse unknown = call(m_adminA, "POST", QStringLiteral("/api/webhooks"),
                                         QJsonObject{{QStringLiteral("url"), m_receiver.url()},
                                                     {QStringLiteral("events"), QJsonArray{QStringLiteral("message.sent"), QStringLiteral("message.exploded")}}});
        QVERIFY2(unknown.isError(400, QStringLiteral("validation_failed")), unknown.describe().constData());
        const QString message = unknown.json.value(QStringLiteral("error")).toString();
        QVERIFY2(message.contains(QLatin1String("message.exploded")), qPrintable(message));
        const QStringList valid = strings(unknown.json.value(QStringLiteral("details")).toObject().value(QStringLiteral("valid_events")).toArray());
        for (const QString &e : EventTypes::names()) {
            QVERIFY2(valid.contains(e), qPrintable(e));
            QVERIFY2(message.contains(e), qPrintable(e));
        }
        QVERIFY(valid.contains(QStringLiteral("*")));
        for (const char *e : {"message.sent", "message.delivered", "message.read", "message.failed", "message.received", "client.qr",
                              "client.connected", "client.disconnected", "system.status", "test"})
            QVERIFY2(valid.contains(QLatin1String(e)), e);

        const QList<QPair<QString, QJsonObject>> bad = {
            {QStringLiteral("no url"), QJsonObject{{QStringLiteral("events"), QJsonArray{QStringLiteral("*")}}}},
            {QStringLiteral("no events"), QJsonObject{{QStringLiteral("url"), m_receiver.url()}}},
            {QStringLiteral("empty events"), QJsonObject{{QStringLiteral("url"), m_receiver.url()}, {QStringLiteral("events"), QJsonArray{}}}},
            {QStringLiteral("events not a list"), QJsonObject{{QStringLiteral("url"), m_receiver.url()}, {QStringLiteral("events"), QStringLiteral("*")}}},
            {QStringLiteral("ftp"), QJsonObject{{QStringLiteral("url"), QStringLiteral("ftp://example.com/")}, {QStringLiteral("events"), QJsonArray{QStringLiteral("*")}}}},
            {QStringLiteral("credentials in url"),
             QJsonObject{{QStringLiteral("url"), QStringLiteral("http://u:p@127.0.0.1:%1/").arg(m_receiver.port())}, {QStringLiteral("events"), QJsonArray{QStringLiteral("*")}}}},
            {QStringLiteral("reserved header"),
             QJsonObject{{QStringLiteral("url"), m_receiver.url()},
                         {QStringLiteral("events"), QJsonArray{QStringLiteral("*")}},
                         {QStringLiteral("headers"), QJsonObject{{QStringLiteral("webhook-signature"), QStringLiteral("x")}}}}},
            {QStringLiteral("header with newline"),
             QJsonObject{{QStringLiteral("url"), m_receiver.url()},
                         {QStringLiteral("events"), QJsonArray{QStringLiteral("*")}},
                         {QStringLiteral("headers"), QJsonObject{{QStringLiteral("X-A"), QStringLiteral("a\r\nX-B: b")}}}}},
        };
        const int before = m_harness.rows(QStringLiteral("SELECT COUNT(*) FROM webhooks")).value(0).toInt();
        for (const auto &[name, body] : bad) {
            const ApiResponse r = call(m_adminA, "POST", QStringLiteral("/api/webhooks"), body);
            QVERIFY2(r.status == 400 && r.code() == QLatin1String("validation_failed"), qPrintable(name + QLatin1String(": ") + QString::fromUtf8(r.describe())));
        }
        QCOMPARE(m_harness.rows(QStringLiteral("SELECT COUNT(*) FROM webhooks")).value(0).toInt(), before);
    }

    void privateTargetsRefused_data()
    {
        QTest::addColumn<QString>("url");
        const QString port = QString::number(m_receiver.port());
        QTest::newRow("127.0.0.1") << QStringLiteral("http://127.0.0.1:%1/hook").arg(port);
        QTest::newRow("127.9.9.9") << QStringLiteral("http://127.9.9.9:%1/hook").arg(port);
        QTest::newRow("10.0.0.1") << QStringLiteral("http://10.0.0.1/hook");
        QTest::newRow("172.16.5.4") << QStringLiteral("https://172.16.5.4/hook");
        QTest::newRow("192.168.1.1") << QStringLiteral("http://192.168.1.1/hook");
        QTest::newRow("169.254.1.1") << QStringLiteral("http://169.254.1.1/hook");
        QTest::newRow("169.254.169.254 (cloud metadata)") << QStringLiteral("http://169.254.169.254/latest/meta-data/");
        QTest::newRow("100.64.0.1") << QStringLiteral("http://100.64.0.1/hook");
        QTest::newRow("0.0.0.0") << QStringLiteral("http://0.0.0.0:%1/hook").arg(port);
        QTest::newRow("[::1]") << QStringLiteral("http://[::1]:%1/hook").arg(port);
        QTest::newRow("[::ffff:127.0.0.1]") << QStringLiteral("http://[::ffff:127.0.0.1]:%1/hook").arg(port);
        QTest::newRow("[fe80::1]") << QStringLiteral("http://[fe80::1]/hook");
        QTest::newRow("[fd00::1]") << QStringLiteral("http://[fd00::1]/hook");
        QTest::newRow("localhost") << QStringLiteral("http://localhost:%1/hook").arg(port);
        QTest::newRow("LocalHost") << QStringLiteral("http://LocalHost:%1/hook").arg(port);
        QTest::newRow("decimal 2130706433") << QStringLiteral("http://2130706433:%1/hook").arg(port);
        QTest::newRow("octal 0177.0.0.1") << QStringLiteral("http://0177.0.0.1:%1/hook").arg(port);
    }

    void privateTargetsRefused()
    {
        QFETCH(QString, url);
        const int before = m_harness.rows(QStringLiteral("SELECT COUNT(*) FROM webhooks")).value(0).toInt();
        const ApiResponse r = call(m_adminA, "POST", QStringLiteral("/api/webhooks"),
                                   QJsonObject{{QStringLiteral("url"), url}, {QStringLiteral("events"), QJsonArray{QStringLiteral("*")}}}, m_strictPort);
        QVERIFY2(r.status == 400, r.describe().constData());
        QVERIFY2(r.code() == QLatin1String("target_not_allowed") || r.code() == QLatin1String("validation_failed"), r.describe().constData());
        if (!url.contains(QLatin1String("0177")) && !url.contains(QLatin1String("2130706433")))
            QVERIFY2(r.code() == QLatin1String("target_not_allowed"), r.describe().constData());
        QCOMPARE(m_harness.rows(QStringLiteral("SELECT COUNT(*) FROM webhooks")).value(0).toInt(), before);
        QCOMPARE(m_receiver.count(), 0);
    }

    // A name that does not resolve yet is saved with a warning (deliveries check it again); a
    // URL change to such a name too. Literal private addresses stay refused (privateTargetsRefused).
    void unresolvedHostAcceptedWithWarning()
    {
        const int before = m_harness.rows(QStringLiteral("SELECT COUNT(*) FROM webhooks")).value(0).toInt();
        const ApiResponse r = call(m_adminA, "POST", QStringLiteral("/api/webhooks"),
                                   QJsonObject{{QStringLiteral("url"), QStringLiteral("https://hooks.not-yet-deployed.invalid/in")},
                                               {QStringLiteral("events"), QJsonArray{QStringLiteral("*")}}},
                                   m_strictPort);
        QVERIFY2(r.status == 201, r.describe().constData());
        QVERIFY2(r.json.value(QStringLiteral("warning")).toString().contains(QLatin1String("hooks.not-yet-deployed.invalid")), r.describe().constData());
        const QString id = r.json.value(QStringLiteral("webhook")).toObject().value(QStringLiteral("id")).toString();
        QCOMPARE(m_harness.rows(QStringLiteral("SELECT COUNT(*) FROM webhooks")).value(0).toInt(), before + 1);
        const ApiResponse patch = call(m_adminA, "PATCH", QStringLiteral("/api/webhooks/") + id,
                                       QJsonObject{{QStringLiteral("url"), QStringLiteral("https://other.not-yet-deployed.invalid/in")}}, m_strictPort);
        QVERIFY2(patch.status == 200 && patch.json.contains(QStringLiteral("warning")), patch.describe().constData());
        // A change that leaves the URL as it is answers without one.
        const ApiResponse events = call(m_adminA, "PATCH", QStringLiteral("/api/webhooks/") + id,
                                        QJsonObject{{QStringLiteral("events"), QJsonArray{QStringLiteral("message.sent")}}}, m_strictPort);
        QVERIFY2(events.status == 200 && !events.json.contains(QStringLiteral("warning")), events.describe().constData());
        QCOMPARE(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + id).status, 200);
    }

    // A URL change is checked the same way, and so is the test endpoint.
    void privateTargetsRefusedOnChangeAndTest()
    {
        const QJsonObject hook = registerHook(m_adminA, QStringLiteral("/change"), {QStringLiteral("*")});
        const QString id = hook.value(QStringLiteral("id")).toString();
        QVERIFY(!id.isEmpty());
        const ApiResponse patch = call(m_adminA, "PATCH", QStringLiteral("/api/webhooks/") + id,
                                       QJsonObject{{QStringLiteral("url"), QStringLiteral("http://10.1.2.3/x")}}, m_strictPort);
        QVERIFY2(patch.isError(400, QStringLiteral("target_not_allowed")), patch.describe().constData());
        QCOMPARE(m_harness.rows(QStringLiteral("SELECT url FROM webhooks WHERE id = ?"), {id}).value(0), m_receiver.url(QStringLiteral("/change")));
        const ApiResponse test = call(m_adminA, "POST", QStringLiteral("/api/webhooks/%1/test").arg(id), QJsonObject{}, m_strictPort);
        QVERIFY2(test.isError(400, QStringLiteral("target_not_allowed")), test.describe().constData());
        QCOMPARE(m_receiver.count(), 0);
        QCOMPARE(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + id).status, 200);
    }

    void listGetPatchDelete()
    {
        const QJsonObject one = registerHook(m_adminA, QStringLiteral("/one"), {QStringLiteral("message.sent")});
        const QJsonObject two = registerHook(m_adminA, QStringLiteral("/two"), {QStringLiteral("client.qr")});
        const QString id = one.value(QStringLiteral("id")).toString();
        QVERIFY(!id.isEmpty());

        const ApiResponse list = call(m_adminA, "GET", QStringLiteral("/api/webhooks"));
        QVERIFY2(list.status == 200, list.describe().constData());
        const QJsonArray hooks = list.json.value(QStringLiteral("webhooks")).toArray();
        QCOMPARE(list.json.value(QStringLiteral("count")).toInt(), hooks.size());
        QSet<QString> ids;
        for (const QJsonValue &h : hooks) {
            const QJsonObject o = h.toObject();
            ids.insert(o.value(QStringLiteral("id")).toString());
            for (const char *key : {"id", "url", "events", "active", "created_at", "consecutive_failures", "total_failures", "failing_since",
                                    "last_success_at", "last_failure_at", "disabled_reason", "headers"})
                QVERIFY2(o.contains(QLatin1String(key)), key);
            QVERIFY(!o.contains(QStringLiteral("secret")));
            QVERIFY(o.value(QStringLiteral("created_at")).toString().endsWith(QLatin1Char('Z')));
        }
        QVERIFY(ids.contains(id));
        QVERIFY(ids.contains(two.value(QStringLiteral("id")).toString()));

        const ApiResponse got = call(m_adminA, "GET", QStringLiteral("/api/webhooks/") + id);
        QVERIFY2(got.status == 200, got.describe().constData());
        QCOMPARE(got.json.value(QStringLiteral("webhook")).toObject().value(QStringLiteral("url")).toString(), m_receiver.url(QStringLiteral("/one")));

        const ApiResponse patched = call(m_adminA, "PATCH", QStringLiteral("/api/webhooks/") + id,
                                         QJsonObject{{QStringLiteral("events"), QJsonArray{QStringLiteral("message.read"), QStringLiteral("message.failed")}},
                                                     {QStringLiteral("active"), false},
                                                     {QStringLiteral("url"), m_receiver.url(QStringLiteral("/one-b"))},
                                                     {QStringLiteral("headers"), QJsonObject{{QStringLiteral("X-Token"), QStringLiteral("t")}}}});
        QVERIFY2(patched.status == 200, patched.describe().constData());
        const QJsonObject view = patched.json.value(QStringLiteral("webhook")).toObject();
        QCOMPARE(strings(view.value(QStringLiteral("events")).toArray()), (QStringList{QStringLiteral("message.read"), QStringLiteral("message.failed")}));
        QCOMPARE(view.value(QStringLiteral("active")).toBool(), false);
        QCOMPARE(view.value(QStringLiteral("url")).toString(), m_receiver.url(QStringLiteral("/one-b")));
        QCOMPARE(strings(view.value(QStringLiteral("headers")).toArray()), QStringList{QStringLiteral("X-Token")}); // names only, values may be credentials
        QVERIFY(!patched.body.contains("\"t\""));
        const ApiResponse reread = call(m_adminA, "GET", QStringLiteral("/api/webhooks/") + id);
        QCOMPARE(reread.json.value(QStringLiteral("webhook")).toObject().value(QStringLiteral("active")).toBool(), false);

        const ApiResponse empty = call(m_adminA, "PATCH", QStringLiteral("/api/webhooks/") + id, QJsonObject{});
        QVERIFY2(empty.status == 400, empty.describe().constData());
        const ApiResponse badEvent = call(m_adminA, "PATCH", QStringLiteral("/api/webhooks/") + id,
                                          QJsonObject{{QStringLiteral("events"), QJsonArray{QStringLiteral("nope")}}});
        QVERIFY2(badEvent.isError(400, QStringLiteral("validation_failed")), badEvent.describe().constData());
        const ApiResponse missing = call(m_adminA, "PATCH", QStringLiteral("/api/webhooks/wh_missing"), QJsonObject{{QStringLiteral("active"), true}});
        QVERIFY2(missing.status == 404, missing.describe().constData());

        const ApiResponse removed = call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + id);
        QVERIFY2(removed.status == 200, removed.describe().constData());
        QCOMPARE(call(m_adminA, "GET", QStringLiteral("/api/webhooks/") + id).status, 404);
        QCOMPARE(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + id).status, 404);
        const QStringList actions = m_harness.rows(QStringLiteral("SELECT action FROM audit_logs WHERE organization_id = ?"), {m_adminA.organizationId});
        QVERIFY(actions.contains(QStringLiteral("update_webhook")));
        QVERIFY(actions.contains(QStringLiteral("delete_webhook")));
        QCOMPARE(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + two.value(QStringLiteral("id")).toString()).status, 200);
    }

    void testEndpoint()
    {
        const QJsonObject hook = registerHook(m_adminA, QStringLiteral("/test"), {QStringLiteral("message.sent")});
        const QString id = hook.value(QStringLiteral("id")).toString();
        const QString secret = hook.value(QStringLiteral("secret")).toString();

        const ApiResponse ok = call(m_adminA, "POST", QStringLiteral("/api/webhooks/%1/test").arg(id), QJsonObject{});
        QVERIFY2(ok.status == 200, ok.describe().constData());
        QCOMPARE(ok.json.value(QStringLiteral("message")).toString(), QStringLiteral("Test sent"));
        const QJsonObject result = ok.json.value(QStringLiteral("result")).toObject();
        QCOMPARE(result.value(QStringLiteral("success")).toBool(), true);
        QCOMPARE(result.value(QStringLiteral("statusCode")).toInt(), 200);
        QVERIFY(result.value(QStringLiteral("responseTime")).isDouble());
        QVERIFY(result.value(QStringLiteral("responseTime")).toDouble() >= 0);
        QCOMPARE(m_receiver.count(), 1);
        const WebhookReceiver::Request sent = m_receiver.requests().first();
        QCOMPARE(sent.event(), QStringLiteral("test"));
        QVERIFY(WebhookReceiver::verify(sent, secret));
        QCOMPARE(sent.json().value(QStringLiteral("organization_id")).toString(), m_adminA.organizationId);
        QVERIFY(sent.webhookId().startsWith(QLatin1String("evt_")));

        m_receiver.setBehaviour(Behaviour::ServerError);
        const ApiResponse failed = call(m_adminA, "POST", QStringLiteral("/api/webhooks/%1/test").arg(id), QJsonObject{});
        QVERIFY2(failed.status == 200, failed.describe().constData());
        QCOMPARE(failed.json.value(QStringLiteral("message")).toString(), QStringLiteral("Test sent"));
        const QJsonObject failure = failed.json.value(QStringLiteral("result")).toObject();
        QCOMPARE(failure.value(QStringLiteral("success")).toBool(), false);
        QCOMPARE(failure.value(QStringLiteral("statusCode")).toInt(), 500);
        QVERIFY(failure.value(QStringLiteral("responseTime")).isDouble());

        // Nobody listening: no status code, success false, a reason.
        m_receiver.stop();
        const ApiResponse refused = call(m_adminA, "POST", QStringLiteral("/api/webhooks/%1/test").arg(id), QJsonObject{});
        QVERIFY(m_receiver.start(m_receiver.port()));
        QVERIFY2(refused.status == 200, refused.describe().constData());
        const QJsonObject down = refused.json.value(QStringLiteral("result")).toObject();
        QCOMPARE(down.value(QStringLiteral("success")).toBool(), false);
        QVERIFY(down.value(QStringLiteral("statusCode")).isNull());
        QVERIFY(!down.value(QStringLiteral("error")).toString().isEmpty());

        // A test is not a delivery: nothing queued.
        QCOMPARE(m_harness.rows(QStringLiteral("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?"), {id}).value(0), QStringLiteral("0"));
        QCOMPARE(call(m_adminA, "POST", QStringLiteral("/api/webhooks/wh_nope/test"), QJsonObject{}).status, 404);
        QCOMPARE(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + id).status, 200);
    }

    void rotateSecret()
    {
        const QJsonObject hook = registerHook(m_adminA, QStringLiteral("/rotate"), {QStringLiteral("*")});
        const QString id = hook.value(QStringLiteral("id")).toString();
        const QString oldSecret = hook.value(QStringLiteral("secret")).toString();
        const ApiResponse r = call(m_adminA, "POST", QStringLiteral("/api/webhooks/%1/rotate-secret").arg(id), QJsonObject{});
        QVERIFY2(r.status == 200, r.describe().constData());
        const QString newSecret = r.json.value(QStringLiteral("secret")).toString();
        QVERIFY(newSecret.startsWith(QLatin1String("whsec_")));
        QVERIFY(newSecret != oldSecret);
        const QDateTime expires = QDateTime::fromString(r.json.value(QStringLiteral("previous_secret_expires_at")).toString(), Qt::ISODateWithMs);
        QVERIFY(expires.isValid());
        const qint64 grace = expires.toMSecsSinceEpoch() - QDateTime::currentMSecsSinceEpoch();
        QVERIFY2(grace > 23 * 3600 * 1000LL && grace <= 24 * 3600 * 1000LL, qPrintable(QString::number(grace)));

        // Deliveries and tests now carry both signatures.
        const Event e = record(m_adminA.organizationId, QStringLiteral("message.sent"), 1).value(0);
        QVERIFY(waitDelivery(e.id, id, QStringLiteral("succeeded")));
        const ApiResponse test = call(m_adminA, "POST", QStringLiteral("/api/webhooks/%1/test").arg(id), QJsonObject{});
        QCOMPARE(test.json.value(QStringLiteral("result")).toObject().value(QStringLiteral("success")).toBool(), true);
        QCOMPARE(m_receiver.count(), 2);
        for (const auto &req : m_receiver.requests()) {
            QVERIFY(WebhookReceiver::standardSignatureValid(req, newSecret));
            QVERIFY(WebhookReceiver::standardSignatureValid(req, oldSecret));
            QVERIFY(WebhookReceiver::guideSignatureValid(req, newSecret));
        }
        QCOMPARE(m_receiver.requests().first().webhookId(), e.id);
        // A second rotation: the newest and the one before it sign, the first no longer.
        const ApiResponse again = call(m_adminA, "POST", QStringLiteral("/api/webhooks/%1/rotate-secret").arg(id), QJsonObject{});
        const QString third = again.json.value(QStringLiteral("secret")).toString();
        m_receiver.clear();
        QVERIFY(call(m_adminA, "POST", QStringLiteral("/api/webhooks/%1/test").arg(id), QJsonObject{}).status == 200);
        const WebhookReceiver::Request last = m_receiver.requests().value(0);
        QVERIFY(WebhookReceiver::standardSignatureValid(last, third));
        QVERIFY(WebhookReceiver::standardSignatureValid(last, newSecret));
        QVERIFY(!WebhookReceiver::standardSignatureValid(last, oldSecret));
        QCOMPARE(call(m_adminA, "POST", QStringLiteral("/api/webhooks/wh_nope/rotate-secret"), QJsonObject{}).status, 404);
        QCOMPARE(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + id).status, 200);
    }

    void deliveriesListingAndReplay()
    {
        const QJsonObject hook = registerHook(m_adminA, QStringLiteral("/deliveries"), {QStringLiteral("message.sent")});
        const QString id = hook.value(QStringLiteral("id")).toString();
        const QString secret = hook.value(QStringLiteral("secret")).toString();
        m_receiver.setResponseBody(QByteArray(10000, 'x')); // the excerpt is capped
        const QList<Event> good = record(m_adminA.organizationId, QStringLiteral("message.sent"), 5);
        for (const Event &e : good)
            QVERIFY(waitDelivery(e.id, id, QStringLiteral("succeeded")));
        m_receiver.setBehaviour(Behaviour::ServerError);
        const QList<Event> bad = record(m_adminA.organizationId, QStringLiteral("message.sent"), 2);
        for (const Event &e : bad)
            QVERIFY(waitDelivery(e.id, id, QStringLiteral("dead")));

        const QString base = QStringLiteral("/api/webhooks/%1/deliveries").arg(id);
        const ApiResponse all = call(m_adminA, "GET", base);
        QVERIFY2(all.status == 200, all.describe().constData());
        const QJsonArray items = all.json.value(QStringLiteral("deliveries")).toArray();
        QCOMPARE(items.size(), 7);
        QCOMPARE(all.json.value(QStringLiteral("count")).toInt(), 7);
        for (const QJsonValue &v : items) {
            const QJsonObject d = v.toObject();
            for (const char *key : {"id", "webhook_id", "event_id", "event", "status", "attempts", "last_status_code", "last_error", "next_attempt_at",
                                    "response_excerpt", "created_at", "delivered_at"})
                QVERIFY2(d.contains(QLatin1String(key)), key);
            QCOMPARE(d.value(QStringLiteral("webhook_id")).toString(), id);
            QCOMPARE(d.value(QStringLiteral("event")).toString(), QStringLiteral("message.sent"));
            QCOMPARE(d.value(QStringLiteral("attempts")).toInt(), 1);
            if (d.value(QStringLiteral("status")).toString() == QLatin1String("succeeded")) {
                QCOMPARE(d.value(QStringLiteral("last_status_code")).toInt(), 200);
                QVERIFY(d.value(QStringLiteral("response_excerpt")).toString().size() <= 4096);
                QVERIFY(d.value(QStringLiteral("response_excerpt")).toString().size() >= 1000);
                QVERIFY(d.value(QStringLiteral("delivered_at")).isString());
            } else {
                QCOMPARE(d.value(QStringLiteral("status")).toString(), QStringLiteral("dead"));
                QCOMPARE(d.value(QStringLiteral("last_status_code")).toInt(), 500);
                QVERIFY(!d.value(QStringLiteral("last_error")).toString().isEmpty());
                QVERIFY(d.value(QStringLiteral("next_attempt_at")).isNull());
            }
        }
        QCOMPARE(call(m_adminA, "GET", base + QStringLiteral("?status=dead")).json.value(QStringLiteral("deliveries")).toArray().size(), 2);
        QCOMPARE(call(m_adminA, "GET", base + QStringLiteral("?status=succeeded")).json.value(QStringLiteral("deliveries")).toArray().size(), 5);
        QCOMPARE(call(m_adminA, "GET", base + QStringLiteral("?status=pending")).json.value(QStringLiteral("deliveries")).toArray().size(), 0);
        const ApiResponse page1 = call(m_adminA, "GET", base + QStringLiteral("?limit=3"));
        const ApiResponse page2 = call(m_adminA, "GET", base + QStringLiteral("?limit=3&offset=3"));
        const ApiResponse page3 = call(m_adminA, "GET", base + QStringLiteral("?limit=3&offset=6"));
        QCOMPARE(page1.json.value(QStringLiteral("deliveries")).toArray().size(), 3);
        QCOMPARE(page2.json.value(QStringLiteral("deliveries")).toArray().size(), 3);
        QCOMPARE(page3.json.value(QStringLiteral("deliveries")).toArray().size(), 1);
        QSet<QString> seen;
        for (const ApiResponse *p : {&page1, &page2, &page3}) {
            for (const QJsonValue &v : p->json.value(QStringLiteral("deliveries")).toArray())
                seen.insert(v.toObject().value(QStringLiteral("id")).toString());
        }
        QCOMPARE(seen.size(), 7);
        for (const QString &q : {QStringLiteral("?status=bogus"), QStringLiteral("?limit=0"), QStringLiteral("?limit=501"), QStringLiteral("?limit=x"),
                                 QStringLiteral("?offset=-1")}) {
            const ApiResponse r = call(m_adminA, "GET", base + q);
            QVERIFY2(r.isError(400, QStringLiteral("validation_failed")), qPrintable(q + QLatin1Char(' ') + QString::fromUtf8(r.describe())));
        }
        QVERIFY(call(m_adminA, "GET", base + QStringLiteral("?limit=500")).status == 200);
        QCOMPARE(call(m_adminA, "GET", QStringLiteral("/api/webhooks/wh_nope/deliveries")).status, 404);

        // Replay a dead letter: queued again, then delivered with the event's id.
        QString deadId;
        for (const QJsonValue &v : call(m_adminA, "GET", base + QStringLiteral("?status=dead")).json.value(QStringLiteral("deliveries")).toArray()) {
            if (v.toObject().value(QStringLiteral("event_id")).toString() == bad.first().id)
                deadId = v.toObject().value(QStringLiteral("id")).toString();
        }
        QVERIFY(!deadId.isEmpty());
        m_receiver.setBehaviour(Behaviour::Ok);
        m_receiver.clear();
        const ApiResponse retried = call(m_adminA, "POST", QStringLiteral("/api/webhooks/deliveries/%1/retry").arg(deadId), QJsonObject{});
        QVERIFY2(retried.status == 200, retried.describe().constData());
        const QJsonObject queued = retried.json.value(QStringLiteral("delivery")).toObject();
        QCOMPARE(queued.value(QStringLiteral("id")).toString(), deadId);
        QCOMPARE(queued.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
        QCOMPARE(queued.value(QStringLiteral("attempts")).toInt(), 0);
        QVERIFY(waitDelivery(bad.first().id, id, QStringLiteral("succeeded")));
        QVERIFY(m_receiver.waitForCount(1, kWaitMs));
        QCOMPARE(m_receiver.requests().first().webhookId(), bad.first().id);
        QVERIFY(WebhookReceiver::verify(m_receiver.requests().first(), secret));
        // A succeeded delivery may be replayed too (the receiver asked for it again).
        QCOMPARE(call(m_adminA, "POST", QStringLiteral("/api/webhooks/deliveries/%1/retry").arg(deadId), QJsonObject{}).status, 200);
        QVERIFY(m_receiver.waitForCount(2, kWaitMs));
        QCOMPARE(call(m_adminA, "POST", QStringLiteral("/api/webhooks/deliveries/dlv_nope/retry"), QJsonObject{}).status, 404);
        QCOMPARE(call(m_adminB, "POST", QStringLiteral("/api/webhooks/deliveries/%1/retry").arg(deadId), QJsonObject{}).status, 404);
        QCOMPARE(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + id).status, 200);
        // Deleting a webhook removes its deliveries.
        QCOMPARE(m_harness.rows(QStringLiteral("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?"), {id}).value(0), QStringLiteral("0"));
    }

    void broadcastOnlyForOperatorAdmin()
    {
        const QJsonObject a = registerHook(m_adminA, QStringLiteral("/bc-a"), {QStringLiteral("system.status")});
        const QJsonObject b = registerHook(m_adminB, QStringLiteral("/bc-b"), {QStringLiteral("*")});
        const QJsonObject a2 = registerHook(m_adminA, QStringLiteral("/bc-a2"), {QStringLiteral("message.sent")});
        const QJsonObject body{{QStringLiteral("event"), QStringLiteral("system.status")},
                               {QStringLiteral("data"), QJsonObject{{QStringLiteral("status"), QStringLiteral("maintenance")}}}};
        for (const Account *who : {&m_adminA, &m_adminB, &m_operatorManager}) {
            const ApiResponse r = call(*who, "POST", QStringLiteral("/api/webhooks/broadcast"), body);
            QVERIFY2(r.isError(403, QStringLiteral("forbidden")), r.describe().constData());
        }
        QTest::qWait(300);
        QCOMPARE(m_receiver.count(), 0);
        const ApiResponse r = call(m_operator, "POST", QStringLiteral("/api/webhooks/broadcast"), body);
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QStringLiteral("message")).toString(), QStringLiteral("Event broadcast"));
        QVERIFY(r.json.value(QStringLiteral("organizations")).toInt() >= 2);
        QVERIFY(m_receiver.waitForCount(2, kWaitMs));
        QTest::qWait(300);
        QCOMPARE(m_receiver.count(), 2);
        QSet<QString> orgs;
        for (const auto &req : m_receiver.requests()) {
            QCOMPARE(req.event(), QStringLiteral("system.status"));
            QCOMPARE(req.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("maintenance"));
            const QString org = req.json().value(QStringLiteral("organization_id")).toString();
            orgs.insert(org);
            const QJsonObject &hook = req.target == "/bc-a" ? a : b;
            QVERIFY(req.target == "/bc-a" || req.target == "/bc-b");
            QCOMPARE(org, req.target == "/bc-a" ? m_adminA.organizationId : m_adminB.organizationId);
            QVERIFY(WebhookReceiver::verify(req, hook.value(QStringLiteral("secret")).toString()));
        }
        QCOMPARE(orgs.size(), 2);
        // Only system-level events may be broadcast.
        for (const char *event : {"message.sent", "client.qr", "nope"}) {
            const ApiResponse bad = call(m_operator, "POST", QStringLiteral("/api/webhooks/broadcast"),
                                         QJsonObject{{QStringLiteral("event"), QLatin1String(event)}});
            QVERIFY2(bad.isError(400, QStringLiteral("validation_failed")), bad.describe().constData());
        }
        for (const QJsonObject *h : {&a, &a2})
            QCOMPARE(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + h->value(QStringLiteral("id")).toString()).status, 200);
        QCOMPARE(call(m_adminB, "DELETE", QStringLiteral("/api/webhooks/") + b.value(QStringLiteral("id")).toString()).status, 200);
    }

    void rbac()
    {
        const QJsonObject hook = registerHook(m_adminA, QStringLiteral("/rbac"), {QStringLiteral("*")});
        const QString id = hook.value(QStringLiteral("id")).toString();
        const QString deliveryId = [&]() {
            const Event e = record(m_adminA.organizationId, QStringLiteral("client.qr"), 1).value(0);
            waitDelivery(e.id, id, QStringLiteral("succeeded"));
            return m_harness.rows(QStringLiteral("SELECT id FROM webhook_deliveries WHERE event_id = ?"), {e.id}).value(0);
        }();
        QVERIFY(!deliveryId.isEmpty());
        const QJsonObject create{{QStringLiteral("url"), m_receiver.url()}, {QStringLiteral("events"), QJsonArray{QStringLiteral("*")}}};
        const QList<std::tuple<QByteArray, QString, QJsonValue>> routes = {
            {"GET", QStringLiteral("/api/webhooks"), kNoBody},
            {"POST", QStringLiteral("/api/webhooks"), create},
            {"GET", QStringLiteral("/api/webhooks/") + id, kNoBody},
            {"PATCH", QStringLiteral("/api/webhooks/") + id, QJsonObject{{QStringLiteral("active"), false}}},
            {"DELETE", QStringLiteral("/api/webhooks/") + id, kNoBody},
            {"POST", QStringLiteral("/api/webhooks/%1/rotate-secret").arg(id), QJsonObject{}},
            {"POST", QStringLiteral("/api/webhooks/%1/test").arg(id), QJsonObject{}},
            {"GET", QStringLiteral("/api/webhooks/%1/deliveries").arg(id), kNoBody},
            {"POST", QStringLiteral("/api/webhooks/deliveries/%1/retry").arg(deliveryId), QJsonObject{}},
            {"POST", QStringLiteral("/api/webhooks/broadcast"), QJsonObject{{QStringLiteral("event"), QStringLiteral("system.status")}}},
        };
        const int before = m_receiver.count();
        for (const Account *who : {&m_manager, &m_agent, &m_viewer}) {
            for (const auto &[method, path, body] : routes) {
                const ApiResponse r = call(*who, method, path, body);
                QVERIFY2(r.isError(403, QStringLiteral("forbidden")), qPrintable(who->role + QLatin1Char(' ') + QString::fromLatin1(method) + QLatin1Char(' ') + path
                                                                              + QLatin1String(": ") + QString::fromUtf8(r.describe())));
                QVERIFY(r.json.value(QStringLiteral("error")).toString().contains(QLatin1String("can_manage_webhooks")));
            }
            // The same with a JWT.
            const ApiResponse jwt = m_harness.request("GET", QStringLiteral("/api/webhooks"), kNoBody, ApiTestHarness::bearer(who->token), m_port);
            QVERIFY2(jwt.isError(403, QStringLiteral("forbidden")), jwt.describe().constData());
        }
        for (const auto &[method, path, body] : routes) {
            const ApiResponse r = m_harness.request(method, path, body, {}, m_port);
            QVERIFY2(r.status == 401, qPrintable(path + QLatin1String(": ") + QString::fromUtf8(r.describe())));
        }
        // Nothing changed, nothing was sent.
        QTest::qWait(200);
        QCOMPARE(m_receiver.count(), before);
        const ApiResponse still = call(m_adminA, "GET", QStringLiteral("/api/webhooks/") + id);
        QVERIFY(still.json.value(QStringLiteral("webhook")).toObject().value(QStringLiteral("active")).toBool());
        QCOMPARE(m_harness.rows(QStringLiteral("SELECT COUNT(*) FROM webhooks WHERE organization_id = ?"), {m_adminA.organizationId}).value(0), QStringLiteral("1"));
        QCOMPARE(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + id).status, 200);
    }

    void tenantIsolation()
    {
        const QJsonObject hook = registerHook(m_adminA, QStringLiteral("/tenant-a"), {QStringLiteral("*")});
        const QJsonObject other = registerHook(m_adminB, QStringLiteral("/tenant-b"), {QStringLiteral("*")});
        const QString id = hook.value(QStringLiteral("id")).toString();
        const Event e = record(m_adminA.organizationId, QStringLiteral("message.sent"), 1).value(0);
        QVERIFY(waitDelivery(e.id, id, QStringLiteral("succeeded")));
        const QString deliveryId = m_harness.rows(QStringLiteral("SELECT id FROM webhook_deliveries WHERE event_id = ? AND webhook_id = ?"), {e.id, id}).value(0);
        QVERIFY(!m_harness.rows(QStringLiteral("SELECT id FROM webhook_deliveries WHERE event_id = ? AND webhook_id = ?"),
                                {e.id, other.value(QStringLiteral("id")).toString()})
                     .value(0)
                     .size());
        const int before = m_receiver.count();
        const QList<std::tuple<QByteArray, QString, QJsonValue>> routes = {
            {"GET", QStringLiteral("/api/webhooks/") + id, kNoBody},
            {"PATCH", QStringLiteral("/api/webhooks/") + id, QJsonObject{{QStringLiteral("active"), false}}},
            {"PATCH", QStringLiteral("/api/webhooks/") + id, QJsonObject{{QStringLiteral("url"), m_receiver.url(QStringLiteral("/stolen"))}}},
            {"DELETE", QStringLiteral("/api/webhooks/") + id, kNoBody},
            {"POST", QStringLiteral("/api/webhooks/%1/rotate-secret").arg(id), QJsonObject{}},
            {"POST", QStringLiteral("/api/webhooks/%1/test").arg(id), QJsonObject{}},
            {"GET", QStringLiteral("/api/webhooks/%1/deliveries").arg(id), kNoBody},
            {"POST", QStringLiteral("/api/webhooks/deliveries/%1/retry").arg(deliveryId), QJsonObject{}},
        };
        for (const auto &[method, path, body] : routes) {
            const ApiResponse r = call(m_adminB, method, path, body);
            QVERIFY2(r.status == 404, qPrintable(QString::fromLatin1(method) + QLatin1Char(' ') + path + QLatin1String(": ") + QString::fromUtf8(r.describe())));
            QVERIFY(!r.body.contains(id.toLatin1()) || method == "GET");
        }
        const ApiResponse listB = call(m_adminB, "GET", QStringLiteral("/api/webhooks"));
        QVERIFY(!listB.body.contains(id.toLatin1()));
        QVERIFY(listB.body.contains(other.value(QStringLiteral("id")).toString().toLatin1()));
        QTest::qWait(200);
        QCOMPARE(m_receiver.count(), before);
        const ApiResponse still = call(m_adminA, "GET", QStringLiteral("/api/webhooks/") + id);
        QCOMPARE(still.json.value(QStringLiteral("webhook")).toObject().value(QStringLiteral("url")).toString(), m_receiver.url(QStringLiteral("/tenant-a")));
        QVERIFY(still.json.value(QStringLiteral("webhook")).toObject().value(QStringLiteral("active")).toBool());
        QCOMPARE(call(m_adminA, "DELETE", QStringLiteral("/api/webhooks/") + id).status, 200);
        QCOMPARE(call(m_adminB, "DELETE", QStringLiteral("/api/webhooks/") + other.value(QStringLiteral("id")).toString()).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestWebhooksApi)
#include "tst_webhooks_api.moc"
