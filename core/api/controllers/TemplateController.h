#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class TemplateService;

// /api/templates (create, list, get, update, delete) and /api/templates/:templateId/preview.
// Admins and managers (can_manage_clients); others 403.
class TemplateController {
public:
    explicit TemplateController(TemplateService &templates) : m_templates(templates) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> create(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> update(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> remove(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> preview(ApiRequest &request, const AuthContext &ctx);

    TemplateService &m_templates;
};

} // namespace wadesk
