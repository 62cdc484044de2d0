#include "core/audit/AuditService.h"

#include "core/db/SqlRunner.h"

namespace wadesk {

Result<QList<AuditEntry>> AuditService::list(const AuthContext &actor, const AuditQuery &query)
{
    if (!actor.can(Permission::ViewAuditLogs))
        return DomainError::forbidden(QStringLiteral("Permission denied: %1 required").arg(Permissions::name(Permission::ViewAuditLogs)),
                                      QStringLiteral("forbidden"));
    SqlRunner sql(m_database);
    AuditLog audit(sql);
    return audit.list(actor.organizationId, query);
}

} // namespace wadesk
