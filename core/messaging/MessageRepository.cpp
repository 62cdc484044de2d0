#include "core/messaging/MessageRepository.h"

#include "core/messaging/LeasedQueue.h"

#include <QJsonDocument>

#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "core/db/SqliteReader.h"
#include "core/messaging/OutboundAcks.h"

#include <QSqlQuery>
#include <algorithm>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
const QString kSelect = QStringLiteral(
    "SELECT m.id, m.organization_id, m.client_id, m.contact_id, c.phone_number, c.wa_id, m.direction, m.body, m.status, "
    "m.failure_reason, m.wa_message_id, m.idempotency_key, m.request_hash, m.created_by, m.created_at, m.sending_at, "
    "m.sent_at, m.delivered_at, m.read_at, m.failed_at, m.updated_at, m.type, m.media_id, m.caption, m.filename, "
    "m.details, m.media_status, m.media_error, m.edited_at, m.revoked_at "
    "FROM messages m JOIN contacts c ON c.id = m.contact_id");
// kSelect's columns for a history page: what a listing does not show is NULL (organization and
// client come from the query; wa_id, idempotency key, request hash, creator and update time
// stay empty), so that fifty rows read seven fewer values each.
const QString kListSelect = QStringLiteral(
    "SELECT m.id, NULL, NULL, m.contact_id, c.phone_number, NULL, m.direction, m.body, m.status, "
    "m.failure_reason, m.wa_message_id, NULL, NULL, NULL, m.created_at, m.sending_at, "
    "m.sent_at, m.delivered_at, m.read_at, m.failed_at, NULL, m.type, m.media_id, m.caption, m.filename, "
    "m.details, m.media_status, m.media_error, m.edited_at, m.revoked_at "
    "FROM messages m JOIN contacts c ON c.id = m.contact_id");

// Reads a row of kSelect through `q`, a QueryRow or an SqliteRow (text, utf8, integer by column).
template <typename Row>
MessageRecord readRow(const Row &q)
{
    MessageRecord m;
    m.id = q.text(0);
    m.organizationId = q.text(1);
    m.clientId = q.text(2);
    m.contactId = q.text(3);
    m.contactPhone = q.text(4);
    m.contactWaId = q.text(5);
    // The schema holds direction to its two values; a status it does not know (a row edited by
    // hand) reads as failed, so that it is neither sent nor shown as on its way.
    m.direction = parseMessageDirection(q.text(6)).value_or(MessageDirection::Outbound);
    m.body = q.text(7);
    const std::optional<MessageStatus> status = parseMessageStatus(q.text(8));
    if (!status)
        spdlog::warn("message {}: unknown status \"{}\" read as failed", m.id.toStdString(), q.text(8).toStdString());
    m.status = status.value_or(MessageStatus::Failed);
    m.failureReason = q.text(9);
    m.waMessageId = q.text(10);
    m.idempotencyKey = q.text(11);
    m.requestHash = q.text(12);
    m.createdBy = q.text(13);
    m.createdAt = q.integer(14);
    m.sendingAt = q.integer(15);
    m.sentAt = q.integer(16);
    m.deliveredAt = q.integer(17);
    m.readAt = q.integer(18);
    m.failedAt = q.integer(19);
    m.updatedAt = q.integer(20);
    m.type = q.text(21);
    if (m.type.isEmpty())
        m.type = QStringLiteral("text");
    m.mediaId = q.text(22);
    m.caption = q.text(23);
    m.filename = q.text(24);
    const QByteArray details = q.utf8(25);
    if (!details.isEmpty())
        m.details = QJsonDocument::fromJson(details).object();
    m.mediaStatus = q.text(26);
    m.mediaError = q.text(27);
    m.editedAt = q.integer(28);
    m.revokedAt = q.integer(29);
    return m;
}

// QSqlQuery's values under the names readRow uses.
struct QueryRow {
    const QSqlQuery &q;
    QString text(int column) const { return q.value(column).toString(); }
    QByteArray utf8(int column) const { return q.value(column).toString().toUtf8(); }
    qint64 integer(int column) const { return q.value(column).toLongLong(); }
};

