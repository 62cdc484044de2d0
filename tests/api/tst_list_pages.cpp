// Paging of the list routes over real HTTP, on SQLite and PostgreSQL: message history, contacts,
// the audit log, webhook deliveries and media answer pages that cost in proportion to the page
// (has_more and next_before from one extra row; the total only when it is free or asked for with
// ?total=exact), and keyset pages (?before=<id>) for deep pages. Rows are written straight into
// the tables at chosen times, so the expected order, ties on the timestamp included, is known.
//
// Proves: a keyset walk visits every row of the set exactly once, in the list's order, with ties
// on created_at/updated_at broken by id; next_before and has_more end the walk; ?total=exact
// matches the set (also under a filter and beside a cursor); a page that ends the set tells its
// total without being asked, one that does not leaves it out; bad cursors (malformed, NUL byte,
// unknown, another client's, another webhook's, another organization's) are 400 invalid_cursor
// and tell nothing; ?total= other than exact is 400; rate-limits counts the queue only up to its
// cap and says when the depth is a lower bound.

#include "tests/support/ApiTestHarness.h"
#include "tests/support/HttpTestClient.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/RateLimitStatus.h"
#include "core/secrets/AesGcm.h"

#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <algorithm>
#include <tuple>

using namespace wadesk;
using namespace wadesk::test;

namespace {

const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);
constexpr qint64 kBase = 1767225600000; // 2026-01-01T00:00:00Z

struct Row {
    QString id;
    qint64 at = 0;
};

// Newest first, ties by id descending: the order every list here walks.
void sortNewestFirst(QList<Row> &rows)
{
    std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.at != b.at ? a.at > b.at : a.id > b.id; });
}

QStringList idsOf(const QList<Row> &rows)
{
    QStringList out;
    for (const Row &r : rows)
        out << r.id;
    return out;
}

struct Stage {
    ApiTestHarness api;
    std::unique_ptr<AesGcm> cipher = std::make_unique<AesGcm>(AesGcm::randomBytes(AesGcm::kKeyBytes));
    Account admin, otherAdmin;
    QString clientA, clientB, otherClient;

    bool cast()
    {
        admin = api.registerOrganization(QStringLiteral("admin@a.test"), QStringLiteral("Org A"));
        otherAdmin = api.registerOrganization(QStringLiteral("admin@b.test"), QStringLiteral("Org B"));
        if (!admin.valid() || !otherAdmin.valid())
            return false;
        clientA = api.createClient(admin, QStringLiteral("Sales"));
        clientB = api.createClient(admin, QStringLiteral("Support"));
        otherClient = api.createClient(otherAdmin, QStringLiteral("Theirs"));
        return !clientA.isEmpty() && !clientB.isEmpty() && !otherClient.isEmpty();
    }
    ApiResponse get(const Account &who, const QString &path) { return api.request("GET", path, kNoBody, ApiTestHarness::apiKey(who.apiKey)); }

    QString contact(const Account &org, const QString &phone, qint64 updatedAt)
    {
        const QString id = Ids::make("contact");
        if (!api.exec(QStringLiteral("INSERT INTO contacts (id, organization_id, phone_number, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"),
                      {id, org.organizationId, phone, updatedAt, updatedAt}))
            return {};
        return id;
    }
    // `count` messages of a client at the given times (cycled), in one multi-row INSERT; the
    // ids are made at unrelated times, so that within a tie the id order is not the insert order.
    QList<Row> messages(const Account &org, const QString &clientId, const QString &contactId, const QList<qint64> &times, int count,
                        MessageDirection direction = MessageDirection::Outbound)
    {
        QList<MessageRecord> batch;
        QList<Row> rows;
        for (int i = 0; i < count; ++i) {
            MessageRecord m;
            m.id = Ids::makeAt("msg", kBase + qint64((i * 7919) % 1000) * 1000 + i);
            m.organizationId = org.organizationId;
            m.clientId = clientId;
            m.contactId = contactId;
            m.direction = direction;
            m.body = QStringLiteral("m%1").arg(i);
            m.status = direction == MessageDirection::Outbound ? MessageStatus::Sent : MessageStatus::Received;
            m.createdAt = times.at(i % times.size());
            m.updatedAt = m.createdAt;
            batch << m;
            rows << Row{m.id, m.createdAt};
        }
        SqlRunner sql(api.database());
        if (Status s = MessageRepository(sql).insertMany(batch); !s) {
            qWarning("insert: %s", qPrintable(s.error().message));
            return {};
        }
        return rows;
    }

