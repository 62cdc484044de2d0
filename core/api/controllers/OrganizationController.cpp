#include "core/api/controllers/OrganizationController.h"

#include "core/auth/OrganizationService.h"
#include "core/common/Json.h"

namespace wadesk {

namespace {
QJsonObject organizationView(const OrganizationInfo &o)
{
    return QJsonObject{{QStringLiteral("id"), o.id},
                       {QStringLiteral("name"), o.name},
                       {QStringLiteral("time_zone"), o.timeZone},
                       {QStringLiteral("created_at"), Json::isoTime(o.createdAt)},
                       {QStringLiteral("updated_at"), Json::isoTime(o.updatedAt)}};
}
} // namespace

void OrganizationController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    routes.add("GET", QStringLiteral("/api/organization"), std::nullopt, std::bind(&OrganizationController::get, this, _1, _2));
    routes.add("PATCH", QStringLiteral("/api/organization"), Permission::ManageOrganization,
               std::bind(&OrganizationController::update, this, _1, _2));
}

Result<HttpResponse> OrganizationController::get(ApiRequest &, const AuthContext &ctx)
{
    Result<OrganizationInfo> o = m_organizations.get(ctx);
    if (!o)
        return o.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("organization"), organizationView(o.value())}});
}

Result<HttpResponse> OrganizationController::update(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    // Either or both; anything else in the body is refused rather than ignored.
    for (auto it = body.value().constBegin(); it != body.value().constEnd(); ++it) {
        if (it.key() != QLatin1String("name") && it.key() != QLatin1String("time_zone"))
            return DomainError::validation(it.key(), QStringLiteral("%1 cannot be changed here; name and time_zone can").arg(it.key().left(64)));
    }
    OrganizationService::Change change;
    Result<std::optional<QString>> name = Json::optionalString(body.value(), QStringLiteral("name"), 200);
    if (!name)
        return name.error();
    change.name = name.value();
    // The zone's text goes to the service as it is: it answers invalid_time_zone for any string
    // that names no zone, however odd.
    const QJsonValue zone = body.value().value(QStringLiteral("time_zone"));
    if (!zone.isUndefined() && !zone.isString())
        return DomainError::validation(QStringLiteral("time_zone"), QStringLiteral("time_zone must be a string"));
    if (zone.isString())
        change.timeZone = zone.toString();
    if (!change.name && !change.timeZone)
        return DomainError::validation(QStringLiteral("time_zone"), QStringLiteral("give name and/or time_zone"));
    Result<OrganizationInfo> o = m_organizations.update(ctx, change);
    if (!o)
        return o.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("organization"), organizationView(o.value())}});
}

} // namespace wadesk