MessageRecord fromRow(const QSqlQuery &q)
{
    return readRow(QueryRow{q});
}

std::optional<MessageRecord> firstRow(QSqlQuery &q)
{
    return q.next() ? std::optional<MessageRecord>(fromRow(q)) : std::nullopt;
}

QString historyFilters(const QString &organizationId, const QString &clientId, const MessageQuery &query, QVariantList &bind)
{
    QString where = QStringLiteral(" WHERE m.organization_id = ? AND m.client_id = ?");
    bind << organizationId << clientId;
    if (!query.contactPhone.isEmpty()) {
        where += QStringLiteral(" AND c.phone_number = ?");
        bind << query.contactPhone;
    }
    if (query.direction) {
        where += QStringLiteral(" AND m.direction = ?");
        bind << messageDirectionName(*query.direction);
    }
    if (query.status) {
        where += QStringLiteral(" AND m.status = ?");
        bind << messageStatusName(*query.status);
    }
    if (query.since > 0) {
        where += QStringLiteral(" AND m.created_at >= ?");
        bind << query.since;
    }
    if (query.until > 0) {
        where += QStringLiteral(" AND m.created_at <= ?");
        bind << query.until;
    }
    if (!query.beforeId.isEmpty()) {
        // (created_at, id) < (t, id) written so that both databases range-scan the index on
        // (client_id, created_at, id): the first term bounds the range, the second drops the ties.
        where += QStringLiteral(" AND m.created_at <= ? AND (m.created_at < ? OR m.id < ?)");
        bind << query.beforeCreatedAt << query.beforeCreatedAt << query.beforeId;
    }
    return where;
}
} // namespace

Status MessageRepository::insertMany(const QList<MessageRecord> &messages)
{
    QVariantList rows;
    rows.reserve(messages.size() * 20);
    for (const MessageRecord &m : messages)
        rows << m.id << m.organizationId << m.clientId << m.contactId << messageDirectionName(m.direction) << m.body << messageStatusName(m.status) << textOrNull(m.failureReason)
             << textOrNull(m.waMessageId) << textOrNull(m.idempotencyKey) << textOrNull(m.requestHash) << textOrNull(m.createdBy)
             << m.createdAt << (m.sentAt > 0 ? QVariant(m.sentAt) : nullInt()) << m.updatedAt
             << (m.type.isEmpty() ? QStringLiteral("text") : m.type) << textOrNull(m.mediaId) << textOrNull(m.caption) << textOrNull(m.filename)
             << textOrNull(m.autoReplyRuleId);
    Result<int> r = m_sql.insertRows(QStringLiteral("INSERT INTO messages (id, organization_id, client_id, contact_id, direction, body, status, "
                                                    "failure_reason, wa_message_id, idempotency_key, request_hash, created_by, created_at, "
                                                    "sent_at, updated_at, type, media_id, caption, filename, auto_reply_rule_id) VALUES"),
                                     20, rows, "messages.insertMany");
    if (!r)
        return r.error();
    return {};
}

Status MessageRepository::enqueueMany(const QList<MessageRecord> &messages, int priority)
{
    QVariantList rows;
    rows.reserve(messages.size() * 5);
    for (const MessageRecord &m : messages)
        rows << m.id << m.organizationId << m.clientId << m.createdAt << priority;
    Result<int> r = m_sql.insertRows(QStringLiteral("INSERT INTO outbox (message_id, organization_id, client_id, enqueued_at, priority) VALUES"), 5,
                                     rows, "outbox.insertMany");
    if (!r)
        return r.error();
    return {};
}

