#include "core/api/controllers/TeamController.h"

#include "core/api/controllers/JsonViews.h"
#include "core/auth/PasswordHasher.h"
#include "core/auth/TeamService.h"
#include "core/common/Json.h"

#include <QJsonArray>

namespace wadesk {

void TeamController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    const auto team = std::optional<Permission>(Permission::ManageTeam);
    routes.addDeferred("POST", QStringLiteral("/api/team/members"), team,
                       [this, &routes](ApiRequest &request, const AuthContext &ctx, Reply reply) {
                           create(routes, request, ctx, reply);
                       });
    routes.add("GET", QStringLiteral("/api/team/members"), team, std::bind(&TeamController::list, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/team/members/:userId"), team, std::bind(&TeamController::get, this, _1, _2));
    routes.add("PATCH", QStringLiteral("/api/team/members/:userId"), team, std::bind(&TeamController::update, this, _1, _2));
    routes.add("DELETE", QStringLiteral("/api/team/members/:userId"), team, std::bind(&TeamController::remove, this, _1, _2));
    routes.add("POST", QStringLiteral("/api/team/members/:userId/clients/:clientId"), team,
               std::bind(&TeamController::assign, this, _1, _2));
    routes.add("DELETE", QStringLiteral("/api/team/members/:userId/clients/:clientId"), team,
               std::bind(&TeamController::unassign, this, _1, _2));
}

void TeamController::create(ApiRoutes &routes, ApiRequest &request, const AuthContext &ctx, Reply reply)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return reply.send(HttpResponse::error(body.error()));
    Result<QString> email = Json::requiredString(body.value(), QStringLiteral("email"), 254);
    Result<QString> name = Json::requiredString(body.value(), QStringLiteral("name"), 100);
    Result<QString> role = Json::requiredString(body.value(), QStringLiteral("role"), 20);
    for (const auto *field : {&email, &name, &role}) {
        if (!*field)
            return reply.send(HttpResponse::error(field->error()));
    }
    const QJsonValue passwordValue = body.value().value(QStringLiteral("password"));
    if (!passwordValue.isString())
        return reply.send(HttpResponse::error(DomainError::validation(QStringLiteral("password"), QStringLiteral("password is required"))));
    const QString password = passwordValue.toString();
    if (Status s = TeamService::validateNewMember(ctx, email.value(), password, name.value(), role.value()); !s)
        return reply.send(HttpResponse::error(s.error()));

    TeamService::NewMember member{email.value(), name.value(), *Permissions::parseRole(role.value()), QString()};
    const PasswordHasher &hasher = m_hasher;
    routes.offload([&hasher, password]() { return hasher.hash(password); },
                   [this, ctx, member, reply](const QString &hash) mutable {
                       member.passwordHash = hash;
                       Result<UserRecord> created = m_team.createMember(ctx, member);
                       if (!created)
                           return reply.send(HttpResponse::error(created.error()));
                       const UserRecord &u = created.value();
                       reply.send(HttpResponse::json(
                           QJsonObject{{QStringLiteral("message"), QStringLiteral("Team member created")},
                                       {QStringLiteral("user"), QJsonObject{{QStringLiteral("id"), u.id},
                                                                            {QStringLiteral("email"), u.email},
                                                                            {QStringLiteral("name"), u.name},
                                                                            {QStringLiteral("role"), Permissions::roleName(u.role)}}}},
                           201));
                   });
}

Result<HttpResponse> TeamController::list(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request);
    if (!page)
        return page.error();
    Result<TeamService::Page> members = m_team.listMembers(ctx, page.value().limit, page.value().offset);
    if (!members)
        return members.error();
    QJsonArray items;
    for (const UserRecord &u : members.value().users)
        items.append(JsonViews::user(u));
    return HttpResponse::json(QJsonObject{{QStringLiteral("members"), items},
                                          {QStringLiteral("count"), items.size()},
                                          {QStringLiteral("total"), members.value().total}});
}

Result<HttpResponse> TeamController::get(ApiRequest &request, const AuthContext &ctx)
{
    const QString userId = request.param(QStringLiteral("userId"));
    Result<UserRecord> user = m_team.getMember(ctx, userId);
    if (!user)
        return user.error();
    Result<QStringList> assigned = m_team.assignedClients(ctx, userId);
    if (!assigned)
        return assigned.error();
    QJsonObject view = JsonViews::user(user.value());
    view.insert(QStringLiteral("assigned_clients"), QJsonArray::fromStringList(assigned.value()));
    return HttpResponse::json(QJsonObject{{QStringLiteral("user"), view}});
}

Result<HttpResponse> TeamController::update(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    TeamService::Change change;
    Result<std::optional<QString>> name = Json::optionalString(body.value(), QStringLiteral("name"), 100);
    if (!name)
        return name.error();
    change.name = name.value();
    Result<std::optional<QString>> role = Json::optionalString(body.value(), QStringLiteral("role"), 20);
    if (!role)
        return role.error();
    if (role.value()) {
        change.role = Permissions::parseRole(*role.value());
        if (!change.role)
            return DomainError::validation(QStringLiteral("role"), QStringLiteral("role must be admin, manager, agent or viewer"));
    }
    Result<std::optional<bool>> active = Json::optionalBool(body.value(), QStringLiteral("active"));
    if (!active)
        return active.error();
    change.active = active.value();
    if (!change.name && !change.role && !change.active)
        return DomainError::badRequest(QStringLiteral("Nothing to change: send name, role or active"), QStringLiteral("empty_change"));
    Result<UserRecord> updated = m_team.updateMember(ctx, request.param(QStringLiteral("userId")), change);
    if (!updated)
        return updated.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Team member updated")},
                                          {QStringLiteral("user"), JsonViews::user(updated.value())}});
}

Result<HttpResponse> TeamController::remove(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_team.removeMember(ctx, request.param(QStringLiteral("userId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Team member removed")}});
}

Result<HttpResponse> TeamController::assign(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_team.assignClient(ctx, request.param(QStringLiteral("userId")), request.param(QStringLiteral("clientId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Client assigned successfully")}});
}

Result<HttpResponse> TeamController::unassign(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_team.unassignClient(ctx, request.param(QStringLiteral("userId")), request.param(QStringLiteral("clientId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Client unassigned successfully")}});
}

} // namespace wadesk
