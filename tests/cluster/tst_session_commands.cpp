// Commands between instances on one real PostgreSQL (docs/DESIGN.md §9), over real HTTP: two
// instances ("a" and "b", each a ForwardedSessions over a RecordingSessions engine) share the
// database; the REST API (ApiService, its own thread, loopback) asks through "b".
//
// - A stop or a pairing code asked of b for a client whose live lease a holds is written for a,
//   runs on a's engine (never b's), and its result comes back to b's HTTP caller; an error of a's
//   page comes back as that error.
// - The QR code of a client a runs in its linking state comes from a's engine (an expired one:
//   429 qr_refreshing with Retry-After, and a refreshes it); an init asked of b runs on a.
// - A start for a client nobody drives goes to its pinned live instance, else to the live,
//   non-draining instance with the fewest sessions, and shows as starting there meanwhile.
// - An owner that never answers: 504 instance_timeout; the stale command is then not run by the
//   owner but closed as timed out.
// - No live owner (no lease, an expired lease, or b's own): the request runs on b, no command row.
// - GET /api/instances (admins only): alive by heartbeat, draining, ISO times, and sessions counted
//   within the caller's organization only. Drain/undrain (admins only, audited, 404 unknown id).
//   The heartbeat's age is the database's (what the desktop shows); what a client may be pinned
//   to (id, alive, draining) is listed for those who pin, managers included, never viewers.
// - PATCH /api/clients/:id {instance}: managers and admins pin (agents and viewers 403), 422 for an
//   unknown instance changes nothing, another organization's client is 404, null unpins; a client
//   running elsewhere than its pin is handed over: its owner stops it and releases the lease.
// - A draining instance hands its sessions over one per round; old commands are pruned.
// - On SQLite (one instance per data directory) the listing and the pin work on the same tables.

#include "tests/support/ApiTestHarness.h"
#include "tests/support/PgCluster.h"
#include "tests/support/RecordingSessions.h"

#include "core/cluster/ForwardedSessions.h"
#include "core/cluster/InstanceService.h"
#include "core/cluster/SessionCommandQueue.h"
#include "core/cluster/SessionOwners.h"
#include "core/sessions/ClientService.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTest>

using namespace wadesk;
using wadesk::test::Account;
using wadesk::test::ApiResponse;
using wadesk::test::ApiTestHarness;

namespace {

constexpr int kPollMs = 50;

// One instance of the pair: its engine (recorded) and the forwarder in front of it.
struct Instance {
    RecordingSessions engine;
    QStringList running;      // what its engine runs, for drains and hand-overs
    QStringList handedOver;   // the sessions it stopped to hand them over
    std::unique_ptr<ForwardedSessions> sessions;

    Instance(Database &database, const QString &id)
    {
        ClusterSettings settings;
        settings.instanceId = id;
        settings.commandPollMs = kPollMs;
        ForwardedSessions::Local local;
        local.control = &engine;
        local.runningClients = [this]() { return running; };
        local.stopForHandOver = [this](const QString &clientId) {
            handedOver << clientId;
            running.removeAll(clientId);
        };
        sessions = std::make_unique<ForwardedSessions>(database, local, settings);
    }
};

} // namespace

class TestSessionCommands : public QObject {
    Q_OBJECT

private:
    struct Fixture {
        std::unique_ptr<Instance> a;
        std::unique_ptr<Instance> b;
        Account admin;
        QString clientId;
    };

    QString now() const { return SessionOwners::nowSql(m_api->database()); }
    bool addInstance(const QString &id, qint64 heartbeatAgeMs = 0)
    {
        return m_api->exec(QStringLiteral("INSERT INTO instances (id, host, version, started_at, heartbeat_at) VALUES (?, ?, '1.0.0', %1 - 60000, %1 - ?)")
                               .arg(now()),
                           {id, id + QStringLiteral(".example"), heartbeatAgeMs});
    }
    // A lease on the client for `owner`, live for `validMs` more (negative: expired).
    bool lease(const QString &clientId, const QString &owner, qint64 validMs = 60000)
    {
        return m_api->exec(QStringLiteral("INSERT INTO client_leases (client_id, owner, token, acquired_at, expires_at) VALUES (?, ?, 1, %1, %1 + ?) "
                                          "ON CONFLICT (client_id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at")
                               .arg(now()),
                           {clientId, owner, validMs});
    }
    int commandCount() { return m_api->rows(QStringLiteral("SELECT COUNT(*) FROM session_commands")).value(0).toInt(); }

    std::unique_ptr<ApiTestHarness> m_api;
    std::unique_ptr<Fixture> m_f;

