// The analytics roll-ups (migration 0012), on SQLite and PostgreSQL, over real HTTP:
// - after inserts, every status move, failures, retention pruning and a client's deletion, the
//   roll-ups equal a recount of the raw rows (RollupCheck), and every figure the API gives
//   (metrics, stats, rates, per-client table, heatmap) equals what the seeded messages say,
//   computed here independently, in zones with whole-hour, half-hour and 45-minute offsets and
//   across DST changes (including Lord Howe's half-hour one), for an admin and a viewer;
// - `wadesk analytics --verify` (the real binary) passes on exact roll-ups, finds tampered
//   cells (changed, missing, invented) and exits 5; `--repair` rewrites them and exits 0.

#include "tests/support/ApiTestHarness.h"
#include "tests/support/BinarySandbox.h"
#include "tests/support/ManualClock.h"
#include "core/analytics/ResponseRuns.h"
#include "core/analytics/RollupCheck.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"
#include "core/retention/RetentionPruner.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QHash>
#include <QJsonArray>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <algorithm>
#include <array>
#include <limits>

using namespace wadesk;
using namespace wadesk::test;

namespace {

const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);

qint64 utcMs(const char *iso)
{
    const QDateTime t = QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs);
    Q_ASSERT(t.isValid());
    return t.toMSecsSinceEpoch();
}

// What the test wrote: enough to compute every figure without the database.
struct Seeded {
    QString id;
    QString clientId;
    qint64 createdAt = 0;
    QString fate; // queued, sending, sent, delivered, read, refused, failed, inbound
};

// total, sent, delivered, read, failed, received
using Tally = std::array<qint64, 6>;

Tally tallyOf(const Seeded &m)
{
    const QString &f = m.fate;
    const bool reached = f == QLatin1String("sent") || f == QLatin1String("delivered") || f == QLatin1String("read");
    return Tally{1,
                 reached ? 1 : 0,
                 f == QLatin1String("delivered") || f == QLatin1String("read") ? 1 : 0,
                 f == QLatin1String("read") ? 1 : 0,
                 f == QLatin1String("refused") || f == QLatin1String("failed") ? 1 : 0,
                 f == QLatin1String("inbound") ? 1 : 0};
}

void add(Tally &into, const Tally &t)
{
    for (size_t i = 0; i < into.size(); ++i)
        into[i] += t[i];
}

QString funnelText(const Tally &t)
{
    return QStringLiteral("%1/%2/%3/%4/%5").arg(t[1]).arg(t[2]).arg(t[3]).arg(t[4]).arg(t[5]);
}

QString funnelText(const QJsonObject &o)
{
    QStringList parts;
    for (const char *k : {"sent", "delivered", "read", "failed", "received"})
        parts << QString::number(o.value(QLatin1String(k)).toInteger());
    return parts.join(QLatin1Char('/'));
}

struct Stage {
    ApiTestHarness api;
    Account admin, viewer;
    QString clientA, clientB, clientC; // the viewer sees clientA only
    QList<Seeded> seeded;
    int sequence = 0;
    QRandomGenerator random{20261205};

    bool cast()
    {
        admin = api.registerOrganization(QStringLiteral("admin@a.test"), QStringLiteral("Org A"));
        if (!admin.valid())
            return false;
        viewer = api.createMember(admin, QStringLiteral("viewer"), QStringLiteral("viewer@a.test"));
        clientA = api.createClient(admin, QStringLiteral("Sales"));
        clientB = api.createClient(admin, QStringLiteral("Support"));
        clientC = api.createClient(admin, QStringLiteral("Billing"));
        return viewer.valid() && !clientA.isEmpty() && !clientB.isEmpty() && !clientC.isEmpty()
               && api.assign(admin, viewer.userId, clientA);
    }
    ApiResponse call(const Account &who, const QString &path, const QByteArray &method = "GET", const QJsonValue &body = kNoBody)
    {
        return api.request(method, path, body, ApiTestHarness::apiKey(who.apiKey));
    }
    bool setZone(const QString &zone)
    {
        const ApiResponse r = call(admin, QStringLiteral("/api/organization"), "PATCH", QJsonObject{{QStringLiteral("time_zone"), zone}});
        return r.status == 200;
    }
    bool fail(const char *what, const DomainError &e)
    {
        qWarning("seed %s: %s", what, qPrintable(e.message));
        return false;
    }

