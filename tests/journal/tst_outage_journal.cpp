// The outage journal (core/journal): the file's framing survives a reopen; a record torn by a
// crash mid-append, or damaged, is dropped with everything after it and the journal goes on;
// the bound refuses new records and keeps the oldest; replay applies in order, stops at the
// first the database cannot take and remembers across a reopen how far it got.
//
// PageReportJournal against a real database of both dialects: journaled acks, a received
// message, a state change and a send outcome are applied in order (statuses reach `read`, the
// message is stored once) and applying the same records a second time (a crash between a
// commit and the journal's sync) changes nothing. On PostgreSQL for real: the cluster is
// stopped, the reports go to the journal, the objects are dropped without any database
// (as a kill -9 leaves them: only the file), the cluster starts, and a new journal on the same
// directory replays them.

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventBus.h"
#include "core/journal/OutageJournal.h"
#include "core/engine/PageReportJournal.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/InboundProcessor.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/OutboundAcks.h"
#include "core/messaging/SendOutcomes.h"
#include "core/sessions/SessionRecorder.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace wadesk;
using wadesk::test::addDialectRows;

namespace {

qint64 wallClock()
{
    return QDateTime::currentMSecsSinceEpoch();
}

JournalRecord record(int n)
{
    JournalRecord r;
    r.kind = QStringLiteral("test");
    r.organizationId = QStringLiteral("org_1");
    r.clientId = QStringLiteral("client_1");
    r.at = 1000 + n;
    r.data = QJsonObject{{QStringLiteral("n"), n}, {QStringLiteral("text"), QStringLiteral("record %1 ✓").arg(n)}};
    return r;
}

// The `n` of every record the journal holds, oldest first (all applied: the journal ends empty).
QList<int> drain(OutageJournal &journal)
{
    QList<int> out;
    journal.replay([&](const JournalRecord &r) {
        out << r.data.value(QStringLiteral("n")).toInt();
        return OutageJournal::Step::Applied;
    });
    return out;
}

qint64 fileSize(const QString &path)
{
    return QFileInfo(path).size();
}

// One organization with one client and one outbound message on a migrated database.
struct World {
    explicit World(Database &database)
        : db(database)
    {
        QObject::connect(&bus, &EventBus::published, &bus, [this](const Event &e) { events << e.type; });
    }

    bool setUp()
    {
        if (!Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate())
            return false;
        org = Ids::make("org");
        client = Ids::make("client");
        const qint64 now = wallClock();
        SqlRunner sql(db);
        if (!sql.change(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"),
                        {org, QStringLiteral("Journal Org"), now, now})
                 .ok()
            || !sql.change(QStringLiteral("INSERT INTO clients (id, organization_id, name, phone_number, status, linked, created_at, updated_at) "
                                          "VALUES (?, ?, ?, ?, 'ready', 1, ?, ?)"),
                           {client, org, QStringLiteral("Front desk"), QStringLiteral("+15550001111"), now, now})
                    .ok())
            return false;
        MessageRepository messages(sql);
        Result<ContactRecord> contact = ContactRepository(sql).upsert(org, QStringLiteral("+14155550100"));
        if (!contact)
            return false;
        MessageRecord m;
        m.id = Ids::make("msg");
        m.organizationId = org;
        m.clientId = client;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Outbound;
        m.body = QStringLiteral("hello");
        m.status = MessageStatus::Sending;
        m.createdAt = m.updatedAt = now;
        if (!messages.insertMany({m}))
            return false;
        messageId = m.id;
        return true;
    }

    int scalar(const QString &sqlText, const QVariantList &bind = {})
    {
        SqlRunner sql(db);
        Result<QSqlQuery> q = sql.run(sqlText, bind);
        if (!q || !q.value().next())
            return -1;
        return q.value().value(0).toInt();
    }
    QString text(const QString &sqlText, const QVariantList &bind = {})
    {
        SqlRunner sql(db);
        Result<QSqlQuery> q = sql.run(sqlText, bind);
        if (!q || !q.value().next())
            return QStringLiteral("<none>");
        return q.value().value(0).toString();
    }
    QString status() { return text(QStringLiteral("SELECT status FROM messages WHERE id = ?"), {messageId}); }
    QString clientStatus() { return text(QStringLiteral("SELECT status FROM clients WHERE id = ?"), {client}); }
    int received(const QString &waId)
    {
        return scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_id = ? AND wa_message_id = ?"), {client, waId});
    }
    int storedEvents(const QString &type)
    {
        return scalar(QStringLiteral("SELECT COUNT(*) FROM events WHERE organization_id = ? AND type = ?"), {org, type});
    }

