#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class AuditService;

// GET /api/audit-logs (can_view_audit_logs) with filters user_id, action, since, until.
class AuditController {
public:
    explicit AuditController(AuditService &audit) : m_audit(audit) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    AuditService &m_audit;
};

} // namespace wadesk
