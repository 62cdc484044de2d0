// The guide's "Workflow Example 2: Team Collaboration" end to end over real HTTP (register,
// client, agent, assignment, the agent's restricted view, the audit trail), then the team rules
// around it: what managers may and may not do, the last-admin and self rules, duplicate emails,
// and the validation answers (error shape, stable code, nothing changed).

#include "tests/support/ApiTestHarness.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>
#include <tuple>

using namespace wadesk::test;

namespace {

const QJsonValue kNoBody(QJsonValue::Undefined);

QStringList ids(const QJsonArray &items, const QString &field = QStringLiteral("id"))
{
    QStringList out;
    for (const QJsonValue &v : items)
        out << v.toObject().value(field).toString();
    return out;
}

// Newest first, as the API lists them.
QJsonObject findEntry(const QJsonArray &logs, const QString &action, const QString &resourceId = {})
{
    for (const QJsonValue &v : logs) {
        const QJsonObject e = v.toObject();
        if (e.value(QStringLiteral("action")).toString() == action
            && (resourceId.isEmpty() || e.value(QStringLiteral("resource_id")).toString() == resourceId))
            return e;
    }
    return {};
}

bool isIsoUtc(const QJsonValue &v)
{
    const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    return t.isValid() && v.toString().endsWith(QLatin1Char('Z'));
}

// Everything the database holds, across organizations: refused calls must leave it alone.
QString everything(ApiTestHarness &api)
{
    QStringList out;
    for (const QString &org : api.rows(QStringLiteral("SELECT id FROM organizations ORDER BY id")))
        out << api.snapshot(org);
    out << api.rows(QStringLiteral("SELECT COUNT(*) FROM users"));
    return out.join(QStringLiteral("\n--\n"));
}

} // namespace

class TestTeamWorkflow : public QObject {
    Q_OBJECT

    ApiTestHarness m_api;
    Account m_admin;

private slots:
    void initTestCase()
    {
        QString whyNot;
        ApiTestHarness::Options options;
        options.authCacheMs = 5000; // as in production: changes made through the API apply at once anyway
        QVERIFY2(m_api.start(QStringLiteral("sqlite"), &whyNot, options), qPrintable(whyNot));
    }

    void cleanupTestCase() { m_api.stop(); }