    QJsonObject inbound(const QString &waId, const QString &body) const
    {
        return QJsonObject{{QStringLiteral("id"), waId},
                           {QStringLiteral("fromMe"), false},
                           {QStringLiteral("from"), QStringLiteral("14155550199@c.us")},
                           {QStringLiteral("to"), QStringLiteral("15550001111@c.us")},
                           {QStringLiteral("body"), body},
                           {QStringLiteral("type"), QStringLiteral("chat")}};
    }
    static QJsonObject ack(int level, const QString &waId)
    {
        return QJsonObject{{QStringLiteral("ack"), level}, {QStringLiteral("ids"), QJsonArray{waId}}};
    }
    JournalRecord sendOutcome(const QString &waId) const
    {
        return JournalRecord{QStringLiteral("send_outcome"), org, client, wallClock(),
                             QJsonObject{{QStringLiteral("message_id"), messageId}, {QStringLiteral("wa_id"), waId},
                                         {QStringLiteral("error"), QString()}}};
    }
    JournalRecord ackRecord(int level, const QString &waId) const
    {
        return JournalRecord{QStringLiteral("ack"), org, client, wallClock(), ack(level, waId)};
    }
    JournalRecord messageRecord(const QString &waId, const QString &body) const
    {
        return JournalRecord{QStringLiteral("message"), org, client, wallClock(), inbound(waId, body)};
    }
    SessionSnapshot snapshot(SessionState state) const
    {
        SessionSnapshot s;
        s.clientId = client;
        s.organizationId = org;
        s.state = state;
        s.stateSince = wallClock();
        s.lastError = state == SessionState::Disconnected ? QStringLiteral("phone offline") : QString();
        return s;
    }

    Database &db;
    EventBus bus;
    QStringList events; // published, in order
    QString org;
    QString client;
    QString messageId;
};

// What the registry builds around a journal: the processors and the glue.
struct Reports {
    Reports(World &w, const QString &dir)
        : journal(dir)
        , recorder(w.db, &w.bus)
        , inbound(w.db, &w.bus, MessagingSettings())
        , acks(w.db, &w.bus)
    {
        opened = journal.open().ok();
        acks.setJournal(&journal);
        glue = std::make_unique<PageReportJournal>(journal, w.db, &w.bus, recorder, inbound, acks, Clock::system(), 60 * 60 * 1000);
    }
    OutageJournal journal;
    SessionRecorder recorder;
    InboundProcessor inbound;
    OutboundAcks acks;
    std::unique_ptr<PageReportJournal> glue;
    bool opened = false;
};

} // namespace

class TestOutageJournal : public QObject {
    Q_OBJECT

private slots:
    // What the journal keeps for later: SQLite refusing writes for now (full, read-only with
    // its extended codes, I/O errors, busy) as much as a server away; a statement's own error
    // (a constraint) is not kept, it would fail again.
    void writeRefusalsCountAsOutages()
    {
        for (const char *code : {"13", "8", "1032", "778", "5"}) {
            const DomainError e = Database::sqlFailure(QSqlError(QStringLiteral("driver"), QStringLiteral("database"),
                                                                 QSqlError::StatementError, QString::fromLatin1(code)),
                                                       "test");
            QVERIFY2(isDatabaseOutage(e), code);
        }
        const DomainError constraint = Database::sqlFailure(
            QSqlError(QStringLiteral("driver"), QStringLiteral("database"), QSqlError::StatementError, QStringLiteral("19")), "test");
        QVERIFY(!isDatabaseOutage(constraint));
    }

    void framingSurvivesAReopen()
    {
        QTemporaryDir dir;
        {
            OutageJournal journal(dir.path());
            QVERIFY(journal.open());
            for (int n = 1; n <= 3; ++n)
                QVERIFY(journal.append(record(n)));
            QCOMPARE(journal.depth(), 3);
        }
        OutageJournal again(dir.path());
        QVERIFY(again.open());
        QCOMPARE(again.depth(), 3);
        QCOMPARE(again.droppedCount(), 0);
        JournalRecord first;
        again.replay([&](const JournalRecord &r) {
            first = r;
            return OutageJournal::Step::Retry;
        });
        QCOMPARE(first.kind, QStringLiteral("test"));
        QCOMPARE(first.clientId, QStringLiteral("client_1"));
        QCOMPARE(first.at, qint64(1001));
        QCOMPARE(first.data.value(QStringLiteral("text")).toString(), QStringLiteral("record 1 ✓"));
        QCOMPARE(drain(again), (QList<int>{1, 2, 3}));
        QCOMPARE(again.depth(), 0);
        QCOMPARE(fileSize(again.filePath()), qint64(16)); // emptied to its header
    }

