#include "core/api/controllers/ProxyController.h"

#include "core/api/controllers/JsonViews.h"
#include "core/proxies/ProxyService.h"

#include <QJsonArray>
#include <cmath>
#include <limits>

namespace wadesk {

namespace {
// A field that is absent, null or a string: the string as given (no trimming: the rules decide
// what a space means), nullopt when absent or null.
Result<std::optional<QString>> text(const QJsonObject &body, const QString &field)
{
    const QJsonValue v = body.value(field);
    if (v.isUndefined() || v.isNull())
        return std::optional<QString>();
    if (!v.isString())
        return DomainError::validation(field, QStringLiteral("%1 must be a string").arg(field));
    return std::optional<QString>(v.toString());
}

// A whole number; out-of-range values come back as one the rules refuse (never wrapped).
Result<std::optional<int>> wholeNumber(const QJsonObject &body, const QString &field)
{
    const QJsonValue v = body.value(field);
    if (v.isUndefined() || v.isNull())
        return std::optional<int>();
    const double d = v.toDouble();
    if (!v.isDouble() || !std::isfinite(d) || d != std::floor(d))
        return DomainError::validation(field, QStringLiteral("%1 must be a whole number").arg(field));
    if (d > std::numeric_limits<int>::max())
        return std::optional<int>(std::numeric_limits<int>::max());
    if (d < std::numeric_limits<int>::min())
        return std::optional<int>(std::numeric_limits<int>::min());
    return std::optional<int>(int(d));
}

bool isNull(const QJsonObject &body, const QString &field)
{
    return body.contains(field) && body.value(field).isNull();
}
} // namespace

void ProxyController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    const auto manage = std::optional<Permission>(Permission::ManageOrganization);
    const auto read = std::optional<Permission>(Permission::ManageClients);
    routes.add("POST", QStringLiteral("/api/proxies"), manage, std::bind(&ProxyController::create, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/proxies"), read, std::bind(&ProxyController::list, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/proxies/:proxyId"), read, std::bind(&ProxyController::get, this, _1, _2));
    routes.add("PATCH", QStringLiteral("/api/proxies/:proxyId"), manage, std::bind(&ProxyController::update, this, _1, _2));
    routes.add("DELETE", QStringLiteral("/api/proxies/:proxyId"), manage, std::bind(&ProxyController::remove, this, _1, _2));
}

Result<HttpResponse> ProxyController::create(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    const QJsonObject &b = body.value();
    ProxyInput in;
    for (const auto &[field, target] : {std::pair<QString, QString *>{QStringLiteral("type"), &in.type},
                                        {QStringLiteral("host"), &in.host},
                                        {QStringLiteral("username"), &in.username},
                                        {QStringLiteral("password"), &in.password},
                                        {QStringLiteral("label"), &in.label},
                                        {QStringLiteral("country"), &in.country}}) {
        Result<std::optional<QString>> value = text(b, field);
        if (!value)
            return value.error();
        *target = value.value().value_or(QString());
    }
    for (const QString &required : {QStringLiteral("type"), QStringLiteral("host"), QStringLiteral("port")}) {
        if (b.value(required).isUndefined() || b.value(required).isNull())
            return DomainError::validation(required, QStringLiteral("%1 is required").arg(required));
    }
    Result<std::optional<int>> port = wholeNumber(b, QStringLiteral("port"));
    if (!port)
        return port.error();
    in.port = port.value().value_or(0);
    Result<std::optional<int>> maxClients = wholeNumber(b, QStringLiteral("max_clients"));
    if (!maxClients)
        return maxClients.error();
    in.maxClients = maxClients.value();
    Result<ProxyRecord> created = m_proxies.create(ctx, in);
    if (!created)
        return created.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Proxy added")},
                                          {QStringLiteral("proxy"), JsonViews::proxy(created.value())}},
                              201);
}

Result<HttpResponse> ProxyController::list(ApiRequest &, const AuthContext &ctx)
{
    Result<QList<ProxyRecord>> proxies = m_proxies.list(ctx);
    if (!proxies)
        return proxies.error();
    QJsonArray items;
    for (const ProxyRecord &p : proxies.value())
        items.append(JsonViews::proxy(p));
    return HttpResponse::json(QJsonObject{{QStringLiteral("proxies"), items}, {QStringLiteral("count"), items.size()}});
}

Result<HttpResponse> ProxyController::get(ApiRequest &request, const AuthContext &ctx)
{
    Result<ProxyRecord> proxy = m_proxies.get(ctx, request.param(QStringLiteral("proxyId")));
    if (!proxy)
        return proxy.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("proxy"), JsonViews::proxy(proxy.value())}});
}

Result<HttpResponse> ProxyController::update(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    const QJsonObject &b = body.value();
    ProxyPatch patch;
    for (const auto &[field, target] : {std::pair<QString, std::optional<QString> *>{QStringLiteral("type"), &patch.type},
                                        {QStringLiteral("host"), &patch.host},
                                        {QStringLiteral("username"), &patch.username},
                                        {QStringLiteral("password"), &patch.password},
                                        {QStringLiteral("label"), &patch.label},
                                        {QStringLiteral("country"), &patch.country}}) {
        Result<std::optional<QString>> value = text(b, field);
        if (!value)
            return value.error();
        *target = value.value();
    }
    // null: remove the username, the password, the country; the label goes back to host:port.
    if (isNull(b, QStringLiteral("username")))
        patch.username = QString();
    if (isNull(b, QStringLiteral("country")))
        patch.country = QString();
    if (isNull(b, QStringLiteral("label")))
        patch.label = QString();
    patch.clearPassword = isNull(b, QStringLiteral("password"));
    if (isNull(b, QStringLiteral("type")) || isNull(b, QStringLiteral("host")) || isNull(b, QStringLiteral("port"))
        || isNull(b, QStringLiteral("max_clients")))
        return DomainError::validation(isNull(b, QStringLiteral("type"))   ? QStringLiteral("type")
                                       : isNull(b, QStringLiteral("host")) ? QStringLiteral("host")
                                       : isNull(b, QStringLiteral("port")) ? QStringLiteral("port")
                                                                           : QStringLiteral("max_clients"),
                                       QStringLiteral("type, host, port and max_clients cannot be null"));
    Result<std::optional<int>> port = wholeNumber(b, QStringLiteral("port"));
    if (!port)
        return port.error();
    patch.port = port.value();
    Result<std::optional<int>> maxClients = wholeNumber(b, QStringLiteral("max_clients"));
    if (!maxClients)
        return maxClients.error();
    patch.maxClients = maxClients.value();
    if (patch.isEmpty())
        return DomainError::badRequest(
            QStringLiteral("Nothing to change: send type, host, port, username, password, label, country or max_clients"),
            QStringLiteral("empty_change"));
    Result<ProxyRecord> updated = m_proxies.update(ctx, request.param(QStringLiteral("proxyId")), patch);
    if (!updated)
        return updated.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Proxy updated")},
                                          {QStringLiteral("proxy"), JsonViews::proxy(updated.value())}});
}

Result<HttpResponse> ProxyController::remove(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_proxies.remove(ctx, request.param(QStringLiteral("proxyId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Proxy deleted")}});
}

} // namespace wadesk
