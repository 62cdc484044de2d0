#include "api/controllers/ClientController.h"

#include "api/controllers/JsonViews.h"
#include "common/Json.h"
#include "sessions/ClientService.h"

#include <QJsonArray>

namespace wadesk {

void ClientController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    const auto manage = std::optional<Permission>(Permission::ManageClients);
    routes.add("POST", QStringLiteral("/api/clients"), manage, std::bind(&ClientController::create, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/clients"), std::nullopt, std::bind(&ClientController::list, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/clients/:clientId"), std::nullopt, std::bind(&ClientController::get, this, _1, _2));
    routes.add("DELETE", QStringLiteral("/api/clients/:clientId"), manage, std::bind(&ClientController::remove, this, _1, _2));
}

Result<HttpResponse> ClientController::create(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<QString> name = Json::requiredString(body.value(), QStringLiteral("name"), 100);
    if (!name)
        return name.error();
    Result<std::optional<QString>> phone = Json::optionalString(body.value(), QStringLiteral("phone_number"), 40);
    if (!phone)
        return phone.error();
    Result<ClientRecord> client = m_clients.create(ctx, name.value(), phone.value().value_or(QString()));
    if (!client)
        return client.error();
    QJsonObject view = JsonViews::client(client.value());
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Client created successfully")},
                                          {QStringLiteral("client"), view}},
                              201);
}

Result<HttpResponse> ClientController::list(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request);
    if (!page)
        return page.error();
    Result<ClientService::Page> clients = m_clients.list(ctx, page.value().limit, page.value().offset);
    if (!clients)
        return clients.error();
    QJsonArray items;
    for (const ClientRecord &c : clients.value().clients)
        items.append(JsonViews::client(c));
    return HttpResponse::json(QJsonObject{{QStringLiteral("clients"), items},
                                          {QStringLiteral("count"), items.size()},
                                          {QStringLiteral("total"), clients.value().total}});
}

Result<HttpResponse> ClientController::get(ApiRequest &request, const AuthContext &ctx)
{
    Result<ClientRecord> client = m_clients.get(ctx, request.param(QStringLiteral("clientId")));
    if (!client)
        return client.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("client"), JsonViews::client(client.value())}});
}

Result<HttpResponse> ClientController::remove(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_clients.remove(ctx, request.param(QStringLiteral("clientId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Client deleted successfully")}});
}

} // namespace wadesk
