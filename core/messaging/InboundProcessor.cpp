#include "core/messaging/InboundProcessor.h"

#include "core/audit/AuditLog.h"
#include "core/audit/AuditedChange.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/common/Ids.h"
#include "core/common/Json.h"
#include "core/common/RuntimeMetrics.h"
#include "core/db/SqlRunner.h"
#include "core/media/MediaLibrary.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/InboundMessages.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/MessageSender.h"

#include <QDateTime>
#include <QJsonArray>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
// "14155552671@c.us" → "+14155552671"; empty for groups, broadcasts and anything else.
QString phoneOfChat(const QString &wid)
{
    if (!wid.endsWith(QLatin1String("@c.us")))
        return {};
    const QString user = wid.section(QLatin1Char('@'), 0, 0).section(QLatin1Char(':'), 0, 0);
    if (user.isEmpty() || user.size() > 15)
        return {};
    for (const QChar c : user) {
        if (!c.isDigit())
            return {};
    }
    return QLatin1Char('+') + user;
}
} // namespace

InboundProcessor::InboundProcessor(Database &database, EventBus *events, MessagingSettings settings, const Clock &clock)
    : m_database(database)
    , m_events(events)
    , m_settings(std::move(settings))
    , m_clock(clock)
{
}

InboundProcessor::Keyword InboundProcessor::classify(const QString &body) const
{
    const QString word = body.trimmed().toUpper();
    if (word.isEmpty() || word.size() > 20)
        return Keyword::None;
    for (const QString &k : m_settings.optOutKeywords) {
        if (word == k.toUpper())
            return Keyword::OptOut;
    }
    for (const QString &k : m_settings.optInKeywords) {
        if (word == k.toUpper())
            return Keyword::OptIn;
    }
    return Keyword::None;
}

