#include "core/api/controllers/ClientController.h"

#include "core/api/controllers/JsonViews.h"
#include "core/cluster/InstanceService.h"
#include "core/leases/LeaseOwners.h"
#include "core/common/Json.h"
#include "core/proxies/ProxyService.h"
#include "core/sessions/ClientActionService.h"
#include "core/sessions/ClientService.h"
#include "core/sessions/ClientStatus.h"
#include "core/sessions/QrPng.h"
#include "core/sessions/SessionControl.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace wadesk {

void ClientController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    const auto manage = std::optional<Permission>(Permission::ManageClients);
    routes.add("POST", QStringLiteral("/api/clients"), manage, std::bind(&ClientController::create, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/clients"), std::nullopt, std::bind(&ClientController::list, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/clients/:clientId"), std::nullopt, std::bind(&ClientController::get, this, _1, _2));
    routes.add("DELETE", QStringLiteral("/api/clients/:clientId"), manage, std::bind(&ClientController::remove, this, _1, _2));
    routes.add("POST", QStringLiteral("/api/clients/:clientId/init"), manage, std::bind(&ClientController::init, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/clients/:clientId/status"), std::nullopt, std::bind(&ClientController::status, this, _1, _2));
    // Deferred: the code of a client another instance runs comes from that instance.
    routes.addDeferred("GET", QStringLiteral("/api/clients/:clientId/qr"), std::nullopt,
                       [this](ApiRequest &r, const AuthContext &c, Reply reply) { qr(r, c, reply); });
    routes.add("POST", QStringLiteral("/api/clients/:clientId/stop"), manage, std::bind(&ClientController::stop, this, _1, _2));
    routes.add("POST", QStringLiteral("/api/clients/:clientId/logout"), manage, std::bind(&ClientController::logout, this, _1, _2));
    routes.add("PATCH", QStringLiteral("/api/clients/:clientId"), manage, std::bind(&ClientController::update, this, _1, _2));
    routes.add("POST", QStringLiteral("/api/clients/:clientId/pause"), manage, std::bind(&ClientController::pause, this, _1, _2));
    routes.add("POST", QStringLiteral("/api/clients/:clientId/resume"), manage, std::bind(&ClientController::resume, this, _1, _2));
    routes.addDeferred("POST", QStringLiteral("/api/clients/:clientId/pairing-code"), manage,
                       [this](ApiRequest &r, const AuthContext &c, Reply reply) { pairingCode(r, c, reply); });
}

QHash<QString, QString> ClientController::owners(const QStringList &clientIds) const
{
    if (!m_database || thisInstanceId().isEmpty())
        return {};
    Result<QHash<QString, QString>> found = liveLeaseOwners(*m_database, clientIds);
    // A failed read shows no owner (and the state this process knows) rather than failing the read.
    return found ? found.value() : QHash<QString, QString>();
}

ClientRecord ClientController::current(ClientRecord c, const QString &owner) const
{
    // Without sessions in this process (an API-only instance) the stored state is all there is;
    // so it is for a client another instance runs (its owner stores its state).
    if (!m_sessions || (!owner.isEmpty() && owner != thisInstanceId()))
        return c;
    const ClientStatus now = ClientStatus::of(c, m_sessions->snapshot(c.id));
    c.status = SessionStates::name(now.state);
    c.stateSince = now.since;
    c.lastError = now.lastError;
    c.phoneNumber = now.phoneNumber;
    return c;
}

Result<HttpResponse> ClientController::update(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    ClientService::Change change;
    Result<std::optional<QString>> name = Json::optionalString(body.value(), QStringLiteral("name"), 100);
    if (!name)
        return name.error();
    change.name = name.value();
    const QJsonValue limits = body.value().value(QStringLiteral("rate_limits"));
    if (!limits.isUndefined() && !limits.isNull()) {
        if (!limits.isObject())
            return DomainError::validation(QStringLiteral("rate_limits"), QStringLiteral("rate_limits must be an object"));
        const QJsonObject o = limits.toObject();
        struct Field {
            const char *name;
            std::optional<int> *target;
            int max;
        };
        for (const Field &f : {Field{"per_minute", &change.perMinute, 1000}, Field{"per_hour", &change.perHour, 60000},
                               Field{"per_day", &change.perDay, 1000000}}) {
            const QJsonValue v = o.value(QLatin1String(f.name));
            if (v.isUndefined() || v.isNull())
                continue;
            if (!v.isDouble() || v.toDouble() != double(v.toInt()) || v.toInt() < 0 || v.toInt() > f.max)
                return DomainError::validation(QStringLiteral("rate_limits.") + QLatin1String(f.name),
                                               QStringLiteral("rate_limits.%1 must be a whole number from 0 (default) to %2").arg(QLatin1String(f.name)).arg(f.max));
            *f.target = v.toInt();
        }
    }
    // proxy_id: "px_…" (that proxy), "auto" (the least used healthy one), null (none).
    std::optional<QString> proxyId;
    const QJsonValue proxyValue = body.value().value(QStringLiteral("proxy_id"));
    if (proxyValue.isNull() && body.value().contains(QStringLiteral("proxy_id"))) {
        proxyId = QString();
    } else if (!proxyValue.isUndefined()) {
        if (!proxyValue.isString() || proxyValue.toString().isEmpty())
            return DomainError::validation(QStringLiteral("proxy_id"), QStringLiteral("proxy_id must be a proxy id, \"auto\" or null"));
        proxyId = proxyValue.toString();
    }
    Result<std::optional<bool>> failover = Json::optionalBool(body.value(), QStringLiteral("proxy_failover"));
    if (!failover)
        return failover.error();
    // instance: the id of an instance that shares this database (the client runs there), or null (unpinned).
    std::optional<QString> pin;
    const QJsonValue instanceValue = body.value().value(QStringLiteral("instance"));
    if (instanceValue.isNull() && body.value().contains(QStringLiteral("instance"))) {
        pin = QString();
    } else if (!instanceValue.isUndefined()) {
        if (!instanceValue.isString() || instanceValue.toString().isEmpty())
            return DomainError::validation(QStringLiteral("instance"), QStringLiteral("instance must be an instance id or null"));
        pin = instanceValue.toString();
    }
    if (!change.name && !change.perMinute && !change.perHour && !change.perDay && !proxyId && !failover.value() && !pin)
        return DomainError::badRequest(QStringLiteral("Nothing to change: send name, rate_limits, proxy_id, proxy_failover or instance"),
                                       QStringLiteral("empty_change"));
    const QString clientId = request.param(QStringLiteral("clientId"));
    if (pin) {
        if (!m_instances)
            return DomainError::unavailable(QStringLiteral("Instances are not known to this process"), QStringLiteral("instances_unavailable"));
        // Checked before anything changes, like the proxy below: an unknown instance changes nothing.
        if (Status s = m_instances->checkPin(ctx, clientId, *pin); !s)
            return s.error();
    }
    if (proxyId || failover.value()) {
        if (!m_proxies)
            return DomainError::unavailable(QStringLiteral("Proxies need the master key, which this instance has not loaded"),
                                            QStringLiteral("proxies_unavailable"));
        // The proxy first: it is what may be refused (404, proxy_full, no_proxy_available), and
        // then nothing else has changed.
        if (proxyId) {
            Result<QString> assigned = m_proxies->assign(ctx, clientId, *proxyId);
            if (!assigned)
                return assigned.error();
        }
        if (failover.value()) {
            if (Status s = m_proxies->setFailover(ctx, clientId, *failover.value()); !s)
                return s.error();
        }
    }
    Result<ClientRecord> updated = change.name || change.perMinute || change.perHour || change.perDay
                                       ? m_actions.update(ctx, clientId, change)
                                       : m_clients.get(ctx, clientId);
    if (!updated)
        return updated.error();
    if (pin) {
        if (Status s = m_instances->pin(ctx, clientId, *pin); !s)
            return s.error();
    }
    const QString owner = ownerOf(updated.value().id);
    QJsonObject view = JsonViews::client(current(updated.value(), owner), owner);
    if (pin)
        view.insert(QStringLiteral("pinned_instance"), pin->isEmpty() ? QJsonValue() : QJsonValue(*pin));
    view.insert(QStringLiteral("rate_limits"), QJsonObject{{QStringLiteral("per_minute"), updated.value().ratePerMinute},
                                                           {QStringLiteral("per_hour"), updated.value().ratePerHour},
                                                           {QStringLiteral("per_day"), updated.value().ratePerDay}});
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Client updated")}, {QStringLiteral("client"), view}});
}

Result<HttpResponse> ClientController::pause(ApiRequest &request, const AuthContext &ctx)
{
    const QString clientId = request.param(QStringLiteral("clientId"));
    if (Status s = m_actions.pause(ctx, clientId); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Client paused")},
                                          {QStringLiteral("clientId"), clientId},
                                          {QStringLiteral("status"), QStringLiteral("paused")}});
}