    void workflowExample2()
    {
        // 1. Register the organization (Example 1, step 1).
        const ApiResponse reg = m_api.request("POST", QStringLiteral("/api/auth/register"),
                                              QJsonObject{{QStringLiteral("email"), QStringLiteral("admin@acmecorp.com")},
                                                          {QStringLiteral("password"), QStringLiteral("secure123")},
                                                          {QStringLiteral("name"), QStringLiteral("Admin")},
                                                          {QStringLiteral("organization_name"), QStringLiteral("Acme Corp")}});
        QVERIFY2(reg.status == 201, reg.describe().constData());
        QCOMPARE(reg.json.value(QStringLiteral("message")).toString(), QStringLiteral("User created successfully"));
        const QJsonObject regUser = reg.json.value(QStringLiteral("user")).toObject();
        const QString adminId = regUser.value(QStringLiteral("id")).toString();
        const QString orgId = regUser.value(QStringLiteral("organization_id")).toString();
        QVERIFY(adminId.startsWith(QLatin1String("user_")));
        QVERIFY(orgId.startsWith(QLatin1String("org_")));
        QCOMPARE(regUser.value(QStringLiteral("email")).toString(), QStringLiteral("admin@acmecorp.com"));
        QCOMPARE(regUser.value(QStringLiteral("role")).toString(), QStringLiteral("admin"));
        QCOMPARE(reg.json.value(QStringLiteral("organization")).toObject().value(QStringLiteral("id")).toString(), orgId);
        QCOMPARE(reg.json.value(QStringLiteral("organization")).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("Acme Corp"));
        QVERIFY(!regUser.contains(QStringLiteral("password_hash")) && !reg.body.contains("argon2"));
        const QString adminKey = reg.json.value(QStringLiteral("api_key")).toString();
        QVERIFY(adminKey.startsWith(QLatin1String("sk_")));
        QCOMPARE(reg.json.value(QStringLiteral("token")).toString().count(QLatin1Char('.')), 2);
        const HeaderList admin = ApiTestHarness::apiKey(adminKey);
        // The later tests work in this organization even if a step below fails.
        m_admin = Account{adminId, orgId, QStringLiteral("admin@acmecorp.com"), QStringLiteral("secure123"), QStringLiteral("admin"),
                          reg.json.value(QStringLiteral("token")).toString(), adminKey};

        // 2. Create the WhatsApp client, with the guide's org_id in the body.
        const ApiResponse created = m_api.request("POST", QStringLiteral("/api/clients"),
                                                  QJsonObject{{QStringLiteral("org_id"), orgId},
                                                              {QStringLiteral("name"), QStringLiteral("Sales Team")},
                                                              {QStringLiteral("phone_number"), QStringLiteral("+1 (415) 555-2671")}},
                                                  admin);
        QVERIFY2(created.status == 201, created.describe().constData());
        QCOMPARE(created.json.value(QStringLiteral("message")).toString(), QStringLiteral("Client created successfully"));
        const QJsonObject client = created.json.value(QStringLiteral("client")).toObject();
        const QString client1 = client.value(QStringLiteral("id")).toString();
        QVERIFY(client1.startsWith(QLatin1String("client_")));
        QCOMPARE(client.value(QStringLiteral("name")).toString(), QStringLiteral("Sales Team"));
        QCOMPARE(client.value(QStringLiteral("phone_number")).toString(), QStringLiteral("+14155552671")); // E.164
        QCOMPARE(client.value(QStringLiteral("status")).toString(), QStringLiteral("stopped")); // nothing runs until init (one truth with /status and the desktop)
        // A second client the agent will not be given.
        const QString client2 = m_api.createClient(Account{adminId, orgId, {}, {}, {}, {}, adminKey}, QStringLiteral("Support"),
                                                   QStringLiteral("+442071838750"));
        QVERIFY(!client2.isEmpty());

        // The list counts what the organization holds, whatever the page.
        for (const auto &[query, count, total] : {std::make_tuple("", 2, 2), std::make_tuple("?limit=1", 1, 2),
                                                  std::make_tuple("?limit=2", 2, 2), std::make_tuple("?offset=1", 1, 2),
                                                  std::make_tuple("?offset=2", 0, 2), std::make_tuple("?offset=7&limit=3", 0, 2)}) {
            const ApiResponse page = m_api.request("GET", QStringLiteral("/api/clients") + QLatin1String(query), kNoBody, admin);
            QVERIFY2(page.status == 200, page.describe().constData());
            QCOMPARE(page.json.value(QStringLiteral("count")).toInt(), count);
            QCOMPARE(page.json.value(QStringLiteral("clients")).toArray().size(), count);
            QCOMPARE(page.json.value(QStringLiteral("total")).toInt(), total);
        }

        // 3. Admin creates the team member (Example 2).
        const ApiResponse member = m_api.request("POST", QStringLiteral("/api/team/members"),
                                                 QJsonObject{{QStringLiteral("org_id"), orgId},
                                                             {QStringLiteral("email"), QStringLiteral("agent@acmecorp.com")},
                                                             {QStringLiteral("password"), QStringLiteral("secure456")},
                                                             {QStringLiteral("name"), QStringLiteral("John Agent")},
                                                             {QStringLiteral("role"), QStringLiteral("agent")}},
                                                 admin);
        QVERIFY2(member.status == 201, member.describe().constData());
        QCOMPARE(member.json.value(QStringLiteral("message")).toString(), QStringLiteral("Team member created"));
        const QJsonObject memberUser = member.json.value(QStringLiteral("user")).toObject();
        const QString agentId = memberUser.value(QStringLiteral("id")).toString();
        QVERIFY(agentId.startsWith(QLatin1String("user_")) && agentId != adminId);
        QCOMPARE(memberUser.value(QStringLiteral("email")).toString(), QStringLiteral("agent@acmecorp.com"));
        QCOMPARE(memberUser.value(QStringLiteral("name")).toString(), QStringLiteral("John Agent"));
        QCOMPARE(memberUser.value(QStringLiteral("role")).toString(), QStringLiteral("agent"));

        // 4. Admin assigns the client to the agent.
        const ApiResponse assigned = m_api.request("POST", QStringLiteral("/api/team/members/%1/clients/%2").arg(agentId, client1),
                                                   QJsonObject{{QStringLiteral("org_id"), orgId}}, admin);
        QVERIFY2(assigned.status == 200, assigned.describe().constData());
        QCOMPARE(assigned.json, QJsonObject({{QStringLiteral("message"), QStringLiteral("Client assigned successfully")}}));
        // Assigning twice is harmless (and not audited twice).
        QCOMPARE(m_api.request("POST", QStringLiteral("/api/team/members/%1/clients/%2").arg(agentId, client1), QJsonObject{}, admin).status,
                 200);

        // 5. The agent logs in and gets a token.
        const ApiResponse login = m_api.request("POST", QStringLiteral("/api/auth/login"),
                                                QJsonObject{{QStringLiteral("email"), QStringLiteral("agent@acmecorp.com")},
                                                            {QStringLiteral("password"), QStringLiteral("secure456")}});
        QVERIFY2(login.status == 200, login.describe().constData());
        QCOMPARE(login.json.value(QStringLiteral("message")).toString(), QStringLiteral("Login successful"));
        const QJsonObject loginUser = login.json.value(QStringLiteral("user")).toObject();
        QCOMPARE(loginUser.value(QStringLiteral("id")).toString(), agentId);
        QCOMPARE(loginUser.value(QStringLiteral("email")).toString(), QStringLiteral("agent@acmecorp.com"));
        QCOMPARE(loginUser.value(QStringLiteral("organization_id")).toString(), orgId);
        QCOMPARE(loginUser.value(QStringLiteral("role")).toString(), QStringLiteral("agent"));
        QCOMPARE(loginUser.value(QStringLiteral("name")).toString(), QStringLiteral("John Agent"));
        QVERIFY(isIsoUtc(login.json.value(QStringLiteral("expires_at"))));
        const HeaderList agent = ApiTestHarness::bearer(login.json.value(QStringLiteral("token")).toString());

        // 6. The agent sees only the assigned client...
        const ApiResponse list = m_api.request("GET", QStringLiteral("/api/clients"), kNoBody, agent);
        QVERIFY2(list.status == 200, list.describe().constData());
        QCOMPARE(ids(list.json.value(QStringLiteral("clients")).toArray()), QStringList{client1});
        QCOMPARE(list.json.value(QStringLiteral("count")).toInt(), 1);
        QCOMPARE(list.json.value(QStringLiteral("total")).toInt(), 1);
        QCOMPARE(m_api.request("GET", QStringLiteral("/api/clients?limit=1"), kNoBody, agent).json.value(QStringLiteral("total")).toInt(), 1);
        QCOMPARE(m_api.request("GET", QStringLiteral("/api/clients?offset=3"), kNoBody, agent).json.value(QStringLiteral("total")).toInt(), 1);
        QCOMPARE(m_api.request("GET", QStringLiteral("/api/clients/") + client1, kNoBody, agent).status, 200);
        // ... an unassigned one reads as absent...
        QVERIFY(m_api.request("GET", QStringLiteral("/api/clients/") + client2, kNoBody, agent).isError(404, QStringLiteral("not_found")));
        // ... and team management, client management and the audit log are refused.
        QVERIFY(m_api.request("GET", QStringLiteral("/api/team/members"), kNoBody, agent).isError(403, QStringLiteral("forbidden")));
        QVERIFY(m_api.request("POST", QStringLiteral("/api/team/members"),
                              QJsonObject{{QStringLiteral("email"), QStringLiteral("x@acmecorp.com")},
                                          {QStringLiteral("password"), QStringLiteral("secure789")},
                                          {QStringLiteral("name"), QStringLiteral("X")},
                                          {QStringLiteral("role"), QStringLiteral("viewer")}},
                              agent)
                    .isError(403, QStringLiteral("forbidden")));
        QVERIFY(m_api.request("POST", QStringLiteral("/api/team/members/%1/clients/%2").arg(agentId, client2), QJsonObject{}, agent)
                    .isError(403, QStringLiteral("forbidden")));
        QVERIFY(m_api.request("POST", QStringLiteral("/api/clients"), QJsonObject{{QStringLiteral("name"), QStringLiteral("Mine")}}, agent)
                    .isError(403, QStringLiteral("forbidden")));
        QVERIFY(m_api.request("GET", QStringLiteral("/api/audit-logs"), kNoBody, agent).isError(403, QStringLiteral("forbidden")));

        // 7. The admin reads the audit log: every step, by the right person.
        const ApiResponse audit = m_api.request("GET", QStringLiteral("/api/audit-logs?limit=100&offset=0"), kNoBody, admin);
        QVERIFY2(audit.status == 200, audit.describe().constData());
        const QJsonArray logs = audit.json.value(QStringLiteral("logs")).toArray();
        QCOMPARE(audit.json.value(QStringLiteral("count")).toInt(), logs.size());
        struct Expected {
            const char *action;
            QString userId;
            const char *resource;
            QString resourceId;
        };
        const QList<Expected> expected = {
            {"register", adminId, "organizations", orgId},
            {"create_client", adminId, "whatsapp_clients", client1},
            {"create_member", adminId, "users", agentId},
            {"assign_client", adminId, "client_assignments", client1},
            {"login", agentId, "users", agentId},
        };
        for (const Expected &x : expected) {
            const QJsonObject e = findEntry(logs, QLatin1String(x.action), x.resourceId);
            QVERIFY2(!e.isEmpty(), x.action);
            QCOMPARE(e.value(QStringLiteral("user_id")).toString(), x.userId);
            QCOMPARE(e.value(QStringLiteral("resource")).toString(), QLatin1String(x.resource));
            QVERIFY(e.value(QStringLiteral("id")).toString().startsWith(QLatin1String("log_")));
            QVERIFY(e.value(QStringLiteral("details")).isObject());
            QCOMPARE(e.value(QStringLiteral("ip_address")).toString(), QStringLiteral("127.0.0.1"));
            QVERIFY(isIsoUtc(e.value(QStringLiteral("timestamp"))));
        }
        QCOMPARE(findEntry(logs, QStringLiteral("create_member")).value(QStringLiteral("details")).toObject().value(QStringLiteral("role")).toString(),
                 QStringLiteral("agent"));
        QCOMPARE(findEntry(logs, QStringLiteral("assign_client")).value(QStringLiteral("details")).toObject().value(QStringLiteral("user_id")).toString(),
                 agentId);
        QCOMPARE(findEntry(logs, QStringLiteral("create_client"), client1).value(QStringLiteral("details")).toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("Sales Team"));
        int assignEntries = 0;
        for (const QJsonValue &v : logs)
            assignEntries += v.toObject().value(QStringLiteral("action")).toString() == QLatin1String("assign_client");
        QCOMPARE(assignEntries, 1);
        // Nothing a credential could be rebuilt from is in the log.
        QVERIFY(!audit.body.contains(adminKey.toUtf8()) && !audit.body.contains("secure456") && !audit.body.contains("secure123"));
        // Newest first, then the filters of the guide's getAuditLogs.
        QCOMPARE(logs.first().toObject().value(QStringLiteral("action")).toString(), QStringLiteral("login"));
        const ApiResponse byAgent = m_api.request("GET", QStringLiteral("/api/audit-logs?user_id=") + agentId, kNoBody, admin);
        QCOMPARE(ids(byAgent.json.value(QStringLiteral("logs")).toArray(), QStringLiteral("action")), QStringList{QStringLiteral("login")});
        const ApiResponse byAction = m_api.request("GET", QStringLiteral("/api/audit-logs?action=create_client"), kNoBody, admin);
        QCOMPARE(ids(byAction.json.value(QStringLiteral("logs")).toArray(), QStringLiteral("resource_id")), (QStringList{client2, client1}));
        const ApiResponse paged = m_api.request("GET", QStringLiteral("/api/audit-logs?limit=2&offset=1"), kNoBody, admin);
        QCOMPARE(paged.json.value(QStringLiteral("count")).toInt(), 2);
        QCOMPARE(paged.json.value(QStringLiteral("logs")).toArray().at(0).toObject().value(QStringLiteral("id")), logs.at(1).toObject().value(QStringLiteral("id")));
        const QString future = QDateTime::currentDateTimeUtc().addSecs(3600).toString(Qt::ISODate);
        QCOMPARE(m_api.request("GET", QStringLiteral("/api/audit-logs?since=") + future, kNoBody, admin).json.value(QStringLiteral("count")).toInt(), 0);
        QCOMPARE(m_api.request("GET", QStringLiteral("/api/audit-logs?until=") + future, kNoBody, admin).json.value(QStringLiteral("count")).toInt(),
                 logs.size());

        // 8. Unassigning takes the client away at once; removing the agent ends their token.
        const ApiResponse unassigned = m_api.request("DELETE", QStringLiteral("/api/team/members/%1/clients/%2").arg(agentId, client1), kNoBody, admin);
        QVERIFY2(unassigned.status == 200, unassigned.describe().constData());
        QVERIFY(m_api.request("GET", QStringLiteral("/api/clients/") + client1, kNoBody, agent).isError(404, QStringLiteral("not_found")));
        QCOMPARE(m_api.request("GET", QStringLiteral("/api/clients"), kNoBody, agent).json.value(QStringLiteral("clients")).toArray().size(), 0);
        QVERIFY(m_api.request("DELETE", QStringLiteral("/api/team/members/%1/clients/%2").arg(agentId, client1), kNoBody, admin)
                    .isError(404, QStringLiteral("not_found")));
        QCOMPARE(m_api.request("DELETE", QStringLiteral("/api/team/members/") + agentId, kNoBody, admin).status, 200);
        const ApiResponse gone = m_api.request("GET", QStringLiteral("/api/clients"), kNoBody, agent);
        QCOMPARE(gone.status, 401);
        QVERIFY(gone.isError(401, gone.code()));
        QVERIFY(m_api.request("GET", QStringLiteral("/api/team/members/") + agentId, kNoBody, admin).isError(404, QStringLiteral("not_found")));
    }

