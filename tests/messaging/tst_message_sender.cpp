// The sending and receiving halves of messaging against a real database of both dialects and a
// fake MessageTransport (no browser): MessageSender takes queued messages one at a time
// (queued → sending → sent, events in order), honours the rate tiers with an injected clock
// (a per-minute limit of 5: the 6th waits until the clock moves past the minute), paces with
// typing presence proportional to the text and a gap between messages, checks unknown numbers
// first, trips its health monitor after 5 failures, sends files read from the media library
// (a deleted one fails the message clearly); a send WhatsApp refuses ends failed once;
// OutboundAcks moves statuses forward only, holds acks that come before the send's id is
// recorded and applies them in order (bounded, expiring, also for messages sent by another
// path); InboundProcessor stores incoming messages once, flips opt-out / opt-in on exact
// keywords and does not store the page's echo of a send twice; interrupted sends are failed at
// start and never resent; on SQLite whose disk fills up, queued sends wait and go out once it
// is freed.

#include "tests/support/ManualClock.h"
#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "tests/support/Tmpfs.h"

#include "core/common/RuntimeMetrics.h"
#include "core/events/EventBus.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/engine/SessionRegistry.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/InboundProcessor.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/MessageSender.h"
#include "core/messaging/MessageTransport.h"
#include "core/messaging/OutboundAcks.h"
#include "tests/support/InMemoryMediaLibrary.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>
#include <QTimer>
#include <algorithm>
#include <functional>
#include <memory>

using namespace wadesk;
using wadesk::test::addDialectRows;

namespace {

const QString kOwnChat = QStringLiteral("15550001111@c.us");

qint64 wallClock()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// A session as the sender sees it, answering on the next turn of the event loop (or when the
// test releases the held answers). Records everything it was asked.
class FakeTransport final : public QObject, public MessageTransport {
public:
    struct Composing {
        QString chat;
        int durationMs = 0;
        qint64 at = 0;
    };
    struct Send {
        QString chat;
        QString text;
        qint64 at = 0;
        qint64 answeredAt = 0;
        QString waId;
        bool ok = false;
    };

    bool ready = true;
    bool hold = false;               // keep the answers of sendText until release()
    QSet<QString> notOnWhatsApp;     // chat ids queryExists answers "no" for
    QString queryError;              // non-empty: queryExists fails with it
    QStringList failures;            // the next sends fail with these reasons, first first
    QStringList refusals;            // then the next sends are refused by WhatsApp with these reasons
    std::function<void(const QString &waId)> beforeAnswer;
    QList<OutgoingFile> files;       // what sendFile was given
    // Called just before a successful send is answered, like the page's echo of its own message.
    std::function<void(const QString &chat, const QString &text, const QString &waId)> echo;

    QList<Composing> composing;
    QList<Send> sends;
    QStringList queries;
    QList<std::function<void()>> held;

    bool isReady() const override { return ready; }

    void markComposing(const QString &chatId, int durationMs) override { composing << Composing{chatId, durationMs, wallClock()}; }

    void sendText(const QString &chatId, const QString &text, SendDone done) override { send(chatId, text, std::move(done)); }

    void sendFile(const QString &chatId, const OutgoingFile &file, SendDone done) override
    {
        files << file;
        send(chatId, file.caption, std::move(done));
    }

    // Like the page: a failure (rejected, no id), a refusal (WhatsApp took it and refused it:
    // an id and a reason), or a success; `beforeAnswer` runs first (acks that beat the answer).
    void send(const QString &chatId, const QString &text, SendDone done)
    {
        const bool fail = !failures.isEmpty();
        const bool refused = !fail && !refusals.isEmpty();
        const QString reason = fail ? failures.takeFirst() : refused ? refusals.takeFirst() : QString();
        const QString waId = fail ? QString() : QStringLiteral("true_%1_3EB0%2").arg(chatId).arg(++m_sequence, 16, 10, QLatin1Char('0'));
        const int index = int(sends.size());
        sends << Send{chatId, text, wallClock(), 0, waId, !fail && !refused};
        auto answer = [this, index, done, waId, fail, refused, reason, chatId, text]() {
            if (!fail && echo)
                echo(chatId, text, waId);
            if (beforeAnswer)
                beforeAnswer(waId);
            sends[index].answeredAt = wallClock();
            done(!fail && !refused, waId, reason);
        };
        if (hold)
            held << answer;
        else
            QTimer::singleShot(0, this, answer);
    }

    void queryExists(const QString &chatId, std::function<void(bool ok, bool exists, const QString &error)> done) override
    {
        queries << chatId;
        const QString error = queryError;
        const bool exists = !notOnWhatsApp.contains(chatId);
        QTimer::singleShot(0, this, [done, error, exists]() { done(error.isEmpty(), exists, error); });
    }

    void release()
    {
        const QList<std::function<void()>> answers = held;
        held.clear();
        for (const auto &a : answers)
            a();
    }

    QStringList texts() const
    {
        QStringList out;
        for (const Send &s : sends)
            out << s.text;
        return out;
    }

private:
    int m_sequence = 0;
};

MessagingSettings quickSettings()
{
    MessagingSettings s;
    s.pacing = PacingSettings{0, 0, 0, 0, 0, 0.0, 0, 0};
    s.checkNumberExists = false;
    s.defaultTiers = RateTiers{1000, 100000, 1000000};
    return s;
}

// One organization with one client on a migrated database, the event bus and what it published.
class World {
public:
    explicit World(Database &database)
        : db(database)
    {
        QObject::connect(&bus, &EventBus::published, &bus, [this](const Event &e) { events << e; });
    }

    bool setUp()
    {
        const Result<int> migrated = Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate();
        if (!migrated) {
            qWarning("migration: %s", qPrintable(migrated.error().message));
            return false;
        }
        org = Ids::make("org");
        client = Ids::make("client");
        const qint64 now = wallClock();
        SqlRunner sql(db);
        return sql.change(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"),
                          {org, QStringLiteral("Sender Org"), now, now})
                   .ok()
            && sql.change(QStringLiteral("INSERT INTO clients (id, organization_id, name, phone_number, status, linked, created_at, updated_at) "
                                         "VALUES (?, ?, ?, ?, 'ready', 1, ?, ?)"),
                          {client, org, QStringLiteral("Front desk"), QStringLiteral("+15550001111"), now, now})
                   .ok();
    }

    // What MessageService does for an accepted send: contact, message and queue entry together.
    QString queue(const QString &phone, const QString &body)
    {
        SqlRunner sql(db);
        MessageRepository messages(sql);
        ContactRepository contacts(sql);
        Transaction tx(db);
        if (!tx.begin())
            return {};
        Result<ContactRecord> contact = contacts.upsert(org, phone);
        if (!contact)
            return {};
        MessageRecord m;
        m.id = Ids::make("msg");
        m.organizationId = org;
        m.clientId = client;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Outbound;
        m.body = body;
        m.status = MessageStatus::Queued;
        m.createdAt = m.updatedAt = wallClock();
        if (!messages.insertMany({m}) || !messages.enqueueMany({m}) || !tx.commit())
            return {};
        return m.id;
    }

    // A file message as MessageService queues it.
    QString queueFile(const QString &phone, const MediaInfo &media, const QString &caption)
    {
        SqlRunner sql(db);
        MessageRepository messages(sql);
        ContactRepository contacts(sql);
        Transaction tx(db);
        if (!tx.begin())
            return {};
        Result<ContactRecord> contact = contacts.upsert(org, phone);
        if (!contact)
            return {};
        MessageRecord m;
        m.id = Ids::make("msg");
        m.organizationId = org;
        m.clientId = client;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Outbound;
        m.body = caption;
        m.type = media.kind;
        m.mediaId = media.id;
        m.caption = caption;
        m.filename = media.filename;
        m.status = MessageStatus::Queued;
        m.createdAt = m.updatedAt = wallClock();
        if (!messages.insertMany({m}) || !messages.enqueueMany({m}) || !tx.commit())
            return {};
        return m.id;
    }

