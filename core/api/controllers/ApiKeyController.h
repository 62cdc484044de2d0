#pragma once

#include "core/api/ApiRoutes.h"
#include "core/common/Clock.h"

namespace wadesk {

class ApiKeyService;

// /api/api-keys: create (the key is in the answer once), list, revoke.
class ApiKeyController {
public:
    explicit ApiKeyController(ApiKeyService &keys, const Clock &clock = Clock::system()) : m_keys(keys), m_clock(clock) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> create(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> revoke(ApiRequest &request, const AuthContext &ctx);
    ApiKeyService &m_keys;
    const Clock &m_clock;
};

} // namespace wadesk