    void managerRules()
    {
        QVERIFY(m_admin.valid());
        const Account manager = m_api.createMember(m_admin, QStringLiteral("manager"), QStringLiteral("manager@acmecorp.com"));
        const Account admin2 = m_api.createMember(m_admin, QStringLiteral("admin"), QStringLiteral("admin2@acmecorp.com"));
        const Account otherManager = m_api.createMember(m_admin, QStringLiteral("manager"), QStringLiteral("manager2@acmecorp.com"));
        QVERIFY(manager.valid() && admin2.valid() && otherManager.valid());
        const HeaderList asManager = ApiTestHarness::apiKey(manager.apiKey);
        const auto newMember = [](const QString &email, const QString &role) {
            return QJsonObject{{QStringLiteral("email"), email},
                               {QStringLiteral("password"), QStringLiteral("member-pass-1")},
                               {QStringLiteral("name"), QStringLiteral("Member")},
                               {QStringLiteral("role"), role}};
        };

        // A manager creates agents and viewers...
        const ApiResponse agent = m_api.request("POST", QStringLiteral("/api/team/members"),
                                                newMember(QStringLiteral("m-agent@acmecorp.com"), QStringLiteral("agent")), asManager);
        QVERIFY2(agent.status == 201, agent.describe().constData());
        const QString agentId = agent.json.value(QStringLiteral("user")).toObject().value(QStringLiteral("id")).toString();
        QCOMPARE(m_api.request("POST", QStringLiteral("/api/team/members"), newMember(QStringLiteral("m-viewer@acmecorp.com"), QStringLiteral("viewer")),
                               asManager)
                     .status,
                 201);
        // ... and changes them between those roles, and renames them.
        QCOMPARE(m_api.request("PATCH", QStringLiteral("/api/team/members/") + agentId, QJsonObject{{QStringLiteral("role"), QStringLiteral("viewer")}},
                               asManager)
                     .status,
                 200);
        QCOMPARE(m_api.request("PATCH", QStringLiteral("/api/team/members/") + agentId, QJsonObject{{QStringLiteral("role"), QStringLiteral("agent")}},
                               asManager)
                     .status,
                 200);

        // Everything touching admins or managers is refused, and refused without a trace.
        const QString before = everything(m_api);
        struct Refused {
            const char *what;
            QByteArray method;
            QString path;
            QJsonValue body;
        };
        const QList<Refused> refused = {
            {"create a manager", "POST", QStringLiteral("/api/team/members"), newMember(QStringLiteral("m-manager@acmecorp.com"), QStringLiteral("manager"))},
            {"create an admin", "POST", QStringLiteral("/api/team/members"), newMember(QStringLiteral("m-admin@acmecorp.com"), QStringLiteral("admin"))},
            {"promote an agent to admin", "PATCH", QStringLiteral("/api/team/members/") + agentId, QJsonObject{{QStringLiteral("role"), QStringLiteral("admin")}}},
            {"promote an agent to manager", "PATCH", QStringLiteral("/api/team/members/") + agentId,
             QJsonObject{{QStringLiteral("role"), QStringLiteral("manager")}}},
            {"demote an admin", "PATCH", QStringLiteral("/api/team/members/") + admin2.userId, QJsonObject{{QStringLiteral("role"), QStringLiteral("agent")}}},
            {"disable an admin", "PATCH", QStringLiteral("/api/team/members/") + m_admin.userId, QJsonObject{{QStringLiteral("active"), false}}},
            {"rename an admin", "PATCH", QStringLiteral("/api/team/members/") + m_admin.userId, QJsonObject{{QStringLiteral("name"), QStringLiteral("Pwned")}}},
            {"remove an admin", "DELETE", QStringLiteral("/api/team/members/") + admin2.userId, kNoBody},
            {"remove another manager", "DELETE", QStringLiteral("/api/team/members/") + otherManager.userId, kNoBody},
            {"change another manager", "PATCH", QStringLiteral("/api/team/members/") + otherManager.userId,
             QJsonObject{{QStringLiteral("role"), QStringLiteral("agent")}}},
            {"promote themself", "PATCH", QStringLiteral("/api/team/members/") + manager.userId, QJsonObject{{QStringLiteral("role"), QStringLiteral("admin")}}},
        };
        for (const Refused &r : refused) {
            const ApiResponse answer = m_api.request(r.method, r.path, r.body, asManager);
            QVERIFY2(answer.isError(403, QStringLiteral("role_not_manageable")), qPrintable(QLatin1String(r.what) + QStringLiteral(": ") + QString::fromUtf8(answer.describe())));
        }
        QCOMPARE(everything(m_api), before);

        // An admin may do all of it.
        const ApiResponse promoted = m_api.request("PATCH", QStringLiteral("/api/team/members/") + agentId,
                                                   QJsonObject{{QStringLiteral("role"), QStringLiteral("manager")}}, ApiTestHarness::apiKey(m_admin.apiKey));
        QVERIFY2(promoted.status == 200, promoted.describe().constData());
        QCOMPARE(promoted.json.value(QStringLiteral("user")).toObject().value(QStringLiteral("role")).toString(), QStringLiteral("manager"));
        // Now a manager, the former agent is out of the first manager's reach.
        QVERIFY(m_api.request("DELETE", QStringLiteral("/api/team/members/") + agentId, kNoBody, asManager).isError(403, QStringLiteral("role_not_manageable")));
        QCOMPARE(m_api.request("DELETE", QStringLiteral("/api/team/members/") + agentId, kNoBody, ApiTestHarness::apiKey(m_admin.apiKey)).status, 200);
        // A manager can remove an agent.
        const Account removable = m_api.createMember(m_admin, QStringLiteral("agent"), QStringLiteral("removable@acmecorp.com"));
        QVERIFY(removable.valid());
        QCOMPARE(m_api.request("DELETE", QStringLiteral("/api/team/members/") + removable.userId, kNoBody, asManager).status, 200);
        // The role change takes effect at once for the changed member's own credentials.
        const Account demoted = m_api.createMember(m_admin, QStringLiteral("manager"), QStringLiteral("demoted@acmecorp.com"));
        QCOMPARE(m_api.request("GET", QStringLiteral("/api/team/members"), kNoBody, ApiTestHarness::apiKey(demoted.apiKey)).status, 200);
        QCOMPARE(m_api.request("PATCH", QStringLiteral("/api/team/members/") + demoted.userId, QJsonObject{{QStringLiteral("role"), QStringLiteral("viewer")}},
                               ApiTestHarness::apiKey(m_admin.apiKey))
                     .status,
                 200);
        QVERIFY(m_api.request("GET", QStringLiteral("/api/team/members"), kNoBody, ApiTestHarness::apiKey(demoted.apiKey)).isError(403, QStringLiteral("forbidden")));
        QVERIFY(m_api.request("GET", QStringLiteral("/api/team/members"), kNoBody, ApiTestHarness::bearer(demoted.token)).isError(403, QStringLiteral("forbidden")));
    }

