#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class PasswordHasher;
class TeamService;

// /api/team/members and client assignments (can_manage_team).
class TeamController {
public:
    TeamController(TeamService &team, const PasswordHasher &hasher) : m_team(team), m_hasher(hasher) {}
    void registerRoutes(ApiRoutes &routes);

private:
    void create(ApiRoutes &routes, ApiRequest &request, const AuthContext &ctx, Reply reply);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> update(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> remove(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> assign(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> unassign(ApiRequest &request, const AuthContext &ctx);

    TeamService &m_team;
    const PasswordHasher &m_hasher;
};

} // namespace wadesk
