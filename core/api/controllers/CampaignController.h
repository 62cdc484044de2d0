#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class CampaignService;

// /api/campaigns (create, list, get, start, pause, resume, cancel, recipients) and the campaign
// analytics /api/analytics/campaigns/:campaignId and its export (format=csv|json). Managing
// needs can_manage_clients (admins, managers); reading can_view_analytics (viewers: campaigns
// whose clients are all assigned to them); agents 403.
class CampaignController {
public:
    explicit CampaignController(CampaignService &campaigns) : m_campaigns(campaigns) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<HttpResponse> create(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> list(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> get(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> act(ApiRequest &request, const AuthContext &ctx, const QString &action);
    Result<HttpResponse> recipients(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> analytics(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> exportReport(ApiRequest &request, const AuthContext &ctx);

    CampaignService &m_campaigns;
};

} // namespace wadesk