    void selfRules()
    {
        QVERIFY(m_admin.valid());
        // A fresh organization: its registering admin is the only admin.
        const Account solo = m_api.registerOrganization(QStringLiteral("solo@self.test"), QStringLiteral("Solo Org"));
        QVERIFY(solo.valid());
        const HeaderList auth = ApiTestHarness::apiKey(solo.apiKey);
        const QString before = everything(m_api);
        for (const QJsonObject &change : {QJsonObject{{QStringLiteral("active"), false}}, QJsonObject{{QStringLiteral("role"), QStringLiteral("manager")}},
                                          QJsonObject{{QStringLiteral("role"), QStringLiteral("viewer")}, {QStringLiteral("name"), QStringLiteral("x")}}}) {
            const ApiResponse r = m_api.request("PATCH", QStringLiteral("/api/team/members/") + solo.userId, change, auth);
            QVERIFY2(r.isError(409, QStringLiteral("cannot_change_self")), r.describe().constData());
        }
        const ApiResponse removeSelf = m_api.request("DELETE", QStringLiteral("/api/team/members/") + solo.userId, kNoBody, auth);
        QVERIFY2(removeSelf.isError(409, QStringLiteral("cannot_change_self")), removeSelf.describe().constData());
        // Through the JWT as well.
        QVERIFY(m_api.request("DELETE", QStringLiteral("/api/team/members/") + solo.userId, kNoBody, ApiTestHarness::bearer(solo.token))
                    .isError(409, QStringLiteral("cannot_change_self")));
        QCOMPARE(everything(m_api), before);
        // Renaming oneself is fine; a no-op role "change" to the same role too.
        QCOMPARE(m_api.request("PATCH", QStringLiteral("/api/team/members/") + solo.userId,
                               QJsonObject{{QStringLiteral("name"), QStringLiteral("Solo Admin")}, {QStringLiteral("role"), QStringLiteral("admin")}}, auth)
                     .status,
                 200);
        // A second admin may be disabled, after which the first is the last active admin and
        // still cannot step down; enabling the second again is fine.
        const Account second = m_api.createMember(solo, QStringLiteral("admin"), QStringLiteral("second@self.test"));
        QVERIFY(second.valid());
        QCOMPARE(m_api.request("PATCH", QStringLiteral("/api/team/members/") + second.userId, QJsonObject{{QStringLiteral("active"), false}}, auth).status,
                 200);
        QVERIFY(m_api.request("PATCH", QStringLiteral("/api/team/members/") + solo.userId, QJsonObject{{QStringLiteral("role"), QStringLiteral("agent")}}, auth)
                    .isError(409, QStringLiteral("cannot_change_self")));
        QCOMPARE(m_api.request("PATCH", QStringLiteral("/api/team/members/") + second.userId, QJsonObject{{QStringLiteral("active"), true}}, auth).status,
                 200);
        // With two active admins, one may demote the other.
        QCOMPARE(m_api.request("PATCH", QStringLiteral("/api/team/members/") + second.userId, QJsonObject{{QStringLiteral("role"), QStringLiteral("manager")}},
                               auth)
                     .status,
                 200);
    }

