#include "core/api/controllers/WebhookController.h"

#include "core/api/controllers/JsonViews.h"
#include "core/events/EventPayloads.h"
#include "core/common/Json.h"
#include "core/webhooks/TargetPolicy.h"
#include "core/webhooks/WebhookRequest.h"
#include "core/webhooks/WebhookService.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrl>

namespace wadesk {

namespace {
constexpr int kTestTimeoutMs = 15000;

// A name that does not resolve yet is accepted (see TargetPolicy::checkRegistration); the answer
// says so, so that a typo does not go unnoticed until the first delivery fails.
QString unresolvedWarning(const QString &host)
{
    return QStringLiteral("The host %1 does not resolve yet. The webhook is saved; each delivery resolves it again "
                          "and is retried while it does not resolve.")
        .arg(host);
}

QJsonObject hookView(const WebhookRecord &w)
{
    return QJsonObject{{QStringLiteral("id"), w.id},
                       {QStringLiteral("url"), w.url},
                       {QStringLiteral("events"), QJsonArray::fromStringList(w.events)},
                       {QStringLiteral("active"), w.active},
                       {QStringLiteral("headers"), QJsonArray::fromStringList(w.headers.keys())},
                       {QStringLiteral("disabled_reason"), Json::orNull(w.disabledReason)},
                       {QStringLiteral("consecutive_failures"), w.consecutiveFailures},
                       {QStringLiteral("total_failures"), w.totalFailures},
                       {QStringLiteral("failing_since"), Json::isoTime(w.failingSince)},
                       {QStringLiteral("last_success_at"), Json::isoTime(w.lastSuccessAt)},
                       {QStringLiteral("last_failure_at"), Json::isoTime(w.lastFailureAt)},
                       {QStringLiteral("created_at"), Json::isoTime(w.createdAt)}};
}

QJsonObject deliveryView(const DeliveryRecord &d)
{
    return QJsonObject{{QStringLiteral("id"), d.id},
                       {QStringLiteral("webhook_id"), d.webhookId},
                       {QStringLiteral("event_id"), d.eventId},
                       {QStringLiteral("event"), d.eventType},
                       {QStringLiteral("status"), d.status},
                       {QStringLiteral("attempts"), d.attempts},
                       {QStringLiteral("last_status_code"), d.lastStatusCode > 0 ? QJsonValue(d.lastStatusCode) : QJsonValue()},
                       {QStringLiteral("last_error"), Json::orNull(d.lastError)},
                       {QStringLiteral("next_attempt_at"),
                        d.status == QLatin1String("pending") || d.status == QLatin1String("retrying") ? Json::isoTime(d.nextAttemptAt)
                                                                                                       : QJsonValue()},
                       {QStringLiteral("response_excerpt"), Json::orNull(d.responseExcerpt)},
                       {QStringLiteral("created_at"), Json::isoTime(d.createdAt)},
                       {QStringLiteral("delivered_at"), Json::isoTime(d.deliveredAt)}};
}

Result<WebhookService::Input> readInput(const QJsonObject &body)
{
    WebhookService::Input in;
    Result<std::optional<QString>> url = Json::optionalString(body, QStringLiteral("url"), 2048);
    if (!url)
        return url.error();
    in.url = url.value();
    const QJsonValue events = body.value(QStringLiteral("events"));
    if (!events.isUndefined() && !events.isNull()) {
        if (!events.isArray())
            return DomainError::validation(QStringLiteral("events"), QStringLiteral("events must be an array of event names"));
        QStringList list;
        for (const QJsonValue &e : events.toArray()) {
            if (!e.isString())
                return DomainError::validation(QStringLiteral("events"), QStringLiteral("events must be an array of event names"));
            list << e.toString();
        }
        in.events = list;
    }
    const QJsonValue headers = body.value(QStringLiteral("headers"));
    if (!headers.isUndefined() && !headers.isNull()) {
        if (!headers.isObject())
            return DomainError::validation(QStringLiteral("headers"), QStringLiteral("headers must be an object of strings"));
        in.headers = headers.toObject();
    }
    Result<std::optional<bool>> active = Json::optionalBool(body, QStringLiteral("active"));
    if (!active)
        return active.error();
    in.active = active.value();
    return in;
}
} // namespace

WebhookController::WebhookController(WebhookService &webhooks, QObject *threadContext, const Clock &clock)
    : m_webhooks(webhooks)
    , m_context(threadContext)
    , m_clock(clock)
{
}

WebhookController::~WebhookController()
{
    delete m_network;
}

void WebhookController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    const auto manage = std::optional<Permission>(Permission::ManageWebhooks);
    routes.add("POST", QStringLiteral("/api/webhooks/broadcast"), manage, std::bind(&WebhookController::broadcast, this, _1, _2));
    routes.addDeferred("POST", QStringLiteral("/api/webhooks"), manage,
                       [this, &routes](ApiRequest &r, const AuthContext &c, Reply reply) { create(routes, r, c, reply); });
    routes.add("GET", QStringLiteral("/api/webhooks"), manage, std::bind(&WebhookController::list, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/webhooks/:webhookId"), manage, std::bind(&WebhookController::get, this, _1, _2));
    routes.addDeferred("PATCH", QStringLiteral("/api/webhooks/:webhookId"), manage,
                       [this, &routes](ApiRequest &r, const AuthContext &c, Reply reply) { update(routes, r, c, reply); });
    routes.add("DELETE", QStringLiteral("/api/webhooks/:webhookId"), manage, std::bind(&WebhookController::remove, this, _1, _2));
    routes.add("POST", QStringLiteral("/api/webhooks/:webhookId/rotate-secret"), manage, std::bind(&WebhookController::rotate, this, _1, _2));
    routes.addDeferred("POST", QStringLiteral("/api/webhooks/:webhookId/test"), manage,
                       [this, &routes](ApiRequest &r, const AuthContext &c, Reply reply) { test(routes, r, c, reply); });
    routes.add("GET", QStringLiteral("/api/webhooks/:webhookId/deliveries"), manage, std::bind(&WebhookController::deliveries, this, _1, _2));
    routes.add("POST", QStringLiteral("/api/webhooks/deliveries/:deliveryId/retry"), manage, std::bind(&WebhookController::retry, this, _1, _2));
}

void WebhookController::create(ApiRoutes &routes, ApiRequest &request, const AuthContext &ctx, Reply reply)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return reply.send(HttpResponse::error(body.error()));
    Result<WebhookService::Input> input = readInput(body.value());
    if (!input)
        return reply.send(HttpResponse::error(input.error()));
    if (Status s = WebhookService::validate(input.value(), true); !s)
        return reply.send(HttpResponse::error(s.error()));
    const QString host = QUrl(*input.value().url).host();
    const bool allowPrivate = m_webhooks.allowPrivateTargets();
    // Name resolution can take seconds: off the API thread.
    routes.offload([host]() { return QHostInfo::fromName(host).addresses(); },
                   [this, ctx, input = input.value(), host, allowPrivate, reply](const QList<QHostAddress> &addresses) {
                       if (Status s = TargetPolicy::checkRegistration(host, addresses, allowPrivate); !s)
                           return reply.send(HttpResponse::error(s.error()));
                       Result<WebhookService::Created> created = m_webhooks.create(ctx, input);
                       if (!created)
                           return reply.send(HttpResponse::error(created.error()));
                       QJsonObject view{{QStringLiteral("id"), created.value().webhook.id},
                                        {QStringLiteral("url"), created.value().webhook.url},
                                        {QStringLiteral("events"), QJsonArray::fromStringList(created.value().webhook.events)},
                                        {QStringLiteral("active"), created.value().webhook.active},
                                        {QStringLiteral("secret"), created.value().secret}};
                       QJsonObject answer{{QStringLiteral("message"), QStringLiteral("Webhook registered")}, {QStringLiteral("webhook"), view}};
                       if (addresses.isEmpty())
                           answer.insert(QStringLiteral("warning"), unresolvedWarning(host));
                       reply.send(HttpResponse::json(answer, 201));
                   });
}

void WebhookController::update(ApiRoutes &routes, ApiRequest &request, const AuthContext &ctx, Reply reply)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return reply.send(HttpResponse::error(body.error()));
    Result<WebhookService::Input> input = readInput(body.value());
    if (!input)
        return reply.send(HttpResponse::error(input.error()));
    const WebhookService::Input in = input.value();
    if (!in.url && !in.events && !in.headers && !in.active)
        return reply.send(HttpResponse::error(DomainError::badRequest(QStringLiteral("Nothing to change: send url, events, headers or active"),
                                                                      QStringLiteral("empty_change"))));
    if (Status s = WebhookService::validate(in, false); !s)
        return reply.send(HttpResponse::error(s.error()));
    const QString webhookId = request.param(QStringLiteral("webhookId"));
    auto apply = [this, ctx, in, webhookId, reply](const QString &warning) {
        Result<WebhookRecord> updated = m_webhooks.update(ctx, webhookId, in);
        if (!updated)
            return reply.send(HttpResponse::error(updated.error()));
        QJsonObject answer{{QStringLiteral("message"), QStringLiteral("Webhook updated")}, {QStringLiteral("webhook"), hookView(updated.value())}};
        if (!warning.isEmpty())
            answer.insert(QStringLiteral("warning"), warning);
        reply.send(HttpResponse::json(answer));
    };
    if (!in.url)
        return apply(QString());
    const QString host = QUrl(*in.url).host();
    const bool allowPrivate = m_webhooks.allowPrivateTargets();
    routes.offload([host]() { return QHostInfo::fromName(host).addresses(); },
                   [apply, host, allowPrivate, reply](const QList<QHostAddress> &addresses) {
                       if (Status s = TargetPolicy::checkRegistration(host, addresses, allowPrivate); !s)
                           return reply.send(HttpResponse::error(s.error()));
                       apply(addresses.isEmpty() ? unresolvedWarning(host) : QString());
                   });
}

