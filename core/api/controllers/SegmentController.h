#pragma once

#include "core/api/ApiRoutes.h"
#include "core/messaging/Segments.h"

namespace wadesk {

class Database;

// /api/segments: saved rule sets over the organization's contacts (create, list, get, change,
// delete), their preview {count, sample} and the preview of rules not saved yet
// (POST /api/segments/preview). Admins and managers only (can_manage_clients); another
// organization's segment is 404.
class SegmentController {
public:
    SegmentController(Database &database, const Clock &clock) : m_segments(database, clock) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> create(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> update(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> remove(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> preview(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> previewRules(ApiRequest &request, const AuthContext &ctx);

    SegmentService m_segments;
};

} // namespace wadesk