Result<bool> MessageRepository::insertIfNew(const MessageRecord &m)
{
    Result<int> r = m_sql.change(
        QStringLiteral("INSERT INTO messages (id, organization_id, client_id, contact_id, direction, body, status, wa_message_id, "
                       "created_at, sent_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT (client_id, wa_message_id) DO NOTHING"),
        {m.id, m.organizationId, m.clientId, m.contactId, messageDirectionName(m.direction), m.body, messageStatusName(m.status), m.waMessageId, m.createdAt,
         m.sentAt > 0 ? QVariant(m.sentAt) : nullInt(), m.updatedAt},
        "messages.insertIfNew");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Result<std::optional<MessageRecord>> MessageRepository::find(const QString &organizationId, const QString &messageId,
                                                             const ClientScope &scope)
{
    if (scope.seesNothing())
        return std::optional<MessageRecord>();
    QString sql = kSelect;
    QVariantList bind;
    if (!scope.seesAll()) {
        sql += QStringLiteral(" JOIN client_assignments a ON a.client_id = m.client_id AND a.user_id = ?");
        bind << scope.userId();
    }
    sql += QStringLiteral(" WHERE m.organization_id = ? AND m.id = ?");
    bind << organizationId << messageId;
    return m_sql.query(sql, bind, "messages.find", firstRow);
}

Result<std::optional<MessageRecord>> MessageRepository::findByIdempotencyKey(const QString &organizationId, const QString &key)
{
    static const QString sql = kSelect + QStringLiteral(" WHERE m.organization_id = ? AND m.idempotency_key = ?");
    return m_sql.query(sql, {organizationId, key}, "messages.findByKey", firstRow);
}

Result<std::optional<MessageRecord>> MessageRepository::findByWaId(const QString &clientId, const QString &waMessageId)
{
    static const QString sql = kSelect + QStringLiteral(" WHERE m.client_id = ? AND m.wa_message_id = ?");
    return m_sql.query(sql, {clientId, waMessageId}, "messages.findByWaId", firstRow);
}

Result<QSet<QString>> MessageRepository::knownWaIds(const QString &clientId, const QStringList &waMessageIds)
{
    QSet<QString> known;
    // In slices: a statement's bound values are limited (SQLite: 32766 by default).
    constexpr int kSlice = 500;
    for (int from = 0; from < waMessageIds.size(); from += kSlice) {
        const QStringList slice = waMessageIds.mid(from, kSlice);
        QStringList marks;
        QVariantList bind{clientId};
        for (const QString &id : slice) {
            marks << QStringLiteral("?");
            bind << id;
        }
        Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT wa_message_id FROM messages WHERE client_id = ? AND wa_message_id IN (%1)")
                                            .arg(marks.join(QLatin1Char(','))),
                                        bind, "messages.knownWaIds");
        if (!q)
            return q.error();
        while (q.value().next())
            known.insert(q.value().value(0).toString());
    }
    return known;
}

Result<QList<MessageRecord>> MessageRepository::list(const QString &organizationId, const QString &clientId, const MessageQuery &query)
{
    QVariantList bind;
    const QString where = historyFilters(organizationId, clientId, query, bind);
    bind << query.limit + 1 << query.offset;
    // A history page: prepared once per thread for each combination of filters. On SQLite it
    // is read through the C API (SqliteReader says why).
    const QString sql = kListSelect + where + QStringLiteral(" ORDER BY m.created_at DESC, m.id DESC LIMIT ? OFFSET ?");
    QList<MessageRecord> out;
    out.reserve(query.limit + 1);
    const auto add = [&](const auto &row) {
        out << readRow(row);
        out.last().organizationId = organizationId;
        out.last().clientId = clientId;
    };
    if (!m_sql.database().isPostgres()) {
        if (Status read = SqliteReader(m_sql.database()).each(sql, bind, "messages.list", add); !read)
            return read.error();
        return out;
    }
    Result<bool> read = m_sql.query(sql, bind, "messages.list", [&](QSqlQuery &q) {
        while (q.next())
            add(QueryRow{q});
        return true;
    });
    if (!read)
        return read.error();
    return out;
}

Result<std::optional<qint64>> MessageRepository::position(const QString &organizationId, const QString &clientId, const QString &messageId)
{
    return m_sql.query(QStringLiteral("SELECT created_at FROM messages WHERE id = ? AND organization_id = ? AND client_id = ?"),
                       {messageId, organizationId, clientId}, "messages.position",
                       [](QSqlQuery &q) { return q.next() ? std::optional<qint64>(q.value(0).toLongLong()) : std::nullopt; });
}

