// Retention (core/retention) on SQLite and on a real PostgreSQL: rows are written directly with
// the times each case needs, and the pruner's clock is a value the test moves.
//
// Proves: events, succeeded deliveries, dead letters and expired sign-in failures older than
// their windows go and younger ones stay, in every organization; an event with a pending,
// delivering or retrying delivery is never pruned, however old, and goes once its deliveries are
// done; dead letters outlive other deliveries until their own window; messages are kept by
// default, and when a window is set only settled ones go (never queued, sending or in the send
// queue, nor one whose last change is recent); the audit log is untouched and its chain intact;
// 0 keeps forever. A prune of 20,000 rows runs in batches of at most 500 rows while another
// connection's inserts get through (on SQLite within a 250 ms busy timeout); a stop request ends
// a run between batches. On PostgreSQL, a row a writer holds is skipped rather than waited for,
// and a run is skipped while another instance holds the advisory lock. The background service
// prunes on its own thread at start and on its interval and stops promptly in the middle of a
// large prune. The binary refuses bad retention settings with exit code 2.

#include "tests/support/BinarySandbox.h"
#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "tests/support/ManualClock.h"
#include "core/audit/AuditLog.h"
#include "core/common/Ids.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/retention/RetentionPruner.h"
#include "core/retention/RetentionService.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

using namespace wadesk;
using wadesk::test::PgCluster;

namespace {

constexpr qint64 kDay = 24LL * 3600 * 1000;
constexpr qint64 kNow = 1900000000000LL; // 2030-03-17: far from the wall clock on purpose
const ManualClock kAtNow(kNow);            // for the cases where time stands still

const QString kOrgA = QStringLiteral("org_retention_a");
const QString kOrgB = QStringLiteral("org_retention_b");

// Writes rows as the services would, but with chosen times.
class Rows {
public:
    explicit Rows(Database &db) : m_sql(db) {}

    bool exec(const QString &statement, const QVariantList &bindings)
    {
        const Result<int> r = m_sql.change(statement, bindings, "test.rows");
        return r.ok();
    }

    bool organization(const QString &org)
    {
        return exec(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"),
                    {org, org, kNow - 400 * kDay, kNow - 400 * kDay})
            && exec(QStringLiteral("INSERT INTO clients (id, organization_id, name, status, created_at, updated_at) VALUES (?, ?, ?, 'ready', ?, ?)"),
                    {clientOf(org), org, QStringLiteral("client"), kNow - 400 * kDay, kNow - 400 * kDay})
            && exec(QStringLiteral("INSERT INTO contacts (id, organization_id, phone_number, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"),
                    {contactOf(org), org, QStringLiteral("+4915112345678"), kNow - 400 * kDay, kNow - 400 * kDay})
            && exec(QStringLiteral("INSERT INTO webhooks (id, organization_id, url, events, secret_sealed, created_at, updated_at) "
                                   "VALUES (?, ?, 'https://example.org/hook', '[\"*\"]', 'sealed', ?, ?)"),
                    {webhookOf(org), org, kNow - 400 * kDay, kNow - 400 * kDay});
    }
    static QString clientOf(const QString &org) { return QStringLiteral("client_of_") + org; }
    static QString contactOf(const QString &org) { return QStringLiteral("contact_of_") + org; }
    static QString webhookOf(const QString &org) { return QStringLiteral("wh_of_") + org; }

    bool event(const QString &org, const QString &id, qint64 createdAt)
    {
        return exec(QStringLiteral("INSERT INTO events (id, organization_id, type, data, created_at) VALUES (?, ?, 'message.sent', '{}', ?)"),
                    {id, org, createdAt});
    }
    // Many events at once (multi-row inserts), ids prefix_0 ...
    bool events(const QString &org, const QString &prefix, int count, qint64 createdAt)
    {
        QVariantList values;
        values.reserve(count * 5);
        for (int i = 0; i < count; ++i)
            values << QStringLiteral("%1_%2").arg(prefix).arg(i) << org << QStringLiteral("message.sent") << QStringLiteral("{}")
                   << createdAt;
        const Result<int> r = m_sql.insertRows(QStringLiteral("INSERT INTO events (id, organization_id, type, data, created_at) VALUES"),
                                               5, values, "test.events");
        return r.ok() && r.value() == count;
    }
    bool delivery(const QString &org, const QString &id, const QString &eventId, const QString &status, qint64 createdAt,
                  qint64 updatedAt)
    {
        return exec(QStringLiteral("INSERT INTO webhook_deliveries (id, organization_id, webhook_id, event_id, event_type, payload, status, "
                                   "attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'message.sent', '{}', ?, 1, ?, ?, ?)"),
                    {id, org, webhookOf(org), eventId, status, createdAt, createdAt, updatedAt});
    }
    bool message(const QString &org, const QString &id, const QString &status, qint64 createdAt, qint64 updatedAt, bool queued = false)
    {
        return exec(QStringLiteral("INSERT INTO messages (id, organization_id, client_id, contact_id, direction, body, status, "
                                   "idempotency_key, created_at, updated_at) VALUES (?, ?, ?, ?, 'outbound', 'hello', ?, ?, ?, ?)"),
                    {id, org, clientOf(org), contactOf(org), status, QStringLiteral("key-") + id, createdAt, updatedAt})
            && (!queued
                || exec(QStringLiteral("INSERT INTO outbox (message_id, organization_id, client_id, enqueued_at) VALUES (?, ?, ?, ?)"),
                        {id, org, clientOf(org), createdAt}));
    }
    bool loginFailure(const QString &id, qint64 createdAt)
    {
        return exec(QStringLiteral("INSERT INTO login_failures (id, email_normalized, ip_address, created_at) VALUES (?, 'a@example.org', '127.0.0.1', ?)"),
                    {id, createdAt});
    }

