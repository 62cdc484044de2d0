// The RBAC matrix over real HTTP: each role (admin, manager, agent, viewer) with each kind of
// credential (X-API-Key and Bearer JWT), and a caller with no credentials, against every route of
// the identity API, on SQLite and PostgreSQL. The expected answer of every cell is written out in
// the table below by hand (from the guide's matrix and the route rules), never computed from
// Permissions, so a wrong matrix in the code fails here. Every refused cell must also leave the
// organization's data exactly as it was; every allowed change must be audited.

#include "tests/support/ApiTestHarness.h"

#include <QJsonArray>
#include <QTest>
#include <QTimer>
#include "core/db/SqlRunner.h"
#include <array>
#include <functional>
#include <map>
#include <memory>

using namespace wadesk::test;

namespace {

enum Caller { Admin, Manager, Agent, Viewer, Nobody, CallerCount };
const char *const kCallerNames[] = {"admin", "manager", "agent", "viewer", "none"};

struct Expect {
    int status;
    const char *code; // for error answers
};
constexpr Expect OK{200, nullptr};
constexpr Expect CREATED{201, nullptr};
constexpr Expect FORBIDDEN{403, "forbidden"};               // the role lacks the route's permission
constexpr Expect NOT_MANAGEABLE{403, "role_not_manageable"}; // managers manage agents and viewers only
constexpr Expect NOT_FOUND{404, "not_found"};                // scoped out: reads as absent
constexpr Expect NO_AUTH{401, "auth_required"};

struct Fixture {
    ApiTestHarness api;
    Account admin, manager, agent, viewer;
    Account admin2;      // a second admin, target of the "change an admin" cells
    Account manager2;    // a manager that is only ever a target
    Account target;      // an agent that is only ever a target (assignments, edits)
    Account keyOwner;    // an agent whose keys the others try to revoke
    QString assignedClient;   // assigned to the agent and the viewer
    QString unassignedClient; // assigned to nobody
    int counter = 0;