Result<HttpResponse> ClientController::resume(ApiRequest &request, const AuthContext &ctx)
{
    const QString clientId = request.param(QStringLiteral("clientId"));
    if (Status s = m_actions.resume(ctx, clientId); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Client resumed")},
                                          {QStringLiteral("clientId"), clientId}});
}

Result<HttpResponse> ClientController::init(ApiRequest &request, const AuthContext &ctx)
{
    const QString clientId = request.param(QStringLiteral("clientId"));
    Result<ClientActionService::Started> started = m_actions.start(ctx, clientId);
    if (!started)
        return started.error();
    return HttpResponse::json(QJsonObject{
        {QStringLiteral("message"), started.value().alreadyRunning ? QStringLiteral("Client already running")
                                                                   : QStringLiteral("Client initialization started")},
        {QStringLiteral("clientId"), clientId},
        {QStringLiteral("status"), SessionStates::name(started.value().state)}});
}

Result<HttpResponse> ClientController::status(ApiRequest &request, const AuthContext &ctx)
{
    Result<ClientRecord> client = m_clients.get(ctx, request.param(QStringLiteral("clientId")));
    if (!client)
        return client.error();
    const QString owner = ownerOf(client.value().id);
    std::optional<SessionSnapshot> live = m_sessions ? m_sessions->snapshot(client.value().id) : std::nullopt;
    if (!owner.isEmpty() && owner != thisInstanceId())
        live.reset(); // runs on another instance: what its owner stored is what there is
    const ClientRecord c = current(client.value(), owner);
    QJsonObject deviceInfo = QJsonDocument::fromJson(c.deviceInfo.toUtf8()).object();
    const QString &status = c.status;
    const qint64 since = c.stateSince;
    const QString &lastError = c.lastError;
    const QString &phone = c.phoneNumber;
    bool qrAvailable = false;
    QString waJs = m_sessions ? m_sessions->waJsVersion() : QString();
    if (live) {
        qrAvailable = live->state == SessionState::Qr && !live->qrText.isEmpty();
        if (live->state == SessionState::LoggedOut)
            deviceInfo = QJsonObject();
        else if (!live->deviceInfo.isEmpty())
            deviceInfo = live->deviceInfo;
        if (!live->waJsVersion.isEmpty())
            waJs = live->waJsVersion;
    }
    return HttpResponse::json(QJsonObject{{QStringLiteral("id"), c.id},
                                          {QStringLiteral("name"), c.name},
                                          {QStringLiteral("status"), status},
                                          {QStringLiteral("phoneNumber"), Json::orNull(phone)},
                                          {QStringLiteral("deviceInfo"), deviceInfo},
                                          {QStringLiteral("state_since"), Json::isoTime(since)},
                                          {QStringLiteral("qr_available"), qrAvailable},
                                          {QStringLiteral("instance"), Json::orNull(owner)},
                                          {QStringLiteral("wa_js_version"), Json::orNull(waJs)},
                                          {QStringLiteral("last_error"), Json::orNull(lastError)}});
}