    // Walks a list with ?before=, `limit` rows a page; the ids in the order seen. Fails (empty,
    // *ok false) on a page that is not 200, that overflows, or whose cursor is not its last id.
    QStringList walk(const Account &who, const QString &path, const QString &listKey, int limit, bool *ok, int *pages = nullptr)
    {
        QStringList seen;
        QString before;
        *ok = false;
        for (int page = 0; page < 10000; ++page) {
            const QString sep = path.contains(QLatin1Char('?')) ? QStringLiteral("&") : QStringLiteral("?");
            QString url = path + sep + QStringLiteral("limit=%1").arg(limit);
            if (!before.isEmpty())
                url += QStringLiteral("&before=") + before;
            const ApiResponse r = get(who, url);
            if (r.status != 200) {
                qWarning("walk %s: %s", qPrintable(url), r.describe().constData());
                return {};
            }
            const QJsonArray items = r.json.value(listKey).toArray();
            if (items.size() > limit || r.json.value(QStringLiteral("count")).toInt() != items.size())
                return {};
            for (const QJsonValue &v : items)
                seen << v.toObject().value(QStringLiteral("id")).toString();
            const bool more = r.json.value(QStringLiteral("has_more")).toBool();
            if (!before.isEmpty() && r.json.contains(QStringLiteral("total")))
                return {}; // a cursor page does not know its position, so it tells no total unasked
            if (!more) {
                if (!r.json.value(QStringLiteral("next_before")).isNull())
                    return {};
                *ok = true;
                if (pages)
                    *pages = page + 1;
                return seen;
            }
            before = r.json.value(QStringLiteral("next_before")).toString();
            if (items.isEmpty() || before != seen.constLast())
                return {};
        }
        return {};
    }
};

} // namespace

#define WADESK_STAGE(var)                                                                                                     \
    QFETCH(QString, dialect);                                                                                                \
    Stage var;                                                                                                               \
    {                                                                                                                        \
        QString whyNot;                                                                                                      \
        ApiTestHarness::Options options;                                                                                     \
        options.cipher = var.cipher.get();                                                                                   \
        if (!var.api.start(dialect, &whyNot, options)) {                                                                     \
            if (dialect == QLatin1String("postgres") && !PgCluster::required() && !whyNot.startsWith(QLatin1String("server:"))) \
                QSKIP(qPrintable(whyNot));                                                                                   \
            QFAIL(qPrintable(whyNot));                                                                                       \
        }                                                                                                                    \
        QVERIFY(var.cast());                                                                                                 \
    }

class TestListPages : public QObject {
    Q_OBJECT

