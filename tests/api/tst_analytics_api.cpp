// The analytics routes over real HTTP (core/api/controllers/AnalyticsController over
// core/analytics/AnalyticsService) and the organization's time zone (OrganizationController),
// on SQLite and PostgreSQL. Messages are written with the repositories the engine uses
// (MessageRepository insert/enqueue, claimNext, markSent, applyAck; insertIfNew for inbound),
// at chosen times, so every count below is known exactly.
//
// Proves: the acceptance (5 read, 1 refused, 1 received today → stats 7/7, metrics
// today 5/5/5/1/1, a CSV with a header and 7 rows, agents 403, viewers 200); day boundaries in
// the organization's zone (America/New_York's 23-hour 2026-03-08, the millisecond before and at
// local midnight, the same rows re-cut in UTC, a +05:30 zone in the heatmap); the response
// pairing (runs, failed replies ignored, unanswered runs, per-client and per-member tables);
// zero denominators (null rates); bad, reversed and over-long ranges (400) and bad formats;
// the time-zone setting (admins only, invalid names 400 with nothing changed); RBAC and tenant
// scoping on every route (agents 403, viewers only their clients, another organization's client
// 404); CSV per RFC 4180 with formula cells neutralised; exports in keyset batches across
// identical timestamps, streamed chunked, and the export device's buffer bounded.

#include "tests/support/ApiTestHarness.h"
#include "core/analytics/AnalyticsService.h"
#include "core/analytics/MessageExport.h"
#include "core/auth/OrganizationService.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>
#include <QThread>
#include <QTimeZone>

using namespace wadesk;
using namespace wadesk::test;

namespace {

const QJsonValue kNoBody = QJsonValue(QJsonValue::Undefined);
constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;

qint64 utcMs(const char *iso)
{
    const QDateTime t = QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs);
    Q_ASSERT(t.isValid());
    return t.toMSecsSinceEpoch();
}

// RFC 4180 records: fields may be quoted ("" is a quote), records end with CRLF.
QList<QStringList> parseCsv(const QByteArray &bytes, bool *wellFormed)
{
    const QString text = QString::fromUtf8(bytes);
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    bool ok = true;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                    field += QLatin1Char('"');
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            if (!field.isEmpty())
                ok = false;
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            record << field;
            field.clear();
        } else if (c == QLatin1Char('\r')) {
            if (i + 1 >= text.size() || text.at(i + 1) != QLatin1Char('\n'))
                ok = false;
            record << field;
            field.clear();
            records << record;
            record.clear();
            ++i;
        } else if (c == QLatin1Char('\n')) {
            ok = false; // a bare LF outside quotes
        } else {
            field += c;
        }
    }
    if (quoted || !field.isEmpty() || !record.isEmpty())
        ok = false; // the last record must end with CRLF
    if (wellFormed)
        *wellFormed = ok;
    return records;
}

struct Stage {
    ApiTestHarness api;
    Account admin, manager, agent, viewer, otherAdmin;
    QString clientA; // assigned to the agent and the viewer
    QString clientB; // assigned to nobody
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
        return api.assign(admin, agent.userId, clientA) && api.assign(admin, viewer.userId, clientA);
    }
    ApiResponse call(const Account &who, const QString &path, const QByteArray &method = "GET", const QJsonValue &body = kNoBody)
    {
        return api.request(method, path, body, ApiTestHarness::apiKey(who.apiKey));
    }
    bool setZone(const QString &zone)
    {
        const ApiResponse r = call(admin, QStringLiteral("/api/organization"), "PATCH", QJsonObject{{QStringLiteral("time_zone"), zone}});
        if (r.status != 200)
            qWarning("set zone: %s", r.describe().constData());
        return r.status == 200;
    }

    // An outbound message as the engine moves it: queued (insert + outbox), claimed, then
    // `finalStatus`: "queued", "sent", "delivered", "read" or "refused" (sent, then ack -1).
    QString outbound(const Account &org, const QString &clientId, const QString &phone, qint64 at, const QString &finalStatus,
                     const QString &createdBy, const QString &body = QStringLiteral("hello"))
    {
        SqlRunner sql(api.database());
        ContactRepository contacts(sql);
        Result<ContactRecord> contact = contacts.upsert(org.organizationId, phone);
        if (!contact)
            return fail("contact", contact.error());
        MessageRecord m;
        m.id = Ids::makeAt("msg", at);
        m.organizationId = org.organizationId;
        m.clientId = clientId;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Outbound;
        m.body = body;
        m.status = MessageStatus::Queued;
        m.createdBy = createdBy;
        m.createdAt = at;
        m.updatedAt = at;
        MessageRepository messages(sql);
        if (Status s = messages.insertMany({m}); !s)
            return fail("insert", s.error());
        // One that goes past `queued` is claimed at once: ahead of those seeded to stay queued
        // (the queue takes the lowest priority first, then the earliest).
        const bool staysQueued = finalStatus == QLatin1String("queued");
        if (Status s = messages.enqueueMany({m}, staysQueued ? 0 : -1); !s)
            return fail("enqueue", s.error());
        if (staysQueued)
            return m.id;
        Result<std::optional<MessageRecord>> claimed = messages.claimNext(clientId, at);
        if (!claimed || !claimed.value() || claimed.value()->id != m.id)
            return fail("claim", claimed ? DomainError::internal(QStringLiteral("claimed another")) : claimed.error());
        const QString waId = QStringLiteral("true_%1@c.us_%2").arg(phone.mid(1)).arg(++sequence);
        if (Status s = messages.markSent(m.id, waId, at + 1000); !s)
            return fail("sent", s.error());
        const int ack = finalStatus == QLatin1String("delivered") ? 2
                        : finalStatus == QLatin1String("read")    ? 3
                        : finalStatus == QLatin1String("refused") ? -1
                                                                  : 0;
        if (ack != 0) {
            Result<std::optional<MessageRecord>> moved = messages.applyAck(clientId, waId, ack, at + 2000);
            if (!moved || !moved.value())
                return fail("ack", moved ? DomainError::internal(QStringLiteral("ack did not apply")) : moved.error());
        }
        return m.id;
    }
    QString inbound(const Account &org, const QString &clientId, const QString &phone, qint64 at, const QString &body = QStringLiteral("hi"))
    {
        SqlRunner sql(api.database());
        ContactRepository contacts(sql);
        Result<ContactRecord> contact = contacts.upsert(org.organizationId, phone);
        if (!contact)
            return fail("contact", contact.error());
        MessageRecord m;
        m.id = Ids::makeAt("msg", at);
        m.organizationId = org.organizationId;
        m.clientId = clientId;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Inbound;
        m.body = body;
        m.status = MessageStatus::Received;
        m.waMessageId = QStringLiteral("false_%1@c.us_%2").arg(phone.mid(1)).arg(++sequence);
        m.createdAt = at;
        m.sentAt = at;
        m.updatedAt = at;
        MessageRepository messages(sql);
        Result<bool> inserted = messages.insertIfNew(m);
        if (!inserted || !inserted.value())
            return fail("inbound", inserted ? DomainError::internal(QStringLiteral("duplicate")) : inserted.error());
        return m.id;
    }
    QString fail(const char *what, const DomainError &e)
    {
        qWarning("seed %s: %s", what, qPrintable(e.message));
        return {};
    }
};