    bool has(const QString &table, const QString &id)
    {
        const QString column = table == QLatin1String("outbox") ? QStringLiteral("message_id") : QStringLiteral("id");
        Result<bool> r = m_sql.query(QStringLiteral("SELECT 1 FROM %1 WHERE %2 = ?").arg(table, column), {id}, "test.has",
                                     [](QSqlQuery &q) { return q.next(); });
        return r.ok() && r.value();
    }
    qint64 count(const QString &table, const QString &where = QString(), const QVariantList &bindings = {})
    {
        Result<qint64> r = m_sql.query(QStringLiteral("SELECT COUNT(*) FROM %1%2").arg(table, where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where),
                                       bindings, "test.count", [](QSqlQuery &q) { return q.next() ? q.value(0).toLongLong() : -1; });
        return r.ok() ? r.value() : -1;
    }

private:
    SqlRunner m_sql;
};

bool migrate(Database &db)
{
    const Result<int> r = Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate();
    if (!r)
        qWarning("migration failed: %s", qPrintable(r.error().message));
    return r.ok();
}

RetentionSettings fastSettings()
{
    RetentionSettings s;
    s.pauseBetweenBatchesMs = 1;
    return s;
}

} // namespace

class TestRetention : public QObject {
    Q_OBJECT
private slots:
    void windows_data() { wadesk::test::addDialectRows(); }
    void windows();
    void messagesOnlyWhenAsked_data() { wadesk::test::addDialectRows(); }
    void messagesOnlyWhenAsked();
    void zeroKeepsForever_data() { wadesk::test::addDialectRows(); }
    void zeroKeepsForever();
    void largePruneLetsWritersThrough_data();
    void largePruneLetsWritersThrough();
    void stopsBetweenBatches_data() { wadesk::test::addDialectRows(); }
    void stopsBetweenBatches();
    void lockedRowsAreSkippedOnPostgres();
    void oneInstanceAtATimeOnPostgres();
    void serviceRunsInTheBackground_data() { wadesk::test::addDialectRows(); }
    void serviceRunsInTheBackground();
    void binaryRefusesBadSettings_data();
    void binaryRefusesBadSettings();
};

// ---- what goes and what stays -------------------------------------------------------------

