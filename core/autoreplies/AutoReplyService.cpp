#include "core/autoreplies/AutoReplyService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/templates/TemplateRepository.h"

namespace wadesk {

namespace {
constexpr int kMaxNameLength = 200;

QJsonObject auditDetails(const AutoReplyRule &r)
{
    return QJsonObject{{QStringLiteral("name"), r.name},
                       {QStringLiteral("kind"), AutoReplyRule::kindName(r.kind)},
                       {QStringLiteral("client_id"), r.clientId.isEmpty() ? QJsonValue() : QJsonValue(r.clientId)},
                       {QStringLiteral("enabled"), r.enabled}};
}
} // namespace

AutoReplyService::AutoReplyService(Database &database, int maxTextLength, const Clock &clock)
    : m_database(database)
    , m_maxTextLength(maxTextLength)
    , m_clock(clock)
{
}

Status AutoReplyService::apply(const AuthContext &ctx, AutoReplyRule &r, const Draft &change, bool creating)
{
    if (change.kind) {
        const std::optional<AutoReplyKind> kind = AutoReplyRule::parseKind(*change.kind);
        if (!kind)
            return DomainError::validation(QStringLiteral("kind"), QStringLiteral("kind must be keyword, away or welcome"));
        if (!creating && *kind != r.kind)
            return DomainError::validation(QStringLiteral("kind"), QStringLiteral("kind cannot be changed; create another rule"));
        r.kind = *kind;
    } else if (creating) {
        return DomainError::validation(QStringLiteral("kind"), QStringLiteral("kind is required (keyword, away or welcome)"));
    }
    if (change.name)
        r.name = change.name->trimmed();
    if (r.name.isEmpty() || r.name.size() > kMaxNameLength)
        return DomainError::validation(QStringLiteral("name"), QStringLiteral("name must be 1 to %1 characters").arg(kMaxNameLength));
    if (change.clientId)
        r.clientId = *change.clientId;
    if (!r.clientId.isEmpty() && (change.clientId || creating)) {
        if (!Ids::looksValid(r.clientId, "client"))
            return DomainError::notFound(QStringLiteral("Client"));
        SqlRunner sql(m_database);
        Result<bool> exists = AutoReplyRepository(sql).clientExists(ctx.organizationId, r.clientId);
        if (!exists)
            return exists.error();
        if (!exists.value())
            return DomainError::notFound(QStringLiteral("Client"));
    }
    if (change.match) {
        const std::optional<KeywordMatch> match = AutoReplyRule::parseMatch(*change.match);
        if (!match)
            return DomainError::validation(QStringLiteral("match"), QStringLiteral("match must be exact, contains or regex"));
        r.match = *match;
    }
    if (change.keywords)
        r.keywords = *change.keywords;
    if (change.schedule) {
        Result<BusinessHours> schedule = BusinessHours::fromJson(*change.schedule);
        if (!schedule)
            return schedule.error();
        r.schedule = schedule.value();
    }
    if (r.kind == AutoReplyKind::Keyword) {
        if (r.keywords.isEmpty() || r.keywords.size() > kMaxKeywords)
            return DomainError::validation(QStringLiteral("keywords"), QStringLiteral("keywords must be a list of 1 to %1 strings").arg(kMaxKeywords));
        for (const QString &k : r.keywords) {
            if (r.match == KeywordMatch::Regex) {
                if (Status s = KeywordMatcher::checkPattern(k, QStringLiteral("keywords")); !s)
                    return s;
            } else if (KeywordMatcher::fold(k).isEmpty() || k.size() > kMaxKeywordLength) {
                return DomainError::validation(QStringLiteral("keywords"),
                                               QStringLiteral("each keyword must have 1 to %1 characters of text").arg(kMaxKeywordLength));
            }
        }
    } else {
        if (change.keywords && !change.keywords->isEmpty())
            return DomainError::validation(QStringLiteral("keywords"), QStringLiteral("keywords apply to keyword rules only"));
        if (change.match)
            return DomainError::validation(QStringLiteral("match"), QStringLiteral("match applies to keyword rules only"));
        r.keywords.clear();
    }
    if (r.kind == AutoReplyKind::Away && r.schedule.hours.isEmpty())
        return DomainError::validation(QStringLiteral("schedule"), QStringLiteral("an away rule needs a schedule {business_hours, holidays}"));
    if (r.kind != AutoReplyKind::Away && change.schedule)
        return DomainError::validation(QStringLiteral("schedule"), QStringLiteral("schedule applies to away rules only"));
    if (change.replyText)
        r.replyText = *change.replyText;
    if (change.templateId)
        r.templateId = *change.templateId;
    if (r.replyText.toUcs4().size() > m_maxTextLength)
        return DomainError::validation(QStringLiteral("reply_text"), QStringLiteral("reply_text must be at most %1 characters").arg(m_maxTextLength));
    if (r.replyText.trimmed().isEmpty() && r.templateId.isEmpty())
        return DomainError::validation(QStringLiteral("reply_text"), QStringLiteral("reply_text or template_id is required"));
    if (!r.templateId.isEmpty() && (change.templateId || creating)) {
        if (!Ids::looksValid(r.templateId, "tpl"))
            return DomainError::notFound(QStringLiteral("Template"));
        SqlRunner sql(m_database);
        Result<std::optional<TemplateRecord>> t = TemplateRepository(sql).find(ctx.organizationId, r.templateId);
        if (!t)
            return t.error();
        if (!t.value())
            return DomainError::notFound(QStringLiteral("Template"));
    }
    if (change.cooldownSeconds)
        r.cooldownSeconds = *change.cooldownSeconds;
    else if (creating)
        r.cooldownSeconds = AutoReplyRule::defaultCooldownSeconds(r.kind);
    if (r.cooldownSeconds < kMinCooldownSeconds || r.cooldownSeconds > kMaxCooldownSeconds)
        return DomainError::validation(QStringLiteral("cooldown_seconds"),
                                       QStringLiteral("cooldown_seconds must be %1 to %2").arg(kMinCooldownSeconds).arg(kMaxCooldownSeconds));
    if (change.priority)
        r.priority = *change.priority;
    if (r.priority < 0 || r.priority > 10000)
        return DomainError::validation(QStringLiteral("priority"), QStringLiteral("priority must be 0 to 10000"));
    if (change.enabled)
        r.enabled = *change.enabled;
    return {};
}

Result<AutoReplyRule> AutoReplyService::create(const AuthContext &ctx, const Draft &draft)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    AutoReplyRule r;
    r.id = Ids::make("arr");
    r.organizationId = ctx.organizationId;
    r.createdBy = ctx.userId;
    r.createdAt = r.updatedAt = m_clock.nowMs();
    if (Status s = apply(ctx, r, draft, true); !s)
        return s.error();
    SqlRunner sql(m_database);
    Result<int> existing = AutoReplyRepository(sql).count(ctx.organizationId);
    if (!existing)
        return existing.error();
    if (existing.value() >= kMaxRulesPerOrganization)
        return DomainError::unprocessable(QStringLiteral("An organization has at most %1 auto-reply rules").arg(kMaxRulesPerOrganization),
                                          QStringLiteral("too_many_auto_reply_rules"));
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = AutoReplyRepository(write.sql).insert(r); !s)
            return s;
        return write.audit.append(auditBy(ctx, QStringLiteral("create_auto_reply_rule"), QStringLiteral("auto_reply_rules"), r.id, auditDetails(r)));
    }, m_clock);
    if (!stored)
        return stored.error();
    return r;
}