QJsonObject dayOf(const ApiResponse &r, const QString &date)
{
    for (const QJsonValue &v : r.json.value(QStringLiteral("metrics")).toArray())
        if (v.toObject().value(QStringLiteral("date")).toString() == date)
            return v.toObject();
    return {};
}

// "sent/delivered/read/failed/received" of one metrics row, for compact comparisons.
QString funnel(const QJsonObject &o)
{
    QStringList parts;
    for (const char *k : {"sent", "delivered", "read", "failed", "received"})
        parts << QString::number(o.value(QLatin1String(k)).toInteger());
    return parts.join(QLatin1Char('/'));
}

QJsonObject cell(const ApiResponse &r, int weekday, int hour)
{
    for (const QJsonValue &v : r.json.value(QStringLiteral("cells")).toArray()) {
        const QJsonObject o = v.toObject();
        if (o.value(QStringLiteral("weekday")).toInt() == weekday && o.value(QStringLiteral("hour")).toInt() == hour)
            return o;
    }
    return {};
}

QJsonObject rowWith(const ApiResponse &r, const QString &list, const QString &key, const QString &id)
{
    for (const QJsonValue &v : r.json.value(list).toArray())
        if (v.toObject().value(key).toString() == id)
            return v.toObject();
    return {};
}

} // namespace

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

class TestAnalyticsApi : public QObject {
    Q_OBJECT

    static void bothDialects()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

private slots:
    void acceptance_data() { bothDialects(); }
    void acceptance()
    {
        WADESK_STAGE(s);
        // Today in UTC (the default zone), away from midnight so "today" cannot change under the test.
        qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 msIntoDay = now % (24 * kHour);
        if (msIntoDay > 24 * kHour - 2 * kMinute)
            QThread::msleep(quint64(24 * kHour - msIntoDay + 1000));
        now = QDateTime::currentMSecsSinceEpoch();
        const qint64 dayStart = now - now % (24 * kHour);
        const qint64 at = std::max(dayStart, now - 30 * kMinute);
        for (int i = 0; i < 5; ++i)
            QVERIFY(!s.outbound(s.admin, s.clientA, QStringLiteral("+14155550100"), at + i * 1000, QStringLiteral("read"), s.admin.userId).isEmpty());
        QVERIFY(!s.outbound(s.admin, s.clientA, QStringLiteral("+14155550101"), at + 6000, QStringLiteral("refused"), s.admin.userId).isEmpty());
        QVERIFY(!s.inbound(s.admin, s.clientA, QStringLiteral("+14155550102"), at + 7000).isEmpty());
        const QString today = QDateTime::fromMSecsSinceEpoch(now, QTimeZone(QByteArrayLiteral("UTC"))).date().toString(Qt::ISODate);

        for (const Account *who : {&s.admin, &s.manager, &s.viewer}) {
            const ApiResponse stats = s.call(*who, QStringLiteral("/api/analytics/stats"));
            QVERIFY2(stats.status == 200, stats.describe());
            QCOMPARE(stats.json.value(QStringLiteral("total_messages")).toInteger(), qint64(7));
            QCOMPARE(stats.json.value(QStringLiteral("messages_today")).toInteger(), qint64(7));
            QCOMPARE(stats.json.value(QStringLiteral("total_contacts")).toInteger(), qint64(3));
            QCOMPARE(stats.json.value(QStringLiteral("active_campaigns")).toInteger(), qint64(0));
            QCOMPARE(stats.json.value(QStringLiteral("total_clients")).toInteger(), qint64(who == &s.viewer ? 1 : 2));

            const ApiResponse metrics =
                s.call(*who, QStringLiteral("/api/analytics/metrics?startDate=%1&endDate=%1").arg(today));
            QVERIFY2(metrics.status == 200, metrics.describe());
            QCOMPARE(metrics.json.value(QStringLiteral("metrics")).toArray().size(), qsizetype(1));
            QCOMPARE(funnel(dayOf(metrics, today)), QStringLiteral("5/5/5/1/1"));

            const ApiResponse csv = s.call(*who, QStringLiteral("/api/analytics/messages/export?startDate=%1&endDate=%1&format=csv").arg(today));
            QVERIFY2(csv.status == 200, csv.describe());
            bool wellFormed = false;
            const QList<QStringList> records = parseCsv(csv.body, &wellFormed);
            QVERIFY(wellFormed);
            QCOMPARE(records.size(), qsizetype(8)); // header + 7
            QCOMPARE(records.first().first(), QStringLiteral("id"));
        }
        // Agents have no can_view_analytics.
        for (const char *path : {"/api/analytics/stats", "/api/analytics/metrics", "/api/analytics/messages/export"}) {
            const ApiResponse r = s.call(s.agent, QLatin1String(path));
            QVERIFY2(r.isError(403, QStringLiteral("forbidden")), r.describe());
        }
        // The other organization sees none of it.
        const ApiResponse theirs = s.call(s.otherAdmin, QStringLiteral("/api/analytics/stats"));
        QCOMPARE(theirs.json.value(QStringLiteral("total_messages")).toInteger(), qint64(0));
        QCOMPARE(theirs.json.value(QStringLiteral("total_contacts")).toInteger(), qint64(0));
    }