void WebhookController::test(ApiRoutes &routes, ApiRequest &request, const AuthContext &ctx, Reply reply)
{
    Result<WebhookRecord> hook = m_webhooks.get(ctx, request.param(QStringLiteral("webhookId")));
    if (!hook)
        return reply.send(HttpResponse::error(hook.error()));
    const WebhookRecord webhook = hook.value();
    const QStringList secrets = m_webhooks.secretsFor(webhook);
    if (secrets.isEmpty())
        return reply.send(HttpResponse::error(DomainError::internal(QStringLiteral("The webhook secret cannot be opened"))));
    const QString host = QUrl(webhook.url).host();
    const bool allowPrivate = m_webhooks.allowPrivateTargets();
    routes.offload([host]() { return QHostInfo::fromName(host).addresses(); },
                   [this, webhook, secrets, host, allowPrivate, reply, ctx](const QList<QHostAddress> &addresses) {
                       if (Status s = TargetPolicy::checkAddresses(host, addresses, allowPrivate); !s)
                           return reply.send(HttpResponse::error(s.error()));
                       const Event event = SystemEvents::test(ctx.organizationId, webhook.id, m_clock);
                       const QByteArray body = QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact);
                       if (!m_network) {
                           m_network = new QNetworkAccessManager();
                           m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
                       }
                       QNetworkReply *net = m_network->post(
                           WebhookRequest::build(webhook, secrets, event.id, event.type, body, event.timestamp / 1000, kTestTimeoutMs), body);
                       auto clock = std::make_shared<QElapsedTimer>();
                       clock->start();
                       QObject::connect(net, &QNetworkReply::finished, m_context, [net, reply, clock]() {
                           net->deleteLater();
                           const int status = net->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                           QJsonObject result{{QStringLiteral("success"), status >= 200 && status < 300},
                                              {QStringLiteral("statusCode"), status > 0 ? QJsonValue(status) : QJsonValue()},
                                              {QStringLiteral("responseTime"), double(clock->elapsed())}};
                           if (status <= 0)
                               result.insert(QStringLiteral("error"), net->errorString());
                           reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Test sent")},
                                                                     {QStringLiteral("result"), result}}));
                       });
                   });
}

