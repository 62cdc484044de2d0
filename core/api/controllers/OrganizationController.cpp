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
    const QJsonValue zone = body.value().value(QStringLiteral("time_zone"));
    if (!zone.isString())
        return DomainError::validation(QStringLiteral("time_zone"), QStringLiteral("time_zone is required and must be a string"));
    Result<OrganizationInfo> o = m_organizations.setTimeZone(ctx, zone.toString());
    if (!o)
        return o.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("organization"), organizationView(o.value())}});
}

} // namespace wadesk