    void timeZoneSetting_data() { bothDialects(); }
    void timeZoneSetting()
    {
        WADESK_STAGE(s);
        ApiResponse r = s.call(s.viewer, QStringLiteral("/api/organization"));
        QVERIFY2(r.status == 200, r.describe());
        QCOMPARE(r.json.value(QStringLiteral("organization")).toObject().value(QStringLiteral("time_zone")).toString(), QStringLiteral("UTC"));
        QCOMPARE(r.json.value(QStringLiteral("organization")).toObject().value(QStringLiteral("id")).toString(), s.admin.organizationId);

        const QString path = QStringLiteral("/api/organization");
        auto patch = [&](const Account &who, const QJsonValue &zone) {
            return s.call(who, path, "PATCH", QJsonObject{{QStringLiteral("time_zone"), zone}});
        };
        QVERIFY(patch(s.manager, QStringLiteral("Europe/Paris")).isError(403, QStringLiteral("forbidden")));
        QVERIFY(patch(s.viewer, QStringLiteral("Europe/Paris")).isError(403, QStringLiteral("forbidden")));
        for (const QString &bad : {QStringLiteral("Mars/Olympus_Mons"), QStringLiteral("../../etc/passwd"), QStringLiteral(""),
                                   QString(QStringLiteral("Europe/Paris") + QChar(0)), QStringLiteral("Europe/Paris; DROP TABLE x"), QString(200, QLatin1Char('A'))}) {
            r = patch(s.admin, bad);
            QVERIFY2(r.isError(400, QStringLiteral("invalid_time_zone")), r.describe());
        }
        r = patch(s.admin, 42);
        QVERIFY2(r.isError(400, QStringLiteral("validation_failed")), r.describe());
        r = s.call(s.admin, path, "PATCH", QJsonObject{});
        QVERIFY2(r.isError(400, QStringLiteral("validation_failed")), r.describe());
        QCOMPARE(s.call(s.admin, path).json.value(QStringLiteral("organization")).toObject().value(QStringLiteral("time_zone")).toString(),
                 QStringLiteral("UTC"));

        r = patch(s.admin, QStringLiteral("America/New_York"));
        QVERIFY2(r.status == 200, r.describe());
        QCOMPARE(r.json.value(QStringLiteral("organization")).toObject().value(QStringLiteral("time_zone")).toString(),
                 QStringLiteral("America/New_York"));
        QCOMPARE(s.call(s.viewer, path).json.value(QStringLiteral("organization")).toObject().value(QStringLiteral("time_zone")).toString(),
                 QStringLiteral("America/New_York"));
        // Only this organization changed, and the change is in the audit log.
        QCOMPARE(s.call(s.otherAdmin, path).json.value(QStringLiteral("organization")).toObject().value(QStringLiteral("time_zone")).toString(),
                 QStringLiteral("UTC"));
        QCOMPARE(s.api.rows(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE organization_id = ? AND action = 'update_organization'"),
                            {s.admin.organizationId}),
                 QStringList{QStringLiteral("1")});
        // Analytics answer in the zone.
        r = s.call(s.admin, QStringLiteral("/api/analytics/metrics?startDate=2026-03-08&endDate=2026-03-08"));
        QCOMPARE(r.json.value(QStringLiteral("time_zone")).toString(), QStringLiteral("America/New_York"));
    }

    // PATCH /api/organization renames too (issue 14): name and zone are both checked before
    // either is written, other fields are refused, and only admins may.
    void organizationRename_data() { bothDialects(); }
    void organizationRename()
    {
        WADESK_STAGE(s);
        const QString path = QStringLiteral("/api/organization");
        const auto org = [&](const QString &field) {
            return s.call(s.admin, path).json.value(QStringLiteral("organization")).toObject().value(field).toString();
        };
        const QString before = org(QStringLiteral("name"));
        QVERIFY(!before.isEmpty());
        ApiResponse r = s.call(s.manager, path, "PATCH", QJsonObject{{QStringLiteral("name"), QStringLiteral("Taken over")}});
        QVERIFY2(r.isError(403, QStringLiteral("forbidden")), r.describe());
        r = s.call(s.admin, path, "PATCH", QJsonObject{{QStringLiteral("name"), QStringLiteral("Renamed")}, {QStringLiteral("time_zone"), QStringLiteral("Mars/Base")}});
        QVERIFY2(r.isError(400, QStringLiteral("invalid_time_zone")), r.describe());
        r = s.call(s.admin, path, "PATCH", QJsonObject{{QStringLiteral("name"), QStringLiteral("   ")}, {QStringLiteral("time_zone"), QStringLiteral("Europe/Paris")}});
        QVERIFY2(r.isError(400, QStringLiteral("validation_failed")), r.describe());
        r = s.call(s.admin, path, "PATCH", QJsonObject{{QStringLiteral("name"), QString(201, QLatin1Char('n'))}});
        QVERIFY2(r.isError(400, QStringLiteral("validation_failed")), r.describe());
        r = s.call(s.admin, path, "PATCH", QJsonObject{{QStringLiteral("id"), QStringLiteral("org_other")}});
        QVERIFY2(r.isError(400, QStringLiteral("validation_failed")), r.describe());
        QCOMPARE(org(QStringLiteral("name")), before);
        QCOMPARE(org(QStringLiteral("time_zone")), QStringLiteral("UTC"));

        r = s.call(s.admin, path, "PATCH", QJsonObject{{QStringLiteral("name"), QStringLiteral("  Acme Support  ")}, {QStringLiteral("time_zone"), QStringLiteral("Europe/Paris")}});
        QVERIFY2(r.status == 200, r.describe());
        QCOMPARE(r.json.value(QStringLiteral("organization")).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("Acme Support"));
        QCOMPARE(org(QStringLiteral("name")), QStringLiteral("Acme Support"));
        QCOMPARE(org(QStringLiteral("time_zone")), QStringLiteral("Europe/Paris"));
        QVERIFY(s.call(s.otherAdmin, path).json.value(QStringLiteral("organization")).toObject().value(QStringLiteral("name")).toString() != QStringLiteral("Acme Support"));
        QCOMPARE(s.api.rows(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE organization_id = ? AND action = 'update_organization'"),
                            {s.admin.organizationId}),
                 QStringList{QStringLiteral("1")});
    }

