#include "core/audit/AuditService.h"

#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"

namespace wadesk {

Result<AuditService::Page> AuditService::list(const AuthContext &actor, AuditQuery query, const QString &before)
{
    if (Status s = actor.require(Permission::ViewAuditLogs); !s)
        return s.error();
    SqlRunner sql(m_database);
    AuditLog audit(sql);
    if (!before.isEmpty()) {
        // Checked before any SQL (QPSQL inlines values); another organization's entry is
        // refused like a malformed id, so a cursor tells nothing.
        const auto badCursor = [] {
            return DomainError::badRequest(QStringLiteral("before must be the id of an audit log entry"), QStringLiteral("invalid_cursor"));
        };
        if (!Ids::looksValid(before, "log"))
            return badCursor();
        Result<std::optional<qint64>> seq = audit.position(actor.organizationId, before);
        if (!seq)
            return seq.error();
        if (!seq.value())
            return badCursor();
        query.beforeSeq = *seq.value();
    }
    const int limit = query.limit;
    query.limit = limit + 1; // one more, to learn whether more follow
    Result<QList<AuditEntry>> rows = audit.list(actor.organizationId, query);
    if (!rows)
        return rows.error();
    Page page;
    page.entries = rows.value();
    page.info = Paging::trim(page.entries, limit, [](const AuditEntry &e) { return e.id; });
    return page;
}

Result<AuditLog::Verification> AuditService::verify(const AuthContext &actor)
{
    if (Status s = actor.require(Permission::ViewAuditLogs); !s)
        return s.error();
    SqlRunner sql(m_database);
    return AuditLog(sql).verify(actor.organizationId);
}

} // namespace wadesk
