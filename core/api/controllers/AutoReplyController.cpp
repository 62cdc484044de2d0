#include "core/api/controllers/AutoReplyController.h"

#include "core/autoreplies/AutoReplyService.h"
#include "core/common/Json.h"

#include <QJsonArray>

namespace wadesk {

namespace {

QJsonObject ruleJson(const AutoReplyRule &r)
{
    QJsonObject o{{QStringLiteral("id"), r.id},
                  {QStringLiteral("name"), r.name},
                  {QStringLiteral("kind"), AutoReplyRule::kindName(r.kind)},
                  {QStringLiteral("client_id"), Json::orNull(r.clientId)},
                  {QStringLiteral("match"), r.kind == AutoReplyKind::Keyword ? QJsonValue(AutoReplyRule::matchName(r.match)) : QJsonValue()},
                  {QStringLiteral("keywords"), QJsonArray::fromStringList(r.keywords)},
                  {QStringLiteral("schedule"), r.kind == AutoReplyKind::Away ? QJsonValue(r.schedule.toJson()) : QJsonValue()},
                  {QStringLiteral("reply_text"), r.replyText},
                  {QStringLiteral("template_id"), Json::orNull(r.templateId)},
                  {QStringLiteral("cooldown_seconds"), double(r.cooldownSeconds)},
                  {QStringLiteral("priority"), r.priority},
                  {QStringLiteral("enabled"), r.enabled},
                  {QStringLiteral("created_by"), Json::orNull(r.createdBy)},
                  {QStringLiteral("created_at"), Json::isoTime(r.createdAt)},
                  {QStringLiteral("updated_at"), Json::isoTime(r.updatedAt)}};
    return o;
}

DomainError invalid(const QString &field, const QString &what)
{
    return DomainError::validation(field, QStringLiteral("%1 must be %2").arg(field, what));
}

// A string member: absent → none; null → "" where `nullable` (clears it); no NUL (QPSQL inlines values).
Result<std::optional<QString>> text(const QJsonObject &o, const QString &field, int maxLength, bool nullable)
{
    const QJsonValue v = o.value(field);
    if (v.isUndefined())
        return std::optional<QString>();
    if (v.isNull() && nullable)
        return std::optional<QString>(QString());
    if (!v.isString() || v.toString().size() > maxLength || v.toString().contains(QChar(0)))
        return invalid(field, QStringLiteral("a string of at most %1 characters, without NUL").arg(maxLength));
    return std::optional<QString>(v.toString());
}

Result<AutoReplyService::Draft> draftOf(const QJsonObject &o)
{
    static const QStringList known{QStringLiteral("name"),        QStringLiteral("kind"),        QStringLiteral("client_id"),
                                   QStringLiteral("match"),       QStringLiteral("keywords"),    QStringLiteral("schedule"),
                                   QStringLiteral("reply_text"),  QStringLiteral("template_id"), QStringLiteral("cooldown_seconds"),
                                   QStringLiteral("priority"),    QStringLiteral("enabled"),     QStringLiteral("org_id")};
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        if (!known.contains(it.key()))
            return DomainError::validation(it.key().left(64), QStringLiteral("unknown field %1").arg(it.key().left(64)));
    }
    AutoReplyService::Draft d;
    struct TextField {
        const char *name;
        std::optional<QString> AutoReplyService::Draft::*member;
        int maxLength;
        bool nullable;
    };
    const TextField fields[] = {{"name", &AutoReplyService::Draft::name, 200, false},
                                {"kind", &AutoReplyService::Draft::kind, 20, false},
                                {"client_id", &AutoReplyService::Draft::clientId, 64, true},
                                {"match", &AutoReplyService::Draft::match, 20, false},
                                {"reply_text", &AutoReplyService::Draft::replyText, 65536, true},
                                {"template_id", &AutoReplyService::Draft::templateId, 64, true}};
    for (const TextField &f : fields) {
        Result<std::optional<QString>> v = text(o, QString::fromLatin1(f.name), f.maxLength, f.nullable);
        if (!v)
            return v.error();
        d.*(f.member) = v.value();
    }
    const QJsonValue keywords = o.value(QStringLiteral("keywords"));
    if (!keywords.isUndefined() && !keywords.isNull()) {
        if (!keywords.isArray() || keywords.toArray().size() > AutoReplyService::kMaxKeywords)
            return invalid(QStringLiteral("keywords"), QStringLiteral("a list of at most %1 strings").arg(AutoReplyService::kMaxKeywords));
        QStringList list;
        for (const QJsonValue &k : keywords.toArray()) {
            if (!k.isString() || k.toString().size() > AutoReplyService::kMaxKeywordLength || k.toString().contains(QChar(0)))
                return invalid(QStringLiteral("keywords"),
                               QStringLiteral("a list of strings of at most %1 characters, without NUL").arg(AutoReplyService::kMaxKeywordLength));
            list.append(k.toString());
        }
        d.keywords = list;
    }
    if (o.contains(QStringLiteral("schedule")) && !o.value(QStringLiteral("schedule")).isNull())
        d.schedule = o.value(QStringLiteral("schedule"));
    const QJsonValue cooldown = o.value(QStringLiteral("cooldown_seconds"));
    if (!cooldown.isUndefined() && !cooldown.isNull()) {
        const double v = cooldown.toDouble(-1);
        if (!cooldown.isDouble() || v != double(qint64(v)) || v < 0 || v > 1e12)
            return invalid(QStringLiteral("cooldown_seconds"), QStringLiteral("a whole number of seconds"));
        d.cooldownSeconds = qint64(v);
    }
    const QJsonValue priority = o.value(QStringLiteral("priority"));
    if (!priority.isUndefined() && !priority.isNull()) {
        const double v = priority.toDouble(-1);
        if (!priority.isDouble() || v != double(int(v)) || v < 0 || v > 10000)
            return invalid(QStringLiteral("priority"), QStringLiteral("a whole number from 0 to 10000"));
        d.priority = int(v);
    }
    const QJsonValue enabled = o.value(QStringLiteral("enabled"));
    if (!enabled.isUndefined() && !enabled.isNull()) {
        if (!enabled.isBool())
            return invalid(QStringLiteral("enabled"), QStringLiteral("true or false"));
        d.enabled = enabled.toBool();
    }
    return d;
}

} // namespace

