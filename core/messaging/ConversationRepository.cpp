#include "core/messaging/ConversationRepository.h"

#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QSqlQuery>

namespace wadesk {

namespace {
const QString kSelect = QStringLiteral(
    "SELECT cv.contact_id, c.phone_number, c.name, c.opted_out, cv.last_message_at, cv.unread_count, cv.last_message_id, "
    "m.direction, m.type, m.body, m.caption, m.status "
    "FROM conversations cv JOIN contacts c ON c.id = cv.contact_id LEFT JOIN messages m ON m.id = cv.last_message_id "
    "WHERE cv.organization_id = ? AND cv.client_id = ?");

ConversationRecord readConversation(const QSqlQuery &q)
{
    ConversationRecord r;
    r.contactId = q.value(0).toString();
    r.phoneNumber = q.value(1).toString();
    r.name = q.value(2).toString();
    r.optedOut = q.value(3).toInt() != 0;
    r.lastMessageAt = q.value(4).toLongLong();
    r.unreadCount = q.value(5).toInt();
    r.lastMessageId = q.value(6).toString();
    r.lastDirection = q.value(7).toString();
    r.lastType = q.value(8).toString();
    r.lastBody = q.value(9).toString();
    r.lastCaption = q.value(10).toString();
    r.lastStatus = q.value(11).toString();
    return r;
}

// LIKE's wildcards and its escape character taken literally.
QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('%'), QLatin1String("\\%")).replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}
} // namespace

Result<QList<ConversationRecord>> ConversationRepository::list(const QString &organizationId, const QString &clientId,
                                                               const ConversationQuery &query)
{
    QVariantList bind{organizationId, clientId};
    QString sql = kSelect;
    if (!query.beforeContactId.isEmpty()) {
        // A range on (client_id, last_message_at, contact_id); the OR only drops the ties.
        sql += QStringLiteral(" AND cv.last_message_at <= ? AND (cv.last_message_at < ? OR cv.contact_id < ?)");
        bind << query.beforeAt << query.beforeAt << query.beforeContactId;
    }
    sql += QStringLiteral(" ORDER BY cv.last_message_at DESC, cv.contact_id DESC LIMIT ?");
    bind << query.limit + 1;
    return m_sql.query(sql, bind, "conversations.list", [&](QSqlQuery &q) {
        QList<ConversationRecord> out;
        out.reserve(query.limit + 1);
        while (q.next())
            out << readConversation(q);
        return out;
    });
}

Result<std::optional<ConversationRecord>> ConversationRepository::findByPhone(const QString &organizationId, const QString &clientId,
                                                                              const QString &phone)
{
    return m_sql.query(kSelect + QStringLiteral(" AND c.organization_id = ? AND c.phone_number = ?"), {organizationId, clientId, organizationId, phone},
                       "conversations.find", [](QSqlQuery &q) {
                           return q.next() ? std::optional<ConversationRecord>(readConversation(q)) : std::nullopt;
                       });
}

Result<int> ConversationRepository::markRead(const QString &organizationId, const QString &clientId, const QString &contactId, qint64 at)
{
    Result<int> before = m_sql.query(QStringLiteral("SELECT unread_count FROM conversations WHERE organization_id = ? AND client_id = ? AND contact_id = ?"),
                                     {organizationId, clientId, contactId}, "conversations.unread",
                                     [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
    if (!before)
        return before.error();
    Result<int> changed = m_sql.change(
        QStringLiteral("UPDATE conversations SET unread_count = 0, read_at = ? WHERE organization_id = ? AND client_id = ? AND contact_id = ?"),
        {at, organizationId, clientId, contactId}, "conversations.read");
    if (!changed)
        return changed.error();
    return before.value();
}

Result<QList<MessageHit>> ConversationRepository::search(const QString &organizationId, const QString &clientId, const QString &text, int limit)
{
    // SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's ILIKE that of every letter.
    const QString like = m_sql.database().isPostgres() ? QStringLiteral("ILIKE") : QStringLiteral("LIKE");
    const QString pattern = likePattern(text);
    const QString sql = QStringLiteral("SELECT m.id, c.phone_number, c.name, m.direction, m.type, m.body, m.caption, m.created_at "
                                       "FROM messages m JOIN contacts c ON c.id = m.contact_id "
                                       "WHERE m.organization_id = ? AND m.client_id = ? AND (m.body %1 ? ESCAPE '\\' OR m.caption %1 ? ESCAPE '\\') "
                                       "ORDER BY m.created_at DESC, m.id DESC LIMIT ?")
                            .arg(like);
    return m_sql.query(sql, {organizationId, clientId, pattern, pattern, limit}, "messages.search", [](QSqlQuery &q) {
        QList<MessageHit> out;
        while (q.next()) {
            MessageHit h;
            h.messageId = q.value(0).toString();
            h.contactPhone = q.value(1).toString();
            h.contactName = q.value(2).toString();
            h.direction = q.value(3).toString();
            h.type = q.value(4).toString();
            h.body = q.value(5).toString();
            h.caption = q.value(6).toString();
            h.createdAt = q.value(7).toLongLong();
            out << h;
        }
        return out;
    });
}

} // namespace wadesk
