#pragma once

#include "core/access/AuthContext.h"
#include "core/audit/AuditLog.h"
#include "core/common/DomainError.h"
#include "core/common/Paging.h"

#include <QList>

namespace wadesk {

class Database;

// Reading the audit log: the actor's organization only, for those with can_view_audit_logs.
// (Entries are written by the use cases themselves, through runAudited.)
class AuditService {
public:
    explicit AuditService(Database &database) : m_database(database) {}
    // Newest first, filtered by `query`.
    struct Page {
        QList<AuditEntry> entries;
        PageInfo info; // no total: the guide's audit list never had one
    };
    // Newest first; `before`: the id of an entry (keyset), checked against the organization.
    Result<Page> list(const AuthContext &actor, AuditQuery query, const QString &before = QString());
    // Checks the hash chain of the actor's organization (can_view_audit_logs), as
    // `wadesk --verify-audit` does for every organization.
    Result<AuditLog::Verification> verify(const AuthContext &actor);

private:
    Database &m_database;
};

} // namespace wadesk
