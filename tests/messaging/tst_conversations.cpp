// The inbox's storage against a real database of both dialects (no browser): the conversations
// table that migration 0023's triggers keep as messages are stored (received through
// InboundProcessor, sent through MessageRepository) and deleted; a client's list, most recent
// first, in keyset pages; unread counts that only received messages raise and markRead clears;
// the latest message as the preview; the search over message text (case, LIKE's wildcards taken
// literally, bounds); and the service's scoping: another organization's client reads as 404.

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventBus.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/ConversationRepository.h"
#include "core/messaging/ConversationService.h"
#include "core/messaging/InboundProcessor.h"
#include "core/messaging/MessageRepository.h"
#include "core/sessions/ClientService.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QTest>

using namespace wadesk;
using wadesk::test::addDialectRows;

namespace {

const qint64 kBase = 1780000000; // seconds

class World {
public:
    explicit World(Database &database) : db(database), inbound(database, &bus, MessagingSettings()) {}

    bool setUp()
    {
        if (!Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate())
            return false;
        org = Ids::make("org");
        otherOrg = Ids::make("org");
        front = Ids::make("client");
        back = Ids::make("client");
        foreign = Ids::make("client");
        SqlRunner sql(db);
        const qint64 now = kBase * 1000;
        for (const auto &[id, name] : QList<QPair<QString, QString>>{{org, QStringLiteral("Inbox Org")}, {otherOrg, QStringLiteral("Other Org")}}) {
            if (!sql.change(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"), {id, name, now, now}))
                return false;
        }
        const QList<std::tuple<QString, QString, QString>> clients{{front, org, QStringLiteral("+15550001111")},
                                                                   {back, org, QStringLiteral("+15550002222")},
                                                                   {foreign, otherOrg, QStringLiteral("+15550003333")}};
        for (const auto &[id, owner, phone] : clients) {
            if (!sql.change(QStringLiteral("INSERT INTO clients (id, organization_id, name, phone_number, status, linked, created_at, updated_at) "
                                           "VALUES (?, ?, ?, ?, 'ready', 1, ?, ?)"),
                            {id, owner, id.right(6), phone, now, now}))
                return false;
        }
        admin.userId = Ids::make("user");
        admin.organizationId = org;
        admin.role = Role::Admin;
        admin.ipAddress = QStringLiteral("test");
        return true;
    }

    // A received text (or `type` with a caption) from `digits`, `at` seconds after kBase.
    void receive(const QString &client, const QString &digits, const QString &body, qint64 at, const QString &type = QStringLiteral("chat"))
    {
        QJsonObject m{{QStringLiteral("id"), QStringLiteral("false_%1@c.us_%2").arg(digits, Ids::make("wa").mid(3))},
                      {QStringLiteral("fromMe"), false},
                      {QStringLiteral("from"), digits + QStringLiteral("@c.us")},
                      {QStringLiteral("to"), QStringLiteral("15550001111@c.us")},
                      {QStringLiteral("type"), type},
                      {QStringLiteral("t"), double(kBase + at)}};
        if (type == QLatin1String("chat"))
            m.insert(QStringLiteral("body"), body);
        else
            m.insert(QStringLiteral("caption"), body);
        inbound.onMessage(client == foreign ? otherOrg : org, client, m, nullptr);
    }

    QString send(const QString &client, const QString &phone, const QString &body, qint64 at)
    {
        SqlRunner sql(db);
        const QString owner = client == foreign ? otherOrg : org;
        Result<ContactRecord> contact = ContactRepository(sql).upsert(owner, phone);
        if (!contact)
            return {};
        MessageRecord m;
        m.id = Ids::make("msg");
        m.organizationId = owner;
        m.clientId = client;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Outbound;
        m.body = body;
        m.status = MessageStatus::Sent;
        m.createdAt = (kBase + at) * 1000;
        m.sentAt = m.createdAt;
        m.updatedAt = m.createdAt;
        return MessageRepository(sql).insertMany({m}) ? m.id : QString();
    }

    QList<ConversationRecord> list(const QString &client, ConversationQuery query = {})
    {
        SqlRunner sql(db);
        Result<QList<ConversationRecord>> rows = ConversationRepository(sql).list(client == foreign ? otherOrg : org, client, query);
        return rows ? rows.value() : QList<ConversationRecord>();
    }

    static QStringList phones(const QList<ConversationRecord> &rows)
    {
        QStringList out;
        for (const ConversationRecord &r : rows)
            out << r.phoneNumber;
        return out;
    }

    Database &db;
    EventBus bus;
    InboundProcessor inbound;
    QString org, otherOrg, front, back, foreign;
    AuthContext admin;
};

#define WORLD(world)                                                                                                   \
    WADESK_FRESH_DATABASE(world##Db);                                                                                  \
    World world(*world##Db.database);                                                                                  \
    QVERIFY(world.setUp())

} // namespace

class TestConversations : public QObject {
    Q_OBJECT

private slots:
    // Each client lists only the contacts that exchanged messages with it, most recent first,
    // with the latest message and the received messages not yet read.
    void listPerClientWithUnreadAndPreview_data() { addDialectRows(); }
    void listPerClientWithUnreadAndPreview()
    {
        WORLD(w);
        w.receive(w.front, QStringLiteral("14155550101"), QStringLiteral("Is my order ready?"), 10);
        w.receive(w.front, QStringLiteral("14155550101"), QStringLiteral("Hello?"), 20);
        w.receive(w.back, QStringLiteral("14155550102"), QStringLiteral("Back office question"), 30);
        QVERIFY(!w.send(w.front, QStringLiteral("+14155550103"), QStringLiteral("Your parcel left"), 40).isEmpty());
        w.receive(w.front, QStringLiteral("14155550104"), QStringLiteral("The colour I meant"), 50, QStringLiteral("image"));

        QList<ConversationRecord> front = w.list(w.front);
        QCOMPARE(World::phones(front), (QStringList{QStringLiteral("+14155550104"), QStringLiteral("+14155550103"), QStringLiteral("+14155550101")}));
        QCOMPARE(front.at(0).unreadCount, 1);
        QCOMPARE(front.at(0).lastType, QStringLiteral("image"));
        QCOMPARE(front.at(0).lastCaption, QStringLiteral("The colour I meant"));
        QCOMPARE(front.at(1).unreadCount, 0); // only received messages count
        QCOMPARE(front.at(1).lastDirection, QStringLiteral("outbound"));
        QCOMPARE(front.at(1).lastBody, QStringLiteral("Your parcel left"));
        QCOMPARE(front.at(2).unreadCount, 2);
        QCOMPARE(front.at(2).lastBody, QStringLiteral("Hello?"));
        QCOMPARE(front.at(2).lastMessageAt, (kBase + 20) * 1000);
        QCOMPARE(World::phones(w.list(w.back)), QStringList{QStringLiteral("+14155550102")});

        // A reply moves the conversation to the top and leaves its unread count alone.
        QVERIFY(!w.send(w.front, QStringLiteral("+14155550101"), QStringLiteral("Yes, ready"), 60).isEmpty());
        front = w.list(w.front);
        QCOMPARE(front.at(0).phoneNumber, QStringLiteral("+14155550101"));
        QCOMPARE(front.at(0).unreadCount, 2);
        QCOMPARE(front.at(0).lastBody, QStringLiteral("Yes, ready"));
        // A message stored late (an old one from the phone's history) does not become the latest.
        w.receive(w.front, QStringLiteral("14155550101"), QStringLiteral("from long ago"), 1);
        front = w.list(w.front);
        QCOMPARE(front.at(0).lastBody, QStringLiteral("Yes, ready"));
        QCOMPARE(front.at(0).unreadCount, 3);

        // Opening clears it, stored; the others keep theirs.
        SqlRunner sql(w.db);
        Result<int> was = ConversationRepository(sql).markRead(w.org, w.front, front.at(0).contactId, kBase * 1000);
        QVERIFY(was.ok());
        QCOMPARE(was.value(), 3);
        front = w.list(w.front);
        QCOMPARE(front.at(0).unreadCount, 0);
        QCOMPARE(front.at(1).unreadCount, 1);
        // Another organization's client: nothing.
        QVERIFY(w.list(w.foreign).isEmpty());
        Result<QList<ConversationRecord>> cross = ConversationRepository(sql).list(w.otherOrg, w.front, {});
        QVERIFY(cross.ok() && cross.value().isEmpty());
    }

    // Keyset pages cover every conversation once, ties on the time included.
    void keysetPages_data() { addDialectRows(); }
    void keysetPages()
    {
        WORLD(w);
        QStringList expected;
        for (int i = 0; i < 7; ++i) {
            const QString phone = QStringLiteral("+1415555020%1").arg(i);
            QVERIFY(!w.send(w.front, phone, QStringLiteral("hi"), 100 + (i / 2)).isEmpty()); // pairs share a time
            expected << phone;
        }
        QStringList seen;
        ConversationQuery query;
        query.limit = 3;
        for (int page = 0; page < 5; ++page) {
            QList<ConversationRecord> rows = w.list(w.front, query);
            const bool more = rows.size() > query.limit;
            if (more)
                rows.removeLast();
            seen += World::phones(rows);
            if (!more)
                break;
            query.beforeAt = rows.last().lastMessageAt;
            query.beforeContactId = rows.last().contactId;
        }
        QCOMPARE(seen.size(), expected.size());
        std::sort(seen.begin(), seen.end());
        QCOMPARE(seen, expected);
    }

    // Deleting messages (retention) shows the message before; a conversation left empty goes.
    void deletionsFollow_data() { addDialectRows(); }
    void deletionsFollow()
    {
        WORLD(w);
        const QString first = w.send(w.front, QStringLiteral("+14155550301"), QStringLiteral("first"), 10);
        const QString second = w.send(w.front, QStringLiteral("+14155550301"), QStringLiteral("second"), 20);
        QVERIFY(!first.isEmpty() && !second.isEmpty());
        SqlRunner sql(w.db);
        QVERIFY(sql.change(QStringLiteral("DELETE FROM messages WHERE id = ?"), {second}).ok());
        QList<ConversationRecord> rows = w.list(w.front);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.at(0).lastBody, QStringLiteral("first"));
        QCOMPARE(rows.at(0).lastMessageAt, (kBase + 10) * 1000);
        QVERIFY(sql.change(QStringLiteral("DELETE FROM messages WHERE id = ?"), {first}).ok());
        QVERIFY(w.list(w.front).isEmpty());
    }

    // The search: text and captions, any case, wildcards literal, newest first, bounded; the
    // service refuses bad input and another organization's client.
    void searchAndScope_data() { addDialectRows(); }
    void searchAndScope()
    {
        WORLD(w);
        w.receive(w.front, QStringLiteral("14155550401"), QStringLiteral("Where is my ORDER?"), 10);
        QVERIFY(!w.send(w.front, QStringLiteral("+14155550401"), QStringLiteral("Your order ships today, 50% off the next"), 20).isEmpty());
        QVERIFY(!w.send(w.front, QStringLiteral("+14155550402"), QStringLiteral("500 off is not a discount"), 30).isEmpty());
        w.receive(w.front, QStringLiteral("14155550403"), QStringLiteral("order damaged"), 40, QStringLiteral("image"));
        w.receive(w.back, QStringLiteral("14155550401"), QStringLiteral("order on the other client"), 50);

        ClientService clients(w.db);
        ConversationService service(w.db, clients);
        Result<QList<MessageHit>> hits = service.search(w.admin, w.front, QStringLiteral("order"));
        QVERIFY2(hits.ok(), hits ? "" : qPrintable(hits.error().message));
        QStringList bodies;
        for (const MessageHit &h : hits.value())
            bodies << (h.caption.isEmpty() ? h.body : h.caption);
        QCOMPARE(bodies, (QStringList{QStringLiteral("order damaged"), QStringLiteral("Your order ships today, 50% off the next"),
                                      QStringLiteral("Where is my ORDER?")}));
        QCOMPARE(hits.value().at(0).contactPhone, QStringLiteral("+14155550403"));
        hits = service.search(w.admin, w.front, QStringLiteral("0%"));
        QVERIFY(hits.ok());
        QCOMPARE(hits.value().size(), 1);
        QVERIFY(hits.value().at(0).body.startsWith(QStringLiteral("Your order")));
        QVERIFY(service.search(w.admin, w.front, QStringLiteral("o_der")).value().isEmpty());
        QCOMPARE(service.search(w.admin, w.front, QStringLiteral("order"), 2).value().size(), 2);

        // Bad input: 400 before any SQL.
        QCOMPARE(service.search(w.admin, w.front, QStringLiteral("o")).error().httpStatus, 400);
        QCOMPARE(service.search(w.admin, w.front, QString(300, QLatin1Char('x'))).error().httpStatus, 400);
        QCOMPARE(service.search(w.admin, w.front, QStringLiteral("or") + QChar(0)).error().httpStatus, 400);
        QCOMPARE(service.search(w.admin, w.front, QStringLiteral("order"), 0).error().httpStatus, 400);
        ConversationQuery bad;
        bad.beforeContactId = QStringLiteral("contact_x'); DROP TABLE messages; --");
        QCOMPARE(service.list(w.admin, w.front, bad).error().httpStatus, 400);
        QCOMPARE(service.get(w.admin, w.front, QStringLiteral("+1415") + QChar(0) + QStringLiteral("555")).error().httpStatus, 404);
        // Scope: another organization's client is not found, on every call.
        QCOMPARE(service.list(w.admin, w.foreign, {}).error().httpStatus, 404);
        QCOMPARE(service.search(w.admin, w.foreign, QStringLiteral("order")).error().httpStatus, 404);
        QCOMPARE(service.markRead(w.admin, w.foreign, QStringLiteral("+14155550401")).error().httpStatus, 404);
        QCOMPARE(service.list(w.admin, QStringLiteral("client_") + QChar(0) + QStringLiteral("x"), {}).error().httpStatus, 404);

        // The service's list and markRead.
        Result<ConversationService::Page> page = service.list(w.admin, w.front, {});
        QVERIFY(page.ok());
        QCOMPARE(page.value().conversations.size(), 3);
        QVERIFY(!page.value().hasMore);
        Result<int> was = service.markRead(w.admin, w.front, QStringLiteral("+14155550401"));
        QVERIFY(was.ok());
        QCOMPARE(was.value(), 1);
        QCOMPARE(service.get(w.admin, w.front, QStringLiteral("+14155550401")).value().unreadCount, 0);
        QCOMPARE(service.get(w.admin, w.back, QStringLiteral("+14155550401")).value().unreadCount, 1); // per client
        QCOMPARE(service.get(w.admin, w.front, QStringLiteral("+14155550499")).error().httpStatus, 404);
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    TestConversations test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_conversations.moc"