    void dayBoundariesAcrossZones_data() { bothDialects(); }
    void dayBoundariesAcrossZones()
    {
        WADESK_STAGE(s);
        const QString phone = QStringLiteral("+14155550111");
        // New York, 2026-03-08: clocks go from 02:00 EST to 03:00 EDT, a day of 23 hours
        // [05:00Z, 04:00Z next day).
        QVERIFY(!s.inbound(s.admin, s.clientA, phone, utcMs("2026-03-08T04:59:59.999Z")).isEmpty()); // Sat 23:59:59.999 EST
        QVERIFY(!s.inbound(s.admin, s.clientA, phone, utcMs("2026-03-08T05:00:00.000Z")).isEmpty()); // Sun 00:00 EST
        QVERIFY(!s.outbound(s.admin, s.clientA, phone, utcMs("2026-03-08T07:30:00.000Z"), QStringLiteral("refused"), s.admin.userId).isEmpty()); // 03:30 EDT
        QVERIFY(!s.inbound(s.admin, s.clientA, phone, utcMs("2026-03-09T03:59:59.999Z")).isEmpty()); // Sun 23:59:59.999 EDT
        QVERIFY(!s.outbound(s.admin, s.clientA, phone, utcMs("2026-03-09T04:00:00.000Z"), QStringLiteral("read"), s.admin.userId).isEmpty()); // Mon 00:00 EDT

        const QString range = QStringLiteral("/api/analytics/metrics?startDate=2026-03-07&endDate=2026-03-09");
        QVERIFY(s.setZone(QStringLiteral("America/New_York")));
        ApiResponse r = s.call(s.admin, range);
        QVERIFY2(r.status == 200, r.describe());
        QCOMPARE(r.json.value(QStringLiteral("metrics")).toArray().size(), qsizetype(3));
        QCOMPARE(funnel(dayOf(r, QStringLiteral("2026-03-07"))), QStringLiteral("0/0/0/0/1"));
        QCOMPARE(funnel(dayOf(r, QStringLiteral("2026-03-08"))), QStringLiteral("0/0/0/1/2"));
        QCOMPARE(funnel(dayOf(r, QStringLiteral("2026-03-09"))), QStringLiteral("1/1/1/0/0"));
        // The 23-hour day alone, and its rates.
        r = s.call(s.admin, QStringLiteral("/api/analytics/rates?startDate=2026-03-08&endDate=2026-03-08"));
        QCOMPARE(funnel(r.json), QStringLiteral("0/0/0/1/2"));
        QVERIFY(r.json.value(QStringLiteral("delivery_rate")).isNull());
        QCOMPARE(r.json.value(QStringLiteral("failure_rate")).toDouble(), 100.0);
        // Weekday x hour in New York: Saturday 23 h, Sunday 0 h and 23 h, Monday 0 h.
        r = s.call(s.admin, QStringLiteral("/api/analytics/heatmap?startDate=2026-03-07&endDate=2026-03-09"));
        QCOMPARE(r.json.value(QStringLiteral("cells")).toArray().size(), qsizetype(168));
        QCOMPARE(cell(r, 6, 23).value(QStringLiteral("received")).toInteger(), qint64(1));
        QCOMPARE(cell(r, 7, 0).value(QStringLiteral("received")).toInteger(), qint64(1));
        QCOMPARE(cell(r, 7, 23).value(QStringLiteral("received")).toInteger(), qint64(1));
        QCOMPARE(cell(r, 1, 0).value(QStringLiteral("sent")).toInteger(), qint64(1));
        qint64 total = 0;
        for (const QJsonValue &v : r.json.value(QStringLiteral("cells")).toArray())
            total += v.toObject().value(QStringLiteral("sent")).toInteger() + v.toObject().value(QStringLiteral("received")).toInteger();
        QCOMPARE(total, qint64(4)); // the refused send is in no volume cell

        // The same rows cut in UTC.
        QVERIFY(s.setZone(QStringLiteral("UTC")));
        r = s.call(s.admin, range);
        QCOMPARE(funnel(dayOf(r, QStringLiteral("2026-03-07"))), QStringLiteral("0/0/0/0/0"));
        QCOMPARE(funnel(dayOf(r, QStringLiteral("2026-03-08"))), QStringLiteral("0/0/0/1/2"));
        QCOMPARE(funnel(dayOf(r, QStringLiteral("2026-03-09"))), QStringLiteral("1/1/1/0/1"));

        // A half-hour zone: 04:59:59.999Z and 05:00Z are 10:29 and 10:30 IST, one hour cell;
        // 03:59:59.999Z on the 9th is 09:29 IST Monday.
        QVERIFY(s.setZone(QStringLiteral("Asia/Kolkata")));
        r = s.call(s.admin, QStringLiteral("/api/analytics/heatmap?startDate=2026-03-08&endDate=2026-03-09"));
        QCOMPARE(cell(r, 7, 10).value(QStringLiteral("received")).toInteger(), qint64(2));
        QCOMPARE(cell(r, 1, 9).value(QStringLiteral("received")).toInteger(), qint64(1));
        QCOMPARE(cell(r, 1, 9).value(QStringLiteral("sent")).toInteger(), qint64(1)); // 04:00Z = 09:30 IST
        r = s.call(s.admin, QStringLiteral("/api/analytics/metrics?startDate=2026-03-08&endDate=2026-03-09"));
        QCOMPARE(funnel(dayOf(r, QStringLiteral("2026-03-08"))), QStringLiteral("0/0/0/1/2"));
        QCOMPARE(funnel(dayOf(r, QStringLiteral("2026-03-09"))), QStringLiteral("1/1/1/0/1"));
    }