    MessageRecord message(const QString &id)
    {
        SqlRunner sql(db);
        MessageRepository messages(sql);
        Result<std::optional<MessageRecord>> found = messages.find(org, id, ClientScope::all());
        return found && found.value() ? *found.value() : MessageRecord();
    }
    QString status(const QString &id)
    {
        const MessageRecord m = message(id);
        return m.id.isEmpty() ? QString() : messageStatusName(m.status); // empty: no such message
    }

    ContactRecord contact(const QString &phone)
    {
        SqlRunner sql(db);
        ContactRepository contacts(sql);
        Result<std::optional<ContactRecord>> found = contacts.findByPhone(org, phone);
        return found && found.value() ? *found.value() : ContactRecord();
    }

    int scalar(const QString &sqlText, const QVariantList &bind = {})
    {
        SqlRunner sql(db);
        Result<QSqlQuery> q = sql.run(sqlText, bind);
        if (!q || !q.value().next())
            return -1;
        return q.value().value(0).toInt();
    }
    int outbox() { return scalar(QStringLiteral("SELECT COUNT(*) FROM outbox WHERE client_id = ?"), {client}); }
    int messagesWith(const QString &phone)
    {
        return scalar(QStringLiteral("SELECT COUNT(*) FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE c.phone_number = ?"), {phone});
    }

    // The types of the published events, in order, and those stored in the events table.
    QStringList published(const QString &prefix = QStringLiteral("message.")) const
    {
        QStringList out;
        for (const Event &e : events) {
            if (e.type.startsWith(prefix))
                out << e.type;
        }
        return out;
    }
    QList<Event> publishedOf(const QString &type) const
    {
        QList<Event> out;
        for (const Event &e : events) {
            if (e.type == type)
                out << e;
        }
        return out;
    }
    QStringList stored()
    {
        SqlRunner sql(db);
        QStringList out;
        Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT type FROM events WHERE organization_id = ? ORDER BY id"), {org});
        while (q && q.value().next())
            out << q.value().value(0).toString();
        return out;
    }
    QStringList auditActions()
    {
        SqlRunner sql(db);
        QStringList out;
        Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT action FROM audit_logs WHERE organization_id = ? ORDER BY seq"), {org});
        while (q && q.value().next())
            out << q.value().value(0).toString();
        return out;
    }

    std::unique_ptr<MessageSender> sender(FakeTransport &transport, const MessagingSettings &settings = quickSettings(),
                                          const Clock &clock = Clock::system())
    {
        return std::make_unique<MessageSender>(db, &bus, org, client, transport, settings, clock);
    }

    QJsonObject inbound(const QString &waId, const QString &fromPhoneDigits, const QString &body, qint64 tSeconds = 0) const
    {
        QJsonObject m{{QStringLiteral("id"), waId},
                      {QStringLiteral("fromMe"), false},
                      {QStringLiteral("from"), fromPhoneDigits + QStringLiteral("@c.us")},
                      {QStringLiteral("to"), kOwnChat},
                      {QStringLiteral("body"), body},
                      {QStringLiteral("type"), QStringLiteral("chat")}};
        if (tSeconds > 0)
            m.insert(QStringLiteral("t"), double(tSeconds));
        return m;
    }
    static QJsonObject ack(int level, const QString &waId)
    {
        return QJsonObject{{QStringLiteral("ack"), level}, {QStringLiteral("ids"), QJsonArray{waId}}};
    }

    Database &db;
    EventBus bus;
    QList<Event> events;
    QString org;
    QString client;
};

} // namespace