    // The database keeps at least one active admin even when the caller's identity is stale: a
    // second WaDesk instance on the same database still holds the caller as admin in its
    // authentication cache after the first instance demoted them.
    void lastAdminRule()
    {
        const Account first = m_api.registerOrganization(QStringLiteral("first@lastadmin.test"), QStringLiteral("Last Admin Org"));
        QVERIFY(first.valid());
        const Account second = m_api.createMember(first, QStringLiteral("admin"), QStringLiteral("second@lastadmin.test"));
        QVERIFY(second.valid());
        const quint16 otherInstance = m_api.startSecondInstance(60000);
        QVERIFY(otherInstance != 0);
        // The other instance learns (and caches) who `first` is.
        QCOMPARE(m_api.request("GET", QStringLiteral("/api/team/members"), kNoBody, ApiTestHarness::apiKey(first.apiKey), otherInstance).status, 200);
        // This instance: `second` demotes `first` (two active admins: allowed).
        QCOMPARE(m_api.request("PATCH", QStringLiteral("/api/team/members/") + first.userId, QJsonObject{{QStringLiteral("role"), QStringLiteral("manager")}},
                               ApiTestHarness::apiKey(second.apiKey))
                     .status,
                 200);
        // The other instance still takes `first` for an admin; the last admin stays anyway.
        const QString before = m_api.snapshot(first.organizationId);
        const QList<QPair<QByteArray, QJsonValue>> attempts = {
            {"DELETE", kNoBody},
            {"PATCH", QJsonObject{{QStringLiteral("role"), QStringLiteral("viewer")}}},
            {"PATCH", QJsonObject{{QStringLiteral("active"), false}}},
        };
        for (const auto &[method, body] : attempts) {
            const ApiResponse r = m_api.request(method, QStringLiteral("/api/team/members/") + second.userId, body,
                                                ApiTestHarness::apiKey(first.apiKey), otherInstance);
            QVERIFY2(r.isError(409, QStringLiteral("last_admin")), r.describe().constData());
        }
        QCOMPARE(m_api.snapshot(first.organizationId), before);
        // On this instance `first` is a manager now and cannot touch an admin at all.
        QVERIFY(m_api.request("DELETE", QStringLiteral("/api/team/members/") + second.userId, kNoBody, ApiTestHarness::apiKey(first.apiKey))
                    .isError(403, QStringLiteral("role_not_manageable")));
    }