    static void bothDialects()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

private slots:
    void historyKeysetWalk_data() { bothDialects(); }
    void historyKeysetWalk()
    {
        WADESK_STAGE(s);
        const QString alice = s.contact(s.admin, QStringLiteral("+14155550101"), kBase);
        const QString bob = s.contact(s.admin, QStringLiteral("+14155550102"), kBase);
        QVERIFY(!alice.isEmpty() && !bob.isEmpty());
        // 47 messages on 5 timestamps (ties of 9 or 10), 6 inbound ones among them; others on
        // client B and in the other organization must never show.
        const QList<qint64> times{kBase + 5000, kBase + 1000, kBase + 3000, kBase + 1000 + 1, kBase + 9000};
        QList<Row> mine = s.messages(s.admin, s.clientA, alice, times, 41);
        const QList<Row> inbound = s.messages(s.admin, s.clientA, bob, {kBase + 3000, kBase + 7000}, 6, MessageDirection::Inbound);
        QVERIFY(mine.size() == 41 && inbound.size() == 6);
        mine += inbound;
        QCOMPARE(s.messages(s.admin, s.clientB, alice, times, 12).size(), 12);
        const QString theirContact = s.contact(s.otherAdmin, QStringLiteral("+14155550101"), kBase);
        QCOMPARE(s.messages(s.otherAdmin, s.otherClient, theirContact, times, 9).size(), 9);
        sortNewestFirst(mine);
        const QString base = QStringLiteral("/api/clients/%1/messages").arg(s.clientA);

        for (int limit : {1, 4, 10, 47, 50}) {
            bool ok = false;
            int pages = 0;
            const QStringList seen = s.walk(s.admin, base, QStringLiteral("messages"), limit, &ok, &pages);
            QVERIFY2(ok, qPrintable(QStringLiteral("limit %1").arg(limit)));
            QCOMPARE(seen, idsOf(mine)); // every message once, newest first, ties by id
            QCOMPARE(pages, (47 + limit - 1) / limit);
        }
        // Under a filter the walk covers the filtered set only.
        QList<Row> in = inbound;
        sortNewestFirst(in);
        bool ok = false;
        QCOMPARE(s.walk(s.admin, base + QStringLiteral("?direction=inbound"), QStringLiteral("messages"), 4, &ok), idsOf(in));
        QVERIFY(ok);

        // The first page does not count the table: no total unless asked.
        ApiResponse first = s.get(s.admin, base + QStringLiteral("?limit=10"));
        QCOMPARE(first.status, 200);
        QCOMPARE(first.json.value(QStringLiteral("count")).toInt(), 10);
        QVERIFY(first.json.value(QStringLiteral("has_more")).toBool());
        QCOMPARE(first.json.value(QStringLiteral("next_before")).toString(), mine.at(9).id);
        QVERIFY(!first.json.contains(QStringLiteral("total")));
        // ?total=exact counts the whole set: also beside a cursor and under a filter.
        first = s.get(s.admin, base + QStringLiteral("?limit=10&total=exact"));
        QCOMPARE(first.json.value(QStringLiteral("total")).toInt(), 47);
        ApiResponse deep = s.get(s.admin, base + QStringLiteral("?limit=10&total=exact&before=") + mine.at(20).id);
        QCOMPARE(deep.json.value(QStringLiteral("total")).toInt(), 47);
        QCOMPARE(deep.json.value(QStringLiteral("messages")).toArray().first().toObject().value(QStringLiteral("id")).toString(), mine.at(21).id);
        QCOMPARE(s.get(s.admin, base + QStringLiteral("?total=exact&direction=inbound")).json.value(QStringLiteral("total")).toInt(), 6);
        // A page that ends the set tells its total for free; offset paging still works.
        const ApiResponse last = s.get(s.admin, base + QStringLiteral("?limit=10&offset=40"));
        QCOMPARE(last.json.value(QStringLiteral("count")).toInt(), 7);
        QCOMPARE(last.json.value(QStringLiteral("total")).toInt(), 47);
        QVERIFY(!last.json.value(QStringLiteral("has_more")).toBool());
        QVERIFY(last.json.value(QStringLiteral("next_before")).isNull());
        QCOMPARE(last.json.value(QStringLiteral("messages")).toArray().first().toObject().value(QStringLiteral("id")).toString(), mine.at(40).id);
        // An offset past the end says nothing about the size of the set.
        const ApiResponse past = s.get(s.admin, base + QStringLiteral("?offset=100"));
        QCOMPARE(past.json.value(QStringLiteral("count")).toInt(), 0);
        QVERIFY(!past.json.contains(QStringLiteral("total")));
        // The last message as a cursor: an empty page that ends the walk.
        const ApiResponse after = s.get(s.admin, base + QStringLiteral("?before=") + mine.constLast().id);
        QCOMPARE(after.status, 200);
        QCOMPARE(after.json.value(QStringLiteral("count")).toInt(), 0);
        QVERIFY(!after.json.value(QStringLiteral("has_more")).toBool());
    }

