#pragma once

#include "core/auth/PasswordHasher.h"

#include <QtGlobal>

namespace wadesk {

// The `auth/...` settings: how passwords are hashed and how long sign-ins last.
struct AuthSettings {
    PasswordHasher::Cost passwordCost = PasswordHasher::Cost::Interactive; // Minimal: tests only
    qint64 jwtLifetimeSeconds = 24 * 3600;
    // How long a checked token or API key is trusted before the user row is read again: a role
    // change or a removal takes effect within this time on every thread.
    int authCacheMs = 5000;
};

} // namespace wadesk