    // The API's engine: instance b, made once the harness has opened the database (the API is
    // built before that, with this relay in front of it).
    struct Relay : SessionControl {
        SessionControl *to = nullptr;
        std::optional<SessionSnapshot> snapshot(const QString &id) const override { return to->snapshot(id); }
        void requestStart(const QString &o, const QString &id) override { to->requestStart(o, id); }
        void requestStop(const QString &o, const QString &id) override { to->requestStop(o, id); }
        void requestLogout(const QString &o, const QString &id) override { to->requestLogout(o, id); }
        void requestRefreshQr(const QString &id) override { to->requestRefreshQr(id); }
        void requestPairingCode(const QString &id, const QString &p, PairingCodeDone d) override { to->requestPairingCode(id, p, std::move(d)); }
        void requestQrCode(const QString &id, QrCodeDone d) override { to->requestQrCode(id, std::move(d)); }
        void requestRemove(const QString &id) override { to->requestRemove(id); }
        void requestWake(const QString &id) override { to->requestWake(id); }
        void requestReloadSettings(const QString &id) override { to->requestReloadSettings(id); }
        void requestPause(const QString &o, const QString &id, const QString &r) override { to->requestPause(o, id, r); }
        void requestResume(const QString &o, const QString &id) override { to->requestResume(o, id); }
        int readyCount() const override { return to->readyCount(); }
        QString waJsVersion() const override { return to->waJsVersion(); }
    };
    Relay m_relay;

    bool setUp(QString *whyNot)
    {
        m_api = std::make_unique<ApiTestHarness>();
        auto f = std::make_unique<Fixture>();
        ApiTestHarness::Options options;
        options.sessions = &m_relay;
        if (!m_api->start(QStringLiteral("postgres"), whyNot, options))
            return false;
        f->a = std::make_unique<Instance>(m_api->database(), QStringLiteral("a"));
        f->b = std::make_unique<Instance>(m_api->database(), QStringLiteral("b"));
        m_relay.to = f->b->sessions.get();
        if (!addInstance(QStringLiteral("a")) || !addInstance(QStringLiteral("b"))) {
            *whyNot = QStringLiteral("instances not inserted");
            return false;
        }
        f->admin = m_api->registerOrganization(QStringLiteral("admin@cluster.test"), QStringLiteral("Cluster Org"));
        f->clientId = m_api->createClient(f->admin, QStringLiteral("Front desk"));
        if (!f->admin.valid() || f->clientId.isEmpty()) {
            *whyNot = QStringLiteral("organization or client not created");
            return false;
        }
        m_f = std::move(f);
        return true;
    }

private slots:
    void init()
    {
        if (QLatin1String(QTest::currentTestFunction()) == QLatin1String("onSqliteThereIsNoOtherInstance"))
            return; // its own database
        QString whyNot;
        if (!setUp(&whyNot)) {
            if (!test::PgCluster::required() && !whyNot.startsWith(QLatin1String("server:")))
                QSKIP(qPrintable(whyNot));
            QFAIL(qPrintable(whyNot));
        }
    }

    void cleanup()
    {
        // The API first (it asks b), then the instances, then the database.
        if (m_api)
            m_api->stop();
        m_f.reset();
        m_api.reset();
    }

    void stopAndPairingCodeRunOnTheOwner()
    {
        Fixture &f = *m_f;
        const auto key = ApiTestHarness::apiKey(f.admin.apiKey);
        QVERIFY(lease(f.clientId, QStringLiteral("a")));
        QVERIFY(m_api->exec(QStringLiteral("UPDATE clients SET status = 'qr' WHERE id = ?"), {f.clientId}));
        f.a->sessions->start();
        f.b->sessions->start();
        // b shows a's session from the stored row, naming where it runs.
        QTRY_VERIFY(f.b->sessions->snapshot(f.clientId).has_value());
        QCOMPARE(f.b->sessions->snapshot(f.clientId)->instance, QStringLiteral("a"));
        QCOMPARE(f.b->sessions->snapshot(f.clientId)->state, SessionState::Qr);

        ApiResponse code = m_api->request("POST", QStringLiteral("/api/clients/%1/pairing-code").arg(f.clientId),
                                          QJsonObject{{QStringLiteral("phone"), QStringLiteral("+14155552671")}}, key);
        QVERIFY2(code.status == 200, code.describe());
        QCOMPARE(code.json.value(QStringLiteral("code")).toString(), QStringLiteral("ABCD2345"));
        QCOMPARE(f.a->engine.calls, QStringList{QStringLiteral("pairingCode %1 +14155552671").arg(f.clientId)});
        QVERIFY(f.b->engine.calls.isEmpty());

        // What a's page refuses comes back as that refusal.
        f.a->engine.pairingAnswer = DomainError::unprocessable(QStringLiteral("refused"), QStringLiteral("phone_number_refused"));
        ApiResponse refused = m_api->request("POST", QStringLiteral("/api/clients/%1/pairing-code").arg(f.clientId),
                                             QJsonObject{{QStringLiteral("phone"), QStringLiteral("+14155552671")}}, key);
        QVERIFY2(refused.isError(422, QStringLiteral("phone_number_refused")), refused.describe());

        ApiResponse stop = m_api->request("POST", QStringLiteral("/api/clients/%1/stop").arg(f.clientId), QJsonValue(QJsonValue::Undefined), key);
        QVERIFY2(stop.status == 200, stop.describe());
        QTRY_VERIFY(f.a->engine.calls.contains(QStringLiteral("stop %1").arg(f.clientId)));
        QVERIFY(f.b->engine.calls.isEmpty());
        QTRY_COMPARE(m_api->rows(QStringLiteral("SELECT instance_id, command, result FROM session_commands WHERE command = 'stop' AND done_at IS NOT NULL"), {}, 3),
                     QStringList{QStringLiteral("a|stop|{\"ok\":true}")});
    }

