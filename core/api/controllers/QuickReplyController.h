#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class TemplateService;

// /api/quick-replies: the organization's saved texts for /shortcut in the composer. Everyone who
// sends messages reads them (can_send_messages); admins and managers manage them.
class QuickReplyController {
public:
    explicit QuickReplyController(TemplateService &templates) : m_templates(templates) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> create(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> update(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> remove(ApiRequest &request, const AuthContext &ctx);

    TemplateService &m_templates;
};

} // namespace wadesk
