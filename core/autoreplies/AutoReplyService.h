#pragma once

#include "core/access/AuthContext.h"
#include "core/autoreplies/AutoReplyRepository.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QJsonValue>
#include <optional>

namespace wadesk {

class Database;

// Auto-reply rules (issue 13; docs/auto-replies.md), on the API thread: created, read, changed
// and deleted by admins and managers (can_manage_clients), others 403; every write audited. The
// rules are applied by AutoReplyEngine as messages arrive.
class AutoReplyService {
public:
    AutoReplyService(Database &database, int maxTextLength, const Clock &clock = Clock::system());

    static constexpr int kMaxRulesPerOrganization = 200;
    static constexpr int kMaxKeywords = 50;
    static constexpr int kMaxKeywordLength = 200;
    static constexpr qint64 kMinCooldownSeconds = 60;
    static constexpr qint64 kMaxCooldownSeconds = 30LL * 86400;

    // A field absent from the request stays as it is (on create: its default).
    struct Draft {
        std::optional<QString> name;
        std::optional<QString> kind;
        std::optional<QString> clientId; // empty: every client of the organization
        std::optional<QString> match;
        std::optional<QStringList> keywords;
        std::optional<QJsonValue> schedule;
        std::optional<QString> replyText;
        std::optional<QString> templateId; // empty: none
        std::optional<qint64> cooldownSeconds;
        std::optional<int> priority;
        std::optional<bool> enabled;
    };
    Result<AutoReplyRule> create(const AuthContext &ctx, const Draft &draft);
    Result<AutoReplyRule> update(const AuthContext &ctx, const QString &ruleId, const Draft &change);
    Status remove(const AuthContext &ctx, const QString &ruleId);
    Result<AutoReplyRule> get(const AuthContext &ctx, const QString &ruleId);
    struct Page {
        QList<AutoReplyRule> rules;
        int total = 0;
    };
    Result<Page> list(const AuthContext &ctx, int limit, int offset);

private:
    // Applies `change` to `rule` and checks the result; 400 naming the field otherwise.
    Status apply(const AuthContext &ctx, AutoReplyRule &rule, const Draft &change, bool creating);

    Database &m_database;
    int m_maxTextLength;
    const Clock &m_clock;
};

} // namespace wadesk
