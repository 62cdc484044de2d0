#pragma once

#include "core/autoreplies/AutoReplyRule.h"
#include "core/common/DomainError.h"

#include <QList>
#include <optional>

namespace wadesk {

class SqlRunner;

// auto_reply_rules and the loop guard (auto_reply_guard), always within one organization.
class AutoReplyRepository {
public:
    explicit AutoReplyRepository(SqlRunner &sql) : m_sql(sql) {}

    Status insert(const AutoReplyRule &rule);
    Status update(const AutoReplyRule &rule);
    Result<bool> remove(const QString &organizationId, const QString &ruleId);
    Result<std::optional<AutoReplyRule>> find(const QString &organizationId, const QString &ruleId);
    // In evaluation order (priority, client rules before organization-wide ones, created_at, id).
    Result<QList<AutoReplyRule>> list(const QString &organizationId, int limit, int offset);
    Result<int> count(const QString &organizationId);
    // The enabled rules that apply to a message on `clientId`, in evaluation order.
    Result<QList<AutoReplyRule>> applicable(const QString &organizationId, const QString &clientId);

    // Whether any enabled rule applies to a message on `clientId` (one indexed read).
    Result<bool> anyApplicable(const QString &organizationId, const QString &clientId);

    // The loop guard: records that `ruleId` answers `contactId` at `now` unless it did so less
    // than `cooldownMs` ago. True when the reply may go (the row was written). One conditional
    // upsert, inside the caller's transaction: concurrent writers of two instances serialise on
    // the row, and the later one sees the earlier one's time.
    Result<bool> claimGuard(const QString &organizationId, const QString &ruleId, const QString &contactId, qint64 now, qint64 cooldownMs);
    // Whether the client has any message with the contact other than `exceptMessageId`.
    Result<bool> hasOtherMessage(const QString &clientId, const QString &contactId, const QString &exceptMessageId);
    Result<bool> clientExists(const QString &organizationId, const QString &clientId);
    Result<QString> timeZoneOf(const QString &organizationId);

private:
    SqlRunner &m_sql;
};

} // namespace wadesk
