// The delivery worker (core/webhooks/DeliveryWorker) on its own thread, as the application runs
// it, against a real HTTP receiver on loopback (tests/support/WebhookReceiver), on SQLite and on
// PostgreSQL. Events are recorded through EventLog exactly as messaging and the engine record
// them; the worker's clock is the wall clock plus an offset the test moves forward, so retry
// schedules are checked without waiting for them.
//
// Proves: both signatures verify on the exact bytes, webhook-id is the event id on every attempt;
// the retry schedule (2^n s ± 20 %) and Retry-After (seconds and HTTP date, within bounds);
// 410 disables the webhook and audits it; attempts run out into a dead letter that replays; event
// filtering and "*"; other organizations' events never arrive; a hanging endpoint times out and
// is retried; a closed connection is retried; failing continuously past the configured time
// disables and audits; both secrets sign during a rotation and only the new one after; private
// targets are refused at delivery time; custom headers arrive and never replace signature
// headers; a dead process's lease runs out and the delivery goes out; bounded concurrency per
// endpoint and overall, and a stuck endpoint's backlog does not hold up other endpoints.

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "tests/support/ManualClock.h"
#include "tests/support/WebhookReceiver.h"
#include "core/common/UtcTime.h"
#include "core/audit/AuditLog.h"
#include "core/events/EventBus.h"
#include "core/common/Ids.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/secrets/AesGcm.h"
#include "core/webhooks/DeliveryWorker.h"
#include "core/events/EventLog.h"
#include "core/webhooks/WebhookService.h"
#include "core/webhooks/WebhookSigner.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QSet>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <atomic>
#include <memory>

using namespace wadesk;
using wadesk::test::PgCluster;
using wadesk::test::WebhookReceiver;
using Behaviour = wadesk::test::WebhookReceiver::Behaviour;

namespace {

constexpr int kWaitMs = 15000;

struct Row {
    bool found = false;
    QString id;
    QString status;
    int attempts = 0;
    qint64 nextAttemptAt = 0;
    qint64 updatedAt = 0;
    int lastStatusCode = 0;
    QString lastError;
    qint64 deliveredAt = 0;
    qint64 leaseUntil = 0;
};

struct Hook {
    QString id;
    QString secret;
    QString url;
};

// One database of the row's dialect, two organizations, a cipher, a receiver and (once started)
// a delivery worker on a thread of its own with a movable clock.
class Rig {
public:
    WebhookReceiver receiver;
    std::unique_ptr<AesGcm> cipher;
    QString orgA = QStringLiteral("org_a");
    QString orgB = QStringLiteral("org_b");

    ~Rig()
    {
        stopWorker();
        receiver.stop();
        if (m_db.database)
            m_db.database->closeThreadConnection();
    }

    bool init(const QString &dialect, QString *whyNot)
    {
        m_db = wadesk::test::makeDatabase(dialect, whyNot);
        if (!m_db.database)
            return false;
        Migrator migrator(*m_db.database, Migrator::embeddedDirectory(m_db.database->url().dialectName()));
        const Result<int> migrated = migrator.migrate();
        if (!migrated) {
            *whyNot = QStringLiteral("migration failed: ") + migrated.error().message;
            m_failedSetup = true;
            return false;
        }
        cipher = std::make_unique<AesGcm>(AesGcm::randomBytes(AesGcm::kKeyBytes));
        for (const QString &org : {orgA, orgB}) {
            if (!exec(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"),
                      {org, org, QDateTime::currentMSecsSinceEpoch(), QDateTime::currentMSecsSinceEpoch()})) {
                *whyNot = QStringLiteral("cannot insert organizations");
                m_failedSetup = true;
                return false;
            }
        }
        if (!receiver.start()) {
            *whyNot = QStringLiteral("the receiver cannot listen");
            m_failedSetup = true;
            return false;
        }
        return true;
    }
    bool failedSetup() const { return m_failedSetup; }

    Database &database() { return *m_db.database; }

    static DeliverySettings settings()
    {
        DeliverySettings s;
        s.timeoutMs = 3000;
        s.maxAttempts = 10;
        s.pollMs = 50;
        s.allowPrivateTargets = true;
        return s;
    }

    void startWorker(DeliverySettings s = settings())
    {
        stopWorker();
        m_thread = std::make_unique<QThread>();
        m_thread->setObjectName(QStringLiteral("webhooks-test"));
        m_worker = new DeliveryWorker(*m_db.database, *cipher, s, m_clock);
        m_worker->moveToThread(m_thread.get());
        QObject::connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
        m_thread->start();
        QMetaObject::invokeMethod(m_worker, &DeliveryWorker::start, Qt::QueuedConnection);
    }

    void stopWorker()
    {
        if (!m_thread)
            return;
        QMetaObject::invokeMethod(m_worker, &DeliveryWorker::stop, Qt::BlockingQueuedConnection);
        m_thread->quit();
        m_thread->wait();
        m_thread.reset();
        m_worker = nullptr;
    }

    qint64 now() const { return m_clock.nowMs(); }
    void advance(qint64 ms)
    {
        m_clock.advance(ms);
        wake();
    }
    // Moves the clock to just past `when` (a worker time).
    void advanceTo(qint64 when)
    {
        const qint64 gap = when - now();
        if (gap > 0)
            m_clock.advance(gap + 20);
        wake();
    }
    void wake()
    {
        if (m_worker)
            QMetaObject::invokeMethod(m_worker, &DeliveryWorker::wake, Qt::QueuedConnection);
    }

    AuthContext admin(const QString &org) const
    {
        AuthContext c;
        c.userId = QStringLiteral("usr_") + org;
        c.organizationId = org;
        c.role = Role::Admin;
        c.name = QStringLiteral("Admin");
        return c;
    }

    WebhookService service(bool allowPrivate = true) { return WebhookService(*m_db.database, *cipher, nullptr, allowPrivate, QString()); }