    void responsePairing_data() { bothDialects(); }
    void responsePairing()
    {
        WADESK_STAGE(s);
        const qint64 t0 = utcMs("2026-06-01T12:00:00.000Z");
        const QString x = QStringLiteral("+14155550121"), y = QStringLiteral("+14155550122"), z = QStringLiteral("+14155550123");
        const QString &adminId = s.admin.userId;
        const QString &managerId = s.manager.userId;
        // Client A, contact X: a run of two inbound answered after 30 min (from the first).
        QVERIFY(!s.inbound(s.admin, s.clientA, x, t0).isEmpty());
        QVERIFY(!s.inbound(s.admin, s.clientA, x, t0 + 10 * kMinute).isEmpty());
        QVERIFY(!s.outbound(s.admin, s.clientA, x, t0 + 30 * kMinute, QStringLiteral("read"), adminId).isEmpty());
        // ... a second run: a refused reply is no answer; the answer comes 3 h after.
        QVERIFY(!s.inbound(s.admin, s.clientA, x, t0 + 2 * kHour).isEmpty());
        QVERIFY(!s.outbound(s.admin, s.clientA, x, t0 + 2 * kHour + 5 * kMinute, QStringLiteral("refused"), managerId).isEmpty());
        QVERIFY(!s.outbound(s.admin, s.clientA, x, t0 + 5 * kHour, QStringLiteral("delivered"), managerId).isEmpty());
        // Contact Y: never answered.
        QVERIFY(!s.inbound(s.admin, s.clientA, y, t0 + kHour).isEmpty());
        // Contact Z: written to first (no run), then a run answered after 25 h.
        QVERIFY(!s.outbound(s.admin, s.clientA, z, t0, QStringLiteral("sent"), adminId).isEmpty());
        QVERIFY(!s.inbound(s.admin, s.clientA, z, t0 + kHour).isEmpty());
        QVERIFY(!s.outbound(s.admin, s.clientA, z, t0 + 26 * kHour, QStringLiteral("sent"), managerId).isEmpty());
        // Client B, contact X: a conversation of its own, answered after 19 h 40 min.
        QVERIFY(!s.inbound(s.admin, s.clientB, x, t0 + 20 * kMinute).isEmpty());
        QVERIFY(!s.outbound(s.admin, s.clientB, x, t0 + 20 * kHour, QStringLiteral("sent"), adminId).isEmpty());

        const QString q = QStringLiteral("?startDate=2026-06-01&endDate=2026-06-02");
        ApiResponse r = s.call(s.admin, QStringLiteral("/api/analytics/response-times") + q);
        QVERIFY2(r.status == 200, r.describe());
        QCOMPARE(r.json.value(QStringLiteral("conversations")).toInteger(), qint64(5));
        QCOMPARE(r.json.value(QStringLiteral("responses")).toInteger(), qint64(4));
        // 0.5 h, 3 h, 19.67 h, 25 h.
        QCOMPARE(r.json.value(QStringLiteral("average_hours")).toDouble(), 12.04);
        QCOMPARE(r.json.value(QStringLiteral("median_hours")).toDouble(), 3.0);
        QCOMPARE(r.json.value(QStringLiteral("p90_hours")).toDouble(), 25.0);
        QStringList distribution;
        for (const QJsonValue &v : r.json.value(QStringLiteral("distribution")).toArray())
            distribution << v.toObject().value(QStringLiteral("bucket")).toString() + QLatin1Char('=')
                                + QString::number(v.toObject().value(QStringLiteral("count")).toInteger());
        QCOMPARE(distribution.join(QLatin1Char(' ')), QStringLiteral("0-1h=1 1-4h=1 4-8h=0 8-24h=1 24h+=1"));

        r = s.call(s.admin, QStringLiteral("/api/analytics/rates") + q);
        QCOMPARE(funnel(r.json), QStringLiteral("5/2/1/1/6"));
        QCOMPARE(r.json.value(QStringLiteral("delivery_rate")).toDouble(), 40.0);
        QCOMPARE(r.json.value(QStringLiteral("read_rate")).toDouble(), 20.0);
        QCOMPARE(r.json.value(QStringLiteral("failure_rate")).toDouble(), 16.7); // 1 of 6
        QCOMPARE(r.json.value(QStringLiteral("reply_rate")).toDouble(), 80.0);

        r = s.call(s.admin, QStringLiteral("/api/analytics/clients") + q);
        QCOMPARE(r.json.value(QStringLiteral("clients")).toArray().size(), qsizetype(2));
        QJsonObject a = rowWith(r, QStringLiteral("clients"), QStringLiteral("client_id"), s.clientA);
        QCOMPARE(funnel(a), QStringLiteral("4/2/1/1/5"));
        QCOMPARE(a.value(QStringLiteral("responses")).toInteger(), qint64(3));
        QCOMPARE(a.value(QStringLiteral("average_response_hours")).toDouble(), 9.5);
        QCOMPARE(a.value(QStringLiteral("name")).toString(), QStringLiteral("Sales"));
        QJsonObject b = rowWith(r, QStringLiteral("clients"), QStringLiteral("client_id"), s.clientB);
        QCOMPARE(funnel(b), QStringLiteral("1/0/0/0/1"));
        QCOMPARE(b.value(QStringLiteral("average_response_hours")).toDouble(), 19.67);

        r = s.call(s.admin, QStringLiteral("/api/analytics/members") + q);
        QCOMPARE(r.json.value(QStringLiteral("members")).toArray().size(), qsizetype(4)); // every member, active or not
        QJsonObject admin = rowWith(r, QStringLiteral("members"), QStringLiteral("user_id"), adminId);
        QCOMPARE(admin.value(QStringLiteral("sent")).toInteger(), qint64(3));
        QCOMPARE(admin.value(QStringLiteral("read")).toInteger(), qint64(1));
        QCOMPARE(admin.value(QStringLiteral("failed")).toInteger(), qint64(0));
        QCOMPARE(admin.value(QStringLiteral("responses")).toInteger(), qint64(2));
        QCOMPARE(admin.value(QStringLiteral("average_response_hours")).toDouble(), 10.08);
        QVERIFY(!admin.contains(QStringLiteral("received")));
        QJsonObject manager = rowWith(r, QStringLiteral("members"), QStringLiteral("user_id"), managerId);
        QCOMPARE(manager.value(QStringLiteral("sent")).toInteger(), qint64(2));
        QCOMPARE(manager.value(QStringLiteral("delivered")).toInteger(), qint64(1));
        QCOMPARE(manager.value(QStringLiteral("failed")).toInteger(), qint64(1));
        QCOMPARE(manager.value(QStringLiteral("responses")).toInteger(), qint64(2));
        QCOMPARE(manager.value(QStringLiteral("average_response_hours")).toDouble(), 14.0);
        QJsonObject viewerRow = rowWith(r, QStringLiteral("members"), QStringLiteral("user_id"), s.viewer.userId);
        QCOMPARE(viewerRow.value(QStringLiteral("responses")).toInteger(), qint64(0));
        QVERIFY(viewerRow.value(QStringLiteral("average_response_hours")).isNull());

        // The viewer sees client A only, everywhere.
        r = s.call(s.viewer, QStringLiteral("/api/analytics/response-times") + q);
        QCOMPARE(r.json.value(QStringLiteral("conversations")).toInteger(), qint64(4));
        QCOMPARE(r.json.value(QStringLiteral("responses")).toInteger(), qint64(3));
        r = s.call(s.viewer, QStringLiteral("/api/analytics/clients") + q);
        QCOMPARE(r.json.value(QStringLiteral("clients")).toArray().size(), qsizetype(1));
        QCOMPARE(r.json.value(QStringLiteral("clients")).toArray().first().toObject().value(QStringLiteral("client_id")).toString(), s.clientA);
        r = s.call(s.viewer, QStringLiteral("/api/analytics/members") + q);
        QCOMPARE(rowWith(r, QStringLiteral("members"), QStringLiteral("user_id"), adminId).value(QStringLiteral("responses")).toInteger(), qint64(1));
        r = s.call(s.viewer, QStringLiteral("/api/analytics/rates") + q);
        QCOMPARE(funnel(r.json), QStringLiteral("4/2/1/1/5"));
        // clientId narrows an admin's view to that client.
        r = s.call(s.admin, QStringLiteral("/api/analytics/response-times") + q + QStringLiteral("&clientId=") + s.clientB);
        QCOMPARE(r.json.value(QStringLiteral("conversations")).toInteger(), qint64(1));
        QCOMPARE(r.json.value(QStringLiteral("median_hours")).toDouble(), 19.67);
    }

