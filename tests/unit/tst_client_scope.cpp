// ClientScope, what an actor may see, as an explicit value: all() sees every client of the
// organization, assignedTo(user) only that user's assignments, and a scope limited to nobody, or
// to a user without assignments, sees nothing (never "everything"). Checked on the value itself
// and through the client and message repositories on SQLite and PostgreSQL.

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "core/access/Visibility.h"
#include "core/auth/UserRepository.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"
#include "core/sessions/ClientRepository.h"

#include <QSet>
#include <QSqlQuery>
#include <QTest>

using namespace wadesk;
using namespace wadesk::test;

namespace {

AuthContext actor(Role role, const QString &userId)
{
    AuthContext a;
    a.userId = userId;
    a.organizationId = QStringLiteral("org_x");
    a.role = role;
    return a;
}

QStringList idsOf(const QList<ClientRecord> &clients)
{
    QStringList out;
    for (const ClientRecord &c : clients)
        out << c.id;
    out.sort();
    return out;
}

} // namespace

class TstClientScope : public QObject {
    Q_OBJECT

private slots:
    void values()
    {
        const ClientScope all = ClientScope::all();
        QVERIFY(all.seesAll());
        QVERIFY(!all.seesNothing());
        QVERIFY(all.userId().isEmpty());

        const ClientScope only = ClientScope::assignedTo(QStringLiteral("user_a"));
        QVERIFY(!only.seesAll());
        QVERIFY(!only.seesNothing());
        QCOMPARE(only.userId(), QStringLiteral("user_a"));

        // Limited to nobody: nothing, not everything.
        const ClientScope nobody = ClientScope::assignedTo(QString());
        QVERIFY(!nobody.seesAll());
        QVERIFY(nobody.seesNothing());

        QVERIFY(all != only);
        QVERIFY(only != ClientScope::assignedTo(QStringLiteral("user_b")));
        QVERIFY(only == ClientScope::assignedTo(QStringLiteral("user_a")));
        const QStringList keys{all.key(), only.key(), ClientScope::assignedTo(QStringLiteral("user_b")).key(), nobody.key()};
        QCOMPARE(QSet<QString>(keys.begin(), keys.end()).size(), 4);
    }

    // The actor's role decides: admins and managers all, agents and viewers their assignments.
    void ofActor()
    {
        QVERIFY(ClientScope::of(actor(Role::Admin, QStringLiteral("user_1"))).seesAll());
        QVERIFY(ClientScope::of(actor(Role::Manager, QStringLiteral("user_1"))).seesAll());
        QVERIFY(ClientScope::of(actor(Role::Agent, QStringLiteral("user_1"))) == ClientScope::assignedTo(QStringLiteral("user_1")));
        QVERIFY(ClientScope::of(actor(Role::Viewer, QStringLiteral("user_2"))) == ClientScope::assignedTo(QStringLiteral("user_2")));
        // An agent without a user id (a broken credential) sees nothing rather than everything.
        QVERIFY(ClientScope::of(actor(Role::Agent, QString())).seesNothing());
    }