Result<int> MessageRepository::count(const QString &organizationId, const QString &clientId, const MessageQuery &query)
{
    QVariantList bind;
    MessageQuery whole = query; // the total is of the whole set, not of what follows the cursor
    whole.beforeId.clear();
    const QString where = historyFilters(organizationId, clientId, whole, bind);
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT COUNT(*) FROM messages m JOIN contacts c ON c.id = m.contact_id") + where,
                                    bind, "messages.count");
    if (!q)
        return q.error();
    q.value().next();
    return q.value().value(0).toInt();
}

// Several instances (LeasedQueue.h): the claim and the crash clean-up, with and without a lease.
namespace {
Result<std::optional<MessageRecord>> claimNextFenced(SqlRunner &sql, const QString &clientId, qint64 now,
                                                     const std::optional<LeaseFence> &fence);
} // namespace

Result<std::optional<MessageRecord>> MessageRepository::claimNext(const QString &clientId, qint64 now)
{
    return claimNextFenced(m_sql, clientId, now, std::nullopt);
}

Result<std::optional<MessageRecord>> claimNextUnderLease(SqlRunner &sql, const QString &clientId, qint64 now, const LeaseFence &fence)
{
    return claimNextFenced(sql, clientId, now, fence);
}

namespace {

Result<std::optional<MessageRecord>> claimNextFenced(SqlRunner &sql, const QString &clientId, qint64 now,
                                                     const std::optional<LeaseFence> &fence)
{
    // SKIP LOCKED lets several instances share one PostgreSQL queue without taking the same row.
    const QString lock = sql.database().isPostgres() ? QStringLiteral(" FOR UPDATE SKIP LOCKED") : QString();
    Result<QString> next = sql.query(
        QStringLiteral("SELECT message_id FROM outbox WHERE client_id = ? ORDER BY priority, enqueued_at, message_id LIMIT 1") + lock, {clientId},
        "outbox.next", [](QSqlQuery &q) { return q.next() ? q.value(0).toString() : QString(); });
    if (!next)
        return next.error();
    if (next.value().isEmpty())
        return std::optional<MessageRecord>();
    const QString messageId = next.value();
    Result<int> removed = sql.change(QStringLiteral("DELETE FROM outbox WHERE message_id = ?"), {messageId}, "outbox.take");
    if (!removed)
        return removed.error();
    QString mark = QStringLiteral("UPDATE messages SET status = 'sending', sending_at = ?, updated_at = ? WHERE id = ? AND status = 'queued'");
    QVariantList bind{now, now, messageId};
    if (fence) {
        mark += fence->condition();
        bind << fence->bindings(clientId);
    }
    Result<int> marked = sql.change(mark, bind, fence ? "messages.sending.fenced" : "messages.sending");
    if (!marked)
        return marked.error();
    if (marked.value() == 0 && fence) {
        // The message is still queued: a stale owner's claim must not take it off the queue.
        Result<int> stillQueued = sql.query(QStringLiteral("SELECT COUNT(*) FROM messages WHERE id = ? AND status = 'queued'"),
                                              {messageId}, "messages.stillQueued", [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
        if (!stillQueued)
            return stillQueued.error();
        if (stillQueued.value() > 0)
            return DomainError::conflict(QStringLiteral("This instance no longer holds the client's lease"),
                                         QStringLiteral("client_runs_elsewhere"));
    }
    if (marked.value() == 0)
        return std::optional<MessageRecord>();
    static const QString claimed = kSelect + QStringLiteral(" WHERE m.id = ?");
    return sql.query(claimed, {messageId}, "messages.claimed", firstRow);
}

} // namespace

Status MessageRepository::markSent(const QString &messageId, const QString &waMessageId, qint64 at)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE messages SET status = 'sent', wa_message_id = ?, sent_at = ?, updated_at = ? WHERE id = ? AND status = 'sending'"),
        {textOrNull(waMessageId), at, at, messageId}, "messages.sent");
    if (!r)
        return r.error();
    return {};
}