void TestRetention::windows()
{
    WADESK_FRESH_DATABASE(t);
    Database &db = *t.database;
    QVERIFY(migrate(db));
    Rows rows(db);
    QVERIFY(rows.organization(kOrgA));
    QVERIFY(rows.organization(kOrgB));

    // The audit log of organization A, with entries far older than any window.
    {
        SqlRunner sql(db);
        AuditLog audit(sql);
        for (int i = 0; i < 3; ++i) {
            AuditEntry e;
            e.id = Ids::make("log");
            e.organizationId = kOrgA;
            e.action = QStringLiteral("test.old");
            e.resource = QStringLiteral("tests");
            e.createdAt = kNow - (500 - i) * kDay;
            Transaction tx(db);
            QVERIFY(tx.begin().ok() && audit.append(e).ok() && tx.commit().ok());
        }
    }

    for (const QString &org : {kOrgA, kOrgB}) {
        const QString p = org.right(1).toUpper() + QLatin1Char('_');
        // Events: old ones go unless a delivery of theirs is unfinished.
        QVERIFY(rows.event(org, p + QStringLiteral("evt_old"), kNow - 31 * kDay));
        QVERIFY(rows.event(org, p + QStringLiteral("evt_young"), kNow - 29 * kDay));
        QVERIFY(rows.event(org, p + QStringLiteral("evt_old_pending"), kNow - 100 * kDay));
        QVERIFY(rows.event(org, p + QStringLiteral("evt_old_retrying"), kNow - 100 * kDay));
        QVERIFY(rows.event(org, p + QStringLiteral("evt_old_delivering"), kNow - 100 * kDay));
        QVERIFY(rows.event(org, p + QStringLiteral("evt_old_done"), kNow - 100 * kDay));
        QVERIFY(rows.delivery(org, p + QStringLiteral("dlv_pending"), p + QStringLiteral("evt_old_pending"), QStringLiteral("pending"),
                              kNow - 100 * kDay, kNow - 100 * kDay));
        QVERIFY(rows.delivery(org, p + QStringLiteral("dlv_retrying"), p + QStringLiteral("evt_old_retrying"), QStringLiteral("retrying"),
                              kNow - 100 * kDay, kNow - 99 * kDay));
        QVERIFY(rows.delivery(org, p + QStringLiteral("dlv_delivering"), p + QStringLiteral("evt_old_delivering"),
                              QStringLiteral("delivering"), kNow - 100 * kDay, kNow - 99 * kDay));
        // A finished delivery does not hold its event.
        QVERIFY(rows.delivery(org, p + QStringLiteral("dlv_done_young"), p + QStringLiteral("evt_old_done"), QStringLiteral("succeeded"),
                              kNow - 100 * kDay, kNow - 2 * kDay));
        // Deliveries: succeeded ones by when they finished; dead letters by their longer window.
        QVERIFY(rows.delivery(org, p + QStringLiteral("dlv_ok_old"), p + QStringLiteral("evt_x1"), QStringLiteral("succeeded"),
                              kNow - 40 * kDay, kNow - 31 * kDay));
        QVERIFY(rows.delivery(org, p + QStringLiteral("dlv_ok_finished_late"), p + QStringLiteral("evt_x2"), QStringLiteral("succeeded"),
                              kNow - 40 * kDay, kNow - 29 * kDay));
        QVERIFY(rows.delivery(org, p + QStringLiteral("dlv_dead_60"), p + QStringLiteral("evt_x3"), QStringLiteral("dead"),
                              kNow - 61 * kDay, kNow - 60 * kDay));
        QVERIFY(rows.delivery(org, p + QStringLiteral("dlv_dead_91"), p + QStringLiteral("evt_x4"), QStringLiteral("dead"),
                              kNow - 92 * kDay, kNow - 91 * kDay));
        // Messages: kept by default however old.
        QVERIFY(rows.message(org, p + QStringLiteral("msg_ancient"), QStringLiteral("read"), kNow - 3000 * kDay, kNow - 3000 * kDay));
    }
    QVERIFY(rows.loginFailure(QStringLiteral("lf_old"), kNow - 2 * kDay));
    QVERIFY(rows.loginFailure(QStringLiteral("lf_recent"), kNow - 3600 * 1000));

    ManualClock clock(kNow);
    RetentionPruner pruner(db, fastSettings(), clock);
    RetentionReport report = pruner.run();
    QVERIFY2(!report.failed && !report.skipped && !report.stopped, qPrintable(report.summary()));
    QCOMPARE(report.organizations, 2);
    QCOMPARE(report.events, 4);       // evt_old, evt_old_done per organization
    QCOMPARE(report.deliveries, 2);   // dlv_ok_old
    QCOMPARE(report.deadLetters, 2);  // dlv_dead_91
    QCOMPARE(report.messages, 0);
    QCOMPARE(report.loginFailures, 1);
    QVERIFY(report.summary().contains(QStringLiteral("4 events")));

    for (const QString &org : {kOrgA, kOrgB}) {
        const QString p = org.right(1).toUpper() + QLatin1Char('_');
        QVERIFY(!rows.has(QStringLiteral("events"), p + QStringLiteral("evt_old")));
        QVERIFY(!rows.has(QStringLiteral("events"), p + QStringLiteral("evt_old_done")));
        QVERIFY(rows.has(QStringLiteral("events"), p + QStringLiteral("evt_young")));
        QVERIFY(rows.has(QStringLiteral("events"), p + QStringLiteral("evt_old_pending")));
        QVERIFY(rows.has(QStringLiteral("events"), p + QStringLiteral("evt_old_retrying")));
        QVERIFY(rows.has(QStringLiteral("events"), p + QStringLiteral("evt_old_delivering")));
        for (const char *kept : {"dlv_pending", "dlv_retrying", "dlv_delivering", "dlv_done_young", "dlv_ok_finished_late", "dlv_dead_60"})
            QVERIFY2(rows.has(QStringLiteral("webhook_deliveries"), p + QLatin1String(kept)), kept);
        QVERIFY(!rows.has(QStringLiteral("webhook_deliveries"), p + QStringLiteral("dlv_ok_old")));
        QVERIFY(!rows.has(QStringLiteral("webhook_deliveries"), p + QStringLiteral("dlv_dead_91")));
        QVERIFY(rows.has(QStringLiteral("messages"), p + QStringLiteral("msg_ancient")));
    }
    QVERIFY(!rows.has(QStringLiteral("login_failures"), QStringLiteral("lf_old")));
    QVERIFY(rows.has(QStringLiteral("login_failures"), QStringLiteral("lf_recent")));

    // Time moves on: what was young is old now; unfinished deliveries still hold their events.
    clock.set(kNow + 2 * kDay);
    report = pruner.run();
    QVERIFY2(!report.failed, qPrintable(report.summary()));
    QCOMPARE(report.events, 2);      // evt_young
    QCOMPARE(report.deliveries, 2);  // dlv_ok_finished_late
    QCOMPARE(report.deadLetters, 0); // dlv_dead_60 is 62 days dead
    QVERIFY(rows.has(QStringLiteral("events"), QStringLiteral("A_evt_old_pending")));

    // Once its delivery has succeeded, the pending one's event goes (the delivery, just
    // finished, stays).
    QVERIFY(rows.exec(QStringLiteral("UPDATE webhook_deliveries SET status = 'succeeded', updated_at = ? WHERE id = ?"),
                      {clock.nowMs(), QStringLiteral("A_dlv_pending")}));
    report = pruner.run();
    QCOMPARE(report.events, 1);
    QCOMPARE(report.deliveries, 0);
    QVERIFY(!rows.has(QStringLiteral("events"), QStringLiteral("A_evt_old_pending")));
    QVERIFY(rows.has(QStringLiteral("events"), QStringLiteral("B_evt_old_pending")));
    QVERIFY(rows.has(QStringLiteral("webhook_deliveries"), QStringLiteral("A_dlv_pending")));

    // Dead letters go after their own window.
    clock.set(kNow + 31 * kDay);
    report = pruner.run();
    QCOMPARE(report.deadLetters, 2); // dlv_dead_60, now 91 days dead
    QVERIFY(!rows.has(QStringLiteral("webhook_deliveries"), QStringLiteral("B_dlv_dead_60")));

    // The audit log: every entry still there, the chain intact.
    QCOMPARE(rows.count(QStringLiteral("audit_logs")), 3);
    SqlRunner sql(db);
    AuditLog audit(sql);
    const Result<AuditLog::Verification> verified = audit.verify();
    QVERIFY(verified.ok());
    QVERIFY2(verified.value().intact, qPrintable(verified.value().reason));
}

