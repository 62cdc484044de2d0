#pragma once

#include "core/access/Visibility.h"
#include "core/common/DomainError.h"
#include "core/events/EventPayloads.h"
#include "core/messaging/MessageStatus.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QStringList>
#include <QJsonObject>
#include <QString>
#include <optional>

namespace wadesk {

class SqlRunner;

struct MessageRecord {
    QString id;
    QString organizationId;
    QString clientId;
    QString contactId;
    QString contactPhone;  // joined from contacts
    QString contactWaId;   // joined from contacts
    MessageDirection direction = MessageDirection::Outbound;
    QString body;          // the text; for a file, its caption ("" without one)
    QString type = QStringLiteral("text"); // text, image, video, audio, voice, document, sticker, ...
    QString mediaId;       // the stored file (core/media) of a file message
    QString caption;       // the text under a file
    QString filename;      // the file's name as sent or received
    QJsonObject details;   // received: {"location": {...}} or {"contacts": [...]}
    QString mediaStatus;   // received files: pending, stored or failed (empty without a file)
    QString mediaError;    // why a received file could not be stored
    qint64 editedAt = 0;   // the sender edited it (epoch ms)
    qint64 revokedAt = 0;  // the sender deleted it for everyone; the content is kept for the record
    MessageStatus status = MessageStatus::Queued;
    QString failureReason;
    QString waMessageId;
    QString idempotencyKey;
    QString requestHash;
    QString createdBy;
    QString autoReplyRuleId; // an automatic reply (core/autoreplies): the rule that sent it
    qint64 createdAt = 0;
    qint64 sendingAt = 0;
    qint64 sentAt = 0;
    qint64 deliveredAt = 0;
    qint64 readAt = 0;
    qint64 failedAt = 0;
    qint64 updatedAt = 0;
};

struct MessageQuery {
    QString contactPhone;
    std::optional<MessageDirection> direction; // any when absent
    std::optional<MessageStatus> status;       // any when absent
    qint64 since = 0;
    qint64 until = 0;
    int limit = 50;
    int offset = 0;
    // Keyset: only messages older than this one in the list's order (created_at, id descending).
    // Its position, read by MessageRepository::position.
    QString beforeId;
    qint64 beforeCreatedAt = 0;
    bool exactTotal = false; // count the whole set (?total=exact)
};

// Messages and the durable send queue (outbox). Status moves only forward:
// queued → sending → sent → delivered → read, or to failed.
class MessageRepository {
public:
    explicit MessageRepository(SqlRunner &sql) : m_sql(sql) {}

    // New outbound messages and their outbox entries, with multi-row INSERTs. The queue hands
    // out priority 0 (interactive: API, agents) before priority 1 (campaigns), oldest first.
    Status insertMany(const QList<MessageRecord> &messages);
    Status enqueueMany(const QList<MessageRecord> &messages, int priority = 0);
    // Inbound (or sent from the phone): false when this WhatsApp id was stored already.
    Result<bool> insertIfNew(const MessageRecord &message);

    // A message of a client within `scope`; others read as not found.
    Result<std::optional<MessageRecord>> find(const QString &organizationId, const QString &messageId,
                                              const ClientScope &scope);
    Result<std::optional<MessageRecord>> findByIdempotencyKey(const QString &organizationId, const QString &key);
    Result<std::optional<MessageRecord>> findByWaId(const QString &clientId, const QString &waMessageId);
    // Which of these WhatsApp ids a message of the client has (one query).
    Result<QSet<QString>> knownWaIds(const QString &clientId, const QStringList &waMessageIds);
    // Newest first; up to query.limit + 1 rows, so that the caller learns whether more follow.
    // The rows carry what a listing shows: no contact wa_id, idempotency key, request hash,
    // creator or update time (get() has them).
    Result<QList<MessageRecord>> list(const QString &organizationId, const QString &clientId, const MessageQuery &query);
    // The created_at of a message of that organization and client (a history cursor); none for
    // anything else, another organization's message included.
    Result<std::optional<qint64>> position(const QString &organizationId, const QString &clientId, const QString &messageId);
    Result<int> count(const QString &organizationId, const QString &clientId, const MessageQuery &query);

    // Takes the oldest queued message of a client off the queue and marks it sending.
    Result<std::optional<MessageRecord>> claimNext(const QString &clientId, qint64 now);
    Status markSent(const QString &messageId, const QString &waMessageId, qint64 at);
    // `waMessageId`: WhatsApp took the message and then refused it; kept so its acks are known.
    Status markFailed(const QString &messageId, const QString &reason, qint64 at, const QString &waMessageId = QString());
    // Applies a WhatsApp ack to the outbound message with that id; returns it when it moved.
    // Never backwards: delivered and read only move forward, only a message not yet delivered
    // can fail (negative acks, with the reason ackFailureReason gives).
    Result<std::optional<MessageRecord>> applyAck(const QString &clientId, const QString &waMessageId, int ack, qint64 at);
    // The page's echo of a send in flight may have been stored as a message of its own (sent
    // from the phone, as it seemed) before the send learnt its WhatsApp id: that row, if any, is
    // removed so the send's own row takes the id. Returns the removed row.
    Result<std::optional<MessageRecord>> takeEchoOf(const QString &clientId, const QString &waMessageId, const QString &messageId);

    // Outbound messages of a client that started sending at or after `since`.
    Result<int> sentSince(const QString &clientId, qint64 since);
    Result<QList<qint64>> sendTimesSince(const QString &clientId, qint64 since);
    Result<int> queueDepth(const QString &clientId);
    // The queue depth counted up to `cap`: cap when the queue holds cap messages or more.
    Result<int> queueDepthUpTo(const QString &clientId, int cap);
    // The queue depth of every client of an organization with something queued, in one query
    // (clients with an empty queue are absent).
    Result<QHash<QString, int>> queueDepths(const QString &organizationId);
    // The daily budget in use: sends started at or after `since` plus messages still queued.
    // Counted up to `cap` (what the caller compares with): the cost does not grow with the queue.
    Result<int> budgetUsed(const QString &clientId, qint64 since, int cap);
    // The start of the oldest send at or after `since`; 0 when none.
    Result<qint64> oldestSendSince(const QString &clientId, qint64 since);

private:
    SqlRunner &m_sql;
};

// The data of a message.* event about `m`, happening at `at`.
MessageEventData messageEventData(const MessageRecord &m, qint64 at);

} // namespace wadesk