    void duplicateEmail()
    {
        QVERIFY(m_admin.valid());
        const QString before = everything(m_api);
        for (const QString &email : {QStringLiteral("admin@acmecorp.com"), QStringLiteral("ADMIN@AcmeCorp.com"), QStringLiteral("  admin@acmecorp.com ")}) {
            const ApiResponse r = m_api.request("POST", QStringLiteral("/api/auth/register"),
                                                QJsonObject{{QStringLiteral("email"), email},
                                                            {QStringLiteral("password"), QStringLiteral("another-pass-1")},
                                                            {QStringLiteral("name"), QStringLiteral("Copycat")},
                                                            {QStringLiteral("organization_name"), QStringLiteral("Copy Corp")}});
            QVERIFY2(r.isError(409, QStringLiteral("email_taken")), qPrintable(email + QStringLiteral(": ") + QString::fromUtf8(r.describe())));
        }
        QCOMPARE(everything(m_api), before);
        // As a team member: the same email in the same or another organization.
        const Account other = m_api.registerOrganization(QStringLiteral("boss@other.test"), QStringLiteral("Other Org"));
        QVERIFY(other.valid());
        const QString withOther = everything(m_api);
        for (const Account *by : {static_cast<const Account *>(&m_admin), &other}) {
            const ApiResponse r = m_api.request("POST", QStringLiteral("/api/team/members"),
                                                QJsonObject{{QStringLiteral("email"), QStringLiteral("Admin@acmecorp.com")},
                                                            {QStringLiteral("password"), QStringLiteral("another-pass-1")},
                                                            {QStringLiteral("name"), QStringLiteral("Copycat")},
                                                            {QStringLiteral("role"), QStringLiteral("agent")}},
                                                ApiTestHarness::apiKey(by->apiKey));
            QVERIFY2(r.isError(409, QStringLiteral("email_taken")), r.describe().constData());
        }
        QCOMPARE(everything(m_api), withOther);
        // The original account still signs in with its own password.
        QVERIFY(!m_api.login(QStringLiteral("admin@acmecorp.com"), QStringLiteral("secure123")).token.isEmpty());
    }

    void validationErrors_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("authenticated");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field"); // details.field of a validation error, when there is one

        const QByteArray json = "application/json";
        const auto reg = [&](const char *name, const QByteArray &body, const char *field, int status = 400,
                             const char *code = "validation_failed", const QByteArray &type = "application/json") {
            QTest::newRow(name) << QByteArray("POST") << QStringLiteral("/api/auth/register") << type << body << false << status
                                << QString::fromLatin1(code) << QString::fromLatin1(field);
        };
        reg("register: bad email", R"({"email":"not-an-email","password":"secure123","name":"A","organization_name":"O"})", "email");
        reg("register: email without domain dot", R"({"email":"a@b","password":"secure123","name":"A","organization_name":"O"})", "email");
        reg("register: short password", R"({"email":"short@v.test","password":"1234567","name":"A","organization_name":"O"})", "password");
        reg("register: password not a string", R"({"email":"num@v.test","password":12345678,"name":"A","organization_name":"O"})", "password");
        reg("register: missing email", R"({"password":"secure123","name":"A","organization_name":"O"})", "email");
        reg("register: missing password", R"({"email":"nopw@v.test","name":"A","organization_name":"O"})", "password");
        reg("register: missing name", R"({"email":"noname@v.test","password":"secure123","organization_name":"O"})", "name");
        reg("register: missing organization_name", R"({"email":"noorg@v.test","password":"secure123","name":"A"})", "organization_name");
        reg("register: blank name", R"({"email":"blank@v.test","password":"secure123","name":"   ","organization_name":"O"})", "name");
        reg("register: name not a string", R"({"email":"obj@v.test","password":"secure123","name":{"a":1},"organization_name":"O"})", "name");
        reg("register: empty body", "", "email", 400, "validation_failed", "");
        reg("register: not JSON (text/plain)", "email=x@v.test&password=secure123", "", 415, "unsupported_media_type", "text/plain");
        reg("register: not JSON (form)", "email=x@v.test&password=secure123", "", 415, "unsupported_media_type",
            "application/x-www-form-urlencoded");
        reg("register: no content type", R"({"email":"nt@v.test","password":"secure123","name":"A","organization_name":"O"})", "", 415,
            "unsupported_media_type", "");
        reg("register: broken JSON", R"({"email":"broken@v.test","password":)", "", 400, "invalid_json");
        reg("register: JSON array", R"(["email"])", "", 400, "invalid_json");
        reg("register: JSON string", R"("hello")", "", 400, "invalid_json");

        const auto login = [&](const char *name, const QByteArray &body, const char *field, int status = 400,
                               const char *code = "validation_failed", const QByteArray &type = "application/json") {
            QTest::newRow(name) << QByteArray("POST") << QStringLiteral("/api/auth/login") << type << body << false << status
                                << QString::fromLatin1(code) << QString::fromLatin1(field);
        };
        login("login: missing password", R"({"email":"admin@acmecorp.com"})", "password");
        login("login: empty password", R"({"email":"admin@acmecorp.com","password":""})", "password");
        login("login: missing email", R"({"password":"secure123"})", "email");
        login("login: broken JSON", R"({"email":)", "", 400, "invalid_json");
        login("login: text/plain", "admin@acmecorp.com:secure123", "", 415, "unsupported_media_type", "text/plain");

