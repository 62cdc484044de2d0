#include "core/api/controllers/InstanceController.h"

#include "core/cluster/InstanceService.h"
#include "core/common/Json.h"

#include <QJsonArray>

namespace wadesk {

namespace {
QJsonObject view(const InstanceService::Instance &i)
{
    return {{QStringLiteral("id"), i.id},
            {QStringLiteral("host"), i.host},
            {QStringLiteral("version"), i.version},
            {QStringLiteral("started_at"), Json::isoTime(i.startedAt)},
            {QStringLiteral("heartbeat_at"), Json::isoTime(i.heartbeatAt)},
            {QStringLiteral("alive"), i.alive},
            {QStringLiteral("draining"), i.draining},
            {QStringLiteral("sessions"), i.sessions}};
}
} // namespace

void InstanceController::registerRoutes(ApiRoutes &routes)
{
    routes.add("GET", QStringLiteral("/api/instances"), Permission::ManageOrganization,
               [this](ApiRequest &request, const AuthContext &ctx) { return list(request, ctx); });
    routes.add("POST", QStringLiteral("/api/instances/:instanceId/drain"), Permission::ManageOrganization,
               [this](ApiRequest &request, const AuthContext &ctx) { return setDraining(request, ctx, true); });
    routes.add("POST", QStringLiteral("/api/instances/:instanceId/undrain"), Permission::ManageOrganization,
               [this](ApiRequest &request, const AuthContext &ctx) { return setDraining(request, ctx, false); });
}

Result<HttpResponse> InstanceController::list(ApiRequest &, const AuthContext &ctx)
{
    Result<QList<InstanceService::Instance>> instances = m_instances.list(ctx);
    if (!instances)
        return instances.error();
    QJsonArray items;
    for (const InstanceService::Instance &i : instances.value())
        items.append(view(i));
    return HttpResponse::json(QJsonObject{{QStringLiteral("instances"), items}, {QStringLiteral("count"), items.size()}});
}

Result<HttpResponse> InstanceController::setDraining(ApiRequest &request, const AuthContext &ctx, bool draining)
{
    Result<InstanceService::Instance> instance = m_instances.setDraining(ctx, request.param(QStringLiteral("instanceId")), draining);
    if (!instance)
        return instance.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("instance"), view(instance.value())}});
}

} // namespace wadesk