void AutoReplyController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    const std::optional<Permission> manage = Permission::ManageClients;
    routes.add("POST", QStringLiteral("/api/auto-replies"), manage, std::bind(&AutoReplyController::create, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/auto-replies"), manage, std::bind(&AutoReplyController::list, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/auto-replies/:ruleId"), manage, std::bind(&AutoReplyController::get, this, _1, _2));
    routes.add("PATCH", QStringLiteral("/api/auto-replies/:ruleId"), manage, std::bind(&AutoReplyController::update, this, _1, _2));
    routes.add("DELETE", QStringLiteral("/api/auto-replies/:ruleId"), manage, std::bind(&AutoReplyController::remove, this, _1, _2));
}

Result<HttpResponse> AutoReplyController::create(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<AutoReplyService::Draft> draft = draftOf(body.value());
    if (!draft)
        return draft.error();
    Result<AutoReplyRule> created = m_rules.create(ctx, draft.value());
    if (!created)
        return created.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Auto-reply rule created")},
                                          {QStringLiteral("rule"), ruleJson(created.value())}},
                              201);
}

Result<HttpResponse> AutoReplyController::list(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request, 50, 500);
    if (!page)
        return page.error();
    Result<AutoReplyService::Page> found = m_rules.list(ctx, page.value().limit, page.value().offset);
    if (!found)
        return found.error();
    QJsonArray rows;
    for (const AutoReplyRule &r : found.value().rules)
        rows.append(ruleJson(r));
    return HttpResponse::json(QJsonObject{{QStringLiteral("rules"), rows},
                                          {QStringLiteral("total"), found.value().total},
                                          {QStringLiteral("limit"), page.value().limit},
                                          {QStringLiteral("offset"), page.value().offset}});
}

Result<HttpResponse> AutoReplyController::get(ApiRequest &request, const AuthContext &ctx)
{
    Result<AutoReplyRule> r = m_rules.get(ctx, request.param(QStringLiteral("ruleId")));
    if (!r)
        return r.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("rule"), ruleJson(r.value())}});
}

Result<HttpResponse> AutoReplyController::update(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<AutoReplyService::Draft> change = draftOf(body.value());
    if (!change)
        return change.error();
    Result<AutoReplyRule> r = m_rules.update(ctx, request.param(QStringLiteral("ruleId")), change.value());
    if (!r)
        return r.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Auto-reply rule updated")},
                                          {QStringLiteral("rule"), ruleJson(r.value())}});
}

Result<HttpResponse> AutoReplyController::remove(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_rules.remove(ctx, request.param(QStringLiteral("ruleId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Auto-reply rule deleted")}});
}

} // namespace wadesk