        const auto authed = [&](const char *name, const QByteArray &method, const QString &path, const QByteArray &body, int status,
                                const char *code, const char *field, const QByteArray &type = "application/json") {
            QTest::newRow(name) << method << path << type << body << true << status << QString::fromLatin1(code) << QString::fromLatin1(field);
        };
        const QString members = QStringLiteral("/api/team/members");
        authed("member: bad role", "POST", members, R"({"email":"r@v.test","password":"secure123","name":"R","role":"superuser"})", 400,
               "validation_failed", "role");
        authed("member: role in capitals", "POST", members, R"({"email":"r2@v.test","password":"secure123","name":"R","role":"ADMIN"})", 400,
               "validation_failed", "role");
        authed("member: short password", "POST", members, R"({"email":"p@v.test","password":"short","name":"P","role":"agent"})", 400,
               "validation_failed", "password");
        authed("member: bad email", "POST", members, R"({"email":"nope","password":"secure123","name":"P","role":"agent"})", 400,
               "validation_failed", "email");
        authed("member: missing name", "POST", members, R"({"email":"n@v.test","password":"secure123","role":"agent"})", 400,
               "validation_failed", "name");
        authed("member: missing role", "POST", members, R"({"email":"n2@v.test","password":"secure123","name":"N"})", 400,
               "validation_failed", "role");
        authed("member: text/plain", "POST", members, "role=admin", 415, "unsupported_media_type", "", "text/plain");
        authed("member: broken JSON", "POST", members, "{", 400, "invalid_json", "");
        authed("member PATCH: empty change", "PATCH", QStringLiteral("/api/team/members/{agent}"), "{}", 400, "empty_change", "");
        authed("member PATCH: bad role", "PATCH", QStringLiteral("/api/team/members/{agent}"), R"({"role":"owner"})", 400,
               "validation_failed", "role");
        authed("member PATCH: active not a bool", "PATCH", QStringLiteral("/api/team/members/{agent}"), R"({"active":"no"})", 400,
               "validation_failed", "active");
        authed("member PATCH: blank name", "PATCH", QStringLiteral("/api/team/members/{agent}"), R"({"name":""})", 400,
               "validation_failed", "name");
        authed("member PATCH: broken JSON", "PATCH", QStringLiteral("/api/team/members/{agent}"), R"({"name":)", 400, "invalid_json", "");
        authed("member PATCH: text/plain", "PATCH", QStringLiteral("/api/team/members/{agent}"), "name=x", 415, "unsupported_media_type",
               "", "text/plain");
        const QString clients = QStringLiteral("/api/clients");
        authed("client: missing name", "POST", clients, R"({"phone_number":"+14155552679"})", 400, "validation_failed", "name");
        authed("client: the guide's +1234567890", "POST", clients, R"({"name":"Sales Team","phone_number":"+1234567890"})", 400,
               "invalid_phone_number", "phone_number");
        authed("client: letters for a phone", "POST", clients, R"({"name":"Sales","phone_number":"call me"})", 400,
               "invalid_phone_number", "phone_number");
        authed("client: phone not a string", "POST", clients, R"({"name":"Sales","phone_number":14155552679})", 400,
               "validation_failed", "phone_number");
        authed("client: name too long", "POST", clients, "{\"name\":\"" + QByteArray(101, 'n') + "\"}", 400, "validation_failed", "name");
        authed("client: org_id not a string", "POST", clients, R"({"name":"Sales","org_id":42})", 400, "validation_failed", "org_id");
        authed("client: text/plain", "POST", clients, "name=Sales", 415, "unsupported_media_type", "", "text/plain");
        authed("client: broken JSON", "POST", clients, R"({"name":"Sales")", 400, "invalid_json", "");
        const QString keys = QStringLiteral("/api/api-keys");
        authed("api key: missing name", "POST", keys, "{}", 400, "validation_failed", "name");
        authed("api key: expires_at not a time", "POST", keys, R"({"name":"k","expires_at":"tomorrow"})", 400, "validation_failed", "expires_at");
        authed("api key: expires_at in the past", "POST", keys, R"({"name":"k","expires_at":"2020-01-01T00:00:00Z"})", 400,
               "validation_failed", "expires_at");
        authed("api key: expires_in_days 0", "POST", keys, R"({"name":"k","expires_in_days":0})", 400, "validation_failed", "expires_in_days");
        authed("api key: expires_in_days 1.5", "POST", keys, R"({"name":"k","expires_in_days":1.5})", 400, "validation_failed",
               "expires_in_days");
        authed("api key: text/plain", "POST", keys, "name=k", 415, "unsupported_media_type", "", "text/plain");