    void zeroDenominators_data() { bothDialects(); }
    void zeroDenominators()
    {
        WADESK_STAGE(s);
        const QString q = QStringLiteral("?startDate=2026-01-01&endDate=2026-01-31");
        ApiResponse r = s.call(s.admin, QStringLiteral("/api/analytics/rates") + q);
        QVERIFY2(r.status == 200, r.describe());
        for (const char *k : {"delivery_rate", "read_rate", "failure_rate", "reply_rate"})
            QVERIFY2(r.json.contains(QLatin1String(k)) && r.json.value(QLatin1String(k)).isNull(), k);
        r = s.call(s.admin, QStringLiteral("/api/analytics/response-times") + q);
        for (const char *k : {"average_hours", "median_hours", "p90_hours"})
            QVERIFY2(r.json.contains(QLatin1String(k)) && r.json.value(QLatin1String(k)).isNull(), k);
        QCOMPARE(r.json.value(QStringLiteral("responses")).toInteger(), qint64(0));
        r = s.call(s.admin, QStringLiteral("/api/analytics/metrics") + q);
        QCOMPARE(r.json.value(QStringLiteral("metrics")).toArray().size(), qsizetype(31));
        for (const QJsonValue &v : r.json.value(QStringLiteral("metrics")).toArray())
            QCOMPARE(funnel(v.toObject()), QStringLiteral("0/0/0/0/0"));
        QCOMPARE(r.json.value(QStringLiteral("metrics")).toArray().first().toObject().value(QStringLiteral("date")).toString(),
                 QStringLiteral("2026-01-01"));
        QCOMPARE(r.json.value(QStringLiteral("metrics")).toArray().last().toObject().value(QStringLiteral("date")).toString(),
                 QStringLiteral("2026-01-31"));
        // Only refused sends: nothing reached WhatsApp, so delivery and read rates are null,
        // while the failure rate is 100 %.
        QVERIFY(!s.outbound(s.admin, s.clientA, QStringLiteral("+14155550131"), utcMs("2026-01-10T10:00:00.000Z"), QStringLiteral("refused"),
                            s.admin.userId)
                     .isEmpty());
        r = s.call(s.admin, QStringLiteral("/api/analytics/rates") + q);
        QVERIFY(r.json.value(QStringLiteral("delivery_rate")).isNull());
        QVERIFY(r.json.value(QStringLiteral("read_rate")).isNull());
        QCOMPARE(r.json.value(QStringLiteral("failure_rate")).toDouble(), 100.0);
        r = s.call(s.admin, QStringLiteral("/api/analytics/clients") + q);
        QVERIFY(rowWith(r, QStringLiteral("clients"), QStringLiteral("client_id"), s.clientB).value(QStringLiteral("average_response_hours")).isNull());
        // A queued message counts in no funnel column.
        QVERIFY(!s.outbound(s.admin, s.clientB, QStringLiteral("+14155550131"), utcMs("2026-01-11T10:00:00.000Z"), QStringLiteral("queued"),
                            s.admin.userId)
                     .isEmpty());
        r = s.call(s.admin, QStringLiteral("/api/analytics/rates") + q);
        QCOMPARE(funnel(r.json), QStringLiteral("0/0/0/1/0"));
    }