void ClientController::qr(ApiRequest &request, const AuthContext &ctx, Reply reply)
{
    // Who may see it and whether there is one first (403/404/503 before 400, as the API has
    // always answered), then the format.
    const QString format = request.queryValue(QStringLiteral("format"));
    m_actions.qrCode(ctx, request.param(QStringLiteral("clientId")), m_context, [reply, format](Result<ClientActionService::QrCode> code) {
        if (!code)
            return reply.send(HttpResponse::error(code.error()));
        if (!format.isEmpty() && format != QLatin1String("json") && format != QLatin1String("png"))
            return reply.send(HttpResponse::error(DomainError::validation(QStringLiteral("format"), QStringLiteral("format must be png or json"))));
        const QByteArray png = QrPng::render(code->text);
        if (format == QLatin1String("json"))
            return reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("qr"), code->text},
                                                             {QStringLiteral("data_url"), QStringLiteral("data:image/png;base64,") + QString::fromLatin1(png.toBase64())},
                                                             {QStringLiteral("expires_at"), Json::isoTime(code->expiresAt)}})
                                  .withHeader("Cache-Control", "no-store"));
        reply.send(HttpResponse::raw(png, "image/png").withHeader("Cache-Control", "no-store"));
    });
}

void ClientController::pairingCode(ApiRequest &request, const AuthContext &ctx, Reply reply)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return reply.send(HttpResponse::error(body.error()));
    Result<QString> phone = Json::requiredString(body.value(), QStringLiteral("phone"), 40);
    if (!phone)
        return reply.send(HttpResponse::error(phone.error()));
    const QString clientId = request.param(QStringLiteral("clientId"));
    m_actions.pairingCode(ctx, clientId, phone.value(), m_context, [reply, clientId](Result<ClientActionService::PairingCode> code) {
        if (!code)
            return reply.send(HttpResponse::error(code.error()));
        reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("code"), code->code},
                                                  {QStringLiteral("phone"), code->phoneNumber},
                                                  {QStringLiteral("clientId"), clientId},
                                                  {QStringLiteral("message"),
                                                   QStringLiteral("On the phone: WhatsApp → Settings → Linked devices → Link a device → "
                                                                  "Link with phone number instead, then type this code")}})
                       .withHeader("Cache-Control", "no-store"));
    });
}

