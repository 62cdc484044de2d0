#include "core/messaging/ConversationService.h"

#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/sessions/ClientService.h"

#include <QRegularExpression>

namespace wadesk {

namespace {
// Checked before any SQL: QPSQL inlines bound values.
bool looksLikeE164(const QString &phone)
{
    static const QRegularExpression e164(QStringLiteral("^\\+[1-9][0-9]{5,14}$"));
    return e164.match(phone).hasMatch();
}
} // namespace

Result<ConversationService::Page> ConversationService::list(const AuthContext &ctx, const QString &clientId, ConversationQuery query)
{
    if (Result<ClientRecord> client = m_clients.get(ctx, clientId); !client)
        return client.error();
    if (query.limit < 1 || query.limit > kMaxPage)
        return DomainError::badRequest(QStringLiteral("limit must be between 1 and %1").arg(kMaxPage), QStringLiteral("invalid_limit"));
    if (!query.beforeContactId.isEmpty() && !Ids::looksValid(query.beforeContactId, "contact"))
        return DomainError::badRequest(QStringLiteral("before must be the id of a contact"), QStringLiteral("invalid_cursor"));
    SqlRunner sql(m_database);
    Result<QList<ConversationRecord>> rows = ConversationRepository(sql).list(ctx.organizationId, clientId, query);
    if (!rows)
        return rows.error();
    Page page;
    page.conversations = rows.value();
    page.hasMore = page.conversations.size() > query.limit;
    if (page.hasMore)
        page.conversations.removeLast();
    return page;
}

Result<ConversationRecord> ConversationService::get(const AuthContext &ctx, const QString &clientId, const QString &phone)
{
    if (Result<ClientRecord> client = m_clients.get(ctx, clientId); !client)
        return client.error();
    if (!looksLikeE164(phone))
        return DomainError::notFound(QStringLiteral("Conversation"));
    SqlRunner sql(m_database);
    Result<std::optional<ConversationRecord>> found = ConversationRepository(sql).findByPhone(ctx.organizationId, clientId, phone);
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Conversation"));
    return *found.value();
}

Result<int> ConversationService::markRead(const AuthContext &ctx, const QString &clientId, const QString &phone)
{
    Result<ConversationRecord> conversation = get(ctx, clientId, phone);
    if (!conversation)
        return conversation.error();
    if (conversation.value().unreadCount == 0)
        return 0;
    SqlRunner sql(m_database);
    return ConversationRepository(sql).markRead(ctx.organizationId, clientId, conversation.value().contactId, m_clock.nowMs());
}

Result<QList<MessageHit>> ConversationService::search(const AuthContext &ctx, const QString &clientId, const QString &text, int limit)
{
    if (Result<ClientRecord> client = m_clients.get(ctx, clientId); !client)
        return client.error();
    const QString needle = text.trimmed();
    if (needle.size() < 2 || needle.size() > kMaxSearchLength || needle.contains(QChar(0)))
        return DomainError::badRequest(QStringLiteral("search must be 2 to %1 characters").arg(kMaxSearchLength), QStringLiteral("invalid_search"));
    if (limit < 1 || limit > kMaxSearchResults)
        return DomainError::badRequest(QStringLiteral("limit must be between 1 and %1").arg(kMaxSearchResults), QStringLiteral("invalid_limit"));
    SqlRunner sql(m_database);
    return ConversationRepository(sql).search(ctx.organizationId, clientId, needle, limit);
}

} // namespace wadesk
