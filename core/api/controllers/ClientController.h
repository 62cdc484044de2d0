#pragma once

#include "api/ApiRoutes.h"

namespace wadesk {

class ClientService;

// /api/clients records (the live session comes with the WhatsApp engine).
class ClientController {
public:
    explicit ClientController(ClientService &clients) : m_clients(clients) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> create(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> remove(ApiRequest &request, const AuthContext &ctx);
    ClientService &m_clients;
};

} // namespace wadesk
