#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class InstanceService;

// GET /api/instances, POST /api/instances/:instanceId/drain and /undrain (admins): the
// instances that share this database (docs/DESIGN.md §9).
class InstanceController {
public:
    explicit InstanceController(InstanceService &instances) : m_instances(instances) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> setDraining(ApiRequest &request, const AuthContext &ctx, bool draining);
    InstanceService &m_instances;
};

} // namespace wadesk
