#include "core/api/controllers/JsonViews.h"

#include "core/media/MediaLibrary.h"

#include "core/common/Json.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace wadesk::JsonViews {

QJsonObject user(const UserRecord &u)
{
    return QJsonObject{
        {QStringLiteral("id"), u.id},
        {QStringLiteral("email"), u.email},
        {QStringLiteral("name"), u.name},
        {QStringLiteral("role"), Permissions::roleName(u.role)},
        {QStringLiteral("organization_id"), u.organizationId},
        {QStringLiteral("active"), u.active},
        {QStringLiteral("created_at"), Json::isoTime(u.createdAt)},
        {QStringLiteral("last_login_at"), Json::isoTime(u.lastLoginAt)},
    };
}

QJsonObject client(const ClientRecord &c, const QString &instance)
{
    return QJsonObject{
        {QStringLiteral("id"), c.id},
        {QStringLiteral("name"), c.name},
        {QStringLiteral("phone_number"), Json::orNull(c.phoneNumber)},
        {QStringLiteral("status"), c.status},
        {QStringLiteral("organization_id"), c.organizationId},
        {QStringLiteral("created_at"), Json::isoTime(c.createdAt)},
        {QStringLiteral("proxy_id"), Json::orNull(c.proxyId)},
        {QStringLiteral("proxy_failover"), c.proxyFailover},
        {QStringLiteral("instance"), Json::orNull(instance)},
    };
}

void writeClient(Json::Writer &out, const ClientRecord &c, const QString &instance)
{
    // Keys in QJsonObject's (sorted) order, so the bytes equal QJsonDocument(client(c)).
    out.beginObject()
        .key(QLatin1String("created_at")).value(Json::isoTime(c.createdAt))
        .key(QLatin1String("id")).value(c.id)
        .key(QLatin1String("instance")).value(Json::orNull(instance))
        .key(QLatin1String("name")).value(c.name)
        .key(QLatin1String("organization_id")).value(c.organizationId)
        .key(QLatin1String("phone_number")).value(Json::orNull(c.phoneNumber))
        .key(QLatin1String("proxy_failover")).value(c.proxyFailover)
        .key(QLatin1String("proxy_id")).value(Json::orNull(c.proxyId))
        .key(QLatin1String("status")).value(c.status)
        .endObject();
}

QJsonObject apiKey(const ApiKeyRecord &k, qint64 now)
{
    const bool active = k.revokedAt == 0 && (k.expiresAt == 0 || k.expiresAt > now);
    return QJsonObject{
        {QStringLiteral("id"), k.id},
        {QStringLiteral("name"), k.name},
        {QStringLiteral("user_id"), k.userId},
        {QStringLiteral("prefix"), k.prefix},
        {QStringLiteral("last_four"), k.lastFour},
        {QStringLiteral("created_at"), Json::isoTime(k.createdAt)},
        {QStringLiteral("last_used_at"), Json::isoTime(k.lastUsedAt)},
        {QStringLiteral("expires_at"), Json::isoTime(k.expiresAt)},
        {QStringLiteral("revoked_at"), Json::isoTime(k.revokedAt)},
        {QStringLiteral("active"), active},
    };
}

QJsonObject auditEntry(const AuditEntry &e)
{
    return QJsonObject{
        {QStringLiteral("id"), e.id},
        {QStringLiteral("user_id"), Json::orNull(e.userId)},
        {QStringLiteral("action"), e.action},
        {QStringLiteral("resource"), e.resource},
        {QStringLiteral("resource_id"), Json::orNull(e.resourceId)},
        {QStringLiteral("details"), e.details},
        {QStringLiteral("ip_address"), Json::orNull(e.ipAddress)},
        {QStringLiteral("timestamp"), Json::isoTime(e.createdAt)},
        {QStringLiteral("seq"), e.seq},
    };
}

