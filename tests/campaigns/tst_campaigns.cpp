// Campaigns (issue 13, server side) over real HTTP (CampaignController over CampaignService) with
// the scheduler (CampaignScheduler) run pass by pass on the test thread, on SQLite and
// PostgreSQL. The sender's part is played with the repositories the engine uses (claimNext,
// markSent, applyAck), so every count is known exactly.
//
// Proves: the frozen audience (duplicates removed, opted-out and invalid numbers skipped with their
// reason, contacts tagged after the start not added); illegal transitions 409; the scheduler keeps
// one campaign message per client queued and an interactive message leaves the queue first; pause
// takes the queued message back (nothing more leaves) and resume goes on; a second scheduler (a
// restart) never queues a recipient twice; an opt-out arriving mid-campaign skips the recipient and
// is counted; window edges and the daily cap under a controllable clock in the organization's time
// zone; two clients share the audience; a client paused by its health monitor pauses the campaign
// (campaign.paused); completion (campaign.completed); a campaign whose clients were deleted; the
// analytics shape, replies in the attribution window, the CSV and JSON export;
// stats.active_campaigns; RBAC (agents 403, viewers only campaigns of their clients) and tenants
// (another organization's campaign is 404); a top-level segment_id refused (400 not_supported), an
// unknown audience.segment_id 400; a template_id that is not the organization's is 404 (templates:
// tests/templates/tst_templates.cpp).

#include "tests/support/ApiTestHarness.h"
#include "tests/support/ManualClock.h"
#include "core/campaigns/CampaignScheduler.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>
#include <QTimeZone>

using namespace wadesk;
using namespace wadesk::test;

namespace {

const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);

struct Stage {
    ApiTestHarness api;
    Account admin, manager, agent, viewer, otherAdmin;
    QString clientA; // assigned to the agent and the viewer
    QString clientB;
    QString otherClient;
    int sequence = 0;

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
        otherClient = api.createClient(otherAdmin, QStringLiteral("Theirs"));
        if (!manager.valid() || !agent.valid() || !viewer.valid() || clientA.isEmpty() || clientB.isEmpty() || otherClient.isEmpty())
            return false;
        // Linked, as the engine leaves a client that reached ready.
        if (!api.exec(QStringLiteral("UPDATE clients SET linked = 1, phone_number = ? WHERE id = ?"), {QStringLiteral("+14155550000"), clientA})
            || !api.exec(QStringLiteral("UPDATE clients SET linked = 1, phone_number = ? WHERE id = ?"), {QStringLiteral("+14155550001"), clientB}))
            return false;
        return api.assign(admin, agent.userId, clientA) && api.assign(admin, viewer.userId, clientA);
    }
    ApiResponse call(const Account &who, const QString &path, const QByteArray &method = "GET", const QJsonValue &body = kNoBody)
    {
        return api.request(method, path, body, ApiTestHarness::apiKey(who.apiKey));
    }
    QJsonObject campaign(const QString &id)
    {
        return call(admin, QStringLiteral("/api/campaigns/") + id).json.value(QStringLiteral("campaign")).toObject();
    }
    // Creates and starts a campaign; its id, or empty.
    QString startCampaign(const QJsonObject &body)
    {
        const ApiResponse created = call(admin, QStringLiteral("/api/campaigns"), "POST", body);
        if (created.status != 201) {
            qWarning("create: %s", created.describe().constData());
            return {};
        }
        const QString id = created.json.value(QStringLiteral("campaign")).toObject().value(QStringLiteral("id")).toString();
        const ApiResponse started = call(admin, QStringLiteral("/api/campaigns/%1/start").arg(id), "POST");
        if (started.status != 200) {
            qWarning("start: %s", started.describe().constData());
            return {};
        }
        return id;
    }
    // The sender's part: takes the next message of the client's queue and marks it sent
    // (`ack` 2 delivered, 3 read afterwards). Its id, or empty when the queue is empty.
    QString sendNext(const QString &clientId, int ack = 0)
    {
        SqlRunner sql(api.database());
        MessageRepository messages(sql);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        Result<std::optional<MessageRecord>> claimed = messages.claimNext(clientId, now);
        if (!claimed || !claimed.value())
            return {};
        const QString waId = QStringLiteral("true_wa_%1").arg(++sequence);
        if (!messages.markSent(claimed.value()->id, waId, now))
            return {};
        if (ack > 0)
            (void)messages.applyAck(clientId, waId, ack, now + 1);
        return claimed.value()->id;
    }
    QString bodyOf(const QString &messageId)
    {
        return api.rows(QStringLiteral("SELECT body FROM messages WHERE id = ?"), {messageId}).value(0);
    }
    int eventCount(const QString &type)
    {
        return api.rows(QStringLiteral("SELECT COUNT(*) FROM events WHERE organization_id = ? AND type = ?"), {admin.organizationId, type})
            .value(0)
            .toInt();
    }
    bool optOut(const QString &phone)
    {
        SqlRunner sql(api.database());
        ContactRepository contacts(sql);
        Result<ContactRecord> c = contacts.upsert(admin.organizationId, phone);
        if (!c)
            return false;
        ContactRecord changed = c.value();
        changed.optedOut = true;
        changed.optedOutAt = QDateTime::currentMSecsSinceEpoch();
        return contacts.update(changed).ok();
    }
    int queueDepth(const QString &clientId)
    {
        return api.rows(QStringLiteral("SELECT COUNT(*) FROM outbox WHERE client_id = ?"), {clientId}).value(0).toInt();
    }
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

