#include "core/api/controllers/AnalyticsController.h"

#include "core/analytics/AnalyticsService.h"
#include "core/http/ContentResponse.h"

#include <QJsonArray>

namespace wadesk {

namespace {

QJsonValue number(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue();
}

QJsonObject rangeView(const AnalyticsRange &range)
{
    return QJsonObject{{QStringLiteral("start_date"), range.start.toString(Qt::ISODate)},
                       {QStringLiteral("end_date"), range.end.toString(Qt::ISODate)},
                       {QStringLiteral("time_zone"), QString::fromLatin1(range.zone.id())},
                       {QStringLiteral("client_id"), range.clientId.isEmpty() ? QJsonValue() : QJsonValue(range.clientId)}};
}

void insertFunnel(QJsonObject &o, const FunnelCounts &c)
{
    o.insert(QStringLiteral("sent"), double(c.sent));
    o.insert(QStringLiteral("delivered"), double(c.delivered));
    o.insert(QStringLiteral("read"), double(c.read));
    o.insert(QStringLiteral("failed"), double(c.failed));
    o.insert(QStringLiteral("received"), double(c.received));
}

Result<ExportFormat> formatOf(const ApiRequest &request)
{
    const QString format = request.queryValue(QStringLiteral("format"));
    if (format.isEmpty() || format == QLatin1String("csv"))
        return ExportFormat::Csv;
    if (format == QLatin1String("json"))
        return ExportFormat::Json;
    return DomainError::validation(QStringLiteral("format"), QStringLiteral("format must be csv or json"));
}

QString exportName(const QString &what, const AnalyticsRange &range, ExportFormat format)
{
    return QStringLiteral("%1-%2-%3.%4")
        .arg(what, range.start.toString(Qt::ISODate), range.end.toString(Qt::ISODate),
             format == ExportFormat::Csv ? QStringLiteral("csv") : QStringLiteral("json"));
}

QByteArray contentTypeOf(ExportFormat format)
{
    return format == ExportFormat::Csv ? QByteArrayLiteral("text/csv; charset=utf-8; header=present") : QByteArrayLiteral("application/json");
}

} // namespace

void AnalyticsController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    const std::optional<Permission> view = Permission::ViewAnalytics;
    routes.add("GET", QStringLiteral("/api/analytics/stats"), view, std::bind(&AnalyticsController::stats, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/analytics/metrics"), view, std::bind(&AnalyticsController::metrics, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/analytics/metrics/export"), view, std::bind(&AnalyticsController::exportMetrics, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/analytics/rates"), view, std::bind(&AnalyticsController::rates, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/analytics/response-times"), view, std::bind(&AnalyticsController::responseTimes, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/analytics/heatmap"), view, std::bind(&AnalyticsController::heatmap, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/analytics/clients"), view, std::bind(&AnalyticsController::clients, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/analytics/members"), view, std::bind(&AnalyticsController::members, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/analytics/messages/export"), view,
               std::bind(&AnalyticsController::exportMessages, this, _1, _2));
}

Result<AnalyticsRange> AnalyticsController::rangeOf(const ApiRequest &request, const AuthContext &ctx)
{
    return m_analytics.range(ctx, request.queryValue(QStringLiteral("startDate")), request.queryValue(QStringLiteral("endDate")),
                             request.queryValue(QStringLiteral("clientId")));
}

Result<HttpResponse> AnalyticsController::stats(ApiRequest &, const AuthContext &ctx)
{
    Result<OrganizationStats> s = m_analytics.stats(ctx);
    if (!s)
        return s.error();
    const OrganizationStats &v = s.value();
    return HttpResponse::json(QJsonObject{{QStringLiteral("total_clients"), double(v.totalClients)},
                                          {QStringLiteral("total_contacts"), double(v.totalContacts)},
                                          {QStringLiteral("total_messages"), double(v.totalMessages)},
                                          {QStringLiteral("messages_today"), double(v.messagesToday)},
                                          {QStringLiteral("active_campaigns"), double(v.activeCampaigns)}});
}

Result<HttpResponse> AnalyticsController::metrics(ApiRequest &request, const AuthContext &ctx)
{
    Result<AnalyticsRange> range = rangeOf(request, ctx);
    if (!range)
        return range.error();
    Result<QList<DayMetrics>> days = m_analytics.metrics(range.value());
    if (!days)
        return days.error();
    QJsonArray rows;
    for (const DayMetrics &d : days.value())
        rows.append(metricsJson(d));
    QJsonObject out = rangeView(range.value());
    out.insert(QStringLiteral("metrics"), rows);
    return HttpResponse::json(out);
}

Result<HttpResponse> AnalyticsController::rates(ApiRequest &request, const AuthContext &ctx)
{
    Result<AnalyticsRange> range = rangeOf(request, ctx);
    if (!range)
        return range.error();
    Result<DeliveryRates> r = m_analytics.rates(range.value());
    if (!r)
        return r.error();
    QJsonObject out = rangeView(range.value());
    insertFunnel(out, r.value().counts);
    out.insert(QStringLiteral("conversations"), double(r.value().conversations));
    out.insert(QStringLiteral("replied"), double(r.value().replied));
    out.insert(QStringLiteral("delivery_rate"), number(r.value().deliveryRate));
    out.insert(QStringLiteral("read_rate"), number(r.value().readRate));
    out.insert(QStringLiteral("failure_rate"), number(r.value().failureRate));
    out.insert(QStringLiteral("reply_rate"), number(r.value().replyRate));
    return HttpResponse::json(out);
}

