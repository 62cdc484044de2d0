#pragma once

#include "core/access/Permissions.h"
#include "core/common/DomainError.h"

#include <QString>

namespace wadesk {

// Who is calling, established from the credentials of one request. The organization always
// comes from here, never from the request body.
struct AuthContext {
    QString userId;
    QString organizationId;
    QString email;
    QString name;
    Role role = Role::Viewer;
    QString apiKeyId; // empty when authenticated with a JWT
    QString ipAddress;

    bool can(Permission p) const { return Permissions::has(role, p); }
    // 403 "Permission denied: <permission> required" unless the role has `p`: the one refusal
    // the route gate and the services answer with.
    Status require(Permission p) const
    {
        if (can(p))
            return {};
        return DomainError::forbidden(QStringLiteral("Permission denied: %1 required").arg(Permissions::name(p)),
                                      QStringLiteral("forbidden"));
    }
};

} // namespace wadesk
