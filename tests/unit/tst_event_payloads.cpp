// The events' definitions (core/events): the wire names (docs/DESIGN.md §6's list), and for every
// event kind the exact bytes a webhook receiver gets (the payloads were written inline by the
// engine, the messaging code and the test route before they were defined once; these are the
// bytes those wrote) and a round trip build → webhook body → parse back to the same values.

#include "tests/support/ManualClock.h"
#include "core/events/Event.h"
#include "core/events/EventPayloads.h"
#include "core/events/EventType.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace wadesk;

namespace {

constexpr qint64 kT = 1900000000000LL; // 2030-03-17T17:46:40Z
const QString kOrg = QStringLiteral("org_1");

MessageEventData aMessage()
{
    MessageEventData m;
    m.messageId = QStringLiteral("msg_1");
    m.clientId = QStringLiteral("client_1");
    m.counterpart = QStringLiteral("+14155550100");
    m.at = kT - 5000;
    return m;
}

ClientEventData aClient(const QString &status, const QString &phone, const QString &reason)
{
    ClientEventData c;
    c.clientId = QStringLiteral("client_1");
    c.status = status;
    c.phoneNumber = phone;
    c.reason = reason;
    return c;
}

// The webhook body, with the random part of the id fixed so it can be compared.
QByteArray wire(const Event &event)
{
    QString body = QString::fromUtf8(QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact));
    body.replace(event.id, QStringLiteral("evt_X"));
    return body.toUtf8();
}

// Through the bytes a receiver gets, and back.
Event overTheWire(const Event &event)
{
    const QByteArray body = QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact);
    const std::optional<Event> back = Event::fromJson(QJsonDocument::fromJson(body).object());
    if (!back)
        return {};
    return *back;
}

} // namespace

class EventPayloadsTest : public QObject {
    Q_OBJECT

private slots:
    void namesAreTheDesignsList()
    {
        const QStringList design = {QStringLiteral("message.sent"),     QStringLiteral("message.delivered"),
                                    QStringLiteral("message.read"),     QStringLiteral("message.failed"),
                                    QStringLiteral("message.received"), QStringLiteral("message.reaction"),
                                    QStringLiteral("message.edited"),   QStringLiteral("message.revoked"),
                                    QStringLiteral("client.qr"),
                                    QStringLiteral("client.connected"), QStringLiteral("client.disconnected"),
                                    QStringLiteral("client.logged_out"), QStringLiteral("client.paused"),
                                    QStringLiteral("client.proxy_failed"),
                                    QStringLiteral("campaign.started"), QStringLiteral("campaign.completed"),
                                    QStringLiteral("campaign.paused"),
                                    QStringLiteral("system.status"),    QStringLiteral("test")};
        QCOMPARE(EventTypes::names(), design);
        for (const QString &name : design) {
            const std::optional<EventType> type = EventTypes::fromName(name);
            QVERIFY2(type, qPrintable(name));
            QCOMPARE(EventTypes::name(*type), name);
            QCOMPARE(int(EventTypes::subject(*type)),
                     int(name.startsWith(QLatin1String("message."))    ? EventSubject::Message
                         : name.startsWith(QLatin1String("client."))   ? EventSubject::Client
                         : name.startsWith(QLatin1String("campaign.")) ? EventSubject::Campaign
                                                                       : EventSubject::System));
        }
        for (const char *unknown : {"*", "", "message.exploded", "MESSAGE.SENT", "message.sent "})
            QVERIFY2(!EventTypes::fromName(QLatin1String(unknown)), unknown);
    }

