#include "core/audit/AuditService.h"

#include "core/db/SqlRunner.h"

namespace wadesk {

Result<QList<AuditEntry>> AuditService::list(const AuthContext &actor, const AuditQuery &query)
{
    if (Status s = actor.require(Permission::ViewAuditLogs); !s)
        return s.error();
    SqlRunner sql(m_database);
    AuditLog audit(sql);
    return audit.list(actor.organizationId, query);
}

} // namespace wadesk