    // History pages are built on the API's reader threads: many at once, on connections that
    // pipeline requests or leave before their answer, each get their own page, whole.
    void historyPagesInParallel_data() { bothDialects(); }
    void historyPagesInParallel()
    {
        WADESK_STAGE(s);
        const QString alice = s.contact(s.admin, QStringLiteral("+14155550101"), kBase);
        QVERIFY(!alice.isEmpty());
        QCOMPARE(s.messages(s.admin, s.clientA, alice, {kBase + 1000, kBase + 2000, kBase + 3000}, 60).size(), 60);
        QCOMPARE(s.messages(s.admin, s.clientB, alice, {kBase + 1000}, 5).size(), 5);
        const QStringList paths{QStringLiteral("/api/clients/%1/messages?limit=50").arg(s.clientA),
                                QStringLiteral("/api/clients/%1/messages?limit=7").arg(s.clientA),
                                QStringLiteral("/api/clients/%1/messages").arg(s.clientB)};
        QList<QByteArray> expected;
        for (const QString &path : paths) {
            const ApiResponse one = s.get(s.admin, path);
            QCOMPARE(one.status, 200);
            expected << one.body;
        }
        const QByteArray key = "X-API-Key: " + s.admin.apiKey.toUtf8() + "\r\n";
        constexpr int kConnections = 8;
        constexpr int kPerConnection = 12;
        std::vector<std::unique_ptr<HttpTestClient>> clients;
        for (int c = 0; c < kConnections; ++c) {
            clients.push_back(std::make_unique<HttpTestClient>());
            QVERIFY(clients.back()->connectTo(s.api.port()));
            QByteArray pipelined;
            for (int i = 0; i < kPerConnection; ++i)
                pipelined += HttpTestClient::request("GET", paths.at((c + i) % paths.size()).toUtf8(), key);
            clients.back()->send(pipelined);
        }
        // Two callers that leave while their pages are being read.
        for (int c = 0; c < 2; ++c) {
            HttpTestClient leaving;
            QVERIFY(leaving.connectTo(s.api.port()));
            leaving.send(HttpTestClient::request("GET", paths.first().toUtf8(), key));
            leaving.abort();
        }
        for (int c = 0; c < kConnections; ++c) {
            for (int i = 0; i < kPerConnection; ++i) {
                const HttpTestResponse r = clients.at(c)->waitResponse(20000);
                QVERIFY2(r.status == 200, qPrintable(QStringLiteral("connection %1, request %2: %3").arg(c).arg(i).arg(r.status)));
                // In the order asked (pipelining), each the page of its own path.
                QVERIFY2(r.body == expected.at((c + i) % paths.size()), qPrintable(QStringLiteral("connection %1, request %2").arg(c).arg(i)));
            }
        }
        QCOMPARE(s.get(s.admin, paths.first()).body, expected.first());
    }

    void badCursorsAndTenancy_data() { bothDialects(); }
    void badCursorsAndTenancy()
    {
        WADESK_STAGE(s);
        const QString alice = s.contact(s.admin, QStringLiteral("+14155550101"), kBase);
        const QList<Row> a = s.messages(s.admin, s.clientA, alice, {kBase + 1000}, 3);
        const QList<Row> b = s.messages(s.admin, s.clientB, alice, {kBase + 2000}, 2);
        const QString theirContact = s.contact(s.otherAdmin, QStringLiteral("+14155550109"), kBase);
        const QList<Row> theirs = s.messages(s.otherAdmin, s.otherClient, theirContact, {kBase + 3000}, 2);
        QVERIFY(a.size() == 3 && b.size() == 2 && theirs.size() == 2 && !theirContact.isEmpty());
        const QString base = QStringLiteral("/api/clients/%1/messages").arg(s.clientA);
        const QString unknownMessage = Ids::make("msg");
        for (const QString &cursor : {QStringLiteral("garbage"), QStringLiteral("msg_%00"), unknownMessage, alice, b.first().id,
                                      theirs.first().id, QStringLiteral("msg_") + QString(26, QLatin1Char('z'))}) {
            const ApiResponse r = s.get(s.admin, base + QStringLiteral("?before=") + cursor);
            QVERIFY2(r.isError(400, QStringLiteral("invalid_cursor")), qPrintable(cursor + QLatin1Char(' ') + QString::fromUtf8(r.describe())));
        }
        // The other organization's own cursor works for it, and not on our client.
        QCOMPARE(s.get(s.otherAdmin, QStringLiteral("/api/clients/%1/messages?before=%2").arg(s.otherClient, theirs.first().id)).status, 200);
        QCOMPARE(s.get(s.otherAdmin, QStringLiteral("/api/clients/%1/messages?before=%2").arg(s.clientA, a.first().id)).status, 404);
        // ?total= knows one value.
        QVERIFY(s.get(s.admin, base + QStringLiteral("?total=estimate")).isError(400, QStringLiteral("validation_failed")));

        // Contacts: another organization's contact, a message id, malformed ids.
        for (const QString &cursor : {QStringLiteral("x"), QStringLiteral("contact_%00"), theirContact, a.first().id, Ids::make("contact")}) {
            const ApiResponse r = s.get(s.admin, QStringLiteral("/api/contacts?before=") + cursor);
            QVERIFY2(r.isError(400, QStringLiteral("invalid_cursor")), qPrintable(cursor + QLatin1Char(' ') + QString::fromUtf8(r.describe())));
        }
        QCOMPARE(s.get(s.otherAdmin, QStringLiteral("/api/contacts?before=") + theirContact).status, 200);

        // Audit: another organization's entry.
        const QStringList theirLogs = s.api.rows(QStringLiteral("SELECT id FROM audit_logs WHERE organization_id = ?"), {s.otherAdmin.organizationId});
        QVERIFY(!theirLogs.isEmpty());
        for (const QString &cursor : {QStringLiteral("log_%00"), theirLogs.first(), Ids::make("log"), alice}) {
            const ApiResponse r = s.get(s.admin, QStringLiteral("/api/audit-logs?before=") + cursor);
            QVERIFY2(r.isError(400, QStringLiteral("invalid_cursor")), qPrintable(cursor + QLatin1Char(' ') + QString::fromUtf8(r.describe())));
        }
        QCOMPARE(s.get(s.otherAdmin, QStringLiteral("/api/audit-logs?before=") + theirLogs.first()).status, 200);
    }

