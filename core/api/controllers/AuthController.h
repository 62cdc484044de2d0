#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class AccountService;
class PasswordHasher;

// POST /api/auth/register and POST /api/auth/login. Password hashing and verification run on
// a worker thread; the API thread never waits for them.
class AuthController {
public:
    AuthController(AccountService &accounts, const PasswordHasher &hasher);
    void registerRoutes(ApiRoutes &routes);

private:
    void registerAccount(ApiRoutes &routes, ApiRequest &request, Reply reply);
    void login(ApiRoutes &routes, ApiRequest &request, Reply reply);

    AccountService &m_accounts;
    const PasswordHasher &m_hasher;
};

} // namespace wadesk