        for (const char *list : {"/api/clients", "/api/team/members", "/api/audit-logs", "/api/api-keys"}) {
            for (const char *query : {"limit=0", "limit=501", "limit=abc", "limit=-1", "limit=", "offset=-1", "offset=abc", "limit=1e3"}) {
                if (QByteArray(query) == "limit=")
                    continue; // an empty value means "default"
                const QByteArray name = QByteArray(list) + "?" + query;
                const char *field = QByteArray(query).startsWith("limit") ? "limit" : "offset";
                QTest::newRow(name.constData()) << QByteArray("GET") << QString::fromLatin1(list) + QLatin1Char('?') + QLatin1String(query)
                                                << QByteArray() << QByteArray() << true << 400 << QStringLiteral("validation_failed")
                                                << QString::fromLatin1(field);
            }
        }
        authed("audit: since not a time", "GET", QStringLiteral("/api/audit-logs?since=yesterday"), "", 400, "validation_failed", "since", "");
        authed("audit: until not a time", "GET", QStringLiteral("/api/audit-logs?until=2024-13-45"), "", 400, "validation_failed", "until", "");
        Q_UNUSED(json)
    }

    void validationErrors()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(bool, authenticated);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, field);
        QVERIFY(m_admin.valid());
        static QString agentId;
        if (agentId.isEmpty()) {
            const Account agent = m_api.createMember(m_admin, QStringLiteral("agent"), QStringLiteral("validation-agent@acmecorp.com"));
            QVERIFY(agent.valid());
            agentId = agent.userId;
        }
        path.replace(QStringLiteral("{agent}"), agentId);
        HeaderList headers;
        if (!contentType.isEmpty())
            headers << qMakePair(QByteArrayLiteral("Content-Type"), contentType);
        if (authenticated)
            headers << ApiTestHarness::apiKey(m_admin.apiKey);

        const QString before = everything(m_api);
        const ApiResponse r = m_api.requestRaw(method, path, body, headers);
        QVERIFY2(r.isError(status, code), r.describe().constData());
        if (!field.isEmpty())
            QCOMPARE(r.json.value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), field);
        // The message is for people: no SQL, no internals.
        const QString message = r.json.value(QStringLiteral("error")).toString();
        QVERIFY2(!message.contains(QStringLiteral("SQL"), Qt::CaseInsensitive) && !message.contains(QStringLiteral("QJson")), qPrintable(message));
        QCOMPARE(everything(m_api), before);
    }

    // The list reads fewer columns than a single client (it is the busiest route): every field
    // the list shows must still equal what GET /api/clients/:id shows, whatever the row holds.
    void listItemsEqualSingleClientView()
    {
        QVERIFY(m_admin.valid());
        const Account owner = m_api.registerOrganization(QStringLiteral("owner@listview.test"), QStringLiteral("List View Org"));
        QVERIFY(owner.valid());
        const QString plain = m_api.createClient(owner, QStringLiteral("Plain"));
        const QString busy = m_api.createClient(owner, QStringLiteral("Busy \"one\" \u00e9\U0001F600"), QStringLiteral("+4915123456789"));
        QVERIFY(!plain.isEmpty() && !busy.isEmpty());
        // Every session column away from its default, as a running session leaves it.
        QVERIFY(m_api.exec(QStringLiteral("UPDATE clients SET status = 'ready', state_since = 1700000000000, last_error = 'x', "
                                          "device_info = '{\"platform\":\"android\"}', linked = 1, autostart = 1, updated_at = 1700000000001 "
                                          "WHERE id = ?"),
                           {busy}));
        const HeaderList auth = ApiTestHarness::apiKey(owner.apiKey);
        const ApiResponse list = m_api.request("GET", QStringLiteral("/api/clients"), kNoBody, auth);
        QVERIFY2(list.status == 200, list.describe().constData());
        QCOMPARE(list.header("content-type"), QByteArray("application/json"));
        const QJsonArray items = list.json.value(QStringLiteral("clients")).toArray();
        QCOMPARE(items.size(), 2);
        for (const QJsonValue &item : items) {
            const QString id = item.toObject().value(QStringLiteral("id")).toString();
            const ApiResponse one = m_api.request("GET", QStringLiteral("/api/clients/") + id, kNoBody, auth);
            QVERIFY2(one.status == 200, one.describe().constData());
            QCOMPARE(item.toObject(), one.json.value(QStringLiteral("client")).toObject());
        }
        QCOMPARE(items.at(1).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("ready"));
        QCOMPARE(items.at(1).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("Busy \"one\" \u00e9\U0001F600"));
    }

    // Deleting a client drops its assignments; removing a member drops their keys.
    void deletionsCascade()
    {
        QVERIFY(m_admin.valid());
        const HeaderList admin = ApiTestHarness::apiKey(m_admin.apiKey);
        const Account agent = m_api.createMember(m_admin, QStringLiteral("agent"), QStringLiteral("cascade@acmecorp.com"));
        QVERIFY(agent.valid());
        const QString kept = m_api.createClient(m_admin, QStringLiteral("Kept"));
        const QString doomed = m_api.createClient(m_admin, QStringLiteral("Doomed"));
        QVERIFY(m_api.assign(m_admin, agent.userId, kept) && m_api.assign(m_admin, agent.userId, doomed));
        QCOMPARE(m_api.request("DELETE", QStringLiteral("/api/clients/") + doomed, kNoBody, admin).status, 200);
        const ApiResponse member = m_api.request("GET", QStringLiteral("/api/team/members/") + agent.userId, kNoBody, admin);
        QCOMPARE(member.json.value(QStringLiteral("user")).toObject().value(QStringLiteral("assigned_clients")).toArray(), QJsonArray{kept});
        QCOMPARE(ids(m_api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::apiKey(agent.apiKey))
                         .json.value(QStringLiteral("clients"))
                         .toArray()),
                 QStringList{kept});
        QVERIFY(m_api.request("GET", QStringLiteral("/api/clients/") + doomed, kNoBody, admin).isError(404, QStringLiteral("not_found")));

        QCOMPARE(m_api.request("DELETE", QStringLiteral("/api/team/members/") + agent.userId, kNoBody, admin).status, 200);
        const ApiResponse keys = m_api.request("GET", QStringLiteral("/api/api-keys?limit=500"), kNoBody, admin);
        QVERIFY(!ids(keys.json.value(QStringLiteral("api_keys")).toArray(), QStringLiteral("user_id")).contains(agent.userId));
        QCOMPARE(m_api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::apiKey(agent.apiKey)).status, 401);
        QCOMPARE(m_api.rows(QStringLiteral("SELECT COUNT(*) FROM client_assignments WHERE user_id = ?"), {agent.userId}), QStringList{QStringLiteral("0")});
        QCOMPARE(m_api.rows(QStringLiteral("SELECT COUNT(*) FROM api_keys WHERE user_id = ?"), {agent.userId}), QStringList{QStringLiteral("0")});
        // The audit log keeps the history of the removed member.
        const ApiResponse history = m_api.request("GET", QStringLiteral("/api/audit-logs?limit=500&user_id=") + agent.userId, kNoBody, admin);
        QVERIFY(history.json.value(QStringLiteral("count")).toInt() >= 2); // login, create_api_key
    }

    void unknownRoutesAndMethods()
    {
        QVERIFY(m_admin.valid());
        const HeaderList auth = ApiTestHarness::apiKey(m_admin.apiKey);
        const ApiResponse missing = m_api.request("GET", QStringLiteral("/api/no-such-thing"), kNoBody, auth);
        QCOMPARE(missing.status, 404);
        QVERIFY(missing.isError(404, missing.code()));
        const ApiResponse wrongMethod = m_api.request("PUT", QStringLiteral("/api/clients"), QJsonObject{}, auth);
        QCOMPARE(wrongMethod.status, 405);
        QVERIFY(wrongMethod.isError(405, wrongMethod.code()));
    }
};

QTEST_GUILESS_MAIN(TestTeamWorkflow)
#include "tst_team_workflow.moc"