    // One message moved as the engine moves it to `fate`.
    bool seed(const QString &clientId, qint64 at, const QString &fate)
    {
        SqlRunner sql(api.database());
        ContactRepository contacts(sql);
        const QString phone = QStringLiteral("+1415555%1").arg(1000 + random.bounded(20));
        Result<ContactRecord> contact = contacts.upsert(admin.organizationId, phone);
        if (!contact)
            return fail("contact", contact.error());
        MessageRepository messages(sql);
        MessageRecord m;
        m.id = Ids::makeAt("msg", at);
        m.organizationId = admin.organizationId;
        m.clientId = clientId;
        m.contactId = contact.value().id;
        m.body = QStringLiteral("x");
        m.createdAt = at;
        m.updatedAt = at;
        const QString waId = QStringLiteral("wa_%1").arg(++sequence);
        if (fate == QLatin1String("inbound")) {
            m.direction = MessageDirection::Inbound;
            m.status = MessageStatus::Received;
            m.waMessageId = waId;
            m.sentAt = at;
            Result<bool> inserted = messages.insertIfNew(m);
            if (!inserted || !inserted.value())
                return fail("inbound", inserted ? DomainError::internal() : inserted.error());
        } else {
            m.direction = MessageDirection::Outbound;
            m.status = MessageStatus::Queued;
            if (Status s = messages.insertMany({m}); !s)
                return fail("insert", s.error());
            // Only a message about to be claimed is queued in the outbox: claimNext takes the
            // client's oldest entry.
            const bool claim = fate != QLatin1String("queued") && fate != QLatin1String("failed");
            if (claim) {
                if (Status s = messages.enqueueMany({m}); !s)
                    return fail("enqueue", s.error());
            }
            if (fate == QLatin1String("failed")) {
                // Refused before it left (a queued message failed, e.g. not on WhatsApp).
                if (Status s = messages.markFailed(m.id, QStringLiteral("not_on_whatsapp"), at + 10); !s)
                    return fail("failed", s.error());
            } else if (fate != QLatin1String("queued")) {
                Result<std::optional<MessageRecord>> claimed = messages.claimNext(clientId, at);
                if (!claimed || !claimed.value() || claimed.value()->id != m.id)
                    return fail("claim", claimed ? DomainError::internal() : claimed.error());
                if (fate != QLatin1String("sending")) {
                    if (Status s = messages.markSent(m.id, waId, at + 100); !s)
                        return fail("sent", s.error());
                    // Delivered then read: the message moves through every stage once.
                    QList<int> acks;
                    if (fate == QLatin1String("delivered"))
                        acks = {2};
                    else if (fate == QLatin1String("read"))
                        acks = {2, 3};
                    else if (fate == QLatin1String("refused"))
                        acks = {-1};
                    for (const int ack : acks) {
                        Result<std::optional<MessageRecord>> moved = messages.applyAck(clientId, waId, ack, at + 200);
                        if (!moved || !moved.value())
                            return fail("ack", moved ? DomainError::internal() : moved.error());
                    }
                }
            }
        }
        seeded.append(Seeded{m.id, clientId, at, fate});
        return true;
    }

    // Drops from `seeded` what the database no longer holds (pruned, deleted with a client).
    bool forgetRemoved()
    {
        SqlRunner sql(api.database());
        Result<QSet<QString>> ids = sql.query(QStringLiteral("SELECT id FROM messages"), {}, "test.ids", [](QSqlQuery &q) {
            QSet<QString> out;
            while (q.next())
                out.insert(q.value(0).toString());
            return out;
        });
        if (!ids)
            return false;
        seeded.erase(std::remove_if(seeded.begin(), seeded.end(), [&](const Seeded &m) { return !ids.value().contains(m.id); }),
                     seeded.end());
        return true;
    }

    Tally expected(qint64 fromMs, qint64 toMs, const QSet<QString> &clients) const
    {
        Tally t{};
        for (const Seeded &m : seeded)
            if (m.createdAt >= fromMs && m.createdAt < toMs && clients.contains(m.clientId))
                add(t, tallyOf(m));
        return t;
    }
};