void TestRetention::messagesOnlyWhenAsked()
{
    WADESK_FRESH_DATABASE(t);
    Database &db = *t.database;
    QVERIFY(migrate(db));
    Rows rows(db);
    QVERIFY(rows.organization(kOrgA));
    QVERIFY(rows.organization(kOrgB));
    for (const char *status : {"sent", "delivered", "read", "failed", "received"})
        QVERIFY(rows.message(kOrgA, QStringLiteral("msg_old_%1").arg(QLatin1String(status)), QLatin1String(status), kNow - 8 * kDay,
                             kNow - 8 * kDay));
    QVERIFY(rows.message(kOrgB, QStringLiteral("msg_old_b"), QStringLiteral("read"), kNow - 8 * kDay, kNow - 8 * kDay));
    QVERIFY(rows.message(kOrgA, QStringLiteral("msg_young"), QStringLiteral("read"), kNow - 6 * kDay, kNow - 6 * kDay));
    // Never queued or sending ones, however old; nor one still in the send queue.
    QVERIFY(rows.message(kOrgA, QStringLiteral("msg_queued"), QStringLiteral("queued"), kNow - 30 * kDay, kNow - 30 * kDay, true));
    QVERIFY(rows.message(kOrgA, QStringLiteral("msg_sending"), QStringLiteral("sending"), kNow - 30 * kDay, kNow - 30 * kDay));
    QVERIFY(rows.message(kOrgA, QStringLiteral("msg_failed_in_queue"), QStringLiteral("failed"), kNow - 30 * kDay, kNow - 30 * kDay,
                         true));
    // Sent long ago, read yesterday: its last change is recent.
    QVERIFY(rows.message(kOrgA, QStringLiteral("msg_read_lately"), QStringLiteral("read"), kNow - 30 * kDay, kNow - 1 * kDay));

    ManualClock clock(kNow);
    {
        // Default settings: messages are kept.
        RetentionPruner keeper(db, fastSettings(), clock);
        const RetentionReport report = keeper.run();
        QVERIFY(!report.failed);
        QCOMPARE(report.messages, 0);
        QCOMPARE(rows.count(QStringLiteral("messages")), 11);
    }

    RetentionSettings settings = fastSettings();
    settings.messagesDays = 7;
    RetentionPruner pruner(db, settings, clock);
    const RetentionReport report = pruner.run();
    QVERIFY2(!report.failed, qPrintable(report.summary()));
    QCOMPARE(report.messages, 6);
    for (const char *status : {"sent", "delivered", "read", "failed", "received"})
        QVERIFY(!rows.has(QStringLiteral("messages"), QStringLiteral("msg_old_%1").arg(QLatin1String(status))));
    QVERIFY(!rows.has(QStringLiteral("messages"), QStringLiteral("msg_old_b")));
    for (const char *kept : {"msg_young", "msg_queued", "msg_sending", "msg_failed_in_queue", "msg_read_lately"})
        QVERIFY2(rows.has(QStringLiteral("messages"), QLatin1String(kept)), kept);
    QVERIFY(rows.has(QStringLiteral("outbox"), QStringLiteral("msg_queued")));
    QCOMPARE(rows.count(QStringLiteral("outbox")), 2);
    // Contacts and clients are not retention's business.
    QCOMPARE(rows.count(QStringLiteral("contacts")), 2);
    QCOMPARE(rows.count(QStringLiteral("clients")), 2);

    // A message that leaves the queue as sent can go once it is old enough; the cascade takes
    // its outbox row along (foreign keys are on in both dialects).
    QVERIFY(rows.exec(QStringLiteral("UPDATE messages SET status = 'sent' WHERE id = ?"), {QStringLiteral("msg_queued")}));
    QVERIFY(rows.exec(QStringLiteral("DELETE FROM outbox WHERE message_id = ?"), {QStringLiteral("msg_queued")}));
    clock.set(kNow + 2 * kDay);
    const RetentionReport later = pruner.run();
    QCOMPARE(later.messages, 2); // msg_queued (now sent), msg_young (8 days old now)
    QVERIFY(!rows.has(QStringLiteral("messages"), QStringLiteral("msg_queued")));
    QVERIFY(rows.has(QStringLiteral("messages"), QStringLiteral("msg_sending")));
}