    Hook createHook(const QString &org, const QString &path, const QStringList &events, const QJsonObject &headers = {})
    {
        WebhookService svc = service();
        WebhookService::Input in;
        in.url = receiver.url(path);
        in.events = events;
        if (!headers.isEmpty())
            in.headers = headers;
        const Result<WebhookService::Created> created = svc.create(admin(org), in);
        if (!created) {
            qWarning("create webhook failed: %s", qPrintable(created.error().message));
            return {};
        }
        return Hook{created.value().webhook.id, created.value().secret, *in.url};
    }

    Hook createHookAt(const QString &org, const QString &url, const QStringList &events)
    {
        WebhookService svc = service();
        WebhookService::Input in;
        in.url = url;
        in.events = events;
        const Result<WebhookService::Created> created = svc.create(admin(org), in);
        if (!created) {
            qWarning("create webhook failed: %s", qPrintable(created.error().message));
            return {};
        }
        return Hook{created.value().webhook.id, created.value().secret, url};
    }

    // Records events in one transaction, as a cause's transaction would.
    QList<Event> record(const QString &org, const QString &type, int count = 1, const QJsonObject &data = {})
    {
        SqlRunner sql(*m_db.database);
        EventLog log(sql, nullptr);
        Transaction tx(*m_db.database);
        QList<Event> out;
        if (!tx.begin())
            return {};
        for (int i = 0; i < count; ++i) {
            QJsonObject d = data;
            d.insert(QStringLiteral("n"), i);
            const Event e = Event::make(EventTypes::fromName(type).value(), org, d);
            if (!log.record(e))
                return {};
            out << e;
        }
        if (!tx.commit())
            return {};
        log.publishRecorded();
        wake();
        return out;
    }
    Event recordOne(const QString &org, const QString &type, const QJsonObject &data = {})
    {
        const QList<Event> events = record(org, type, 1, data);
        return events.isEmpty() ? Event() : events.first();
    }

    Row row(const QString &eventId, const QString &webhookId)
    {
        SqlRunner sql(*m_db.database);
        Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT id, status, attempts, next_attempt_at, updated_at, last_status_code, last_error, "
                                                     "delivered_at, lease_until FROM webhook_deliveries WHERE event_id = ? AND webhook_id = ?"),
                                      {eventId, webhookId}, "test.row");
        Row r;
        if (!q || !q.value().next())
            return r;
        r.found = true;
        r.id = q.value().value(0).toString();
        r.status = q.value().value(1).toString();
        r.attempts = q.value().value(2).toInt();
        r.nextAttemptAt = q.value().value(3).toLongLong();
        r.updatedAt = q.value().value(4).toLongLong();
        r.lastStatusCode = q.value().value(5).toInt();
        r.lastError = q.value().value(6).toString();
        r.deliveredAt = q.value().value(7).toLongLong();
        r.leaseUntil = q.value().value(8).toLongLong();
        return r;
    }

    // Waits until the row has `status` and at least `attempts` attempts.
    bool waitRow(const QString &eventId, const QString &webhookId, const QString &status, int attempts = 0, int timeoutMs = kWaitMs)
    {
        const bool ok = QTest::qWaitFor(
            [&]() {
                const Row r = row(eventId, webhookId);
                return r.status == status && r.attempts >= attempts;
            },
            timeoutMs);
        if (!ok) {
            const Row r = row(eventId, webhookId);
            qWarning("delivery of %s to %s: status %s, %d attempts, error '%s' (wanted %s, %d)", qPrintable(eventId), qPrintable(webhookId),
                     qPrintable(r.status), r.attempts, qPrintable(r.lastError), qPrintable(status), attempts);
        }
        return ok;
    }

    QStringList column(const QString &sql, const QVariantList &bind = {})
    {
        SqlRunner runner(*m_db.database);
        Result<QSqlQuery> q = runner.run(sql, bind, "test.column");
        QStringList out;
        if (!q)
            return {QStringLiteral("<failed>")};
        while (q.value().next())
            out << (q.value().value(0).isNull() ? QString() : q.value().value(0).toString()); // QPSQL's NULL reads as "0"
        return out;
    }

    bool exec(const QString &sql, const QVariantList &bind = {})
    {
        SqlRunner runner(*m_db.database);
        return runner.change(sql, bind, "test.exec").ok();
    }

    QStringList auditActions(const QString &org) { return column(QStringLiteral("SELECT action FROM audit_logs WHERE organization_id = ? ORDER BY seq"), {org}); }
    QString auditDetails(const QString &org, const QString &action)
    {
        const QStringList d = column(QStringLiteral("SELECT details FROM audit_logs WHERE organization_id = ? AND action = ? ORDER BY seq"), {org, action});
        return d.isEmpty() ? QString() : d.last();
    }

    bool hookActive(const QString &webhookId)
    {
        return column(QStringLiteral("SELECT active FROM webhooks WHERE id = ?"), {webhookId}).value(0) == QLatin1String("1");
    }

    QList<WebhookReceiver::Request> requestsTo(const QString &path)
    {
        QList<WebhookReceiver::Request> out;
        for (const auto &r : receiver.requests()) {
            if (r.target == path.toUtf8())
                out << r;
        }
        return out;
    }

private:
    wadesk::test::TestDatabase m_db;
    std::unique_ptr<QThread> m_thread;
    DeliveryWorker *m_worker = nullptr;
    ShiftedClock m_clock;
    bool m_failedSetup = false;
};

} // namespace

