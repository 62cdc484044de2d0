// Session leases between instances on one real PostgreSQL (DESIGN §9): compare-and-set
// ownership, expiry and takeover with a new fencing token, renewal, release, the local deadline
// that gives leases up before the database's expiry, the fenced claim of a queued message and
// the fenced state write, the instances' heartbeat rows, and the takeover's choice of instance.
// Two SessionLeases objects with different instance ids play two instances; lease times are in
// milliseconds here (the settings' minimum of 6 s is for users).

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/cluster/InstanceHeartbeat.h"
#include "core/leases/LeaseOwners.h"
#include "core/cluster/LeaseTakeover.h"
#include "core/cluster/SessionLeases.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/LeasedQueue.h"
#include "core/messaging/MessageRepository.h"
#include "core/sessions/SessionRecorder.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <algorithm>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace wadesk;

namespace {

qint64 wallClock()
{
    return QDateTime::currentMSecsSinceEpoch();
}

SessionLeases::Timing timing(qint64 leaseMs, qint64 renewMs, qint64 marginMs)
{
    SessionLeases::Timing t;
    t.leaseMs = leaseMs;
    t.renewMs = renewMs;
    t.marginMs = marginMs;
    return t;
}

// A migrated PostgreSQL database with one organization.
struct World {
    test::TestDatabase db;
    QString org;

    bool setUp(test::TestDatabase database)
    {
        db = std::move(database);
        if (!Migrator(*db.database, Migrator::embeddedDirectory(QStringLiteral("postgres"))).migrate())
            return false;
        org = Ids::make("org");
        SqlRunner sql(*db.database);
        const qint64 now = wallClock();
        return sql.change(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"),
                          {org, QStringLiteral("Lease Org"), now, now})
            .ok();
    }

    QString addClient(bool autostart = true, const QString &pinned = QString())
    {
        const QString id = Ids::make("client");
        const qint64 now = wallClock();
        SqlRunner sql(*db.database);
        Result<int> r = sql.change(QStringLiteral("INSERT INTO clients (id, organization_id, name, status, autostart, pinned_instance, "
                                                  "created_at, updated_at) VALUES (?, ?, ?, 'stopped', ?, ?, ?, ?)"),
                                   {id, org, QStringLiteral("Desk %1").arg(id.right(4)), autostart ? 1 : 0, textOrNull(pinned), now, now});
        return r ? id : QString();
    }

    QString queueMessage(const QString &clientId)
    {
        SqlRunner sql(*db.database);
        MessageRepository messages(sql);
        ContactRepository contacts(sql);
        Transaction tx(*db.database);
        if (!tx.begin())
            return {};
        Result<ContactRecord> contact = contacts.upsert(org, QStringLiteral("+15550002222"));
        if (!contact)
            return {};
        MessageRecord m;
        m.id = Ids::make("msg");
        m.organizationId = org;
        m.clientId = clientId;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Outbound;
        m.body = QStringLiteral("hello once");
        m.status = MessageStatus::Queued;
        m.createdAt = m.updatedAt = wallClock();
        if (!messages.insertMany({m}) || !messages.enqueueMany({m}) || !tx.commit())
            return {};
        return m.id;
    }

    QString scalar(const QString &sqlText, const QVariantList &bind)
    {
        SqlRunner sql(*db.database);
        Result<QSqlQuery> q = sql.run(sqlText, bind);
        if (!q || !q.value().next())
            return QStringLiteral("<none>");
        return q.value().value(0).toString();
    }

    void beatAs(const QString &instance, int sessions, bool draining = false)
    {
        SqlRunner sql(*db.database);
        QVERIFY(sql.change(QStringLiteral("INSERT INTO instances (id, host, version, started_at, heartbeat_at, session_count, draining) "
                                          "VALUES (?, 'h', 'v', 1, (extract(epoch from clock_timestamp())*1000)::bigint, ?, ?) "
                                          "ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, "
                                          "session_count = EXCLUDED.session_count, draining = EXCLUDED.draining"),
                           {instance, sessions, draining ? 1 : 0})
                    .ok());
    }
};

#define POSTGRES_WORLD(w)                                                                                   \
    WADESK_DATABASE_OR_SKIP(pg, QStringLiteral("postgres"))                                                 \
    World w;                                                                                                \
    QVERIFY(w.setUp(std::move(pg)));

} // namespace