void TestRetention::zeroKeepsForever()
{
    WADESK_FRESH_DATABASE(t);
    Database &db = *t.database;
    QVERIFY(migrate(db));
    Rows rows(db);
    QVERIFY(rows.organization(kOrgA));
    QVERIFY(rows.event(kOrgA, QStringLiteral("evt_ancient"), kNow - 3000 * kDay));
    QVERIFY(rows.delivery(kOrgA, QStringLiteral("dlv_ok"), QStringLiteral("evt_ancient"), QStringLiteral("succeeded"), kNow - 3000 * kDay,
                          kNow - 3000 * kDay));
    QVERIFY(rows.delivery(kOrgA, QStringLiteral("dlv_dead"), QStringLiteral("evt_ancient"), QStringLiteral("dead"), kNow - 3000 * kDay,
                          kNow - 3000 * kDay));
    QVERIFY(rows.message(kOrgA, QStringLiteral("msg_ancient"), QStringLiteral("read"), kNow - 3000 * kDay, kNow - 3000 * kDay));

    RetentionSettings settings = fastSettings();
    settings.eventsDays = 0;
    settings.deliveriesDays = 0;
    settings.deadLettersDays = 90;
    settings.messagesDays = 0;
    RetentionPruner pruner(db, settings, kAtNow);
    const RetentionReport report = pruner.run();
    QVERIFY(!report.failed);
    QCOMPARE(report.removed(), 0);
    QCOMPARE(pruner.deadLettersCutoff(kNow), 0); // deliveries kept forever: dead letters too
    QVERIFY(rows.has(QStringLiteral("events"), QStringLiteral("evt_ancient")));
    QVERIFY(rows.has(QStringLiteral("webhook_deliveries"), QStringLiteral("dlv_ok")));
    QVERIFY(rows.has(QStringLiteral("webhook_deliveries"), QStringLiteral("dlv_dead")));
    QVERIFY(rows.has(QStringLiteral("messages"), QStringLiteral("msg_ancient")));

    // Dead letters never go before other finished deliveries.
    settings.deliveriesDays = 120;
    settings.deadLettersDays = 10;
    QCOMPARE(RetentionPruner(db, settings).deadLettersCutoff(kNow), kNow - 120 * kDay);
}

// ---- batches and writers --------------------------------------------------------------------

