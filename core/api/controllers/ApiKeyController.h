#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class ApiKeyService;

// /api/api-keys: create (the key is in the answer once), list, revoke.
class ApiKeyController {
public:
    explicit ApiKeyController(ApiKeyService &keys) : m_keys(keys) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> create(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> revoke(ApiRequest &request, const AuthContext &ctx);
    ApiKeyService &m_keys;
};

} // namespace wadesk
