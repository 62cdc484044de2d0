// Auto-replies (issue 13; docs/auto-replies.md) on SQLite and PostgreSQL: the rules over real
// HTTP (AutoReplyController over AutoReplyService) and the engine as messages arrive
// (InboundProcessor → AutoReplyEngine, with a controllable clock), plus the matcher on its own.
//
// Proves: keywords match case- and accent-insensitively (exact, contains, regex); a bad regex,
// a bad schedule and other bad input are 400 with nothing stored; RBAC (agents and viewers 403,
// managers manage) and tenants (another organization's rule is 404); an away rule follows the
// organization's time zone and its holidays; a welcome goes to a first-time contact only; the
// loop guard lets one reply per contact per rule per cooldown (two messages, a bot answering,
// a second processor as after a restart); opted-out contacts, STOP itself, groups, status
// broadcasts and own messages get nothing; a message reported as ciphertext and again decrypted
// (and delivered twice) is answered once; the reply is queued at interactive priority, marked
// with its rule, audited, and skipped by the response pairing.

#include "tests/support/ApiTestHarness.h"
#include "tests/support/MediaSamples.h"
#include "tests/support/ManualClock.h"

#include "core/analytics/ResponseRuns.h"
#include "core/autoreplies/AutoReplyEngine.h"
#include "core/autoreplies/AutoReplyRule.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/InboundProcessor.h"
#include "core/messaging/MessageRepository.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QTimeZone>

using namespace wadesk;
using namespace wadesk::test;

namespace {

const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);
const QString kOwnChat = QStringLiteral("15550001111@c.us");

struct Stage {
    ApiTestHarness api;
    Account admin, manager, agent, viewer, otherAdmin;
    QString clientA, clientB;
    ManualClock clock;
    AutoReplyEngine engine{4096, RateTiers{}, clock};
    std::unique_ptr<InboundProcessor> inbound;
    int wakes = 0;

    bool cast()
    {
        admin = api.registerOrganization(QStringLiteral("admin@a.test"), QStringLiteral("Org A"));
        otherAdmin = api.registerOrganization(QStringLiteral("admin@b.test"), QStringLiteral("Org B"));
        if (!admin.valid() || !otherAdmin.valid())
            return false;
        manager = api.createMember(admin, QStringLiteral("manager"), QStringLiteral("manager@a.test"));
        agent = api.createMember(admin, QStringLiteral("agent"), QStringLiteral("agent@a.test"));
        viewer = api.createMember(admin, QStringLiteral("viewer"), QStringLiteral("viewer@a.test"));
        clientA = api.createClient(admin, QStringLiteral("Sales"));
        clientB = api.createClient(admin, QStringLiteral("Support"));
        if (!manager.valid() || !agent.valid() || !viewer.valid() || clientA.isEmpty() || clientB.isEmpty())
            return false;
        restart();
        return api.exec(QStringLiteral("UPDATE clients SET linked = 1, phone_number = ? WHERE id = ?"), {QStringLiteral("+15550001111"), clientA});
    }
    // A new processor, as after a restart of the application (the guard lives in the database).
    void restart()
    {
        MessagingSettings settings;
        inbound = std::make_unique<InboundProcessor>(api.database(), nullptr, settings, clock);
        inbound->setResponder(&engine, [this](const QString &) { ++wakes; });
    }
    ApiResponse call(const Account &who, const QString &path, const QByteArray &method = "GET", const QJsonValue &body = kNoBody)
    {
        return api.request(method, path, body, ApiTestHarness::apiKey(who.apiKey));
    }
    QString rule(const QJsonObject &body)
    {
        const ApiResponse r = call(admin, QStringLiteral("/api/auto-replies"), "POST", body);
        if (r.status != 201)
            qWarning() << r.describe();
        return r.json.value(QStringLiteral("rule")).toObject().value(QStringLiteral("id")).toString();
    }
    // A message from `digits` on `client`, sent at the clock's time.
    void receive(const QString &client, const QString &waId, const QString &digits, const QString &body, const QString &type = QStringLiteral("chat"),
                 bool fromMe = false, const QString &chatSuffix = QStringLiteral("@c.us"))
    {
        QJsonObject m{{QStringLiteral("id"), waId},
                      {QStringLiteral("fromMe"), fromMe},
                      {QStringLiteral("from"), fromMe ? kOwnChat : digits + chatSuffix},
                      {QStringLiteral("to"), fromMe ? digits + chatSuffix : kOwnChat},
                      {QStringLiteral("type"), type},
                      {QStringLiteral("t"), double(clock.nowMs() / 1000)}};
        if (type != QLatin1String("ciphertext"))
            m.insert(QStringLiteral("body"), body);
        inbound->onMessage(admin.organizationId, client, m, nullptr);
    }
    // The automatic replies queued to `phone` (all of them without one): "rule|body" each.
    QStringList replies(const QString &phone = QString())
    {
        const QString sql = QStringLiteral("SELECT m.auto_reply_rule_id, m.body FROM messages m JOIN contacts c ON c.id = m.contact_id "
                                           "WHERE m.auto_reply_rule_id IS NOT NULL%1 ORDER BY m.created_at, m.id");
        if (phone.isEmpty())
            return api.rows(sql.arg(QString()), {}, 2);
        return api.rows(sql.arg(QStringLiteral(" AND c.phone_number = ?")), {phone}, 2);
    }
    int count(const QString &sql, const QVariantList &bind = {}) { return api.rows(sql, bind).value(0).toInt(); }
};