void TestRetention::largePruneLetsWritersThrough_data()
{
    QTest::addColumn<QString>("dialect");
    QTest::addColumn<bool>("sameProcess"); // the writer: a thread of this process, or another connection
    QTest::newRow("sqlite, writer in this process") << QStringLiteral("sqlite") << true;
    QTest::newRow("sqlite, writer on another connection") << QStringLiteral("sqlite") << false;
    QTest::newRow("postgres, writer on another connection") << QStringLiteral("postgres") << false;
}

void TestRetention::largePruneLetsWritersThrough()
{
    QFETCH(bool, sameProcess);
    WADESK_FRESH_DATABASE(t);
    Database &db = *t.database;
    QVERIFY(migrate(db));
    Rows rows(db);
    QVERIFY(rows.organization(kOrgA));
    constexpr int kOld = 20000;
    QVERIFY(rows.events(kOrgA, QStringLiteral("evt_old"), kOld, kNow - 45 * kDay));
    QCOMPARE(rows.count(QStringLiteral("events")), kOld);

    // The writer: either this process's (its own connection, queuing behind the pruner's
    // transactions as the services do), or another connection with a Database of its own, which
    // on SQLite does not share this process's writer queue and so stands for another process: it
    // waits at most 250 ms for SQLite's writer lock.
    const Result<DatabaseUrl> url = DatabaseUrl::parse(t.url, QDir::tempPath());
    QVERIFY(url.ok());
    Database other(url.value());
    constexpr int kBusyTimeoutMs = 250;
    {
        Result<QSqlDatabase> c = other.connection();
        QVERIFY(c.ok());
        if (!other.isPostgres()) {
            QSqlQuery q(c.value());
            QVERIFY(q.exec(QStringLiteral("PRAGMA busy_timeout = %1").arg(kBusyTimeoutMs)));
        }
    }
    Rows writer(sameProcess ? db : other);
    auto insert = [&](const QString &id) {
        if (!sameProcess)
            return writer.event(kOrgA, id, kNow - kDay);
        Transaction tx(db);
        return tx.begin().ok() && writer.event(kOrgA, id, kNow - kDay) && tx.commit().ok();
    };

    RetentionSettings settings; // the production pacing: 500 rows a batch, 5 ms between batches
    RetentionPruner pruner(db, settings, kAtNow);
    // The pruner asks whether to stop before each batch: that is when each batch starts.
    QElapsedTimer since;
    since.start();
    std::mutex batchMutex;
    std::vector<qint64> batchStarts;
    std::atomic<bool> done{false};
    RetentionReport report;
    std::thread pruning([&]() {
        report = pruner.run([&]() {
            std::lock_guard<std::mutex> lock(batchMutex);
            batchStarts.push_back(since.nsecsElapsed());
            return false;
        });
        db.closeThreadConnection();
        done.store(true);
    });

    std::vector<qint64> insertedAt;
    int failedInserts = 0;
    qint64 slowest = 0;
    QElapsedTimer clock;
    while (!done.load()) {
        clock.start();
        if (insert(QStringLiteral("evt_new_%1").arg(insertedAt.size() + failedInserts)))
            insertedAt.push_back(since.nsecsElapsed());
        else
            ++failedInserts;
        slowest = std::max(slowest, clock.elapsed());
    }
    pruning.join();
    const int inserted = int(insertedAt.size());

    QVERIFY2(!report.failed, qPrintable(report.summary()));
    QCOMPARE(report.events, kOld);
    QVERIFY2(report.largestBatch <= 500, qPrintable(report.summary()));
    QVERIFY2(report.batches >= kOld / 500, qPrintable(report.summary()));
    QCOMPARE(int(batchStarts.size()), report.batches);
    QCOMPARE(failedInserts, 0);
    // The writer got in between batches, not only before or after the prune: of the gaps
    // between one batch's start and the next one's, most hold one of its inserts when it queues
    // in this process. Another connection polls for SQLite's lock (the busy handler sleeps 1, 2,
    // 5, 10 ... ms) and catches a 5 ms pause only when the scheduler lets it: on a loaded 2-core
    // machine 3 of 43 were seen (39-43 when idle). For it, what cannot vary with load is asserted:
    // no insert failed within its 250 ms busy timeout (above), and it got in during the prune.
    int gapsWithInsert = 0;
    for (size_t i = 0; i + 1 < batchStarts.size(); ++i) {
        const auto first = std::lower_bound(insertedAt.begin(), insertedAt.end(), batchStarts[i]);
        if (first != insertedAt.end() && *first < batchStarts[i + 1])
            ++gapsWithInsert;
    }
    const bool polls = !sameProcess && !db.isPostgres();
    QVERIFY2(polls ? gapsWithInsert >= 1 : gapsWithInsert >= (kOld / 500) * 3 / 4,
             qPrintable(QStringLiteral("inserts in %1 of %2 gaps between batches").arg(gapsWithInsert).arg(batchStarts.size() - 1)));
    QVERIFY2(slowest < 2000, qPrintable(QStringLiteral("slowest insert %1 ms").arg(slowest)));
    qInfo("pruned %d events in %d batches in %lld ms; %d concurrent inserts, in %d of %d gaps between batches, slowest %lld ms", kOld,
          report.batches, static_cast<long long>(report.elapsedMs), inserted, gapsWithInsert, int(batchStarts.size()) - 1,
          static_cast<long long>(slowest));
    QCOMPARE(rows.count(QStringLiteral("events")), inserted);
}

