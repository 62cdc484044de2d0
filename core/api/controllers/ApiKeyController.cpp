#include "core/api/controllers/ApiKeyController.h"

#include "core/api/controllers/JsonViews.h"
#include "core/auth/ApiKeyService.h"
#include "core/common/Json.h"

#include <QDateTime>
#include <QJsonArray>

namespace wadesk {

void ApiKeyController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    routes.add("POST", QStringLiteral("/api/api-keys"), std::nullopt, std::bind(&ApiKeyController::create, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/api-keys"), std::nullopt, std::bind(&ApiKeyController::list, this, _1, _2));
    routes.add("DELETE", QStringLiteral("/api/api-keys/:keyId"), std::nullopt, std::bind(&ApiKeyController::revoke, this, _1, _2));
}

Result<HttpResponse> ApiKeyController::create(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<QString> name = Json::requiredString(body.value(), QStringLiteral("name"), 100);
    if (!name)
        return name.error();
    qint64 expiresAt = 0;
    const QJsonValue expires = body.value().value(QStringLiteral("expires_at"));
    const QJsonValue days = body.value().value(QStringLiteral("expires_in_days"));
    if (!expires.isUndefined() && !expires.isNull()) {
        const std::optional<qint64> t = expires.isString() ? Json::parseIsoTime(expires.toString()) : std::nullopt;
        if (!t)
            return DomainError::validation(QStringLiteral("expires_at"), QStringLiteral("expires_at must be an ISO-8601 time"));
        expiresAt = *t;
    } else if (!days.isUndefined() && !days.isNull()) {
        if (!days.isDouble() || days.toDouble() < 1 || days.toDouble() > 3650 || days.toDouble() != double(days.toInt()))
            return DomainError::validation(QStringLiteral("expires_in_days"), QStringLiteral("expires_in_days must be 1 to 3650"));
        expiresAt = m_clock.nowMs() + qint64(days.toInt()) * 86400 * 1000;
    }
    Result<ApiKeyService::Created> created = m_keys.create(ctx, name.value(), expiresAt);
    if (!created)
        return created.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("API key created")},
                                          {QStringLiteral("api_key"), created.value().plaintext},
                                          {QStringLiteral("key"), JsonViews::apiKey(created.value().record, m_clock.nowMs())}},
                              201);
}

Result<HttpResponse> ApiKeyController::list(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request);
    if (!page)
        return page.error();
    Result<QList<ApiKeyRecord>> keys = m_keys.list(ctx, page.value().limit, page.value().offset);
    if (!keys)
        return keys.error();
    QJsonArray items;
    const qint64 now = m_clock.nowMs();
    for (const ApiKeyRecord &k : keys.value())
        items.append(JsonViews::apiKey(k, now));
    return HttpResponse::json(QJsonObject{{QStringLiteral("api_keys"), items}, {QStringLiteral("count"), items.size()}});
}

Result<HttpResponse> ApiKeyController::revoke(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_keys.revoke(ctx, request.param(QStringLiteral("keyId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("API key revoked")}});
}

} // namespace wadesk