std::optional<InboundMediaRequest> InboundProcessor::onMessage(const QString &organizationId, const QString &clientId,
                                                               const QJsonObject &message, const MessageSender *sender,
                                                               Status *failure)
{
    const QString waId = message.value(QStringLiteral("id")).toString();
    const bool fromMe = message.value(QStringLiteral("fromMe")).toBool();
    const InboundContent content = InboundContent::fromPage(message);
    const QString chat = message.value(fromMe ? QStringLiteral("to") : QStringLiteral("from")).toString();
    const QString phone = phoneOfChat(chat);
    if (waId.isEmpty() || phone.isEmpty())
        return std::nullopt; // groups, status broadcasts and system messages are not stored (yet)
    if (content.system) {
        spdlog::debug("client {}: {} message {} is a notification, not stored", clientId.toStdString(), content.waType.toStdString(),
                      waId.toStdString());
        return std::nullopt;
    }
    if (fromMe && sender && sender->inFlightChat() == chat
        && (sender->inFlightBody() == content.body || sender->inFlightBody() == message.value(QStringLiteral("body")).toString()))
        return std::nullopt; // the echo of the send in flight: the sender records it with its id

    const qint64 now = m_clock.nowMs();
    const qint64 t = message.value(QStringLiteral("t")).toDouble() > 0 ? qint64(message.value(QStringLiteral("t")).toDouble()) * 1000 : now;
    if (fromMe) {
        SqlRunner sql(m_database);
        Result<std::optional<InboundRow>> known = InboundMessageRepository(sql).findByWaId(clientId, waId);
        if (!known) {
            if (failure)
                *failure = known.error();
            return std::nullopt;
        }
        if (known.value() && known.value()->type != QLatin1String("ciphertext"))
            return std::nullopt; // ours, already recorded
    }

    // A file is fetched after the message is stored, unless it cannot be.
    QString mediaStatus;
    QString mediaError;
    if (content.hasMedia()) {
        mediaStatus = QStringLiteral("pending");
        if (!m_media) {
            mediaStatus = QStringLiteral("failed");
            mediaError = QStringLiteral("no media store is configured");
            spdlog::warn("client {}: the file of message {} is not kept: {}", clientId.toStdString(), waId.toStdString(),
                         mediaError.toStdString());
        } else if (content.size > m_settings.mediaMaxBytes) {
            mediaStatus = QStringLiteral("failed");
            mediaError = QStringLiteral("media_too_large: %1 bytes, the limit is %2").arg(content.size).arg(m_settings.mediaMaxBytes);
        }
    }

    // Refuses the change (rolls it back) when this WhatsApp id is stored already: not a failure.
    const QString kStoredAlready = QStringLiteral("stored_already");
    QString messageId;
    std::optional<ContactRecord> answerable; // set when this write made the message readable
    bool receivedNew = false;                // a message to the client, stored for the first time
    Status stored = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        ContactRepository contacts(write.sql, write.clock);
        MessageRepository messages(write.sql);
        InboundMessageRepository inbound(write.sql);
        Result<ContactRecord> contact = contacts.upsert(organizationId, phone, chat);
        if (!contact)
            return contact.error();
        Result<std::optional<InboundRow>> existing = inbound.findByWaId(clientId, waId);
        if (!existing)
            return existing.error();
        if (existing.value()) {
            // Only a placeholder is filled in: the decrypted report of a `ciphertext` message.
            if (existing.value()->type != QLatin1String("ciphertext") || content.isCiphertext())
                return DomainError::conflict(QStringLiteral("message stored already"), kStoredAlready);
            messageId = existing.value()->id;
        } else {
            MessageRecord m;
            m.id = Ids::make("msg");
            m.organizationId = organizationId;
            m.clientId = clientId;
            m.contactId = contact.value().id;
            m.direction = fromMe ? MessageDirection::Outbound : MessageDirection::Inbound;
            m.body = content.body.isNull() ? QStringLiteral("") : content.body;
            m.status = fromMe ? MessageStatus::Sent : MessageStatus::Received;
            m.waMessageId = waId;
            m.createdAt = t;
            m.sentAt = t;
            m.updatedAt = now;
            Result<bool> inserted = messages.insertIfNew(m);
            if (!inserted)
                return inserted.error();
            if (!inserted.value())
                return DomainError::conflict(QStringLiteral("message stored already"), kStoredAlready); // delivered twice: stored once
            messageId = m.id;
            receivedNew = !fromMe;
        }
        if (Status s = inbound.writeContent(messageId, content, mediaStatus, mediaError, now); !s)
            return s;
        if (fromMe || content.isCiphertext())
            return {}; // a placeholder is announced once it has its content
        const Keyword keyword = content.type == QLatin1String("text") ? classify(content.body) : Keyword::None;
        ContactRecord c = contact.value();
        if ((keyword == Keyword::OptOut && !c.optedOut) || (keyword == Keyword::OptIn && c.optedOut)) {
            c.optedOut = keyword == Keyword::OptOut;
            c.optedOutAt = c.optedOut ? now : 0;
            c.updatedAt = now;
            if (Status s = contacts.update(c); !s)
                return s;
            AuditEntry entry;
            entry.organizationId = organizationId;
            entry.action = c.optedOut ? QStringLiteral("contact_opted_out") : QStringLiteral("contact_opted_in");
            entry.resource = QStringLiteral("contacts");
            entry.resourceId = c.id;
            entry.details = QJsonObject{{QStringLiteral("phone_number"), phone}, {QStringLiteral("keyword"), content.body.trimmed()},
                                        {QStringLiteral("clientId"), clientId}};
            if (Status s = write.audit.append(entry); !s)
                return s;
        }
        answerable = c;
        if (mediaStatus == QLatin1String("pending"))
            return {}; // announced once the file is stored or has failed
        Result<std::optional<InboundRow>> row = inbound.findByWaId(clientId, waId);
        if (!row || !row.value())
            return row ? DomainError::internal(QStringLiteral("the message just stored is gone")) : row.error();
        return recordReceived(write.events, organizationId, *row.value(), nullptr);
    }, m_clock);
    if (stored && receivedNew)
        RuntimeMetrics::instance().countInbound(clientId);
    if (!stored) {
        if (stored.error().code != kStoredAlready && failure)
            *failure = stored;
        if (stored.error().code != kStoredAlready)
            spdlog::warn("client {}: incoming message {} not stored: {}", clientId.toStdString(), waId.toStdString(),
                         stored.error().message.toStdString());
        return std::nullopt;
    }
    const InboundForReply inbound{organizationId, clientId, messageId, chat, content.type,
                                  content.type == QLatin1String("text") ? content.body : content.caption, fromMe};
    Result<bool> mayAnswer = answerable && m_responder ? m_responder->mayAnswer(m_database, inbound, *answerable) : Result<bool>(false);
    if (!mayAnswer)
        spdlog::warn("client {}: auto-replies to message {} not evaluated: {}", clientId.toStdString(), messageId.toStdString(),
                     mayAnswer.error().message.toStdString());
    if (mayAnswer && mayAnswer.value()) {
        std::optional<QString> replyId;
        Status answered = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
            Result<std::optional<QString>> queued = m_responder->answer(write, inbound, *answerable);
            if (!queued)
                return queued.error();
            replyId = queued.value();
            return {};
        }, m_clock);
        if (!answered)
            spdlog::warn("client {}: auto-replies to message {} not evaluated: {}", clientId.toStdString(), messageId.toStdString(),
                         answered.error().message.toStdString());
        else if (replyId && m_replyQueued)
            m_replyQueued(clientId);
    }
    if (mediaStatus != QLatin1String("pending"))
        return std::nullopt;
    return InboundMediaRequest{messageId, waId, content.size};
}