    void contactsKeysetWalk_data() { bothDialects(); }
    void contactsKeysetWalk()
    {
        WADESK_STAGE(s);
        QList<Row> mine;
        for (int i = 0; i < 23; ++i) {
            const qint64 at = kBase + (i % 4) * 1000; // ties of 5 or 6
            const QString id = s.contact(s.admin, QStringLiteral("+1415555%1").arg(1000 + i), at);
            QVERIFY(!id.isEmpty());
            mine << Row{id, at};
        }
        for (int i = 0; i < 5; ++i)
            QVERIFY(!s.contact(s.otherAdmin, QStringLiteral("+1415555%1").arg(1000 + i), kBase).isEmpty());
        sortNewestFirst(mine);
        for (int limit : {1, 5, 23, 50}) {
            bool ok = false;
            QCOMPARE(s.walk(s.admin, QStringLiteral("/api/contacts"), QStringLiteral("contacts"), limit, &ok), idsOf(mine));
            QVERIFY(ok);
        }
        QCOMPARE(s.get(s.admin, QStringLiteral("/api/contacts?limit=5&total=exact")).json.value(QStringLiteral("total")).toInt(), 23);
        QVERIFY(!s.get(s.admin, QStringLiteral("/api/contacts?limit=5")).json.contains(QStringLiteral("total")));
        QCOMPARE(s.get(s.admin, QStringLiteral("/api/contacts")).json.value(QStringLiteral("total")).toInt(), 23); // one page: free
        QCOMPARE(s.get(s.otherAdmin, QStringLiteral("/api/contacts")).json.value(QStringLiteral("total")).toInt(), 5);
    }