    void qrCodeAndInitRunOnTheOwner()
    {
        Fixture &f = *m_f;
        const auto key = ApiTestHarness::apiKey(f.admin.apiKey);
        QVERIFY(lease(f.clientId, QStringLiteral("a")));
        QVERIFY(m_api->exec(QStringLiteral("UPDATE clients SET status = 'qr' WHERE id = ?"), {f.clientId}));
        f.a->engine.setState(f.clientId, SessionState::Qr);
        const qint64 expires = QDateTime::currentMSecsSinceEpoch() + 20000;
        f.a->engine.snapshots[f.clientId].qrText = QStringLiteral("2@owner-a-code");
        f.a->engine.snapshots[f.clientId].qrExpiresAt = expires;
        f.a->sessions->start();
        f.b->sessions->start();
        QTRY_VERIFY(f.b->sessions->snapshot(f.clientId).has_value());
        QCOMPARE(f.b->sessions->snapshot(f.clientId)->state, SessionState::Qr);

        const QString qrPath = QStringLiteral("/api/clients/%1/qr?format=json").arg(f.clientId);
        ApiResponse qr = m_api->request("GET", qrPath, QJsonValue(QJsonValue::Undefined), key);
        QVERIFY2(qr.status == 200, qr.describe());
        QCOMPARE(qr.json.value(QStringLiteral("qr")).toString(), QStringLiteral("2@owner-a-code"));
        QCOMPARE(QDateTime::fromString(qr.json.value(QStringLiteral("expires_at")).toString(), Qt::ISODateWithMs).toMSecsSinceEpoch(), expires);
        QVERIFY(qr.json.value(QStringLiteral("data_url")).toString().startsWith(QStringLiteral("data:image/png;base64,")));
        QVERIFY(f.b->engine.calls.isEmpty());
        // The format is still checked after the code came back.
        ApiResponse badFormat = m_api->request("GET", QStringLiteral("/api/clients/%1/qr?format=gif").arg(f.clientId), QJsonValue(QJsonValue::Undefined), key);
        QVERIFY2(badFormat.isError(400, QStringLiteral("validation_failed")), badFormat.describe());

        // a's page stopped rotating codes: a refreshes it, b's caller is told to come back.
        f.a->engine.snapshots[f.clientId].qrText.clear();
        f.a->engine.snapshots[f.clientId].qrIdle = true;
        ApiResponse idle = m_api->request("GET", qrPath, QJsonValue(QJsonValue::Undefined), key);
        QVERIFY2(idle.isError(429, QStringLiteral("qr_refreshing")), idle.describe());
        QCOMPARE(idle.headers.value(QByteArrayLiteral("retry-after")), QByteArrayLiteral("2"));
        QCOMPARE(f.a->engine.calls, QStringList{QStringLiteral("refreshQr %1").arg(f.clientId)});

        // Init asked of b: a runs it (a request to start refreshes the code there); b starts nothing.
        ApiResponse init = m_api->request("POST", QStringLiteral("/api/clients/%1/init").arg(f.clientId), QJsonValue(QJsonValue::Undefined), key);
        QVERIFY2(init.status == 200, init.describe());
        QTRY_VERIFY(f.a->engine.calls.contains(QStringLiteral("start %1 %2").arg(f.admin.organizationId, f.clientId)));
        QVERIFY(f.b->engine.calls.isEmpty());
    }

