#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class AutoReplyService;

// /api/auto-replies (create, list, get, update, delete): auto-reply rules (docs/auto-replies.md).
// Admins and managers (can_manage_clients); others 403.
class AutoReplyController {
public:
    explicit AutoReplyController(AutoReplyService &rules) : m_rules(rules) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> create(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> update(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> remove(ApiRequest &request, const AuthContext &ctx);

    AutoReplyService &m_rules;
};

} // namespace wadesk