Result<HttpResponse> WebhookController::list(ApiRequest &, const AuthContext &ctx)
{
    Result<QList<WebhookRecord>> hooks = m_webhooks.list(ctx);
    if (!hooks)
        return hooks.error();
    QJsonArray items;
    for (const WebhookRecord &w : hooks.value())
        items.append(hookView(w));
    return HttpResponse::json(QJsonObject{{QStringLiteral("webhooks"), items}, {QStringLiteral("count"), items.size()}});
}

Result<HttpResponse> WebhookController::get(ApiRequest &request, const AuthContext &ctx)
{
    Result<WebhookRecord> hook = m_webhooks.get(ctx, request.param(QStringLiteral("webhookId")));
    if (!hook)
        return hook.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("webhook"), hookView(hook.value())}});
}

Result<HttpResponse> WebhookController::remove(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_webhooks.remove(ctx, request.param(QStringLiteral("webhookId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Webhook deleted")}});
}

Result<HttpResponse> WebhookController::rotate(ApiRequest &request, const AuthContext &ctx)
{
    Result<WebhookService::Created> rotated = m_webhooks.rotateSecret(ctx, request.param(QStringLiteral("webhookId")));
    if (!rotated)
        return rotated.error();
    return HttpResponse::json(QJsonObject{
        {QStringLiteral("message"), QStringLiteral("Secret rotated; the previous secret keeps signing for 24 hours")},
        {QStringLiteral("secret"), rotated.value().secret},
        {QStringLiteral("previous_secret_expires_at"), Json::isoTime(rotated.value().webhook.previousSecretExpiresAt)}});
}

