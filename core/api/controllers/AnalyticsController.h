#pragma once

#include "core/api/ApiRoutes.h"

namespace wadesk {

class AnalyticsService;
struct AnalyticsRange;

// /api/analytics/{stats, metrics, rates, response-times, heatmap, clients, members} and the
// exports /api/analytics/messages/export and /api/analytics/metrics/export (can_view_analytics:
// admins, managers, viewers for their assigned clients). /api/analytics/storage is
// MediaController's. Query: startDate, endDate (YYYY-MM-DD, the organization's days), clientId,
// and format=csv|json for the exports.
class AnalyticsController {
public:
    explicit AnalyticsController(AnalyticsService &analytics) : m_analytics(analytics) {}
    void registerRoutes(ApiRoutes &routes);

private:
    Result<AnalyticsRange> rangeOf(const ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> stats(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> metrics(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> rates(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> responseTimes(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> heatmap(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> clients(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> members(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> exportMessages(ApiRequest &request, const AuthContext &ctx);
    Result<HttpResponse> exportMetrics(ApiRequest &request, const AuthContext &ctx);

    AnalyticsService &m_analytics;
};

} // namespace wadesk
