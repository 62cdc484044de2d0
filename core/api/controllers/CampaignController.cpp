#include "core/api/controllers/CampaignController.h"

#include "core/analytics/CampaignExport.h"
#include "core/campaigns/CampaignService.h"
#include "core/common/Json.h"
#include "core/http/ContentResponse.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>

namespace wadesk {

namespace {

QJsonValue rate(qint64 part, qint64 whole)
{
    if (whole <= 0)
        return QJsonValue();
    return std::round(1000.0 * double(part) / double(whole)) / 10.0;
}

QJsonObject campaignJson(const CampaignView &v)
{
    const CampaignRecord &c = v.campaign;
    const CampaignCounts &n = v.counts;
    return QJsonObject{{QStringLiteral("id"), c.id},
                       {QStringLiteral("name"), c.name},
                       {QStringLiteral("status"), CampaignStatuses::name(c.status)},
                       {QStringLiteral("message"), c.message},
                       {QStringLiteral("template_id"), Json::orNull(c.templateId)},
                       {QStringLiteral("media_id"), Json::orNull(c.mediaId)},
                       {QStringLiteral("client_ids"), QJsonArray::fromStringList(c.clientIds)},
                       {QStringLiteral("audience"), c.audience},
                       {QStringLiteral("schedule_at"), Json::isoTime(c.scheduleAt)},
                       {QStringLiteral("send_window"), c.window ? QJsonValue(c.window->toJson()) : QJsonValue()},
                       {QStringLiteral("daily_cap"), c.dailyCap > 0 ? QJsonValue(c.dailyCap) : QJsonValue()},
                       {QStringLiteral("paused_reason"), Json::orNull(c.pausedReason)},
                       {QStringLiteral("created_by"), Json::orNull(c.createdBy)},
                       {QStringLiteral("created_at"), Json::isoTime(c.createdAt)},
                       {QStringLiteral("updated_at"), Json::isoTime(c.updatedAt)},
                       {QStringLiteral("started_at"), Json::isoTime(c.startedAt)},
                       {QStringLiteral("completed_at"), Json::isoTime(c.completedAt)},
                       {QStringLiteral("estimated_finish"), v.estimatedFinish ? Json::isoTime(*v.estimatedFinish) : QJsonValue()},
                       {QStringLiteral("total"), double(n.total)},
                       {QStringLiteral("pending"), double(n.pending)},
                       {QStringLiteral("queued"), double(n.queued)},
                       {QStringLiteral("sent"), double(n.sent)},
                       {QStringLiteral("delivered"), double(n.delivered)},
                       {QStringLiteral("read"), double(n.read)},
                       {QStringLiteral("replied"), double(n.replied)},
                       {QStringLiteral("failed"), double(n.failed)},
                       {QStringLiteral("skipped"), double(n.skipped)},
                       {QStringLiteral("cancelled"), double(n.cancelled)},
                       {QStringLiteral("opted_out"), double(n.optedOut)}};
}

using CampaignExport::recipientJson;

QJsonObject reasons(const QHash<QString, int> &counts)
{
    QJsonObject o;
    for (auto it = counts.constBegin(); it != counts.constEnd(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

Result<QStringList> stringList(const QJsonObject &o, const QString &field, int maxItems, int maxLength)
{
    const QJsonValue v = o.value(field);
    if (v.isUndefined() || v.isNull())
        return QStringList();
    if (!v.isArray() || v.toArray().size() > maxItems)
        return DomainError::validation(field, QStringLiteral("%1 must be a list of at most %2 strings").arg(field).arg(maxItems));
    QStringList out;
    for (const QJsonValue &item : v.toArray()) {
        if (!item.isString() || item.toString().trimmed().isEmpty() || item.toString().size() > maxLength
            || item.toString().contains(QChar(0)))
            return DomainError::validation(field, QStringLiteral("%1 must hold non-empty strings of at most %2 characters").arg(field).arg(maxLength));
        out << item.toString().trimmed();
    }
    return out;
}

DomainError notSupported(const QString &field)
{
    DomainError e = DomainError::badRequest(QStringLiteral("%1 is not supported yet: send the message text and the audience itself").arg(field),
                                            QStringLiteral("not_supported"));
    e.details.insert(QStringLiteral("field"), field);
    return e;
}

} // namespace

void CampaignController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    const std::optional<Permission> manage = Permission::ManageClients;
    const std::optional<Permission> view = Permission::ViewAnalytics;
    routes.add("POST", QStringLiteral("/api/campaigns"), manage, std::bind(&CampaignController::create, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/campaigns"), view, std::bind(&CampaignController::list, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/campaigns/:campaignId"), view, std::bind(&CampaignController::get, this, _1, _2));
    for (const QString &action : {QStringLiteral("start"), QStringLiteral("pause"), QStringLiteral("resume"), QStringLiteral("cancel")})
        routes.add("POST", QStringLiteral("/api/campaigns/:campaignId/") + action, manage,
                   [this, action](ApiRequest &request, const AuthContext &ctx) { return act(request, ctx, action); });
    routes.add("GET", QStringLiteral("/api/campaigns/:campaignId/recipients"), view, std::bind(&CampaignController::recipients, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/analytics/campaigns/:campaignId"), view, std::bind(&CampaignController::analytics, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/analytics/campaigns/:campaignId/export"), view,
               std::bind(&CampaignController::exportReport, this, _1, _2));
}

Result<HttpResponse> CampaignController::create(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    const QJsonObject &o = body.value();
    if (o.contains(QStringLiteral("segment_id")))
        return notSupported(QStringLiteral("segment_id")); // a segment goes in audience.segment_id
    CampaignService::Draft draft;
    Result<QString> name = Json::requiredString(o, QStringLiteral("name"), 200);
    if (!name)
        return name.error();
    draft.name = name.value().trimmed();
    Result<std::optional<QString>> clientId = Json::optionalString(o, QStringLiteral("client_id"), 64);
    if (!clientId)
        return clientId.error();
    Result<QStringList> clientIds = stringList(o, QStringLiteral("client_ids"), 50, 64);
    if (!clientIds)
        return clientIds.error();
    if (clientId.value() && !clientIds.value().isEmpty())
        return DomainError::validation(QStringLiteral("client_ids"), QStringLiteral("send client_id or client_ids, not both"));
    draft.clientIds = clientId.value() ? QStringList{*clientId.value()} : clientIds.value();
    const QJsonValue message = o.value(QStringLiteral("message"));
    if (!message.isUndefined() && !message.isNull() && !message.isString())
        return DomainError::validation(QStringLiteral("message"), QStringLiteral("message must be a string"));
    draft.message = message.toString();
    Result<std::optional<QString>> templateId = Json::optionalString(o, QStringLiteral("template_id"), 64);
    if (!templateId)
        return templateId.error();
    draft.templateId = templateId.value().value_or(QString());
    Result<std::optional<QString>> mediaId = Json::optionalString(o, QStringLiteral("media_id"), 64);
    if (!mediaId)
        return mediaId.error();
    draft.mediaId = mediaId.value().value_or(QString());
    const QJsonValue audience = o.value(QStringLiteral("audience"));
    if (!audience.isObject())
        return DomainError::validation(QStringLiteral("audience"),
                                       QStringLiteral("audience must be an object {numbers | contact_ids | tags | segment_id}"));
    const QJsonObject a = audience.toObject();
    Result<std::optional<QString>> segmentId = Json::optionalString(a, QStringLiteral("segment_id"), 64);
    if (!segmentId)
        return segmentId.error();
    draft.segmentId = segmentId.value().value_or(QString());
    Result<QStringList> numbers = stringList(a, QStringLiteral("numbers"), 10000, 40);
    if (!numbers)
        return numbers.error();
    Result<QStringList> contactIds = stringList(a, QStringLiteral("contact_ids"), 10000, 64);
    if (!contactIds)
        return contactIds.error();
    Result<QStringList> tags = stringList(a, QStringLiteral("tags"), 50, 100);
    if (!tags)
        return tags.error();
    draft.numbers = numbers.value();
    draft.contactIds = contactIds.value();
    draft.tags = tags.value();
    Result<std::optional<QString>> scheduleAt = Json::optionalString(o, QStringLiteral("schedule_at"), 40);
    if (!scheduleAt)
        return scheduleAt.error();
    if (scheduleAt.value()) {
        const std::optional<qint64> at = Json::parseIsoTime(*scheduleAt.value());
        if (!at)
            return DomainError::validation(QStringLiteral("schedule_at"), QStringLiteral("schedule_at must be an ISO-8601 time with its offset"));
        draft.scheduleAt = *at;
    }
    const QJsonValue window = o.value(QStringLiteral("send_window"));
    if (!window.isUndefined() && !window.isNull()) {
        Result<SendWindow> w = SendWindow::fromJson(window);
        if (!w)
            return w.error();
        draft.window = w.value();
    }
    const QJsonValue cap = o.value(QStringLiteral("daily_cap"));
    if (!cap.isUndefined() && !cap.isNull()) {
        const double value = cap.toDouble(-1);
        if (!cap.isDouble() || value < 1 || value > 1000000 || value != std::floor(value))
            return DomainError::validation(QStringLiteral("daily_cap"), QStringLiteral("daily_cap must be a whole number from 1 to 1000000"));
        draft.dailyCap = int(value);
    }
    Result<CampaignView> created = m_campaigns.create(ctx, draft);
    if (!created)
        return created.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Campaign created")},
                                          {QStringLiteral("campaign"), campaignJson(created.value())}},
                              201);
}

Result<HttpResponse> CampaignController::list(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request, 50, 500);
    if (!page)
        return page.error();
    CampaignQuery query;
    query.limit = page.value().limit;
    query.offset = page.value().offset;
    const QString status = request.queryValue(QStringLiteral("status"));
    if (!status.isEmpty()) {
        query.status = CampaignStatuses::parse(status);
        if (!query.status)
            return DomainError::validation(QStringLiteral("status"),
                                           QStringLiteral("status must be draft, scheduled, running, paused, completed or cancelled"));
    }
    Result<CampaignService::Page> found = m_campaigns.list(ctx, query);
    if (!found)
        return found.error();
    QJsonArray rows;
    for (const CampaignView &v : found.value().campaigns)
        rows.append(campaignJson(v));
    return HttpResponse::json(QJsonObject{{QStringLiteral("campaigns"), rows},
                                          {QStringLiteral("total"), found.value().total},
                                          {QStringLiteral("limit"), query.limit},
                                          {QStringLiteral("offset"), query.offset}});
}