#define WADESK_STAGE(var)                                                                                                     \
    QFETCH(QString, dialect);                                                                                                \
    Stage var;                                                                                                               \
    {                                                                                                                        \
        QString whyNot;                                                                                                      \
        if (!var.api.start(dialect, &whyNot)) {                                                                              \
            if (dialect == QLatin1String("postgres") && !PgCluster::required() && !whyNot.startsWith(QLatin1String("server:"))) \
                QSKIP(qPrintable(whyNot));                                                                                   \
            QFAIL(qPrintable(whyNot));                                                                                       \
        }                                                                                                                    \
        QVERIFY(var.cast());                                                                                                 \
    }

struct Run {
    int exitCode = -1;
    QString out;
    QString all() const { return QStringLiteral("exit %1\n%2").arg(exitCode).arg(out); }
};

Run wadeskAnalytics(const QString &databaseUrl, const QString &option)
{
    QTemporaryDir home;
    QProcess process;
    process.setProcessEnvironment(isolatedEnvironment(home.path()));
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(wadeskBinary(), {QStringLiteral("analytics"), option, QStringLiteral("--data-dir"), home.filePath(QStringLiteral("data")),
                                   QStringLiteral("--db"), databaseUrl});
    Run run;
    if (process.waitForStarted(10000) && process.waitForFinished(120000))
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromLocal8Bit(process.readAll());
    return run;
}

} // namespace

class TestAnalyticsRollups : public QObject {
    Q_OBJECT

    static void bothDialects()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

    // Every figure the API gives for [first, last] in `zone`, against the seeded messages.
    static void compareWithSeeded(Stage &s, const QString &zone, const QDate &first, const QDate &last)
    {
        QVERIFY2(s.setZone(zone), qPrintable(zone));
        const QTimeZone tz(zone.toLatin1());
        const QSet<QString> all{s.clientA, s.clientB, s.clientC};
        const QString dates = QStringLiteral("startDate=%1&endDate=%2").arg(first.toString(Qt::ISODate), last.toString(Qt::ISODate));
        for (const bool asViewer : {false, true}) {
            const Account &who = asViewer ? s.viewer : s.admin;
            const QSet<QString> visible = asViewer ? QSet<QString>{s.clientA} : all;
            const QString context = zone + (asViewer ? QStringLiteral(" viewer") : QStringLiteral(" admin"));
            ApiResponse r = s.call(who, QStringLiteral("/api/analytics/metrics?") + dates);
            QVERIFY2(r.status == 200, r.describe());
            const QJsonArray days = r.json.value(QStringLiteral("metrics")).toArray();
            QCOMPARE(days.size(), qsizetype(first.daysTo(last) + 1));
            for (const QJsonValue &v : days) {
                const QDate day = QDate::fromString(v.toObject().value(QStringLiteral("date")).toString(), Qt::ISODate);
                const Tally want = s.expected(day.startOfDay(tz).toMSecsSinceEpoch(), day.addDays(1).startOfDay(tz).toMSecsSinceEpoch(), visible);
                QVERIFY2(funnelText(v.toObject()) == funnelText(want),
                         qPrintable(QStringLiteral("%1 %2: %3, messages say %4").arg(context, day.toString(Qt::ISODate), funnelText(v.toObject()),
                                                                                      funnelText(want))));
            }
            const qint64 fromMs = first.startOfDay(tz).toMSecsSinceEpoch();
            const qint64 toMs = last.addDays(1).startOfDay(tz).toMSecsSinceEpoch();
            r = s.call(who, QStringLiteral("/api/analytics/rates?") + dates);
            QVERIFY2(r.status == 200, r.describe());
            QCOMPARE(funnelText(r.json), funnelText(s.expected(fromMs, toMs, visible)));
            r = s.call(who, QStringLiteral("/api/analytics/clients?") + dates);
            QVERIFY2(r.status == 200, r.describe());
            const QJsonArray rows = r.json.value(QStringLiteral("clients")).toArray();
            QCOMPARE(rows.size(), qsizetype(visible.size()));
            for (const QJsonValue &v : rows) {
                const QString id = v.toObject().value(QStringLiteral("client_id")).toString();
                QVERIFY2(funnelText(v.toObject()) == funnelText(s.expected(fromMs, toMs, {id})), qPrintable(context + QLatin1Char(' ') + id));
            }
            // Heatmap: sent and received per local weekday and hour.
            r = s.call(who, QStringLiteral("/api/analytics/heatmap?") + dates);
            QVERIFY2(r.status == 200, r.describe());
            QHash<int, std::pair<qint64, qint64>> cells;
            for (const Seeded &m : s.seeded) {
                if (m.createdAt < fromMs || m.createdAt >= toMs || !visible.contains(m.clientId))
                    continue;
                const QDateTime local = QDateTime::fromMSecsSinceEpoch(m.createdAt, tz);
                const Tally t = tallyOf(m);
                auto &c = cells[local.date().dayOfWeek() * 100 + local.time().hour()];
                c.first += t[1];
                c.second += t[5];
            }
            for (const QJsonValue &v : r.json.value(QStringLiteral("cells")).toArray()) {
                const QJsonObject o = v.toObject();
                const auto want = cells.value(o.value(QStringLiteral("weekday")).toInt() * 100 + o.value(QStringLiteral("hour")).toInt());
                QVERIFY2(o.value(QStringLiteral("sent")).toInteger() == want.first && o.value(QStringLiteral("received")).toInteger() == want.second,
                         qPrintable(context + QStringLiteral(" heatmap ") + QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact))));
            }
            // stats: every message, and today's (none of the seeded ones is from today).
            r = s.call(who, QStringLiteral("/api/analytics/stats"));
            QVERIFY2(r.status == 200, r.describe());
            QCOMPARE(r.json.value(QStringLiteral("total_messages")).toInteger(),
                     s.expected(std::numeric_limits<qint64>::min(), std::numeric_limits<qint64>::max(), visible)[0]);
        }
    }

    static void rollupsMatch(Stage &s)
    {
        RollupCheck check(s.api.database());
        Result<QList<RollupDifference>> differences = check.verify();
        QVERIFY2(differences, differences ? "" : qPrintable(differences.error().message));
        QStringList lines;
        for (const RollupDifference &d : differences.value())
            lines << RollupCheck::describe(d);
        QVERIFY2(lines.isEmpty(), qPrintable(lines.join(QLatin1Char('\n'))));
        // The response runs kept change by change match a pairing of every conversation from
        // scratch (verify() applies the pending changes, then recomputes all).
        Result<QStringList> runs = ResponseRuns(s.api.database()).verify();
        QVERIFY2(runs, runs ? "" : qPrintable(runs.error().message));
        QVERIFY2(runs.value().isEmpty(), qPrintable(runs.value().join(QLatin1Char('\n'))));
    }