    // The exact webhook bodies, as the code that wrote each payload inline produced them.
    void wireFormat_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QByteArray>("expected");
        const QByteArray tail = ",\"id\":\"evt_X\",\"organization_id\":\"org_1\",\"timestamp\":\"2030-03-17T17:46:40.000Z\"}";
        // Outbound events also say what the message is: type, and the file (null for a text).
        const QByteArray outgoing = "{\"data\":{\"caption\":null,\"clientId\":\"client_1\",\"filename\":null,\"media_id\":null,\"messageId\":\"msg_1\","
                                    "\"timestamp\":\"2030-03-17T17:46:35.000Z\",\"to\":\"+14155550100\",\"type\":\"text\"},\"event\":\"";
        QTest::newRow("message.sent") << 0 << outgoing + "message.sent\"" + tail;
        QTest::newRow("message.delivered") << 1 << outgoing + "message.delivered\"" + tail;
        QTest::newRow("message.read") << 2 << outgoing + "message.read\"" + tail;
        QTest::newRow("message.failed")
            << 3
            << QByteArray("{\"data\":{\"caption\":null,\"clientId\":\"client_1\",\"filename\":null,\"media_id\":null,\"messageId\":\"msg_1\","
                          "\"reason\":\"the number is not on WhatsApp\",\"timestamp\":\"2030-03-17T17:46:35.000Z\",\"to\":\"+14155550100\","
                          "\"type\":\"text\"},\"event\":\"message.failed\"")
                   + tail;
        QTest::newRow("message.sent (a file)")
            << 20
            << QByteArray("{\"data\":{\"caption\":\"A dot\",\"clientId\":\"client_1\",\"filename\":\"dot.png\",\"media_id\":\"media_1\","
                          "\"messageId\":\"msg_1\",\"timestamp\":\"2030-03-17T17:46:35.000Z\",\"to\":\"+14155550100\",\"type\":\"image\"},"
                          "\"event\":\"message.sent\"")
                   + tail;
        QTest::newRow("message.received")
            << 4
            << QByteArray("{\"data\":{\"body\":\"Hi \\\"there\\\"\",\"caption\":null,\"clientId\":\"client_1\",\"from\":\"+14155550100\",\"media\":null,\"messageId\":\"msg_1\",\"timestamp\":\"2030-03-17T17:46:35.000Z\",\"type\":\"text\"},\"event\":\"message.received\"")
                   + tail;
        QTest::newRow("message.reaction")
            << 5
            << QByteArray("{\"data\":{\"clientId\":\"client_1\",\"from\":\"+14155550100\",\"messageId\":\"msg_1\",\"reaction\":\"\xf0\x9f\x91\x8d\",\"timestamp\":\"2030-03-17T17:46:35.000Z\"},\"event\":\"message.reaction\"")
                   + tail;
        QTest::newRow("message.edited")
            << 6
            << QByteArray("{\"data\":{\"body\":\"see you at 6\",\"caption\":null,\"clientId\":\"client_1\",\"from\":\"+14155550100\",\"messageId\":\"msg_1\",\"timestamp\":\"2030-03-17T17:46:35.000Z\"},\"event\":\"message.edited\"")
                   + tail;
        QTest::newRow("message.revoked")
            << 7
            << QByteArray("{\"data\":{\"clientId\":\"client_1\",\"from\":\"+14155550100\",\"messageId\":\"msg_1\",\"timestamp\":\"2030-03-17T17:46:35.000Z\"},\"event\":\"message.revoked\"")
                   + tail;
        QTest::newRow("client.qr")
            << 8 << QByteArray("{\"data\":{\"clientId\":\"client_1\",\"expires_at\":\"2030-03-17T17:47:40Z\",\"qr\":\"2@abc,def\"},\"event\":\"client.qr\"") + tail;
        QTest::newRow("client.connected")
            << 9
            << QByteArray("{\"data\":{\"clientId\":\"client_1\",\"phoneNumber\":\"+14155550100\",\"reason\":null,\"status\":\"ready\"},\"event\":\"client.connected\"")
                   + tail;
        QTest::newRow("client.disconnected")
            << 10
            << QByteArray("{\"data\":{\"clientId\":\"client_1\",\"phoneNumber\":null,\"reason\":\"the renderer crashed\",\"status\":\"disconnected\"},\"event\":\"client.disconnected\"")
                   + tail;
        QTest::newRow("client.logged_out")
            << 11
            << QByteArray("{\"data\":{\"clientId\":\"client_1\",\"phoneNumber\":\"+14155550100\",\"reason\":null,\"status\":\"logged_out\"},\"event\":\"client.logged_out\"")
                   + tail;
        QTest::newRow("client.paused")
            << 12 << QByteArray("{\"data\":{\"clientId\":\"client_1\",\"reason\":\"5 of the last 10 sends failed\"},\"event\":\"client.paused\"") + tail;
        QTest::newRow("client.proxy_failed")
            << 13
            << QByteArray("{\"data\":{\"clientId\":\"client_1\",\"error\":\"SOCKS5: authentication refused\",\"proxy_id\":\"px_1\"},\"event\":\"client.proxy_failed\"")
                   + tail;
        QTest::newRow("campaign.paused")
            << 30
            << QByteArray("{\"data\":{\"campaign_id\":\"cmp_1\",\"client_ids\":[\"client_1\",\"client_2\"],\"failed\":1,\"name\":\"Summer Sale\","
                          "\"reason\":\"the client client_2 is paused\",\"sent\":3,\"skipped\":2,\"status\":\"paused\","
                          "\"timestamp\":\"2030-03-17T17:46:35.000Z\",\"total\":10},\"event\":\"campaign.paused\"")
                   + tail;
        QTest::newRow("test")
            << 99 << QByteArray("{\"data\":{\"message\":\"This is a test event from WaDesk\",\"webhookId\":\"wh_1\"},\"event\":\"test\"") + tail;
    }
    void wireFormat()
    {
        QFETCH(int, kind);
        QFETCH(QByteArray, expected);
        const ManualClock clock(kT);
        const Event event = build(kind, clock);
        QVERIFY2(QRegularExpression(QStringLiteral("^evt_[0-9A-Za-z]+$")).match(event.id).hasMatch(), qPrintable(event.id));
        QCOMPARE(event.timestamp, kT);
        QCOMPARE(event.organizationId, kOrg);
        QCOMPARE(wire(event), expected);
    }

    // Build → webhook body → parse: the same values come back, through the same definitions.
    void messageEventsRoundTrip_data()
    {
        QTest::addColumn<int>("kind");
        for (int kind = 0; kind <= 7; ++kind)
            QTest::newRow(qPrintable(EventTypes::names().at(kind))) << kind;
    }
    void messageEventsRoundTrip()
    {
        QFETCH(int, kind);
        const ManualClock clock(kT);
        const MessageEventData sentIn = messageFor(kind);
        const Event event = build(kind, clock);
        const Event back = overTheWire(event);
        QCOMPARE(back.id, event.id);
        QCOMPARE(back.type, EventTypes::names().at(kind));
        QCOMPARE(back.organizationId, kOrg);
        QCOMPARE(back.timestamp, kT);
        QCOMPARE(back.data, event.data);
        const std::optional<MessageEventData> m = MessageEvents::parse(back);
        QVERIFY(m);
        QCOMPARE(m->messageId, sentIn.messageId);
        QCOMPARE(m->clientId, sentIn.clientId);
        QCOMPARE(m->counterpart, sentIn.counterpart);
        QCOMPARE(m->body, sentIn.body);
        QCOMPARE(m->reason, sentIn.reason);
        QCOMPARE(m->at, sentIn.at);
        QCOMPARE(m->type, kind <= 4 ? QStringLiteral("text") : QString());
        QVERIFY(m->mediaId.isEmpty() && m->filename.isEmpty());
        QCOMPARE(m->reaction, sentIn.reaction);
        QCOMPARE(m->caption, sentIn.caption);
        QCOMPARE(clientIdOf(back), sentIn.clientId);
        QVERIFY(!ClientEvents::parse(back));
    }

    void clientEventsRoundTrip_data()
    {
        QTest::addColumn<int>("kind");
        for (int kind = 8; kind <= 13; ++kind)
            QTest::newRow(qPrintable(EventTypes::names().at(kind))) << kind;
    }
    void clientEventsRoundTrip()
    {
        QFETCH(int, kind);
        const ManualClock clock(kT);
        const Event back = overTheWire(build(kind, clock));
        QCOMPARE(back.type, EventTypes::names().at(kind));
        const std::optional<ClientEventData> c = ClientEvents::parse(back);
        QVERIFY(c);
        QCOMPARE(c->clientId, QStringLiteral("client_1"));
        QCOMPARE(clientIdOf(back), QStringLiteral("client_1"));
        QVERIFY(!MessageEvents::parse(back));
        switch (kind) {
        case 8:
            QCOMPARE(c->qr, QStringLiteral("2@abc,def"));
            QCOMPARE(c->qrExpiresAt, kT + 60'000); // written to the second: a whole second comes back whole
            break;
        case 9:
            QCOMPARE(c->status, QStringLiteral("ready"));
            QCOMPARE(c->phoneNumber, QStringLiteral("+14155550100"));
            QCOMPARE(c->reason, QString());
            break;
        case 10:
            QCOMPARE(c->status, QStringLiteral("disconnected"));
            QCOMPARE(c->phoneNumber, QString()); // null on the wire
            QCOMPARE(c->reason, QStringLiteral("the renderer crashed"));
            break;
        case 11:
            QCOMPARE(c->status, QStringLiteral("logged_out"));
            break;
        case 12:
            QCOMPARE(c->reason, QStringLiteral("5 of the last 10 sends failed"));
            break;
        case 13:
            QCOMPARE(c->proxyId, QStringLiteral("px_1"));
            QCOMPARE(c->error, QStringLiteral("SOCKS5: authentication refused"));
            break;
        }
    }

    void testEventRoundTrip()
    {
        const ManualClock clock(kT);
        const Event back = overTheWire(SystemEvents::test(kOrg, QStringLiteral("wh_1"), clock));
        QVERIFY(back.is(EventType::Test));
        QCOMPARE(SystemEvents::parseTestWebhookId(back), QStringLiteral("wh_1"));
        QCOMPARE(clientIdOf(back), QString());
        QVERIFY(!MessageEvents::parse(back) && !ClientEvents::parse(back));
    }

    // The event's own time is the clock's, and moves with it; ids stay unique.
    void timestampFollowsTheClock()
    {
        ManualClock clock(kT);
        const Event first = MessageEvents::sent(kOrg, aMessage(), clock);
        clock.advance(1234);
        const Event second = MessageEvents::sent(kOrg, aMessage(), clock);
        QCOMPARE(first.timestamp, kT);
        QCOMPARE(second.timestamp, kT + 1234);
        QCOMPARE(second.toJson().value(QStringLiteral("timestamp")).toString(), QStringLiteral("2030-03-17T17:46:41.234Z"));
        QVERIFY(first.id != second.id);
    }

    void bodiesThatAreNotEventsAreRefused()
    {
        const ManualClock clock(kT);
        QJsonObject body = MessageEvents::sent(kOrg, aMessage(), clock).toJson();
        QVERIFY(Event::fromJson(body));
        QJsonObject unknown = body;
        unknown.insert(QStringLiteral("event"), QStringLiteral("message.exploded"));
        QVERIFY(!Event::fromJson(unknown));
        QJsonObject noId = body;
        noId.remove(QStringLiteral("id"));
        QVERIFY(!Event::fromJson(noId));
        QJsonObject badTime = body;
        badTime.insert(QStringLiteral("timestamp"), QStringLiteral("yesterday"));
        QVERIFY(!Event::fromJson(badTime));
        QVERIFY(!Event::fromJson(QJsonObject()));
    }

private:
    static MessageEventData messageFor(int kind)
    {
        MessageEventData m = aMessage();
        if (kind == 3)
            m.reason = QStringLiteral("the number is not on WhatsApp");
        if (kind == 4)
            m.body = QStringLiteral("Hi \"there\"");
        if (kind == 5)
            m.reaction = QStringLiteral("\U0001F44D");
        if (kind == 6)
            m.body = QStringLiteral("see you at 6");
        return m;
    }

    static Event build(int kind, const Clock &clock)
    {
        const MessageEventData m = messageFor(kind);
        switch (kind) {
        case 0: return MessageEvents::sent(kOrg, m, clock);
        case 1: return MessageEvents::delivered(kOrg, m, clock);
        case 2: return MessageEvents::read(kOrg, m, clock);
        case 3: return MessageEvents::failed(kOrg, m, clock);
        case 4: return MessageEvents::received(kOrg, m, clock);
        case 5: return MessageEvents::reaction(kOrg, m, clock);
        case 6: return MessageEvents::edited(kOrg, m, clock);
        case 7: return MessageEvents::revoked(kOrg, m, clock);
        case 8: return ClientEvents::qr(kOrg, QStringLiteral("client_1"), QStringLiteral("2@abc,def"), kT + 60'000, clock);
        case 9:
            return ClientEvents::stateChanged(EventType::ClientConnected, kOrg, aClient(QStringLiteral("ready"), QStringLiteral("+14155550100"), {}),
                                              clock);
        case 10:
            return ClientEvents::stateChanged(EventType::ClientDisconnected, kOrg,
                                              aClient(QStringLiteral("disconnected"), {}, QStringLiteral("the renderer crashed")), clock);
        case 11:
            return ClientEvents::stateChanged(EventType::ClientLoggedOut, kOrg,
                                              aClient(QStringLiteral("logged_out"), QStringLiteral("+14155550100"), {}), clock);
        case 12: return ClientEvents::paused(kOrg, QStringLiteral("client_1"), QStringLiteral("5 of the last 10 sends failed"), clock);
        case 13: return ClientEvents::proxyFailed(kOrg, QStringLiteral("client_1"), QStringLiteral("px_1"), QStringLiteral("SOCKS5: authentication refused"), clock);
        case 20: {
            MessageEventData file = aMessage();
            file.type = QStringLiteral("image");
            file.mediaId = QStringLiteral("media_1");
            file.caption = QStringLiteral("A dot");
            file.filename = QStringLiteral("dot.png");
            return MessageEvents::sent(kOrg, file, clock);
        }
        case 30: {
            CampaignEventData c;
            c.campaignId = QStringLiteral("cmp_1");
            c.name = QStringLiteral("Summer Sale");
            c.status = QStringLiteral("paused");
            c.clientIds = {QStringLiteral("client_1"), QStringLiteral("client_2")};
            c.total = 10;
            c.sent = 3;
            c.failed = 1;
            c.skipped = 2;
            c.reason = QStringLiteral("the client client_2 is paused");
            c.at = kT - 5000;
            return CampaignEvents::make(EventType::CampaignPaused, kOrg, c, clock);
        }
        default: return SystemEvents::test(kOrg, QStringLiteral("wh_1"), clock);
        }
    }
};

QTEST_GUILESS_MAIN(EventPayloadsTest)
#include "tst_event_payloads.moc"
