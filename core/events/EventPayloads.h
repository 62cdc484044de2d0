#pragma once

#include "core/common/Clock.h"
#include "core/events/Event.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <optional>

namespace wadesk {

// The payload (`data`) of every event kind, built by one function per kind and read back by
// one parser per subject: the JSON field names live in EventPayloads.cpp only. Webhook
// receivers see these bytes, so a field is renamed never, only added.

// message.sent / delivered / read / failed:  {messageId, clientId, to, timestamp, type, media_id,
//                                             caption, filename[, reason]} (media_id, caption and
//                                             filename null for a text message)
// message.received:  {messageId, clientId, from, type, body, caption, media, timestamp
//                     [, location | contacts][, media_error]}
//   type: text, image, video, audio, voice, document, sticker, location, contact, unsupported.
//   body: the text a person wrote: the text, a file's caption, a place's name and address, the
//   contacts' names; never a thumbnail. media: {id, mimetype, size, filename} once the file is
//   stored, null for a message without one or whose file could not be fetched (media_error says
//   why).
// message.reaction:  {messageId, clientId, from, reaction, timestamp}  (reaction "" = removed)
// message.edited:    {messageId, clientId, from, body, caption, timestamp}
// message.revoked:   {messageId, clientId, from, timestamp}
//   messageId is always the original message's id; from is who reacted / edited / deleted.
struct MessageMedia {
    QString id;
    QString mimetype;
    QString filename;
    qint64 size = 0;
};

struct MessageEventData {
    QString messageId;
    QString clientId;
    QString counterpart; // the contact's phone: "to" of an outgoing message, "from" of a received one
    QString body;        // message.received, message.edited
    QString reason;      // message.failed only
    qint64 at = 0;       // epoch ms: when it was sent / delivered / read / failed / received ("timestamp")
    QString type;        // the message's type ("text" when empty)
    QString mediaId;     // outbound events: the file it carries (null on the wire when empty)
    QString caption;     // the text under the file (null when empty in outbound events)
    QString filename;    // outbound events: the file's name (null when empty)
    // message.received
    std::optional<MessageMedia> media;
    QString mediaError;
    QJsonObject details; // "location" or "contacts", written as fields of their own
    QString reaction;    // message.reaction
};
namespace MessageEvents {
Event sent(const QString &organizationId, const MessageEventData &message, const Clock &clock = Clock::system());
Event delivered(const QString &organizationId, const MessageEventData &message, const Clock &clock = Clock::system());
Event read(const QString &organizationId, const MessageEventData &message, const Clock &clock = Clock::system());
Event failed(const QString &organizationId, const MessageEventData &message, const Clock &clock = Clock::system());
Event received(const QString &organizationId, const MessageEventData &message, const Clock &clock = Clock::system());
Event reaction(const QString &organizationId, const MessageEventData &message, const Clock &clock = Clock::system());
Event edited(const QString &organizationId, const MessageEventData &message, const Clock &clock = Clock::system());
Event revoked(const QString &organizationId, const MessageEventData &message, const Clock &clock = Clock::system());
// The data of a message.* event; nullopt for any other event.
std::optional<MessageEventData> parse(const Event &event);
} // namespace MessageEvents

// client.qr:                                   {clientId, qr, expires_at}
// client.connected / disconnected / logged_out: {clientId, status, phoneNumber|null, reason|null}
// client.paused:                               {clientId, reason}
// client.proxy_failed:                         {clientId, proxy_id, error}
struct ClientEventData {
    QString clientId;
    QString status;      // the session state's name as the API writes it ("ready", "disconnected", "logged_out", "failed")
    QString phoneNumber; // empty when not known yet (null on the wire)
    QString reason;      // why it disconnected (null on the wire when empty) or was paused
    QString qr;          // client.qr: the text to show as a QR code
    qint64 qrExpiresAt = 0; // client.qr: epoch ms, written to the second
    QString proxyId;     // client.proxy_failed: the pool entry that stopped working
    QString error;       // client.proxy_failed: why
};

namespace ClientEvents {
Event qr(const QString &organizationId, const QString &clientId, const QString &qrText, qint64 expiresAtMs,
         const Clock &clock = Clock::system());
// `type` is ClientConnected, ClientDisconnected or ClientLoggedOut.
Event stateChanged(EventType type, const QString &organizationId, const ClientEventData &client, const Clock &clock = Clock::system());
Event paused(const QString &organizationId, const QString &clientId, const QString &reason, const Clock &clock = Clock::system());
// The client's proxy failed its check: until it recovers (or the client is moved to another
// proxy) the client's traffic is refused, never sent direct.
Event proxyFailed(const QString &organizationId, const QString &clientId, const QString &proxyId, const QString &error,
                  const Clock &clock = Clock::system());
// The data of a client.* event; nullopt for any other event.
std::optional<ClientEventData> parse(const Event &event);
} // namespace ClientEvents

// campaign.started / campaign.completed / campaign.paused:
//   {campaign_id, name, status, client_ids, total, sent, failed, skipped, reason|null, timestamp}
//   (counts of recipients at that moment; reason: why it paused)
struct CampaignEventData {
    QString campaignId;
    QString name;
    QString status;
    QStringList clientIds;
    qint64 total = 0;
    qint64 sent = 0;
    qint64 failed = 0;
    qint64 skipped = 0;
    QString reason;
    qint64 at = 0;
};
namespace CampaignEvents {
// `type` is CampaignStarted, CampaignCompleted or CampaignPaused.
Event make(EventType type, const QString &organizationId, const CampaignEventData &campaign, const Clock &clock = Clock::system());
} // namespace CampaignEvents

// The client a message.* or client.* event is about; empty for any other event.
QString clientIdOf(const Event &event);

// test: {message, webhookId}, sent straight to one webhook (never stored).
namespace SystemEvents {
Event test(const QString &organizationId, const QString &webhookId, const Clock &clock = Clock::system());
QString parseTestWebhookId(const Event &event); // empty unless a test event
} // namespace SystemEvents

} // namespace wadesk