Result<HttpResponse> CampaignController::get(ApiRequest &request, const AuthContext &ctx)
{
    Result<CampaignView> v = m_campaigns.get(ctx, request.param(QStringLiteral("campaignId")));
    if (!v)
        return v.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("campaign"), campaignJson(v.value())}});
}

Result<HttpResponse> CampaignController::act(ApiRequest &request, const AuthContext &ctx, const QString &action)
{
    const QString id = request.param(QStringLiteral("campaignId"));
    Result<CampaignView> v = action == QLatin1String("start")   ? m_campaigns.start(ctx, id)
                           : action == QLatin1String("pause")   ? m_campaigns.pause(ctx, id)
                           : action == QLatin1String("resume")  ? m_campaigns.resume(ctx, id)
                                                                : m_campaigns.cancel(ctx, id);
    if (!v)
        return v.error();
    const QString done = action == QLatin1String("start") ? QStringLiteral("Campaign started")
                       : action == QLatin1String("pause") ? QStringLiteral("Campaign paused")
                       : action == QLatin1String("resume") ? QStringLiteral("Campaign resumed")
                                                           : QStringLiteral("Campaign cancelled");
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), done}, {QStringLiteral("campaign"), campaignJson(v.value())}});
}

Result<HttpResponse> CampaignController::recipients(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request, 50, 500);
    if (!page)
        return page.error();
    Result<CampaignService::RecipientPage> found = m_campaigns.recipients(ctx, request.param(QStringLiteral("campaignId")),
                                                                         request.queryValue(QStringLiteral("status")), page.value().limit,
                                                                         page.value().offset);
    if (!found)
        return found.error();
    QJsonArray rows;
    for (const CampaignRecipient &r : found.value().recipients)
        rows.append(recipientJson(r));
    return HttpResponse::json(QJsonObject{{QStringLiteral("recipients"), rows},
                                          {QStringLiteral("total"), found.value().total},
                                          {QStringLiteral("limit"), page.value().limit},
                                          {QStringLiteral("offset"), page.value().offset}});
}