class TestSessionLeases : public QObject {
    Q_OBJECT
private slots:
    void oneOwnerAtATime()
    {
        POSTGRES_WORLD(w);
        const QString client = w.addClient();
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(30000, 5000, 3000));
        SessionLeases b(*w.db.database, QStringLiteral("inst-b"), timing(30000, 5000, 3000));
        Result<std::optional<LeaseFence>> first = a.acquire(client);
        QVERIFY(first.ok() && first.value());
        QCOMPARE(first.value()->owner, QStringLiteral("inst-a"));
        QCOMPARE(first.value()->token, qint64(1));
        Result<std::optional<LeaseFence>> other = b.acquire(client);
        QVERIFY(other.ok());
        QVERIFY(!other.value()); // held by a: refused
        QVERIFY(!b.holds(client));
        QCOMPARE(b.liveOwner(client).value(), QStringLiteral("inst-a"));
        // The holder asking again keeps its token (no change of owner).
        Result<std::optional<LeaseFence>> again = a.acquire(client);
        QVERIFY(again.ok() && again.value());
        QCOMPARE(again.value()->token, qint64(1));
        QCOMPARE(a.heldCount(), 1);
    }

    void releaseHandsOverWithTheNextToken()
    {
        POSTGRES_WORLD(w);
        const QString client = w.addClient();
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(30000, 5000, 3000));
        SessionLeases b(*w.db.database, QStringLiteral("inst-b"), timing(30000, 5000, 3000));
        QVERIFY(a.acquire(client).value());
        QVERIFY(a.release(client).ok());
        QVERIFY(!a.holds(client));
        QCOMPARE(w.scalar(QStringLiteral("SELECT COALESCE(owner, '-') FROM client_leases WHERE client_id = ?"), {client}), QStringLiteral("-"));
        QVERIFY(a.liveOwner(client).value().isEmpty());
        Result<std::optional<LeaseFence>> taken = b.acquire(client);
        QVERIFY(taken.ok() && taken.value());
        QCOMPARE(taken.value()->token, qint64(2));
        QCOMPARE(b.liveOwner(client).value(), QStringLiteral("inst-b"));
    }

    void expiryLetsAnotherTakeOverAndTheOldOwnerFindsOut()
    {
        POSTGRES_WORLD(w);
        const QString client = w.addClient();
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(600, 100, 200));
        SessionLeases b(*w.db.database, QStringLiteral("inst-b"), timing(600, 100, 200));
        QSignalSpy lost(&a, &SessionLeases::lost);
        QVERIFY(a.acquire(client).value());
        QVERIFY(!b.acquire(client).value()); // still live
        std::optional<LeaseFence> bFence;
        QTRY_VERIFY_WITH_TIMEOUT((bFence = b.acquire(client).value()).has_value(), 5000);
        QCOMPARE(bFence->token, qint64(2));
        // a's own deadline passed before b could take it (local deadline < database expiry).
        QCOMPARE(lost.count(), 1);
        QVERIFY(!a.holds(client));
        QVERIFY(a.renewAll().ok());
        QCOMPARE(b.liveOwner(client).value(), QStringLiteral("inst-b"));
        QVERIFY(!a.acquire(client).value()); // b holds it now
    }

    void renewalKeepsTheLease()
    {
        POSTGRES_WORLD(w);
        const QString client = w.addClient();
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(800, 150, 300));
        SessionLeases b(*w.db.database, QStringLiteral("inst-b"), timing(800, 150, 300));
        QSignalSpy lost(&a, &SessionLeases::lost);
        QVERIFY(a.acquire(client).value());
        a.start();
        // Three lease times: without the renewals it would have expired three times over.
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 2400) {
            QTest::qWait(200);
            QVERIFY2(!b.acquire(client).value(), "the renewed lease was taken");
        }
        QVERIFY(a.holds(client));
        QCOMPARE(lost.count(), 0);
        a.stop();
    }

    void renewingManyIsOneStatement()
    {
        POSTGRES_WORLD(w);
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(30000, 5000, 3000));
        QStringList clients;
        for (int i = 0; i < 20; ++i) {
            clients << w.addClient();
            QVERIFY(a.acquire(clients.last()).value());
        }
        const qint64 before = w.scalar(QStringLiteral("SELECT MIN(expires_at) FROM client_leases WHERE owner = 'inst-a'"), {}).toLongLong();
        QTest::qWait(20);
        QVERIFY(a.renewAll().ok());
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM client_leases WHERE owner = 'inst-a' AND expires_at > ?"), {before}).toInt(),
                 20);
        QCOMPARE(a.heldCount(), 20);
    }

    // The renewal's cost as the number of sessions grows (bench/failover.sh prints it for
    // several counts: LEASE_BENCH_SESSIONS).
    void renewalCost()
    {
        POSTGRES_WORLD(w);
        const int sessions = qEnvironmentVariableIntValue("LEASE_BENCH_SESSIONS") > 0 ? qEnvironmentVariableIntValue("LEASE_BENCH_SESSIONS") : 100;
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(30000, 5000, 3000));
        for (int i = 0; i < sessions; ++i)
            QVERIFY(a.acquire(w.addClient()).value());
        QList<qint64> micros;
        for (int round = 0; round < 30; ++round) {
            QElapsedTimer t;
            t.start();
            QVERIFY(a.renewAll().ok());
            micros << t.nsecsElapsed() / 1000;
        }
        QCOMPARE(a.heldCount(), sessions);
        std::sort(micros.begin(), micros.end());
        qInfo("lease renewal: %d sessions, median %lld us, max %lld us per statement", sessions, micros.at(micros.size() / 2),
              micros.last());
    }

    void theLocalDeadlineComesBeforeTheDatabasesExpiry()
    {
        POSTGRES_WORLD(w);
        const QString client = w.addClient();
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(2000, 500, 900));
        SessionLeases b(*w.db.database, QStringLiteral("inst-b"), timing(2000, 500, 900));
        QSignalSpy lost(&a, &SessionLeases::lost);
        QVERIFY(a.acquire(client).value());
        // No renewals (the database away, say): the local deadline fires on its own.
        QTRY_COMPARE_WITH_TIMEOUT(lost.count(), 1, 4000);
        QCOMPARE(lost.first().first().toStringList(), QStringList{client});
        QVERIFY(!a.holds(client));
        QVERIFY(!a.fence(client));
        // The sessions stopped while the database still says a holds it: nobody has taken it yet.
        QVERIFY(!b.acquire(client).value());
        QTRY_VERIFY_WITH_TIMEOUT(b.acquire(client).value().has_value(), 4000);
    }

    void aPausedProcessGivesUpBeforeItRenews()
    {
        POSTGRES_WORLD(w);
        const QString client = w.addClient();
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(500, 100, 150));
        SessionLeases b(*w.db.database, QStringLiteral("inst-b"), timing(500, 100, 150));
        QSignalSpy lost(&a, &SessionLeases::lost);
        QVERIFY(a.acquire(client).value());
        a.start();
        // As if SIGSTOPped: no timer of a's runs for longer than the lease.
        QThread::msleep(800);
        Result<std::optional<LeaseFence>> taken = b.acquire(client);
        QVERIFY(taken.ok() && taken.value());
        // a wakes: its first act is to give up (the renewal does not bring its lease back).
        QVERIFY(a.renewAll().ok());
        QCOMPARE(lost.count(), 1);
        QVERIFY(!a.holds(client));
        QCOMPARE(b.liveOwner(client).value(), QStringLiteral("inst-b"));
        QCOMPARE(w.scalar(QStringLiteral("SELECT token FROM client_leases WHERE client_id = ?"), {client}).toLongLong(),
                 taken.value()->token);
        a.stop();
    }

    void aStaleTokenCannotClaimAQueuedMessage()
    {
        POSTGRES_WORLD(w);
        const QString client = w.addClient();
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(400, 100, 100));
        SessionLeases b(*w.db.database, QStringLiteral("inst-b"), timing(400, 100, 100));
        const std::optional<LeaseFence> aFence = a.acquire(client).value();
        QVERIFY(aFence);
        const QString messageId = w.queueMessage(client);
        QVERIFY(!messageId.isEmpty());
        std::optional<LeaseFence> bFence;
        QTRY_VERIFY_WITH_TIMEOUT((bFence = b.acquire(client).value()).has_value(), 5000);

        SqlRunner sql(*w.db.database);
        {
            Transaction tx(*w.db.database);
            QVERIFY(tx.begin().ok());
            Result<std::optional<MessageRecord>> stale = claimNextUnderLease(sql, client, wallClock(), *aFence);
            QVERIFY(!stale.ok());
            QCOMPARE(stale.error().code, QStringLiteral("client_runs_elsewhere"));
        } // rolled back
        QCOMPARE(w.scalar(QStringLiteral("SELECT status FROM messages WHERE id = ?"), {messageId}), QStringLiteral("queued"));
        QCOMPARE(w.scalar(QStringLiteral("SELECT COUNT(*) FROM outbox WHERE message_id = ?"), {messageId}).toInt(), 1);
        {
            Transaction tx(*w.db.database);
            QVERIFY(tx.begin().ok());
            Result<std::optional<MessageRecord>> claimed = claimNextUnderLease(sql, client, wallClock(), *bFence);
            QVERIFY(claimed.ok() && claimed.value());
            QCOMPARE(claimed.value()->id, messageId);
            QVERIFY(tx.commit().ok());
        }
        QCOMPARE(w.scalar(QStringLiteral("SELECT status FROM messages WHERE id = ?"), {messageId}), QStringLiteral("sending"));
    }

    void aStaleOwnerDoesNotOverwriteTheClientsState()
    {
        POSTGRES_WORLD(w);
        const QString client = w.addClient();
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(400, 100, 100));
        SessionLeases b(*w.db.database, QStringLiteral("inst-b"), timing(400, 100, 100));
        const std::optional<LeaseFence> aFence = a.acquire(client).value();
        QVERIFY(aFence);
        std::optional<LeaseFence> bFence;
        QTRY_VERIFY_WITH_TIMEOUT((bFence = b.acquire(client).value()).has_value(), 5000);
        // Each instance's recorder writes under the fence it believes it has.
        std::optional<LeaseFence> aBelieves = aFence;
        SessionRecorder aRecorder(*w.db.database, nullptr);
        aRecorder.setFences([&aBelieves](const QString &) { return aBelieves; });
        SessionRecorder bRecorder(*w.db.database, nullptr);
        bRecorder.setFences([&bFence](const QString &) { return bFence; });
        SessionSnapshot snap;
        snap.clientId = client;
        snap.organizationId = w.org;
        snap.state = SessionState::Ready;
        snap.stateSince = wallClock();
        QVERIFY(bRecorder.recordTransition(snap, SessionState::Authenticating).ok());
        snap.state = SessionState::Stopped;
        Status refused = aRecorder.saveState(snap, std::nullopt);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QStringLiteral("client_runs_elsewhere"));
        QCOMPARE(aRecorder.recordTransition(snap, SessionState::Ready).error().code, QStringLiteral("client_runs_elsewhere"));
        QCOMPARE(w.scalar(QStringLiteral("SELECT status FROM clients WHERE id = ?"), {client}), QStringLiteral("ready"));
        // Without a lease of its own (token 0) an instance writes only while nobody else holds one.
        aBelieves = LeaseFence{QStringLiteral("inst-a"), 0};
        QCOMPARE(aRecorder.saveState(snap, std::nullopt).error().code, QStringLiteral("client_runs_elsewhere"));
        QCOMPARE(w.scalar(QStringLiteral("SELECT status FROM clients WHERE id = ?"), {client}), QStringLiteral("ready"));
        // The API names the live owner.
        QCOMPARE(liveLeaseOwners(*w.db.database, {client}).value().value(client), QStringLiteral("inst-b"));
        QVERIFY(b.release(client).ok());
        QVERIFY(liveLeaseOwners(*w.db.database, {client}).value().isEmpty());
        QVERIFY(aRecorder.saveState(snap, std::nullopt).ok());
        QCOMPARE(w.scalar(QStringLiteral("SELECT status FROM clients WHERE id = ?"), {client}), QStringLiteral("stopped"));
    }

    void oneProcessPerInstanceId()
    {
        POSTGRES_WORLD(w);
        InstanceHeartbeat first(*w.db.database, {QStringLiteral("inst-a"), QStringLiteral("host1"), QStringLiteral("1.0"), QString()}, 30000, 5000,
                                []() { return 3; });
        QVERIFY(first.start().ok());
        QVERIFY(first.beat().ok());
        QCOMPARE(w.scalar(QStringLiteral("SELECT session_count FROM instances WHERE id = 'inst-a'"), {}).toInt(), 3);
        InstanceHeartbeat twin(*w.db.database, {QStringLiteral("inst-a"), QStringLiteral("host2"), QStringLiteral("1.0"), QString()}, 30000, 5000,
                               []() { return 0; });
        Status refused = twin.start();
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QStringLiteral("instance_id_in_use"));
        QVERIFY(refused.error().message.contains(QStringLiteral("inst-a")));
        QCOMPARE(w.scalar(QStringLiteral("SELECT host FROM instances WHERE id = 'inst-a'"), {}), QStringLiteral("host1"));
        InstanceHeartbeat other(*w.db.database, {QStringLiteral("inst-b"), QStringLiteral("host2"), QStringLiteral("1.0"), QString()}, 30000, 5000,
                                []() { return 0; });
        QVERIFY(other.start().ok());
        // A clean stop frees the id at once.
        first.stop();
        QVERIFY(twin.start().ok());
        QCOMPARE(w.scalar(QStringLiteral("SELECT host FROM instances WHERE id = 'inst-a'"), {}), QStringLiteral("host2"));
        twin.stop();
        other.stop();
    }

    // A process started again on its data directory after a crash (its predecessor's heartbeat
    // still fresh) takes the row back at once; one with another directory is still refused.
    void aRestartOnTheSameDataDirectoryIsNotRefused()
    {
        POSTGRES_WORLD(w);
        QTemporaryDir dataDir, otherDir;
        const QString record = dataDir.filePath(QStringLiteral("instance-row"));
        auto crashed = std::make_unique<InstanceHeartbeat>(
            *w.db.database, InstanceHeartbeat::Identity{QStringLiteral("inst-a"), QStringLiteral("host1"), QStringLiteral("1.0"), record},
            30000, 5000, []() { return 1; });
        QVERIFY(crashed->start().ok());
        QVERIFY(QFile::exists(record));
        const qint64 firstStart = crashed->startedAt();
        crashed.reset(); // no stop(): its heartbeat stays fresh, as after a kill -9

        InstanceHeartbeat elsewhere(*w.db.database,
                                    {QStringLiteral("inst-a"), QStringLiteral("host2"), QStringLiteral("1.0"), otherDir.filePath(QStringLiteral("instance-row"))},
                                    30000, 5000, []() { return 0; });
        QCOMPARE(elsewhere.start().error().code, QStringLiteral("instance_id_in_use"));
        QTest::qWait(5); // a later started_at on the database's clock
        InstanceHeartbeat restarted(*w.db.database, {QStringLiteral("inst-a"), QStringLiteral("host1"), QStringLiteral("1.0"), record}, 30000, 5000,
                                    []() { return 0; });
        QVERIFY(restarted.start().ok());
        QVERIFY(restarted.startedAt() > firstStart);
        // The record now names the new row: a stale record (the first start) no longer matches it.
        QFile f(record);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("inst-a\n") + QByteArray::number(restarted.startedAt()) + '\n');
        restarted.stop();
    }

    void theLeastBusyInstanceTakesOverUntilItIsNoLonger()
    {
        POSTGRES_WORLD(w);
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(30000, 5000, 3000));
        SessionLeases b(*w.db.database, QStringLiteral("inst-b"), timing(30000, 5000, 3000));
        QVERIFY(a.acquire(w.addClient()).value()); // a runs two already
        QVERIFY(a.acquire(w.addClient()).value());
        const QString free1 = w.addClient();
        const QString free2 = w.addClient();
        const QString free3 = w.addClient();
        w.addClient(false); // stopped by its operator: nobody takes it
        w.beatAs(QStringLiteral("inst-a"), 2);
        w.beatAs(QStringLiteral("inst-b"), 0);
        auto starter = [](SessionLeases &leases, QStringList &started) {
            return [&leases, &started](const QString &, const QString &clientId) {
                started << clientId;
                return leases.acquire(clientId).ok();
            };
        };
        QStringList byA, byB;
        LeaseTakeover takeA(*w.db.database, a, starter(a, byA));
        LeaseTakeover takeB(*w.db.database, b, starter(b, byB));
        QCOMPARE(takeA.tick().value(), QStringList()); // a has more sessions than b
        // b takes clients while it has the fewest, counting those it takes: two, then it ties a.
        QCOMPARE(takeB.tick().value(), (QStringList{free1, free2}));
        // Now 2 each: the tie goes to the smaller id (a).
        w.beatAs(QStringLiteral("inst-b"), 2);
        QCOMPARE(takeB.tick().value(), QStringList());
        QCOMPARE(takeA.tick().value(), QStringList{free3});
        QCOMPARE(byA, QStringList{free3});
        QCOMPARE(byB, (QStringList{free1, free2}));
    }

    void pinnedAndDrainingInstances()
    {
        POSTGRES_WORLD(w);
        SessionLeases a(*w.db.database, QStringLiteral("inst-a"), timing(30000, 5000, 3000));
        SessionLeases b(*w.db.database, QStringLiteral("inst-b"), timing(30000, 5000, 3000));
        for (int i = 0; i < 3; ++i)
            QVERIFY(a.acquire(w.addClient()).value()); // a is the busiest
        const QString pinnedToA = w.addClient(true, QStringLiteral("inst-a"));
        const QString pinnedToGone = w.addClient(true, QStringLiteral("inst-gone"));
        w.beatAs(QStringLiteral("inst-a"), 3);
        w.beatAs(QStringLiteral("inst-b"), 0, true); // draining
        auto starter = [](SessionLeases &leases) {
            return [&leases](const QString &, const QString &clientId) { return leases.acquire(clientId).ok(); };
        };
        LeaseTakeover takeA(*w.db.database, a, starter(a));
        LeaseTakeover takeB(*w.db.database, b, starter(b));
        QCOMPARE(takeB.tick().value(), QStringList()); // draining: takes nothing, not even the free one
        // a is busier than no one else live and non-draining: it takes its pinned client and one free.
        QCOMPARE(takeA.tick().value(), (QStringList{pinnedToA, pinnedToGone}));
        // Not draining any more, b would take nothing pinned to a live a.
        QVERIFY(a.release(pinnedToA).ok());
        w.beatAs(QStringLiteral("inst-b"), 0, false);
        QCOMPARE(takeB.tick().value(), QStringList());
        // At start, a brings back what it holds and what is pinned to it.
        const auto own = LeaseTakeover::ownClientsAtStart(*w.db.database, QStringLiteral("inst-a"));
        QVERIFY(own.ok());
        QCOMPARE(own.value().size(), 5);
    }
};

QTEST_GUILESS_MAIN(TestSessionLeases)
#include "tst_session_leases.moc"