    QString unique(const QString &what) { return QStringLiteral("%1-%2").arg(what).arg(++counter); }
    QString email(const QString &what) { return unique(what) + QStringLiteral("@rbac.test"); }
    const Account &account(Caller c) const
    {
        static const Account none;
        switch (c) {
        case Admin: return admin;
        case Manager: return manager;
        case Agent: return agent;
        case Viewer: return viewer;
        default: return none;
        }
    }
};

struct Request {
    Request(QByteArray m, QString p, QJsonValue b = QJsonValue(QJsonValue::Undefined))
        : method(std::move(m))
        , path(std::move(p))
        , body(std::move(b))
    {
    }
    QByteArray method;
    QString path;
    QJsonValue body;
    QString prepareError; // set when the preparation itself failed
};

enum class Effect {
    Changes, // an allowed call changes the organization (and is audited)
    Reads,   // an allowed call changes nothing in the organization
};

using Check = std::function<QString(Fixture &, Caller, const wadesk::test::ApiResponse &)>;

struct Case {
    Case(const char *n, std::array<Expect, CallerCount> e, Effect eff, std::function<Request(Fixture &, Caller)> p, Check c = {})
        : name(n)
        , expect(e)
        , effect(eff)
        , prepare(std::move(p))
        , check(std::move(c))
    {
    }
    const char *name;
    std::array<Expect, CallerCount> expect; // admin, manager, agent, viewer, none
    Effect effect;
    std::function<Request(Fixture &, Caller)> prepare;
    // Extra checks of a successful answer; returns an error text or empty.
    Check check;
};

QJsonObject member(Fixture &f, const QString &role)
{
    return QJsonObject{{QStringLiteral("email"), f.email(role)},
                       {QStringLiteral("password"), QStringLiteral("member-pass-1")},
                       {QStringLiteral("name"), f.unique(QStringLiteral("New ") + role)},
                       {QStringLiteral("role"), role}};
}

// A member made by the admin for one cell (so cells never depend on each other).
QString freshMember(Fixture &f, const QString &role, QString *error)
{
    const wadesk::test::ApiResponse r = f.api.request("POST", QStringLiteral("/api/team/members"), member(f, role),
                                                      ApiTestHarness::apiKey(f.admin.apiKey));
    if (r.status != 201)
        *error = QStringLiteral("creating a %1 failed: %2").arg(role, QString::fromUtf8(r.describe()));
    return r.json.value(QStringLiteral("user")).toObject().value(QStringLiteral("id")).toString();
}

QString freshClient(Fixture &f, QString *error)
{
    const QString id = f.api.createClient(f.admin, f.unique(QStringLiteral("Client")));
    if (id.isEmpty())
        *error = QStringLiteral("creating a client failed");
    return id;
}

QStringList idsIn(const QJsonArray &items, const QString &field = QStringLiteral("id"))
{
    QStringList out;
    for (const QJsonValue &v : items)
        out << v.toObject().value(field).toString();
    return out;
}

const std::vector<Case> &cases()
{
    static const std::vector<Case> all = {
        // ---- public routes: credentials neither help nor hurt
        {"POST /api/auth/register", {CREATED, CREATED, CREATED, CREATED, CREATED}, Effect::Reads,
         [](Fixture &f, Caller) {
             return Request{"POST", QStringLiteral("/api/auth/register"),
                            QJsonObject{{QStringLiteral("email"), f.email(QStringLiteral("owner"))},
                                        {QStringLiteral("password"), QStringLiteral("register-pass-1")},
                                        {QStringLiteral("name"), QStringLiteral("Owner")},
                                        {QStringLiteral("organization_name"), f.unique(QStringLiteral("Org"))}}};
         },
         [](Fixture &f, Caller, const wadesk::test::ApiResponse &r) {
             // A new organization, never the caller's.
             const QString org = r.json.value(QStringLiteral("organization")).toObject().value(QStringLiteral("id")).toString();
             return org.startsWith(QLatin1String("org_")) && org != f.admin.organizationId ? QString()
                                                                                            : QStringLiteral("register joined an existing organization");
         }},
        {"POST /api/auth/login", {OK, OK, OK, OK, OK}, Effect::Changes,
         [](Fixture &f, Caller) {
             return Request{"POST", QStringLiteral("/api/auth/login"),
                            QJsonObject{{QStringLiteral("email"), f.target.email}, {QStringLiteral("password"), f.target.password}}};
         },
         [](Fixture &f, Caller, const wadesk::test::ApiResponse &r) {
             return r.json.value(QStringLiteral("user")).toObject().value(QStringLiteral("id")).toString() == f.target.userId
                 ? QString()
                 : QStringLiteral("login answered for another user");
         }},

        // ---- API keys: every authenticated user manages their own; admins see and revoke all
        {"POST /api/api-keys", {CREATED, CREATED, CREATED, CREATED, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             return Request{"POST", QStringLiteral("/api/api-keys"), QJsonObject{{QStringLiteral("name"), f.unique(QStringLiteral("key"))}}};
         },
         [](Fixture &f, Caller c, const wadesk::test::ApiResponse &r) {
             const QJsonObject key = r.json.value(QStringLiteral("key")).toObject();
             if (!r.json.value(QStringLiteral("api_key")).toString().startsWith(QLatin1String("sk_")))
                 return QStringLiteral("no api_key in the answer");
             return key.value(QStringLiteral("user_id")).toString() == f.account(c).userId ? QString()
                                                                                           : QStringLiteral("key made for someone else");
         }},
        {"GET /api/api-keys", {OK, OK, OK, OK, NO_AUTH}, Effect::Reads,
         [](Fixture &, Caller) { return Request{"GET", QStringLiteral("/api/api-keys")}; },
         [](Fixture &f, Caller c, const wadesk::test::ApiResponse &r) {
             const QStringList owners = idsIn(r.json.value(QStringLiteral("api_keys")).toArray(), QStringLiteral("user_id"));
             if (owners.isEmpty())
                 return QStringLiteral("no keys listed");
             for (const QJsonValue &k : r.json.value(QStringLiteral("api_keys")).toArray()) {
                 if (k.toObject().contains(QStringLiteral("key_hash")) || k.toObject().contains(QStringLiteral("api_key")))
                     return QStringLiteral("a key listing shows secret material");
             }
             if (c == Admin)
                 return owners.contains(f.keyOwner.userId) ? QString() : QStringLiteral("an admin must see every key of the organization");
             for (const QString &o : owners) {
                 if (o != f.account(c).userId)
                     return QStringLiteral("a non-admin sees another user's key");
             }
             return QString();
         }},
        {"DELETE /api/api-keys/:keyId (own key)", {OK, OK, OK, OK, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller c) {
             const Account &owner = c == Nobody ? f.admin : f.account(c);
             const auto [id, plain] = f.api.createApiKey(owner, f.unique(QStringLiteral("doomed")));
             Request r{"DELETE", QStringLiteral("/api/api-keys/") + id};
             if (id.isEmpty())
                 r.prepareError = QStringLiteral("could not create the key");
             return r;
         }},
        {"DELETE /api/api-keys/:keyId (another user's key)", {OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             const auto [id, plain] = f.api.createApiKey(f.keyOwner, f.unique(QStringLiteral("owned")));
             Request r{"DELETE", QStringLiteral("/api/api-keys/") + id};
             if (id.isEmpty())
                 r.prepareError = QStringLiteral("could not create the key");
             return r;
         }},

        // ---- team: can_manage_team (admin, manager); managers only for agents and viewers
        {"POST /api/team/members (agent)", {CREATED, CREATED, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) { return Request{"POST", QStringLiteral("/api/team/members"), member(f, QStringLiteral("agent"))}; }},
        {"POST /api/team/members (viewer)", {CREATED, CREATED, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) { return Request{"POST", QStringLiteral("/api/team/members"), member(f, QStringLiteral("viewer"))}; }},
        {"POST /api/team/members (manager)", {CREATED, NOT_MANAGEABLE, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) { return Request{"POST", QStringLiteral("/api/team/members"), member(f, QStringLiteral("manager"))}; }},
        {"POST /api/team/members (admin)", {CREATED, NOT_MANAGEABLE, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) { return Request{"POST", QStringLiteral("/api/team/members"), member(f, QStringLiteral("admin"))}; }},
        {"GET /api/team/members", {OK, OK, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Reads,
         [](Fixture &, Caller) { return Request{"GET", QStringLiteral("/api/team/members")}; },
         [](Fixture &f, Caller, const wadesk::test::ApiResponse &r) {
             const QStringList ids = idsIn(r.json.value(QStringLiteral("members")).toArray());
             return ids.contains(f.admin.userId) && ids.contains(f.viewer.userId) ? QString()
                                                                                  : QStringLiteral("members missing from the list");
         }},
        {"GET /api/team/members/:userId", {OK, OK, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Reads,
         [](Fixture &f, Caller) { return Request{"GET", QStringLiteral("/api/team/members/") + f.target.userId}; },
         [](Fixture &f, Caller, const wadesk::test::ApiResponse &r) {
             return r.json.value(QStringLiteral("user")).toObject().value(QStringLiteral("id")).toString() == f.target.userId
                 ? QString()
                 : QStringLiteral("wrong member");
         }},
        {"PATCH /api/team/members/:userId (agent: name)", {OK, OK, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             return Request{"PATCH", QStringLiteral("/api/team/members/") + f.target.userId,
                            QJsonObject{{QStringLiteral("name"), f.unique(QStringLiteral("Renamed"))}}};
         }},
        {"PATCH /api/team/members/:userId (agent -> admin)", {OK, NOT_MANAGEABLE, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             QString error;
             const QString id = freshMember(f, QStringLiteral("agent"), &error);
             Request r{"PATCH", QStringLiteral("/api/team/members/") + id, QJsonObject{{QStringLiteral("role"), QStringLiteral("admin")}}};
             r.prepareError = error;
             return r;
         }},
        {"PATCH /api/team/members/:userId (agent -> viewer)", {OK, OK, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             QString error;
             const QString id = freshMember(f, QStringLiteral("agent"), &error);
             Request r{"PATCH", QStringLiteral("/api/team/members/") + id, QJsonObject{{QStringLiteral("role"), QStringLiteral("viewer")}}};
             r.prepareError = error;
             return r;
         }},
        {"PATCH /api/team/members/:userId (manager: name)", {OK, NOT_MANAGEABLE, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             return Request{"PATCH", QStringLiteral("/api/team/members/") + f.manager2.userId,
                            QJsonObject{{QStringLiteral("name"), f.unique(QStringLiteral("Manager"))}}};
         }},
        {"PATCH /api/team/members/:userId (admin: name)", {OK, NOT_MANAGEABLE, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             return Request{"PATCH", QStringLiteral("/api/team/members/") + f.admin2.userId,
                            QJsonObject{{QStringLiteral("name"), f.unique(QStringLiteral("Admin"))}}};
         }},
        {"DELETE /api/team/members/:userId (agent)", {OK, OK, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             QString error;
             const QString id = freshMember(f, QStringLiteral("agent"), &error);
             Request r{"DELETE", QStringLiteral("/api/team/members/") + id};
             r.prepareError = error;
             return r;
         }},
        {"DELETE /api/team/members/:userId (manager)", {OK, NOT_MANAGEABLE, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             QString error;
             const QString id = freshMember(f, QStringLiteral("manager"), &error);
             Request r{"DELETE", QStringLiteral("/api/team/members/") + id};
             r.prepareError = error;
             return r;
         }},
        {"POST /api/team/members/:userId/clients/:clientId", {OK, OK, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             QString error;
             const QString client = freshClient(f, &error);
             Request r{"POST", QStringLiteral("/api/team/members/%1/clients/%2").arg(f.target.userId, client), QJsonObject{}};
             r.prepareError = error;
             return r;
         }},
        {"POST /api/team/members/:userId/clients/:clientId (manager's client list)", {OK, NOT_MANAGEABLE, FORBIDDEN, FORBIDDEN, NO_AUTH},
         Effect::Changes,
         [](Fixture &f, Caller) {
             QString error;
             const QString client = freshClient(f, &error);
             Request r{"POST", QStringLiteral("/api/team/members/%1/clients/%2").arg(f.manager2.userId, client), QJsonObject{}};
             r.prepareError = error;
             return r;
         }},
        {"DELETE /api/team/members/:userId/clients/:clientId", {OK, OK, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             QString error;
             const QString client = freshClient(f, &error);
             if (error.isEmpty() && !f.api.assign(f.admin, f.target.userId, client))
                 error = QStringLiteral("assigning failed");
             Request r{"DELETE", QStringLiteral("/api/team/members/%1/clients/%2").arg(f.target.userId, client)};
             r.prepareError = error;
             return r;
         }},

        // ---- clients: manage (admin, manager); agents and viewers see only what is assigned
        {"POST /api/clients", {CREATED, CREATED, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             return Request{"POST", QStringLiteral("/api/clients"), QJsonObject{{QStringLiteral("name"), f.unique(QStringLiteral("New client"))}}};
         }},
        {"GET /api/clients", {OK, OK, OK, OK, NO_AUTH}, Effect::Reads,
         [](Fixture &, Caller) { return Request{"GET", QStringLiteral("/api/clients?limit=500")}; },
         [](Fixture &f, Caller c, const wadesk::test::ApiResponse &r) {
             const QStringList ids = idsIn(r.json.value(QStringLiteral("clients")).toArray());
             if (!ids.contains(f.assignedClient))
                 return QStringLiteral("the assigned client is missing");
             const bool seesAll = c == Admin || c == Manager; // written out: admins and managers see every client
             if (ids.contains(f.unassignedClient) != seesAll)
                 return QStringLiteral("wrong scope: unassigned client %1").arg(seesAll ? QStringLiteral("hidden") : QStringLiteral("shown"));
             if (!seesAll && ids.size() != 1)
                 return QStringLiteral("an agent/viewer sees %1 clients, expected 1").arg(ids.size());
             if (r.json.value(QStringLiteral("count")).toInt() != ids.size())
                 return QStringLiteral("count does not match the list");
             return QString();
         }},
        {"GET /api/clients/:clientId (assigned)", {OK, OK, OK, OK, NO_AUTH}, Effect::Reads,
         [](Fixture &f, Caller) { return Request{"GET", QStringLiteral("/api/clients/") + f.assignedClient}; }},
        {"GET /api/clients/:clientId (not assigned)", {OK, OK, NOT_FOUND, NOT_FOUND, NO_AUTH}, Effect::Reads,
         [](Fixture &f, Caller) { return Request{"GET", QStringLiteral("/api/clients/") + f.unassignedClient}; }},
        {"DELETE /api/clients/:clientId", {OK, OK, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller) {
             QString error;
             const QString client = freshClient(f, &error);
             Request r{"DELETE", QStringLiteral("/api/clients/") + client};
             r.prepareError = error;
             return r;
         }},
        {"DELETE /api/clients/:clientId (assigned to the caller)", {OK, OK, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Changes,
         [](Fixture &f, Caller c) {
             QString error;
             const QString client = freshClient(f, &error);
             if (error.isEmpty() && c != Nobody && c != Admin && !f.api.assign(f.admin, f.account(c).userId, client))
                 error = QStringLiteral("assigning failed");
             Request r{"DELETE", QStringLiteral("/api/clients/") + client};
             r.prepareError = error;
             return r;
         }},

        // ---- audit: can_view_audit_logs (admin only)
        {"GET /api/audit-logs", {OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, NO_AUTH}, Effect::Reads,
         [](Fixture &, Caller) { return Request{"GET", QStringLiteral("/api/audit-logs?limit=5")}; },
         [](Fixture &f, Caller, const wadesk::test::ApiResponse &r) {
             const QJsonArray logs = r.json.value(QStringLiteral("logs")).toArray();
             if (logs.isEmpty() || r.json.value(QStringLiteral("count")).toInt() != logs.size())
                 return QStringLiteral("empty log or wrong count");
             Q_UNUSED(f)
             return QString();
         }},
    };
    return all;
}

std::map<QString, std::unique_ptr<Fixture>> &fixtures()
{
    static std::map<QString, std::unique_ptr<Fixture>> all;
    return all;
}

// The organization every cell runs in, one per dialect, made on first use.
Fixture *fixtureFor(const QString &dialect, QString *whyNot)
{
    auto &all = fixtures();
    auto it = all.find(dialect);
    if (it != all.end()) {
        if (!it->second)
            *whyNot = QStringLiteral("the %1 fixture failed earlier").arg(dialect);
        return it->second.get();
    }
    auto f = std::make_unique<Fixture>();
    ApiTestHarness::Options options;
    options.authCacheMs = 5000; // as in production: the cache must not blur the matrix
    Fixture *raw = nullptr;
    if (f->api.start(dialect, whyNot, options)) {
        f->admin = f->api.registerOrganization(QStringLiteral("admin@rbac.test"), QStringLiteral("RBAC Org"));
        bool ok = f->admin.valid();
        if (ok) {
            f->manager = f->api.createMember(f->admin, QStringLiteral("manager"), QStringLiteral("manager@rbac.test"));
            f->agent = f->api.createMember(f->admin, QStringLiteral("agent"), QStringLiteral("agent@rbac.test"));
            f->viewer = f->api.createMember(f->admin, QStringLiteral("viewer"), QStringLiteral("viewer@rbac.test"));
            f->admin2 = f->api.createMember(f->admin, QStringLiteral("admin"), QStringLiteral("admin2@rbac.test"));
            f->manager2 = f->api.createMember(f->admin, QStringLiteral("manager"), QStringLiteral("manager2@rbac.test"));
            f->target = f->api.createMember(f->admin, QStringLiteral("agent"), QStringLiteral("target@rbac.test"));
            f->keyOwner = f->api.createMember(f->admin, QStringLiteral("agent"), QStringLiteral("keyowner@rbac.test"));
            f->assignedClient = f->api.createClient(f->admin, QStringLiteral("Assigned"), QStringLiteral("+14155552671"));
            f->unassignedClient = f->api.createClient(f->admin, QStringLiteral("Unassigned"), QStringLiteral("+14155552672"));
            ok = f->manager.valid() && f->agent.valid() && f->viewer.valid() && f->admin2.valid() && f->manager2.valid()
                && f->target.valid() && f->keyOwner.valid() && !f->assignedClient.isEmpty() && !f->unassignedClient.isEmpty()
                && f->api.assign(f->admin, f->agent.userId, f->assignedClient)
                && f->api.assign(f->admin, f->viewer.userId, f->assignedClient);
        }
        if (ok)
            raw = f.get();
        else
            *whyNot = QStringLiteral("server: setting up the %1 organization failed").arg(dialect);
    }
    all[dialect] = raw ? std::move(f) : nullptr;
    return raw;
}

} // namespace

class TestRbac : public QObject {
    Q_OBJECT
private slots:
    void cleanupTestCase()
    {
        fixtures().clear(); // stop the servers before the PostgreSQL cluster goes away
    }

    // The last-admin rule across WaDesk instances: while another writer (another instance on the
    // same database) is demoting one of two admins, this instance is asked to demote the other.
    // Whichever way they interleave, the organization keeps an active admin.
    void lastAdminUnderConcurrentDemotion_data() { addDialectRows(); }
    void lastAdminUnderConcurrentDemotion()
    {
        QFETCH(QString, dialect);
        ApiTestHarness api;
        QString whyNot;
        if (!api.start(dialect, &whyNot)) {
            if (dialect == QLatin1String("postgres") && !PgCluster::required() && !whyNot.startsWith(QLatin1String("server:")))
                QSKIP(qPrintable(whyNot));
            QFAIL(qPrintable(whyNot));
        }
        const Account first = api.registerOrganization(QStringLiteral("first@race.test"), QStringLiteral("Race Org"));
        QVERIFY(first.valid());
        const Account second = api.createMember(first, QStringLiteral("admin"), QStringLiteral("second@race.test"));
        QVERIFY(second.valid());

        // The other writer demotes `second` and holds its transaction open for a moment.
        wadesk::Transaction other(api.database());
        QVERIFY(other.begin().ok());
        QVERIFY(api.exec(QStringLiteral("UPDATE users SET role = 'manager' WHERE id = ?"), {second.userId}));
        bool committed = false;
        QTimer::singleShot(500, [&other, &committed]() { committed = other.commit().ok(); });
        // Meanwhile `second`, still an admin as far as anything committed says, demotes `first`.
        const wadesk::test::ApiResponse r = api.request("PATCH", QStringLiteral("/api/team/members/") + first.userId,
                                                        QJsonObject{{QStringLiteral("role"), QStringLiteral("manager")}},
                                                        ApiTestHarness::apiKey(second.apiKey));
        QTRY_VERIFY(committed);
        const QStringList admins = api.rows(QStringLiteral("SELECT COUNT(*) FROM users WHERE organization_id = ? AND role = 'admin' AND active = 1"),
                                            {first.organizationId});
        QCOMPARE(admins, QStringList{QStringLiteral("1")});
        QVERIFY2(r.isError(409, QStringLiteral("last_admin")), r.describe().constData());
    }

    void matrix_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<int>("caseIndex");
        QTest::addColumn<int>("caller");
        QTest::addColumn<bool>("useJwt");
        for (const char *dialect : {"sqlite", "postgres"}) {
            for (int i = 0; i < int(cases().size()); ++i) {
                for (int c = 0; c < CallerCount; ++c) {
                    for (bool jwt : {false, true}) {
                        if (c == Nobody && jwt)
                            continue;
                        const QByteArray cred = c == Nobody ? QByteArray() : jwt ? QByteArray(" jwt") : QByteArray(" key");
                        QTest::newRow(QByteArray(dialect) + " | " + cases()[size_t(i)].name + " | " + kCallerNames[c] + cred)
                            << QString::fromLatin1(dialect) << i << c << jwt;
                    }
                }
            }
        }
    }

    void matrix()
    {
        QFETCH(QString, dialect);
        QFETCH(int, caseIndex);
        QFETCH(int, caller);
        QFETCH(bool, useJwt);
        QString whyNot;
        Fixture *f = fixtureFor(dialect, &whyNot);
        if (!f) {
            if (dialect == QLatin1String("postgres") && !PgCluster::required() && !whyNot.startsWith(QLatin1String("server:")))
                QSKIP(qPrintable(whyNot));
            QFAIL(qPrintable(whyNot));
        }
        const Case &c = cases()[size_t(caseIndex)];
        const Caller who = Caller(caller);
        const Expect expect = c.expect[caller];

        const Request request = c.prepare(*f, who);
        QVERIFY2(request.prepareError.isEmpty(), qPrintable(request.prepareError));
        HeaderList headers;
        if (who != Nobody)
            headers = useJwt ? ApiTestHarness::bearer(f->account(who).token) : ApiTestHarness::apiKey(f->account(who).apiKey);

        const QString before = f->api.snapshot(f->admin.organizationId);
        const qint64 seqBefore = f->api.auditSeq(f->admin.organizationId);
        const wadesk::test::ApiResponse r = f->api.request(request.method, request.path, request.body, headers);
        const QString after = f->api.snapshot(f->admin.organizationId);

        QVERIFY2(r.status == expect.status, qPrintable(QStringLiteral("expected %1, got %2").arg(expect.status).arg(QString::fromUtf8(r.describe()))));
        if (expect.code) {
            QVERIFY2(r.isError(expect.status, QLatin1String(expect.code)), r.describe().constData());
            // Refused: the organization is exactly as it was.
            QCOMPARE(after, before);
            return;
        }
        QVERIFY2(r.jsonObject, r.describe().constData());
        QVERIFY2(!r.json.contains(QStringLiteral("error")), r.describe().constData());
        if (c.effect == Effect::Changes)
            QVERIFY2(f->api.auditSeq(f->admin.organizationId) > seqBefore, "an allowed change left no audit entry");
        else
            QCOMPARE(after, before);
        if (c.check) {
            const QString problem = c.check(*f, who, r);
            QVERIFY2(problem.isEmpty(), qPrintable(problem + QStringLiteral(" — ") + QString::fromUtf8(r.describe())));
        }
    }
};

QTEST_GUILESS_MAIN(TestRbac)
#include "tst_rbac.moc"