#define WORLD(world)                                                                                                   \
    WADESK_FRESH_DATABASE(world##Db);                                                                                  \
    World world(*world##Db.database);                                                                                  \
    QVERIFY(world.setUp())

class TestMessageSender : public QObject {
    Q_OBJECT

private slots:
    // Three queued messages go out one at a time, oldest first: each is `sending` (out of the
    // queue) while the page works on it, then `sent` with its WhatsApp id and times, and
    // message.sent is published and stored in the same order.
    void sendsOneAtATimeInOrder_data() { addDialectRows(); }
    void sendsOneAtATimeInOrder()
    {
        WORLD(w);
        const QString a = w.queue(QStringLiteral("+14155550101"), QStringLiteral("first"));
        const QString b = w.queue(QStringLiteral("+14155550102"), QStringLiteral("second"));
        const QString c = w.queue(QStringLiteral("+14155550101"), QStringLiteral("third"));
        QVERIFY(!a.isEmpty() && !b.isEmpty() && !c.isEmpty());
        QCOMPARE(w.outbox(), 3);
        QCOMPARE(w.status(a), QStringLiteral("queued"));

        FakeTransport transport;
        transport.hold = true;
        auto sender = w.sender(transport);
        QSignalSpy finished(sender.get(), &MessageSender::messageFinished);
        sender->wake();
        QTRY_COMPARE(transport.held.size(), 1);
        QCOMPARE(transport.sends.first().chat, QStringLiteral("14155550101@c.us"));
        QCOMPARE(transport.sends.first().text, QStringLiteral("first"));
        QCOMPARE(w.status(a), QStringLiteral("sending"));
        QVERIFY(w.message(a).sendingAt > 0);
        QCOMPARE(w.status(b), QStringLiteral("queued"));
        QCOMPARE(w.outbox(), 2);
        QVERIFY(sender->isBusy());
        QCOMPARE(sender->inFlightChat(), QStringLiteral("14155550101@c.us"));
        QCOMPARE(sender->inFlightBody(), QStringLiteral("first"));
        // Waking a busy sender does not start a second send.
        sender->wake();
        QTest::qWait(50);
        QCOMPARE(transport.sends.size(), 1);

        transport.hold = false;
        transport.release();
        QTRY_COMPARE(transport.sends.size(), 3);
        QTRY_COMPARE(w.status(c), QStringLiteral("sent"));
        QCOMPARE(transport.texts(), (QStringList{QStringLiteral("first"), QStringLiteral("second"), QStringLiteral("third")}));
        QCOMPARE(w.outbox(), 0);
        QVERIFY(!sender->isBusy());
        QVERIFY(sender->inFlightChat().isEmpty());
        for (int i = 0; i < 3; ++i) {
            const MessageRecord m = w.message(QStringList{a, b, c}.at(i));
            QCOMPARE(messageStatusName(m.status), QStringLiteral("sent"));
            QCOMPARE(m.waMessageId, transport.sends.at(i).waId);
            QVERIFY(m.sendingAt > 0 && m.sentAt >= m.sendingAt);
            QVERIFY(m.failureReason.isEmpty());
        }
        QCOMPARE(finished.size(), 3);
        QCOMPARE(finished.at(0).at(0).toString(), a);
        QCOMPARE(finished.at(2).at(1).toString(), QStringLiteral("sent"));

        const QList<Event> sent = w.publishedOf(QStringLiteral("message.sent"));
        QCOMPARE(sent.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(sent.at(i).data.value(QLatin1String("messageId")).toString(), QStringList({a, b, c}).at(i));
            QCOMPARE(sent.at(i).data.value(QLatin1String("clientId")).toString(), w.client);
            QCOMPARE(sent.at(i).organizationId, w.org);
        }
        QCOMPARE(sent.at(1).data.value(QLatin1String("to")).toString(), QStringLiteral("+14155550102"));
        QCOMPARE(w.stored(), (QStringList(3, QStringLiteral("message.sent"))));

        // Nothing left: a wake finds an empty queue and does nothing.
        sender->wake();
        QTest::qWait(50);
        QCOMPARE(transport.sends.size(), 3);
    }

    // A session that is not ready takes nothing off the queue; once ready, a wake sends.
    void waitsForTheSession_data() { addDialectRows(); }
    void waitsForTheSession()
    {
        WORLD(w);
        const QString id = w.queue(QStringLiteral("+14155550101"), QStringLiteral("hello"));
        FakeTransport transport;
        transport.ready = false;
        auto sender = w.sender(transport);
        sender->wake();
        QTest::qWait(100);
        QCOMPARE(transport.sends.size(), 0);
        QCOMPARE(w.status(id), QStringLiteral("queued"));
        QCOMPARE(w.outbox(), 1);
        transport.ready = true;
        sender->wake();
        QTRY_COMPARE(w.status(id), QStringLiteral("sent"));
    }

    // A per-minute limit of 5 with the clock standing still: five go out, the 6th waits (still
    // queued) until the clock passes the minute after the first send, not a millisecond before.
    void perMinuteTierWithInjectedClock_data() { addDialectRows(); }
    void perMinuteTierWithInjectedClock()
    {
        WORLD(w);
        QStringList ids;
        for (int i = 0; i < 7; ++i)
            ids << w.queue(QStringLiteral("+1415555%1").arg(1000 + i), QStringLiteral("message %1").arg(i + 1));
        FakeTransport transport;
        const qint64 t0 = wallClock();
        ManualClock clock(t0);
        auto sender = w.sender(transport, quickSettings(), clock);
        sender->setTiers(RateTiers{5, 1000, 10000});
        QCOMPARE(sender->tiers().perMinute, 5);
        sender->wake();
        QTRY_COMPARE(transport.sends.size(), 5);
        QTRY_COMPARE(w.status(ids.at(4)), QStringLiteral("sent"));
        QTest::qWait(300);
        QCOMPARE(transport.sends.size(), 5);
        QCOMPARE(w.status(ids.at(5)), QStringLiteral("queued"));
        QCOMPARE(w.outbox(), 2);
        QCOMPARE(w.message(ids.at(0)).sendingAt, t0);

        // Half a minute later, and a millisecond before the minute is over: still waiting.
        clock.set(t0 + 30'000);
        sender->recheck();
        QTest::qWait(150);
        QCOMPARE(transport.sends.size(), 5);
        clock.set(t0 + 59'999);
        sender->recheck();
        QTest::qWait(150);
        QCOMPARE(transport.sends.size(), 5);
        QCOMPARE(w.status(ids.at(5)), QStringLiteral("queued"));

        // The first five leave the window: the 6th and 7th go.
        clock.set(t0 + 60'000);
        sender->recheck();
        QTRY_COMPARE(transport.sends.size(), 7);
        QTRY_COMPARE(w.status(ids.at(6)), QStringLiteral("sent"));
        QCOMPARE(w.message(ids.at(5)).sendingAt, t0 + 60'000);
        QCOMPARE(transport.texts().last(), QStringLiteral("message 7"));

        // Raising the limit takes effect at once, without waiting for the minute to end.
        for (int i = 0; i < 6; ++i)
            ids << w.queue(QStringLiteral("+1415555%1").arg(2000 + i), QStringLiteral("later %1").arg(i + 1));
        sender->wake();
        QTRY_COMPARE(transport.sends.size(), 10); // 5 in the new minute
        QTest::qWait(200);
        QCOMPARE(transport.sends.size(), 10);
        sender->setTiers(RateTiers{20, 1000, 10000});
        QTRY_COMPARE(transport.sends.size(), 13);
        QCOMPARE(w.outbox(), 0);
    }

    // Small pacing settings, observed through the transport: typing presence first, for 2–4 ms
    // a character, the send only after it; then at least the minimum gap before the next one.
    void pacingThroughTheTransport_data() { addDialectRows(); }
    void pacingThroughTheTransport()
    {
        WORLD(w);
        const QStringList texts{QStringLiteral("ten chars!"), QString(100, QLatin1Char('x')), QString(50, QLatin1Char('y')),
                                QString(1000, QLatin1Char('z'))};
        for (const QString &t : texts)
            w.queue(QStringLiteral("+14155550101"), t);
        MessagingSettings settings = quickSettings();
        settings.pacing = PacingSettings{2, 4, 1500, 80, 120, 0.0, 0, 0};
        FakeTransport transport;
        auto sender = w.sender(transport, settings);
        sender->wake();
        QTRY_COMPARE_WITH_TIMEOUT(transport.sends.size(), 4, 15000);
        QTRY_COMPARE(transport.sends.last().answeredAt > 0, true);
        QCOMPARE(transport.composing.size(), 4);
        for (int i = 0; i < 4; ++i) {
            const auto &typing = transport.composing.at(i);
            const auto &send = transport.sends.at(i);
            const int chars = int(texts.at(i).size());
            QCOMPARE(typing.chat, QStringLiteral("14155550101@c.us"));
            QCOMPARE(send.text, texts.at(i));
            // Proportional to the text, capped.
            const int low = std::min(2 * chars, 1500);
            const int high = std::min(4 * chars, 1500);
            QVERIFY2(typing.durationMs >= low && typing.durationMs <= high,
                     qPrintable(QStringLiteral("%1 chars: typing %2 ms").arg(chars).arg(typing.durationMs)));
            // The send waits for the typing.
            QVERIFY2(send.at - typing.at >= typing.durationMs - 1,
                     qPrintable(QStringLiteral("sent %1 ms after typing %2 ms").arg(send.at - typing.at).arg(typing.durationMs)));
            if (i > 0) {
                const qint64 gap = typing.at - transport.sends.at(i - 1).answeredAt;
                QVERIFY2(gap >= 80, qPrintable(QStringLiteral("gap %1 ms").arg(gap)));
            }
        }
        QCOMPARE(transport.composing.last().durationMs, 1500); // 1000 characters: the cap
    }

    // The first message to an unknown number asks WhatsApp first: not there → failed with a
    // clear reason and never sent; there → the contact keeps its WhatsApp id and later messages
    // to it skip the question; a failed question fails the message and says why.
    void numberCheck_data() { addDialectRows(); }
    void numberCheck()
    {
        WORLD(w);
        const QString missing = w.queue(QStringLiteral("+14155550000"), QStringLiteral("anyone there?"));
        const QString known1 = w.queue(QStringLiteral("+14155550101"), QStringLiteral("hi"));
        const QString known2 = w.queue(QStringLiteral("+14155550101"), QStringLiteral("hi again"));
        MessagingSettings settings = quickSettings();
        settings.checkNumberExists = true;
        FakeTransport transport;
        transport.notOnWhatsApp << QStringLiteral("14155550000@c.us");
        auto sender = w.sender(transport, settings);
        sender->wake();
        QTRY_COMPARE(w.status(known2), QStringLiteral("sent"));
        const MessageRecord m = w.message(missing);
        QCOMPARE(messageStatusName(m.status), QStringLiteral("failed"));
        QCOMPARE(m.failureReason, QStringLiteral("the number is not on WhatsApp"));
        QVERIFY(m.failedAt > 0);
        QCOMPARE(w.status(known1), QStringLiteral("sent"));
        QCOMPARE(transport.queries, (QStringList{QStringLiteral("14155550000@c.us"), QStringLiteral("14155550101@c.us")}));
        QCOMPARE(transport.texts(), (QStringList{QStringLiteral("hi"), QStringLiteral("hi again")}));
        QCOMPARE(w.contact(QStringLiteral("+14155550101")).waId, QStringLiteral("14155550101@c.us"));
        const QList<Event> failed = w.publishedOf(QStringLiteral("message.failed"));
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().data.value(QLatin1String("messageId")).toString(), missing);
        QCOMPARE(failed.first().data.value(QLatin1String("reason")).toString(), QStringLiteral("the number is not on WhatsApp"));

        transport.queryError = QStringLiteral("the page did not answer");
        const QString unknown = w.queue(QStringLiteral("+14155550202"), QStringLiteral("hello?"));
        sender->wake();
        QTRY_COMPARE(w.status(unknown), QStringLiteral("failed"));
        QCOMPARE(w.message(unknown).failureReason, QStringLiteral("could not check the number: the page did not answer"));
        QCOMPARE(transport.sends.size(), 2);
    }

    // Five failures among the last sends trip the health monitor once; the owner pauses the
    // sender, which then leaves the rest queued; resuming sends them.
    void fiveFailuresTripTheHealthMonitor_data() { addDialectRows(); }
    void fiveFailuresTripTheHealthMonitor()
    {
        WORLD(w);
        QStringList ids;
        for (int i = 0; i < 8; ++i)
            ids << w.queue(QStringLiteral("+1415555%1").arg(3000 + i), QStringLiteral("attempt %1").arg(i + 1));
        FakeTransport transport;
        transport.failures = QStringList(5, QStringLiteral("send failed: boom"));
        auto sender = w.sender(transport);
        QStringList reasons;
        MessageSender *raw = sender.get();
        QObject::connect(raw, &MessageSender::healthTripped, raw, [&reasons, raw](const QString &reason) {
            reasons << reason;
            raw->setPaused(true); // what SessionRegistry::pause does
        });
        sender->wake();
        QTRY_COMPARE(reasons.size(), 1);
        QCOMPARE(reasons.first(), QStringLiteral("5 of the last 20 sends failed"));
        QVERIFY(sender->isPaused());
        QCOMPARE(transport.sends.size(), 5);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(w.status(ids.at(i)), QStringLiteral("failed"));
            QCOMPARE(w.message(ids.at(i)).failureReason, QStringLiteral("send failed: boom"));
        }
        QCOMPARE(w.publishedOf(QStringLiteral("message.failed")).size(), 5);
        sender->wake();
        QTest::qWait(200);
        QCOMPARE(transport.sends.size(), 5);
        QCOMPARE(w.status(ids.at(5)), QStringLiteral("queued"));
        QCOMPARE(w.outbox(), 3);

        sender->setPaused(false);
        QTRY_COMPARE(w.status(ids.at(7)), QStringLiteral("sent"));
        QCOMPARE(transport.sends.size(), 8);
        QCOMPARE(reasons.size(), 1);
        QCOMPARE(w.publishedOf(QStringLiteral("message.sent")).size(), 3);
    }

    // Acks move an outbound message forward only: read after delivered, never back; a late
    // "delivered" after "read" changes nothing and publishes nothing; -1 fails it.
    void acksMoveForwardOnly_data() { addDialectRows(); }
    void acksMoveForwardOnly()
    {
        WORLD(w);
        const QString a = w.queue(QStringLiteral("+14155550101"), QStringLiteral("one"));
        const QString b = w.queue(QStringLiteral("+14155550102"), QStringLiteral("two"));
        const QString c = w.queue(QStringLiteral("+14155550103"), QStringLiteral("three"));
        FakeTransport transport;
        auto sender = w.sender(transport);
        sender->wake();
        QTRY_COMPARE(w.status(c), QStringLiteral("sent"));
        const QString waA = w.message(a).waMessageId;
        const QString waB = w.message(b).waMessageId;
        const QString waC = w.message(c).waMessageId;
        QVERIFY(!waA.isEmpty() && !waB.isEmpty() && !waC.isEmpty());
        OutboundAcks acks(w.db, &w.bus);
        w.events.clear();

        // a: read straight away (delivered implied), then a late delivered: nothing.
        acks.onAck(w.org, w.client, World::ack(3, waA));
        MessageRecord m = w.message(a);
        QCOMPARE(messageStatusName(m.status), QStringLiteral("read"));
        QVERIFY(m.readAt > 0);
        QVERIFY(m.deliveredAt > 0);
        acks.onAck(w.org, w.client, World::ack(2, waA));
        QCOMPARE(w.status(a), QStringLiteral("read"));
        acks.onAck(w.org, w.client, World::ack(-1, waA));
        QCOMPARE(w.status(a), QStringLiteral("read"));

        // b: 1 changes nothing, 2 delivers (once), 3 reads.
        acks.onAck(w.org, w.client, World::ack(1, waB));
        QCOMPARE(w.status(b), QStringLiteral("sent"));
        acks.onAck(w.org, w.client, World::ack(2, waB));
        QCOMPARE(w.status(b), QStringLiteral("delivered"));
        const qint64 deliveredAt = w.message(b).deliveredAt;
        QVERIFY(deliveredAt > 0);
        acks.onAck(w.org, w.client, World::ack(2, waB));
        QCOMPARE(w.message(b).deliveredAt, deliveredAt);
        acks.onAck(w.org, w.client, World::ack(4, waB)); // played (voice): read
        QCOMPARE(w.status(b), QStringLiteral("read"));
        acks.onAck(w.org, w.client, World::ack(2, waB));
        QCOMPARE(w.status(b), QStringLiteral("read"));

        // c: WhatsApp reports an error.
        acks.onAck(w.org, w.client, World::ack(-1, waC));
        m = w.message(c);
        QCOMPARE(messageStatusName(m.status), QStringLiteral("failed"));
        QVERIFY(!m.failureReason.isEmpty());
        acks.onAck(w.org, w.client, World::ack(3, waC));
        QCOMPARE(w.status(c), QStringLiteral("failed"));

        // Unknown ids, other clients: nothing (held in case the id is recorded later).
        acks.onAck(w.org, w.client, World::ack(3, QStringLiteral("true_14155550199@c.us_3EB0FFFF")));
        acks.onAck(w.org, Ids::make("client"), World::ack(3, waB));
        QCOMPARE(acks.heldCount(), 2);
        QCOMPARE(acks.heldCount(w.client), 1);

        QCOMPARE(w.published(), (QStringList{QStringLiteral("message.read"), QStringLiteral("message.delivered"), QStringLiteral("message.read"),
                                             QStringLiteral("message.failed")}));
        QCOMPARE(w.stored().mid(3), w.published()); // after the three message.sent
        QCOMPARE(w.publishedOf(QStringLiteral("message.delivered")).first().data.value(QLatin1String("messageId")).toString(), b);
    }

    // An incoming message delivered twice is stored once (direction inbound, status received,
    // the sender's time), its contact created with the WhatsApp id, message.received published
    // once; group and broadcast messages are not stored.
    void inboundStoredOnce_data() { addDialectRows(); }
    void inboundStoredOnce()
    {
        WORLD(w);
        InboundProcessor inbound(w.db, &w.bus, quickSettings());
        const qint64 t = wallClock() / 1000 - 60;
        const QJsonObject message = w.inbound(QStringLiteral("false_14155550303@c.us_AAAA"), QStringLiteral("14155550303"),
                                              QStringLiteral("Hello there"), t);
        inbound.onMessage(w.org, w.client, message, nullptr);
        inbound.onMessage(w.org, w.client, message, nullptr);
        QCOMPARE(w.messagesWith(QStringLiteral("+14155550303")), 1);
        SqlRunner sql(w.db);
        MessageRepository messages(sql);
        Result<std::optional<MessageRecord>> stored = messages.findByWaId(w.client, QStringLiteral("false_14155550303@c.us_AAAA"));
        QVERIFY(stored && stored.value());
        QCOMPARE(messageDirectionName(stored.value()->direction), QStringLiteral("inbound"));
        QCOMPARE(messageStatusName(stored.value()->status), QStringLiteral("received"));
        QCOMPARE(stored.value()->body, QStringLiteral("Hello there"));
        QCOMPARE(stored.value()->createdAt, t * 1000);
        const ContactRecord contact = w.contact(QStringLiteral("+14155550303"));
        QCOMPARE(contact.waId, QStringLiteral("14155550303@c.us"));
        QVERIFY(!contact.optedOut);
        const QList<Event> received = w.publishedOf(QStringLiteral("message.received"));
        QCOMPARE(received.size(), 1);
        QCOMPARE(received.first().data.value(QLatin1String("from")).toString(), QStringLiteral("+14155550303"));
        QCOMPARE(received.first().data.value(QLatin1String("body")).toString(), QStringLiteral("Hello there"));
        QCOMPARE(received.first().data.value(QLatin1String("messageId")).toString(), stored.value()->id);
        QCOMPARE(w.stored(), QStringList{QStringLiteral("message.received")});

        // The same text with another id is another message.
        inbound.onMessage(w.org, w.client, w.inbound(QStringLiteral("false_14155550303@c.us_BBBB"), QStringLiteral("14155550303"),
                                                     QStringLiteral("Hello there")),
                          nullptr);
        QCOMPARE(w.messagesWith(QStringLiteral("+14155550303")), 2);

        // Groups, status broadcasts, messages without an id: not stored.
        QJsonObject group = message;
        group.insert(QStringLiteral("id"), QStringLiteral("false_1203630@g.us_CCCC"));
        group.insert(QStringLiteral("from"), QStringLiteral("120363012345@g.us"));
        inbound.onMessage(w.org, w.client, group, nullptr);
        QJsonObject status = message;
        status.insert(QStringLiteral("id"), QStringLiteral("false_status@broadcast_DDDD"));
        status.insert(QStringLiteral("from"), QStringLiteral("status@broadcast"));
        inbound.onMessage(w.org, w.client, status, nullptr);
        QJsonObject noId = message;
        noId.remove(QStringLiteral("id"));
        inbound.onMessage(w.org, w.client, noId, nullptr);
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM messages")), 2);
        QCOMPARE(w.publishedOf(QStringLiteral("message.received")).size(), 2);
    }

    // Exact keywords only (case and surrounding spaces ignored, several languages): STOP opts
    // out (audited once), START opts back in; "please stop" is just a message.
    void optOutAndIn_data() { addDialectRows(); }
    void optOutAndIn()
    {
        WORLD(w);
        InboundProcessor inbound(w.db, &w.bus, quickSettings());
        QCOMPARE(inbound.classify(QStringLiteral("STOP")), InboundProcessor::Keyword::OptOut);
        QCOMPARE(inbound.classify(QStringLiteral("  stop\n")), InboundProcessor::Keyword::OptOut);
        QCOMPARE(inbound.classify(QStringLiteral("Unsubscribe")), InboundProcessor::Keyword::OptOut);
        QCOMPARE(inbound.classify(QStringLiteral("parar")), InboundProcessor::Keyword::OptOut);
        QCOMPARE(inbound.classify(QStringLiteral("BAJA")), InboundProcessor::Keyword::OptOut);
        QCOMPARE(inbound.classify(QStringLiteral("रोकें")), InboundProcessor::Keyword::OptOut);
        QCOMPARE(inbound.classify(QStringLiteral("start")), InboundProcessor::Keyword::OptIn);
        QCOMPARE(inbound.classify(QStringLiteral("please stop")), InboundProcessor::Keyword::None);
        QCOMPARE(inbound.classify(QStringLiteral("STOP!")), InboundProcessor::Keyword::None);
        QCOMPARE(inbound.classify(QString()), InboundProcessor::Keyword::None);

        const QString phone = QStringLiteral("+14155550404");
        const QString digits = QStringLiteral("14155550404");
        int n = 0;
        auto say = [&](const QString &body) {
            inbound.onMessage(w.org, w.client, w.inbound(QStringLiteral("false_%1@c.us_%2").arg(digits).arg(++n), digits, body), nullptr);
        };
        say(QStringLiteral("please stop"));
        QVERIFY(!w.contact(phone).optedOut);
        say(QStringLiteral("  stop "));
        ContactRecord c = w.contact(phone);
        QVERIFY(c.optedOut);
        QVERIFY(c.optedOutAt > 0);
        say(QStringLiteral("STOP")); // already out: not audited again
        QCOMPARE(w.auditActions(), QStringList{QStringLiteral("contact_opted_out")});
        say(QStringLiteral("Start"));
        c = w.contact(phone);
        QVERIFY(!c.optedOut);
        QCOMPARE(c.optedOutAt, qint64(0));
        say(QStringLiteral("रोकें"));
        QVERIFY(w.contact(phone).optedOut);
        say(QStringLiteral("baja"));
        QCOMPARE(w.auditActions(), (QStringList{QStringLiteral("contact_opted_out"), QStringLiteral("contact_opted_in"),
                                                QStringLiteral("contact_opted_out")}));
        // Every one of them is stored as a message.
        QCOMPARE(w.messagesWith(phone), 6);
        QCOMPARE(w.publishedOf(QStringLiteral("message.received")).size(), 6);

        // A message still queued for a contact who opted out meanwhile is not sent.
        const QString queued = w.queue(phone, QStringLiteral("our offer"));
        FakeTransport transport;
        auto sender = w.sender(transport);
        sender->wake();
        QTRY_COMPARE(w.status(queued), QStringLiteral("failed"));
        QCOMPARE(w.message(queued).failureReason, QStringLiteral("the contact opted out"));
        QCOMPARE(transport.sends.size(), 0);
        QCOMPARE(transport.composing.size(), 0);
    }

    // The page reports its own send as a new message (fromMe) before the send returns: that
    // echo is not stored as a second message, nor is a late repeat of it; a message typed on the
    // phone itself is stored as outbound.
    void echoOfTheSendInFlight_data() { addDialectRows(); }
    void echoOfTheSendInFlight()
    {
        WORLD(w);
        InboundProcessor inbound(w.db, &w.bus, quickSettings());
        FakeTransport transport;
        auto sender = w.sender(transport);
        MessageSender *raw = sender.get();
        QList<QJsonObject> echoes;
        transport.echo = [&](const QString &chat, const QString &text, const QString &waId) {
            const QJsonObject echo{{QStringLiteral("id"), waId},       {QStringLiteral("fromMe"), true},
                                   {QStringLiteral("from"), kOwnChat}, {QStringLiteral("to"), chat},
                                   {QStringLiteral("body"), text},     {QStringLiteral("type"), QStringLiteral("chat")}};
            echoes << echo;
            inbound.onMessage(w.org, w.client, echo, raw);
        };
        const QString phone = QStringLiteral("+14155550505");
        const QString id = w.queue(phone, QStringLiteral("Your order shipped"));
        sender->wake();
        QTRY_COMPARE(w.status(id), QStringLiteral("sent"));
        QCOMPARE(echoes.size(), 1);
        QCOMPARE(w.messagesWith(phone), 1);
        QCOMPARE(w.message(id).waMessageId, echoes.first().value(QLatin1String("id")).toString());

        // The page repeats the echo later (nothing in flight now): known by its id.
        inbound.onMessage(w.org, w.client, echoes.first(), raw);
        inbound.onMessage(w.org, w.client, echoes.first(), nullptr);
        QCOMPARE(w.messagesWith(phone), 1);

        // Typed on the phone: stored, outbound, sent.
        QJsonObject fromPhone = echoes.first();
        fromPhone.insert(QStringLiteral("id"), QStringLiteral("true_14155550505@c.us_3EB0PHONE"));
        fromPhone.insert(QStringLiteral("body"), QStringLiteral("Typed on the phone"));
        inbound.onMessage(w.org, w.client, fromPhone, raw);
        inbound.onMessage(w.org, w.client, fromPhone, raw);
        QCOMPARE(w.messagesWith(phone), 2);
        SqlRunner sql(w.db);
        MessageRepository messages(sql);
        Result<std::optional<MessageRecord>> typed = messages.findByWaId(w.client, QStringLiteral("true_14155550505@c.us_3EB0PHONE"));
        QVERIFY(typed && typed.value());
        QCOMPARE(messageDirectionName(typed.value()->direction), QStringLiteral("outbound"));
        QCOMPARE(messageStatusName(typed.value()->status), QStringLiteral("sent"));
        QVERIFY(w.publishedOf(QStringLiteral("message.received")).isEmpty());
    }

    // WhatsApp takes a message and refuses it: its ack -1 reaches the page before the send's
    // own answer (ack -1, a result other than OK). The message ends failed with the reason and
    // its WhatsApp id, with one message.failed; the held ack and a late repeat change nothing.
    void refusedSendFailsOnce_data() { addDialectRows(); }
    void refusedSendFailsOnce()
    {
        WORLD(w);
        OutboundAcks acks(w.db, &w.bus);
        FakeTransport transport;
        const QString reason = refusalOfSendResult(-1, QStringLiteral("ERROR_UNKNOWN"));
        QVERIFY(reason.contains(QLatin1String("refused")));
        QVERIFY(refusalOfSendResult(1, QStringLiteral("OK")).isEmpty());
        QVERIFY(refusalOfSendResult(1, QString()).isEmpty());
        QVERIFY(!refusalOfSendResult(0, QStringLiteral("ERROR_NETWORK")).isEmpty());
        transport.refusals << reason;
        int heldBeforeAnswer = -1;
        QString statusBeforeAnswer;
        const QString id = w.queue(QStringLiteral("+14155550701"), QStringLiteral("refused"));
        transport.beforeAnswer = [&](const QString &waId) {
            acks.onAck(w.org, w.client, World::ack(-1, waId));
            heldBeforeAnswer = acks.heldCount(w.client);
            statusBeforeAnswer = w.status(id);
        };
        auto sender = w.sender(transport);
        QObject::connect(sender.get(), &MessageSender::waMessageIdRecorded, &acks,
                         [&](const QString &waId) { acks.onRecorded(w.client, waId); });
        sender->wake();
        QTRY_COMPARE(w.status(id), QStringLiteral("failed"));
        QCOMPARE(heldBeforeAnswer, 1);
        QCOMPARE(statusBeforeAnswer, QStringLiteral("sending"));
        const MessageRecord m = w.message(id);
        QCOMPARE(m.failureReason, reason);
        QCOMPARE(m.waMessageId, transport.sends.first().waId);
        QVERIFY(m.failedAt > 0);
        QCOMPARE(acks.heldCount(), 0);
        QCOMPARE(w.published(), QStringList{QStringLiteral("message.failed")});
        QCOMPARE(w.publishedOf(QStringLiteral("message.failed")).first().data.value(QLatin1String("reason")).toString(), reason);
        acks.onAck(w.org, w.client, World::ack(-1, m.waMessageId));
        acks.onAck(w.org, w.client, World::ack(3, m.waMessageId));
        QCOMPARE(w.status(id), QStringLiteral("failed"));
        QCOMPARE(w.published(), QStringList{QStringLiteral("message.failed")});
        QCOMPARE(w.stored(), QStringList{QStringLiteral("message.failed")});
        QCOMPARE(acks.heldCount(), 0);

        // An ack -1 after a normal send fails it too (only while not yet delivered).
        const QString later = w.queue(QStringLiteral("+14155550702"), QStringLiteral("later refused"));
        transport.beforeAnswer = nullptr;
        sender->wake();
        QTRY_COMPARE(w.status(later), QStringLiteral("sent"));
        acks.onAck(w.org, w.client, World::ack(-4, w.message(later).waMessageId));
        QCOMPARE(w.status(later), QStringLiteral("failed"));
        QCOMPARE(w.message(later).failureReason, ackFailureReason(-4));
        QCOMPARE(w.publishedOf(QStringLiteral("message.failed")).size(), 2);
    }

    // A fast contact: delivered and read reach the page before the send's answer. They are
    // held (the message is still `sending`, its id unknown) and applied in order once the id
    // is recorded: sent, delivered, read; a repeated delivered after read changes nothing.
    void acksBeforeTheIdAreApplied_data() { addDialectRows(); }
    void acksBeforeTheIdAreApplied()
    {
        WORLD(w);
        OutboundAcks acks(w.db, &w.bus);
        FakeTransport transport;
        const QString id = w.queue(QStringLiteral("+14155550711"), QStringLiteral("quick reader"));
        int heldBeforeAnswer = -1;
        QString statusBeforeAnswer;
        transport.beforeAnswer = [&](const QString &waId) {
            acks.onAck(w.org, w.client, World::ack(2, waId));
            acks.onAck(w.org, w.client, World::ack(3, waId));
            acks.onAck(w.org, w.client, World::ack(2, waId));
            heldBeforeAnswer = acks.heldCount(w.client);
            statusBeforeAnswer = w.status(id);
        };
        auto sender = w.sender(transport);
        QObject::connect(sender.get(), &MessageSender::waMessageIdRecorded, &acks,
                         [&](const QString &waId) { acks.onRecorded(w.client, waId); });
        sender->wake();
        QTRY_COMPARE(w.status(id), QStringLiteral("read"));
        QCOMPARE(heldBeforeAnswer, 3);
        QCOMPARE(statusBeforeAnswer, QStringLiteral("sending"));
        QCOMPARE(acks.heldCount(), 0);
        const MessageRecord m = w.message(id);
        QVERIFY(m.sentAt > 0 && m.deliveredAt >= m.sentAt && m.readAt >= m.deliveredAt);
        QCOMPARE(w.published(), (QStringList{QStringLiteral("message.sent"), QStringLiteral("message.delivered"), QStringLiteral("message.read")}));
        QCOMPARE(w.stored(), w.published());
    }

    // Held acks are bounded and expire; one whose message appears by another path (sent from
    // the phone and stored from the page's report) is applied on the periodic look.
    void heldAcksExpireOrFindTheirMessage_data() { addDialectRows(); }
    void heldAcksExpireOrFindTheirMessage()
    {
        WORLD(w);
        ManualClock clock(wallClock());
        OutboundAcks::Limits limits;
        limits.holdMs = 60000;
        limits.retryMs = 20;
        limits.maxHeldPerClient = 3;
        OutboundAcks acks(w.db, &w.bus, clock, limits);

        acks.onAck(w.org, w.client, World::ack(3, QStringLiteral("true_14155550721@c.us_3EB0NOBODY")));
        QCOMPARE(acks.heldCount(w.client), 1);
        QTest::qWait(150); // several looks: still within its time
        QCOMPARE(acks.heldCount(w.client), 1);
        clock.advance(61000);
        QTRY_COMPARE(acks.heldCount(), 0);
        QVERIFY(w.published().isEmpty());

        // Sent from the phone: the ack came before the page reported the message itself.
        const QString phoneId = QStringLiteral("true_14155550722@c.us_3EB0PHONE0001");
        acks.onAck(w.org, w.client, World::ack(2, phoneId));
        QCOMPARE(acks.heldCount(), 1);
        InboundProcessor inbound(w.db, &w.bus, quickSettings());
        inbound.onMessage(w.org, w.client,
                          QJsonObject{{QStringLiteral("id"), phoneId},
                                      {QStringLiteral("fromMe"), true},
                                      {QStringLiteral("from"), kOwnChat},
                                      {QStringLiteral("to"), QStringLiteral("14155550722@c.us")},
                                      {QStringLiteral("body"), QStringLiteral("typed on the phone")},
                                      {QStringLiteral("type"), QStringLiteral("chat")}},
                          nullptr);
        QTRY_COMPARE(acks.heldCount(), 0);
        SqlRunner sql(w.db);
        Result<std::optional<MessageRecord>> typed = MessageRepository(sql).findByWaId(w.client, phoneId);
        QVERIFY(typed && typed.value());
        QCOMPARE(messageStatusName(typed.value()->status), QStringLiteral("delivered"));
        QCOMPARE(w.published(), QStringList{QStringLiteral("message.delivered")});

        // Bounded: the oldest goes first.
        for (int i = 0; i < 5; ++i)
            acks.onAck(w.org, w.client, World::ack(2, QStringLiteral("true_14155550723@c.us_3EB0UNKNOWN%1").arg(i)));
        QCOMPARE(acks.heldCount(w.client), 3);
        acks.forget(w.client);
        QCOMPARE(acks.heldCount(), 0);
    }

    // A file message: the sender reads the bytes from the media library and hands the page
    // the file with its type, caption and name; message.sent carries type, media_id, caption
    // and filename. A message whose file was deleted meanwhile fails with a clear reason and
    // never reaches the page (nor counts against the account's health).
    void sendsAFileFromTheLibrary_data() { addDialectRows(); }
    void sendsAFileFromTheLibrary()
    {
        WORLD(w);
        test::InMemoryMediaLibrary library;
        const QByteArray png = QByteArray::fromBase64(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
        MediaHints hints;
        hints.filename = QStringLiteral("dot.png");
        Result<MediaInfo> stored = library.store(w.org, png, hints, QString());
        QVERIFY2(stored, stored ? "" : qPrintable(stored.error().message));
        QCOMPARE(stored.value().kind, QStringLiteral("image"));

        FakeTransport transport;
        auto sender = w.sender(transport);
        const QString noLibrary = w.queueFile(QStringLiteral("+14155550731"), stored.value(), QStringLiteral("no library"));
        sender->wake();
        QTRY_COMPARE(w.status(noLibrary), QStringLiteral("failed"));
        QCOMPARE(w.message(noLibrary).failureReason, QStringLiteral("media storage unavailable"));
        sender->setMediaLibrary(&library);

        const QString id = w.queueFile(QStringLiteral("+14155550731"), stored.value(), QStringLiteral("A dot"));
        sender->wake();
        QTRY_COMPARE(w.status(id), QStringLiteral("sent"));
        QCOMPARE(transport.files.size(), 1);
        const OutgoingFile &file = transport.files.first();
        QCOMPARE(file.bytes, png);
        QCOMPARE(file.mimetype, QStringLiteral("image/png"));
        QCOMPARE(file.type, QStringLiteral("image"));
        QCOMPARE(file.caption, QStringLiteral("A dot"));
        QCOMPARE(file.filename, QStringLiteral("dot.png"));
        QVERIFY(!file.voiceNote);
        QCOMPARE(transport.sends.last().chat, QStringLiteral("14155550731@c.us"));
        const MessageRecord m = w.message(id);
        QCOMPARE(m.type, QStringLiteral("image"));
        QCOMPARE(m.mediaId, stored.value().id);
        QCOMPARE(m.caption, QStringLiteral("A dot"));
        const QJsonObject sent = w.publishedOf(QStringLiteral("message.sent")).last().data;
        QCOMPARE(sent.value(QLatin1String("messageId")).toString(), id);
        QCOMPARE(sent.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QCOMPARE(sent.value(QLatin1String("media_id")).toString(), stored.value().id);
        QCOMPARE(sent.value(QLatin1String("caption")).toString(), QStringLiteral("A dot"));
        QCOMPARE(sent.value(QLatin1String("filename")).toString(), QStringLiteral("dot.png"));

        const QString gone = w.queueFile(QStringLiteral("+14155550732"), stored.value(), QStringLiteral("gone"));
        QVERIFY(library.remove(stored.value().id));
        sender->wake();
        QTRY_COMPARE(w.status(gone), QStringLiteral("failed"));
        QCOMPARE(w.message(gone).failureReason, QStringLiteral("the media %1 is no longer stored").arg(stored.value().id));
        QCOMPARE(transport.sends.size(), 1);
        const QJsonObject failed = w.publishedOf(QStringLiteral("message.failed")).last().data;
        QCOMPARE(failed.value(QLatin1String("messageId")).toString(), gone);
        QCOMPARE(failed.value(QLatin1String("media_id")).toString(), stored.value().id);
        QCOMPARE(failed.value(QLatin1String("type")).toString(), QStringLiteral("image"));

        // A text's events say so, with no file.
        const QString text = w.queue(QStringLiteral("+14155550733"), QStringLiteral("plain"));
        sender->wake();
        QTRY_COMPARE(w.status(text), QStringLiteral("sent"));
        const QJsonObject textSent = w.publishedOf(QStringLiteral("message.sent")).last().data;
        QCOMPARE(textSent.value(QLatin1String("type")).toString(), QStringLiteral("text"));
        QVERIFY(textSent.value(QLatin1String("media_id")).isNull());
        QVERIFY(textSent.value(QLatin1String("caption")).isNull());
    }

    // On WhatsApp Web a file's echo carries a thumbnail as its body, so it may not be taken for
    // the send in flight and be stored as a message of its own before the send knows its id:
    // the send's row takes the id back and one message remains.
    void fileEchoStoredFirstIsTakenOver_data() { addDialectRows(); }
    void fileEchoStoredFirstIsTakenOver()
    {
        WORLD(w);
        test::InMemoryMediaLibrary library;
        Result<MediaInfo> stored = library.store(
            w.org,
            QByteArray::fromBase64("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="),
            MediaHints(), QString());
        QVERIFY(stored);
        InboundProcessor inbound(w.db, &w.bus, quickSettings());
        FakeTransport transport;
        auto sender = w.sender(transport);
        sender->setMediaLibrary(&library);
        MessageSender *raw = sender.get();
        int echoes = 0;
        transport.echo = [&](const QString &chat, const QString &caption, const QString &waId) {
            ++echoes;
            inbound.onMessage(w.org, w.client,
                              QJsonObject{{QStringLiteral("id"), waId},
                                          {QStringLiteral("fromMe"), true},
                                          {QStringLiteral("from"), kOwnChat},
                                          {QStringLiteral("to"), chat},
                                          {QStringLiteral("body"), QStringLiteral("/9j/4AAQSkZJRgABAQAAAQABAAD_thumbnail")},
                                          {QStringLiteral("caption"), caption},
                                          {QStringLiteral("type"), QStringLiteral("image")}},
                              raw);
        };
        const QString phone = QStringLiteral("+14155550741");
        const QString id = w.queueFile(phone, stored.value(), QStringLiteral("with a thumbnail"));
        sender->wake();
        QTRY_COMPARE(w.status(id), QStringLiteral("sent"));
        QCOMPARE(echoes, 1);
        QCOMPARE(w.messagesWith(phone), 1);
        QCOMPARE(w.message(id).waMessageId, transport.sends.first().waId);
        QCOMPARE(w.published(), QStringList{QStringLiteral("message.sent")});
    }

    // A crash while a message is being sent: at the next start, its client not coming back here
    // (not started with the application), it is failed as interrupted (message.failed, reason
    // "interrupted") and never resent; the queued ones go out once. (A client that comes back
    // has it reconciled with its page: tst_send_reconcile.)
    void interruptedSendsAreFailedNotResent_data() { addDialectRows(); }
    void interruptedSendsAreFailedNotResent()
    {
        WORLD(w);
        const QString done = w.queue(QStringLiteral("+14155550606"), QStringLiteral("already out"));
        FakeTransport before;
        auto sender = w.sender(before);
        sender->wake();
        QTRY_COMPARE(w.status(done), QStringLiteral("sent"));

        const QString caught = w.queue(QStringLiteral("+14155550606"), QStringLiteral("caught in the crash"));
        const QString q1 = w.queue(QStringLiteral("+14155550607"), QStringLiteral("queued one"));
        const QString q2 = w.queue(QStringLiteral("+14155550608"), QStringLiteral("queued two"));
        before.hold = true;
        sender->wake();
        QTRY_COMPARE(before.held.size(), 1);
        QCOMPARE(w.status(caught), QStringLiteral("sending"));
        sender.reset(); // the process dies here
        before.release(); // a late answer for a sender that is gone changes nothing
        QCOMPARE(w.status(caught), QStringLiteral("sending"));

        // The next start.
        w.events.clear();
        EngineSettings engine;
        engine.injectWaJs = false;
        SessionRegistry registry(w.db, w.bus, engine, quickSettings());
        registry.reconcileStuckSends(); // looks once the event loop runs
        QTRY_COMPARE(messageStatusName(w.message(caught).status), QStringLiteral("failed"));
        const MessageRecord failed = w.message(caught);
        QCOMPARE(failed.failureReason, QStringLiteral("interrupted"));
        QVERIFY(failed.failedAt > 0);
        QCOMPARE(w.status(done), QStringLiteral("sent"));
        QCOMPARE(w.status(q1), QStringLiteral("queued"));
        QCOMPARE(w.status(q2), QStringLiteral("queued"));
        QCOMPARE(w.outbox(), 2);
        const QList<Event> events = w.publishedOf(QStringLiteral("message.failed"));
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().data.value(QLatin1String("messageId")).toString(), caught);
        QCOMPARE(events.first().data.value(QLatin1String("reason")).toString(), QStringLiteral("interrupted"));
        registry.reconcileStuckSends(); // twice: nothing more
        QTest::qWait(200);
        QCOMPARE(w.publishedOf(QStringLiteral("message.failed")).size(), 1);

        FakeTransport after;
        auto restarted = w.sender(after);
        restarted->wake();
        QTRY_COMPARE(w.status(q2), QStringLiteral("sent"));
        QTest::qWait(100);
        QCOMPARE(after.texts(), (QStringList{QStringLiteral("queued one"), QStringLiteral("queued two")}));
        QCOMPARE(w.status(caught), QStringLiteral("failed"));
        QCOMPARE(w.outbox(), 0);
    }

    // PostgreSQL stops while a send is in the page's hands and restarts: what the page answered
    // is kept in memory and stored when the database is back (the message does not stay
    // `sending`, is not sent twice), and the rest of the queue goes out within a few seconds of
    // the database's return, not after a long retry. Last of the PostgreSQL tests: it stops the
    // process's cluster for a while.
    void sendsResumeAfterADatabaseOutage()
    {
        WADESK_DATABASE_OR_SKIP(fresh, QStringLiteral("postgres"));
        World w(*fresh.database);
        QVERIFY(w.setUp());
        wadesk::test::PgCluster *cluster = wadesk::test::PgCluster::shared();
        QVERIFY(cluster);
        {
            // The test cluster commits without waiting and is stopped with -m immediate: the
            // queue written below must reach the WAL (this thread's connection is the sender's).
            QSqlQuery set(w.db.connection().value()); // not a statement PostgreSQL can prepare
            QVERIFY(set.exec(QStringLiteral("SET synchronous_commit = on")));
        }
        QStringList ids;
        for (int i = 0; i < 6; ++i)
            ids << w.queue(QStringLiteral("+1415555070%1").arg(i), QStringLiteral("outage %1").arg(i));
        QVERIFY(!ids.contains(QString()));
        const quint64 sentBefore = RuntimeMetrics::instance().sendsSent();

        FakeTransport transport;
        transport.hold = true;
        auto sender = w.sender(transport);
        sender->wake();
        QTRY_COMPARE(transport.held.size(), 1);
        QCOMPARE(w.status(ids.first()), QStringLiteral("sending"));

        {
            QSqlQuery checkpoint(w.db.connection().value());
            QVERIFY(checkpoint.exec(QStringLiteral("CHECKPOINT")));
        }
        QVERIFY(cluster->stopServer());
        bool restarted = false;
        const auto restart = qScopeGuard([&]() {
            if (!restarted)
                cluster->startServer();
        });
        // The page answers while the database is away.
        transport.hold = false;
        transport.release();
        QTest::qWait(2500); // a few retries against the stopped server
        QCOMPARE(transport.sends.size(), 1); // nothing new is claimed meanwhile
        QVERIFY(!sender->isBusy());

        QVERIFY(cluster->startServer());
        restarted = true;
        QElapsedTimer back;
        back.start();
        const bool allSent = QTest::qWaitFor(
            [&]() {
                for (const QString &id : std::as_const(ids)) {
                    if (w.status(id) != QLatin1String("sent"))
                        return false;
                }
                return true;
            },
            20000);
        const qint64 drained = back.elapsed();
        qInfo("the queue of %d drained %lld ms after the database was back", int(ids.size()), drained);
        QVERIFY(allSent);
        QVERIFY2(drained < 5000, QByteArray::number(drained).constData());
        QCOMPARE(transport.sends.size(), ids.size()); // each sent once
        for (int i = 0; i < ids.size(); ++i)
            QCOMPARE(w.message(ids.at(i)).waMessageId, transport.sends.at(i).waId);
        QCOMPARE(w.outbox(), 0);
        QCOMPARE(w.publishedOf(QStringLiteral("message.sent")).size(), ids.size());
        QCOMPARE(RuntimeMetrics::instance().sendsSent(), sentBefore + quint64(ids.size()));
    }

    // SQLite on a disk that fills up (a real tmpfs filled by a file): messages accepted before
    // stay queued, none is claimed or sent while the sender's claim is refused, a send offered
    // meanwhile is refused whole (no message, no queue entry); once the file is deleted the
    // queue drains without a restart, each message sent once.
    void queuedSendsGoOutAfterTheDiskIsFreed()
    {
        wadesk::test::Tmpfs disk("24m");
        if (!disk.valid())
            QSKIP(qPrintable(disk.why()));
        const Result<DatabaseUrl> url = DatabaseUrl::parse(disk.filePath(QStringLiteral("wadesk.db")), QDir::tempPath());
        QVERIFY(url);
        Database database(url.value());
        const auto closed = qScopeGuard([&]() { database.closeThreadConnection(); });
        World w(database);
        QVERIFY(w.setUp());
        QStringList ids;
        for (int i = 0; i < 3; ++i)
            ids << w.queue(QStringLiteral("+1415555080%1").arg(i), QStringLiteral("before the disk filled %1").arg(i));
        QVERIFY(!ids.contains(QString()));

        // An empty write-ahead log, so that the next commit must grow it.
        const auto walTruncated = [&]() {
            QSqlQuery q(database.connection().value());
            return q.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")) && q.next() && q.value(0).toInt() == 0
                && q.value(1).toInt() == 0;
        };
        QTRY_VERIFY(walTruncated());
        const QString filler = disk.filePath(QStringLiteral("filler"));
        const auto freeSpace = qScopeGuard([&]() { QFile::remove(filler); });
        QVERIFY(wadesk::test::Tmpfs::fillUp(filler) > 0);

        QVERIFY(w.queue(QStringLiteral("+14155550899"), QStringLiteral("refused")).isEmpty());
        QCOMPARE(w.outbox(), ids.size());
        FakeTransport transport;
        auto sender = w.sender(transport);
        sender->wake();
        QTest::qWait(2500); // a couple of the sender's retries against the full disk
        QCOMPARE(transport.sends.size(), 0);
        for (const QString &id : std::as_const(ids))
            QCOMPARE(w.status(id), QStringLiteral("queued"));
        QCOMPARE(Database::currentWriteProblem(), Database::WriteProblem::DiskFull);

        QVERIFY(QFile::remove(filler));
        QElapsedTimer freed;
        freed.start();
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(ids.cbegin(), ids.cend(), [&](const QString &id) { return w.status(id) == QLatin1String("sent"); }),
                                 20000);
        qInfo("the queue of %d drained %lld ms after the disk was freed", int(ids.size()), freed.elapsed());
        QCOMPARE(transport.sends.size(), ids.size()); // each once
        QCOMPARE(w.outbox(), 0);
        QCOMPARE(Database::currentWriteProblem(), Database::WriteProblem::None);
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    TestMessageSender test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_message_sender.moc"
