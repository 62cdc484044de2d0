#include "core/api/controllers/TemplateController.h"

#include "core/common/Json.h"
#include "core/templates/TemplateService.h"

#include <QJsonArray>

namespace wadesk {

namespace {

QJsonObject templateJson(const TemplateRecord &t)
{
    QJsonArray variables;
    if (Result<MessageTemplate> parsed = MessageTemplate::parse(t.body))
        variables = QJsonArray::fromStringList(parsed.value().variables());
    return QJsonObject{{QStringLiteral("id"), t.id},
                       {QStringLiteral("name"), t.name},
                       {QStringLiteral("body"), t.body},
                       {QStringLiteral("media_id"), Json::orNull(t.mediaId)},
                       {QStringLiteral("variables"), variables},
                       {QStringLiteral("created_by"), Json::orNull(t.createdBy)},
                       {QStringLiteral("created_at"), Json::isoTime(t.createdAt)},
                       {QStringLiteral("updated_at"), Json::isoTime(t.updatedAt)}};
}

// A string member kept as given (not trimmed); absent or null: none. No NUL (QPSQL inlines values).
Result<std::optional<QString>> text(const QJsonObject &o, const QString &field, int maxLength)
{
    const QJsonValue v = o.value(field);
    if (v.isUndefined() || v.isNull())
        return std::optional<QString>();
    if (!v.isString())
        return DomainError::validation(field, QStringLiteral("%1 must be a string").arg(field));
    if (v.toString().size() > maxLength || v.toString().contains(QChar(0)))
        return DomainError::validation(field, QStringLiteral("%1 must be at most %2 characters, without NUL").arg(field).arg(maxLength));
    return std::optional<QString>(v.toString());
}

Result<TemplateService::TemplateDraft> draftOf(const QJsonObject &o)
{
    TemplateService::TemplateDraft d;
    Result<std::optional<QString>> name = text(o, QStringLiteral("name"), 200);
    if (!name)
        return name.error();
    Result<std::optional<QString>> body = text(o, QStringLiteral("body"), 65536);
    if (!body)
        return body.error();
    d.name = name.value();
    d.body = body.value();
    if (o.contains(QStringLiteral("media_id"))) {
        Result<std::optional<QString>> media = text(o, QStringLiteral("media_id"), 64);
        if (!media)
            return media.error();
        d.mediaId = media.value().value_or(QString()); // null removes the media
    }
    return d;
}

} // namespace

void TemplateController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    const std::optional<Permission> manage = Permission::ManageClients;
    routes.add("POST", QStringLiteral("/api/templates"), manage, std::bind(&TemplateController::create, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/templates"), manage, std::bind(&TemplateController::list, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/templates/:templateId"), manage, std::bind(&TemplateController::get, this, _1, _2));
    routes.add("PATCH", QStringLiteral("/api/templates/:templateId"), manage, std::bind(&TemplateController::update, this, _1, _2));
    routes.add("DELETE", QStringLiteral("/api/templates/:templateId"), manage, std::bind(&TemplateController::remove, this, _1, _2));
    routes.add("POST", QStringLiteral("/api/templates/:templateId/preview"), manage, std::bind(&TemplateController::preview, this, _1, _2));
}

Result<HttpResponse> TemplateController::create(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<TemplateService::TemplateDraft> draft = draftOf(body.value());
    if (!draft)
        return draft.error();
    Result<TemplateRecord> created = m_templates.create(ctx, draft.value());
    if (!created)
        return created.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Template created")},
                                          {QStringLiteral("template"), templateJson(created.value())}},
                              201);
}

Result<HttpResponse> TemplateController::list(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request, 50, 500);
    if (!page)
        return page.error();
    Result<TemplateService::Page> found = m_templates.list(ctx, page.value().limit, page.value().offset);
    if (!found)
        return found.error();
    QJsonArray rows;
    for (const TemplateRecord &t : found.value().templates)
        rows.append(templateJson(t));
    return HttpResponse::json(QJsonObject{{QStringLiteral("templates"), rows},
                                          {QStringLiteral("total"), found.value().total},
                                          {QStringLiteral("limit"), page.value().limit},
                                          {QStringLiteral("offset"), page.value().offset}});
}

Result<HttpResponse> TemplateController::get(ApiRequest &request, const AuthContext &ctx)
{
    Result<TemplateRecord> t = m_templates.get(ctx, request.param(QStringLiteral("templateId")));
    if (!t)
        return t.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("template"), templateJson(t.value())}});
}

Result<HttpResponse> TemplateController::update(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<TemplateService::TemplateDraft> change = draftOf(body.value());
    if (!change)
        return change.error();
    Result<TemplateRecord> t = m_templates.update(ctx, request.param(QStringLiteral("templateId")), change.value());
    if (!t)
        return t.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Template updated")},
                                          {QStringLiteral("template"), templateJson(t.value())}});
}

Result<HttpResponse> TemplateController::remove(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_templates.remove(ctx, request.param(QStringLiteral("templateId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Template deleted")}});
}

Result<HttpResponse> TemplateController::preview(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<std::optional<QString>> contactId = text(body.value(), QStringLiteral("contact_id"), 64);
    if (!contactId)
        return contactId.error();
    Result<std::optional<QString>> phone = text(body.value(), QStringLiteral("phone_number"), 40);
    if (!phone)
        return phone.error();
    Result<MessageTemplate::Rendered> rendered = m_templates.preview(ctx, request.param(QStringLiteral("templateId")),
                                                                     contactId.value().value_or(QString()), phone.value().value_or(QString()));
    if (!rendered)
        return rendered.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("text"), rendered.value().text},
                                          {QStringLiteral("missing_variable"), Json::orNull(rendered.value().missing)}});
}

} // namespace wadesk