    void auditAndDeliveriesKeysetWalk_data() { bothDialects(); }
    void auditAndDeliveriesKeysetWalk()
    {
        WADESK_STAGE(s);
        for (int i = 0; i < 9; ++i)
            QVERIFY(!s.api.createClient(s.admin, QStringLiteral("Extra %1").arg(i)).isEmpty());
        const QStringList all = s.api.rows(QStringLiteral("SELECT id FROM audit_logs WHERE organization_id = ? ORDER BY seq DESC"),
                                           {s.admin.organizationId});
        QVERIFY(all.size() >= 11);
        for (int limit : {1, 3, 500}) {
            bool ok = false;
            QCOMPARE(s.walk(s.admin, QStringLiteral("/api/audit-logs"), QStringLiteral("logs"), limit, &ok), all);
            QVERIFY(ok);
        }

        // Deliveries of one webhook, on 3 timestamps; another webhook's and organization's apart.
        const auto webhook = [&](const Account &org) {
            const QString id = Ids::make("wh");
            return s.api.exec(QStringLiteral("INSERT INTO webhooks (id, organization_id, url, events, secret_sealed, created_at, updated_at) "
                                             "VALUES (?, ?, 'https://example.test/hook', '[\"message.sent\"]', 'sealed', ?, ?)"),
                              {id, org.organizationId, kBase, kBase})
                       ? id
                       : QString();
        };
        const QString hook = webhook(s.admin), otherHook = webhook(s.admin), theirHook = webhook(s.otherAdmin);
        QVERIFY(!hook.isEmpty() && !otherHook.isEmpty() && !theirHook.isEmpty());
        QList<Row> mine;
        QString otherDelivery, theirDelivery;
        for (int i = 0; i < 17; ++i) {
            const auto delivery = [&](const Account &org, const QString &webhookId, qint64 at) {
                const QString id = Ids::makeAt("dlv", kBase + qint64((i * 7919) % 1000) * 1000 + i);
                const bool stored = s.api.exec(QStringLiteral("INSERT INTO webhook_deliveries (id, organization_id, webhook_id, event_id, event_type, "
                                                              "payload, status, next_attempt_at, created_at, updated_at) "
                                                              "VALUES (?, ?, ?, ?, 'message.sent', '{}', 'succeeded', ?, ?, ?)"),
                                               {id, org.organizationId, webhookId, Ids::make("evt"), at, at, at});
                return stored ? id : QString();
            };
            const qint64 at = kBase + (i % 3) * 1000;
            mine << Row{delivery(s.admin, hook, at), at};
            QVERIFY(!mine.constLast().id.isEmpty());
            if (i < 2) {
                otherDelivery = delivery(s.admin, otherHook, at);
                theirDelivery = delivery(s.otherAdmin, theirHook, at);
            }
        }
        sortNewestFirst(mine);
        const QString path = QStringLiteral("/api/webhooks/%1/deliveries").arg(hook);
        for (int limit : {1, 4, 17}) {
            bool ok = false;
            QCOMPARE(s.walk(s.admin, path, QStringLiteral("deliveries"), limit, &ok), idsOf(mine));
            QVERIFY(ok);
        }
        for (const QString &cursor : {otherDelivery, theirDelivery, QStringLiteral("dlv_%00"), Ids::make("dlv")}) {
            const ApiResponse r = s.get(s.admin, path + QStringLiteral("?before=") + cursor);
            QVERIFY2(r.isError(400, QStringLiteral("invalid_cursor")), qPrintable(cursor + QLatin1Char(' ') + QString::fromUtf8(r.describe())));
        }
        QCOMPARE(s.get(s.otherAdmin, path + QStringLiteral("?before=") + mine.first().id).status, 404); // not their webhook
    }

