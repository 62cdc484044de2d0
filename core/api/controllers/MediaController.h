#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class MediaService;

// /api/media (upload, list, info, download, delete) and /api/analytics/storage (the
// organization's storage use and quota). The rights are MediaService's; see there.
class MediaController {
public:
    explicit MediaController(MediaService &media) : m_media(media) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> upload(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> download(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> remove(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> storage(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> setStorageLimit(ApiRequest &request, const AuthContext &ctx);

    MediaService &m_media;
};

} // namespace wadesk
