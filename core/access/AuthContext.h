#pragma once

#include "core/access/Permissions.h"

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
};

} // namespace wadesk