    void aNewSessionStartsOnItsPinElseTheLeastBusy()
    {
        Fixture &f = *m_f;
        const auto key = ApiTestHarness::apiKey(f.admin.apiKey);
        const QString second = m_api->createClient(f.admin, QStringLiteral("Second desk"));
        QVERIFY(!second.isEmpty());
        QVERIFY(m_api->exec(QStringLiteral("UPDATE instances SET session_count = 3 WHERE id = 'b'")));
        f.a->sessions->start();
        f.b->sessions->start();
        auto init = [&](const QString &client) {
            return m_api->request("POST", QStringLiteral("/api/clients/%1/init").arg(client), QJsonValue(QJsonValue::Undefined), key);
        };
        const QString startFirst = QStringLiteral("start %1 %2").arg(f.admin.organizationId, f.clientId);

        // Asked of b, which runs 3 sessions: a, which runs none, starts it; b shows it starting there.
        ApiResponse placed = init(f.clientId);
        QVERIFY2(placed.status == 200, placed.describe());
        QCOMPARE(f.b->sessions->snapshot(f.clientId)->instance, QStringLiteral("a"));
        QCOMPARE(f.b->sessions->snapshot(f.clientId)->state, SessionState::Initializing);
        QTRY_VERIFY(f.a->engine.calls.contains(startFirst));
        QVERIFY(f.b->engine.calls.isEmpty());

        // Pinned to b: b starts the other client itself, busier or not.
        QVERIFY(m_api->exec(QStringLiteral("UPDATE clients SET pinned_instance = 'b' WHERE id = ?"), {second}));
        ApiResponse pinned = init(second);
        QVERIFY2(pinned.status == 200, pinned.describe());
        QCOMPARE(f.b->engine.calls, QStringList{QStringLiteral("start %1 %2").arg(f.admin.organizationId, second)});

        // A draining instance takes no new session, however idle.
        f.b->engine.calls.clear();
        f.b->engine.snapshots.clear();
        QVERIFY(m_api->exec(QStringLiteral("UPDATE clients SET pinned_instance = NULL WHERE id = ?"), {second}));
        QVERIFY(m_api->exec(QStringLiteral("UPDATE instances SET draining = 1 WHERE id = 'a'")));
        const int startsOnA = int(f.a->engine.calls.size());
        QVERIFY2(init(second).status == 200, "init while a drains");
        QCOMPARE(f.b->engine.calls, QStringList{QStringLiteral("start %1 %2").arg(f.admin.organizationId, second)});
        f.a->sessions->poll();
        QCOMPARE(int(f.a->engine.calls.size()), startsOnA);
    }

    void anOwnerThatNeverAnswersTimesOut()
    {
        Fixture &f = *m_f;
        QVERIFY(lease(f.clientId, QStringLiteral("a")));
        QVERIFY(m_api->exec(QStringLiteral("UPDATE clients SET status = 'qr' WHERE id = ?"), {f.clientId}));
        f.b->sessions->setReplyTimeoutMs(1500);
        f.a->sessions->setReplyTimeoutMs(1500);
        f.b->sessions->start(); // a does not poll: it never answers
        QTRY_VERIFY(f.b->sessions->snapshot(f.clientId).has_value());
        QElapsedTimer waited;
        waited.start();
        ApiResponse code = m_api->request("POST", QStringLiteral("/api/clients/%1/pairing-code").arg(f.clientId),
                                          QJsonObject{{QStringLiteral("phone"), QStringLiteral("+14155552671")}},
                                          ApiTestHarness::apiKey(f.admin.apiKey));
        QVERIFY2(code.isError(504, QStringLiteral("instance_timeout")), code.describe());
        QVERIFY2(waited.elapsed() >= 1400 && waited.elapsed() < 10000, qPrintable(QString::number(waited.elapsed())));
        // The API thread was not held meanwhile: another request is answered at once.
        QCOMPARE(m_api->request("GET", QStringLiteral("/api/clients/%1").arg(f.clientId), QJsonValue(QJsonValue::Undefined),
                                ApiTestHarness::apiKey(f.admin.apiKey)).status, 200);
        // a comes back late: the command is closed as timed out, not run.
        f.a->sessions->poll();
        QVERIFY(f.a->engine.calls.isEmpty());
        QCOMPARE(m_api->rows(QStringLiteral("SELECT COUNT(*) FROM session_commands WHERE done_at IS NOT NULL AND result LIKE '%instance_timeout%'")),
                 QStringList{QStringLiteral("1")});
    }

