#include "ui/dashboard/DashboardLoader.h"

#include "core/analytics/AnalyticsService.h"
#include "core/auth/OrganizationService.h"
#include "core/common/Clock.h"
#include "core/db/Database.h"

namespace wadesk {

DashboardLoader::DashboardLoader(Database &database, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_clock(clock)
{
    m_thread.setObjectName(QStringLiteral("dashboard"));
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start(QThread::LowPriority);
}

DashboardLoader::~DashboardLoader()
{
    // The connection belongs to the thread: it is closed there, after any read still running.
    Database *database = &m_database;
    QMetaObject::invokeMethod(m_worker, [database]() { database->closeThreadConnection(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void DashboardLoader::request(const AuthContext &actor, const DashboardQuery &query)
{
    if (m_busy) {
        m_pending = std::make_pair(actor, query);
        return;
    }
    start(actor, query);
}

void DashboardLoader::start(const AuthContext &actor, const DashboardQuery &query)
{
    m_busy = true;
    ++m_readsStarted;
    Database *database = &m_database;
    const Clock *clock = &m_clock;
    QMetaObject::invokeMethod(m_worker, [this, database, clock, actor, query]() {
        DashboardReport report = read(*database, *clock, actor, query);
        // Posted to this object: dropped with it if the loader is gone by then.
        QMetaObject::invokeMethod(this, [this, report]() { finish(report); }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

void DashboardLoader::finish(const DashboardReport &report)
{
    m_busy = false;
    emit loaded(report);
    if (m_pending) {
        const auto next = *m_pending;
        m_pending.reset();
        start(next.first, next.second);
    }
}

DashboardReport DashboardLoader::read(Database &database, const Clock &clock, const AuthContext &actor, const DashboardQuery &query)
{
    DashboardReport report;
    report.generatedAt = clock.nowMs();
    report.clientId = query.clientId;
    OrganizationService organizations(database, clock);
    AnalyticsService analytics(database, organizations, clock);
    auto failed = [&report](const DomainError &e) {
        report.error = e.message;
        return report;
    };
    const Result<OrganizationInfo> organization = organizations.get(actor);
    if (!organization)
        return failed(organization.error());
    report.organizationName = organization.value().name;
    report.timeZone = organization.value().timeZone;
    const bool custom = query.lastDays <= 0;
    Result<AnalyticsRange> range = analytics.range(actor, custom ? query.start.toString(Qt::ISODate) : QString(),
                                                   custom ? query.end.toString(Qt::ISODate) : QString(), query.clientId);
    if (!range)
        return failed(range.error());
    AnalyticsRange r = range.value();
    if (!custom)
        r.start = r.end.addDays(-(qMin(query.lastDays, 366) - 1)); // the last N days up to today in the zone
    report.start = r.start;
    report.end = r.end;

    Result<OrganizationStats> stats = analytics.stats(actor, query.clientId); // the tiles follow the client filter
    if (!stats)
        return failed(stats.error());
    report.stats = stats.value();
    Result<QList<DayMetrics>> days = analytics.metrics(r);
    if (!days)
        return failed(days.error());
    report.days = days.value();
    Result<DeliveryRates> rates = analytics.rates(r);
    if (!rates)
        return failed(rates.error());
    report.rates = rates.value();
    Result<ResponseTimes> responses = analytics.responseTimes(r);
    if (!responses)
        return failed(responses.error());
    report.responses = responses.value();
    Result<QList<HeatmapCell>> heatmap = analytics.heatmap(r);
    if (!heatmap)
        return failed(heatmap.error());
    report.heatmap = heatmap.value();
    Result<QList<ClientReportRow>> clients = analytics.clients(r);
    if (!clients)
        return failed(clients.error());
    report.clients = clients.value();
    Result<QList<MemberReportRow>> members = analytics.members(r);
    if (!members)
        return failed(members.error());
    report.members = members.value();
    return report;
}

} // namespace wadesk
