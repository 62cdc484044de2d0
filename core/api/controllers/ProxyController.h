#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class ProxyService;

// /api/proxies: the organization's proxy pool. Admins add, change and remove entries
// (can_manage_organization); admins and managers read them (can_manage_clients). Assigning a
// proxy to a client is PATCH /api/clients/:clientId (ClientController).
class ProxyController {
public:
    explicit ProxyController(ProxyService &proxies) : m_proxies(proxies) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> create(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> update(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> remove(ApiRequest &request, const AuthContext &ctx);

    ProxyService &m_proxies;
};

} // namespace wadesk