Status MessageRepository::markFailed(const QString &messageId, const QString &reason, qint64 at, const QString &waMessageId)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE messages SET status = 'failed', failure_reason = ?, failed_at = ?, updated_at = ?, "
                       "wa_message_id = COALESCE(?, wa_message_id) WHERE id = ? AND status IN ('queued', 'sending', 'sent')"),
        {reason, at, at, textOrNull(waMessageId), messageId}, "messages.failed");
    if (!r)
        return r.error();
    return {};
}

Result<std::optional<MessageRecord>> MessageRepository::applyAck(const QString &clientId, const QString &waMessageId, int ack, qint64 at)
{
    Result<std::optional<MessageRecord>> found = findByWaId(clientId, waMessageId);
    if (!found || !found.value() || found.value()->direction != MessageDirection::Outbound)
        return found ? Result<std::optional<MessageRecord>>(std::optional<MessageRecord>()) : found;
    const MessageRecord &m = *found.value();
    MessageRecord moved = m;
    QString sql;
    QVariantList bind;
    if (ack < 0) {
        // Only a message on its way can fail: once delivered, WhatsApp has it.
        if (m.status != MessageStatus::Sent && m.status != MessageStatus::Sending)
            return std::optional<MessageRecord>();
        moved.status = MessageStatus::Failed;
        moved.failureReason = ackFailureReason(ack);
        moved.failedAt = at;
        sql = QStringLiteral("UPDATE messages SET status = 'failed', failed_at = ?, failure_reason = ?, updated_at = ? "
                             "WHERE id = ? AND status IN ('sending', 'sent')");
        bind = {at, moved.failureReason, at, m.id};
    } else if (ack == 2) {
        if (m.status != MessageStatus::Sent)
            return std::optional<MessageRecord>();
        moved.status = MessageStatus::Delivered;
        moved.deliveredAt = at;
        sql = QStringLiteral("UPDATE messages SET status = 'delivered', delivered_at = ?, updated_at = ? WHERE id = ? AND status = 'sent'");
        bind = {at, at, m.id};
    } else if (ack >= 3) {
        if (m.status != MessageStatus::Sent && m.status != MessageStatus::Delivered)
            return std::optional<MessageRecord>();
        moved.status = MessageStatus::Read;
        moved.readAt = at;
        if (moved.deliveredAt == 0)
            moved.deliveredAt = at; // read implies delivered
        sql = QStringLiteral("UPDATE messages SET status = 'read', read_at = ?, delivered_at = COALESCE(delivered_at, ?), updated_at = ? "
                             "WHERE id = ? AND status IN ('sent', 'delivered')");
        bind = {at, at, at, m.id};
    } else {
        return std::optional<MessageRecord>(); // ack 0/1: already sent
    }
    Result<int> r = m_sql.change(sql, bind, "messages.ack");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return std::optional<MessageRecord>(); // moved meanwhile by another instance
    moved.updatedAt = at;
    return std::optional<MessageRecord>(moved);
}

Result<std::optional<MessageRecord>> MessageRepository::takeEchoOf(const QString &clientId, const QString &waMessageId,
                                                                   const QString &messageId)
{
    if (waMessageId.isEmpty())
        return std::optional<MessageRecord>();
    Result<std::optional<MessageRecord>> found = findByWaId(clientId, waMessageId);
    if (!found || !found.value())
        return found;
    const MessageRecord &echo = *found.value();
    // Only a row the page's report made (no request behind it) is an echo; anything else keeps
    // its id and the send's store fails loudly.
    if (echo.id == messageId || echo.direction != MessageDirection::Outbound || !echo.requestHash.isEmpty() || !echo.createdBy.isEmpty())
        return std::optional<MessageRecord>();
    Result<int> r = m_sql.change(QStringLiteral("DELETE FROM messages WHERE id = ?"), {echo.id}, "messages.takeEcho");
    if (!r)
        return r.error();
    return found;
}