Result<HttpResponse> ClientController::stop(ApiRequest &request, const AuthContext &ctx)
{
    const QString clientId = request.param(QStringLiteral("clientId"));
    if (Status s = m_actions.stop(ctx, clientId); !s)
        return s.error();
    // The same answer for a client that was not running: the outcome is the same.
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Client stopped")},
                                          {QStringLiteral("clientId"), clientId},
                                          {QStringLiteral("status"), QStringLiteral("stopped")}});
}

Result<HttpResponse> ClientController::logout(ApiRequest &request, const AuthContext &ctx)
{
    const QString clientId = request.param(QStringLiteral("clientId"));
    Result<SessionState> was = m_actions.logout(ctx, clientId);
    if (!was)
        return was.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Logout requested")},
                                          {QStringLiteral("clientId"), clientId},
                                          {QStringLiteral("status"), SessionStates::name(was.value())}});
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
    QJsonObject view = JsonViews::client(current(client.value()));
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
    // Written straight to bytes: per-row QJsonObjects cost more than the query on this route.
    const QList<ClientRecord> &rows = clients.value().clients;
    Json::Writer out(64 + rows.size() * 256);
    out.beginObject().key(QLatin1String("clients")).beginArray();
    QStringList ids;
    for (const ClientRecord &c : rows)
        ids << c.id;
    const QHash<QString, QString> running = owners(ids);
    for (const ClientRecord &c : rows) {
        const QString owner = running.value(c.id);
        JsonViews::writeClient(out, current(c, owner), owner);
    }
    out.endArray()
        .key(QLatin1String("count")).value(qint64(rows.size()))
        .key(QLatin1String("total")).value(clients.value().total)
        .endObject();
    return HttpResponse::raw(out.take(), QByteArrayLiteral("application/json"));
}

Result<HttpResponse> ClientController::get(ApiRequest &request, const AuthContext &ctx)
{
    Result<ClientRecord> client = m_clients.get(ctx, request.param(QStringLiteral("clientId")));
    if (!client)
        return client.error();
    const QString owner = ownerOf(client.value().id);
    return HttpResponse::json(QJsonObject{{QStringLiteral("client"), JsonViews::client(current(client.value(), owner), owner)}});
}

Result<HttpResponse> ClientController::remove(ApiRequest &request, const AuthContext &ctx)
{
    const QString clientId = request.param(QStringLiteral("clientId"));
    if (Status s = m_actions.remove(ctx, clientId); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Client deleted successfully")}});
}

} // namespace wadesk
