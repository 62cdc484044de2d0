#include "core/api/controllers/SegmentController.h"

#include "core/api/controllers/JsonViews.h"

#include <QJsonArray>

namespace wadesk {

namespace {
QJsonObject segmentView(const SegmentRecord &s)
{
    return QJsonObject{{QStringLiteral("id"), s.id},
                       {QStringLiteral("name"), s.name},
                       {QStringLiteral("rules"), s.rules.toJson()},
                       {QStringLiteral("created_by"), Json::orNull(s.createdBy)},
                       {QStringLiteral("created_at"), Json::isoTime(s.createdAt)},
                       {QStringLiteral("updated_at"), Json::isoTime(s.updatedAt)}};
}

QJsonObject previewView(const SegmentService::Preview &p)
{
    QJsonArray sample;
    for (const ContactRecord &c : p.sample)
        sample.append(JsonViews::contact(c));
    return QJsonObject{{QStringLiteral("count"), p.count}, {QStringLiteral("sample"), sample}};
}
} // namespace

void SegmentController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    const std::optional<Permission> manage = Permission::ManageClients;
    routes.add("POST", QStringLiteral("/api/segments/preview"), manage, std::bind(&SegmentController::previewRules, this, _1, _2));
    routes.add("POST", QStringLiteral("/api/segments"), manage, std::bind(&SegmentController::create, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/segments"), manage, std::bind(&SegmentController::list, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/segments/:segmentId"), manage, std::bind(&SegmentController::get, this, _1, _2));
    routes.add("PATCH", QStringLiteral("/api/segments/:segmentId"), manage, std::bind(&SegmentController::update, this, _1, _2));
    routes.add("DELETE", QStringLiteral("/api/segments/:segmentId"), manage, std::bind(&SegmentController::remove, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/segments/:segmentId/preview"), manage, std::bind(&SegmentController::preview, this, _1, _2));
}

Result<HttpResponse> SegmentController::create(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<QString> name = Json::requiredString(body.value(), QStringLiteral("name"), 100);
    if (!name)
        return name.error();
    Result<SegmentRules> rules = SegmentRules::fromJson(body.value().value(QStringLiteral("rules")));
    if (!rules)
        return rules.error();
    Result<SegmentRecord> created = m_segments.create(ctx, name.value(), rules.value());
    if (!created)
        return created.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Segment created")},
                                          {QStringLiteral("segment"), segmentView(created.value())}},
                              201);
}

Result<HttpResponse> SegmentController::list(ApiRequest &, const AuthContext &ctx)
{
    Result<QList<SegmentRecord>> segments = m_segments.list(ctx);
    if (!segments)
        return segments.error();
    QJsonArray items;
    for (const SegmentRecord &s : segments.value())
        items.append(segmentView(s));
    return HttpResponse::json(QJsonObject{{QStringLiteral("segments"), items}, {QStringLiteral("count"), items.size()}});
}

Result<HttpResponse> SegmentController::get(ApiRequest &request, const AuthContext &ctx)
{
    Result<SegmentRecord> s = m_segments.get(ctx, request.param(QStringLiteral("segmentId")));
    if (!s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("segment"), segmentView(s.value())}});
}

Result<HttpResponse> SegmentController::update(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<std::optional<QString>> name = Json::optionalString(body.value(), QStringLiteral("name"), 100);
    if (!name)
        return name.error();
    std::optional<SegmentRules> rules;
    const QJsonValue given = body.value().value(QStringLiteral("rules"));
    if (!given.isUndefined() && !given.isNull()) {
        Result<SegmentRules> parsed = SegmentRules::fromJson(given);
        if (!parsed)
            return parsed.error();
        rules = parsed.value();
    }
    if (!name.value() && !rules)
        return DomainError::badRequest(QStringLiteral("Nothing to change: send name or rules"), QStringLiteral("empty_change"));
    Result<SegmentRecord> updated = m_segments.update(ctx, request.param(QStringLiteral("segmentId")), name.value(), rules);
    if (!updated)
        return updated.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Segment updated")},
                                          {QStringLiteral("segment"), segmentView(updated.value())}});
}

Result<HttpResponse> SegmentController::remove(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_segments.remove(ctx, request.param(QStringLiteral("segmentId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Segment deleted")}});
}

Result<HttpResponse> SegmentController::preview(ApiRequest &request, const AuthContext &ctx)
{
    Result<SegmentRecord> s = m_segments.get(ctx, request.param(QStringLiteral("segmentId")));
    if (!s)
        return s.error();
    Result<SegmentService::Preview> p = m_segments.preview(ctx, s.value().rules);
    if (!p)
        return p.error();
    return HttpResponse::json(previewView(p.value()));
}

Result<HttpResponse> SegmentController::previewRules(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<SegmentRules> rules = SegmentRules::fromJson(body.value().value(QStringLiteral("rules")));
    if (!rules)
        return rules.error();
    Result<SegmentService::Preview> p = m_segments.preview(ctx, rules.value());
    if (!p)
        return p.error();
    return HttpResponse::json(previewView(p.value()));
}

} // namespace wadesk