Result<HttpResponse> CampaignController::analytics(ApiRequest &request, const AuthContext &ctx)
{
    Result<CampaignAnalytics> a = m_campaigns.analytics(ctx, request.param(QStringLiteral("campaignId")));
    if (!a)
        return a.error();
    const CampaignCounts &n = a.value().counts;
    // The guide's shape, then what WaDesk adds. Links are not tracked: clicked is 0.
    return HttpResponse::json(QJsonObject{{QStringLiteral("id"), a.value().campaign.id},
                                          {QStringLiteral("name"), a.value().campaign.name},
                                          {QStringLiteral("total_sent"), double(n.sent)},
                                          {QStringLiteral("delivered"), double(n.delivered)},
                                          {QStringLiteral("read"), double(n.read)},
                                          {QStringLiteral("clicked"), 0},
                                          {QStringLiteral("delivery_rate"), rate(n.delivered, n.sent)},
                                          {QStringLiteral("read_rate"), rate(n.read, n.sent)},
                                          {QStringLiteral("click_rate"), 0},
                                          {QStringLiteral("click_tracking"), false},
                                          {QStringLiteral("status"), CampaignStatuses::name(a.value().campaign.status)},
                                          {QStringLiteral("total"), double(n.total)},
                                          {QStringLiteral("replied"), double(n.replied)},
                                          {QStringLiteral("reply_rate"), rate(n.replied, n.sent)},
                                          {QStringLiteral("failed"), double(n.failed)},
                                          {QStringLiteral("failed_by_reason"), reasons(a.value().failedByReason)},
                                          {QStringLiteral("skipped"), double(n.skipped)},
                                          {QStringLiteral("skipped_by_reason"), reasons(a.value().skippedByReason)},
                                          {QStringLiteral("opted_out"), double(n.optedOut)}});
}