void TestRetention::stopsBetweenBatches()
{
    WADESK_FRESH_DATABASE(t);
    Database &db = *t.database;
    QVERIFY(migrate(db));
    Rows rows(db);
    QVERIFY(rows.organization(kOrgA));
    QVERIFY(rows.events(kOrgA, QStringLiteral("evt_old"), 1000, kNow - 45 * kDay));

    RetentionSettings settings = fastSettings();
    settings.batchRows = 100;
    settings.deliveriesDays = 0; // only events to prune: every question comes before an event batch
    RetentionPruner pruner(db, settings, kAtNow);
    int asked = 0;
    const RetentionReport report = pruner.run([&asked]() { return ++asked > 3; });
    QVERIFY(report.stopped);
    QVERIFY(!report.failed);
    QCOMPARE(report.events, 300); // three whole batches, nothing after the request
    QCOMPARE(rows.count(QStringLiteral("events")), 700);
    QVERIFY(report.summary().contains(QStringLiteral("stopped")));
}

// ---- PostgreSQL: row locks and several instances -----------------------------------------------

void TestRetention::lockedRowsAreSkippedOnPostgres()
{
    WADESK_DATABASE_OR_SKIP(t, QStringLiteral("postgres"))
    Database &db = *t.database;
    QVERIFY(migrate(db));
    Rows rows(db);
    QVERIFY(rows.organization(kOrgA));
    for (int i = 0; i < 5; ++i)
        QVERIFY(rows.delivery(kOrgA, QStringLiteral("dlv_%1").arg(i), QStringLiteral("evt_%1").arg(i), QStringLiteral("succeeded"),
                              kNow - 40 * kDay, kNow - 40 * kDay));

    // A writer (the delivery worker of another instance, say) holds one of the rows.
    const Result<DatabaseUrl> url = DatabaseUrl::parse(t.url, QDir::tempPath());
    Database other(url.value());
    Result<QSqlDatabase> c = other.connection();
    QVERIFY(c.ok());
    QSqlQuery locker(c.value());
    QVERIFY(locker.exec(QStringLiteral("BEGIN")));
    QVERIFY(locker.exec(QStringLiteral("SELECT id FROM webhook_deliveries WHERE id = 'dlv_2' FOR UPDATE")));

    RetentionPruner pruner(db, fastSettings(), kAtNow);
    std::atomic<bool> done{false};
    RetentionReport report;
    std::thread pruning([&]() {
        report = pruner.run();
        db.closeThreadConnection();
        done.store(true);
    });
    QElapsedTimer waited;
    waited.start();
    while (!done.load() && waited.elapsed() < 20000)
        QThread::msleep(10);
    const bool finishedWhileLocked = done.load();
    QVERIFY(locker.exec(QStringLiteral("ROLLBACK"))); // lets a blocked run finish in any case
    pruning.join();
    QVERIFY2(finishedWhileLocked, "the prune waited for a row lock");
    QVERIFY2(!report.failed, qPrintable(report.summary()));
    QCOMPARE(report.deliveries, 4);
    QVERIFY(rows.has(QStringLiteral("webhook_deliveries"), QStringLiteral("dlv_2")));

    // Released: the next run takes it.
    QCOMPARE(pruner.run().deliveries, 1);
    QCOMPARE(rows.count(QStringLiteral("webhook_deliveries")), 0);
}