    // A crash mid-append leaves part of a frame: it is dropped at the next open, the file is cut
    // back, and appends go on from a clean boundary.
    void tornTailIsDropped()
    {
        QTemporaryDir dir;
        QString path;
        qint64 sizeOfThree = 0;
        {
            OutageJournal journal(dir.path());
            QVERIFY(journal.open());
            for (int n = 1; n <= 3; ++n)
                QVERIFY(journal.append(record(n)));
            path = journal.filePath();
            sizeOfThree = journal.bytesOnDisk();
        }
        const QByteArray fourth = record(4).encode();
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::Append));
            const char length[4] = {char(fourth.size() & 0xFF), char((fourth.size() >> 8) & 0xFF), 0, 0};
            f.write(length, 4);
            f.write("\x01\x02\x03\x04", 4);
            f.write(fourth.left(fourth.size() / 2)); // the rest never reached the disk
        }
        QVERIFY(fileSize(path) > sizeOfThree);
        {
            OutageJournal journal(dir.path());
            QVERIFY(journal.open());
            QCOMPARE(journal.depth(), 3);
            QCOMPARE(journal.droppedCount(), 1);
            QCOMPARE(fileSize(path), sizeOfThree);
            QVERIFY(journal.append(record(5)));
        }
        OutageJournal journal(dir.path());
        QVERIFY(journal.open());
        QCOMPARE(journal.droppedCount(), 0);
        QCOMPARE(drain(journal), (QList<int>{1, 2, 3, 5}));
    }

    // A record whose bytes changed fails its CRC: it and what follows are not applied.
    void damagedRecordEndsTheJournal()
    {
        QTemporaryDir dir;
        QString path;
        qint64 secondAt = 0;
        {
            OutageJournal journal(dir.path());
            QVERIFY(journal.open());
            QVERIFY(journal.append(record(1)));
            secondAt = journal.bytesOnDisk();
            QVERIFY(journal.append(record(2)));
            QVERIFY(journal.append(record(3)));
            path = journal.filePath();
        }
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.seek(secondAt + 8 + 3));
            QVERIFY(f.write("X", 1) == 1);
        }
        OutageJournal journal(dir.path());
        QVERIFY(journal.open());
        QCOMPARE(journal.droppedCount(), 1);
        QCOMPARE(drain(journal), (QList<int>{1}));
    }

    // A file that is not a journal (or whose header was torn) is started afresh, not trusted.
    void foreignFileStartsAfresh()
    {
        QTemporaryDir dir;
        {
            QFile f(QDir(dir.path()).filePath(QStringLiteral("outage.journal")));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("not a journal at all, just some bytes");
        }
        OutageJournal journal(dir.path());
        QVERIFY(journal.open());
        QCOMPARE(journal.depth(), 0);
        QVERIFY(journal.append(record(1)));
        QCOMPARE(drain(journal), (QList<int>{1}));
    }

    // Full: the oldest are kept, new ones refused and counted; once drained it takes more.
    void boundedKeepsTheOldest()
    {
        QTemporaryDir dir;
        JournalLimits limits;
        limits.maxRecords = 3;
        OutageJournal journal(dir.path(), limits);
        QVERIFY(journal.open());
        for (int n = 1; n <= 3; ++n)
            QVERIFY(journal.append(record(n)));
        QVERIFY(!journal.append(record(4)));
        QVERIFY(!journal.append(record(5)));
        QCOMPARE(journal.refusedCount(), 2);
        QCOMPARE(journal.depth(), 3);
        QCOMPARE(drain(journal), (QList<int>{1, 2, 3}));
        QVERIFY(journal.append(record(6)));
        QCOMPARE(drain(journal), (QList<int>{6}));

        QTemporaryDir small;
        JournalLimits bytes;
        bytes.maxBytes = record(1).encode().size() * 2 + 16 + 8; // room for two frames, not three
        OutageJournal tiny(small.path(), bytes);
        QVERIFY(tiny.open());
        QVERIFY(tiny.append(record(1)));
        QVERIFY(tiny.append(record(2)));
        QVERIFY(!tiny.append(record(3)));
        QCOMPARE(tiny.refusedCount(), 1);
        QCOMPARE(drain(tiny), (QList<int>{1, 2}));
    }

    // Replay stops at the first record the database cannot take; the point reached is kept on
    // disk, so a new process starts from there; a record appended during a replay waits.
    void replayStopsInOrderAndRemembers()
    {
        QTemporaryDir dir;
        {
            OutageJournal journal(dir.path());
            QVERIFY(journal.open());
            for (int n = 1; n <= 4; ++n)
                QVERIFY(journal.append(record(n)));
            QList<int> seen;
            const int done = journal.replay([&](const JournalRecord &r) {
                const int n = r.data.value(QStringLiteral("n")).toInt();
                seen << n;
                if (n == 1)
                    journal.append(record(9)); // a report that came meanwhile goes behind
                return n == 3 ? OutageJournal::Step::Retry : OutageJournal::Step::Applied;
            });
            QCOMPARE(done, 2);
            QCOMPARE(seen, (QList<int>{1, 2, 3}));
            QCOMPARE(journal.depth(), 3);
        }
        OutageJournal journal(dir.path());
        QVERIFY(journal.open());
        QCOMPARE(journal.depth(), 3);
        QList<int> seen;
        journal.replay([&](const JournalRecord &r) {
            seen << r.data.value(QStringLiteral("n")).toInt();
            return r.data.value(QStringLiteral("n")).toInt() == 4 ? OutageJournal::Step::Drop : OutageJournal::Step::Applied;
        });
        QCOMPARE(seen, (QList<int>{3, 4, 9}));
        QCOMPARE(journal.depth(), 0);
    }

    // Records as the live path writes them, applied in order on both dialects; applied a
    // second time (the journal file as it was before the replay: a crash before its sync)
    // they change nothing.
    void replayAppliesInOrderAndIsIdempotent_data() { addDialectRows(); }
    void replayAppliesInOrderAndIsIdempotent()
    {
        WADESK_FRESH_DATABASE(fresh);
        World w(*fresh.database);
        QVERIFY(w.setUp());
        QTemporaryDir dir;
        const QString waId = QStringLiteral("true_14155550100@c.us_3EB0JOURNAL1");
        const QString inboundId = QStringLiteral("false_14155550199@c.us_3EB0JOURNAL2");
        QByteArray before;
        {
            Reports r(w, dir.path());
            QVERIFY(r.opened);
            QVERIFY(r.journal.append(w.sendOutcome(waId)));
            QVERIFY(r.journal.append(w.ackRecord(2, waId)));
            QVERIFY(r.journal.append(w.messageRecord(inboundId, QStringLiteral("are you there?"))));
            QVERIFY(r.journal.append(w.ackRecord(3, waId)));
            QVERIFY(r.journal.append(PageReportJournal::stateRecord(w.snapshot(SessionState::Disconnected), SessionState::Ready, wallClock())));
            QFile f(r.journal.filePath());
            QVERIFY(f.open(QIODevice::ReadOnly));
            before = f.readAll();
            QCOMPARE(r.glue->replay(), 5);
            QCOMPARE(r.journal.depth(), 0);
        }
        QCOMPARE(w.status(), QStringLiteral("read"));
        QCOMPARE(w.received(inboundId), 1);
        QCOMPARE(w.clientStatus(), QStringLiteral("disconnected"));
        QCOMPARE(w.events.filter(QStringLiteral("message.")),
                 (QStringList{QStringLiteral("message.sent"), QStringLiteral("message.delivered"), QStringLiteral("message.received"),
                              QStringLiteral("message.read")}));
        QCOMPARE(w.storedEvents(QStringLiteral("message.received")), 1);

        // The same records once more.
        {
            QFile f(QDir(dir.path()).filePath(QStringLiteral("outage.journal")));
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QCOMPARE(f.write(before), before.size());
        }
        const int eventsBefore = int(w.events.filter(QStringLiteral("message.")).size());
        {
            Reports r(w, dir.path());
            QVERIFY(r.opened);
            QCOMPARE(r.journal.depth(), 5);
            QCOMPARE(r.glue->replay(), 5);
        }
        QCOMPARE(w.status(), QStringLiteral("read"));
        QCOMPARE(w.received(inboundId), 1);
        QCOMPARE(int(w.events.filter(QStringLiteral("message.")).size()), eventsBefore);
        QCOMPARE(w.storedEvents(QStringLiteral("message.sent")), 1);
        QCOMPARE(w.storedEvents(QStringLiteral("message.read")), 1);
        QCOMPARE(w.storedEvents(QStringLiteral("client.disconnected")), 1);
    }

    // While the journal holds anything, a new report goes behind it even with the database
    // there: an ack never overtakes the send outcome it is about.
    void newReportsQueueBehindTheJournal_data() { addDialectRows(); }
    void newReportsQueueBehindTheJournal()
    {
        WADESK_FRESH_DATABASE(fresh);
        World w(*fresh.database);
        QVERIFY(w.setUp());
        QTemporaryDir dir;
        Reports r(w, dir.path());
        QVERIFY(r.opened);
        const QString waId = QStringLiteral("true_14155550100@c.us_3EB0BEHIND");
        QVERIFY(r.journal.append(w.sendOutcome(waId)));
        r.glue->ack(w.org, w.client, World::ack(3, waId));
        QCOMPARE(r.journal.depth(), 2);
        QCOMPARE(w.status(), QStringLiteral("sending"));
        r.glue->state(w.snapshot(SessionState::Disconnected), SessionState::Ready);
        QCOMPARE(r.journal.depth(), 3);
        QCOMPARE(w.clientStatus(), QStringLiteral("ready"));
        QCOMPARE(r.glue->replay(), 3);
        QCOMPARE(w.status(), QStringLiteral("read"));
        QCOMPARE(w.clientStatus(), QStringLiteral("disconnected"));
        // Empty again: reports go straight in.
        r.glue->state(w.snapshot(SessionState::Ready), SessionState::Disconnected);
        QCOMPARE(r.journal.depth(), 0);
        QCOMPARE(w.clientStatus(), QStringLiteral("ready"));
    }

    // PostgreSQL stops; the page's acks, a received message and a state change go to the
    // journal; everything is dropped as a kill -9 would leave it (the file only); PostgreSQL
    // starts; a new journal on the same directory applies it all once. Last: it stops the
    // process's cluster.
    void outageReportsSurviveAKill()
    {
        WADESK_DATABASE_OR_SKIP(fresh, QStringLiteral("postgres"));
        World w(*fresh.database);
        QVERIFY(w.setUp());
        wadesk::test::PgCluster *cluster = wadesk::test::PgCluster::shared();
        QVERIFY(cluster);
        const QString waId = QStringLiteral("true_14155550100@c.us_3EB0OUTAGE1");
        const QString inboundId = QStringLiteral("false_14155550199@c.us_3EB0OUTAGE2");
        QVERIFY(recordSendOutcome(w.db, &w.bus, Clock::system(), w.org, w.client, SendOutcome{w.messageId, waId, QString(), wallClock()}));
        QCOMPARE(w.status(), QStringLiteral("sent"));
        {
            QSqlQuery checkpoint(w.db.connection().value());
            QVERIFY(checkpoint.exec(QStringLiteral("CHECKPOINT")));
        }
        QTemporaryDir dir;
        QVERIFY(cluster->stopServer());
        bool restarted = false;
        const auto restart = qScopeGuard([&]() {
            if (!restarted)
                cluster->startServer();
        });
        {
            Reports r(w, dir.path());
            QVERIFY(r.opened);
            r.glue->ack(w.org, w.client, World::ack(2, waId));
            QCOMPARE(r.journal.depth(), 1);
            r.glue->message(w.org, w.client, w.inbound(inboundId, QStringLiteral("during the outage")), nullptr);
            r.glue->ack(w.org, w.client, World::ack(3, waId));
            r.glue->state(w.snapshot(SessionState::Disconnected), SessionState::Ready);
            QCOMPARE(r.journal.depth(), 4);
            QCOMPARE(r.acks.heldCount(), 0); // journaled, not held in memory
            QCOMPARE(r.glue->replay(), 0);    // the database is still away
            QCOMPARE(r.journal.depth(), 4);
        }
        QVERIFY(cluster->startServer());
        restarted = true;
        Reports r(w, dir.path());
        QVERIFY(r.opened);
        QCOMPARE(r.journal.depth(), 4);
        QTRY_COMPARE_WITH_TIMEOUT(r.glue->replay() >= 0 && r.journal.depth() == 0, true, 15000);
        QCOMPARE(w.status(), QStringLiteral("read"));
        QCOMPARE(w.received(inboundId), 1);
        QCOMPARE(w.storedEvents(QStringLiteral("message.received")), 1);
        QCOMPARE(w.storedEvents(QStringLiteral("message.delivered")), 1);
        QCOMPARE(w.storedEvents(QStringLiteral("message.read")), 1);
        QCOMPARE(w.clientStatus(), QStringLiteral("disconnected"));
    }
};

QTEST_GUILESS_MAIN(TestOutageJournal)
#include "tst_outage_journal.moc"
