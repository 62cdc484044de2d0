#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class OrganizationService;

// GET /api/organization (any member: id, name, time_zone) and PATCH /api/organization
// ({time_zone}; can_manage_organization). The rights are OrganizationService's.
class OrganizationController {
public:
    explicit OrganizationController(OrganizationService &organizations) : m_organizations(organizations) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> update(ApiRequest &request, const AuthContext &ctx);

    OrganizationService &m_organizations;
};

} // namespace wadesk