Result<HttpResponse> WebhookController::deliveries(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request);
    if (!page)
        return page.error();
    Result<WebhookService::DeliveryPage> rows = m_webhooks.deliveries(ctx, request.param(QStringLiteral("webhookId")),
                                                                      request.queryValue(QStringLiteral("status")), page.value().limit,
                                                                      page.value().offset, page.value().before);
    if (!rows)
        return rows.error();
    QJsonArray items;
    for (const DeliveryRecord &d : rows.value().deliveries)
        items.append(deliveryView(d));
    QJsonObject response{{QStringLiteral("deliveries"), items}, {QStringLiteral("count"), items.size()}};
    JsonViews::addPageInfo(response, rows.value().info);
    return HttpResponse::json(response);
}

Result<HttpResponse> WebhookController::retry(ApiRequest &request, const AuthContext &ctx)
{
    Result<DeliveryRecord> d = m_webhooks.replay(ctx, request.param(QStringLiteral("deliveryId")));
    if (!d)
        return d.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Delivery queued again")},
                                          {QStringLiteral("delivery"), deliveryView(d.value())}});
}

Result<HttpResponse> WebhookController::broadcast(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    Result<QString> event = Json::requiredString(body.value(), QStringLiteral("event"), 60);
    if (!event)
        return event.error();
    const QJsonValue data = body.value().value(QStringLiteral("data"));
    if (!data.isUndefined() && !data.isNull() && !data.isObject())
        return DomainError::validation(QStringLiteral("data"), QStringLiteral("data must be an object"));
    Result<int> reached = m_webhooks.broadcast(ctx, event.value(), data.toObject());
    if (!reached)
        return reached.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Event broadcast")},
                                          {QStringLiteral("organizations"), reached.value()}});
}

} // namespace wadesk