Status InboundProcessor::recordReceived(EventLog &events, const QString &organizationId, const InboundRow &row,
                                        const MessageMedia *media) const
{
    MessageEventData received;
    received.messageId = row.id;
    received.clientId = row.clientId;
    received.counterpart = row.contactPhone;
    received.body = row.body;
    received.type = row.type;
    received.caption = row.caption;
    received.details = row.details;
    received.at = row.createdAt;
    if (media)
        received.media = *media;
    if (row.mediaStatus == QLatin1String("failed"))
        received.mediaError = row.mediaError.isEmpty() ? QStringLiteral("the file could not be fetched") : row.mediaError;
    return events.record(MessageEvents::received(organizationId, received, m_clock));
}

void InboundProcessor::onMediaFetched(const QString &organizationId, const QString &clientId, const QString &waMessageId,
                                      const FetchedMedia &fetched)
{
    SqlRunner sql(m_database);
    Result<std::optional<InboundRow>> found = InboundMessageRepository(sql).findByWaId(clientId, waMessageId);
    if (!found || !found.value() || found.value()->mediaStatus != QLatin1String("pending") || found.value()->organizationId != organizationId)
        return; // finished already (or gone)
    const InboundRow row = *found.value();

    // The store runs its own transaction: before ours, never inside it.
    std::optional<MessageMedia> media;
    QString error = fetched.ok ? QString() : fetched.error;
    if (fetched.ok && !m_media)
        error = QStringLiteral("no media store is configured");
    if (fetched.ok && m_media) {
        MediaHints hints;
        hints.filename = row.filename;
        hints.declaredMimetype = fetched.mimetype.section(QLatin1Char(';'), 0, 0).trimmed();
        hints.voiceNote = row.type == QLatin1String("voice");
        Result<MediaInfo> kept = m_media->store(organizationId, fetched.bytes, hints, QString());
        if (!kept && kept.error().code == QLatin1String("media_type_mismatch")) {
            hints.declaredMimetype.clear(); // WhatsApp's declared type is a hint; the content decides
            kept = m_media->store(organizationId, fetched.bytes, hints, QString());
        }
        if (kept)
            media = MessageMedia{kept.value().id, kept.value().mimetype, kept.value().filename, kept.value().size};
        else
            error = kept.error().code + QStringLiteral(": ") + kept.error().message;
    }
    if (!media && error.isEmpty())
        error = QStringLiteral("the file could not be fetched");
    if (!media)
        spdlog::warn("client {}: the file of message {} is not kept: {}", clientId.toStdString(), row.id.toStdString(), error.toStdString());

    Status done = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        InboundMessageRepository inbound(write.sql);
        if (Status s = inbound.finishMedia(row.id, media ? media->id : QString(), error, m_clock.nowMs()); !s)
            return s;
        InboundRow finished = row;
        finished.mediaStatus = media ? QStringLiteral("stored") : QStringLiteral("failed");
        finished.mediaId = media ? media->id : QString();
        finished.mediaError = error;
        if (row.direction != QLatin1String("inbound"))
            return {};
        return recordReceived(write.events, organizationId, finished, media ? &*media : nullptr);
    }, m_clock);
    if (!done)
        spdlog::warn("client {}: message {} not updated with its file: {}", clientId.toStdString(), row.id.toStdString(),
                     done.error().message.toStdString());
}