Result<QList<MessageRecord>> stuckSendsNotLeasedElsewhere(SqlRunner &sql, qint64 sendingBefore, const QString &instanceId, int limit)
{
    QString where = QStringLiteral(" WHERE m.status = 'sending' AND m.sending_at <= ?");
    QVariantList bind{sendingBefore};
    if (!instanceId.isEmpty()) {
        where += QStringLiteral(" AND NOT EXISTS (SELECT 1 FROM client_leases l WHERE l.client_id = m.client_id AND l.owner <> ?"
                                " AND l.expires_at > ") + databaseNowMs() + QStringLiteral(")");
        bind << instanceId;
    }
    bind << std::max(1, limit);
    Result<QSqlQuery> q = sql.run(kSelect + where + QStringLiteral(" ORDER BY m.sending_at, m.id LIMIT ?"), bind, "messages.stuck");
    if (!q)
        return q.error();
    QList<MessageRecord> out;
    while (q.value().next())
        out << fromRow(q.value());
    return out;
}

Result<int> MessageRepository::sentSince(const QString &clientId, qint64 since)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_id = ? AND sending_at >= ?"),
                                    {clientId, since}, "messages.sentSince");
    if (!q)
        return q.error();
    q.value().next();
    return q.value().value(0).toInt();
}

Result<QList<qint64>> MessageRepository::sendTimesSince(const QString &clientId, qint64 since)
{
    return m_sql.query(QStringLiteral("SELECT sending_at FROM messages WHERE client_id = ? AND sending_at >= ? ORDER BY sending_at"),
                       {clientId, since}, "messages.sendTimes", [](QSqlQuery &q) {
                           QList<qint64> out;
                           while (q.next())
                               out << q.value(0).toLongLong();
                           return out;
                       });
}

Result<int> MessageRepository::budgetUsed(const QString &clientId, qint64 since, int cap)
{
    // Each part stops at the cap: only "below the budget or not" matters, so a long queue costs
    // no more than a full budget.
    return m_sql.query(QStringLiteral("SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE client_id = ? AND sending_at >= ? LIMIT ?) s) + "
                                      "(SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE client_id = ? LIMIT ?) q)"),
                       {clientId, since, cap, clientId, cap}, "messages.budgetUsed", [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
}

Result<qint64> MessageRepository::oldestSendSince(const QString &clientId, qint64 since)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT MIN(sending_at) FROM messages WHERE client_id = ? AND sending_at >= ?"),
                                    {clientId, since}, "messages.oldestSend");
    if (!q)
        return q.error();
    q.value().next();
    return q.value().value(0).toLongLong();
}

Result<int> MessageRepository::queueDepth(const QString &clientId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT COUNT(*) FROM outbox WHERE client_id = ?"), {clientId}, "outbox.depth");
    if (!q)
        return q.error();
    q.value().next();
    return q.value().value(0).toInt();
}

Result<int> MessageRepository::queueDepthUpTo(const QString &clientId, int cap)
{
    return m_sql.query(QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE client_id = ? LIMIT ?) q"), {clientId, cap},
                       "outbox.depthUpTo", [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
}

Result<QHash<QString, int>> MessageRepository::queueDepths(const QString &organizationId)
{
    return m_sql.query(QStringLiteral("SELECT client_id, COUNT(*) FROM outbox WHERE organization_id = ? GROUP BY client_id"),
                       {organizationId}, "outbox.depths", [](QSqlQuery &q) {
                           QHash<QString, int> depths;
                           while (q.next())
                               depths.insert(q.value(0).toString(), q.value(1).toInt());
                           return depths;
                       });
}

MessageEventData messageEventData(const MessageRecord &m, qint64 at)
{
    MessageEventData data;
    data.messageId = m.id;
    data.clientId = m.clientId;
    data.counterpart = m.contactPhone;
    data.at = at;
    data.type = m.type;
    data.mediaId = m.mediaId;
    data.caption = m.caption;
    data.filename = m.filename;
    if (m.status == MessageStatus::Failed)
        data.reason = m.failureReason;
    return data;
}

} // namespace wadesk