#define WADESK_STAGE(var)                                                                                         \
    QFETCH(QString, dialect);                                                                                     \
    Stage var;                                                                                                    \
    {                                                                                                             \
        QString whyNot;                                                                                           \
        if (!var.api.start(dialect, &whyNot)) {                                                                   \
            if (dialect == QLatin1String("postgres") && !PgCluster::required() && !whyNot.startsWith(QLatin1String("server:"))) \
                QSKIP(qPrintable(whyNot));                                                                        \
            QFAIL(qPrintable(whyNot));                                                                            \
        }                                                                                                         \
        QVERIFY(var.cast());                                                                                      \
    }

QJsonObject keywordRule(const QString &name, const QString &match, const QStringList &keywords, const QString &reply)
{
    return QJsonObject{{QStringLiteral("name"), name},
                       {QStringLiteral("kind"), QStringLiteral("keyword")},
                       {QStringLiteral("match"), match},
                       {QStringLiteral("keywords"), QJsonArray::fromStringList(keywords)},
                       {QStringLiteral("reply_text"), reply}};
}

QJsonObject officeHours()
{
    return QJsonObject{{QStringLiteral("business_hours"),
                        QJsonArray{QJsonObject{{QStringLiteral("days"), QJsonArray{QStringLiteral("mon"), QStringLiteral("tue"), QStringLiteral("wed"),
                                                                                  QStringLiteral("thu"), QStringLiteral("fri")}},
                                               {QStringLiteral("start"), QStringLiteral("09:00")},
                                               {QStringLiteral("end"), QStringLiteral("18:00")}}}},
                       {QStringLiteral("holidays"), QJsonArray{QStringLiteral("2030-03-19")}}};
}

qint64 tokyo(int day, int hour)
{
    return QDateTime(QDate(2030, 3, day), QTime(hour, 0), QTimeZone("Asia/Tokyo")).toMSecsSinceEpoch();
}

} // namespace

class TestAutoReplies : public QObject {
    Q_OBJECT