void InboundProcessor::failPendingMedia(const QString &organizationId, const QString &clientId)
{
    SqlRunner sql(m_database);
    Result<QList<InboundRow>> pending = InboundMessageRepository(sql).pendingMedia(clientId);
    if (!pending)
        return;
    FetchedMedia interrupted;
    interrupted.error = QStringLiteral("interrupted: the page went away before the file was fetched");
    for (const InboundRow &row : pending.value())
        onMediaFetched(organizationId, clientId, row.waMessageId, interrupted);
}

namespace {
// The original message a reaction, edit or deletion refers to; nullopt (logged) when unknown.
std::optional<InboundRow> original(Database &database, const QString &clientId, const QString &waId, const char *what)
{
    if (waId.isEmpty())
        return std::nullopt;
    SqlRunner sql(database);
    Result<std::optional<InboundRow>> found = InboundMessageRepository(sql).findByWaId(clientId, waId);
    if (!found || !found.value()) {
        spdlog::info("client {}: {} of message {} not recorded: WaDesk does not have that message", clientId.toStdString(), what,
                     waId.toStdString());
        return std::nullopt;
    }
    return *found.value();
}

// Who reacted, edited or deleted: their phone, or the WhatsApp id when it is not a phone.
QString actorOf(const QJsonObject &o, const char *key)
{
    const QString wid = o.value(QLatin1String(key)).toString();
    const QString phone = phoneOfChat(wid);
    return phone.isEmpty() ? wid : phone;
}

qint64 timeOf(const QJsonObject &o, qint64 now)
{
    const double t = o.value(QStringLiteral("t")).toDouble();
    return t > 0 ? qint64(t) * 1000 : now;
}
} // namespace

void InboundProcessor::onEdit(const QString &organizationId, const QString &clientId, const QJsonObject &edit)
{
    const std::optional<InboundRow> row = original(m_database, clientId, edit.value(QStringLiteral("id")).toString(), "an edit");
    if (!row || row->organizationId != organizationId)
        return;
    // The page reports the whole message as it now is: a text's body, a file's caption. Only
    // those can be edited on WhatsApp; anything else reported is left alone.
    InboundContent kind;
    kind.type = row->type;
    const bool text = row->type == QLatin1String("text");
    const QJsonValue newText = edit.value(text ? QStringLiteral("body") : QStringLiteral("caption"));
    if ((!text && !kind.hasMedia()) || !newText.isString())
        return;
    const QString caption = text ? QString() : newText.toString();
    const QString body = newText.toString();
    if (body == row->body && caption == row->caption)
        return; // reported again: nothing changed
    const qint64 at = timeOf(edit, m_clock.nowMs());
    Status s = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        if (Status e = InboundMessageRepository(write.sql).edit(row->id, body, caption, at); !e)
            return e;
        MessageEventData data;
        data.messageId = row->id;
        data.clientId = clientId;
        data.counterpart = actorOf(edit, "from");
        data.body = body;
        data.caption = caption;
        data.at = at;
        return write.events.record(MessageEvents::edited(organizationId, data, m_clock));
    }, m_clock);
    if (!s)
        spdlog::warn("client {}: edit of message {} not recorded: {}", clientId.toStdString(), row->id.toStdString(), s.error().message.toStdString());
}