QJsonArray numbers(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

} // namespace

class TestCampaigns : public QObject {
    Q_OBJECT

    static void bothDialects()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

private slots:
    // A window over midnight belongs to the day it opens; DST days are taken in the zone.
    void sendWindowEdges()
    {
        Result<SendWindow> w = SendWindow::fromJson(QJsonObject{{QStringLiteral("days"), QJsonArray{QStringLiteral("fri")}},
                                                                {QStringLiteral("start"), QStringLiteral("22:00")},
                                                                {QStringLiteral("end"), QStringLiteral("02:00")}});
        QVERIFY(w.ok());
        const QTimeZone zone(QByteArrayLiteral("Europe/Berlin"));
        auto at = [&zone](int day, int h, int m) { return QDateTime(QDate(2030, 3, day), QTime(h, m), zone).toMSecsSinceEpoch(); };
        QVERIFY(!w.value().allows(at(8, 21, 59), zone)); // Friday
        QVERIFY(w.value().allows(at(8, 22, 0), zone));
        QVERIFY(w.value().allows(at(9, 1, 59), zone));   // Saturday, still Friday's opening
        QVERIFY(!w.value().allows(at(9, 2, 0), zone));
        QVERIFY(!w.value().allows(at(9, 22, 30), zone)); // Saturday's own evening: closed
        QCOMPARE(w.value().nextOpen(at(9, 3, 0), zone), at(15, 22, 0));
        QCOMPARE(w.value().closesAfter(at(8, 23, 0), zone), at(9, 2, 0));
        QCOMPARE(w.value().toJson().value(QStringLiteral("days")).toArray(), QJsonArray{QStringLiteral("fri")});
        for (const QJsonValue &bad : {QJsonValue(QStringLiteral("9-5")), QJsonValue(QJsonObject{{QStringLiteral("start"), QStringLiteral("9:00")}, {QStringLiteral("end"), QStringLiteral("17:00")}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("start"), QStringLiteral("09:00")}, {QStringLiteral("end"), QStringLiteral("09:00")}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("days"), QJsonArray{QStringLiteral("funday")}}, {QStringLiteral("start"), QStringLiteral("09:00")}, {QStringLiteral("end"), QStringLiteral("17:00")}}),
                                      QJsonValue(QJsonObject{{QStringLiteral("start"), QStringLiteral("09:00")}, {QStringLiteral("end"), QStringLiteral("17:00")}, {QStringLiteral("tz"), QStringLiteral("UTC")}})})
            QVERIFY2(!SendWindow::fromJson(bad).ok(), QJsonDocument(QJsonObject{{QStringLiteral("w"), bad}}).toJson().constData());
    }

    void frozenAudience_data() { bothDialects(); }
    void frozenAudience()
    {
        WADESK_STAGE(s);
        QVERIFY(s.optOut(QStringLiteral("+14155550109")));
        // 8 valid (one of them twice, written two ways), 1 that sent STOP, 1 invalid.
        QStringList list;
        for (int i = 1; i <= 8; ++i)
            list << QStringLiteral("+1415555010%1").arg(i);
        list << QStringLiteral("+1 415 555 0101") << QStringLiteral("+14155550109") << QStringLiteral("12");
        const ApiResponse created = s.call(s.admin, QStringLiteral("/api/campaigns"), "POST",
                                           QJsonObject{{QStringLiteral("name"), QStringLiteral("Summer Sale")},
                                                       {QStringLiteral("client_id"), s.clientA},
                                                       {QStringLiteral("message"), QStringLiteral("Check out our new products!")},
                                                       {QStringLiteral("audience"), QJsonObject{{QStringLiteral("numbers"), numbers(list)}}}});
        QVERIFY2(created.status == 201, created.describe().constData());
        QCOMPARE(created.json.value(QStringLiteral("message")).toString(), QStringLiteral("Campaign created"));
        const QJsonObject draft = created.json.value(QStringLiteral("campaign")).toObject();
        QCOMPARE(draft.value(QStringLiteral("status")).toString(), QStringLiteral("draft"));
        QVERIFY(draft.value(QStringLiteral("id")).toString().startsWith(QStringLiteral("cmp_")));
        QVERIFY(draft.value(QStringLiteral("estimated_finish")).isNull());
        const QString id = draft.value(QStringLiteral("id")).toString();
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/analytics/stats")).json.value(QStringLiteral("active_campaigns")).toInt(), 0);

        // Illegal transitions of a draft.
        for (const char *action : {"pause", "resume"}) {
            const ApiResponse r = s.call(s.admin, QStringLiteral("/api/campaigns/%1/%2").arg(id, QLatin1String(action)), "POST");
            QVERIFY2(r.isError(409, QStringLiteral("invalid_campaign_state")), r.describe().constData());
        }
        const ApiResponse started = s.call(s.admin, QStringLiteral("/api/campaigns/%1/start").arg(id), "POST");
        QVERIFY2(started.status == 200, started.describe().constData());
        const QJsonObject c = started.json.value(QStringLiteral("campaign")).toObject();
        QCOMPARE(c.value(QStringLiteral("status")).toString(), QStringLiteral("running"));
        QCOMPARE(c.value(QStringLiteral("total")).toInt(), 10);
        QCOMPARE(c.value(QStringLiteral("pending")).toInt(), 8);
        QCOMPARE(c.value(QStringLiteral("skipped")).toInt(), 2);
        QVERIFY(!c.value(QStringLiteral("started_at")).isNull());
        QVERIFY(!c.value(QStringLiteral("estimated_finish")).isNull());
        QCOMPARE(s.eventCount(QStringLiteral("campaign.started")), 1);
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/analytics/stats")).json.value(QStringLiteral("active_campaigns")).toInt(), 1);
        const ApiResponse again = s.call(s.admin, QStringLiteral("/api/campaigns/%1/start").arg(id), "POST");
        QVERIFY2(again.isError(409, QStringLiteral("invalid_campaign_state")), again.describe().constData());

        const ApiResponse skipped = s.call(s.admin, QStringLiteral("/api/campaigns/%1/recipients?status=skipped").arg(id));
        QCOMPARE(skipped.json.value(QStringLiteral("total")).toInt(), 2);
        QHash<QString, QString> reasons;
        for (const QJsonValue &v : skipped.json.value(QStringLiteral("recipients")).toArray())
            reasons.insert(v.toObject().value(QStringLiteral("phone_number")).toString(), v.toObject().value(QStringLiteral("reason")).toString());
        QCOMPARE(reasons.value(QStringLiteral("+14155550109")), QStringLiteral("opted_out"));
        QCOMPARE(reasons.value(QStringLiteral("12")), QStringLiteral("invalid_number"));
        const ApiResponse page = s.call(s.admin, QStringLiteral("/api/campaigns/%1/recipients?status=pending&limit=3&offset=3").arg(id));
        QCOMPARE(page.json.value(QStringLiteral("total")).toInt(), 8);
        QCOMPARE(page.json.value(QStringLiteral("recipients")).toArray().size(), 3);
        QCOMPARE(page.json.value(QStringLiteral("recipients")).toArray().at(0).toObject().value(QStringLiteral("phone_number")).toString(),
                 QStringLiteral("+14155550104"));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns/%1/recipients?status=bogus").arg(id)).isError(400, QStringLiteral("validation_failed")));

        // A tag audience is frozen at the start: a contact tagged afterwards is not added.
        SqlRunner sql(s.api.database());
        ContactRepository contacts(sql);
        for (const QString &phone : {QStringLiteral("+14155550201"), QStringLiteral("+14155550202")}) {
            Result<ContactRecord> c = contacts.upsert(s.admin.organizationId, phone);
            QVERIFY(c.ok());
            ContactRecord tagged = c.value();
            tagged.tags = {QStringLiteral("vip")};
            QVERIFY(contacts.update(tagged).ok());
        }
        const QString byTag = s.startCampaign(QJsonObject{{QStringLiteral("name"), QStringLiteral("VIP")},
                                                          {QStringLiteral("client_id"), s.clientA},
                                                          {QStringLiteral("message"), QStringLiteral("for you")},
                                                          {QStringLiteral("audience"), QJsonObject{{QStringLiteral("tags"), QJsonArray{QStringLiteral("vip")}}}}});
        QVERIFY(!byTag.isEmpty());
        Result<ContactRecord> late = contacts.upsert(s.admin.organizationId, QStringLiteral("+14155550203"));
        QVERIFY(late.ok());
        ContactRecord lateTagged = late.value();
        lateTagged.tags = {QStringLiteral("vip")};
        QVERIFY(contacts.update(lateTagged).ok());
        QCOMPARE(s.campaign(byTag).value(QStringLiteral("total")).toInt(), 2);

        // Bad input: 400, nothing stored.
        const int before = s.api.rows(QStringLiteral("SELECT COUNT(*) FROM campaigns")).value(0).toInt();
        const QJsonObject good{{QStringLiteral("name"), QStringLiteral("x")},
                               {QStringLiteral("client_id"), s.clientA},
                               {QStringLiteral("message"), QStringLiteral("x")},
                               {QStringLiteral("audience"), QJsonObject{{QStringLiteral("numbers"), numbers({QStringLiteral("+14155550101")})}}}};
        auto with = [&good](const QString &key, const QJsonValue &value) {
            QJsonObject o = good;
            o.insert(key, value);
            return o;
        };
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns"), "POST", with(QStringLiteral("template_id"), QStringLiteral("tpl_1")))
                    .isError(400, QStringLiteral("validation_failed"))); // message and template_id
        QJsonObject byTemplate = good;
        byTemplate.remove(QStringLiteral("message"));
        byTemplate.insert(QStringLiteral("template_id"), QStringLiteral("tpl_1"));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns"), "POST", byTemplate).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns"), "POST",
                       with(QStringLiteral("audience"), QJsonObject{{QStringLiteral("segment_id"), QStringLiteral("seg_1")}}))
                    .isError(400, QStringLiteral("validation_failed"))); // no such segment (tst_segments starts one)
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns"), "POST", with(QStringLiteral("audience"), QJsonObject{}))
                    .isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns"), "POST",
                       with(QStringLiteral("send_window"), QJsonObject{{QStringLiteral("start"), QStringLiteral("25:00")}, {QStringLiteral("end"), QStringLiteral("10:00")}}))
                    .isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns"), "POST", with(QStringLiteral("daily_cap"), 0)).isError(400, QStringLiteral("validation_failed")));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns"), "POST", with(QStringLiteral("client_id"), s.otherClient)).isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.api.rows(QStringLiteral("SELECT COUNT(*) FROM campaigns")).value(0).toInt(), before);
    }

    void feedingPriorityPauseResume_data() { bothDialects(); }
    void feedingPriorityPauseResume()
    {
        WADESK_STAGE(s);
        const QString id = s.startCampaign(QJsonObject{
            {QStringLiteral("name"), QStringLiteral("Three")},
            {QStringLiteral("client_id"), s.clientA},
            {QStringLiteral("message"), QStringLiteral("campaign text")},
            {QStringLiteral("audience"),
             QJsonObject{{QStringLiteral("numbers"), numbers({QStringLiteral("+14155550301"), QStringLiteral("+14155550302"), QStringLiteral("+14155550303")})}}}});
        QVERIFY(!id.isEmpty());
        CampaignScheduler scheduler(s.api.database(), nullptr, nullptr, MessagingSettings(), CampaignSettings());
        QCOMPARE(scheduler.runOnce(), 1);
        QCOMPARE(scheduler.runOnce(), 0); // one campaign message in the queue at a time
        QCOMPARE(s.queueDepth(s.clientA), 1);
        // A restart (another scheduler on the same data) queues nothing twice.
        {
            CampaignScheduler restarted(s.api.database(), nullptr, nullptr, MessagingSettings(), CampaignSettings());
            QCOMPARE(restarted.runOnce(), 0);
        }
        QCOMPARE(s.api.rows(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_id = ?"), {s.clientA}).value(0).toInt(), 1);

        // An interactive message sent afterwards leaves the queue first.
        const ApiResponse sent = s.call(s.admin, QStringLiteral("/api/clients/%1/send-message").arg(s.clientA), "POST",
                                        QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550399")}, {QStringLiteral("message"), QStringLiteral("interactive")}});
        QVERIFY2(sent.status == 200, sent.describe().constData());
        QCOMPARE(s.bodyOf(s.sendNext(s.clientA)), QStringLiteral("interactive"));
        QCOMPARE(s.bodyOf(s.sendNext(s.clientA)), QStringLiteral("campaign text"));
        QCOMPARE(scheduler.runOnce(), 1);
        QCOMPARE(s.campaign(id).value(QStringLiteral("sent")).toInt(), 1);
        QCOMPARE(s.campaign(id).value(QStringLiteral("queued")).toInt(), 1);

        // Pause: the queued one comes back out, nothing more leaves.
        const ApiResponse paused = s.call(s.admin, QStringLiteral("/api/campaigns/%1/pause").arg(id), "POST");
        QVERIFY2(paused.status == 200, paused.describe().constData());
        QCOMPARE(paused.json.value(QStringLiteral("campaign")).toObject().value(QStringLiteral("status")).toString(), QStringLiteral("paused"));
        QCOMPARE(s.queueDepth(s.clientA), 0);
        QCOMPARE(s.sendNext(s.clientA), QString());
        QCOMPARE(scheduler.runOnce(), 0);
        QCOMPARE(s.campaign(id).value(QStringLiteral("pending")).toInt(), 2);
        QCOMPARE(s.eventCount(QStringLiteral("campaign.paused")), 1);
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/analytics/stats")).json.value(QStringLiteral("active_campaigns")).toInt(), 0);

        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns/%1/resume").arg(id), "POST").status == 200);
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns/%1/resume").arg(id), "POST").isError(409, QStringLiteral("invalid_campaign_state")));
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(scheduler.runOnce(), 1);
            QVERIFY(!s.sendNext(s.clientA, 3).isEmpty());
        }
        QCOMPARE(scheduler.runOnce(), 0);
        const QJsonObject done = s.campaign(id);
        QCOMPARE(done.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
        QVERIFY(!done.value(QStringLiteral("completed_at")).isNull());
        QCOMPARE(done.value(QStringLiteral("sent")).toInt(), 3);
        QCOMPARE(done.value(QStringLiteral("read")).toInt(), 2);
        QCOMPARE(s.eventCount(QStringLiteral("campaign.completed")), 1);
        // Exactly one message per recipient.
        QCOMPARE(s.api.rows(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_id = ? AND body = 'campaign text'"), {s.clientA}).value(0).toInt(), 3);
        QCOMPARE(s.api.rows(QStringLiteral("SELECT COUNT(DISTINCT contact_id) FROM messages WHERE client_id = ? AND body = 'campaign text'"), {s.clientA})
                     .value(0)
                     .toInt(),
                 3);
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns/%1/cancel").arg(id), "POST").isError(409, QStringLiteral("invalid_campaign_state")));
    }

    void optOutMidCampaignAndAnalytics_data() { bothDialects(); }
    void optOutMidCampaignAndAnalytics()
    {
        WADESK_STAGE(s);
        const QString id = s.startCampaign(QJsonObject{
            {QStringLiteral("name"), QStringLiteral("Two")},
            {QStringLiteral("client_id"), s.clientA},
            {QStringLiteral("message"), QStringLiteral("hello")},
            {QStringLiteral("audience"), QJsonObject{{QStringLiteral("numbers"), numbers({QStringLiteral("+14155550401"), QStringLiteral("+14155550402"), QStringLiteral("+14155550403")})}}}});
        QVERIFY(!id.isEmpty());
        CampaignScheduler scheduler(s.api.database(), nullptr, nullptr, MessagingSettings(), CampaignSettings());
        QCOMPARE(scheduler.runOnce(), 1);
        QVERIFY(s.optOut(QStringLiteral("+14155550402"))); // STOP arrives mid-campaign
        const QString first = s.sendNext(s.clientA, 2);
        QVERIFY(!first.isEmpty());
        // The first recipient answers within the attribution window.
        {
            SqlRunner sql(s.api.database());
            const QString contact = s.api.rows(QStringLiteral("SELECT contact_id FROM messages WHERE id = ?"), {first}).value(0);
            MessageRecord in;
            in.id = Ids::make("msg");
            in.organizationId = s.admin.organizationId;
            in.clientId = s.clientA;
            in.contactId = contact;
            in.direction = MessageDirection::Inbound;
            in.body = QStringLiteral("thanks!");
            in.status = MessageStatus::Received;
            in.waMessageId = QStringLiteral("false_in_1");
            in.createdAt = in.sentAt = in.updatedAt = QDateTime::currentMSecsSinceEpoch() + 1000;
            QVERIFY(MessageRepository(sql).insertIfNew(in).ok());
        }
        QCOMPARE(scheduler.runOnce(), 1); // 0402 skipped, 0403 queued
        QVERIFY(!s.sendNext(s.clientA).isEmpty());
        QCOMPARE(scheduler.runOnce(), 0);
        QCOMPARE(s.campaign(id).value(QStringLiteral("status")).toString(), QStringLiteral("completed"));

        const ApiResponse a = s.call(s.admin, QStringLiteral("/api/analytics/campaigns/") + id);
        QVERIFY2(a.status == 200, a.describe().constData());
        QCOMPARE(a.json.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(a.json.value(QStringLiteral("name")).toString(), QStringLiteral("Two"));
        QCOMPARE(a.json.value(QStringLiteral("total_sent")).toInt(), 2);
        QCOMPARE(a.json.value(QStringLiteral("delivered")).toInt(), 1);
        QCOMPARE(a.json.value(QStringLiteral("read")).toInt(), 0);
        QCOMPARE(a.json.value(QStringLiteral("clicked")).toInt(), 0);
        QCOMPARE(a.json.value(QStringLiteral("delivery_rate")).toDouble(), 50.0);
        QCOMPARE(a.json.value(QStringLiteral("read_rate")).toDouble(), 0.0);
        QCOMPARE(a.json.value(QStringLiteral("click_rate")).toInt(), 0);
        QCOMPARE(a.json.value(QStringLiteral("click_tracking")).toBool(true), false);
        QCOMPARE(a.json.value(QStringLiteral("replied")).toInt(), 1);
        QCOMPARE(a.json.value(QStringLiteral("skipped")).toInt(), 1);
        QCOMPARE(a.json.value(QStringLiteral("skipped_by_reason")).toObject().value(QStringLiteral("opted_out")).toInt(), 1);
        QCOMPARE(a.json.value(QStringLiteral("opted_out")).toInt(), 1);
        QCOMPARE(a.json.value(QStringLiteral("failed")).toInt(), 0);

        const ApiResponse csv = s.call(s.admin, QStringLiteral("/api/analytics/campaigns/%1/export?format=csv").arg(id));
        QCOMPARE(csv.status, 200);
        QVERIFY(csv.header("content-type").startsWith("text/csv"));
        const QList<QByteArray> lines = csv.body.split('\n');
        QCOMPARE(lines.size(), 1 + 3 + 1); // header, 3 rows, the empty piece after the last CRLF
        QVERIFY(lines.at(0).startsWith("phone_number,status,reason,message_id"));
        QVERIFY(lines.at(2).contains(",skipped,opted_out,"));
        const ApiResponse json = s.call(s.admin, QStringLiteral("/api/analytics/campaigns/%1/export?format=json").arg(id));
        QCOMPARE(json.json.value(QStringLiteral("recipients")).toArray().size(), 3);
        QVERIFY(json.json.value(QStringLiteral("recipients")).toArray().at(0).toObject().value(QStringLiteral("replied")).toBool());
        QVERIFY(s.call(s.admin, QStringLiteral("/api/analytics/campaigns/%1/export?format=xml").arg(id)).isError(400, QStringLiteral("validation_failed")));
    }

    void windowAndDailyCap_data() { bothDialects(); }
    void windowAndDailyCap()
    {
        WADESK_STAGE(s);
        QVERIFY(s.call(s.admin, QStringLiteral("/api/organization"), "PATCH", QJsonObject{{QStringLiteral("time_zone"), QStringLiteral("America/New_York")}}).status == 200);
        const QString id = s.startCampaign(QJsonObject{
            {QStringLiteral("name"), QStringLiteral("Office hours")},
            {QStringLiteral("client_id"), s.clientA},
            {QStringLiteral("message"), QStringLiteral("hello")},
            {QStringLiteral("send_window"), QJsonObject{{QStringLiteral("days"), QJsonArray{QStringLiteral("mon"), QStringLiteral("tue"), QStringLiteral("wed"), QStringLiteral("thu"), QStringLiteral("fri")}},
                                                      {QStringLiteral("start"), QStringLiteral("09:00")},
                                                      {QStringLiteral("end"), QStringLiteral("17:00")}}},
            {QStringLiteral("daily_cap"), 1},
            {QStringLiteral("audience"), QJsonObject{{QStringLiteral("numbers"), numbers({QStringLiteral("+14155550501"), QStringLiteral("+14155550502")})}}}});
        QVERIFY(!id.isEmpty());
        const QTimeZone ny(QByteArrayLiteral("America/New_York"));
        auto at = [&ny](int day, int h, int m, int ms = 0) { // 2030-03-04 is a Monday
            return QDateTime(QDate(2030, 3, day), QTime(h, m), ny).toMSecsSinceEpoch() + ms;
        };
        ManualClock clock(at(4, 8, 59) + 59999);
        CampaignScheduler scheduler(s.api.database(), nullptr, nullptr, MessagingSettings(), CampaignSettings(), clock);
        QCOMPARE(scheduler.runOnce(), 0); // Monday 08:59:59.999
        clock.set(at(4, 9, 0));
        QCOMPARE(scheduler.runOnce(), 1); // Monday 09:00
        QVERIFY(!s.sendNext(s.clientA).isEmpty());
        clock.set(at(4, 10, 0));
        QCOMPARE(scheduler.runOnce(), 0); // the day's cap of 1 is used
        clock.set(at(8, 17, 0));
        QCOMPARE(scheduler.runOnce(), 0); // Friday 17:00: closed
        clock.set(at(9, 10, 0));
        QCOMPARE(scheduler.runOnce(), 0); // Saturday
        clock.set(at(11, 16, 59) + 59999);
        QCOMPARE(scheduler.runOnce(), 1); // Monday 16:59:59.999
        QCOMPARE(s.campaign(id).value(QStringLiteral("queued")).toInt(), 1);
    }

    void twoClientsAndHealthPause_data() { bothDialects(); }
    void twoClientsAndHealthPause()
    {
        WADESK_STAGE(s);
        const QString id = s.startCampaign(QJsonObject{
            {QStringLiteral("name"), QStringLiteral("Both")},
            {QStringLiteral("client_ids"), QJsonArray{s.clientA, s.clientB}},
            {QStringLiteral("message"), QStringLiteral("hello")},
            {QStringLiteral("audience"), QJsonObject{{QStringLiteral("numbers"), numbers({QStringLiteral("+14155550601"), QStringLiteral("+14155550602"),
                                                                                          QStringLiteral("+14155550603"), QStringLiteral("+14155550604")})}}}});
        QVERIFY(!id.isEmpty());
        QCOMPARE(s.api.rows(QStringLiteral("SELECT client_id, COUNT(*) FROM campaign_recipients WHERE campaign_id = ? GROUP BY client_id ORDER BY client_id"), {id}, 2).size(), 2);
        QCOMPARE(s.api.rows(QStringLiteral("SELECT COUNT(*) FROM campaign_recipients WHERE campaign_id = ? AND client_id = ?"), {id, s.clientB}).value(0).toInt(), 2);
        CampaignScheduler scheduler(s.api.database(), nullptr, nullptr, MessagingSettings(), CampaignSettings());
        QCOMPARE(scheduler.runOnce(), 2); // one per client
        QCOMPARE(s.queueDepth(s.clientA), 1);
        QCOMPARE(s.queueDepth(s.clientB), 1);
        // The health monitor pauses client B: the campaign pauses, its queued messages come back.
        QVERIFY(s.api.exec(QStringLiteral("UPDATE clients SET paused = 1, paused_reason = '5 of the last 20 sends failed' WHERE id = ?"), {s.clientB}));
        QCOMPARE(scheduler.runOnce(), 0);
        const QJsonObject c = s.campaign(id);
        QCOMPARE(c.value(QStringLiteral("status")).toString(), QStringLiteral("paused"));
        QVERIFY(c.value(QStringLiteral("paused_reason")).toString().contains(QStringLiteral("5 of the last 20 sends failed")));
        QCOMPARE(s.queueDepth(s.clientA) + s.queueDepth(s.clientB), 0);
        QCOMPARE(s.eventCount(QStringLiteral("campaign.paused")), 1);
    }

    // Deleting a campaign's only client: a draft cannot start (409), a running one pauses.
    void clientDeleted_data() { bothDialects(); }
    void clientDeleted()
    {
        WADESK_STAGE(s);
        const QJsonObject body{{QStringLiteral("name"), QStringLiteral("B")},
                               {QStringLiteral("client_id"), s.clientB},
                               {QStringLiteral("message"), QStringLiteral("hi")},
                               {QStringLiteral("audience"), QJsonObject{{QStringLiteral("numbers"), numbers({QStringLiteral("+14155550801")})}}}};
        const QString draft = s.call(s.admin, QStringLiteral("/api/campaigns"), "POST", body).json.value(QStringLiteral("campaign")).toObject().value(QStringLiteral("id")).toString();
        const QString running = s.startCampaign(body);
        QVERIFY(!draft.isEmpty() && !running.isEmpty());
        const ApiResponse removed = s.call(s.admin, QStringLiteral("/api/clients/") + s.clientB, "DELETE");
        QVERIFY2(removed.status == 200, removed.describe().constData());
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns/%1/start").arg(draft), "POST").isError(409, QStringLiteral("campaign_without_clients")));
        CampaignScheduler scheduler(s.api.database(), nullptr, nullptr, MessagingSettings(), CampaignSettings());
        QCOMPARE(scheduler.runOnce(), 0);
        const QJsonObject c = s.campaign(running);
        QCOMPARE(c.value(QStringLiteral("status")).toString(), QStringLiteral("paused"));
        QCOMPARE(c.value(QStringLiteral("paused_reason")).toString(), QStringLiteral("its clients no longer exist"));
    }

    void rbacAndTenants_data() { bothDialects(); }
    void rbacAndTenants()
    {
        WADESK_STAGE(s);
        const QJsonObject body{{QStringLiteral("name"), QStringLiteral("A")},
                               {QStringLiteral("client_id"), s.clientA},
                               {QStringLiteral("message"), QStringLiteral("hi")},
                               {QStringLiteral("audience"), QJsonObject{{QStringLiteral("numbers"), numbers({QStringLiteral("+14155550701")})}}}};
        QVERIFY(s.call(s.agent, QStringLiteral("/api/campaigns"), "POST", body).isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.viewer, QStringLiteral("/api/campaigns"), "POST", body).isError(403, QStringLiteral("forbidden")));
        const ApiResponse byManager = s.call(s.manager, QStringLiteral("/api/campaigns"), "POST", body);
        QVERIFY2(byManager.status == 201, byManager.describe().constData());
        const QString onA = byManager.json.value(QStringLiteral("campaign")).toObject().value(QStringLiteral("id")).toString();
        QJsonObject bodyB = body;
        bodyB.insert(QStringLiteral("client_id"), s.clientB);
        const QString onB = s.call(s.admin, QStringLiteral("/api/campaigns"), "POST", bodyB).json.value(QStringLiteral("campaign")).toObject().value(QStringLiteral("id")).toString();
        QVERIFY(!onB.isEmpty());

        QVERIFY(s.call(s.agent, QStringLiteral("/api/campaigns")).isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.agent, QStringLiteral("/api/analytics/campaigns/") + onA).isError(403, QStringLiteral("forbidden")));
        QVERIFY(s.call(s.viewer, QStringLiteral("/api/campaigns/%1/start").arg(onA), "POST").isError(403, QStringLiteral("forbidden")));
        // Viewers: campaigns of their assigned clients only.
        const ApiResponse list = s.call(s.viewer, QStringLiteral("/api/campaigns"));
        QCOMPARE(list.json.value(QStringLiteral("total")).toInt(), 1);
        QCOMPARE(list.json.value(QStringLiteral("campaigns")).toArray().at(0).toObject().value(QStringLiteral("id")).toString(), onA);
        QCOMPARE(s.call(s.viewer, QStringLiteral("/api/analytics/campaigns/") + onA).status, 200);
        QVERIFY(s.call(s.viewer, QStringLiteral("/api/analytics/campaigns/") + onB).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.viewer, QStringLiteral("/api/campaigns/") + onB).isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/campaigns")).json.value(QStringLiteral("total")).toInt(), 2);
        // Another organization: 404 everywhere, nothing changes.
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/campaigns/") + onA).isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/campaigns/%1/start").arg(onA), "POST").isError(404, QStringLiteral("not_found")));
        QVERIFY(s.call(s.otherAdmin, QStringLiteral("/api/analytics/campaigns/%1/export").arg(onA)).isError(404, QStringLiteral("not_found")));
        QCOMPARE(s.call(s.otherAdmin, QStringLiteral("/api/campaigns")).json.value(QStringLiteral("total")).toInt(), 0);
        QCOMPARE(s.campaign(onA).value(QStringLiteral("status")).toString(), QStringLiteral("draft"));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/campaigns/cmp_%00")).status == 404);
        // A cancelled draft stays cancelled.
        QCOMPARE(s.call(s.manager, QStringLiteral("/api/campaigns/%1/cancel").arg(onA), "POST").status, 200);
        QVERIFY(s.call(s.manager, QStringLiteral("/api/campaigns/%1/start").arg(onA), "POST").isError(409, QStringLiteral("invalid_campaign_state")));
    }
};

QTEST_GUILESS_MAIN(TestCampaigns)

#include "tst_campaigns.moc"