    void withoutALiveOwnerTheRequestRunsHere()
    {
        Fixture &f = *m_f;
        const auto key = ApiTestHarness::apiKey(f.admin.apiKey);
        const QString path = QStringLiteral("/api/clients/%1/stop").arg(f.clientId);
        f.b->engine.setState(f.clientId, SessionState::Ready);
        // No lease at all.
        QCOMPARE(m_api->request("POST", path, QJsonValue(QJsonValue::Undefined), key).status, 200);
        QCOMPARE(f.b->engine.calls, QStringList{QStringLiteral("stop %1").arg(f.clientId)});
        // A lease that expired (its owner died): here too.
        QVERIFY(lease(f.clientId, QStringLiteral("a"), -1000));
        QCOMPARE(m_api->request("POST", path, QJsonValue(QJsonValue::Undefined), key).status, 200);
        // b's own lease: here.
        QVERIFY(lease(f.clientId, QStringLiteral("b")));
        QCOMPARE(m_api->request("POST", path, QJsonValue(QJsonValue::Undefined), key).status, 200);
        QCOMPARE(f.b->engine.calls.size(), 3);
        QVERIFY(f.a->engine.calls.isEmpty());
        QCOMPARE(commandCount(), 0);
        // And once a holds it, the same request goes to a.
        QVERIFY(lease(f.clientId, QStringLiteral("a")));
        QCOMPARE(m_api->request("POST", path, QJsonValue(QJsonValue::Undefined), key).status, 200);
        QCOMPARE(f.b->engine.calls.size(), 3);
        QCOMPARE(commandCount(), 1);
    }

