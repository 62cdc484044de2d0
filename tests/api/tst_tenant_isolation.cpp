// Tenant isolation over real HTTP, on SQLite and PostgreSQL: organization A's admin (with its
// API key and with its JWT) calls every route with organization B's ids (members, clients, keys,
// assignments). Every such call answers 404 exactly as for an id that does not exist, carries
// none of B's data, and changes nothing in either organization (checked in the database after
// every call, and at the end through B's own credentials). A's lists never show B's clients,
// members, keys or audit entries, and an org_id naming B in a query or body is refused with 403.

#include "tests/support/ApiTestHarness.h"

#include <QJsonArray>
#include <QTest>
#include <functional>
#include <map>
#include <memory>

using namespace wadesk::test;

namespace {

struct Org {
    Account admin, manager, agent;
    QString client1; // assigned to the agent
    QString client2; // assigned to nobody
    QString adminKeyId, agentKeyId;
    QString name;
};

struct Fixture {
    ApiTestHarness api;
    Org a, b;
    QString bSnapshot;     // the database view of B after setup
    QJsonObject bView;     // what B's admin saw through the API after setup
    QStringList bSecrets;  // strings of B that must never reach A
};

struct Call {
    Call(QByteArray m, QString p, QJsonValue b = QJsonValue(QJsonValue::Undefined))
        : method(std::move(m))
        , path(std::move(p))
        , body(std::move(b))
    {
    }
    QByteArray method;
    QString path;
    QJsonValue body;
};

enum class Answer {
    NotFound,  // 404 not_found, like a missing id
    Mismatch,  // 403 org_mismatch
    OwnOnly,   // 200, and the answer holds only A's things
};

struct Case {
    const char *name;
    Answer answer;
    std::function<Call(Fixture &)> call;
    std::function<QString(Fixture &, const wadesk::test::ApiResponse &)> check;
};

QString member(const QString &id) { return QStringLiteral("/api/team/members/") + id; }
QString assignment(const QString &user, const QString &client)
{
    return QStringLiteral("/api/team/members/%1/clients/%2").arg(user, client);
}

QStringList collect(const QJsonArray &items, const QString &field)
{
    QStringList out;
    for (const QJsonValue &v : items)
        out << v.toObject().value(field).toString();
    return out;
}

QString noneOf(const QStringList &found, const QStringList &forbidden, const char *what)
{
    for (const QString &f : found) {
        if (!f.isEmpty() && forbidden.contains(f))
            return QStringLiteral("%1 lists B's %2").arg(QLatin1String(what), f);
    }
    return {};
}

QStringList idsOf(const Org &o)
{
    return {o.admin.userId, o.manager.userId, o.agent.userId, o.client1, o.client2, o.adminKeyId, o.agentKeyId,
            o.admin.organizationId};
}

const std::vector<Case> &cases()
{
    const auto nothing = [](Fixture &, const wadesk::test::ApiResponse &) { return QString(); };
    static const std::vector<Case> all = {
        // ---- team members of B
        {"GET member of B", Answer::NotFound, [](Fixture &f) { return Call{"GET", member(f.b.agent.userId)}; }, nothing},
        {"GET admin of B", Answer::NotFound, [](Fixture &f) { return Call{"GET", member(f.b.admin.userId)}; }, nothing},
        {"PATCH name of B's member", Answer::NotFound,
         [](Fixture &f) { return Call{"PATCH", member(f.b.agent.userId), QJsonObject{{QStringLiteral("name"), QStringLiteral("hijacked")}}}; },
         nothing},
        {"PATCH role of B's member to admin", Answer::NotFound,
         [](Fixture &f) { return Call{"PATCH", member(f.b.agent.userId), QJsonObject{{QStringLiteral("role"), QStringLiteral("admin")}}}; },
         nothing},
        {"PATCH disable B's admin", Answer::NotFound,
         [](Fixture &f) { return Call{"PATCH", member(f.b.admin.userId), QJsonObject{{QStringLiteral("active"), false}}}; }, nothing},
        {"DELETE B's member", Answer::NotFound, [](Fixture &f) { return Call{"DELETE", member(f.b.agent.userId)}; }, nothing},
        {"DELETE B's admin", Answer::NotFound, [](Fixture &f) { return Call{"DELETE", member(f.b.admin.userId)}; }, nothing},
        // ---- assignments across the border, in every combination
        {"assign A's client to B's member", Answer::NotFound,
         [](Fixture &f) { return Call{"POST", assignment(f.b.agent.userId, f.a.client1), QJsonObject{}}; }, nothing},
        {"assign B's client to A's member", Answer::NotFound,
         [](Fixture &f) { return Call{"POST", assignment(f.a.agent.userId, f.b.client2), QJsonObject{}}; }, nothing},
        {"assign B's client to B's member", Answer::NotFound,
         [](Fixture &f) { return Call{"POST", assignment(f.b.agent.userId, f.b.client2), QJsonObject{}}; }, nothing},
        {"unassign B's existing assignment", Answer::NotFound,
         [](Fixture &f) { return Call{"DELETE", assignment(f.b.agent.userId, f.b.client1)}; }, nothing},
        {"unassign B's client from A's member", Answer::NotFound,
         [](Fixture &f) { return Call{"DELETE", assignment(f.a.agent.userId, f.b.client1)}; }, nothing},
        {"unassign A's client from B's member", Answer::NotFound,
         [](Fixture &f) { return Call{"DELETE", assignment(f.b.agent.userId, f.a.client1)}; }, nothing},
        // ---- clients of B
        {"GET B's client", Answer::NotFound, [](Fixture &f) { return Call{"GET", QStringLiteral("/api/clients/") + f.b.client1}; }, nothing},
        {"DELETE B's client", Answer::NotFound, [](Fixture &f) { return Call{"DELETE", QStringLiteral("/api/clients/") + f.b.client1}; },
         nothing},
        // ---- API keys of B
        {"DELETE B's admin key", Answer::NotFound, [](Fixture &f) { return Call{"DELETE", QStringLiteral("/api/api-keys/") + f.b.adminKeyId}; },
         nothing},
        {"DELETE B's agent key", Answer::NotFound, [](Fixture &f) { return Call{"DELETE", QStringLiteral("/api/api-keys/") + f.b.agentKeyId}; },
         nothing},
        // ---- lists: A's things only
        {"GET /api/clients", Answer::OwnOnly, [](Fixture &) { return Call{"GET", QStringLiteral("/api/clients?limit=500")}; },
         [](Fixture &f, const wadesk::test::ApiResponse &r) {
             const QStringList ids = collect(r.json.value(QStringLiteral("clients")).toArray(), QStringLiteral("id"));
             if (!ids.contains(f.a.client1))
                 return QStringLiteral("A's own client is missing");
             if (r.json.value(QStringLiteral("total")).toInt() != ids.size())
                 return QStringLiteral("total counts more than A's clients");
             return noneOf(ids, idsOf(f.b), "the client list");
         }},
        {"GET /api/team/members", Answer::OwnOnly, [](Fixture &) { return Call{"GET", QStringLiteral("/api/team/members?limit=500")}; },
         [](Fixture &f, const wadesk::test::ApiResponse &r) {
             const QStringList ids = collect(r.json.value(QStringLiteral("members")).toArray(), QStringLiteral("id"));
             if (!ids.contains(f.a.agent.userId) || ids.size() != 3 || r.json.value(QStringLiteral("total")).toInt() != 3)
                 return QStringLiteral("A has exactly three members");
             return noneOf(ids, idsOf(f.b), "the member list");
         }},
        {"GET /api/api-keys", Answer::OwnOnly, [](Fixture &) { return Call{"GET", QStringLiteral("/api/api-keys?limit=500")}; },
         [](Fixture &f, const wadesk::test::ApiResponse &r) {
             const QJsonArray keys = r.json.value(QStringLiteral("api_keys")).toArray();
             if (!collect(keys, QStringLiteral("id")).contains(f.a.adminKeyId))
                 return QStringLiteral("A's own key is missing");
             const QString s = noneOf(collect(keys, QStringLiteral("id")), idsOf(f.b), "the key list");
             return s.isEmpty() ? noneOf(collect(keys, QStringLiteral("user_id")), idsOf(f.b), "the key list") : s;
         }},
        {"GET /api/audit-logs", Answer::OwnOnly, [](Fixture &) { return Call{"GET", QStringLiteral("/api/audit-logs?limit=500")}; },
         [](Fixture &f, const wadesk::test::ApiResponse &r) {
             const QJsonArray logs = r.json.value(QStringLiteral("logs")).toArray();
             if (logs.isEmpty())
                 return QStringLiteral("A's own log is empty");
             for (const char *field : {"user_id", "resource_id", "id"}) {
                 const QString s = noneOf(collect(logs, QLatin1String(field)), idsOf(f.b), "the audit log");
                 if (!s.isEmpty())
                     return s;
             }
             return QString();
         }},
        {"GET /api/audit-logs?user_id=<B's admin>", Answer::OwnOnly,
         [](Fixture &f) { return Call{"GET", QStringLiteral("/api/audit-logs?user_id=") + f.b.admin.userId}; },
         [](Fixture &, const wadesk::test::ApiResponse &r) {
             return r.json.value(QStringLiteral("logs")).toArray().isEmpty() && r.json.value(QStringLiteral("count")).toInt() == 0
                 ? QString()
                 : QStringLiteral("B's entries were listed");
         }},
        {"GET /api/audit-logs?action=register", Answer::OwnOnly,
         [](Fixture &) { return Call{"GET", QStringLiteral("/api/audit-logs?action=register")}; },
         [](Fixture &f, const wadesk::test::ApiResponse &r) {
             const QJsonArray logs = r.json.value(QStringLiteral("logs")).toArray();
             return logs.size() == 1 && logs.at(0).toObject().value(QStringLiteral("resource_id")).toString() == f.a.admin.organizationId
                 ? QString()
                 : QStringLiteral("expected A's one register entry");
         }},
        {"GET /api/team/members/<A's agent> lists A's assignments only", Answer::OwnOnly,
         [](Fixture &f) { return Call{"GET", member(f.a.agent.userId)}; },
         [](Fixture &f, const wadesk::test::ApiResponse &r) {
             const QJsonArray assigned = r.json.value(QStringLiteral("user")).toObject().value(QStringLiteral("assigned_clients")).toArray();
             return assigned == QJsonArray{f.a.client1} ? QString() : QStringLiteral("wrong assignments");
         }},
        // ---- org_id naming B, in the query or the body, on every route
        {"GET /api/clients?org_id=B", Answer::Mismatch,
         [](Fixture &f) { return Call{"GET", QStringLiteral("/api/clients?org_id=") + f.b.admin.organizationId}; }, nothing},
        {"POST /api/clients {org_id:B}", Answer::Mismatch,
         [](Fixture &f) {
             return Call{"POST", QStringLiteral("/api/clients"),
                         QJsonObject{{QStringLiteral("org_id"), f.b.admin.organizationId}, {QStringLiteral("name"), QStringLiteral("Planted")}}};
         },
         nothing},
        {"GET /api/clients/:id?org_id=B", Answer::Mismatch,
         [](Fixture &f) { return Call{"GET", QStringLiteral("/api/clients/%1?org_id=%2").arg(f.a.client1, f.b.admin.organizationId)}; }, nothing},
        {"DELETE /api/clients/:id?org_id=B", Answer::Mismatch,
         [](Fixture &f) { return Call{"DELETE", QStringLiteral("/api/clients/%1?org_id=%2").arg(f.a.client2, f.b.admin.organizationId)}; },
         nothing},
        {"DELETE /api/clients/:id {org_id:B}", Answer::Mismatch,
         [](Fixture &f) {
             return Call{"DELETE", QStringLiteral("/api/clients/") + f.a.client2, QJsonObject{{QStringLiteral("org_id"), f.b.admin.organizationId}}};
         },
         nothing},
        {"GET /api/team/members?org_id=B", Answer::Mismatch,
         [](Fixture &f) { return Call{"GET", QStringLiteral("/api/team/members?org_id=") + f.b.admin.organizationId}; }, nothing},
        {"POST /api/team/members {org_id:B}", Answer::Mismatch,
         [](Fixture &f) {
             return Call{"POST", QStringLiteral("/api/team/members"),
                         QJsonObject{{QStringLiteral("org_id"), f.b.admin.organizationId},
                                     {QStringLiteral("email"), QStringLiteral("planted@tenant.test")},
                                     {QStringLiteral("password"), QStringLiteral("planted-pass-1")},
                                     {QStringLiteral("name"), QStringLiteral("Planted")},
                                     {QStringLiteral("role"), QStringLiteral("admin")}}};
         },
         nothing},
        {"GET /api/team/members/:id?org_id=B", Answer::Mismatch,
         [](Fixture &f) { return Call{"GET", member(f.a.agent.userId) + QStringLiteral("?org_id=") + f.b.admin.organizationId}; }, nothing},
        {"PATCH /api/team/members/:id {org_id:B}", Answer::Mismatch,
         [](Fixture &f) {
             return Call{"PATCH", member(f.a.agent.userId),
                         QJsonObject{{QStringLiteral("org_id"), f.b.admin.organizationId}, {QStringLiteral("name"), QStringLiteral("moved")}}};
         },
         nothing},
        {"DELETE /api/team/members/:id?org_id=B", Answer::Mismatch,
         [](Fixture &f) { return Call{"DELETE", member(f.a.manager.userId) + QStringLiteral("?org_id=") + f.b.admin.organizationId}; },
         nothing},
        {"POST assignment {org_id:B}", Answer::Mismatch,
         [](Fixture &f) {
             return Call{"POST", assignment(f.a.agent.userId, f.a.client2), QJsonObject{{QStringLiteral("org_id"), f.b.admin.organizationId}}};
         },
         nothing},
        {"DELETE assignment?org_id=B", Answer::Mismatch,
         [](Fixture &f) { return Call{"DELETE", assignment(f.a.agent.userId, f.a.client1) + QStringLiteral("?org_id=") + f.b.admin.organizationId}; },
         nothing},
        {"POST /api/api-keys {org_id:B}", Answer::Mismatch,
         [](Fixture &f) {
             return Call{"POST", QStringLiteral("/api/api-keys"),
                         QJsonObject{{QStringLiteral("org_id"), f.b.admin.organizationId}, {QStringLiteral("name"), QStringLiteral("planted")}}};
         },
         nothing},
        {"GET /api/api-keys?org_id=B", Answer::Mismatch,
         [](Fixture &f) { return Call{"GET", QStringLiteral("/api/api-keys?org_id=") + f.b.admin.organizationId}; }, nothing},
        {"DELETE /api/api-keys/:id?org_id=B", Answer::Mismatch,
         [](Fixture &f) { return Call{"DELETE", QStringLiteral("/api/api-keys/%1?org_id=%2").arg(f.a.agentKeyId, f.b.admin.organizationId)}; },
         nothing},
        {"GET /api/audit-logs?org_id=B", Answer::Mismatch,
         [](Fixture &f) { return Call{"GET", QStringLiteral("/api/audit-logs?org_id=") + f.b.admin.organizationId}; }, nothing},
        // The guide's own form: org_id naming the caller's organization is accepted.
        {"GET /api/clients?org_id=A", Answer::OwnOnly,
         [](Fixture &f) { return Call{"GET", QStringLiteral("/api/clients?org_id=") + f.a.admin.organizationId}; },
         [](Fixture &f, const wadesk::test::ApiResponse &r) {
             return collect(r.json.value(QStringLiteral("clients")).toArray(), QStringLiteral("id")).contains(f.a.client1)
                 ? QString()
                 : QStringLiteral("A's client missing");
         }},
    };
    return all;
}

bool setUpOrg(ApiTestHarness &api, Org &o, const QString &tag, const QString &phone1, const QString &phone2)
{
    o.name = QStringLiteral("Tenant %1 Ltd").arg(tag);
    o.admin = api.registerOrganization(QStringLiteral("admin-%1@tenant.test").arg(tag), o.name);
    if (!o.admin.valid())
        return false;
    o.manager = api.createMember(o.admin, QStringLiteral("manager"), QStringLiteral("manager-%1@tenant.test").arg(tag));
    o.agent = api.createMember(o.admin, QStringLiteral("agent"), QStringLiteral("agent-%1@tenant.test").arg(tag));
    o.client1 = api.createClient(o.admin, QStringLiteral("Client one of %1").arg(tag), phone1);
    o.client2 = api.createClient(o.admin, QStringLiteral("Client two of %1").arg(tag), phone2);
    if (!o.manager.valid() || !o.agent.valid() || o.client1.isEmpty() || o.client2.isEmpty())
        return false;
    if (!api.assign(o.admin, o.agent.userId, o.client1))
        return false;
    const wadesk::test::ApiResponse keys = api.request("GET", QStringLiteral("/api/api-keys"), QJsonValue(QJsonValue::Undefined),
                                                       ApiTestHarness::apiKey(o.admin.apiKey));
    for (const QJsonValue &k : keys.json.value(QStringLiteral("api_keys")).toArray()) {
        const QJsonObject key = k.toObject();
        if (key.value(QStringLiteral("user_id")).toString() == o.admin.userId)
            o.adminKeyId = key.value(QStringLiteral("id")).toString();
        if (key.value(QStringLiteral("user_id")).toString() == o.agent.userId)
            o.agentKeyId = key.value(QStringLiteral("id")).toString();
    }
    return !o.adminKeyId.isEmpty() && !o.agentKeyId.isEmpty();
}

// What B's admin sees of B through the API.
QJsonObject viewThroughApi(ApiTestHarness &api, const Org &o)
{
    const HeaderList auth = ApiTestHarness::apiKey(o.admin.apiKey);
    const auto get = [&](const QString &path) {
        const wadesk::test::ApiResponse r = api.request("GET", path, QJsonValue(QJsonValue::Undefined), auth);
        QJsonObject body = r.json;
        body.insert(QStringLiteral("_status"), r.status);
        return body;
    };
    QJsonObject view;
    QJsonObject members = get(QStringLiteral("/api/team/members?limit=500"));
    QJsonArray memberList = members.value(QStringLiteral("members")).toArray();
    for (QJsonValueRef m : memberList) {
        QJsonObject o2 = m.toObject();
        o2.remove(QStringLiteral("last_login_at"));
        m = o2;
    }
    view.insert(QStringLiteral("members"), memberList);
    QJsonObject clients = get(QStringLiteral("/api/clients?limit=500"));
    view.insert(QStringLiteral("clients"), clients.value(QStringLiteral("clients")));
    QJsonObject keys = get(QStringLiteral("/api/api-keys?limit=500"));
    QJsonArray keyList = keys.value(QStringLiteral("api_keys")).toArray();
    for (QJsonValueRef k : keyList) {
        QJsonObject o2 = k.toObject();
        o2.remove(QStringLiteral("last_used_at"));
        k = o2;
    }
    view.insert(QStringLiteral("keys"), keyList);
    view.insert(QStringLiteral("agent"), get(member(o.agent.userId)).value(QStringLiteral("user")).toObject().value(QStringLiteral("assigned_clients")));
    view.insert(QStringLiteral("audit"), get(QStringLiteral("/api/audit-logs?limit=500")).value(QStringLiteral("logs")));
    return view;
}

std::map<QString, std::unique_ptr<Fixture>> &fixtures()
{
    static std::map<QString, std::unique_ptr<Fixture>> all;
    return all;
}

Fixture *fixtureFor(const QString &dialect, QString *whyNot)
{
    auto &all = fixtures();
    if (auto it = all.find(dialect); it != all.end()) {
        if (!it->second)
            *whyNot = QStringLiteral("the %1 fixture failed earlier").arg(dialect);
        return it->second.get();
    }
    auto f = std::make_unique<Fixture>();
    ApiTestHarness::Options options;
    options.authCacheMs = 5000;
    Fixture *raw = nullptr;
    if (f->api.start(dialect, whyNot, options)) {
        if (setUpOrg(f->api, f->a, QStringLiteral("a"), QStringLiteral("+14155552671"), QStringLiteral("+14155552672"))
            // B uses a phone number of A too: numbers are unique per organization only.
            && setUpOrg(f->api, f->b, QStringLiteral("b"), QStringLiteral("+442071838750"), QStringLiteral("+14155552671"))) {
            f->bSnapshot = f->api.snapshot(f->b.admin.organizationId);
            f->bView = viewThroughApi(f->api, f->b);
            f->bSecrets = {f->b.admin.organizationId, f->b.name, f->b.admin.email, f->b.agent.email, f->b.manager.email,
                           QStringLiteral("Client one of b"), QStringLiteral("Client two of b"), QStringLiteral("+442071838750")};
            raw = f.get();
        } else {
            *whyNot = QStringLiteral("server: setting up the two organizations failed");
        }
    }
    all[dialect] = raw ? std::move(f) : nullptr;
    return raw;
}

#define FIXTURE(var)                                                                                              \
    QFETCH(QString, dialect);                                                                                     \
    QString var##WhyNot;                                                                                          \
    Fixture *var = fixtureFor(dialect, &var##WhyNot);                                                             \
    if (!var) {                                                                                                   \
        if (dialect == QLatin1String("postgres") && !PgCluster::required() && !var##WhyNot.startsWith(QLatin1String("server:"))) \
            QSKIP(qPrintable(var##WhyNot));                                                                       \
        QFAIL(qPrintable(var##WhyNot));                                                                           \
    }

} // namespace

class TestTenantIsolation : public QObject {
    Q_OBJECT
private slots:
    void cleanupTestCase() { fixtures().clear(); }

    void crossTenant_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<int>("caseIndex");
        QTest::addColumn<bool>("useJwt");
        for (const char *dialect : {"sqlite", "postgres"}) {
            for (int i = 0; i < int(cases().size()); ++i) {
                for (bool jwt : {false, true})
                    QTest::newRow(QByteArray(dialect) + " | " + cases()[size_t(i)].name + (jwt ? " | jwt" : " | key"))
                        << QString::fromLatin1(dialect) << i << jwt;
            }
        }
    }

    void crossTenant()
    {
        FIXTURE(f);
        QFETCH(int, caseIndex);
        QFETCH(bool, useJwt);
        const Case &c = cases()[size_t(caseIndex)];
        const Call call = c.call(*f);
        const HeaderList auth = useJwt ? ApiTestHarness::bearer(f->a.admin.token) : ApiTestHarness::apiKey(f->a.admin.apiKey);
        const QString aBefore = f->api.snapshot(f->a.admin.organizationId);
        const wadesk::test::ApiResponse r = f->api.request(call.method, call.path, call.body, auth);

        switch (c.answer) {
        case Answer::NotFound: {
            QVERIFY2(r.isError(404, QStringLiteral("not_found")), r.describe().constData());
            // Exactly the answer a made-up id of the same kind gets: nothing tells B's ids apart.
            QString probePath = call.path;
            for (const QString &id : idsOf(f->b))
                probePath.replace(id, id.section(QLatin1Char('_'), 0, 0) + QStringLiteral("_00000000000000000000000000"));
            if (probePath != call.path) {
                const wadesk::test::ApiResponse probe = f->api.request(call.method, probePath, call.body, auth);
                QCOMPARE(probe.status, r.status);
                QCOMPARE(probe.json.value(QStringLiteral("error")), r.json.value(QStringLiteral("error")));
            }
            QCOMPARE(f->api.snapshot(f->a.admin.organizationId), aBefore);
            break;
        }
        case Answer::Mismatch:
            QVERIFY2(r.isError(403, QStringLiteral("org_mismatch")), r.describe().constData());
            QCOMPARE(f->api.snapshot(f->a.admin.organizationId), aBefore);
            break;
        case Answer::OwnOnly: {
            QVERIFY2(r.status == 200 && r.jsonObject, r.describe().constData());
            const QString problem = c.check(*f, r);
            QVERIFY2(problem.isEmpty(), qPrintable(problem + QStringLiteral(" — ") + QString::fromUtf8(r.describe())));
            break;
        }
        }
        for (const QString &secret : f->bSecrets)
            QVERIFY2(!r.body.contains(secret.toUtf8()), qPrintable(QStringLiteral("the answer carries B's '%1'").arg(secret)));
        // B is untouched, in the database...
        QCOMPARE(f->api.snapshot(f->b.admin.organizationId), f->bSnapshot);
    }

    // ... and through B's own credentials once A has tried everything.
    void bUnchangedThroughItsOwnCredentials_data() { addDialectRows(); }
    void bUnchangedThroughItsOwnCredentials()
    {
        FIXTURE(f);
        const QJsonObject now = viewThroughApi(f->api, f->b);
        QCOMPARE(now.value(QStringLiteral("members")).toArray().size(), 3);
        QCOMPARE(now.value(QStringLiteral("clients")).toArray().size(), 2);
        QCOMPARE(now.value(QStringLiteral("agent")).toArray(), QJsonArray{f->b.client1});
        QCOMPARE(now, f->bView);
        // B's keys still work.
        for (const Account *who : {&f->b.admin, &f->b.agent}) {
            const wadesk::test::ApiResponse r = f->api.request("GET", QStringLiteral("/api/clients"), QJsonValue(QJsonValue::Undefined),
                                                               ApiTestHarness::apiKey(who->apiKey));
            QVERIFY2(r.status == 200, r.describe().constData());
        }
    }

    // B's credentials see nothing of A either (the border holds both ways).
    void bSeesNothingOfA_data() { addDialectRows(); }
    void bSeesNothingOfA()
    {
        FIXTURE(f);
        const HeaderList auth = ApiTestHarness::apiKey(f->b.admin.apiKey);
        for (const QString &path : {QStringLiteral("/api/clients/") + f->a.client1, member(f->a.agent.userId)}) {
            const wadesk::test::ApiResponse r = f->api.request("GET", path, QJsonValue(QJsonValue::Undefined), auth);
            QVERIFY2(r.isError(404, QStringLiteral("not_found")), r.describe().constData());
        }
        const wadesk::test::ApiResponse agentView = f->api.request("GET", QStringLiteral("/api/clients"), QJsonValue(QJsonValue::Undefined),
                                                                   ApiTestHarness::bearer(f->b.agent.token));
        QCOMPARE(collect(agentView.json.value(QStringLiteral("clients")).toArray(), QStringLiteral("id")), QStringList{f->b.client1});
    }

    // An id with a control character (a NUL cuts a QPSQL statement) or of absurd length names
    // nothing: 404 before any SQL, on both databases, and nothing changes.
    void malformedIdsAreNotFound_data() { addDialectRows(); }
    void malformedIdsAreNotFound()
    {
        FIXTURE(f);
        const HeaderList auth = ApiTestHarness::apiKey(f->a.admin.apiKey);
        const QString aBefore = f->api.snapshot(f->a.admin.organizationId);
        const QString client = f->a.client1;
        const QString tooLong = client + QString(300, QLatin1Char('x'));
        const QList<QPair<QByteArray, QString>> calls{
            {"GET", QStringLiteral("/api/clients/%00")},
            {"GET", QStringLiteral("/api/clients/") + client + QStringLiteral("%00")},
            {"GET", QStringLiteral("/api/clients/") + client + QStringLiteral("%00x/status")},
            {"GET", QStringLiteral("/api/clients/") + client + QStringLiteral("%0A/messages")},
            {"POST", QStringLiteral("/api/clients/") + client + QStringLiteral("%00/send-message")},
            {"DELETE", QStringLiteral("/api/clients/") + client + QStringLiteral("%7F")},
            {"GET", QStringLiteral("/api/clients/") + tooLong},
            {"GET", member(f->a.agent.userId + QStringLiteral("%00"))},
            {"DELETE", assignment(f->a.agent.userId, client + QStringLiteral("%00"))},
            {"GET", QStringLiteral("/api/webhooks/wh_%00")},
            {"DELETE", QStringLiteral("/api/media/media_%01")},
        };
        for (const auto &call : calls) {
            const QJsonValue body = call.first == "POST" ? QJsonValue(QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550100")},
                                                                                 {QStringLiteral("message"), QStringLiteral("hi")}})
                                                         : QJsonValue(QJsonValue::Undefined);
            const wadesk::test::ApiResponse r = f->api.request(call.first, call.second, body, auth);
            QVERIFY2(r.isError(404, QStringLiteral("not_found")), (call.first + ' ' + call.second.toUtf8() + " -> " + r.describe()).constData());
        }
        QCOMPARE(f->api.snapshot(f->a.admin.organizationId), aBefore);
        // The same routes with the plain id still answer.
        const wadesk::test::ApiResponse plain = f->api.request("GET", QStringLiteral("/api/clients/") + client, QJsonValue(QJsonValue::Undefined), auth);
        QVERIFY2(plain.status == 200, plain.describe().constData());
    }
};

QTEST_GUILESS_MAIN(TestTenantIsolation)
#include "tst_tenant_isolation.moc"
