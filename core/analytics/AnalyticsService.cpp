#include "core/analytics/AnalyticsService.h"

#include "core/analytics/AnalyticsCsv.h"
#include "core/analytics/MessageExport.h"
#include "core/analytics/ResponseRuns.h"
#include "core/auth/OrganizationService.h"
#include "core/campaigns/CampaignRepository.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/sessions/ClientRepository.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <algorithm>
#include <cmath>
#include <vector>

namespace wadesk {

namespace {

constexpr int kMaxRangeDays = 366;
constexpr int kDefaultRangeDays = 30;
constexpr qint64 kHourMs = 3600 * 1000;

// The funnel as SQL over alias m; the stored status names are MessageStatus's (queued and
// sending are on their way and counted nowhere yet).
const QString kFunnelColumns = QStringLiteral(
    "SUM(CASE WHEN m.direction = 'outbound' AND m.status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN m.direction = 'outbound' AND m.status IN ('delivered', 'read') THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN m.direction = 'outbound' AND m.status = 'read' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN m.direction = 'outbound' AND m.status = 'failed' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN m.direction = 'inbound' THEN 1 ELSE 0 END)");

// The same counts summed from message_rollups (alias r), after the row count.
const QString kRollupColumns = QStringLiteral("SUM(r.total), SUM(r.sent), SUM(r.delivered), SUM(r.read), SUM(r.failed), SUM(r.received)");

// The UTC hours message_rollups is cut in.
qint64 hourFloor(qint64 ms)
{
    return ms - ((ms % kHourMs) + kHourMs) % kHourMs;
}

qint64 hourCeil(qint64 ms)
{
    const qint64 floor = hourFloor(ms);
    return floor == ms ? ms : floor + kHourMs;
}

FunnelCounts funnelAt(const QSqlQuery &q, int first)
{
    FunnelCounts c;
    c.sent = q.value(first).toLongLong();
    c.delivered = q.value(first + 1).toLongLong();
    c.read = q.value(first + 2).toLongLong();
    c.failed = q.value(first + 3).toLongLong();
    c.received = q.value(first + 4).toLongLong();
    return c;
}

std::optional<double> hours(qint64 ms)
{
    return std::round(double(ms) / double(kHourMs) * 100.0) / 100.0;
}

// The mean of `count` response times summing to totalMs, in hours with two decimals; none
// without a response.
std::optional<double> averageHours(qint64 totalMs, qint64 count)
{
    if (count <= 0)
        return std::nullopt;
    return std::round(double(totalMs) / double(count) / double(kHourMs) * 100.0) / 100.0;
}

Result<QDate> parseDay(const QString &field, const QString &text)
{
    static const QRegularExpression shape(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}$"));
    const QDate day = shape.match(text).hasMatch() ? QDate::fromString(text, Qt::ISODate) : QDate();
    if (!day.isValid())
        return DomainError::validation(field, QStringLiteral("%1 must be a date as YYYY-MM-DD").arg(field));
    return day;
}

// The bucket (in ms) in which UTC time can be grouped so that every bucket lies in one local
// hour of `zone` over [fromMs, toMs): the zone's offsets and its transitions in that span must
// all fall on bucket boundaries. Whole hours for most zones, 15 minutes for India or Nepal.
qint64 localHourBucket(const QTimeZone &zone, qint64 fromMs, qint64 toMs)
{
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(fromMs, zone);
    const QDateTime to = QDateTime::fromMSecsSinceEpoch(toMs, zone);
    const QTimeZone::OffsetDataList transitions = zone.transitions(from, to);
    for (const qint64 bucket : {kHourMs, qint64(15 * 60 * 1000), qint64(60 * 1000), qint64(1000)}) {
        bool aligned = (qint64(zone.offsetFromUtc(from)) * 1000) % bucket == 0;
        for (const QTimeZone::OffsetData &t : transitions) {
            if (!aligned)
                break;
            aligned = (qint64(t.offsetFromUtc) * 1000) % bucket == 0 && t.atUtc.toMSecsSinceEpoch() % bucket == 0;
        }
        if (aligned)
            return bucket;
    }
    return 1000;
}

} // namespace

qint64 AnalyticsRange::startMs() const
{
    return start.startOfDay(zone).toMSecsSinceEpoch();
}

qint64 AnalyticsRange::endMs() const
{
    return end.addDays(1).startOfDay(zone).toMSecsSinceEpoch();
}

QString analyticsScope(const AnalyticsRange &range, QVariantList &bind, const QString &alias)
{
    const QString m = alias + QLatin1Char('.');
    bind << range.organizationId;
    if (!range.clientId.isEmpty()) {
        bind << range.clientId;
        return m + QStringLiteral("organization_id = ? AND ") + m + QStringLiteral("client_id = ?");
    }
    if (!range.assignedTo.isEmpty()) {
        bind << range.assignedTo << range.organizationId;
        return m + QStringLiteral("organization_id = ? AND ") + m
               + QStringLiteral("client_id IN (SELECT a.client_id FROM client_assignments a WHERE a.user_id = ? AND a.organization_id = ?)");
    }
    return m + QStringLiteral("organization_id = ?");
}

AnalyticsService::AnalyticsService(Database &database, OrganizationService &organizations, const Clock &clock)
    : m_database(database)
    , m_organizations(organizations)
    , m_clock(clock)
{
}

std::optional<double> AnalyticsService::percent(qint64 part, qint64 whole)
{
    if (whole <= 0)
        return std::nullopt;
    return std::round(double(part) * 1000.0 / double(whole)) / 10.0;
}

Result<AnalyticsRange> AnalyticsService::range(const AuthContext &actor, const QString &startDate, const QString &endDate,
                                               const QString &clientId)
{
    if (Status s = actor.require(Permission::ViewAnalytics); !s)
        return s.error();
    Result<QString> zoneName = m_organizations.timeZoneOf(actor.organizationId);
    if (!zoneName)
        return zoneName.error();
    AnalyticsRange r;
    r.organizationId = actor.organizationId;
    r.zone = QTimeZone(zoneName.value().toLatin1());
    if (!r.zone.isValid())
        r.zone = QTimeZone(QByteArrayLiteral("UTC"));
    const QDate today = QDateTime::fromMSecsSinceEpoch(m_clock.nowMs(), r.zone).date();
    r.end = today;
    if (!endDate.isEmpty()) {
        Result<QDate> end = parseDay(QStringLiteral("endDate"), endDate);
        if (!end)
            return end.error();
        r.end = end.value();
    }
    r.start = r.end.addDays(-(kDefaultRangeDays - 1));
    if (!startDate.isEmpty()) {
        Result<QDate> start = parseDay(QStringLiteral("startDate"), startDate);
        if (!start)
            return start.error();
        r.start = start.value();
    }
    if (r.start > r.end)
        return DomainError::badRequest(QStringLiteral("startDate is after endDate"), QStringLiteral("invalid_date_range"));
    if (r.start.daysTo(r.end) + 1 > kMaxRangeDays)
        return DomainError::badRequest(QStringLiteral("The range covers more than %1 days").arg(kMaxRangeDays),
                                       QStringLiteral("date_range_too_long"));
    if (!Permissions::seesAllClients(actor.role))
        r.assignedTo = actor.userId;
    if (!clientId.isEmpty()) {
        // Checked before it reaches SQL: QPSQL inlines bound values.
        if (!Ids::looksValid(clientId, "client"))
            return DomainError::notFound(QStringLiteral("Client"));
        SqlRunner sql(m_database);
        ClientRepository clients(sql);
        Result<std::optional<ClientRecord>> found = clients.find(actor.organizationId, clientId, ClientScope::of(actor));
        if (!found)
            return found.error();
        if (!found.value())
            return DomainError::notFound(QStringLiteral("Client"));
        r.clientId = clientId;
    }
    return r;
}

void AnalyticsService::Tally::add(const Tally &other)
{
    total += other.total;
    funnel.sent += other.funnel.sent;
    funnel.delivered += other.funnel.delivered;
    funnel.read += other.funnel.read;
    funnel.failed += other.funnel.failed;
    funnel.received += other.funnel.received;
}

Result<AnalyticsService::Tally> AnalyticsService::rawTally(const AnalyticsRange &range, qint64 fromMs, qint64 toMs)
{
    if (fromMs >= toMs)
        return Tally();
    QVariantList bind;
    const QString scope = analyticsScope(range, bind);
    bind << fromMs << toMs;
    SqlRunner sql(m_database);
    return sql.query(QStringLiteral("SELECT COUNT(*), ") + kFunnelColumns + QStringLiteral(" FROM messages m WHERE ") + scope
                         + QStringLiteral(" AND m.created_at >= ? AND m.created_at < ?"),
                     bind, "analytics.funnel", [](QSqlQuery &q) {
                         Tally t;
                         if (q.next()) {
                             t.total = q.value(0).toLongLong();
                             t.funnel = funnelAt(q, 1);
                         }
                         return t;
                     });
}

Result<AnalyticsService::Tally> AnalyticsService::tally(const AnalyticsRange &range, qint64 fromMs, qint64 toMs)
{
    const qint64 firstHour = hourCeil(fromMs);
    const qint64 lastHour = hourFloor(toMs);
    if (firstHour >= lastHour)
        return rawTally(range, fromMs, toMs);
    QVariantList bind;
    const QString scope = analyticsScope(range, bind, QStringLiteral("r"));
    bind << firstHour << lastHour;
    SqlRunner sql(m_database);
    Result<Tally> whole = sql.query(QStringLiteral("SELECT ") + kRollupColumns + QStringLiteral(" FROM message_rollups r WHERE ") + scope
                                        + QStringLiteral(" AND r.hour_start >= ? AND r.hour_start < ?"),
                                    bind, "analytics.rollups", [](QSqlQuery &q) {
                                        Tally t;
                                        if (q.next()) {
                                            t.total = q.value(0).toLongLong();
                                            t.funnel = funnelAt(q, 1);
                                        }
                                        return t;
                                    });
    if (!whole)
        return whole;
    Tally t = whole.value();
    for (const auto &[from, to] : {std::pair{fromMs, firstHour}, std::pair{lastHour, toMs}}) {
        Result<Tally> edge = rawTally(range, from, to);
        if (!edge)
            return edge;
        t.add(edge.value());
    }
    return t;
}

Result<FunnelCounts> AnalyticsService::funnel(const AnalyticsRange &range, qint64 fromMs, qint64 toMs)
{
    Result<Tally> t = tally(range, fromMs, toMs);
    if (!t)
        return t.error();
    return t.value().funnel;
}

Status AnalyticsService::clientTallies(const AnalyticsRange &range, qint64 fromMs, qint64 toMs, bool rolledUp,
                                       QHash<QString, Tally> &out)
{
    if (fromMs >= toMs)
        return {};
    QVariantList bind;
    const QString scope = analyticsScope(range, bind, rolledUp ? QStringLiteral("r") : QStringLiteral("m"));
    bind << fromMs << toMs;
    const QString text = rolledUp ? QStringLiteral("SELECT r.client_id, ") + kRollupColumns + QStringLiteral(" FROM message_rollups r WHERE ")
                                        + scope + QStringLiteral(" AND r.hour_start >= ? AND r.hour_start < ? GROUP BY r.client_id")
                                  : QStringLiteral("SELECT m.client_id, COUNT(*), ") + kFunnelColumns + QStringLiteral(" FROM messages m WHERE ")
                                        + scope + QStringLiteral(" AND m.created_at >= ? AND m.created_at < ? GROUP BY m.client_id");
    SqlRunner sql(m_database);
    Result<bool> read = sql.query(text, bind, "analytics.clients.counts", [&out](QSqlQuery &q) {
        while (q.next()) {
            Tally t;
            t.total = q.value(1).toLongLong();
            t.funnel = funnelAt(q, 2);
            out[q.value(0).toString()].add(t);
        }
        return true;
    });
    if (!read)
        return read.error();
    return {};
}

Result<OrganizationStats> AnalyticsService::stats(const AuthContext &actor, const QString &clientId)
{
    // A one-day range on today gives the scope, the zone and today's bounds in one place.
    Result<AnalyticsRange> today = range(actor, QString(), QString(), clientId);
    if (!today)
        return today.error();
    AnalyticsRange r = today.value();
    r.start = r.end;
    SqlRunner sql(m_database);
    auto count = [&sql](const QString &text, const QVariantList &bind) {
        return sql.query(text, bind, "analytics.stats", [](QSqlQuery &q) { return q.next() ? q.value(0).toLongLong() : 0; });
    };
    OrganizationStats s;
    ClientRepository clients(sql);
    Result<int> clientCount = clients.count(actor.organizationId, ClientScope::of(actor));
    if (!clientCount)
        return clientCount.error();
    s.totalClients = clientCount.value();

    QVariantList bind;
    const QString scope = analyticsScope(r, bind);
    Result<qint64> contacts = r.assignedTo.isEmpty() && r.clientId.isEmpty()
                                  ? count(QStringLiteral("SELECT COUNT(*) FROM contacts WHERE organization_id = ?"), {actor.organizationId})
                                  // A viewer's (or one client's) contacts: those who wrote or were written to there.
                                  : count(QStringLiteral("SELECT COUNT(DISTINCT m.contact_id) FROM messages m WHERE ") + scope, bind);
    if (!contacts)
        return contacts.error();
    s.totalContacts = contacts.value();
    // Every message ever written is in some hour of the roll-ups.
    QVariantList rolledBind;
    const QString rolledScope = analyticsScope(r, rolledBind, QStringLiteral("r"));
    Result<qint64> total = count(QStringLiteral("SELECT SUM(r.total) FROM message_rollups r WHERE ") + rolledScope, rolledBind);
    if (!total)
        return total.error();
    s.totalMessages = total.value();
    Result<Tally> todayCount = tally(r, r.startMs(), r.endMs());
    if (!todayCount)
        return todayCount.error();
    s.messagesToday = todayCount.value().total;
    Result<int> campaigns = CampaignRepository(sql).activeCount(actor.organizationId, ClientScope::of(actor));
    if (!campaigns)
        return campaigns.error();
    s.activeCampaigns = campaigns.value();
    return s;
}

Result<QList<DayMetrics>> AnalyticsService::metrics(const AnalyticsRange &range)
{
    // The day boundaries in UTC: bounds[i] starts day i.
    std::vector<qint64> bounds;
    for (QDate day = range.start; day <= range.end.addDays(1); day = day.addDays(1))
        bounds.push_back(day.startOfDay(range.zone).toMSecsSinceEpoch());
    // One query for every whole UTC hour of the range, each hour then placed in its day.
    std::vector<std::pair<qint64, Tally>> hoursRows;
    const qint64 firstHour = hourCeil(bounds.front());
    const qint64 lastHour = hourFloor(bounds.back());
    if (firstHour < lastHour) {
        QVariantList bind;
        const QString scope = analyticsScope(range, bind, QStringLiteral("r"));
        bind << firstHour << lastHour;
        SqlRunner sql(m_database);
        Result<bool> read = sql.query(QStringLiteral("SELECT r.hour_start, ") + kRollupColumns + QStringLiteral(" FROM message_rollups r WHERE ")
                                          + scope
                                          + QStringLiteral(" AND r.hour_start >= ? AND r.hour_start < ? GROUP BY r.hour_start ORDER BY r.hour_start"),
                                      bind, "analytics.metrics.hours", [&hoursRows](QSqlQuery &q) {
                                          while (q.next()) {
                                              Tally t;
                                              t.total = q.value(1).toLongLong();
                                              t.funnel = funnelAt(q, 2);
                                              hoursRows.emplace_back(q.value(0).toLongLong(), t);
                                          }
                                          return true;
                                      });
        if (!read)
            return read.error();
    }
    QList<DayMetrics> days;
    size_t at = 0;
    QDate day = range.start;
    for (size_t i = 0; i + 1 < bounds.size(); ++i, day = day.addDays(1)) {
        const qint64 dayStart = bounds[i];
        const qint64 dayEnd = bounds[i + 1];
        const qint64 wholeFrom = hourCeil(dayStart);
        const qint64 wholeTo = hourFloor(dayEnd);
        Tally t;
        if (wholeFrom >= wholeTo) {
            Result<Tally> raw = rawTally(range, dayStart, dayEnd);
            if (!raw)
                return raw.error();
            t = raw.value();
        } else {
            // The hours of this day that lie wholly in it; an hour cut by a midnight (zones
            // with half-hour offsets) is counted from the raw rows on each side below.
            while (at < hoursRows.size() && hoursRows[at].first < wholeFrom)
                ++at;
            while (at < hoursRows.size() && hoursRows[at].first < wholeTo)
                t.add(hoursRows[at++].second);
            for (const auto &[from, to] : {std::pair{dayStart, wholeFrom}, std::pair{wholeTo, dayEnd}}) {
                Result<Tally> edge = rawTally(range, from, to);
                if (!edge)
                    return edge.error();
                t.add(edge.value());
            }
        }
        days.append(DayMetrics{day, t.funnel});
    }
    return days;
}

// The response pairing (docs/analytics.md): kept per run in response_runs by ResponseRuns, whose
// pending changes are applied first so that every figure is exact at the moment of the read.
// Runs are taken when they start in the range; their response may come later.
namespace {

// The run columns of response_rollups, and the same sums over raw response_runs (for the
// partial hours at a range's ends in half-hour zones).
const QString kRunRollupColumns = QStringLiteral(
    "COALESCE(SUM(x.runs), 0), COALESCE(SUM(x.answered), 0), COALESCE(SUM(x.total_ms), 0), COALESCE(SUM(x.under_1h), 0), "
    "COALESCE(SUM(x.under_4h), 0), COALESCE(SUM(x.under_8h), 0), COALESCE(SUM(x.under_24h), 0), COALESCE(SUM(x.over_24h), 0)");
const QString kRunRawColumns = QStringLiteral(
    "COUNT(*), COUNT(x.response_ms), COALESCE(SUM(x.response_ms), 0), "
    "COALESCE(SUM(CASE WHEN x.response_ms < 3600000 THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN x.response_ms >= 3600000 AND x.response_ms < 14400000 THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN x.response_ms >= 14400000 AND x.response_ms < 28800000 THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN x.response_ms >= 28800000 AND x.response_ms < 86400000 THEN 1 ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN x.response_ms >= 86400000 THEN 1 ELSE 0 END), 0)");

} // namespace

void AnalyticsService::RunSum::add(const RunSum &o)
{
    runs += o.runs;
    answered += o.answered;
    totalMs += o.totalMs;
    for (size_t i = 0; i < distribution.size(); ++i)
        distribution[i] += o.distribution[i];
}

Status AnalyticsService::runSums(const AnalyticsRange &range, bool byClient, QHash<QString, RunSum> &out)
{
    if (Result<qint64> refreshed = ResponseRuns(m_database).refresh(); !refreshed)
        return refreshed.error();
    const qint64 fromMs = range.startMs();
    const qint64 toMs = range.endMs();
    const qint64 firstHour = hourCeil(fromMs);
    const qint64 lastHour = hourFloor(toMs);
    SqlRunner sql(m_database);
    auto read = [&](bool rolledUp, qint64 from, qint64 to) -> Status {
        if (from >= to)
            return {};
        QVariantList bind;
        const QString scope = analyticsScope(range, bind, QStringLiteral("x"));
        bind << from << to;
        const QString text = QStringLiteral("SELECT ") + (byClient ? QStringLiteral("x.client_id, ") : QStringLiteral("'', "))
                             + (rolledUp ? kRunRollupColumns + QStringLiteral(" FROM response_rollups x WHERE ") + scope
                                               + QStringLiteral(" AND x.hour_start >= ? AND x.hour_start < ?")
                                         : kRunRawColumns + QStringLiteral(" FROM response_runs x WHERE ") + scope
                                               + QStringLiteral(" AND x.started_at >= ? AND x.started_at < ?"))
                             + (byClient ? QStringLiteral(" GROUP BY x.client_id") : QString());
        Result<bool> done = sql.query(text, bind, "analytics.runSums", [&out](QSqlQuery &q) {
            while (q.next()) {
                RunSum sum;
                sum.runs = q.value(1).toLongLong();
                sum.answered = q.value(2).toLongLong();
                sum.totalMs = q.value(3).toLongLong();
                for (int i = 0; i < 5; ++i)
                    sum.distribution[size_t(i)] = q.value(4 + i).toLongLong();
                out[q.value(0).toString()].add(sum);
            }
            return true;
        });
        if (!done)
            return done.error();
        return {};
    };
    // Whole UTC hours from the roll-ups, the cut hours at either end (half-hour zones) raw.
    if (firstHour >= lastHour)
        return read(false, fromMs, toMs);
    if (Status s = read(true, firstHour, lastHour); !s)
        return s;
    if (Status s = read(false, fromMs, firstHour); !s)
        return s;
    return read(false, lastHour, toMs);
}

Status AnalyticsService::memberResponses(const AnalyticsRange &range, QHash<QString, RunSum> &out)
{
    if (Result<qint64> refreshed = ResponseRuns(m_database).refresh(); !refreshed)
        return refreshed.error();
    QVariantList bind;
    const QString scope = analyticsScope(range, bind, QStringLiteral("x"));
    bind << range.startMs() << range.endMs();
    SqlRunner sql(m_database);
    Result<bool> read = sql.query(
        QStringLiteral("SELECT x.responder, COUNT(*), COALESCE(SUM(x.response_ms), 0) FROM response_runs x WHERE ") + scope
            + QStringLiteral(" AND x.started_at >= ? AND x.started_at < ? AND x.responder IS NOT NULL GROUP BY x.responder"),
        bind, "analytics.memberResponses", [&out](QSqlQuery &q) {
            while (q.next()) {
                RunSum &sum = out[q.value(0).toString()];
                sum.answered = q.value(1).toLongLong();
                sum.totalMs = q.value(2).toLongLong();
            }
            return true;
        });
    if (!read)
        return read.error();
    return {};
}

Result<DeliveryRates> AnalyticsService::rates(const AnalyticsRange &range)
{
    Result<FunnelCounts> counts = funnel(range, range.startMs(), range.endMs());
    if (!counts)
        return counts.error();
    QHash<QString, RunSum> sums;
    if (Status s = runSums(range, false, sums); !s)
        return s.error();
    const RunSum all = sums.value(QString());
    DeliveryRates r;
    r.counts = counts.value();
    r.conversations = all.runs;
    r.replied = all.answered;
    r.deliveryRate = percent(r.counts.delivered, r.counts.sent);
    r.readRate = percent(r.counts.read, r.counts.sent);
    r.failureRate = percent(r.counts.failed, r.counts.sent + r.counts.failed);
    r.replyRate = percent(r.replied, r.conversations);
    return r;
}

Result<ResponseTimes> AnalyticsService::responseTimes(const AnalyticsRange &range)
{
    QHash<QString, RunSum> sums;
    if (Status s = runSums(range, false, sums); !s)
        return s.error();
    const RunSum all = sums.value(QString());
    ResponseTimes t;
    t.conversations = all.runs;
    t.responses = all.answered;
    t.distribution = all.distribution;
    {
        QVariantList autoBind;
        const QString autoScope = analyticsScope(range, autoBind, QStringLiteral("m"));
        autoBind << range.startMs() << range.endMs();
        SqlRunner sql(m_database);
        Result<qint64> automatic = sql.query(QStringLiteral("SELECT COUNT(*) FROM messages m WHERE ") + autoScope
                                                 + QStringLiteral(" AND m.auto_reply_rule_id IS NOT NULL AND m.created_at >= ? AND m.created_at < ?"),
                                             autoBind, "analytics.autoReplies",
                                             [](QSqlQuery &q) { return q.next() ? q.value(0).toLongLong() : qint64(0); });
        if (!automatic)
            return automatic.error();
        t.autoReplies = automatic.value();
    }
    if (t.responses == 0)
        return t;
    // Nearest rank: the smallest value with at least p of the responses at or below it. The
    // ranks need the runs themselves (an index range on the organization and start time).
    QVariantList bind;
    const QString scope = analyticsScope(range, bind, QStringLiteral("r"));
    bind << range.startMs() << range.endMs();
    SqlRunner sql(m_database);
    auto rank = [&](double p) -> Result<qint64> {
        const qint64 at = std::max<qint64>(1, qint64(std::ceil(p * double(t.responses)))) - 1;
        QVariantList rankBind = bind;
        rankBind << at;
        return sql.query(QStringLiteral("SELECT r.response_ms FROM response_runs r WHERE ") + scope
                             + QStringLiteral(" AND r.started_at >= ? AND r.started_at < ? AND r.response_ms IS NOT NULL "
                                              "ORDER BY r.response_ms LIMIT 1 OFFSET ?"),
                         rankBind, "analytics.responseRank", [](QSqlQuery &q) { return q.next() ? q.value(0).toLongLong() : qint64(0); });
    };
    Result<qint64> median = rank(0.5);
    if (!median)
        return median.error();
    Result<qint64> p90 = rank(0.9);
    if (!p90)
        return p90.error();
    t.averageHours = averageHours(all.totalMs, t.responses);
    t.medianHours = hours(median.value());
    t.p90Hours = hours(p90.value());
    return t;
}

Result<QList<HeatmapCell>> AnalyticsService::heatmap(const AnalyticsRange &range)
{
    QList<HeatmapCell> cells;
    for (int weekday = 1; weekday <= 7; ++weekday)
        for (int hour = 0; hour < 24; ++hour)
            cells.append(HeatmapCell{weekday, hour, 0, 0});
    const qint64 fromMs = range.startMs();
    const qint64 toMs = range.endMs();
    const qint64 bucket = localHourBucket(range.zone, fromMs, toMs);
    QVariantList bind;
    const QString scope = analyticsScope(range, bind);
    bind << fromMs << toMs;
    // The bucket is one of four constants of this file, written into the text so that the
    // grouping expression is the same one in SELECT and GROUP BY on both databases.
    const QString bucketText = QString::number(bucket);
    // Whole-hour zones (the range's bounds are then whole UTC hours too) read the roll-ups.
    const bool rolledUp = bucket == kHourMs && hourFloor(fromMs) == fromMs && hourFloor(toMs) == toMs;
    QString text;
    if (rolledUp) {
        bind.clear();
        const QString rolledScope = analyticsScope(range, bind, QStringLiteral("r"));
        bind << fromMs << toMs;
        text = QStringLiteral("SELECT r.hour_start / ") + bucketText + QStringLiteral(", SUM(r.sent), SUM(r.received) FROM message_rollups r WHERE ")
               + rolledScope + QStringLiteral(" AND r.hour_start >= ? AND r.hour_start < ? GROUP BY r.hour_start");
    } else {
        text = QStringLiteral("SELECT m.created_at / ") + bucketText
               + QStringLiteral(", SUM(CASE WHEN m.direction = 'outbound' AND m.status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END), "
                                "SUM(CASE WHEN m.direction = 'inbound' THEN 1 ELSE 0 END) FROM messages m WHERE ")
               + scope + QStringLiteral(" AND m.created_at >= ? AND m.created_at < ? GROUP BY m.created_at / ") + bucketText;
    }
    SqlRunner sql(m_database);
    Result<bool> read = sql.query(
        text, bind, "analytics.heatmap", [&](QSqlQuery &q) {
            while (q.next()) {
                const QDateTime local = QDateTime::fromMSecsSinceEpoch(q.value(0).toLongLong() * bucket, range.zone);
                HeatmapCell &cell = cells[(local.date().dayOfWeek() - 1) * 24 + local.time().hour()];
                cell.sent += q.value(1).toLongLong();
                cell.received += q.value(2).toLongLong();
            }
            return true;
        });
    if (!read)
        return read.error();
    return cells;
}

Result<QList<ClientReportRow>> AnalyticsService::clients(const AnalyticsRange &range)
{
    QList<ClientReportRow> rows;
    QHash<QString, int> indexOf;
    {
        QVariantList bind{range.organizationId};
        QString text = QStringLiteral("SELECT c.id, c.name, c.phone_number FROM clients c WHERE c.organization_id = ?");
        if (!range.clientId.isEmpty()) {
            text += QStringLiteral(" AND c.id = ?");
            bind << range.clientId;
        } else if (!range.assignedTo.isEmpty()) {
            text += QStringLiteral(" AND c.id IN (SELECT a.client_id FROM client_assignments a WHERE a.user_id = ? AND a.organization_id = ?)");
            bind << range.assignedTo << range.organizationId;
        }
        SqlRunner sql(m_database);
        Result<bool> read = sql.query(text + QStringLiteral(" ORDER BY c.created_at, c.id"), bind, "analytics.clients", [&](QSqlQuery &q) {
            while (q.next()) {
                ClientReportRow row;
                row.clientId = q.value(0).toString();
                row.name = q.value(1).toString();
                row.phoneNumber = q.value(2).toString();
                indexOf.insert(row.clientId, int(rows.size()));
                rows.append(row);
            }
            return true;
        });
        if (!read)
            return read.error();
    }
    // Whole UTC hours from the roll-ups, the cut hours at either end (half-hour zones) raw.
    const qint64 fromMs = range.startMs();
    const qint64 toMs = range.endMs();
    QHash<QString, Tally> tallies;
    const qint64 firstHour = hourCeil(fromMs);
    const qint64 lastHour = hourFloor(toMs);
    Status counted = firstHour < lastHour ? clientTallies(range, firstHour, lastHour, true, tallies)
                                          : clientTallies(range, fromMs, toMs, false, tallies);
    if (counted && firstHour < lastHour)
        counted = clientTallies(range, fromMs, firstHour, false, tallies);
    if (counted && firstHour < lastHour)
        counted = clientTallies(range, lastHour, toMs, false, tallies);
    if (!counted)
        return counted.error();
    for (auto it = tallies.cbegin(); it != tallies.cend(); ++it) {
        const int at = indexOf.value(it.key(), -1);
        if (at >= 0)
            rows[at].counts = it.value().funnel;
    }
    QHash<QString, RunSum> responses;
    if (Status s = runSums(range, true, responses); !s)
        return s.error();
    for (ClientReportRow &row : rows) {
        const RunSum sum = responses.value(row.clientId);
        row.responses = sum.answered;
        row.averageResponseHours = averageHours(sum.totalMs, sum.answered);
    }
    return rows;
}

Result<QList<MemberReportRow>> AnalyticsService::members(const AnalyticsRange &range)
{
    QList<MemberReportRow> rows;
    QHash<QString, int> indexOf;
    SqlRunner sql(m_database);
    Result<bool> read = sql.query(
        QStringLiteral("SELECT id, name, email, role FROM users WHERE organization_id = ? ORDER BY created_at, id"), {range.organizationId},
        "analytics.members", [&](QSqlQuery &q) {
            while (q.next()) {
                MemberReportRow row;
                row.userId = q.value(0).toString();
                row.name = q.value(1).toString();
                row.email = q.value(2).toString();
                row.role = q.value(3).toString();
                indexOf.insert(row.userId, int(rows.size()));
                rows.append(row);
            }
            return true;
        });
    if (!read)
        return read.error();
    QVariantList bind;
    const QString scope = analyticsScope(range, bind);
    bind << range.startMs() << range.endMs();
    Result<bool> counted = sql.query(QStringLiteral("SELECT m.created_by, ") + kFunnelColumns + QStringLiteral(" FROM messages m WHERE ") + scope
                                         + QStringLiteral(" AND m.direction = 'outbound' AND m.created_by IS NOT NULL "
                                                          "AND m.created_at >= ? AND m.created_at < ? GROUP BY m.created_by"),
                                     bind, "analytics.members.counts", [&](QSqlQuery &q) {
                                         while (q.next()) {
                                             const int at = indexOf.value(q.value(0).toString(), -1);
                                             if (at >= 0)
                                                 rows[at].counts = funnelAt(q, 1);
                                         }
                                         return true;
                                     });
    if (!counted)
        return counted.error();
    QHash<QString, RunSum> responses;
    if (Status s = memberResponses(range, responses); !s)
        return s.error();
    for (MemberReportRow &row : rows) {
        const RunSum sum = responses.value(row.userId);
        row.responses = sum.answered;
        row.averageResponseHours = averageHours(sum.totalMs, sum.answered);
    }
    return rows;
}

std::unique_ptr<QIODevice> AnalyticsService::exportMessages(const AnalyticsRange &range, ExportFormat format)
{
    auto device = std::make_unique<MessageExport>(m_database, range, format);
    device->open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    return device;
}

Result<QByteArray> AnalyticsService::exportMetrics(const AnalyticsRange &range, ExportFormat format)
{
    Result<QList<DayMetrics>> days = metrics(range);
    if (!days)
        return days.error();
    if (format == ExportFormat::Json) {
        QJsonArray rows;
        for (const DayMetrics &d : days.value())
            rows.append(metricsJson(d));
        return QJsonDocument(QJsonObject{{QStringLiteral("time_zone"), QString::fromLatin1(range.zone.id())},
                                         {QStringLiteral("metrics"), rows}})
            .toJson(QJsonDocument::Compact);
    }
    QByteArray out = Csv::row({QStringLiteral("date"), QStringLiteral("sent"), QStringLiteral("delivered"), QStringLiteral("read"),
                               QStringLiteral("failed"), QStringLiteral("received")});
    for (const DayMetrics &d : days.value())
        out += Csv::row({d.date.toString(Qt::ISODate), QString::number(d.counts.sent), QString::number(d.counts.delivered),
                         QString::number(d.counts.read), QString::number(d.counts.failed), QString::number(d.counts.received)});
    return out;
}

QJsonObject metricsJson(const DayMetrics &day)
{
    return QJsonObject{{QStringLiteral("date"), day.date.toString(Qt::ISODate)},
                       {QStringLiteral("sent"), double(day.counts.sent)},
                       {QStringLiteral("delivered"), double(day.counts.delivered)},
                       {QStringLiteral("read"), double(day.counts.read)},
                       {QStringLiteral("failed"), double(day.counts.failed)},
                       {QStringLiteral("received"), double(day.counts.received)}};
}

} // namespace wadesk
