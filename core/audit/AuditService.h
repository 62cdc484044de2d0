#pragma once

#include "core/access/AuthContext.h"
#include "core/audit/AuditLog.h"
#include "core/common/DomainError.h"

#include <QList>

namespace wadesk {

class Database;

// Reading the audit log: the actor's organization only, for those with can_view_audit_logs.
// (Entries are written by the use cases themselves, through runAudited.)
class AuditService {
public:
    explicit AuditService(Database &database) : m_database(database) {}
    // Newest first, filtered by `query`.
    Result<QList<AuditEntry>> list(const AuthContext &actor, const AuditQuery &query);

private:
    Database &m_database;
};

} // namespace wadesk