    void instancesAreListedForAdminsWithTheirOrganizationsSessions()
    {
        Fixture &f = *m_f;
        QVERIFY(m_api->exec(QStringLiteral("UPDATE instances SET heartbeat_at = heartbeat_at - 600000 WHERE id = 'b'")));
        QVERIFY(lease(f.clientId, QStringLiteral("a")));
        // Another organization's clients on a count for that organization only.
        const Account other = m_api->registerOrganization(QStringLiteral("admin@other.test"), QStringLiteral("Other Org"));
        QVERIFY(other.valid());
        for (const QString &name : {QStringLiteral("One"), QStringLiteral("Two")}) {
            const QString id = m_api->createClient(other, name);
            QVERIFY(!id.isEmpty());
            QVERIFY(lease(id, QStringLiteral("a")));
        }
        ApiResponse list = m_api->request("GET", QStringLiteral("/api/instances"), QJsonValue(QJsonValue::Undefined),
                                          ApiTestHarness::apiKey(f.admin.apiKey));
        QVERIFY2(list.status == 200, list.describe());
        const QJsonArray instances = list.json.value(QStringLiteral("instances")).toArray();
        QCOMPARE(instances.size(), 2);
        const QJsonObject a = instances.at(0).toObject();
        const QJsonObject b = instances.at(1).toObject();
        QCOMPARE(a.value(QStringLiteral("id")).toString(), QStringLiteral("a"));
        QCOMPARE(a.value(QStringLiteral("host")).toString(), QStringLiteral("a.example"));
        QCOMPARE(a.value(QStringLiteral("version")).toString(), QStringLiteral("1.0.0"));
        QCOMPARE(a.value(QStringLiteral("sessions")).toInt(), 1);
        QCOMPARE(a.value(QStringLiteral("alive")).toBool(), true);
        QCOMPARE(a.value(QStringLiteral("draining")).toBool(), false);
        QVERIFY(QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d")).match(a.value(QStringLiteral("heartbeat_at")).toString()).hasMatch());
        QVERIFY(a.value(QStringLiteral("started_at")).isString());
        QCOMPARE(b.value(QStringLiteral("alive")).toBool(), false);
        QCOMPARE(b.value(QStringLiteral("sessions")).toInt(), 0);
        ApiResponse otherList = m_api->request("GET", QStringLiteral("/api/instances"), QJsonValue(QJsonValue::Undefined),
                                               ApiTestHarness::apiKey(other.apiKey));
        QCOMPARE(otherList.json.value(QStringLiteral("instances")).toArray().at(0).toObject().value(QStringLiteral("sessions")).toInt(), 2);

        for (const QString &role : {QStringLiteral("manager"), QStringLiteral("agent"), QStringLiteral("viewer")}) {
            const Account member = m_api->createMember(f.admin, role, role + QStringLiteral("@cluster.test"));
            QVERIFY(member.valid());
            const auto key = ApiTestHarness::apiKey(member.apiKey);
            QVERIFY2(m_api->request("GET", QStringLiteral("/api/instances"), QJsonValue(QJsonValue::Undefined), key).isError(403, QStringLiteral("forbidden")), qPrintable(role));
            QVERIFY(m_api->request("POST", QStringLiteral("/api/instances/a/drain"), QJsonValue(QJsonValue::Undefined), key).status == 403);
        }
        QCOMPARE(m_api->rows(QStringLiteral("SELECT draining FROM instances WHERE id = 'a'")), QStringList{QStringLiteral("0")});
    }

    void heartbeatAgesAndPinTargets()
    {
        Fixture &f = *m_f;
        QVERIFY(m_api->exec(QStringLiteral("UPDATE instances SET heartbeat_at = %1 - 600000, draining = 1 WHERE id = 'b'").arg(now())));
        ClientService clients(m_api->database());
        InstanceService instances(m_api->database(), clients, 30);
        AuthContext admin;
        admin.userId = f.admin.userId;
        admin.organizationId = f.admin.organizationId;
        admin.role = Role::Admin;
        Result<QList<InstanceService::Instance>> listed = instances.list(admin);
        QVERIFY(listed);
        QCOMPARE(listed.value().size(), 2);
        const InstanceService::Instance &a = listed.value().at(0);
        const InstanceService::Instance &b = listed.value().at(1);
        QVERIFY2(a.heartbeatAgeMs >= 0 && a.heartbeatAgeMs < 60000, qPrintable(QString::number(a.heartbeatAgeMs)));
        QVERIFY2(b.heartbeatAgeMs >= 600000 && b.heartbeatAgeMs < 660000, qPrintable(QString::number(b.heartbeatAgeMs)));

        AuthContext manager = admin;
        manager.role = Role::Manager;
        Result<QList<InstanceService::Instance>> targets = instances.pinTargets(manager);
        QVERIFY(targets);
        QCOMPARE(targets.value().size(), 2);
        QCOMPARE(targets.value().at(0).id, QStringLiteral("a"));
        QVERIFY(targets.value().at(0).alive && !targets.value().at(0).draining);
        QCOMPARE(targets.value().at(1).id, QStringLiteral("b"));
        QVERIFY(!targets.value().at(1).alive && targets.value().at(1).draining);
        QVERIFY(targets.value().at(1).host.isEmpty()); // administering instances is the admins'
        QCOMPARE(instances.list(manager).error().code, QStringLiteral("forbidden"));
        AuthContext viewer = admin;
        viewer.role = Role::Viewer;
        QCOMPARE(instances.pinTargets(viewer).error().code, QStringLiteral("forbidden"));
    }

    void adminsDrainAndUndrain()
    {
        Fixture &f = *m_f;
        const auto key = ApiTestHarness::apiKey(f.admin.apiKey);
        ApiResponse drained = m_api->request("POST", QStringLiteral("/api/instances/a/drain"), QJsonValue(QJsonValue::Undefined), key);
        QVERIFY2(drained.status == 200, drained.describe());
        QCOMPARE(drained.json.value(QStringLiteral("instance")).toObject().value(QStringLiteral("draining")).toBool(), true);
        QCOMPARE(m_api->rows(QStringLiteral("SELECT id, draining FROM instances ORDER BY id"), {}, 2),
                 (QStringList{QStringLiteral("a|1"), QStringLiteral("b|0")}));
        QVERIFY(m_api->request("POST", QStringLiteral("/api/instances/nope/drain"), QJsonValue(QJsonValue::Undefined), key).isError(404, QStringLiteral("not_found")));
        QVERIFY(m_api->request("POST", QStringLiteral("/api/instances/a%00b/drain"), QJsonValue(QJsonValue::Undefined), key).isError(404, QStringLiteral("not_found")));
        ApiResponse undrained = m_api->request("POST", QStringLiteral("/api/instances/a/undrain"), QJsonValue(QJsonValue::Undefined), key);
        QVERIFY2(undrained.status == 200, undrained.describe());
        QCOMPARE(m_api->rows(QStringLiteral("SELECT draining FROM instances WHERE id = 'a'")), QStringList{QStringLiteral("0")});
        QCOMPARE(m_api->rows(QStringLiteral("SELECT action, resource_id FROM audit_logs WHERE action LIKE '%drain%' ORDER BY seq"), {}, 2),
                 (QStringList{QStringLiteral("drain_instance|a"), QStringLiteral("undrain_instance|a")}));
    }

    void managersPinAndTheOwnerHandsOver()
    {
        Fixture &f = *m_f;
        const Account manager = m_api->createMember(f.admin, QStringLiteral("manager"), QStringLiteral("manager@cluster.test"));
        QVERIFY(manager.valid());
        const QString path = QStringLiteral("/api/clients/%1").arg(f.clientId);
        for (const QString &role : {QStringLiteral("agent"), QStringLiteral("viewer")}) {
            const Account member = m_api->createMember(f.admin, role, role + QStringLiteral("@cluster.test"));
            QVERIFY(member.valid());
            QVERIFY(m_api->request("PATCH", path, QJsonObject{{QStringLiteral("instance"), QStringLiteral("b")}},
                                   ApiTestHarness::apiKey(member.apiKey)).status == 403);
        }
        const auto key = ApiTestHarness::apiKey(manager.apiKey);
        // Bad input changes nothing, the name given with it included.
        ApiResponse unknown = m_api->request("PATCH", path, QJsonObject{{QStringLiteral("instance"), QStringLiteral("nowhere")}, {QStringLiteral("name"), QStringLiteral("Renamed")}}, key);
        QVERIFY2(unknown.isError(422, QStringLiteral("unknown_instance")), unknown.describe());
        QVERIFY(m_api->request("PATCH", path, QJsonObject{{QStringLiteral("instance"), 7}}, key).isError(400, QStringLiteral("validation_failed")));
        QVERIFY(m_api->request("PATCH", path, QJsonObject{{QStringLiteral("instance"), QStringLiteral("a\u0001")}}, key).isError(422, QStringLiteral("unknown_instance")));
        QCOMPARE(m_api->rows(QStringLiteral("SELECT name, COALESCE(pinned_instance, 'NONE') FROM clients WHERE id = ?"), {f.clientId}, 2),
                 QStringList{QStringLiteral("Front desk|NONE")});
        // Another organization's client reads as not found.
        const Account other = m_api->registerOrganization(QStringLiteral("admin@other.test"), QStringLiteral("Other Org"));
        const QString theirs = m_api->createClient(other, QStringLiteral("Theirs"));
        QVERIFY(m_api->request("PATCH", QStringLiteral("/api/clients/%1").arg(theirs), QJsonObject{{QStringLiteral("instance"), QStringLiteral("b")}}, key).isError(404, QStringLiteral("not_found")));

        // Pinned to b while a runs it: a is asked to hand it over.
        QVERIFY(lease(f.clientId, QStringLiteral("a")));
        f.a->running << f.clientId;
        ApiResponse pinned = m_api->request("PATCH", path, QJsonObject{{QStringLiteral("instance"), QStringLiteral("b")}}, key);
        QVERIFY2(pinned.status == 200, pinned.describe());
        QCOMPARE(pinned.json.value(QStringLiteral("client")).toObject().value(QStringLiteral("pinned_instance")).toString(), QStringLiteral("b"));
        QCOMPARE(m_api->rows(QStringLiteral("SELECT pinned_instance FROM clients WHERE id = ?"), {f.clientId}), QStringList{QStringLiteral("b")});
        QCOMPARE(m_api->rows(QStringLiteral("SELECT instance_id, command FROM session_commands"), {}, 2), QStringList{QStringLiteral("a|hand_over")});
        f.a->sessions->poll();
        QCOMPARE(f.a->handedOver, QStringList{f.clientId});
        QCOMPARE(m_api->rows(QStringLiteral("SELECT COALESCE(owner, 'NONE') FROM client_leases WHERE client_id = ?"), {f.clientId}),
                 QStringList{QStringLiteral("NONE")});
        QCOMPARE(m_api->rows(QStringLiteral("SELECT action FROM audit_logs WHERE action LIKE '%pin%'")), QStringList{QStringLiteral("pin_client")});

        // Unpinned with null.
        ApiResponse unpinned = m_api->request("PATCH", path, QJsonObject{{QStringLiteral("instance"), QJsonValue()}}, key);
        QVERIFY2(unpinned.status == 200, unpinned.describe());
        QCOMPARE(m_api->rows(QStringLiteral("SELECT COALESCE(pinned_instance, 'NONE') FROM clients WHERE id = ?"), {f.clientId}), QStringList{QStringLiteral("NONE")});
    }

    void oldCommandsArePruned()
    {
        Fixture &f = *m_f;
        const QString insert = QStringLiteral("INSERT INTO session_commands (id, client_id, instance_id, command, created_at, done_at, result) "
                                              "VALUES (?, ?, 'a', 'stop', %1 - ?, %2, '{}')");
        QVERIFY(m_api->exec(insert.arg(now(), now() + QStringLiteral(" - 700000")), {QStringLiteral("cmd_done_long_ago"), f.clientId, 700000}));
        QVERIFY(m_api->exec(insert.arg(now(), now() + QStringLiteral(" - 1000")), {QStringLiteral("cmd_done_lately"), f.clientId, 1000}));
        QVERIFY(m_api->exec(insert.arg(now(), QStringLiteral("NULL")), {QStringLiteral("cmd_never_done"), f.clientId, 4000000}));
        QVERIFY(m_api->exec(insert.arg(now(), QStringLiteral("NULL")), {QStringLiteral("cmd_waiting"), f.clientId, 1000}));
        SessionCommandQueue queue(m_api->database());
        const Result<int> pruned = queue.prune(600000, 3600000);
        QVERIFY(pruned.ok());
        QCOMPARE(pruned.value(), 2);
        QCOMPARE(m_api->rows(QStringLiteral("SELECT id FROM session_commands ORDER BY id")),
                 (QStringList{QStringLiteral("cmd_done_lately"), QStringLiteral("cmd_waiting")}));
    }

    // One instance per data directory: no instance is listed unless it records itself, a pin to
    // an unknown one is refused, and the same statements run on SQLite's dialect.
    void onSqliteThereIsNoOtherInstance()
    {
        ApiTestHarness api;
        QString whyNot;
        QVERIFY2(api.start(QStringLiteral("sqlite"), &whyNot), qPrintable(whyNot));
        const Account admin = api.registerOrganization(QStringLiteral("admin@single.test"), QStringLiteral("Single Org"));
        const QString client = api.createClient(admin, QStringLiteral("Front desk"));
        QVERIFY(admin.valid() && !client.isEmpty());
        const auto key = ApiTestHarness::apiKey(admin.apiKey);
        ApiResponse none = api.request("GET", QStringLiteral("/api/instances"), QJsonValue(QJsonValue::Undefined), key);
        QVERIFY2(none.status == 200, none.describe());
        QCOMPARE(none.json.value(QStringLiteral("count")).toInt(), 0);
        QVERIFY(api.request("PATCH", QStringLiteral("/api/clients/%1").arg(client), QJsonObject{{QStringLiteral("instance"), QStringLiteral("a")}}, key)
                    .isError(422, QStringLiteral("unknown_instance")));
        QVERIFY(api.exec(QStringLiteral("INSERT INTO instances (id, host, version, started_at, heartbeat_at) VALUES ('solo', 'solo.example', '1.0.0', 0, %1)")
                             .arg(SessionOwners::nowSql(api.database()))));
        QVERIFY(api.exec(QStringLiteral("INSERT INTO client_leases (client_id, owner, token, acquired_at, expires_at) VALUES (?, 'solo', 1, 0, %1 + 60000)")
                             .arg(SessionOwners::nowSql(api.database())),
                         {client}));
        ApiResponse solo = api.request("GET", QStringLiteral("/api/instances"), QJsonValue(QJsonValue::Undefined), key);
        const QJsonObject only = solo.json.value(QStringLiteral("instances")).toArray().at(0).toObject();
        QCOMPARE(only.value(QStringLiteral("alive")).toBool(), true);
        QCOMPARE(only.value(QStringLiteral("sessions")).toInt(), 1);
        QCOMPARE(api.request("PATCH", QStringLiteral("/api/clients/%1").arg(client), QJsonObject{{QStringLiteral("instance"), QStringLiteral("solo")}}, key).status, 200);
        QCOMPARE(api.rows(QStringLiteral("SELECT pinned_instance FROM clients WHERE id = ?"), {client}), QStringList{QStringLiteral("solo")});
        api.stop();
    }

    void aDrainingInstanceHandsOverOneByOne()
    {
        Fixture &f = *m_f;
        const QString second = m_api->createClient(f.admin, QStringLiteral("Back office"));
        QVERIFY(!second.isEmpty());
        QVERIFY(lease(f.clientId, QStringLiteral("a")));
        QVERIFY(lease(second, QStringLiteral("a")));
        f.a->running = QStringList{f.clientId, second};
        f.a->sessions->poll();
        QVERIFY(f.a->handedOver.isEmpty()); // not draining
        QVERIFY(m_api->exec(QStringLiteral("UPDATE instances SET draining = 1 WHERE id = 'a'")));
        f.a->sessions->poll();
        QCOMPARE(f.a->handedOver, QStringList{f.clientId});
        QCOMPARE(m_api->rows(QStringLiteral("SELECT client_id FROM client_leases WHERE owner = 'a'")), QStringList{second});
        f.a->sessions->poll();
        QCOMPARE(f.a->handedOver, (QStringList{f.clientId, second}));
        QVERIFY(m_api->rows(QStringLiteral("SELECT client_id FROM client_leases WHERE owner = 'a'")).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSessionCommands)
#include "tst_session_commands.moc"
