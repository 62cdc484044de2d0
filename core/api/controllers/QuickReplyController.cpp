#include "core/api/controllers/QuickReplyController.h"

#include "core/common/Json.h"
#include "core/templates/TemplateService.h"

#include <QJsonArray>

namespace wadesk {

namespace {

QJsonObject quickReplyJson(const QuickReplyRecord &r)
{
    return QJsonObject{{QStringLiteral("id"), r.id},
                       {QStringLiteral("shortcut"), r.shortcut},
                       {QStringLiteral("text"), r.text},
                       {QStringLiteral("created_by"), Json::orNull(r.createdBy)},
                       {QStringLiteral("created_at"), Json::isoTime(r.createdAt)},
                       {QStringLiteral("updated_at"), Json::isoTime(r.updatedAt)}};
}

Result<TemplateService::QuickReplyDraft> draftOf(const QJsonObject &o)
{
    TemplateService::QuickReplyDraft d;
    for (const QString &field : {QStringLiteral("shortcut"), QStringLiteral("text")}) {
        const QJsonValue v = o.value(field);
        if (v.isUndefined() || v.isNull())
            continue;
        if (!v.isString() || v.toString().size() > 65536 || v.toString().contains(QChar(0)))
            return DomainError::validation(field, QStringLiteral("%1 must be a string without NUL").arg(field));
        (field == QLatin1String("shortcut") ? d.shortcut : d.text) = v.toString();
    }
    return d;
}

} // namespace

void QuickReplyController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    const std::optional<Permission> manage = Permission::ManageClients;
    routes.add("POST", QStringLiteral("/api/quick-replies"), manage, std::bind(&QuickReplyController::create, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/quick-replies"), Permission::SendMessages, std::bind(&QuickReplyController::list, this, _1, _2));
    routes.add("PATCH", QStringLiteral("/api/quick-replies/:quickReplyId"), manage, std::bind(&QuickReplyController::update, this, _1, _2));
    routes.add("DELETE", QStringLiteral("/api/quick-replies/:quickReplyId"), manage, std::bind(&QuickReplyController::remove, this, _1, _2));
}

Result<HttpResponse> QuickReplyController::create(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<TemplateService::QuickReplyDraft> draft = draftOf(body.value());
    if (!draft)
        return draft.error();
    Result<QuickReplyRecord> created = m_templates.createQuickReply(ctx, draft.value());
    if (!created)
        return created.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Quick reply created")},
                                          {QStringLiteral("quick_reply"), quickReplyJson(created.value())}},
                              201);
}

Result<HttpResponse> QuickReplyController::list(ApiRequest &, const AuthContext &ctx)
{
    Result<QList<QuickReplyRecord>> found = m_templates.quickReplies(ctx);
    if (!found)
        return found.error();
    QJsonArray rows;
    for (const QuickReplyRecord &r : found.value())
        rows.append(quickReplyJson(r));
    return HttpResponse::json(QJsonObject{{QStringLiteral("quick_replies"), rows}, {QStringLiteral("total"), int(rows.size())}});
}

Result<HttpResponse> QuickReplyController::update(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<TemplateService::QuickReplyDraft> change = draftOf(body.value());
    if (!change)
        return change.error();
    Result<QuickReplyRecord> r = m_templates.updateQuickReply(ctx, request.param(QStringLiteral("quickReplyId")), change.value());
    if (!r)
        return r.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Quick reply updated")},
                                          {QStringLiteral("quick_reply"), quickReplyJson(r.value())}});
}

Result<HttpResponse> QuickReplyController::remove(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_templates.removeQuickReply(ctx, request.param(QStringLiteral("quickReplyId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Quick reply deleted")}});
}

} // namespace wadesk