QJsonObject proxy(const ProxyRecord &p)
{
    return QJsonObject{
        {QStringLiteral("id"), p.id},
        {QStringLiteral("type"), ProxyEndpoint::typeName(p.type)},
        {QStringLiteral("host"), p.host},
        {QStringLiteral("port"), int(p.port)},
        {QStringLiteral("username"), Json::orNull(p.username)},
        {QStringLiteral("has_password"), p.hasPassword},
        {QStringLiteral("label"), p.label},
        {QStringLiteral("country"), Json::orNull(p.country)},
        {QStringLiteral("max_clients"), p.maxClients},
        {QStringLiteral("clients"), p.clients},
        {QStringLiteral("healthy"), p.healthy ? QJsonValue(*p.healthy) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("latency_ms"), p.latencyMs >= 0 ? QJsonValue(p.latencyMs) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("exit_address"), Json::orNull(p.exitAddress)},
        {QStringLiteral("last_checked_at"), Json::isoTime(p.lastCheckedAt)},
        {QStringLiteral("last_error"), Json::orNull(p.lastError)},
        {QStringLiteral("last_error_at"), Json::isoTime(p.lastErrorAt)},
        {QStringLiteral("created_at"), Json::isoTime(p.createdAt)},
        {QStringLiteral("updated_at"), Json::isoTime(p.updatedAt)},
    };
}

QJsonObject media(const MediaInfo &m)
{
    return QJsonObject{{QStringLiteral("id"), m.id},
                       {QStringLiteral("filename"), m.filename},
                       {QStringLiteral("size"), double(m.size)},
                       {QStringLiteral("mimetype"), m.mimetype},
                       {QStringLiteral("kind"), m.kind},
                       {QStringLiteral("sha256"), m.sha256},
                       {QStringLiteral("created_at"), Json::isoTime(m.createdAt)}};
}

QJsonObject message(const MessageRecord &m)
{
    QJsonObject view{{QStringLiteral("id"), m.id},
                       {QStringLiteral("client_id"), m.clientId},
                       // The guide names the contact by number here.
                       {QStringLiteral("contact_id"), m.contactPhone},
                       {QStringLiteral("contact"), QJsonObject{{QStringLiteral("id"), m.contactId}, {QStringLiteral("phone_number"), m.contactPhone}}},
                       {QStringLiteral("message_text"), m.body},
                       {QStringLiteral("type"), m.type.isEmpty() ? QStringLiteral("text") : m.type},
                       {QStringLiteral("media_id"), Json::orNull(m.mediaId)},
                       {QStringLiteral("caption"), Json::orNull(m.caption)},
                       {QStringLiteral("filename"), Json::orNull(m.filename)},
                       {QStringLiteral("direction"), messageDirectionName(m.direction)},
                       {QStringLiteral("status"), messageStatusName(m.status)},
                       {QStringLiteral("failure_reason"), Json::orNull(m.failureReason)},
                       {QStringLiteral("wa_message_id"), Json::orNull(m.waMessageId)},
                       {QStringLiteral("created_at"), Json::isoTime(m.createdAt)},
                       {QStringLiteral("sending_at"), Json::isoTime(m.sendingAt)},
                       {QStringLiteral("sent_at"), Json::isoTime(m.sentAt)},
                       {QStringLiteral("delivered_at"), Json::isoTime(m.deliveredAt)},
                       {QStringLiteral("read_at"), Json::isoTime(m.readAt)},
                       {QStringLiteral("failed_at"), Json::isoTime(m.failedAt)},
                       // Received messages: the file's fate, edits and deletions by the sender.
                       {QStringLiteral("media_status"), Json::orNull(m.mediaStatus)},
                       {QStringLiteral("media_error"), Json::orNull(m.mediaError)},
                       {QStringLiteral("edited_at"), Json::isoTime(m.editedAt)},
                       {QStringLiteral("revoked_at"), Json::isoTime(m.revokedAt)}};
    // A shared place or contact cards: "location" {latitude, longitude, name, address, url} or
    // "contacts" [{name, vcard}], as in message.received.
    for (const QString &key : {QStringLiteral("location"), QStringLiteral("contacts")}) {
        if (m.details.contains(key))
            view.insert(key, m.details.value(key));
    }
    return view;
}

