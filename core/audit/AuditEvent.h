#pragma once

#include "core/audit/AuditLog.h"
#include "core/access/AuthContext.h"

namespace wadesk {

// An audit entry made by the caller `actor` (who, from where, in which organization).
inline AuditEntry auditBy(const AuthContext &actor, const QString &action, const QString &resource,
                          const QString &resourceId, const QJsonObject &details = {})
{
    AuditEntry e;
    e.organizationId = actor.organizationId;
    e.userId = actor.userId;
    e.action = action;
    e.resource = resource;
    e.resourceId = resourceId;
    e.details = details;
    e.ipAddress = actor.ipAddress;
    if (!actor.apiKeyId.isEmpty())
        e.details.insert(QStringLiteral("api_key_id"), actor.apiKeyId);
    return e;
}

} // namespace wadesk