private slots:
    void figuresStayExactThroughEveryChange_data() { bothDialects(); }
    void figuresStayExactThroughEveryChange()
    {
        WADESK_STAGE(s);
        const QStringList zones{QStringLiteral("UTC"), QStringLiteral("America/New_York"), QStringLiteral("Europe/London"),
                                QStringLiteral("Asia/Kolkata"), QStringLiteral("Asia/Kathmandu"), QStringLiteral("Australia/Lord_Howe")};
        const QDate first(2026, 3, 26);
        const QDate last(2026, 4, 8); // London's DST starts 03-29, Lord Howe's half hour ends 04-05
        const QStringList fates{QStringLiteral("queued"),    QStringLiteral("sending"), QStringLiteral("sent"),   QStringLiteral("delivered"),
                                QStringLiteral("read"),      QStringLiteral("read"),    QStringLiteral("refused"), QStringLiteral("failed"),
                                QStringLiteral("inbound"),   QStringLiteral("inbound")};
        const QStringList clients{s.clientA, s.clientB, s.clientC};
        // Messages on both sides of every local midnight of every zone, to the millisecond.
        int n = 0;
        for (const QString &zone : zones) {
            const QTimeZone tz(zone.toLatin1());
            for (QDate d = first; d <= last.addDays(1); d = d.addDays(1)) {
                const qint64 midnight = d.startOfDay(tz).toMSecsSinceEpoch();
                for (const qint64 at : {midnight - 1, midnight}) {
                    QVERIFY(s.seed(clients[n % 3], at, fates[n % fates.size()]));
                    ++n;
                }
            }
        }
        // And at random instants.
        const qint64 from = first.addDays(-1).startOfDay(QTimeZone(QByteArrayLiteral("UTC"))).toMSecsSinceEpoch();
        const qint64 span = qint64(first.daysTo(last) + 3) * 86400000;
        for (int i = 0; i < 150; ++i) {
            QVERIFY(s.seed(clients[int(s.random.bounded(3))], from + qint64(s.random.bounded(double(span))),
                           fates[int(s.random.bounded(qint64(fates.size())))]));
            // Apply the noted changes now and then, so later messages land before, inside and
            // after runs already stored (written out of time order, as history sync does).
            if (i % 7 == 0)
                QVERIFY(ResponseRuns(s.api.database()).refresh());
        }
        rollupsMatch(s);
        if (QTest::currentTestFailed())
            return;
        for (const QString &zone : zones) {
            compareWithSeeded(s, zone, first, last);
            if (QTest::currentTestFailed())
                return;
        }

        // Late moves: a sent message is delivered then read, another refused, days after.
        SqlRunner sql(s.api.database());
        MessageRepository messages(sql);
        int moved = 0;
        for (Seeded &m : s.seeded) {
            if (m.fate != QLatin1String("sent"))
                continue;
            Result<QString> waId = sql.query(QStringLiteral("SELECT wa_message_id FROM messages WHERE id = ?"), {m.id}, "test.wa",
                                             [](QSqlQuery &q) { return q.next() ? q.value(0).toString() : QString(); });
            QVERIFY(waId);
            const int ack = moved % 2 == 0 ? 3 : -1;
            Result<std::optional<MessageRecord>> r = messages.applyAck(m.clientId, waId.value(), ack, m.createdAt + 5 * 86400000LL);
            QVERIFY(r && r.value());
            m.fate = ack == 3 ? QStringLiteral("read") : QStringLiteral("refused");
            ++moved;
        }
        QVERIFY(moved > 2);
        // The sends a crash interrupted are failed (the reconciler found no trace of them).
        int interrupted = 0;
        for (Seeded &m : s.seeded) {
            if (m.fate != QLatin1String("sending"))
                continue;
            QVERIFY(messages.markFailed(m.id, QStringLiteral("interrupted"), utcMs("2026-04-20T00:00:00.000Z")));
            m.fate = QStringLiteral("failed");
            ++interrupted;
        }
        QVERIFY(interrupted > 0);
        rollupsMatch(s);
        compareWithSeeded(s, QStringLiteral("Asia/Kathmandu"), first, last);
        if (QTest::currentTestFailed())
            return;

        // Retention prunes the older messages (the cutoff falls inside an hour).
        RetentionSettings settings;
        settings.messagesDays = 10;
        settings.pauseBetweenBatchesMs = 0;
        settings.batchRows = 40;
        ManualClock clock(utcMs("2026-04-13T12:34:56.789Z"));
        const RetentionReport report = RetentionPruner(s.api.database(), settings, clock).run();
        QVERIFY(!report.failed);
        QVERIFY(report.messages > 50);
        const int before = int(s.seeded.size());
        QVERIFY(s.forgetRemoved());
        QCOMPARE(int(s.seeded.size()), before - int(report.messages));
        rollupsMatch(s);
        for (const QString &zone : {QStringLiteral("Asia/Kolkata"), QStringLiteral("America/New_York")}) {
            compareWithSeeded(s, zone, first, last);
            if (QTest::currentTestFailed())
                return;
        }

        // A client deleted takes its messages and its roll-ups with it.
        const ApiResponse deleted = s.call(s.admin, QStringLiteral("/api/clients/") + s.clientB, "DELETE");
        QVERIFY2(deleted.status == 200 || deleted.status == 204, deleted.describe());
        QVERIFY(s.forgetRemoved());
        rollupsMatch(s);
        SqlRunner after(s.api.database());
        Result<qint64> left = after.query(QStringLiteral("SELECT COUNT(*) FROM message_rollups WHERE client_id = ?"), {s.clientB}, "test.left",
                                          [](QSqlQuery &q) { return q.next() ? q.value(0).toLongLong() : -1; });
        QVERIFY(left);
        QCOMPARE(left.value(), qint64(0));
    }

    // Migration 0026: a status change updates its cell by the difference; a move to another cell
    // and a status change whose cell is missing still take the long way, with the same counts.
    void statusChangesOutsideTheirCell_data() { bothDialects(); }
    void statusChangesOutsideTheirCell()
    {
        WADESK_STAGE(s);
        const qint64 at = utcMs("2026-05-04T10:15:00.000Z");
        for (int i = 0; i < 3; ++i)
            QVERIFY(s.seed(s.clientA, at + i * 1000, QStringLiteral("sent")));
        SqlRunner sql(s.api.database());
        Seeded &moved = s.seeded[0];
        QVERIFY(sql.change(QStringLiteral("UPDATE messages SET created_at = created_at + 3600000, status = 'delivered' WHERE id = ?"),
                           {moved.id}, "test.move"));
        moved.createdAt += 3600000;
        moved.fate = QStringLiteral("delivered");
        QVERIFY(sql.change(QStringLiteral("UPDATE messages SET client_id = ? WHERE id = ?"), {s.clientB, s.seeded[1].id}, "test.reassign"));
        s.seeded[1].clientId = s.clientB;
        rollupsMatch(s);
        if (QTest::currentTestFailed())
            return;

        // The cell dropped by hand: the status change makes it again, holding that message only.
        const qint64 hour = at - at % 3600000;
        QVERIFY(sql.change(QStringLiteral("DELETE FROM message_rollups WHERE client_id = ? AND hour_start = ?"), {s.clientA, hour}, "test.drop"));
        QVERIFY(sql.change(QStringLiteral("UPDATE messages SET status = 'read' WHERE id = ?"), {s.seeded[2].id}, "test.read"));
        Result<QString> cell = sql.query(
            QStringLiteral("SELECT total, sent, delivered, read, failed, received FROM message_rollups WHERE client_id = ? AND hour_start = ?"),
            {s.clientA, hour}, "test.cell", [](QSqlQuery &q) {
                QStringList v;
                if (q.next())
                    for (int i = 0; i < 6; ++i)
                        v << q.value(i).toString();
                return v.join(QLatin1Char(' '));
            });
        QVERIFY(cell);
        QCOMPARE(cell.value(), QStringLiteral("1 1 1 1 0 0"));
    }

    void verifyAndRepairWithTheBinary_data() { bothDialects(); }
    void verifyAndRepairWithTheBinary()
    {
        WADESK_STAGE(s);
        const qint64 at = utcMs("2026-05-04T10:15:00.000Z");
        const QStringList fates{QStringLiteral("read"), QStringLiteral("delivered"), QStringLiteral("refused"), QStringLiteral("inbound")};
        for (int i = 0; i < 24; ++i)
            QVERIFY(s.seed(i % 2 == 0 ? s.clientA : s.clientB, at + qint64(i) * 1800 * 1000, fates[i % fates.size()]));

        Run run = wadeskAnalytics(s.api.databaseUrl(), QStringLiteral("--verify"));
        QVERIFY2(run.exitCode == 0, qPrintable(run.all()));
        QVERIFY2(run.out.contains(QStringLiteral("roll-ups and response runs match the messages")), qPrintable(run.all()));

        // Tamper: one cell off by 3 sent, one cell gone, one cell invented.
        SqlRunner sql(s.api.database());
        const qint64 hour = at - at % 3600000;
        QVERIFY(sql.change(QStringLiteral("UPDATE message_rollups SET sent = sent + 3 WHERE client_id = ? AND hour_start = ?"), {s.clientA, hour}));
        QVERIFY(sql.change(QStringLiteral("DELETE FROM message_rollups WHERE client_id = ? AND hour_start = ?"), {s.clientB, hour + 3600000}));
        QVERIFY(sql.change(QStringLiteral("INSERT INTO message_rollups (organization_id, client_id, hour_start, total, sent, delivered, read, "
                                          "failed, received) VALUES (?, ?, ?, 7, 7, 0, 0, 0, 0)"),
                           {s.admin.organizationId, s.clientC, hour}));
        run = wadeskAnalytics(s.api.databaseUrl(), QStringLiteral("--verify"));
        QVERIFY2(run.exitCode == 5, qPrintable(run.all()));
        QVERIFY2(run.out.contains(QStringLiteral("client %1, hour 2026-05-04T10:00:00Z: sent").arg(s.clientA)), qPrintable(run.all()));
        QVERIFY2(run.out.contains(QStringLiteral("client %1, hour 2026-05-04T11:00:00Z: total 0 (messages say").arg(s.clientB)), qPrintable(run.all()));
        QVERIFY2(run.out.contains(QStringLiteral("client %1, hour 2026-05-04T10:00:00Z: total 7 (messages say 0)").arg(s.clientC)),
                 qPrintable(run.all()));
        QVERIFY2(run.out.contains(QStringLiteral("3 roll-up cell(s) and 0 conversation(s) of response runs differ")), qPrintable(run.all()));
        // The API reads the roll-ups: the tampered cell shows (which is why --verify exists).
        ApiResponse r = s.call(s.admin, QStringLiteral("/api/analytics/rates?startDate=2026-05-04&endDate=2026-05-04&clientId=") + s.clientC);
        QCOMPARE(r.json.value(QStringLiteral("sent")).toInteger(), qint64(7));

        run = wadeskAnalytics(s.api.databaseUrl(), QStringLiteral("--repair"));
        QVERIFY2(run.exitCode == 0, qPrintable(run.all()));
        QVERIFY2(run.out.contains(QStringLiteral("repaired: 3 cell(s) differed")), qPrintable(run.all()));
        run = wadeskAnalytics(s.api.databaseUrl(), QStringLiteral("--verify"));
        QVERIFY2(run.exitCode == 0, qPrintable(run.all()));
        rollupsMatch(s);
        r = s.call(s.admin, QStringLiteral("/api/analytics/rates?startDate=2026-05-04&endDate=2026-05-04&clientId=") + s.clientC);
        QCOMPARE(r.json.value(QStringLiteral("sent")).toInteger(), qint64(0));

        // A response run edited by hand (a response time off by a minute) and one removed.
        const ApiResponse timesBefore = s.call(s.admin, QStringLiteral("/api/analytics/response-times?startDate=2026-05-04&endDate=2026-05-04"));
        QVERIFY2(timesBefore.status == 200, timesBefore.describe());
        QVERIFY(timesBefore.json.value(QStringLiteral("responses")).toInteger() > 0);
        QVERIFY(sql.change(QStringLiteral("UPDATE response_runs SET response_ms = response_ms + 60000 WHERE response_ms IS NOT NULL")));
        QVERIFY(sql.change(QStringLiteral("DELETE FROM response_runs WHERE response_ms IS NULL")));
        run = wadeskAnalytics(s.api.databaseUrl(), QStringLiteral("--verify"));
        QVERIFY2(run.exitCode == 5, qPrintable(run.all()));
        QVERIFY2(run.out.contains(QStringLiteral("with other times or responders")), qPrintable(run.all()));
        QVERIFY2(run.out.contains(QRegularExpression(QStringLiteral("contact \\S+: [0-9]+ response runs stored, the messages give [0-9]+\n"))),
                 qPrintable(run.all()));
        QVERIFY(s.call(s.admin, QStringLiteral("/api/analytics/response-times?startDate=2026-05-04&endDate=2026-05-04")).json != timesBefore.json);
        run = wadeskAnalytics(s.api.databaseUrl(), QStringLiteral("--repair"));
        QVERIFY2(run.exitCode == 0, qPrintable(run.all()));
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/analytics/response-times?startDate=2026-05-04&endDate=2026-05-04")).json, timesBefore.json);
        QCOMPARE(funnelText(s.call(s.admin, QStringLiteral("/api/analytics/rates?startDate=2026-05-04&endDate=2026-05-04")).json),
                 funnelText(s.expected(0, std::numeric_limits<qint64>::max(), {s.clientA, s.clientB, s.clientC})));

        // Neither option: refused as a bad option, nothing checked.
        QTemporaryDir home;
        QProcess bare;
        bare.setProcessEnvironment(isolatedEnvironment(home.path()));
        bare.setProcessChannelMode(QProcess::MergedChannels);
        bare.start(wadeskBinary(), {QStringLiteral("analytics"), QStringLiteral("--db"), s.api.databaseUrl()});
        QVERIFY(bare.waitForFinished(60000));
        QCOMPARE(bare.exitCode(), 2);
        QVERIFY(QString::fromLocal8Bit(bare.readAll()).contains(QStringLiteral("--verify or --repair")));
    }
};

QTEST_GUILESS_MAIN(TestAnalyticsRollups)
#include "tst_analytics_rollups.moc"