Result<HttpResponse> AnalyticsController::responseTimes(ApiRequest &request, const AuthContext &ctx)
{
    Result<AnalyticsRange> range = rangeOf(request, ctx);
    if (!range)
        return range.error();
    Result<ResponseTimes> t = m_analytics.responseTimes(range.value());
    if (!t)
        return t.error();
    const ResponseTimes &v = t.value();
    QJsonArray distribution;
    const char *labels[] = {"0-1h", "1-4h", "4-8h", "8-24h", "24h+"};
    for (size_t i = 0; i < v.distribution.size(); ++i)
        distribution.append(QJsonObject{{QStringLiteral("bucket"), QLatin1String(labels[i])}, {QStringLiteral("count"), double(v.distribution[i])}});
    QJsonObject out = rangeView(range.value());
    out.insert(QStringLiteral("conversations"), double(v.conversations));
    out.insert(QStringLiteral("responses"), double(v.responses));
    out.insert(QStringLiteral("auto_replies"), double(v.autoReplies));
    out.insert(QStringLiteral("average_hours"), number(v.averageHours));
    out.insert(QStringLiteral("median_hours"), number(v.medianHours));
    out.insert(QStringLiteral("p90_hours"), number(v.p90Hours));
    out.insert(QStringLiteral("distribution"), distribution);
    return HttpResponse::json(out);
}

Result<HttpResponse> AnalyticsController::heatmap(ApiRequest &request, const AuthContext &ctx)
{
    Result<AnalyticsRange> range = rangeOf(request, ctx);
    if (!range)
        return range.error();
    Result<QList<HeatmapCell>> cells = m_analytics.heatmap(range.value());
    if (!cells)
        return cells.error();
    QJsonArray rows;
    for (const HeatmapCell &c : cells.value())
        rows.append(QJsonObject{{QStringLiteral("weekday"), c.weekday},
                                {QStringLiteral("hour"), c.hour},
                                {QStringLiteral("sent"), double(c.sent)},
                                {QStringLiteral("received"), double(c.received)}});
    QJsonObject out = rangeView(range.value());
    out.insert(QStringLiteral("cells"), rows);
    return HttpResponse::json(out);
}

Result<HttpResponse> AnalyticsController::clients(ApiRequest &request, const AuthContext &ctx)
{
    Result<AnalyticsRange> range = rangeOf(request, ctx);
    if (!range)
        return range.error();
    Result<QList<ClientReportRow>> rows = m_analytics.clients(range.value());
    if (!rows)
        return rows.error();
    QJsonArray list;
    for (const ClientReportRow &r : rows.value()) {
        QJsonObject o{{QStringLiteral("client_id"), r.clientId},
                      {QStringLiteral("name"), r.name},
                      {QStringLiteral("phone_number"), r.phoneNumber.isEmpty() ? QJsonValue() : QJsonValue(r.phoneNumber)}};
        insertFunnel(o, r.counts);
        o.insert(QStringLiteral("responses"), double(r.responses));
        o.insert(QStringLiteral("average_response_hours"), number(r.averageResponseHours));
        list.append(o);
    }
    QJsonObject out = rangeView(range.value());
    out.insert(QStringLiteral("clients"), list);
    return HttpResponse::json(out);
}

Result<HttpResponse> AnalyticsController::members(ApiRequest &request, const AuthContext &ctx)
{
    Result<AnalyticsRange> range = rangeOf(request, ctx);
    if (!range)
        return range.error();
    Result<QList<MemberReportRow>> rows = m_analytics.members(range.value());
    if (!rows)
        return rows.error();
    QJsonArray list;
    for (const MemberReportRow &r : rows.value()) {
        QJsonObject o{{QStringLiteral("user_id"), r.userId},
                      {QStringLiteral("name"), r.name},
                      {QStringLiteral("email"), r.email},
                      {QStringLiteral("role"), r.role}};
        insertFunnel(o, r.counts);
        o.remove(QStringLiteral("received")); // inbound messages have no author
        o.insert(QStringLiteral("responses"), double(r.responses));
        o.insert(QStringLiteral("average_response_hours"), number(r.averageResponseHours));
        list.append(o);
    }
    QJsonObject out = rangeView(range.value());
    out.insert(QStringLiteral("members"), list);
    return HttpResponse::json(out);
}

Result<HttpResponse> AnalyticsController::exportMessages(ApiRequest &request, const AuthContext &ctx)
{
    Result<ExportFormat> format = formatOf(request);
    if (!format)
        return format.error();
    Result<AnalyticsRange> range = rangeOf(request, ctx);
    if (!range)
        return range.error();
    std::shared_ptr<QIODevice> device = m_analytics.exportMessages(range.value(), format.value());
    HttpResponse r = HttpResponse::stream(std::move(device), -1, contentTypeOf(format.value()));
    r.withHeader("Content-Disposition", attachmentDisposition(exportName(QStringLiteral("messages"), range.value(), format.value())));
    r.withHeader("Cache-Control", "private, no-store");
    r.withHeader("X-Content-Type-Options", "nosniff");
    return r;
}

Result<HttpResponse> AnalyticsController::exportMetrics(ApiRequest &request, const AuthContext &ctx)
{
    Result<ExportFormat> format = formatOf(request);
    if (!format)
        return format.error();
    Result<AnalyticsRange> range = rangeOf(request, ctx);
    if (!range)
        return range.error();
    Result<QByteArray> body = m_analytics.exportMetrics(range.value(), format.value());
    if (!body)
        return body.error();
    HttpResponse r = HttpResponse::raw(body.value(), contentTypeOf(format.value()));
    r.withHeader("Content-Disposition", attachmentDisposition(exportName(QStringLiteral("metrics"), range.value(), format.value())));
    r.withHeader("Cache-Control", "private, no-store");
    r.withHeader("X-Content-Type-Options", "nosniff");
    return r;
}

} // namespace wadesk
