#include "core/api/controllers/AuditController.h"

#include "core/api/controllers/JsonViews.h"
#include "core/audit/AuditService.h"
#include "core/common/Json.h"

#include <QJsonArray>

namespace wadesk {

void AuditController::registerRoutes(ApiRoutes &routes)
{
    routes.add("GET", QStringLiteral("/api/audit-logs"), Permission::ViewAuditLogs,
               [this](ApiRequest &request, const AuthContext &ctx) { return list(request, ctx); });
}

Result<HttpResponse> AuditController::list(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request, 100, 500);
    if (!page)
        return page.error();
    AuditQuery query;
    query.limit = page.value().limit;
    query.offset = page.value().offset;
    query.userId = request.queryValue(QStringLiteral("user_id")).left(64);
    query.action = request.queryValue(QStringLiteral("action")).left(64);
    for (const auto &[field, target] : {std::pair<QString, qint64 *>{QStringLiteral("since"), &query.since},
                                        std::pair<QString, qint64 *>{QStringLiteral("until"), &query.until}}) {
        const QString raw = request.queryValue(field);
        if (raw.isEmpty())
            continue;
        const std::optional<qint64> t = Json::parseIsoTime(raw);
        if (!t)
            return DomainError::validation(field, QStringLiteral("%1 must be an ISO-8601 time").arg(field));
        *target = *t;
    }
    Result<AuditService::Page> entries = m_audit.list(ctx, query, page.value().before);
    if (!entries)
        return entries.error();
    QJsonArray logs;
    for (const AuditEntry &e : entries.value().entries)
        logs.append(JsonViews::auditEntry(e));
    QJsonObject response{{QStringLiteral("logs"), logs}, {QStringLiteral("count"), logs.size()}};
    JsonViews::addPageInfo(response, entries.value().info);
    return HttpResponse::json(response);
}

} // namespace wadesk