void writeMessage(Json::Writer &out, const MessageRecord &m)
{
    // Keys in QJsonObject's (sorted) order, so the bytes equal QJsonDocument(message(m)): the
    // history page writes fifty of these per request.
    auto nested = [&m](const QString &key) {
        const QJsonValue v = m.details.value(key);
        return v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                           : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
    };
    out.beginObject()
        .key(QLatin1String("caption")).value(Json::orNull(m.caption))
        .key(QLatin1String("client_id")).value(m.clientId)
        .key(QLatin1String("contact")).beginObject()
            .key(QLatin1String("id")).value(m.contactId)
            .key(QLatin1String("phone_number")).value(m.contactPhone)
        .endObject()
        .key(QLatin1String("contact_id")).value(m.contactPhone);
    if (m.details.contains(QLatin1String("contacts")))
        out.key(QLatin1String("contacts")).raw(nested(QStringLiteral("contacts")));
    out.key(QLatin1String("created_at")).time(m.createdAt)
        .key(QLatin1String("delivered_at")).time(m.deliveredAt)
        .key(QLatin1String("direction")).value(messageDirectionName(m.direction))
        .key(QLatin1String("edited_at")).time(m.editedAt)
        .key(QLatin1String("failed_at")).time(m.failedAt)
        .key(QLatin1String("failure_reason")).value(Json::orNull(m.failureReason))
        .key(QLatin1String("filename")).value(Json::orNull(m.filename))
        .key(QLatin1String("id")).value(m.id);
    if (m.details.contains(QLatin1String("location")))
        out.key(QLatin1String("location")).raw(nested(QStringLiteral("location")));
    out.key(QLatin1String("media_error")).value(Json::orNull(m.mediaError))
        .key(QLatin1String("media_id")).value(Json::orNull(m.mediaId))
        .key(QLatin1String("media_status")).value(Json::orNull(m.mediaStatus))
        .key(QLatin1String("message_text")).value(m.body)
        .key(QLatin1String("read_at")).time(m.readAt)
        .key(QLatin1String("revoked_at")).time(m.revokedAt)
        .key(QLatin1String("sending_at")).time(m.sendingAt)
        .key(QLatin1String("sent_at")).time(m.sentAt)
        .key(QLatin1String("status")).value(messageStatusName(m.status))
        .key(QLatin1String("type")).value(m.type.isEmpty() ? QStringLiteral("text") : m.type)
        .key(QLatin1String("wa_message_id")).value(Json::orNull(m.waMessageId))
        .endObject();
}

QJsonObject rateLimits(const RateLimitStatus &status)
{
    auto tier = [](const TierUsage &u) {
        return QJsonObject{{QStringLiteral("used"), u.used}, {QStringLiteral("limit"), u.limit}, {QStringLiteral("remaining"), u.remaining}};
    };
    return QJsonObject{{QStringLiteral("allowed"), status.allowed},
                       {QStringLiteral("perMinute"), tier(status.rate.minute)},
                       {QStringLiteral("perHour"), tier(status.rate.hour)},
                       {QStringLiteral("perDay"), tier(status.rate.day)},
                       {QStringLiteral("queue_depth"), status.queueDepth},
                       {QStringLiteral("queue_depth_exact"), status.queueDepthExact},
                       {QStringLiteral("paused"), status.paused},
                       {QStringLiteral("next_send_at"), Json::isoTime(status.rate.nextAllowedAt)},
                       {QStringLiteral("estimated_last_departure"),
                        status.queueDepth > 0 ? QJsonValue(Json::isoTime(status.estimatedLastDeparture)) : QJsonValue(QJsonValue::Null)}};
}

void addPageInfo(QJsonObject &response, const PageInfo &page)
{
    response.insert(QStringLiteral("has_more"), page.hasMore);
    response.insert(QStringLiteral("next_before"), page.hasMore ? QJsonValue(page.nextBefore) : QJsonValue(QJsonValue::Null));
    if (page.total)
        response.insert(QStringLiteral("total"), double(*page.total));
}

QJsonObject contact(const ContactRecord &c)
{
    return QJsonObject{{QStringLiteral("id"), c.id},
                       {QStringLiteral("phone_number"), c.phoneNumber},
                       {QStringLiteral("wa_id"), Json::orNull(c.waId)},
                       {QStringLiteral("name"), Json::orNull(c.name)},
                       {QStringLiteral("tags"), QJsonArray::fromStringList(c.tags)},
                       {QStringLiteral("attributes"), c.attributes},
                       {QStringLiteral("opted_out"), c.optedOut},
                       {QStringLiteral("opted_out_at"), Json::isoTime(c.optedOutAt)},
                       {QStringLiteral("created_at"), Json::isoTime(c.createdAt)},
                       {QStringLiteral("updated_at"), Json::isoTime(c.updatedAt)}};
}

} // namespace wadesk::JsonViews