Result<AutoReplyRule> AutoReplyService::get(const AuthContext &ctx, const QString &ruleId)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    if (!Ids::looksValid(ruleId, "arr"))
        return DomainError::notFound(QStringLiteral("Auto-reply rule"));
    SqlRunner sql(m_database);
    Result<std::optional<AutoReplyRule>> found = AutoReplyRepository(sql).find(ctx.organizationId, ruleId);
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Auto-reply rule"));
    return *found.value();
}

Result<AutoReplyRule> AutoReplyService::update(const AuthContext &ctx, const QString &ruleId, const Draft &change)
{
    Result<AutoReplyRule> found = get(ctx, ruleId);
    if (!found)
        return found.error();
    AutoReplyRule r = found.value();
    if (Status s = apply(ctx, r, change, false); !s)
        return s.error();
    r.updatedAt = m_clock.nowMs();
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = AutoReplyRepository(write.sql).update(r); !s)
            return s;
        return write.audit.append(auditBy(ctx, QStringLiteral("update_auto_reply_rule"), QStringLiteral("auto_reply_rules"), r.id, auditDetails(r)));
    }, m_clock);
    if (!stored)
        return stored.error();
    return r;
}

Status AutoReplyService::remove(const AuthContext &ctx, const QString &ruleId)
{
    Result<AutoReplyRule> found = get(ctx, ruleId);
    if (!found)
        return found.error();
    return runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        Result<bool> removed = AutoReplyRepository(write.sql).remove(ctx.organizationId, ruleId);
        if (!removed)
            return removed.error();
        if (!removed.value())
            return DomainError::notFound(QStringLiteral("Auto-reply rule"));
        return write.audit.append(
            auditBy(ctx, QStringLiteral("delete_auto_reply_rule"), QStringLiteral("auto_reply_rules"), ruleId, auditDetails(found.value())));
    }, m_clock);
}

Result<AutoReplyService::Page> AutoReplyService::list(const AuthContext &ctx, int limit, int offset)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    SqlRunner sql(m_database);
    AutoReplyRepository rules(sql);
    Result<QList<AutoReplyRule>> rows = rules.list(ctx.organizationId, limit, offset);
    if (!rows)
        return rows.error();
    Result<int> total = rules.count(ctx.organizationId);
    if (!total)
        return total.error();
    return Page{rows.value(), total.value()};
}

} // namespace wadesk
