#include "core/events/EventPayloads.h"

#include "core/common/Json.h"
#include "core/common/UtcTime.h"

#include <QJsonArray>

namespace wadesk {

namespace {
// The field names of every payload, once.
const QString kMessageId = QStringLiteral("messageId");
const QString kClientId = QStringLiteral("clientId");
const QString kTo = QStringLiteral("to");
const QString kFrom = QStringLiteral("from");
const QString kBody = QStringLiteral("body");
const QString kReason = QStringLiteral("reason");
const QString kTimestamp = QStringLiteral("timestamp");
const QString kQr = QStringLiteral("qr");
const QString kExpiresAt = QStringLiteral("expires_at");
const QString kStatus = QStringLiteral("status");
const QString kPhoneNumber = QStringLiteral("phoneNumber");
const QString kMessage = QStringLiteral("message");
const QString kWebhookId = QStringLiteral("webhookId");
const QString kProxyId = QStringLiteral("proxy_id");
const QString kError = QStringLiteral("error");
const QString kType = QStringLiteral("type");
const QString kMediaId = QStringLiteral("media_id");
const QString kCaption = QStringLiteral("caption");
const QString kMedia = QStringLiteral("media");
const QString kMediaError = QStringLiteral("media_error");
const QString kId = QStringLiteral("id");
const QString kMimetype = QStringLiteral("mimetype");
const QString kSize = QStringLiteral("size");
const QString kFilename = QStringLiteral("filename");
const QString kReaction = QStringLiteral("reaction");
const QString kLocation = QStringLiteral("location");
const QString kContacts = QStringLiteral("contacts");
const QString kCampaignId = QStringLiteral("campaign_id");

// What the event tells about the original message the others refer to.
QJsonObject aboutMessage(const MessageEventData &m)
{
    return {{kMessageId, m.messageId}, {kClientId, m.clientId}, {kFrom, m.counterpart}, {kTimestamp, Json::isoTime(m.at)}};
}

Event outgoing(EventType type, const QString &organizationId, const MessageEventData &m, const Clock &clock)
{
    QJsonObject data{{kMessageId, m.messageId},
                     {kClientId, m.clientId},
                     {kTo, m.counterpart},
                     {kTimestamp, Json::isoTime(m.at)},
                     {kType, m.type.isEmpty() ? QStringLiteral("text") : m.type},
                     {kMediaId, Json::orNull(m.mediaId)},
                     {kCaption, Json::orNull(m.caption)},
                     {kFilename, Json::orNull(m.filename)}};
    if (type == EventType::MessageFailed)
        data.insert(kReason, m.reason);
    return Event::make(type, organizationId, data, clock);
}

qint64 timeOf(const QJsonValue &iso)
{
    return Json::parseIsoTime(iso.toString()).value_or(0);
}
} // namespace

namespace MessageEvents {

Event sent(const QString &organizationId, const MessageEventData &message, const Clock &clock)
{
    return outgoing(EventType::MessageSent, organizationId, message, clock);
}

Event delivered(const QString &organizationId, const MessageEventData &message, const Clock &clock)
{
    return outgoing(EventType::MessageDelivered, organizationId, message, clock);
}

Event read(const QString &organizationId, const MessageEventData &message, const Clock &clock)
{
    return outgoing(EventType::MessageRead, organizationId, message, clock);
}

Event failed(const QString &organizationId, const MessageEventData &message, const Clock &clock)
{
    return outgoing(EventType::MessageFailed, organizationId, message, clock);
}

Event received(const QString &organizationId, const MessageEventData &m, const Clock &clock)
{
    QJsonObject data = aboutMessage(m);
    data.insert(kBody, m.body);
    data.insert(kType, m.type.isEmpty() ? QStringLiteral("text") : m.type);
    data.insert(kCaption, Json::orNull(m.caption));
    if (m.media) {
        data.insert(kMedia, QJsonObject{{kId, m.media->id}, {kMimetype, m.media->mimetype}, {kSize, double(m.media->size)},
                                        {kFilename, Json::orNull(m.media->filename)}});
    } else {
        data.insert(kMedia, QJsonValue::Null);
    }
    if (!m.mediaError.isEmpty())
        data.insert(kMediaError, m.mediaError);
    for (const QString &key : {kLocation, kContacts}) {
        if (m.details.contains(key))
            data.insert(key, m.details.value(key));
    }
    return Event::make(EventType::MessageReceived, organizationId, data, clock);
}

Event reaction(const QString &organizationId, const MessageEventData &m, const Clock &clock)
{
    QJsonObject data = aboutMessage(m);
    data.insert(kReaction, m.reaction);
    return Event::make(EventType::MessageReaction, organizationId, data, clock);
}

Event edited(const QString &organizationId, const MessageEventData &m, const Clock &clock)
{
    QJsonObject data = aboutMessage(m);
    data.insert(kBody, m.body);
    data.insert(kCaption, Json::orNull(m.caption));
    return Event::make(EventType::MessageEdited, organizationId, data, clock);
}

Event revoked(const QString &organizationId, const MessageEventData &m, const Clock &clock)
{
    return Event::make(EventType::MessageRevoked, organizationId, aboutMessage(m), clock);
}

std::optional<MessageEventData> parse(const Event &event)
{
    const std::optional<EventType> type = event.kind();
    if (!type || EventTypes::subject(*type) != EventSubject::Message)
        return std::nullopt;
    MessageEventData m;
    m.messageId = event.data.value(kMessageId).toString();
    m.clientId = event.data.value(kClientId).toString();
    const bool outgoingKind = *type == EventType::MessageSent || *type == EventType::MessageDelivered
        || *type == EventType::MessageRead || *type == EventType::MessageFailed;
    m.counterpart = event.data.value(outgoingKind ? kTo : kFrom).toString();
    m.body = event.data.value(kBody).toString();
    m.reason = event.data.value(kReason).toString();
    m.at = timeOf(event.data.value(kTimestamp));
    m.type = event.data.value(kType).toString();
    m.caption = event.data.value(kCaption).toString();
    const QJsonObject media = event.data.value(kMedia).toObject();
    if (!media.isEmpty()) {
        m.media = MessageMedia{media.value(kId).toString(), media.value(kMimetype).toString(), media.value(kFilename).toString(),
                               qint64(media.value(kSize).toDouble())};
    }
    m.mediaError = event.data.value(kMediaError).toString();
    for (const QString &key : {kLocation, kContacts}) {
        if (event.data.contains(key))
            m.details.insert(key, event.data.value(key));
    }
    m.reaction = event.data.value(kReaction).toString();
    if (*type != EventType::MessageReceived) {
        m.mediaId = event.data.value(kMediaId).toString();
        m.filename = event.data.value(kFilename).toString();
    }
    return m;
}

} // namespace MessageEvents

namespace ClientEvents {

Event qr(const QString &organizationId, const QString &clientId, const QString &qrText, qint64 expiresAtMs, const Clock &clock)
{
    return Event::make(EventType::ClientQr, organizationId,
                       {{kClientId, clientId}, {kQr, qrText}, {kExpiresAt, UtcTime::fromMSecs(expiresAtMs).toString(Qt::ISODate)}},
                       clock);
}

Event stateChanged(EventType type, const QString &organizationId, const ClientEventData &c, const Clock &clock)
{
    return Event::make(type, organizationId,
                       {{kClientId, c.clientId}, {kStatus, c.status}, {kPhoneNumber, Json::orNull(c.phoneNumber)}, {kReason, Json::orNull(c.reason)}},
                       clock);
}

Event paused(const QString &organizationId, const QString &clientId, const QString &reason, const Clock &clock)
{
    return Event::make(EventType::ClientPaused, organizationId, {{kClientId, clientId}, {kReason, reason}}, clock);
}

Event proxyFailed(const QString &organizationId, const QString &clientId, const QString &proxyId, const QString &error, const Clock &clock)
{
    return Event::make(EventType::ClientProxyFailed, organizationId, {{kClientId, clientId}, {kProxyId, proxyId}, {kError, error}}, clock);
}

std::optional<ClientEventData> parse(const Event &event)
{
    const std::optional<EventType> type = event.kind();
    if (!type || EventTypes::subject(*type) != EventSubject::Client)
        return std::nullopt;
    ClientEventData c;
    c.clientId = event.data.value(kClientId).toString();
    c.status = event.data.value(kStatus).toString();
    c.phoneNumber = event.data.value(kPhoneNumber).toString();
    c.reason = event.data.value(kReason).toString();
    c.qr = event.data.value(kQr).toString();
    c.qrExpiresAt = timeOf(event.data.value(kExpiresAt));
    c.proxyId = event.data.value(kProxyId).toString();
    c.error = event.data.value(kError).toString();
    return c;
}

} // namespace ClientEvents

namespace CampaignEvents {

Event make(EventType type, const QString &organizationId, const CampaignEventData &c, const Clock &clock)
{
    return Event::make(type, organizationId,
                       {{kCampaignId, c.campaignId},
                        {QStringLiteral("name"), c.name},
                        {kStatus, c.status},
                        {QStringLiteral("client_ids"), QJsonArray::fromStringList(c.clientIds)},
                        {QStringLiteral("total"), double(c.total)},
                        {QStringLiteral("sent"), double(c.sent)},
                        {QStringLiteral("failed"), double(c.failed)},
                        {QStringLiteral("skipped"), double(c.skipped)},
                        {kReason, Json::orNull(c.reason)},
                        {kTimestamp, Json::isoTime(c.at)}},
                       clock);
}

} // namespace CampaignEvents

QString clientIdOf(const Event &event)
{
    const std::optional<EventType> type = event.kind();
    if (!type || (EventTypes::subject(*type) != EventSubject::Message && EventTypes::subject(*type) != EventSubject::Client))
        return QString();
    return event.data.value(kClientId).toString();
}

namespace SystemEvents {

Event test(const QString &organizationId, const QString &webhookId, const Clock &clock)
{
    return Event::make(EventType::Test, organizationId,
                       {{kMessage, QStringLiteral("This is a test event from WaDesk")}, {kWebhookId, webhookId}}, clock);
}

QString parseTestWebhookId(const Event &event)
{
    return event.is(EventType::Test) ? event.data.value(kWebhookId).toString() : QString();
}

} // namespace SystemEvents

} // namespace wadesk