    // The keyset statements (as the repositories write them) are index ranges in the list's
    // order: no sort step on either database. On PostgreSQL the tiny test tables would make a
    // sequential scan the cheaper plan, so scans and sorts are priced out: an index that
    // delivers the order must exist for the plan to have no Sort.
    void pagesAreIndexRanges_data() { bothDialects(); }
    void pagesAreIndexRanges()
    {
        WADESK_STAGE(s);
        const bool pg = s.api.dialect() == QLatin1String("postgres");
        Result<QSqlDatabase> connection = s.api.database().connection();
        QVERIFY(connection.ok());
        // Unprepared statements: neither SET nor EXPLAIN can be prepared on PostgreSQL, so the
        // values are written into the text (all of them test constants).
        const auto exec = [&](const QString &sql) {
            QSqlQuery q(connection.value());
            if (!q.exec(sql))
                qWarning("%s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
            QStringList out;
            while (q.next())
                out << q.value(pg ? 0 : 3).toString();
            return out;
        };
        if (pg) {
            for (const char *setting : {"enable_seqscan", "enable_sort", "enable_bitmapscan"})
                exec(QStringLiteral("SET %1 = off").arg(QLatin1String(setting)));
        }
        const QString history = QStringLiteral(
            "SELECT m.id, c.phone_number FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.organization_id = ? "
            "AND m.client_id = ? AND m.created_at <= ? AND (m.created_at < ? OR m.id < ?) ORDER BY m.created_at DESC, m.id DESC LIMIT ? OFFSET ?");
        const QString contacts = QStringLiteral("SELECT id, name FROM contacts WHERE organization_id = ? AND updated_at <= ? "
                                                "AND (updated_at < ? OR id < ?) ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?");
        const QString deliveries = QStringLiteral("SELECT id, payload FROM webhook_deliveries WHERE organization_id = ? AND webhook_id = ? "
                                                  "AND created_at <= ? AND (created_at < ? OR id < ?) ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");
        const QString audit = QStringLiteral("SELECT id, details FROM audit_logs WHERE organization_id = ? AND seq < ? ORDER BY seq DESC LIMIT ? OFFSET ?");
        const QString media = QStringLiteral("SELECT m.id, m.filename FROM media m WHERE m.organization_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ? OFFSET ?");
        const QString org = s.admin.organizationId;
        const QList<std::tuple<QString, QString, QVariantList>> cases{
            {history, QStringLiteral("messages_client_page"), {org, s.clientA, kBase, kBase, QStringLiteral("msg_x"), 51, 0}},
            {contacts, QStringLiteral("contacts_org_page"), {org, kBase, kBase, QStringLiteral("contact_x"), 51, 0}},
            {deliveries, QStringLiteral("webhook_deliveries_page"), {org, QStringLiteral("wh_x"), kBase, kBase, QStringLiteral("dlv_x"), 51, 0}},
            {audit, pg ? QStringLiteral("audit_logs_organization_id_seq_key") : QStringLiteral("sqlite_autoindex_audit_logs_2"), {org, 1000, 101, 0}},
            {media, QStringLiteral("media_org_page"), {org, QStringLiteral("media_x"), 51, 0}},
        };
        for (const auto &[sql, index, bindings] : cases) {
            QString text = sql;
            for (const QVariant &v : bindings) {
                const QString literal = v.typeId() == QMetaType::QString ? QLatin1Char('\'') + v.toString() + QLatin1Char('\'') : v.toString();
                text.replace(text.indexOf(QLatin1Char('?')), 1, literal);
            }
            const QStringList plan = exec((pg ? QStringLiteral("EXPLAIN ") : QStringLiteral("EXPLAIN QUERY PLAN ")) + text);
            text = plan.join(QLatin1Char('\n'));
            QVERIFY2(!plan.isEmpty(), qPrintable(sql));
            QVERIFY2(text.contains(index), qPrintable(index + QStringLiteral(" not in:\n") + text));
            QVERIFY2(!text.contains(QLatin1String("TEMP B-TREE")) && !text.contains(QLatin1String("Sort")), qPrintable(text));
            QVERIFY2(pg ? text.contains(QLatin1String("Index Cond")) : text.contains(QLatin1String("<?")),
                     qPrintable(QStringLiteral("not a range:\n") + text));
        }
    }

    void rateLimitsCountTheQueueUpToACap_data() { bothDialects(); }
    void rateLimitsCountTheQueueUpToACap()
    {
        WADESK_STAGE(s);
        const QString alice = s.contact(s.admin, QStringLiteral("+14155550101"), kBase);
        const auto queue = [&](int count) {
            QList<MessageRecord> batch;
            for (int i = 0; i < count; ++i) {
                MessageRecord m;
                m.id = Ids::make("msg");
                m.organizationId = s.admin.organizationId;
                m.clientId = s.clientA;
                m.contactId = alice;
                m.body = QStringLiteral("q");
                m.status = MessageStatus::Queued;
                m.createdAt = m.updatedAt = kBase + i;
                batch << m;
            }
            SqlRunner sql(s.api.database());
            MessageRepository messages(sql);
            return messages.insertMany(batch).ok() && messages.enqueueMany(batch).ok();
        };
        const QString path = QStringLiteral("/api/clients/%1/rate-limits").arg(s.clientA);
        QVERIFY(queue(3));
        ApiResponse r = s.get(s.admin, path);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("queue_depth")).toInt(), 3);
        QVERIFY(r.json.value(QStringLiteral("queue_depth_exact")).toBool());
        QVERIFY(queue(RateLimitStatus::kQueueDepthCap - 4));
        r = s.get(s.admin, path);
        QCOMPARE(r.json.value(QStringLiteral("queue_depth")).toInt(), RateLimitStatus::kQueueDepthCap - 1);
        QVERIFY(r.json.value(QStringLiteral("queue_depth_exact")).toBool());
        QVERIFY(queue(2));
        r = s.get(s.admin, path);
        QCOMPARE(r.json.value(QStringLiteral("queue_depth")).toInt(), RateLimitStatus::kQueueDepthCap);
        QVERIFY(!r.json.value(QStringLiteral("queue_depth_exact")).toBool());
        QVERIFY(!r.json.value(QStringLiteral("estimated_last_departure")).isNull());
        // The other client's queue is its own.
        r = s.get(s.admin, QStringLiteral("/api/clients/%1/rate-limits").arg(s.clientB));
        QCOMPARE(r.json.value(QStringLiteral("queue_depth")).toInt(), 0);
        QVERIFY(r.json.value(QStringLiteral("queue_depth_exact")).toBool());
    }
};

QTEST_GUILESS_MAIN(TestListPages)
#include "tst_list_pages.moc"