    static void bothDialects()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

private slots:
    void matcher()
    {
        const KeywordMatcher contains(KeywordMatch::Contains, {QStringLiteral("preço"), QStringLiteral("Horário")});
        QVERIFY(contains.matches(QStringLiteral("Qual o PRECO?")));
        QVERIFY(contains.matches(QStringLiteral("e o horario de hoje")));
        QVERIFY(contains.matches(QStringLiteral("PREÇO")));
        QVERIFY(!contains.matches(QStringLiteral("price")));
        const KeywordMatcher exact(KeywordMatch::Exact, {QStringLiteral("oi")});
        QVERIFY(exact.matches(QStringLiteral("  OÍ ")));
        QVERIFY(!exact.matches(QStringLiteral("oi, tudo bem?")));
        const KeywordMatcher regex(KeywordMatch::Regex, {QStringLiteral("^pedido\\s*#?\\d{3,}$")});
        QVERIFY(regex.matches(QStringLiteral("Pédido #1234")));
        QVERIFY(!regex.matches(QStringLiteral("pedido #12")));
        QVERIFY(!regex.matches(QString()));
        QVERIFY(!KeywordMatcher::checkPattern(QStringLiteral("(unclosed"), QStringLiteral("keywords")));
        QVERIFY(!KeywordMatcher::checkPattern(QString(201, QLatin1Char('a')), QStringLiteral("keywords")));
        QVERIFY(KeywordMatcher::checkPattern(QStringLiteral("caf[eé]"), QStringLiteral("keywords")));
        // A pattern that backtracks catastrophically is bounded (PCRE's match limit over at most
        // kMaxMatchedLength characters): it gives up as "no match" instead of hanging the page's thread.
        const KeywordMatcher catastrophic(KeywordMatch::Regex, {QStringLiteral("(a+)+$")});
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!catastrophic.matches(QString(1900, QLatin1Char('a')) + QStringLiteral("!")));
        QVERIFY2(timer.elapsed() < 5000, QByteArray::number(timer.elapsed()).constData());
        // Only the first characters of a long message are matched.
        QVERIFY(!contains.matches(QString(KeywordMatcher::kMaxMatchedLength + 10, QLatin1Char('x')) + QStringLiteral("preço")));
    }

    void crudRbacTenants_data() { bothDialects(); }
    void crudRbacTenants()
    {
        WADESK_STAGE(s);
        const ApiResponse created = s.call(s.manager, QStringLiteral("/api/auto-replies"), "POST",
                                           keywordRule(QStringLiteral("Prices"), QStringLiteral("contains"), {QStringLiteral("preço")},
                                                       QStringLiteral("See our prices at example.com")));
        QCOMPARE(created.status, 201);
        const QJsonObject rule = created.json.value(QStringLiteral("rule")).toObject();
        const QString id = rule.value(QStringLiteral("id")).toString();
        QVERIFY(id.startsWith(QLatin1String("arr_")));
        QCOMPARE(rule.value(QStringLiteral("cooldown_seconds")).toInt(), 300);
        QCOMPARE(rule.value(QStringLiteral("client_id")), QJsonValue());
        QCOMPARE(rule.value(QStringLiteral("enabled")).toBool(), true);

        // Bad input: 400 naming the field, nothing stored.
        const QList<QJsonObject> bad{
            keywordRule(QStringLiteral("Bad regex"), QStringLiteral("regex"), {QStringLiteral("(unclosed")}, QStringLiteral("x")),
            keywordRule(QStringLiteral("No keywords"), QStringLiteral("contains"), {}, QStringLiteral("x")),
            keywordRule(QStringLiteral("Bad match"), QStringLiteral("fuzzy"), {QStringLiteral("a")}, QStringLiteral("x")),
            keywordRule(QStringLiteral("No reply"), QStringLiteral("contains"), {QStringLiteral("a")}, QString()),
            keywordRule(QString(), QStringLiteral("contains"), {QStringLiteral("a")}, QStringLiteral("x")),
            QJsonObject{{QStringLiteral("name"), QStringLiteral("Away without hours")}, {QStringLiteral("kind"), QStringLiteral("away")},
                        {QStringLiteral("reply_text"), QStringLiteral("x")}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("Bad hours")}, {QStringLiteral("kind"), QStringLiteral("away")},
                        {QStringLiteral("reply_text"), QStringLiteral("x")},
                        {QStringLiteral("schedule"), QJsonObject{{QStringLiteral("business_hours"),
                                                                  QJsonArray{QJsonObject{{QStringLiteral("start"), QStringLiteral("25:00")},
                                                                                         {QStringLiteral("end"), QStringLiteral("18:00")}}}}}}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("Bad holiday")}, {QStringLiteral("kind"), QStringLiteral("away")},
                        {QStringLiteral("reply_text"), QStringLiteral("x")},
                        {QStringLiteral("schedule"), QJsonObject{{QStringLiteral("business_hours"), officeHours().value(QStringLiteral("business_hours"))},
                                                                 {QStringLiteral("holidays"), QJsonArray{QStringLiteral("2030-02-30")}}}}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("Bad kind")}, {QStringLiteral("kind"), QStringLiteral("magic")},
                        {QStringLiteral("reply_text"), QStringLiteral("x")}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("Short cooldown")}, {QStringLiteral("kind"), QStringLiteral("welcome")},
                        {QStringLiteral("reply_text"), QStringLiteral("x")}, {QStringLiteral("cooldown_seconds"), 5}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("Unknown field")}, {QStringLiteral("kind"), QStringLiteral("welcome")},
                        {QStringLiteral("reply_text"), QStringLiteral("x")}, {QStringLiteral("surprise"), 1}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("NUL") + QChar(0)}, {QStringLiteral("kind"), QStringLiteral("welcome")},
                        {QStringLiteral("reply_text"), QStringLiteral("x")}},
        };
        for (const QJsonObject &body : bad) {
            const ApiResponse r = s.call(s.admin, QStringLiteral("/api/auto-replies"), "POST", body);
            QVERIFY2(r.status == 400, r.describe().constData());
            QVERIFY(!r.json.value(QStringLiteral("error")).toString().isEmpty());
            QVERIFY(!r.json.value(QStringLiteral("code")).toString().isEmpty());
        }
        const ApiResponse badRegex = s.call(s.admin, QStringLiteral("/api/auto-replies"), "POST",
                                            keywordRule(QStringLiteral("Bad"), QStringLiteral("regex"), {QStringLiteral("a(")}, QStringLiteral("x")));
        QCOMPARE(badRegex.json.value(QStringLiteral("code")).toString(), QStringLiteral("validation_failed"));
        QVERIFY(badRegex.json.value(QStringLiteral("error")).toString().contains(QLatin1String("regular expression")));
        QCOMPARE(s.count(QStringLiteral("SELECT COUNT(*) FROM auto_reply_rules")), 1);
        // Another organization's client, or an unknown template: 404, nothing stored.
        QJsonObject foreignClient = keywordRule(QStringLiteral("B"), QStringLiteral("exact"), {QStringLiteral("b")}, QStringLiteral("x"));
        foreignClient.insert(QStringLiteral("client_id"), s.clientA);
        QCOMPARE(s.call(s.otherAdmin, QStringLiteral("/api/auto-replies"), "POST", foreignClient).status, 404);
        QCOMPARE(s.count(QStringLiteral("SELECT COUNT(*) FROM auto_reply_rules")), 1);

        // A PATCH that breaks the rule changes nothing.
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/auto-replies/") + id, "PATCH",
                        QJsonObject{{QStringLiteral("match"), QStringLiteral("regex")}, {QStringLiteral("keywords"), QJsonArray{QStringLiteral("[")}}})
                     .status,
                 400);
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/auto-replies/") + id).json.value(QStringLiteral("rule")).toObject().value(QStringLiteral("match")).toString(),
                 QStringLiteral("contains"));
        const ApiResponse patched = s.call(s.admin, QStringLiteral("/api/auto-replies/") + id, "PATCH",
                                           QJsonObject{{QStringLiteral("enabled"), false}, {QStringLiteral("client_id"), s.clientA},
                                                       {QStringLiteral("cooldown_seconds"), 600}});
        QCOMPARE(patched.status, 200);
        const QJsonObject after = patched.json.value(QStringLiteral("rule")).toObject();
        QCOMPARE(after.value(QStringLiteral("enabled")).toBool(), false);
        QCOMPARE(after.value(QStringLiteral("client_id")).toString(), s.clientA);
        QCOMPARE(after.value(QStringLiteral("cooldown_seconds")).toInt(), 600);

        // RBAC: agents and viewers 403 on every route; tenants: the other organization sees 404.
        for (const Account *who : {&s.agent, &s.viewer}) {
            QCOMPARE(s.call(*who, QStringLiteral("/api/auto-replies")).status, 403);
            QCOMPARE(s.call(*who, QStringLiteral("/api/auto-replies/") + id).status, 403);
            QCOMPARE(s.call(*who, QStringLiteral("/api/auto-replies/") + id, "PATCH", QJsonObject{{QStringLiteral("enabled"), true}}).status, 403);
            QCOMPARE(s.call(*who, QStringLiteral("/api/auto-replies/") + id, "DELETE").status, 403);
            QCOMPARE(s.call(*who, QStringLiteral("/api/auto-replies"), "POST",
                            keywordRule(QStringLiteral("X"), QStringLiteral("exact"), {QStringLiteral("x")}, QStringLiteral("x")))
                         .status,
                     403);
        }
        QCOMPARE(s.call(s.otherAdmin, QStringLiteral("/api/auto-replies/") + id).status, 404);
        QCOMPARE(s.call(s.otherAdmin, QStringLiteral("/api/auto-replies/") + id, "PATCH", QJsonObject{{QStringLiteral("enabled"), true}}).status, 404);
        QCOMPARE(s.call(s.otherAdmin, QStringLiteral("/api/auto-replies/") + id, "DELETE").status, 404);
        QCOMPARE(s.call(s.otherAdmin, QStringLiteral("/api/auto-replies")).json.value(QStringLiteral("total")).toInt(), 0);
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/auto-replies/not-an-id")).status, 404);
        const ApiResponse list = s.call(s.manager, QStringLiteral("/api/auto-replies?limit=10"));
        QCOMPARE(list.status, 200);
        QCOMPARE(list.json.value(QStringLiteral("total")).toInt(), 1);
        QCOMPARE(list.json.value(QStringLiteral("rules")).toArray().size(), 1);
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/auto-replies?limit=100000")).status, 400);

        QCOMPARE(s.call(s.manager, QStringLiteral("/api/auto-replies/") + id, "DELETE").status, 200);
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/auto-replies/") + id).status, 404);
        QCOMPARE(s.count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action IN ('create_auto_reply_rule', 'update_auto_reply_rule', "
                                        "'delete_auto_reply_rule') AND organization_id = ?"),
                         {s.admin.organizationId}),
                 3);
    }

    // Keywords through the engine; the reply is queued, marked, audited; one rule per message.
    void keywordReplies_data() { bothDialects(); }
    void keywordReplies()
    {
        WADESK_STAGE(s);
        const QString prices = s.rule(keywordRule(QStringLiteral("Prices"), QStringLiteral("contains"), {QStringLiteral("preço")},
                                                  QStringLiteral("Nossos preços: example.com")));
        QJsonObject everything = keywordRule(QStringLiteral("Catch-all"), QStringLiteral("regex"), {QStringLiteral(".")}, QStringLiteral("Recebido"));
        everything.insert(QStringLiteral("priority"), 500);
        const QString catchAll = s.rule(everything);
        QJsonObject onlyB = keywordRule(QStringLiteral("Support only"), QStringLiteral("exact"), {QStringLiteral("ajuda")}, QStringLiteral("Suporte"));
        onlyB.insert(QStringLiteral("client_id"), s.clientB);
        onlyB.insert(QStringLiteral("priority"), 1);
        const QString supportOnly = s.rule(onlyB);
        QVERIFY(!prices.isEmpty() && !catchAll.isEmpty() && !supportOnly.isEmpty());

        s.receive(s.clientA, QStringLiteral("w1"), QStringLiteral("5511990000001"), QStringLiteral("Qual o PRECO?"));
        QCOMPARE(s.replies(), QStringList{prices + QStringLiteral("|Nossos preços: example.com")});
        QCOMPARE(s.wakes, 1);
        // Queued at interactive priority on the client, not by anyone, audited as the system's.
        QCOMPARE(s.count(QStringLiteral("SELECT COUNT(*) FROM outbox o JOIN messages m ON m.id = o.message_id "
                                        "WHERE m.auto_reply_rule_id = ? AND o.priority = 0 AND o.client_id = ? AND m.status = 'queued' "
                                        "AND m.direction = 'outbound'"),
                         {prices, s.clientA}),
                 1);
        QCOMPARE(s.count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'auto_reply_sent' AND resource_id = ? AND (user_id IS NULL OR user_id = '')"),
                         {prices}),
                 1);
        // A rule of another client does not answer on this one ("ajuda" falls to the catch-all).
        s.receive(s.clientA, QStringLiteral("w2"), QStringLiteral("5511990000002"), QStringLiteral("ajuda"));
        QCOMPARE(s.replies(QStringLiteral("+5511990000002")), QStringList{catchAll + QStringLiteral("|Recebido")});
        s.receive(s.clientB, QStringLiteral("w3"), QStringLiteral("5511990000003"), QStringLiteral("AJUDA"));
        QCOMPARE(s.replies(QStringLiteral("+5511990000003")), QStringList{supportOnly + QStringLiteral("|Suporte")});
        // A disabled rule never answers.
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/auto-replies/") + catchAll, "PATCH", QJsonObject{{QStringLiteral("enabled"), false}}).status, 200);
        s.receive(s.clientA, QStringLiteral("w4"), QStringLiteral("5511990000004"), QStringLiteral("nada"));
        QCOMPARE(s.replies(QStringLiteral("+5511990000004")), QStringList());
        QCOMPARE(s.replies().size(), 3);
    }

    // Reported as ciphertext, then decrypted with the same id, then delivered once more: one reply.
    void ciphertextAnsweredOnce_data() { bothDialects(); }
    void ciphertextAnsweredOnce()
    {
        WADESK_STAGE(s);
        const QString rule = s.rule(keywordRule(QStringLiteral("Hi"), QStringLiteral("contains"), {QStringLiteral("ola")}, QStringLiteral("Olá!")));
        s.receive(s.clientA, QStringLiteral("c1"), QStringLiteral("5511990000010"), QString(), QStringLiteral("ciphertext"));
        QCOMPARE(s.replies().size(), 0);
        s.receive(s.clientA, QStringLiteral("c1"), QStringLiteral("5511990000010"), QStringLiteral("Olá, bom dia"));
        QCOMPARE(s.replies(), QStringList{rule + QStringLiteral("|Olá!")});
        s.receive(s.clientA, QStringLiteral("c1"), QStringLiteral("5511990000010"), QStringLiteral("Olá, bom dia"));
        s.restart();
        s.receive(s.clientA, QStringLiteral("c1"), QStringLiteral("5511990000010"), QStringLiteral("Olá, bom dia"));
        QCOMPARE(s.replies().size(), 1);
    }

    // At most one reply per contact per rule per cooldown, across a restart; a bot answering the
    // reply meets the guard; after the cooldown the rule answers again.
    void loopGuard_data() { bothDialects(); }
    void loopGuard()
    {
        WADESK_STAGE(s);
        const QString rule = s.rule(keywordRule(QStringLiteral("Prices"), QStringLiteral("contains"), {QStringLiteral("price")}, QStringLiteral("Prices: example.com")));
        const QString bot = QStringLiteral("5511990000020");
        s.receive(s.clientA, QStringLiteral("g1"), bot, QStringLiteral("price?"));
        s.clock.advance(2000);
        // The other side is a bot that answers every message with one mentioning the price.
        s.receive(s.clientA, QStringLiteral("g2"), bot, QStringLiteral("Auto: thanks for your message about the price"));
        s.restart(); // as after a restart, or another instance: the guard is the database's
        s.clock.advance(2000);
        s.receive(s.clientA, QStringLiteral("g3"), bot, QStringLiteral("Auto: thanks for your message about the price"));
        QCOMPARE(s.replies(), QStringList{rule + QStringLiteral("|Prices: example.com")});
        // Another contact is answered meanwhile.
        s.receive(s.clientA, QStringLiteral("g4"), QStringLiteral("5511990000021"), QStringLiteral("price"));
        QCOMPARE(s.replies().size(), 2);
        // Past the cooldown (300 s by default for keywords) the bot gets one more.
        s.clock.advance(300 * 1000);
        s.receive(s.clientA, QStringLiteral("g5"), bot, QStringLiteral("price"));
        s.receive(s.clientA, QStringLiteral("g6"), bot, QStringLiteral("price"));
        QCOMPARE(s.replies(QStringLiteral("+") + bot).size(), 2);
        QCOMPARE(s.count(QStringLiteral("SELECT COUNT(*) FROM auto_reply_guard WHERE rule_id = ?"), {rule}), 2);
    }

    // Not once the client's day's budget is spoken for (its own per-day tier here): the reply
    // would wait for hours. The guard stays free, so the contact is answered once there is room.
    void dailyBudgetSpent_data() { bothDialects(); }
    void dailyBudgetSpent()
    {
        WADESK_STAGE(s);
        const ApiResponse limited = s.call(s.admin, QStringLiteral("/api/clients/") + s.clientA, "PATCH",
                                           QJsonObject{{QStringLiteral("rate_limits"), QJsonObject{{QStringLiteral("per_day"), 2}}}});
        QVERIFY2(limited.status == 200, limited.describe());
        const QString rule = s.rule(keywordRule(QStringLiteral("Prices"), QStringLiteral("contains"), {QStringLiteral("price")}, QStringLiteral("Prices: example.com")));
        QVERIFY(!rule.isEmpty());
        s.receive(s.clientA, QStringLiteral("b1"), QStringLiteral("5511990000040"), QStringLiteral("price?"));
        s.receive(s.clientA, QStringLiteral("b2"), QStringLiteral("5511990000041"), QStringLiteral("price?"));
        QCOMPARE(s.replies().size(), 2);
        const QString late = QStringLiteral("5511990000042");
        s.receive(s.clientA, QStringLiteral("b3"), late, QStringLiteral("price?"));
        QCOMPARE(s.replies().size(), 2); // two queued replies fill a budget of two
        QCOMPARE(s.count(QStringLiteral("SELECT COUNT(*) FROM auto_reply_guard WHERE rule_id = ?"), {rule}), 2);
        // Client B's budget is its own (the installation's default).
        s.receive(s.clientB, QStringLiteral("b4"), late, QStringLiteral("price?"));
        QCOMPARE(s.replies(QStringLiteral("+") + late).size(), 1);
        // The two went out a day ago: room again, and the contact refused on A is answered there.
        QVERIFY(s.api.exec(QStringLiteral("DELETE FROM outbox WHERE client_id = ?"), {s.clientA}));
        QVERIFY(s.api.exec(QStringLiteral("UPDATE messages SET status = 'sent', sending_at = ? WHERE client_id = ? AND auto_reply_rule_id IS NOT NULL"),
                           {s.clock.nowMs(), s.clientA}));
        s.receive(s.clientA, QStringLiteral("b5"), late, QStringLiteral("price, please"));
        QCOMPARE(s.replies(QStringLiteral("+") + late).size(), 1); // still spent: sent within the day
        s.clock.advance(RateLimiter::kDay + 1000);
        s.receive(s.clientA, QStringLiteral("b6"), late, QStringLiteral("price, please"));
        QCOMPARE(s.replies(QStringLiteral("+") + late).size(), 2);
    }

    // Never to opted-out contacts (STOP itself included), groups, status broadcasts or own messages.
    void neverAnswered_data() { bothDialects(); }
    void neverAnswered()
    {
        WADESK_STAGE(s);
        const QString rule = s.rule(keywordRule(QStringLiteral("Everything"), QStringLiteral("regex"), {QStringLiteral(".")}, QStringLiteral("Hello")));
        QVERIFY(!rule.isEmpty());
        s.receive(s.clientA, QStringLiteral("n1"), QStringLiteral("5511990000030"), QStringLiteral("STOP"));
        s.clock.advance(3600 * 1000);
        s.receive(s.clientA, QStringLiteral("n2"), QStringLiteral("5511990000030"), QStringLiteral("hello?"));
        s.receive(s.clientA, QStringLiteral("n3"), QStringLiteral("5511990000031"), QStringLiteral("hello"), QStringLiteral("chat"), true);
        s.receive(s.clientA, QStringLiteral("n4"), QStringLiteral("5511990000032-1600000000"), QStringLiteral("hello group"), QStringLiteral("chat"),
                  false, QStringLiteral("@g.us"));
        s.receive(s.clientA, QStringLiteral("n5"), QStringLiteral("status"), QStringLiteral("my status"), QStringLiteral("chat"), false,
                  QStringLiteral("@broadcast"));
        QCOMPARE(s.replies(), QStringList());
        QCOMPARE(s.wakes, 0);
        // The same rule does answer an ordinary contact (the setup is not what kept it quiet).
        s.receive(s.clientA, QStringLiteral("n6"), QStringLiteral("5511990000033"), QStringLiteral("hello"));
        QCOMPARE(s.replies().size(), 1);
    }

    // Away: outside business hours in the organization's zone (Tokyo here, where 10:00 is 01:00
    // UTC), and all day on a holiday. Priority: a keyword rule ahead of it takes the message.
    void awaySchedule_data() { bothDialects(); }
    void awaySchedule()
    {
        WADESK_STAGE(s);
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/organization"), "PATCH", QJsonObject{{QStringLiteral("time_zone"), QStringLiteral("Asia/Tokyo")}}).status,
                 200);
        const QString away = s.rule(QJsonObject{{QStringLiteral("name"), QStringLiteral("Closed")},
                                                {QStringLiteral("kind"), QStringLiteral("away")},
                                                {QStringLiteral("schedule"), officeHours()},
                                                {QStringLiteral("priority"), 50},
                                                {QStringLiteral("reply_text"), QStringLiteral("We are closed")}});
        QJsonObject urgent = keywordRule(QStringLiteral("Urgent"), QStringLiteral("exact"), {QStringLiteral("urgente")}, QStringLiteral("Call 190"));
        urgent.insert(QStringLiteral("priority"), 10);
        const QString keyword = s.rule(urgent);
        QVERIFY(!away.isEmpty() && !keyword.isEmpty());

        s.clock.set(tokyo(18, 10)); // Monday 10:00 in Tokyo (01:00 UTC, outside the hours in UTC): open
        s.receive(s.clientA, QStringLiteral("a1"), QStringLiteral("5511990000040"), QStringLiteral("bom dia"));
        QCOMPARE(s.replies(QStringLiteral("+5511990000040")), QStringList());
        s.clock.set(tokyo(18, 20)); // Monday 20:00 in Tokyo (11:00 UTC, inside the hours in UTC): closed
        s.receive(s.clientA, QStringLiteral("a2"), QStringLiteral("5511990000041"), QStringLiteral("boa noite"));
        QCOMPARE(s.replies(QStringLiteral("+5511990000041")), QStringList{away + QStringLiteral("|We are closed")});
        s.receive(s.clientA, QStringLiteral("a3"), QStringLiteral("5511990000042"), QStringLiteral("URGENTE"));
        QCOMPARE(s.replies(QStringLiteral("+5511990000042")), QStringList{keyword + QStringLiteral("|Call 190")});
        s.clock.set(tokyo(19, 10)); // Tuesday 10:00, a holiday: closed all day
        s.receive(s.clientA, QStringLiteral("a4"), QStringLiteral("5511990000043"), QStringLiteral("oi"));
        QCOMPARE(s.replies(QStringLiteral("+5511990000043")), QStringList{away + QStringLiteral("|We are closed")});
        s.clock.set(tokyo(20, 17)); // Wednesday 17:00: open
        s.receive(s.clientA, QStringLiteral("a5"), QStringLiteral("5511990000044"), QStringLiteral("oi"));
        QCOMPARE(s.replies(QStringLiteral("+5511990000044")), QStringList());
        // The away message goes once a day to a contact who keeps writing after hours.
        s.clock.set(tokyo(20, 19));
        s.receive(s.clientA, QStringLiteral("a6"), QStringLiteral("5511990000044"), QStringLiteral("oi?"));
        s.clock.set(tokyo(20, 23));
        s.receive(s.clientA, QStringLiteral("a7"), QStringLiteral("5511990000044"), QStringLiteral("alguém?"));
        QCOMPARE(s.replies(QStringLiteral("+5511990000044")).size(), 1);
    }

    // A welcome for a first-time contact only: not for a second message, nor for someone the
    // account wrote to first; with a template rendered for the contact.
    void welcomeOnce_data() { bothDialects(); }
    void welcomeOnce()
    {
        WADESK_STAGE(s);
        const ApiResponse tpl = s.call(s.admin, QStringLiteral("/api/templates"), "POST",
                                       QJsonObject{{QStringLiteral("name"), QStringLiteral("Welcome")},
                                                   {QStringLiteral("body"), QStringLiteral("Welcome, {{name|friend}}!")}});
        QCOMPARE(tpl.status, 201);
        const QString rule = s.rule(QJsonObject{{QStringLiteral("name"), QStringLiteral("Welcome")},
                                                {QStringLiteral("kind"), QStringLiteral("welcome")},
                                                {QStringLiteral("template_id"), tpl.json.value(QStringLiteral("template")).toObject().value(QStringLiteral("id"))},
                                                {QStringLiteral("cooldown_seconds"), 60}});
        QVERIFY(!rule.isEmpty());
        s.receive(s.clientA, QStringLiteral("h1"), QStringLiteral("5511990000050"), QStringLiteral("hello"));
        QCOMPARE(s.replies(), QStringList{rule + QStringLiteral("|Welcome, friend!")});
        s.clock.advance(2 * 86400 * 1000LL); // long past the cooldown: still not a first-time contact
        s.receive(s.clientA, QStringLiteral("h2"), QStringLiteral("5511990000050"), QStringLiteral("hello again"));
        // Written to first from the phone: not a first-time contact either.
        s.receive(s.clientA, QStringLiteral("h3"), QStringLiteral("5511990000051"), QStringLiteral("Hi, this is Sales"), QStringLiteral("chat"), true);
        s.receive(s.clientA, QStringLiteral("h4"), QStringLiteral("5511990000051"), QStringLiteral("hello"));
        QCOMPARE(s.replies().size(), 1);
        // The same number is new on another client.
        s.receive(s.clientB, QStringLiteral("h5"), QStringLiteral("5511990000050"), QStringLiteral("hello"));
        QCOMPARE(s.replies().size(), 2);
    }

    // A template with a file: the reply carries the file with the rendered text as its caption,
    // as a campaign sends it; a file-only template sends the file alone.
    void templateFileAttached_data() { bothDialects(); }
    void templateFileAttached()
    {
        WADESK_STAGE(s);
        const QString media = s.call(s.admin, QStringLiteral("/api/media/upload"), "POST",
                                     QJsonObject{{QStringLiteral("file"), QString::fromLatin1(MediaSamples::pdf().toBase64())},
                                                 {QStringLiteral("filename"), QStringLiteral("menu.pdf")}})
                                  .json.value(QStringLiteral("media")).toObject().value(QStringLiteral("id")).toString();
        QVERIFY(!media.isEmpty());
        const auto templateWith = [&](const QString &name, const QString &body) {
            return s.call(s.admin, QStringLiteral("/api/templates"), "POST",
                          QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("body"), body}, {QStringLiteral("media_id"), media}})
                .json.value(QStringLiteral("template")).toObject().value(QStringLiteral("id")).toString();
        };
        const QString captioned = templateWith(QStringLiteral("Menu"), QStringLiteral("Our menu, {{name|friend}}"));
        const QString bare = templateWith(QStringLiteral("Menu only"), QString());
        QVERIFY(!captioned.isEmpty() && !bare.isEmpty());
        QJsonObject menuRule = keywordRule(QStringLiteral("Menu"), QStringLiteral("contains"), {QStringLiteral("menu")}, QStringLiteral("fallback"));
        menuRule.insert(QStringLiteral("template_id"), captioned);
        QJsonObject fileRule = keywordRule(QStringLiteral("File"), QStringLiteral("contains"), {QStringLiteral("file")}, QStringLiteral("fallback"));
        fileRule.insert(QStringLiteral("template_id"), bare);
        QVERIFY(!s.rule(menuRule).isEmpty() && !s.rule(fileRule).isEmpty());

        s.receive(s.clientA, QStringLiteral("f1"), QStringLiteral("5511990000060"), QStringLiteral("the menu please"));
        s.receive(s.clientA, QStringLiteral("f2"), QStringLiteral("5511990000061"), QStringLiteral("the file please"));
        const QString sql = QStringLiteral("SELECT m.type, m.media_id, COALESCE(m.caption, ''), COALESCE(m.filename, '') FROM messages m "
                                           "JOIN contacts c ON c.id = m.contact_id WHERE m.auto_reply_rule_id IS NOT NULL AND c.phone_number = ?");
        QCOMPARE(s.api.rows(sql, {QStringLiteral("+5511990000060")}, 4), QStringList{QStringLiteral("document|%1|Our menu, friend|menu.pdf").arg(media)});
        QCOMPARE(s.api.rows(sql, {QStringLiteral("+5511990000061")}, 4), QStringList{QStringLiteral("document|%1||menu.pdf").arg(media)});
        // A file a queued reply carries is needed: it cannot be deleted from under it.
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/media/") + media, "DELETE").status, 409);
    }

    // The response pairing skips the automatic reply: the agent's later reply is the response.
    void analyticsSkipsAutoReplies_data() { bothDialects(); }
    void analyticsSkipsAutoReplies()
    {
        WADESK_STAGE(s);
        const QString rule = s.rule(keywordRule(QStringLiteral("Prices"), QStringLiteral("contains"), {QStringLiteral("price")}, QStringLiteral("Prices: example.com")));
        QVERIFY(!rule.isEmpty());
        const qint64 t0 = s.clock.nowMs() - s.clock.nowMs() % 1000;
        s.clock.set(t0);
        s.receive(s.clientA, QStringLiteral("p1"), QStringLiteral("5511990000060"), QStringLiteral("price?"));
        s.clock.set(t0 + 5000);
        // Answered 5 s later by the engine (the processor's clock moved on while it ran).
        QCOMPARE(s.api.exec(QStringLiteral("UPDATE messages SET created_at = ?, status = 'sent', sent_at = ? WHERE auto_reply_rule_id = ?"),
                            {t0 + 5000, t0 + 5000, rule}),
                 true);
        const QString contactId = s.api.rows(QStringLiteral("SELECT id FROM contacts WHERE phone_number = ?"), {QStringLiteral("+5511990000060")}).value(0);
        MessageRecord agent;
        agent.id = QStringLiteral("msg_agentreply0000000000000001");
        agent.organizationId = s.admin.organizationId;
        agent.clientId = s.clientA;
        agent.contactId = contactId;
        agent.direction = MessageDirection::Outbound;
        agent.body = QStringLiteral("Hi, how can I help?");
        agent.status = MessageStatus::Sent;
        agent.createdBy = s.manager.userId;
        agent.createdAt = agent.sentAt = agent.updatedAt = t0 + 60000;
        {
            SqlRunner sql(s.api.database());
            QVERIFY(MessageRepository(sql).insertMany({agent}));
        }
        ResponseRuns runs(s.api.database());
        QVERIFY(runs.refresh());
        QCOMPARE(s.api.rows(QStringLiteral("SELECT response_ms, responder FROM response_runs WHERE contact_id = ?"), {contactId}, 2),
                 QStringList{QStringLiteral("60000|") + s.manager.userId});
        Result<QStringList> differences = runs.verify();
        QVERIFY(differences);
        QCOMPARE(differences.value(), QStringList());
        // Counted apart in the analytics: one automatic reply, one conversation, answered in 60 s.
        const QString day = QDateTime::fromMSecsSinceEpoch(t0, QTimeZone::utc()).date().toString(Qt::ISODate);
        const ApiResponse times = s.call(s.admin, QStringLiteral("/api/analytics/response-times?startDate=%1&endDate=%1").arg(day));
        QVERIFY2(times.status == 200, times.describe().constData());
        QCOMPARE(times.json.value(QStringLiteral("auto_replies")).toInt(), 1);
        QCOMPARE(times.json.value(QStringLiteral("conversations")).toInt(), 1);
        QCOMPARE(times.json.value(QStringLiteral("responses")).toInt(), 1);
        // The reply still counts as a message sent.
        QCOMPARE(s.count(QStringLiteral("SELECT COUNT(*) FROM messages WHERE contact_id = ? AND direction = 'outbound' AND status = 'sent'"),
                         {contactId}),
                 2);
    }
};

QTEST_GUILESS_MAIN(TestAutoReplies)
#include "tst_auto_replies.moc"