#define WADESK_RIG(rig)                                                                                         \
    QFETCH(QString, dialect);                                                                                   \
    Rig rig;                                                                                                    \
    {                                                                                                           \
        QString rig##WhyNot;                                                                                    \
        if (!rig.init(dialect, &rig##WhyNot)) {                                                                 \
            if (dialect == QLatin1String("postgres") && !PgCluster::required() && !rig.failedSetup())           \
                QSKIP(qPrintable(rig##WhyNot));                                                                 \
            QFAIL(qPrintable(rig##WhyNot));                                                                     \
        }                                                                                                       \
    }

class TestWebhookDelivery : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<wadesk::Event>(); }

    void deliversSignedEvent_data() { wadesk::test::addDialectRows(); }
    void deliversSignedEvent()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        QVERIFY(!hook.id.isEmpty());
        rig.startWorker();
        const Event e = rig.recordOne(rig.orgA, QStringLiteral("message.sent"), {{QStringLiteral("messageId"), QStringLiteral("msg_1")}});
        QVERIFY(!e.id.isEmpty());
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("succeeded"), 1));
        QCOMPARE(rig.receiver.count(), 1);
        const WebhookReceiver::Request r = rig.receiver.requests().first();
        QCOMPARE(r.method, QByteArrayLiteral("POST"));
        QCOMPARE(r.target, QByteArrayLiteral("/a"));
        QVERIFY(WebhookReceiver::guideSignatureValid(r, hook.secret));
        QVERIFY(WebhookReceiver::standardSignatureValid(r, hook.secret));
        QVERIFY(WebhookReceiver::verify(r, hook.secret));
        QCOMPARE(r.webhookId(), e.id);
        QCOMPARE(r.header("x-webhook-event"), QByteArrayLiteral("message.sent"));
        QCOMPARE(r.header("content-type"), QByteArrayLiteral("application/json"));
        QVERIFY(r.header("user-agent").startsWith("WaDesk/"));
        QCOMPARE(r.headerCount("webhook-signature"), 1);
        QCOMPARE(r.header("webhook-signature").split(' ').size(), 1);
        const qint64 ts = r.header("webhook-timestamp").toLongLong();
        QVERIFY2(std::abs(ts - rig.now() / 1000) <= 5, r.header("webhook-timestamp").constData());
        const QJsonObject body = r.json();
        QCOMPARE(body.value(QStringLiteral("id")).toString(), e.id);
        QCOMPARE(body.value(QStringLiteral("event")).toString(), QStringLiteral("message.sent"));
        QCOMPARE(body.value(QStringLiteral("organization_id")).toString(), rig.orgA);
        QVERIFY(body.value(QStringLiteral("timestamp")).toString().endsWith(QLatin1Char('Z')));
        QCOMPARE(body.value(QStringLiteral("data")).toObject().value(QStringLiteral("messageId")).toString(), QStringLiteral("msg_1"));
        QCOMPARE(body.keys().size(), 5);
        const Row row = rig.row(e.id, hook.id);
        QCOMPARE(row.lastStatusCode, 200);
        QVERIFY(row.deliveredAt > 0);
        QVERIFY(row.lastError.isEmpty());
        QCOMPARE(row.leaseUntil, qint64(0));
    }

    // 500 three times, then 200: 2^n s ± 20 % between attempts, the same id and bytes each time.
    void retryScheduleWithBackoff_data() { wadesk::test::addDialectRows(); }
    void retryScheduleWithBackoff()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("message.sent")});
        rig.receiver.script({Behaviour::ServerError, Behaviour::ServerError, Behaviour::ServerError});
        rig.startWorker();
        const Event e = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        for (int attempt = 1; attempt <= 3; ++attempt) {
            QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("retrying"), attempt));
            const Row r = rig.row(e.id, hook.id);
            QCOMPARE(r.attempts, attempt);
            QCOMPARE(r.lastStatusCode, 500);
            QCOMPARE(r.lastError, QStringLiteral("HTTP 500"));
            const qint64 base = (qint64(1) << attempt) * 1000;
            const qint64 wait = r.nextAttemptAt - r.updatedAt;
            QVERIFY2(wait >= base * 8 / 10 && wait <= base * 12 / 10,
                     qPrintable(QStringLiteral("attempt %1: next attempt %2 ms later, expected %3 ms ± 20 %").arg(attempt).arg(wait).arg(base)));
            if (attempt == 1) {
                // Nothing goes out before the back-off has passed.
                QTest::qWait(300);
                QCOMPARE(rig.receiver.count(), 1);
            }
            rig.advanceTo(r.nextAttemptAt);
            QVERIFY(rig.receiver.waitForCount(attempt + 1, kWaitMs));
        }
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("succeeded"), 4));
        const QList<WebhookReceiver::Request> seen = rig.receiver.requests();
        QCOMPARE(seen.size(), 4);
        for (const auto &r : seen) {
            QCOMPARE(r.webhookId(), e.id);
            QCOMPARE(r.body, seen.first().body);
            QVERIFY(WebhookReceiver::verify(r, hook.secret));
        }
        // The timestamps follow the clock, so the later attempts are signed afresh.
        QVERIFY(seen.last().header("webhook-timestamp").toLongLong() > seen.first().header("webhook-timestamp").toLongLong());
        // Failures were counted on the webhook and a success cleared the streak.
        QCOMPARE(rig.column(QStringLiteral("SELECT consecutive_failures FROM webhooks WHERE id = ?"), {hook.id}).value(0), QStringLiteral("0"));
        QCOMPARE(rig.column(QStringLiteral("SELECT total_failures FROM webhooks WHERE id = ?"), {hook.id}).value(0), QStringLiteral("3"));
        QVERIFY(rig.column(QStringLiteral("SELECT failing_since FROM webhooks WHERE id = ?"), {hook.id}).value(0).isEmpty());
    }

    // Many deliveries failing at once do not all come back at the same moment.
    void retryJitterSpreadsRetries_data() { wadesk::test::addDialectRows(); }
    void retryJitterSpreadsRetries()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        rig.receiver.setBehaviour(Behaviour::ServerError);
        DeliverySettings s = Rig::settings();
        s.maxInFlightPerEndpoint = 8;
        rig.startWorker(s);
        const QList<Event> events = rig.record(rig.orgA, QStringLiteral("message.sent"), 12);
        QSet<qint64> waits;
        for (const Event &e : events) {
            QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("retrying"), 1));
            const Row r = rig.row(e.id, hook.id);
            const qint64 wait = r.nextAttemptAt - r.updatedAt;
            QVERIFY2(wait >= 1600 && wait <= 2400, qPrintable(QString::number(wait)));
            waits.insert(wait);
        }
        QVERIFY2(waits.size() >= 6, qPrintable(QStringLiteral("only %1 distinct waits over 12 retries").arg(waits.size())));
    }

    void retryAfterIsHonoured_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<QString>("retryAfter");
        QTest::addColumn<qint64>("expectedMin");
        QTest::addColumn<qint64>("expectedMax");
        for (const QString &d : {QStringLiteral("sqlite"), QStringLiteral("postgres")}) {
            const QByteArray tag = d.toLatin1();
            QTest::newRow(tag + " 7 s") << d << QStringLiteral("7") << qint64(7000) << qint64(7000);
            QTest::newRow(tag + " 0 s → 1 s floor") << d << QStringLiteral("0") << qint64(1000) << qint64(1000);
            QTest::newRow(tag + " a day → 1 h cap") << d << QStringLiteral("86400") << qint64(3600000) << qint64(3600000);
            // An HTTP date (IMF-fixdate, always GMT) 20 s after the worker's clock.
            QTest::newRow(tag + " HTTP date") << d << QStringLiteral("+20") << qint64(18500) << qint64(21000);
        }
    }
    void retryAfterIsHonoured()
    {
        QFETCH(QString, retryAfter);
        QFETCH(qint64, expectedMin);
        QFETCH(qint64, expectedMax);
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        QByteArray header = retryAfter.toLatin1();
        if (retryAfter.startsWith(QLatin1Char('+'))) {
            const QDateTime at = UtcTime::fromMSecs(rig.now() + retryAfter.mid(1).toLongLong() * 1000);
            header = QLocale::c().toString(at, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss")).toLatin1() + " GMT";
        }
        rig.receiver.setRetryAfter(header);
        rig.receiver.script({Behaviour::TooManyRequests});
        rig.startWorker();
        const Event e = rig.recordOne(rig.orgA, QStringLiteral("test"));
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("retrying"), 1));
        const Row r = rig.row(e.id, hook.id);
        QCOMPARE(r.lastStatusCode, 429);
        const qint64 wait = r.nextAttemptAt - r.updatedAt;
        QVERIFY2(wait >= expectedMin && wait <= expectedMax,
                 qPrintable(QStringLiteral("Retry-After '%1' gave %2 ms, expected %3..%4").arg(QString::fromLatin1(header)).arg(wait).arg(expectedMin).arg(expectedMax)));
        rig.advanceTo(r.nextAttemptAt);
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("succeeded"), 2));
    }

    void goneDisablesWebhook_data() { wadesk::test::addDialectRows(); }
    void goneDisablesWebhook()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        const Hook other = rig.createHook(rig.orgA, QStringLiteral("/other"), {QStringLiteral("*")});
        rig.receiver.script({Behaviour::Gone});
        rig.startWorker();
        const Event first = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(QTest::qWaitFor(
            [&]() {
                return rig.row(first.id, hook.id).status == QLatin1String("dead") || rig.row(first.id, other.id).status == QLatin1String("dead");
            },
            kWaitMs));
        // Whichever endpoint got the 410 is the one disabled; the other goes on.
        const bool hookGone = rig.row(first.id, hook.id).status == QLatin1String("dead");
        const Hook gone = hookGone ? hook : other;
        const Hook alive = hookGone ? other : hook;
        QVERIFY(rig.waitRow(first.id, alive.id, QStringLiteral("succeeded"), 1));
        const Row dead = rig.row(first.id, gone.id);
        QCOMPARE(dead.lastStatusCode, 410);
        QVERIFY2(dead.lastError.contains(QLatin1String("410")), qPrintable(dead.lastError));
        QVERIFY(!rig.hookActive(gone.id));
        QVERIFY(rig.hookActive(alive.id));
        QVERIFY(rig.column(QStringLiteral("SELECT disabled_reason FROM webhooks WHERE id = ?"), {gone.id}).value(0).contains(QLatin1String("410")));
        QVERIFY2(rig.auditActions(rig.orgA).contains(QStringLiteral("webhook_disabled")), qPrintable(rig.auditActions(rig.orgA).join(QLatin1Char(','))));
        // The audit chain is still intact after the worker's entry.
        SqlRunner sql(rig.database());
        AuditLog audit(sql);
        const Result<AuditLog::Verification> verified = audit.verify();
        QVERIFY(verified && verified.value().intact);

        // No new deliveries for the disabled webhook; the other still gets events.
        const int before = rig.receiver.count();
        const Event second = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(rig.waitRow(second.id, alive.id, QStringLiteral("succeeded"), 1));
        QVERIFY(!rig.row(second.id, gone.id).found);
        QCOMPARE(rig.receiver.count(), before + 1);
    }

    // Attempts run out into a dead letter; a replay sends it again with the same id.
    void deadLetterThenReplay_data() { wadesk::test::addDialectRows(); }
    void deadLetterThenReplay()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        rig.receiver.setBehaviour(Behaviour::ServerError);
        DeliverySettings s = Rig::settings();
        s.maxAttempts = 3;
        rig.startWorker(s);
        const Event e = rig.recordOne(rig.orgA, QStringLiteral("message.failed"));
        for (int attempt = 1; attempt < 3; ++attempt) {
            QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("retrying"), attempt));
            rig.advanceTo(rig.row(e.id, hook.id).nextAttemptAt);
        }
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("dead"), 3));
        const Row dead = rig.row(e.id, hook.id);
        QCOMPARE(dead.attempts, 3);
        QCOMPARE(dead.lastStatusCode, 500);
        QVERIFY2(dead.lastError.contains(QLatin1String("gave up after 3 attempts")), qPrintable(dead.lastError));
        QCOMPARE(rig.receiver.count(), 3);
        // A dead letter stays dead: more time changes nothing.
        rig.advance(2 * 3600 * 1000);
        QTest::qWait(300);
        QCOMPARE(rig.receiver.count(), 3);
        QVERIFY(rig.hookActive(hook.id)); // well under the 3 days of continuous failure

        rig.receiver.setBehaviour(Behaviour::Ok);
        WebhookService svc = rig.service();
        const Result<DeliveryRecord> replayed = svc.replay(rig.admin(rig.orgA), dead.id);
        QVERIFY2(replayed.ok(), replayed.ok() ? "" : qPrintable(replayed.error().message));
        QCOMPARE(replayed.value().status, QStringLiteral("pending"));
        // Another organization cannot replay it.
        const Result<DeliveryRecord> foreign = svc.replay(rig.admin(rig.orgB), dead.id);
        QVERIFY(!foreign.ok());
        QCOMPARE(foreign.error().httpStatus, 404);
        rig.wake();
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("succeeded"), 1));
        QCOMPARE(rig.receiver.count(), 4);
        for (const auto &r : rig.receiver.requests())
            QCOMPARE(r.webhookId(), e.id);
        QVERIFY(WebhookReceiver::verify(rig.receiver.requests().last(), hook.secret));
        QVERIFY(rig.auditActions(rig.orgA).contains(QStringLiteral("replay_delivery")));
    }

    void eventFiltering_data() { wadesk::test::addDialectRows(); }
    void eventFiltering()
    {
        WADESK_RIG(rig);
        const Hook sentOnly = rig.createHook(rig.orgA, QStringLiteral("/sent"), {QStringLiteral("message.sent")});
        const Hook all = rig.createHook(rig.orgA, QStringLiteral("/all"), {QStringLiteral("*")});
        const Hook some = rig.createHook(rig.orgA, QStringLiteral("/some"), {QStringLiteral("client.qr"), QStringLiteral("message.read")});
        rig.startWorker();
        const Event sent = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        const Event qr = rig.recordOne(rig.orgA, QStringLiteral("client.qr"));
        const Event delivered = rig.recordOne(rig.orgA, QStringLiteral("message.delivered"));
        QVERIFY(rig.receiver.waitForCount(5, kWaitMs));
        QTest::qWait(400);
        QCOMPARE(rig.receiver.count(), 5);
        auto idsAt = [&](const QString &path) {
            QStringList ids;
            for (const auto &r : rig.requestsTo(path))
                ids << r.webhookId();
            ids.sort();
            return ids;
        };
        QCOMPARE(idsAt(QStringLiteral("/sent")), QStringList{sent.id});
        QStringList everything{sent.id, qr.id, delivered.id};
        everything.sort();
        QCOMPARE(idsAt(QStringLiteral("/all")), everything);
        QCOMPARE(idsAt(QStringLiteral("/some")), QStringList{qr.id});
        // Only matching deliveries exist at all.
        QVERIFY(!rig.row(qr.id, sentOnly.id).found);
        QVERIFY(!rig.row(sent.id, some.id).found);
        QVERIFY(rig.row(delivered.id, all.id).found);
        for (const auto &r : rig.receiver.requests())
            QCOMPARE(r.event(), r.json().value(QStringLiteral("event")).toString());
    }

    void otherOrganizationsNeverArrive_data() { wadesk::test::addDialectRows(); }
    void otherOrganizationsNeverArrive()
    {
        WADESK_RIG(rig);
        const Hook a = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        const Hook b = rig.createHook(rig.orgB, QStringLiteral("/b"), {QStringLiteral("*")});
        rig.startWorker();
        const QList<Event> fromA = rig.record(rig.orgA, QStringLiteral("message.received"), 5);
        const QList<Event> fromB = rig.record(rig.orgB, QStringLiteral("message.received"), 2);
        QVERIFY(rig.receiver.waitForCount(7, kWaitMs));
        QTest::qWait(400);
        QCOMPARE(rig.receiver.count(), 7);
        QSet<QString> idsA;
        QSet<QString> idsB;
        for (const Event &e : fromA)
            idsA.insert(e.id);
        for (const Event &e : fromB)
            idsB.insert(e.id);
        for (const auto &r : rig.requestsTo(QStringLiteral("/a"))) {
            QVERIFY(idsA.contains(r.webhookId()));
            QCOMPARE(r.json().value(QStringLiteral("organization_id")).toString(), rig.orgA);
            QVERIFY(WebhookReceiver::verify(r, a.secret));
            QVERIFY(!WebhookReceiver::standardSignatureValid(r, b.secret));
        }
        for (const auto &r : rig.requestsTo(QStringLiteral("/b"))) {
            QVERIFY(idsB.contains(r.webhookId()));
            QCOMPARE(r.json().value(QStringLiteral("organization_id")).toString(), rig.orgB);
            QVERIFY(WebhookReceiver::verify(r, b.secret));
        }
        QCOMPARE(rig.requestsTo(QStringLiteral("/a")).size(), 5);
        QCOMPARE(rig.requestsTo(QStringLiteral("/b")).size(), 2);
        QCOMPARE(rig.column(QStringLiteral("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ? AND organization_id <> ?"), {b.id, rig.orgB}).value(0),
                 QStringLiteral("0"));
    }

    void hangingEndpointTimesOut_data() { wadesk::test::addDialectRows(); }
    void hangingEndpointTimesOut()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        rig.receiver.script({Behaviour::Hang});
        DeliverySettings s = Rig::settings();
        s.timeoutMs = 700;
        rig.startWorker(s);
        QElapsedTimer clock;
        clock.start();
        const Event e = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(rig.receiver.waitForCount(1, kWaitMs));
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("retrying"), 1));
        const qint64 took = clock.elapsed();
        QVERIFY2(took >= 600 && took < 8000, qPrintable(QString::number(took)));
        const Row r = rig.row(e.id, hook.id);
        QCOMPARE(r.lastStatusCode, 0);
        QVERIFY2(!r.lastError.isEmpty(), "a timeout is recorded with a reason");
        rig.advanceTo(r.nextAttemptAt);
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("succeeded"), 2));
        QVERIFY(rig.receiver.count() >= 2);
        for (const auto &req : rig.receiver.requests())
            QCOMPARE(req.webhookId(), e.id);
    }

    void closedConnectionRetries_data() { wadesk::test::addDialectRows(); }
    void closedConnectionRetries()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        rig.receiver.setBehaviour(Behaviour::Close);
        rig.startWorker();
        const Event e = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("retrying"), 1));
        const Row r = rig.row(e.id, hook.id);
        QCOMPARE(r.lastStatusCode, 0);
        QVERIFY(!r.lastError.isEmpty());
        // The receiver down altogether: a connection error, retried too.
        rig.receiver.stop();
        rig.advanceTo(r.nextAttemptAt);
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("retrying"), 2));
        QVERIFY(!rig.row(e.id, hook.id).lastError.isEmpty());
        rig.receiver.setBehaviour(Behaviour::Ok);
        QVERIFY(rig.receiver.start(rig.receiver.port()));
        rig.advanceTo(rig.row(e.id, hook.id).nextAttemptAt);
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("succeeded"), 3));
        QVERIFY(WebhookReceiver::verify(rig.receiver.requests().last(), hook.secret));
    }

    void continuousFailureDisables_data() { wadesk::test::addDialectRows(); }
    void continuousFailureDisables()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        rig.receiver.setBehaviour(Behaviour::ServerError);
        DeliverySettings s = Rig::settings();
        s.disableAfterFailingMs = 60 * 1000;
        s.maxAttempts = 50;
        rig.startWorker(s);
        const Event e = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("retrying"), 1));
        const qint64 failingSince = rig.column(QStringLiteral("SELECT failing_since FROM webhooks WHERE id = ?"), {hook.id}).value(0).toLongLong();
        QVERIFY(failingSince > 0);
        rig.advanceTo(rig.row(e.id, hook.id).nextAttemptAt);
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("retrying"), 2));
        QVERIFY(rig.hookActive(hook.id)); // a few seconds of failure is not enough
        QVERIFY(!rig.auditActions(rig.orgA).contains(QStringLiteral("webhook_disabled")));
        // The failing streak started at the first failure and is still counted from there.
        QCOMPARE(rig.column(QStringLiteral("SELECT failing_since FROM webhooks WHERE id = ?"), {hook.id}).value(0).toLongLong(), failingSince);

        rig.advanceTo(failingSince + 61 * 1000);
        QVERIFY(QTest::qWaitFor([&]() { return !rig.hookActive(hook.id); }, kWaitMs));
        QVERIFY(rig.row(e.id, hook.id).attempts >= 3);
        QVERIFY(rig.column(QStringLiteral("SELECT disabled_reason FROM webhooks WHERE id = ?"), {hook.id}).value(0).contains(QLatin1String("failing continuously")));
        QVERIFY(rig.auditActions(rig.orgA).contains(QStringLiteral("webhook_disabled")));
        QVERIFY(rig.auditDetails(rig.orgA, QStringLiteral("webhook_disabled")).contains(QLatin1String("failing continuously")));
        // Its pending delivery is not sent any more: it ends as a dead letter, which a replay after
        // re-enabling can still send.
        const int before = rig.receiver.count();
        rig.advance(3600 * 1000);
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("dead")));
        QCOMPARE(rig.receiver.count(), before);
    }

    // A success ends the failing streak: failures before it do not count towards disabling.
    void successResetsFailingStreak_data() { wadesk::test::addDialectRows(); }
    void successResetsFailingStreak()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        DeliverySettings s = Rig::settings();
        s.disableAfterFailingMs = 60 * 1000;
        rig.startWorker(s);
        rig.receiver.script({Behaviour::ServerError});
        const Event first = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(rig.waitRow(first.id, hook.id, QStringLiteral("retrying"), 1));
        rig.advanceTo(rig.row(first.id, hook.id).nextAttemptAt);
        QVERIFY(rig.waitRow(first.id, hook.id, QStringLiteral("succeeded"), 2));
        QVERIFY(rig.column(QStringLiteral("SELECT failing_since FROM webhooks WHERE id = ?"), {hook.id}).value(0).isEmpty());
        rig.advance(59 * 1000);
        rig.receiver.script({Behaviour::ServerError});
        const Event second = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(rig.waitRow(second.id, hook.id, QStringLiteral("retrying"), 1));
        rig.advance(2 * 1000);
        QVERIFY(rig.waitRow(second.id, hook.id, QStringLiteral("succeeded"), 2));
        QVERIFY(rig.hookActive(hook.id));
    }

    void rotationSignsWithBothSecrets_data() { wadesk::test::addDialectRows(); }
    void rotationSignsWithBothSecrets()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        WebhookService svc = rig.service();
        const Result<WebhookService::Created> rotated = svc.rotateSecret(rig.admin(rig.orgA), hook.id);
        QVERIFY(rotated.ok());
        const QString newSecret = rotated.value().secret;
        QVERIFY(newSecret != hook.secret);
        QVERIFY(newSecret.startsWith(QLatin1String("whsec_")));
        rig.startWorker();
        const Event during = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(rig.waitRow(during.id, hook.id, QStringLiteral("succeeded"), 1));
        const WebhookReceiver::Request r1 = rig.receiver.requests().last();
        QCOMPARE(r1.header("webhook-signature").split(' ').size(), 2);
        QVERIFY(WebhookReceiver::standardSignatureValid(r1, newSecret));
        QVERIFY(WebhookReceiver::standardSignatureValid(r1, hook.secret));
        QVERIFY(WebhookReceiver::guideSignatureValid(r1, newSecret));

        // 24 h later the old secret no longer signs.
        rig.advance(WebhookService::kRotationGraceMs + 1000);
        const Event after = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(rig.waitRow(after.id, hook.id, QStringLiteral("succeeded"), 1));
        const WebhookReceiver::Request r2 = rig.receiver.requests().last();
        QCOMPARE(r2.webhookId(), after.id);
        QCOMPARE(r2.header("webhook-signature").split(' ').size(), 1);
        QVERIFY(WebhookReceiver::verify(r2, newSecret));
        QVERIFY(!WebhookReceiver::standardSignatureValid(r2, hook.secret));
    }

    // With private targets not allowed, the worker re-checks the address at delivery time: a
    // webhook that points (or now resolves) to this machine gets nothing, the delivery is a dead
    // letter that says why.
    void privateTargetRefusedAtDelivery_data() { wadesk::test::addDialectRows(); }
    void privateTargetRefusedAtDelivery()
    {
        WADESK_RIG(rig);
        const Hook literal = rig.createHook(rig.orgA, QStringLiteral("/literal"), {QStringLiteral("*")});
        const Hook named = rig.createHookAt(rig.orgA, QStringLiteral("http://localhost:%1/named").arg(rig.receiver.port()), {QStringLiteral("*")});
        QVERIFY(!named.id.isEmpty());
        DeliverySettings s = Rig::settings();
        s.allowPrivateTargets = false;
        rig.startWorker(s);
        const Event e = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        for (const Hook &h : {literal, named}) {
            QVERIFY(rig.waitRow(e.id, h.id, QStringLiteral("dead"), 1));
            const Row r = rig.row(e.id, h.id);
            QVERIFY2(r.lastError.contains(QLatin1String("private or local")), qPrintable(r.lastError));
        }
        QTest::qWait(200);
        QCOMPARE(rig.receiver.count(), 0);
    }

    void customHeadersArriveButCannotOverride_data() { wadesk::test::addDialectRows(); }
    void customHeadersArriveButCannotOverride()
    {
        WADESK_RIG(rig);
        // The service refuses signature and framing headers outright.
        for (const char *reserved : {"webhook-id", "Webhook-Signature", "X-Webhook-Signature", "x-webhook-event", "webhook-timestamp",
                                     "Content-Type", "Host", "Content-Length"}) {
            WebhookService::Input in;
            in.url = rig.receiver.url();
            in.events = QStringList{QStringLiteral("*")};
            in.headers = QJsonObject{{QString::fromLatin1(reserved), QStringLiteral("x")}};
            QVERIFY2(!WebhookService::validate(in, true).ok(), reserved);
        }
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")},
                                         {{QStringLiteral("Authorization"), QStringLiteral("Bearer receiver-token")},
                                          {QStringLiteral("X-Tenant"), QStringLiteral("t-42")}});
        QVERIFY(!hook.id.isEmpty());
        rig.startWorker();
        const Event e1 = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(rig.waitRow(e1.id, hook.id, QStringLiteral("succeeded"), 1));
        const WebhookReceiver::Request r1 = rig.receiver.requests().last();
        QCOMPARE(r1.header("authorization"), QByteArrayLiteral("Bearer receiver-token"));
        QCOMPARE(r1.header("x-tenant"), QByteArrayLiteral("t-42"));
        QVERIFY(WebhookReceiver::verify(r1, hook.secret));
        // The credential of the receiver never appears in the payload.
        QVERIFY(!r1.body.contains("receiver-token"));

        // Even a stored record naming signature headers (written behind the service's back, as
        // every write does it moves updated_at) cannot replace them.
        QVERIFY(rig.exec(QStringLiteral("UPDATE webhooks SET custom_headers = ?, updated_at = updated_at + 1 WHERE id = ?"),
                         {QStringLiteral(R"({"webhook-id":"forged","X-Webhook-Signature":"sha256=forged","webhook-signature":"v1,forged",)"
                                         R"("webhook-timestamp":"1","X-Webhook-Event":"forged","X-Extra":"yes"})"),
                          hook.id}));
        const Event e2 = rig.recordOne(rig.orgA, QStringLiteral("message.read"));
        QVERIFY(rig.waitRow(e2.id, hook.id, QStringLiteral("succeeded"), 1));
        const WebhookReceiver::Request r2 = rig.receiver.requests().last();
        QCOMPARE(r2.header("x-extra"), QByteArrayLiteral("yes"));
        QCOMPARE(r2.webhookId(), e2.id);
        QCOMPARE(r2.header("x-webhook-event"), QByteArrayLiteral("message.read"));
        for (const char *name : {"webhook-id", "webhook-signature", "x-webhook-signature", "webhook-timestamp", "x-webhook-event"})
            QCOMPARE(r2.headerCount(name), 1);
        QVERIFY(WebhookReceiver::verify(r2, hook.secret));
        QVERIFY(!r2.header("webhook-signature").contains("forged"));
    }

    // What a killed process leaves: a row "delivering" under a lease. It is not sent again while
    // the lease holds, and goes out (same id) once it has run out.
    void expiredLeaseIsDeliveredAgain_data() { wadesk::test::addDialectRows(); }
    void expiredLeaseIsDeliveredAgain()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        const Event e = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        const qint64 leaseUntil = rig.now() + 30000;
        QVERIFY(rig.exec(QStringLiteral("UPDATE webhook_deliveries SET status = 'delivering', lease_until = ? WHERE event_id = ?"), {leaseUntil, e.id}));
        rig.startWorker();
        QTest::qWait(400);
        QCOMPARE(rig.receiver.count(), 0);
        QCOMPARE(rig.row(e.id, hook.id).status, QStringLiteral("delivering"));
        rig.advanceTo(leaseUntil);
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("succeeded"), 1));
        QCOMPARE(rig.receiver.count(), 1);
        QCOMPARE(rig.receiver.requests().first().webhookId(), e.id);
    }

    // A worker stopped while a request hangs: the row keeps its lease (it may have arrived), and
    // another worker sends it after the lease; nothing is lost.
    void stoppedWorkerLeavesLease_data() { wadesk::test::addDialectRows(); }
    void stoppedWorkerLeavesLease()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHook(rig.orgA, QStringLiteral("/a"), {QStringLiteral("*")});
        rig.receiver.script({Behaviour::Hang});
        DeliverySettings s = Rig::settings();
        s.timeoutMs = 60000;
        rig.startWorker(s);
        const Event e = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(rig.receiver.waitForCount(1, kWaitMs));
        rig.stopWorker();
        const Row held = rig.row(e.id, hook.id);
        QCOMPARE(held.status, QStringLiteral("delivering"));
        QVERIFY(held.leaseUntil > rig.now());
        rig.startWorker();
        rig.advanceTo(held.leaseUntil);
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("succeeded"), 1));
        QCOMPARE(rig.receiver.count(), 2);
        QCOMPARE(rig.receiver.requests().last().webhookId(), e.id);
    }

    // At most maxInFlightPerEndpoint requests to one endpoint and maxInFlight in all; endpoints
    // that hang with a long backlog (beyond one poll's page) do not hold up another endpoint.
    void boundedConcurrencyAndFairness_data() { wadesk::test::addDialectRows(); }
    void boundedConcurrencyAndFairness()
    {
        WADESK_RIG(rig);
        WebhookReceiver other; // another host:port
        QVERIFY(other.start());
        const Hook stuck1 = rig.createHook(rig.orgA, QStringLiteral("/stuck1"), {QStringLiteral("message.sent")});
        const Hook stuck2 = rig.createHook(rig.orgA, QStringLiteral("/stuck2"), {QStringLiteral("message.sent")});
        const Hook healthy = rig.createHookAt(rig.orgB, other.url(QStringLiteral("/healthy")), {QStringLiteral("*")});
        rig.receiver.setBehaviour(Behaviour::Hang);
        DeliverySettings s = Rig::settings();
        s.timeoutMs = 60000;
        s.maxInFlightPerEndpoint = 3;
        s.maxInFlight = 7;
        rig.startWorker(s);
        rig.record(rig.orgA, QStringLiteral("message.sent"), 260);
        QVERIFY(rig.receiver.waitForCount(6, kWaitMs));
        QTest::qWait(500);
        QCOMPARE(rig.requestsTo(QStringLiteral("/stuck1")).size(), 3);
        QCOMPARE(rig.requestsTo(QStringLiteral("/stuck2")).size(), 3);
        // Another organization's endpoint still gets its events while both hang.
        const QList<Event> events = rig.record(rig.orgB, QStringLiteral("message.sent"), 3);
        for (const Event &e : events)
            QVERIFY(rig.waitRow(e.id, healthy.id, QStringLiteral("succeeded"), 1, 5000));
        QCOMPARE(other.count(), 3);
        QCOMPARE(rig.receiver.count(), 6);
        // The overall bound: with 6 hanging, a hanging third endpoint gets what is left of the 7.
        other.setBehaviour(Behaviour::Hang);
        rig.record(rig.orgB, QStringLiteral("message.sent"), 5);
        QVERIFY(other.waitForCount(4, kWaitMs));
        QTest::qWait(500);
        QCOMPARE(other.count(), 4);
        QCOMPARE(rig.receiver.count(), 6);
        rig.stopWorker();
    }

    // Endpoints on one host share its connections: the worker never hands the network more than
    // kMaxPerHost requests for a host, so none waits in a hidden queue and times out there.
    void endpointsOnOneHostShareItsConnections_data() { wadesk::test::addDialectRows(); }
    void endpointsOnOneHostShareItsConnections()
    {
        WADESK_RIG(rig);
        QList<Hook> hooks;
        for (const char *path : {"/h1", "/h2", "/h3"})
            hooks << rig.createHook(rig.orgA, QLatin1String(path), {QStringLiteral("*")});
        rig.receiver.setBehaviour(Behaviour::Hang);
        DeliverySettings s = Rig::settings();
        s.timeoutMs = 1500;
        s.maxInFlightPerEndpoint = 4;
        rig.startWorker(s);
        const QList<Event> events = rig.record(rig.orgA, QStringLiteral("message.sent"), 4);
        QVERIFY(rig.receiver.waitForCount(DeliveryWorker::kMaxPerHost, kWaitMs));
        QTest::qWait(400);
        QCOMPARE(rig.receiver.count(), DeliveryWorker::kMaxPerHost);
        // Those time out; every failure is one the receiver saw (nothing timed out unsent).
        QVERIFY(QTest::qWaitFor([&]() { return rig.column(QStringLiteral("SELECT SUM(total_failures) FROM webhooks")).value(0).toInt() >= DeliveryWorker::kMaxPerHost; }, kWaitMs));
        rig.receiver.setBehaviour(Behaviour::Ok);
        for (int round = 0; round < 6; ++round) {
            QTest::qWait(300);
            rig.advance(5000);
        }
        for (const Event &e : events) {
            for (const Hook &h : hooks)
                QVERIFY(rig.waitRow(e.id, h.id, QStringLiteral("succeeded"), 1));
        }
        const int failures = rig.column(QStringLiteral("SELECT SUM(total_failures) FROM webhooks")).value(0).toInt();
        int hung = 0;
        for (const auto &r : rig.receiver.requests())
            hung += r.answer == Behaviour::Hang ? 1 : 0;
        QCOMPARE(failures, hung);
        QCOMPARE(rig.receiver.count(), hung + 12);
    }

    // A name that does not resolve (now) is retried like a connection error, not given up.
    void unresolvableHostIsRetried_data() { wadesk::test::addDialectRows(); }
    void unresolvableHostIsRetried()
    {
        WADESK_RIG(rig);
        const Hook hook = rig.createHookAt(rig.orgA, QStringLiteral("http://wadesk-test.invalid/hook"), {QStringLiteral("*")});
        QVERIFY(!hook.id.isEmpty());
        rig.startWorker();
        const Event e = rig.recordOne(rig.orgA, QStringLiteral("message.sent"));
        QVERIFY(rig.waitRow(e.id, hook.id, QStringLiteral("retrying"), 1, 30000));
        const Row r = rig.row(e.id, hook.id);
        QVERIFY2(r.lastError.contains(QLatin1String("does not resolve")), qPrintable(r.lastError));
        QCOMPARE(rig.column(QStringLiteral("SELECT consecutive_failures FROM webhooks WHERE id = ?"), {hook.id}).value(0), QStringLiteral("1"));
    }
};

QTEST_GUILESS_MAIN(TestWebhookDelivery)
#include "tst_webhook_delivery.moc"
