#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/messaging/MessagingSettings.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <functional>
#include <optional>

namespace wadesk {

struct AuditedWrite;
struct ContactRecord;
class Database;
class EventBus;
class EventLog;
class MediaLibrary;
class MessageSender;
struct InboundContent;
struct InboundRow;
struct MessageMedia;

// A received file to fetch from the page: the message is stored, its message.received waits.
struct InboundMediaRequest {
    QString messageId;
    QString waMessageId;
    qint64 declaredSize = 0;
};

// A received message as an automatic responder sees it.
struct InboundForReply {
    QString organizationId;
    QString clientId;
    QString messageId;
    QString chat;   // the WhatsApp id the message came from ("…@c.us" for a person)
    QString type;   // text, image, ...
    QString text;   // a text's body or a file's caption
    bool fromMe = false;
};

// Answers received messages by itself (core/autoreplies/AutoReplyEngine): within `write`'s
// transaction, queues at most one reply and returns its message id.
class InboundResponder {
public:
    virtual ~InboundResponder() = default;
    // Whether answer() could send anything for this message, read outside any transaction, so
    // that an organization without rules pays one indexed read per message and no write lock.
    virtual Result<bool> mayAnswer(Database &database, const InboundForReply &message, const ContactRecord &contact) = 0;
    virtual Result<std::optional<QString>> answer(AuditedWrite &write, const InboundForReply &message, const ContactRecord &contact) = 0;
};

// What the page gave for a file: its bytes, or why not.
struct FetchedMedia {
    bool ok = false;
    QByteArray bytes;
    QString mimetype; // as the page reported it
    QString error;
};

// Stores what a session reports, on the main thread: incoming messages (once per WhatsApp id,
// with the contact created or updated; an exact opt-out or opt-in keyword flips the contact's
// flag and is audited), messages sent from the phone itself, and acks that move outbound
// messages to delivered / read / failed. Each change and its event commit together.
//
// Content (docs/DESIGN.md §4): every kind is stored with its type (InboundContent); a message
// WhatsApp Web reports first as `ciphertext` is kept as a placeholder of that type (no event)
// and filled in when the same id comes back decrypted, which is when message.received is
// published and keywords are checked; one that never decrypts stays a `ciphertext` row. A file
// is fetched after the message is stored (onMessage answers what to fetch) and message.received
// is published once the file is stored or definitively failed (onMediaFetched). Reactions,
// edits and deletions change the original message and publish their own events.
//
// Auto-replies (the InboundResponder) are evaluated once per received message, right after the
// write that stores its readable content commits (the decrypted report of a `ciphertext`
// message, never the placeholder, never a second delivery of the same id), in a transaction of
// their own: a failing rule never costs the received message.
class InboundProcessor {
public:
    InboundProcessor(Database &database, EventBus *events, MessagingSettings settings, const Clock &clock = Clock::system());

    // Where received files go; null: messages are stored without their file (reason logged and
    // kept in media_error). Not owned.
    void setMediaLibrary(MediaLibrary *media) { m_media = media; }
    // What answers received messages by itself (may be null: nothing does; not owned), and what
    // to call with the client's id when it queued a reply (the owner wakes the client's sender).
    void setResponder(InboundResponder *responder, std::function<void(const QString &clientId)> replyQueued)
    {
        m_responder = responder;
        m_replyQueued = std::move(replyQueued);
    }

    // `sender` (may be null) tells which send is in flight, so its echo is not stored twice.
    // Answers the file to fetch when the message carries one. `failure` (may be null) is set
    // when the database failed it, so the caller can journal the report and replay it.
    std::optional<InboundMediaRequest> onMessage(const QString &organizationId, const QString &clientId, const QJsonObject &message,
                                                 const MessageSender *sender, Status *failure = nullptr);
    // The fetch of a message's file ended (bytes or failure): stores it, publishes message.received.
    void onMediaFetched(const QString &organizationId, const QString &clientId, const QString &waMessageId, const FetchedMedia &fetched);
    // Files still awaited when a client's page starts again will never come: failed as
    // interrupted, their messages published without media.
    void failPendingMedia(const QString &organizationId, const QString &clientId);
    // {id, body, caption, from, t}: the original message's new text.
    void onEdit(const QString &organizationId, const QString &clientId, const QJsonObject &edit);
    // {refId, from, t}: the original message was deleted for everyone.
    void onRevoke(const QString &organizationId, const QString &clientId, const QJsonObject &revoke);
    // {msgId, reaction, sender, t}: a reaction (empty: removed) to the original message.
    void onReaction(const QString &organizationId, const QString &clientId, const QJsonObject &reaction);
    void onAck(const QString &organizationId, const QString &clientId, const QJsonObject &ack);

    enum class Keyword { None, OptOut, OptIn };
    Keyword classify(const QString &body) const;

private:
    // message.received for a stored row (inside `write`'s transaction).
    Status recordReceived(EventLog &events, const QString &organizationId, const InboundRow &row, const MessageMedia *media) const;

    Database &m_database;
    EventBus *m_events;
    MessagingSettings m_settings;
    const Clock &m_clock;
    MediaLibrary *m_media = nullptr;
    InboundResponder *m_responder = nullptr;
    std::function<void(const QString &)> m_replyQueued;
};

} // namespace wadesk
