#pragma once

#include "core/common/DomainError.h"

#include <QList>
#include <QString>
#include <optional>

namespace wadesk {

class SqlRunner;

// A conversation of a client's inbox: a contact with its latest message and unread count
// (the table `conversations`, kept by triggers on `messages`, migration 0023).
struct ConversationRecord {
    QString contactId;
    QString phoneNumber;
    QString name;
    bool optedOut = false;
    qint64 lastMessageAt = 0;
    int unreadCount = 0;
    QString lastMessageId;
    QString lastDirection; // outbound | inbound
    QString lastType;      // text, image, ...
    QString lastBody;
    QString lastCaption;
    QString lastStatus;
};

struct ConversationQuery {
    int limit = 100;
    // Keyset: only conversations after this one in the list's order (last_message_at, contact_id descending).
    qint64 beforeAt = 0;
    QString beforeContactId;
};

// A message whose text or caption matched an inbox search.
struct MessageHit {
    QString messageId;
    QString contactPhone;
    QString contactName;
    QString direction;
    QString type;
    QString body;
    QString caption;
    qint64 createdAt = 0;
};

class ConversationRepository {
public:
    explicit ConversationRepository(SqlRunner &sql) : m_sql(sql) {}

    // Most recent first; up to query.limit + 1 rows, so that the caller learns whether more follow.
    Result<QList<ConversationRecord>> list(const QString &organizationId, const QString &clientId, const ConversationQuery &query);
    // The conversation of the client with the contact of that number; none when they never wrote.
    Result<std::optional<ConversationRecord>> findByPhone(const QString &organizationId, const QString &clientId, const QString &phone);
    // Unread count to 0 (the thread was opened); returns the count it had.
    Result<int> markRead(const QString &organizationId, const QString &clientId, const QString &contactId, qint64 at);
    // Messages of the client whose text or caption contains `text` (case-insensitive), newest
    // first, at most `limit`.
    Result<QList<MessageHit>> search(const QString &organizationId, const QString &clientId, const QString &text, int limit);

private:
    SqlRunner &m_sql;
};

} // namespace wadesk