    void badRequests_data() { bothDialects(); }
    void badRequests()
    {
        WADESK_STAGE(s);
        struct Case {
            const char *query;
            const char *code;
        };
        const Case cases[] = {
            {"startDate=2026-03-09&endDate=2026-03-08", "invalid_date_range"},
            {"startDate=2025-01-01&endDate=2026-01-02", "date_range_too_long"}, // 367 days
            {"startDate=2026-02-30&endDate=2026-03-01", "validation_failed"},
            {"startDate=2026-3-8&endDate=2026-03-09", "validation_failed"},
            {"startDate=2026-03-08T00:00:00Z", "validation_failed"},
            {"endDate=yesterday", "validation_failed"},
            {"startDate=2026-03-08%00&endDate=2026-03-09", "validation_failed"},
        };
        for (const char *route : {"metrics", "rates", "response-times", "heatmap", "clients", "members", "messages/export", "metrics/export"}) {
            for (const Case &c : cases) {
                const ApiResponse r = s.call(s.admin, QStringLiteral("/api/analytics/%1?%2").arg(QLatin1String(route), QLatin1String(c.query)));
                QVERIFY2(r.isError(400, QLatin1String(c.code)), qPrintable(QStringLiteral("%1?%2: ").arg(QLatin1String(route), QLatin1String(c.query))
                                                                           + QString::fromUtf8(r.describe())));
            }
        }
        for (const char *route : {"messages/export", "metrics/export"}) {
            const ApiResponse r = s.call(s.admin, QStringLiteral("/api/analytics/%1?format=xml").arg(QLatin1String(route)));
            QVERIFY2(r.isError(400, QStringLiteral("validation_failed")), r.describe());
        }
        // 366 days is the most; without dates, the last 30 days up to today.
        ApiResponse r = s.call(s.admin, QStringLiteral("/api/analytics/metrics?startDate=2024-01-01&endDate=2024-12-31"));
        QVERIFY2(r.status == 200, r.describe());
        QCOMPARE(r.json.value(QStringLiteral("metrics")).toArray().size(), qsizetype(366));
        r = s.call(s.admin, QStringLiteral("/api/analytics/metrics"));
        QCOMPARE(r.json.value(QStringLiteral("metrics")).toArray().size(), qsizetype(30));
        QCOMPARE(r.json.value(QStringLiteral("end_date")).toString(),
                 QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate));
    }

    void scopingOnEveryRoute_data() { bothDialects(); }
    void scopingOnEveryRoute()
    {
        WADESK_STAGE(s);
        const qint64 at = utcMs("2026-04-02T09:00:00.000Z");
        QVERIFY(!s.outbound(s.admin, s.clientA, QStringLiteral("+14155550141"), at, QStringLiteral("read"), s.admin.userId).isEmpty());
        QVERIFY(!s.inbound(s.admin, s.clientB, QStringLiteral("+14155550142"), at).isEmpty());
        QVERIFY(!s.inbound(s.otherAdmin, s.otherClient, QStringLiteral("+14155550143"), at).isEmpty());
        const QString q = QStringLiteral("startDate=2026-04-01&endDate=2026-04-03");
        const QStringList routes = {QStringLiteral("stats"),   QStringLiteral("metrics"),         QStringLiteral("rates"),
                                    QStringLiteral("response-times"), QStringLiteral("heatmap"), QStringLiteral("clients"),
                                    QStringLiteral("members"), QStringLiteral("messages/export"), QStringLiteral("metrics/export")};
        for (const QString &route : routes) {
            const QString path = QStringLiteral("/api/analytics/%1?%2").arg(route, q);
            QVERIFY2(s.call(s.agent, path).isError(403, QStringLiteral("forbidden")), qPrintable(route));
            QCOMPARE(s.api.request("GET", path).status, 401);
            for (const Account *who : {&s.admin, &s.manager, &s.viewer, &s.otherAdmin})
                QVERIFY2(s.call(*who, path).status == 200, qPrintable(route + QLatin1Char(' ') + who->email));
            if (route == QLatin1String("stats"))
                continue;
            // Another organization's client, a client the viewer is not assigned, a malformed id.
            QVERIFY2(s.call(s.admin, path + QStringLiteral("&clientId=") + s.otherClient).isError(404, QStringLiteral("not_found")), qPrintable(route));
            QVERIFY2(s.call(s.viewer, path + QStringLiteral("&clientId=") + s.clientB).isError(404, QStringLiteral("not_found")), qPrintable(route));
            QVERIFY2(s.call(s.admin, path + QStringLiteral("&clientId=client_%00x")).isError(404, QStringLiteral("not_found")), qPrintable(route));
            QVERIFY2(s.call(s.admin, path + QStringLiteral("&clientId=") + s.clientA).status == 200, qPrintable(route));
        }
        // What each caller counts.
        auto totals = [&](const Account &who, const QString &extra = QString()) {
            return funnel(s.call(who, QStringLiteral("/api/analytics/rates?") + q + extra).json);
        };
        QCOMPARE(totals(s.admin), QStringLiteral("1/1/1/0/1"));
        QCOMPARE(totals(s.manager), QStringLiteral("1/1/1/0/1"));
        QCOMPARE(totals(s.viewer), QStringLiteral("1/1/1/0/0"));
        QCOMPARE(totals(s.otherAdmin), QStringLiteral("0/0/0/0/1"));
        QCOMPARE(totals(s.admin, QStringLiteral("&clientId=") + s.clientB), QStringLiteral("0/0/0/0/1"));
        QCOMPARE(s.call(s.viewer, QStringLiteral("/api/analytics/stats")).json.value(QStringLiteral("total_messages")).toInteger(), qint64(1));
        QCOMPARE(s.call(s.viewer, QStringLiteral("/api/analytics/stats")).json.value(QStringLiteral("total_contacts")).toInteger(), qint64(1));
        QCOMPARE(s.call(s.admin, QStringLiteral("/api/analytics/stats")).json.value(QStringLiteral("total_messages")).toInteger(), qint64(2));
        bool wellFormed = false;
        QCOMPARE(parseCsv(s.call(s.viewer, QStringLiteral("/api/analytics/messages/export?") + q).body, &wellFormed).size(), qsizetype(2));
        QCOMPARE(parseCsv(s.call(s.admin, QStringLiteral("/api/analytics/messages/export?") + q).body, &wellFormed).size(), qsizetype(3));
        QCOMPARE(parseCsv(s.call(s.otherAdmin, QStringLiteral("/api/analytics/messages/export?") + q).body, &wellFormed).size(), qsizetype(2));
        // The storage route of MediaController is still there.
        QCOMPARE(s.call(s.viewer, QStringLiteral("/api/analytics/storage")).status, 200);
        QVERIFY(s.call(s.agent, QStringLiteral("/api/analytics/storage")).isError(403, QStringLiteral("forbidden")));
    }

    void csvEscapingAndInjection_data() { bothDialects(); }
    void csvEscapingAndInjection()
    {
        WADESK_STAGE(s);
        const QStringList bodies = {QStringLiteral("=HYPERLINK(\"http://evil.test\",\"x\")"),
                                    QStringLiteral("+1+2"),
                                    QStringLiteral("-3"),
                                    QStringLiteral("@SUM(A1:A9)"),
                                    QStringLiteral("\tcmd"),
                                    QStringLiteral("\r=1"),
                                    QStringLiteral("line one\nline two, \"quoted\""),
                                    QStringLiteral("héllo ✓ 日本"),
                                    QStringLiteral("plain")};
        const qint64 at = utcMs("2026-05-05T10:00:00.000Z");
        QStringList ids;
        for (int i = 0; i < bodies.size(); ++i) {
            ids << s.outbound(s.admin, s.clientA, QStringLiteral("+14155550151"), at + i * kMinute, QStringLiteral("sent"), s.admin.userId,
                              bodies.at(i));
            QVERIFY(!ids.last().isEmpty());
        }
        const QString q = QStringLiteral("startDate=2026-05-05&endDate=2026-05-05");
        const ApiResponse r = s.call(s.admin, QStringLiteral("/api/analytics/messages/export?format=csv&") + q);
        QVERIFY2(r.status == 200, r.describe());
        QVERIFY(r.header("content-type").startsWith("text/csv; charset=utf-8"));
        QVERIFY(r.header("content-disposition").contains("messages-2026-05-05-2026-05-05.csv"));
        bool wellFormed = false;
        const QList<QStringList> records = parseCsv(r.body, &wellFormed);
        QVERIFY2(wellFormed, r.body.constData());
        QCOMPARE(records.size(), qsizetype(bodies.size() + 1));
        const QStringList header = records.first();
        QCOMPARE(header.join(QLatin1Char(',')), QStringLiteral("id,client_id,contact_phone,direction,status,type,body,failure_reason,"
                                                               "created_by,created_at,sent_at,delivered_at,read_at,failed_at"));
        const int body = int(header.indexOf(QStringLiteral("body")));
        const int phone = int(header.indexOf(QStringLiteral("contact_phone")));
        const QStringList expected = {QStringLiteral("'=HYPERLINK(\"http://evil.test\",\"x\")"),
                                      QStringLiteral("'+1+2"),
                                      QStringLiteral("'-3"),
                                      QStringLiteral("'@SUM(A1:A9)"),
                                      QStringLiteral("'\tcmd"),
                                      QStringLiteral("'\r=1"),
                                      QStringLiteral("line one\nline two, \"quoted\""),
                                      QStringLiteral("héllo ✓ 日本"),
                                      QStringLiteral("plain")};
        for (int i = 0; i < bodies.size(); ++i) {
            const QStringList &row = records.at(i + 1);
            QCOMPARE(row.size(), qsizetype(header.size()));
            QCOMPARE(row.first(), ids.at(i)); // in time order
            QCOMPARE(row.at(body), expected.at(i));
            QCOMPARE(row.at(phone), QStringLiteral("+14155550151")); // a phone number is data, not a formula
        }
        // The raw bytes: doubled quotes inside a quoted field, UTF-8, no BOM.
        QVERIFY(r.body.contains("\"line one\nline two, \"\"quoted\"\"\""));
        QVERIFY(r.body.contains(QStringLiteral("héllo ✓ 日本").toUtf8()));
        QVERIFY(r.body.startsWith("id,"));

        const ApiResponse json = s.call(s.admin, QStringLiteral("/api/analytics/messages/export?format=json&") + q);
        QVERIFY2(json.status == 200, json.describe());
        QVERIFY(json.header("content-type").startsWith("application/json"));
        const QJsonArray messages = json.json.value(QStringLiteral("messages")).toArray();
        QCOMPARE(json.json.value(QStringLiteral("count")).toInteger(), qint64(bodies.size()));
        QCOMPARE(messages.size(), qsizetype(bodies.size()));
        for (int i = 0; i < bodies.size(); ++i) // JSON carries the text as it is
            QCOMPARE(messages.at(i).toObject().value(QStringLiteral("body")).toString(), bodies.at(i));
        QCOMPARE(messages.first().toObject().value(QStringLiteral("created_at")).toString(), QStringLiteral("2026-05-05T10:00:00.000Z"));

        // The metrics export: CSV and JSON of the same rows.
        const ApiResponse metricsCsv = s.call(s.admin, QStringLiteral("/api/analytics/metrics/export?") + q);
        QVERIFY2(metricsCsv.status == 200, metricsCsv.describe());
        QCOMPARE(metricsCsv.body, QByteArray("date,sent,delivered,read,failed,received\r\n2026-05-05,9,0,0,0,0\r\n"));
        const ApiResponse metricsJson = s.call(s.admin, QStringLiteral("/api/analytics/metrics/export?format=json&") + q);
        QCOMPARE(funnel(metricsJson.json.value(QStringLiteral("metrics")).toArray().first().toObject()), QStringLiteral("9/0/0/0/0"));
    }

    void exportInKeysetBatches_data() { bothDialects(); }
    void exportInKeysetBatches()
    {
        WADESK_STAGE(s);
        // Two batches and a part, three messages to a millisecond, so batch edges fall inside
        // equal timestamps.
        const int total = MessageExport::kBatchRows * 2 + 234;
        const qint64 base = utcMs("2026-07-01T08:00:00.000Z");
        {
            SqlRunner sql(s.api.database());
            ContactRepository contacts(sql);
            Result<ContactRecord> contact = contacts.upsert(s.admin.organizationId, QStringLiteral("+14155550161"));
            QVERIFY(contact);
            QList<MessageRecord> batch;
            for (int i = 0; i < total; ++i) {
                MessageRecord m;
                m.id = Ids::makeAt("msg", base + i / 3);
                m.organizationId = s.admin.organizationId;
                m.clientId = s.clientA;
                m.contactId = contact.value().id;
                m.direction = MessageDirection::Outbound;
                m.body = QStringLiteral("message %1").arg(i);
                m.status = MessageStatus::Queued;
                m.createdBy = s.admin.userId;
                m.createdAt = base + i / 3;
                m.updatedAt = m.createdAt;
                batch << m;
            }
            MessageRepository messages(sql);
            QVERIFY(messages.insertMany(batch));
        }
        const QString q = QStringLiteral("startDate=2026-07-01&endDate=2026-07-01");
        const ApiResponse r = s.call(s.admin, QStringLiteral("/api/analytics/messages/export?") + q);
        QVERIFY2(r.status == 200, r.describe());
        QCOMPARE(r.header("transfer-encoding"), QByteArray("chunked"));
        bool wellFormed = false;
        const QList<QStringList> records = parseCsv(r.body, &wellFormed);
        QVERIFY(wellFormed);
        QCOMPARE(records.size(), qsizetype(total + 1));
        QSet<QString> seen;
        QString previousTime;
        for (int i = 1; i < records.size(); ++i) {
            seen.insert(records.at(i).first());
            QVERIFY(records.at(i).at(9) >= previousTime);
            previousTime = records.at(i).at(9);
        }
        QCOMPARE(seen.size(), qsizetype(total)); // no row twice, none lost at a batch edge
        const ApiResponse json = s.call(s.admin, QStringLiteral("/api/analytics/messages/export?format=json&") + q);
        QCOMPARE(json.json.value(QStringLiteral("count")).toInteger(), qint64(total));
        QCOMPARE(json.json.value(QStringLiteral("messages")).toArray().size(), qsizetype(total));

        // The device behind the route holds at most one batch beyond what was asked of it.
        OrganizationService organizations(s.api.database());
        AnalyticsService analytics(s.api.database(), organizations);
        AuthContext ctx;
        ctx.userId = s.admin.userId;
        ctx.organizationId = s.admin.organizationId;
        ctx.role = Role::Admin;
        Result<AnalyticsRange> range = analytics.range(ctx, QStringLiteral("2026-07-01"), QStringLiteral("2026-07-01"), QString());
        QVERIFY(range);
        std::unique_ptr<QIODevice> device = analytics.exportMessages(range.value(), ExportFormat::Csv);
        QByteArray all;
        qint64 mostBuffered = 0;
        while (!device->atEnd()) {
            const QByteArray piece = device->read(4096);
            QVERIFY(!piece.isEmpty());
            all += piece;
            mostBuffered = std::max(mostBuffered, device->bytesAvailable());
        }
        QCOMPARE(all, r.body);
        QVERIFY2(mostBuffered < MessageExport::kBatchRows * 400 && mostBuffered < all.size() / 2,
                 qPrintable(QStringLiteral("%1 of %2").arg(mostBuffered).arg(all.size())));
        QCOMPARE(static_cast<MessageExport *>(device.get())->rowsWritten(), qint64(total));
    }
};

QTEST_GUILESS_MAIN(TestAnalyticsApi)
#include "tst_analytics_api.moc"