Result<HttpResponse> CampaignController::exportReport(ApiRequest &request, const AuthContext &ctx)
{
    const QString format = request.queryValue(QStringLiteral("format"));
    if (!format.isEmpty() && format != QLatin1String("csv") && format != QLatin1String("json"))
        return DomainError::validation(QStringLiteral("format"), QStringLiteral("format must be csv or json"));
    const QString id = request.param(QStringLiteral("campaignId"));
    Result<QList<CampaignRecipient>> rows = m_campaigns.exportRecipients(ctx, id);
    if (!rows)
        return rows.error();
    const bool json = format == QLatin1String("json");
    const QByteArray body = CampaignExport::render(id, rows.value(), json ? CampaignExport::Format::Json : CampaignExport::Format::Csv);
    HttpResponse r = HttpResponse::raw(body, json ? QByteArrayLiteral("application/json") : QByteArrayLiteral("text/csv; charset=utf-8; header=present"));
    r.withHeader("Content-Disposition", attachmentDisposition(QStringLiteral("campaign-%1.%2").arg(id, json ? QStringLiteral("json") : QStringLiteral("csv"))));
    r.withHeader("Cache-Control", "private, no-store");
    r.withHeader("X-Content-Type-Options", "nosniff");
    return r;
}

} // namespace wadesk