void TestRetention::oneInstanceAtATimeOnPostgres()
{
    WADESK_DATABASE_OR_SKIP(t, QStringLiteral("postgres"))
    Database &db = *t.database;
    QVERIFY(migrate(db));
    Rows rows(db);
    QVERIFY(rows.organization(kOrgA));
    QVERIFY(rows.event(kOrgA, QStringLiteral("evt_old"), kNow - 45 * kDay));

    // Another instance is pruning: it holds the lock on its own connection.
    const Result<DatabaseUrl> url = DatabaseUrl::parse(t.url, QDir::tempPath());
    Database other(url.value());
    Result<QSqlDatabase> c = other.connection();
    QVERIFY(c.ok());
    QSqlQuery q(c.value());
    QVERIFY(q.exec(QStringLiteral("SELECT pg_advisory_lock(%1)").arg(RetentionPruner::kAdvisoryLockKey)));

    RetentionPruner pruner(db, fastSettings(), kAtNow);
    RetentionReport report = pruner.run();
    QVERIFY(report.skipped);
    QCOMPARE(report.removed(), 0);
    QVERIFY(rows.has(QStringLiteral("events"), QStringLiteral("evt_old")));

    QVERIFY(q.exec(QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(RetentionPruner::kAdvisoryLockKey)));
    report = pruner.run();
    QVERIFY(!report.skipped);
    QCOMPARE(report.events, 1);
    // The run let go of the lock: the other instance gets it at once.
    QVERIFY(q.exec(QStringLiteral("SELECT pg_try_advisory_lock(%1)").arg(RetentionPruner::kAdvisoryLockKey)) && q.next());
    QVERIFY(q.value(0).toBool());
    q.finish();
}

// ---- the background service --------------------------------------------------------------------

void TestRetention::serviceRunsInTheBackground()
{
    WADESK_FRESH_DATABASE(t);
    Database &db = *t.database;
    QVERIFY(migrate(db));
    Rows rows(db);
    QVERIFY(rows.organization(kOrgA));
    QVERIFY(rows.events(kOrgA, QStringLiteral("evt_first"), 50, kNow - 45 * kDay));
    QVERIFY(rows.event(kOrgA, QStringLiteral("evt_young"), kNow - 2 * kDay));

    RetentionSettings settings;
    settings.startDelayMs = 100;
    settings.intervalMs = 300;
    settings.batchRows = 100;
    settings.pauseBetweenBatchesMs = 20;
    {
        RetentionService service(db, settings, kAtNow);
        service.start();
        // At start (after the delay), on its own thread.
        QTRY_COMPARE_WITH_TIMEOUT(rows.count(QStringLiteral("events")), 1, 10000);
        // And again on its interval.
        QVERIFY(rows.events(kOrgA, QStringLiteral("evt_second"), 50, kNow - 45 * kDay));
        QTRY_COMPARE_WITH_TIMEOUT(rows.count(QStringLiteral("events")), 1, 10000);
        QVERIFY(rows.has(QStringLiteral("events"), QStringLiteral("evt_young")));

        // A large prune is stopped between two batches, promptly.
        constexpr int kMany = 10000;
        QVERIFY(rows.events(kOrgA, QStringLiteral("evt_many"), kMany, kNow - 45 * kDay));
        QTRY_VERIFY_WITH_TIMEOUT(rows.count(QStringLiteral("events")) < kMany + 1 - 200, 10000);
        QElapsedTimer stopping;
        stopping.start();
        service.stop();
        const qint64 stopMs = stopping.elapsed();
        QVERIFY2(stopMs < 1000, qPrintable(QStringLiteral("stop took %1 ms").arg(stopMs)));
        const qint64 left = rows.count(QStringLiteral("events"));
        QVERIFY2(left > 1, "the whole prune ran before stop(): make it larger");
        QThread::msleep(500); // longer than the interval: nothing prunes after stop()
        QCOMPARE(rows.count(QStringLiteral("events")), left);
    }
}

// ---- configuration through the binary ------------------------------------------------------------

void TestRetention::binaryRefusesBadSettings_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("value");
    QTest::newRow("negative events days") << QStringLiteral("WADESK_RETENTION_EVENTS_DAYS") << QStringLiteral("-1");
    QTest::newRow("absurd messages days") << QStringLiteral("WADESK_RETENTION_MESSAGES_DAYS") << QStringLiteral("100000");
    QTest::newRow("zero interval") << QStringLiteral("WADESK_RETENTION_INTERVAL_MINUTES") << QStringLiteral("0");
    QTest::newRow("not a number") << QStringLiteral("WADESK_RETENTION_DEAD_LETTERS_DAYS") << QStringLiteral("ninety");
}

void TestRetention::binaryRefusesBadSettings()
{
    QFETCH(QString, name);
    QFETCH(QString, value);
    QTemporaryDir home;
    QProcessEnvironment env = wadesk::test::isolatedEnvironment(home.path());
    env.insert(QStringLiteral("WADESK_DATA_DIR"), home.filePath(QStringLiteral("data")));
    env.insert(name, value);
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(wadesk::test::wadeskBinary(), {QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0")});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 2);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(name) && err.contains(value), qPrintable(err));
    QVERIFY(!QDir(home.filePath(QStringLiteral("data"))).exists()); // nothing was written
}

QTEST_GUILESS_MAIN(TestRetention)
#include "tst_retention.moc"