void InboundProcessor::onRevoke(const QString &organizationId, const QString &clientId, const QJsonObject &revoke)
{
    const std::optional<InboundRow> row = original(m_database, clientId, revoke.value(QStringLiteral("refId")).toString(), "a deletion");
    if (!row || row->organizationId != organizationId || row->revokedAt > 0)
        return;
    const qint64 at = timeOf(revoke, m_clock.nowMs());
    Status s = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        if (Status e = InboundMessageRepository(write.sql).revoke(row->id, at); !e)
            return e;
        MessageEventData data;
        data.messageId = row->id;
        data.clientId = clientId;
        data.counterpart = actorOf(revoke, "from");
        data.at = at;
        return write.events.record(MessageEvents::revoked(organizationId, data, m_clock));
    }, m_clock);
    if (!s)
        spdlog::warn("client {}: deletion of message {} not recorded: {}", clientId.toStdString(), row->id.toStdString(),
                     s.error().message.toStdString());
}

void InboundProcessor::onReaction(const QString &organizationId, const QString &clientId, const QJsonObject &reaction)
{
    const std::optional<InboundRow> row = original(m_database, clientId, reaction.value(QStringLiteral("msgId")).toString(), "a reaction");
    if (!row || row->organizationId != organizationId)
        return;
    const QString sender = actorOf(reaction, "sender");
    const QString text = reaction.value(QStringLiteral("reaction")).toString().left(64);
    if (sender.isEmpty())
        return;
    const qint64 at = timeOf(reaction, m_clock.nowMs());
    Status s = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        InboundMessageRepository inbound(write.sql);
        Result<QJsonObject> before = inbound.reactions(row->id);
        if (!before)
            return before.error();
        if (before.value().value(sender).toString() == text)
            return {}; // reported again
        if (Status e = inbound.react(organizationId, row->id, sender, text, at); !e)
            return e;
        MessageEventData data;
        data.messageId = row->id;
        data.clientId = clientId;
        data.counterpart = sender;
        data.reaction = text;
        data.at = at;
        return write.events.record(MessageEvents::reaction(organizationId, data, m_clock));
    }, m_clock);
    if (!s)
        spdlog::warn("client {}: reaction to message {} not recorded: {}", clientId.toStdString(), row->id.toStdString(),
                     s.error().message.toStdString());
}

void InboundProcessor::onAck(const QString &organizationId, const QString &clientId, const QJsonObject &ack)
{
    const int level = ack.value(QStringLiteral("ack")).toInt();
    if (level != -1 && level < 2)
        return; // 0 pending, 1 sent: nothing beyond what the send itself recorded
    const qint64 now = m_clock.nowMs();
    SqlRunner sql(m_database);
    MessageRepository messages(sql);
    EventLog events(sql, m_events);
    Transaction tx(m_database);
    if (!tx.begin())
        return;
    for (const QJsonValue &id : ack.value(QStringLiteral("ids")).toArray()) {
        Result<std::optional<MessageRecord>> moved = messages.applyAck(clientId, id.toString(), level, now);
        if (!moved)
            return;
        if (!moved.value())
            continue;
        const MessageRecord &m = *moved.value();
        MessageEventData outcome;
        outcome.messageId = m.id;
        outcome.clientId = clientId;
        outcome.counterpart = m.contactPhone;
        outcome.at = now;
        Event event;
        if (m.status == MessageStatus::Failed) {
            outcome.reason = QStringLiteral("WhatsApp reported the message as failed");
            event = MessageEvents::failed(organizationId, outcome, m_clock);
        } else if (m.status == MessageStatus::Read) {
            event = MessageEvents::read(organizationId, outcome, m_clock);
        } else {
            event = MessageEvents::delivered(organizationId, outcome, m_clock);
        }
        if (!events.record(event))
            return;
    }
    if (tx.commit())
        events.publishRecorded();
}

} // namespace wadesk
