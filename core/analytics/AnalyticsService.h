#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QDate>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QTimeZone>
#include <QVariantList>
#include <array>
#include <memory>
#include <optional>

class QIODevice;

namespace wadesk {

class Database;
class OrganizationService;

// What an analytics request covers, validated: whole days [start, end] of the organization's
// time zone, optionally one client, and the clients the caller may see. Built by
// AnalyticsService::range(); every query of the service takes it, so none forgets the scope.
struct AnalyticsRange {
    QString organizationId;
    QTimeZone zone;
    QDate start;
    QDate end;           // inclusive
    QString clientId;    // empty: every client the caller may see
    QString assignedTo;  // non-empty: only the clients assigned to this user (viewers)

    qint64 startMs() const; // UTC start of `start` in `zone`
    qint64 endMs() const;   // UTC start of the day after `end` (exclusive)
};

// The funnel of one period: see docs/analytics.md for what each count is.
struct FunnelCounts {
    qint64 sent = 0;      // reached WhatsApp: sent, delivered or read
    qint64 delivered = 0; // delivered or read
    qint64 read = 0;
    qint64 failed = 0;    // failed, including sends WhatsApp refused
    qint64 received = 0;  // inbound
};

struct DayMetrics {
    QDate date;
    FunnelCounts counts;
};

struct OrganizationStats {
    qint64 totalClients = 0;
    qint64 totalContacts = 0;
    qint64 totalMessages = 0;
    qint64 messagesToday = 0;
    qint64 activeCampaigns = 0; // running and scheduled campaigns the actor sees
};

// Percentages with one decimal; nullopt where the denominator is zero.
struct DeliveryRates {
    FunnelCounts counts;
    qint64 conversations = 0; // inbound runs that started in the range (see ResponseTimes)
    qint64 replied = 0;       // of those, answered
    std::optional<double> deliveryRate; // delivered / sent
    std::optional<double> readRate;     // read / sent
    std::optional<double> failureRate;  // failed / (sent + failed)
    std::optional<double> replyRate;    // replied / conversations
};

struct ResponseTimes {
    qint64 conversations = 0; // inbound runs that started in the range
    qint64 responses = 0;     // runs answered (at any later time)
    qint64 autoReplies = 0;   // automatic replies created in the range (never responses)
    std::optional<double> averageHours;
    std::optional<double> medianHours;
    std::optional<double> p90Hours;
    // 0-1 h, 1-4 h, 4-8 h, 8-24 h, 24 h and more.
    std::array<qint64, 5> distribution{};
};

struct HeatmapCell {
    int weekday = 1; // ISO: 1 Monday ... 7 Sunday
    int hour = 0;    // 0-23, local time of the organization
    qint64 sent = 0;
    qint64 received = 0;
};

struct ClientReportRow {
    QString clientId;
    QString name;
    QString phoneNumber;
    FunnelCounts counts;
    qint64 responses = 0;
    std::optional<double> averageResponseHours;
};

struct MemberReportRow {
    QString userId;
    QString name;
    QString email;
    QString role;
    FunnelCounts counts; // messages this member wrote (received stays 0: inbound has no author)
    qint64 responses = 0;
    std::optional<double> averageResponseHours;
};

enum class ExportFormat { Csv, Json };

// Exact analytics straight from the message log: every figure is a count over index ranges of
// `messages` (docs/analytics.md). Admins and managers see the whole organization, viewers the
// clients assigned to them, agents nothing (can_view_analytics).
class AnalyticsService {
public:
    AnalyticsService(Database &database, OrganizationService &organizations, const Clock &clock = Clock::system());

    // Validates the request's dates (YYYY-MM-DD; start <= end; at most 366 days; both absent:
    // the last 30 days up to today; one absent: that day alone) and client (another
    // organization's, or one the caller may not see, reads as 404).
    Result<AnalyticsRange> range(const AuthContext &actor, const QString &startDate, const QString &endDate,
                                 const QString &clientId);

    // The guide's stats; with `clientId` (the desktop's client filter) the message and contact
    // counts are that client's.
    Result<OrganizationStats> stats(const AuthContext &actor, const QString &clientId = QString());
    Result<QList<DayMetrics>> metrics(const AnalyticsRange &range);
    Result<DeliveryRates> rates(const AnalyticsRange &range);
    Result<ResponseTimes> responseTimes(const AnalyticsRange &range);
    Result<QList<HeatmapCell>> heatmap(const AnalyticsRange &range); // 168 cells, Monday 0 h first
    Result<QList<ClientReportRow>> clients(const AnalyticsRange &range);
    Result<QList<MemberReportRow>> members(const AnalyticsRange &range);

    // The range's messages as a readable, sequential device that fetches them in keyset
    // batches while it is read: memory stays the same whatever the number of rows.
    std::unique_ptr<QIODevice> exportMessages(const AnalyticsRange &range, ExportFormat format);
    // The per-day metrics as one document (at most 367 rows).
    Result<QByteArray> exportMetrics(const AnalyticsRange &range, ExportFormat format);

    // One decimal, as the guide's 98.5.
    static std::optional<double> percent(qint64 part, qint64 whole);

private:
    // Every message written in [fromMs, toMs) and its funnel: the whole UTC hours inside from
    // message_rollups, the partial hours at either end (zones with half-hour offsets) from the
    // raw rows.
    struct Tally {
        qint64 total = 0;
        FunnelCounts funnel;
        void add(const Tally &other);
    };
    Result<Tally> tally(const AnalyticsRange &range, qint64 fromMs, qint64 toMs);
    Result<Tally> rawTally(const AnalyticsRange &range, qint64 fromMs, qint64 toMs);
    Result<FunnelCounts> funnel(const AnalyticsRange &range, qint64 fromMs, qint64 toMs);
    // Per client over [fromMs, toMs), split as tally() does.
    Status clientTallies(const AnalyticsRange &range, qint64 fromMs, qint64 toMs, bool rolledUp, QHash<QString, Tally> &out);
    // Response runs that started in the range (response_runs, after applying pending changes):
    // whole UTC hours from response_rollups, the cut hours at either end raw; per client or
    // all under the key "".
    struct RunSum {
        qint64 runs = 0;
        qint64 answered = 0;
        qint64 totalMs = 0;
        std::array<qint64, 5> distribution{};
        void add(const RunSum &other);
    };
    Status runSums(const AnalyticsRange &range, bool byClient, QHash<QString, RunSum> &out);
    Status memberResponses(const AnalyticsRange &range, QHash<QString, RunSum> &out);

    Database &m_database;
    OrganizationService &m_organizations;
    const Clock &m_clock;
};

// A day of metrics as the API writes it: {date, sent, delivered, read, failed, received}.
QJsonObject metricsJson(const DayMetrics &day);

// "<scope condition on alias m>" and its bindings: the organization, then the client or the
// caller's assignments. Shared by the service and the export device.
QString analyticsScope(const AnalyticsRange &range, QVariantList &bind, const QString &alias = QStringLiteral("m"));

} // namespace wadesk
