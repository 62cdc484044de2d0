#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class Database;

// GET /api/audit-logs (can_view_audit_logs) with filters user_id, action, since, until.
class AuditController {
public:
    explicit AuditController(Database &database) : m_database(database) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Database &m_database;
};

} // namespace wadesk
