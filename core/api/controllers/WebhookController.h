#pragma once

#include "core/api/ApiRoutes.h"
#include "core/common/Clock.h"

class QNetworkAccessManager;

namespace wadesk {

class WebhookService;

// /api/webhooks (can_manage_webhooks): endpoints, secret rotation, a synchronous signed test,
// the delivery log, replay, and the installation-wide broadcast.
class WebhookController {
public:
    WebhookController(WebhookService &webhooks, QObject *threadContext, const Clock &clock = Clock::system());
    ~WebhookController();
    void registerRoutes(ApiRoutes &routes);

private:
    void create(ApiRoutes &routes, ApiRequest &request, const AuthContext &ctx, Reply reply);
    void update(ApiRoutes &routes, ApiRequest &request, const AuthContext &ctx, Reply reply);
    void test(ApiRoutes &routes, ApiRequest &request, const AuthContext &ctx, Reply reply);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> remove(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> rotate(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> deliveries(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> retry(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> broadcast(ApiRequest &request, const AuthContext &ctx);

    WebhookService &m_webhooks;
    QObject *m_context;
    const Clock &m_clock;
    QNetworkAccessManager *m_network = nullptr;
};

} // namespace wadesk