    void repositoriesHonourTheScope_data() { addDialectRows(); }
    void repositoriesHonourTheScope()
    {
        WADESK_FRESH_DATABASE(db);
        Database &database = *db.database;
        const Result<int> migrated = Migrator(database, Migrator::embeddedDirectory(database.url().dialectName())).migrate();
        QVERIFY(migrated.ok());
        SqlRunner sql(database);
        UserRepository users(sql);
        ClientRepository clients(sql);

        // Organization A: clients c1..c3; user u is assigned c1, user v nothing. Organization B:
        // client d1, assigned to its own user w.
        const QString orgA = Ids::make("org"), orgB = Ids::make("org");
        QVERIFY(users.insertOrganization(OrganizationRecord{orgA, QStringLiteral("A"), 1}).ok());
        QVERIFY(users.insertOrganization(OrganizationRecord{orgB, QStringLiteral("B"), 1}).ok());
        auto addUser = [&](const QString &org, const QString &email) {
            UserRecord u;
            u.id = Ids::make("user");
            u.organizationId = org;
            u.email = email;
            u.passwordHash = QStringLiteral("x");
            u.name = email;
            u.role = Role::Agent;
            u.createdAt = u.updatedAt = 1;
            return users.insert(u).ok() ? u.id : QString();
        };
        const QString u = addUser(orgA, QStringLiteral("u@example.com"));
        const QString v = addUser(orgA, QStringLiteral("v@example.com"));
        const QString w = addUser(orgB, QStringLiteral("w@example.com"));
        QVERIFY(!u.isEmpty() && !v.isEmpty() && !w.isEmpty());
        auto addClient = [&](const QString &org, const QString &name) {
            ClientRecord c;
            c.id = Ids::make("client");
            c.organizationId = org;
            c.name = name;
            c.createdAt = c.updatedAt = 1;
            return clients.insert(c).ok() ? c.id : QString();
        };
        const QString c1 = addClient(orgA, QStringLiteral("c1")), c2 = addClient(orgA, QStringLiteral("c2")),
                      c3 = addClient(orgA, QStringLiteral("c3")), d1 = addClient(orgB, QStringLiteral("d1"));
        QVERIFY(!c1.isEmpty() && !c2.isEmpty() && !c3.isEmpty() && !d1.isEmpty());
        QVERIFY(clients.assign(orgA, u, c1, QString(), 1).ok());
        QVERIFY(clients.assign(orgB, w, d1, QString(), 1).ok());

        const ClientScope all = ClientScope::all();
        const ClientScope ofU = ClientScope::assignedTo(u);
        const ClientScope ofV = ClientScope::assignedTo(v);
        const ClientScope nobody = ClientScope::assignedTo(QString());

        QStringList everyClient{c1, c2, c3};
        everyClient.sort();
        QCOMPARE(idsOf(clients.list(orgA, all, 50, 0).value()), everyClient);
        QCOMPARE(clients.count(orgA, all).value(), 3);
        QCOMPARE(idsOf(clients.list(orgA, ofU, 50, 0).value()), QStringList{c1});
        QCOMPARE(clients.count(orgA, ofU).value(), 1);
        for (const ClientScope &none : {ofV, nobody}) {
            QVERIFY(clients.list(orgA, none, 50, 0).value().isEmpty());
            QCOMPARE(clients.count(orgA, none).value(), 0);
            QVERIFY(!clients.find(orgA, c1, none).value().has_value());
        }
        QVERIFY(clients.find(orgA, c2, all).value().has_value());
        QVERIFY(clients.find(orgA, c1, ofU).value().has_value());
        QVERIFY(!clients.find(orgA, c2, ofU).value().has_value());
        // The organization still bounds every scope: B's client is not A's, even for "all",
        // and w's assignment in B shows nothing in A.
        QVERIFY(!clients.find(orgA, d1, all).value().has_value());
        QVERIFY(clients.list(orgA, ClientScope::assignedTo(w), 50, 0).value().isEmpty());

        // A message follows its client's visibility.
        ContactRepository contacts(sql);
        MessageRepository messages(sql);
        Result<ContactRecord> contact = contacts.upsert(orgA, QStringLiteral("+14155552671"));
        QVERIFY(contact.ok());
        auto addMessage = [&](const QString &clientId, const QString &waId) {
            MessageRecord m;
            m.id = Ids::make("msg");
            m.organizationId = orgA;
            m.clientId = clientId;
            m.contactId = contact.value().id;
            m.direction = MessageDirection::Inbound;
            m.status = MessageStatus::Received;
            m.body = QStringLiteral("hello");
            m.waMessageId = waId;
            m.createdAt = m.updatedAt = 1;
            Result<bool> inserted = messages.insertIfNew(m);
            return inserted.ok() && inserted.value() ? m.id : QString();
        };
        const QString onC1 = addMessage(c1, QStringLiteral("wa_1"));
        const QString onC2 = addMessage(c2, QStringLiteral("wa_2"));
        QVERIFY(!onC1.isEmpty() && !onC2.isEmpty());
        QVERIFY(messages.find(orgA, onC1, all).value().has_value());
        QVERIFY(messages.find(orgA, onC2, all).value().has_value());
        QVERIFY(messages.find(orgA, onC1, ofU).value().has_value());
        QVERIFY(!messages.find(orgA, onC2, ofU).value().has_value());
        QVERIFY(!messages.find(orgA, onC1, ofV).value().has_value());
        QVERIFY(!messages.find(orgA, onC1, nobody).value().has_value());
        // Stored with the names the API and the database have always used.
        const std::optional<MessageRecord> read = messages.find(orgA, onC1, all).value();
        QVERIFY(read->status == MessageStatus::Received);
        QVERIFY(read->direction == MessageDirection::Inbound);
        QCOMPARE(sql.query(QStringLiteral("SELECT status, direction FROM messages WHERE id = ?"), {onC1}, "test.raw",
                           [](QSqlQuery &q) { return q.next() ? q.value(0).toString() + QLatin1Char('/') + q.value(1).toString() : QString(); })
                     .value(),
                 QStringLiteral("received/inbound"));
    }

    // The names of statuses and directions, in one place, both ways.
    void messageStatusNames()
    {
        const QStringList expected{QStringLiteral("queued"), QStringLiteral("sending"), QStringLiteral("sent"), QStringLiteral("delivered"),
                                   QStringLiteral("read"), QStringLiteral("failed"), QStringLiteral("received")};
        QCOMPARE(wadesk::messageStatusNames(), expected);
        for (const QString &name : expected)
            QCOMPARE(messageStatusName(parseMessageStatus(name).value()), name);
        QVERIFY(!parseMessageStatus(QStringLiteral("Queued")).has_value());
        QVERIFY(!parseMessageStatus(QString()).has_value());
        QCOMPARE(messageDirectionName(parseMessageDirection(QStringLiteral("inbound")).value()), QStringLiteral("inbound"));
        QCOMPARE(messageDirectionName(parseMessageDirection(QStringLiteral("outbound")).value()), QStringLiteral("outbound"));
        QVERIFY(!parseMessageDirection(QStringLiteral("sideways")).has_value());
    }
};

QTEST_GUILESS_MAIN(TstClientScope)
#include "tst_client_scope.moc"
