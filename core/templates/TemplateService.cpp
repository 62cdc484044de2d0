#include "core/templates/TemplateService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/common/PhoneNumbers.h"
#include "core/db/SqlRunner.h"
#include "core/media/MediaLibrary.h"

#include <QRegularExpression>

namespace wadesk {

namespace {
constexpr int kMaxNameLength = 200;
constexpr int kMaxQuickReplies = 500;
} // namespace

TemplateService::TemplateService(Database &database, int maxTextLength, const Clock &clock)
    : m_database(database)
    , m_maxTextLength(maxTextLength)
    , m_clock(clock)
{
}

std::optional<QString> TemplateService::normalizeShortcut(const QString &shortcut)
{
    static const QRegularExpression valid(QStringLiteral("^[a-z0-9_-]{1,32}$"));
    const QString s = shortcut.trimmed().toLower();
    if (!valid.match(s).hasMatch())
        return std::nullopt;
    return s;
}

Status TemplateService::checkTemplate(const AuthContext &ctx, const TemplateRecord &t)
{
    if (t.name.isEmpty() || t.name.size() > kMaxNameLength)
        return DomainError::validation(QStringLiteral("name"), QStringLiteral("name must be 1 to %1 characters").arg(kMaxNameLength));
    if (t.body.trimmed().isEmpty() && t.mediaId.isEmpty())
        return DomainError::validation(QStringLiteral("body"), QStringLiteral("body is required (it may be empty only with media_id)"));
    if (t.body.toUcs4().size() > m_maxTextLength)
        return DomainError::validation(QStringLiteral("body"), QStringLiteral("body must be at most %1 characters").arg(m_maxTextLength));
    if (Result<MessageTemplate> parsed = MessageTemplate::parse(t.body); !parsed)
        return parsed.error();
    if (!t.mediaId.isEmpty()) {
        if (!m_media)
            return DomainError::unavailable(QStringLiteral("Media storage is not available"), QStringLiteral("media_unavailable"));
        if (!Ids::looksValid(t.mediaId, "media"))
            return DomainError::notFound(QStringLiteral("Media"));
        if (Result<MediaInfo> info = m_media->info(ctx.organizationId, t.mediaId); !info)
            return info.error();
    }
    SqlRunner sql(m_database);
    Result<bool> taken = TemplateRepository(sql).nameTaken(ctx.organizationId, t.name, t.id);
    if (!taken)
        return taken.error();
    if (taken.value())
        return DomainError::conflict(QStringLiteral("A template named '%1' exists already").arg(t.name), QStringLiteral("template_name_taken"));
    return {};
}

Result<TemplateRecord> TemplateService::create(const AuthContext &ctx, const TemplateDraft &draft)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    if (!draft.name)
        return DomainError::validation(QStringLiteral("name"), QStringLiteral("name is required"));
    TemplateRecord t;
    t.id = Ids::make("tpl");
    t.organizationId = ctx.organizationId;
    t.name = draft.name->trimmed();
    t.body = draft.body.value_or(QString());
    t.mediaId = draft.mediaId.value_or(QString());
    t.createdBy = ctx.userId;
    t.createdAt = t.updatedAt = m_clock.nowMs();
    if (Status s = checkTemplate(ctx, t); !s)
        return s.error();
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = TemplateRepository(write.sql).insert(t); !s)
            return s;
        return write.audit.append(auditBy(ctx, QStringLiteral("create_template"), QStringLiteral("templates"), t.id, {{QStringLiteral("name"), t.name}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return t;
}

Result<TemplateRecord> TemplateService::get(const AuthContext &ctx, const QString &templateId)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    if (!Ids::looksValid(templateId, "tpl"))
        return DomainError::notFound(QStringLiteral("Template"));
    SqlRunner sql(m_database);
    Result<std::optional<TemplateRecord>> found = TemplateRepository(sql).find(ctx.organizationId, templateId);
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Template"));
    return *found.value();
}

Result<TemplateRecord> TemplateService::update(const AuthContext &ctx, const QString &templateId, const TemplateDraft &change)
{
    Result<TemplateRecord> found = get(ctx, templateId);
    if (!found)
        return found.error();
    TemplateRecord t = found.value();
    if (change.name)
        t.name = change.name->trimmed();
    if (change.body)
        t.body = *change.body;
    if (change.mediaId)
        t.mediaId = *change.mediaId;
    t.updatedAt = m_clock.nowMs();
    if (Status s = checkTemplate(ctx, t); !s)
        return s.error();
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = TemplateRepository(write.sql).update(t); !s)
            return s;
        return write.audit.append(auditBy(ctx, QStringLiteral("update_template"), QStringLiteral("templates"), t.id, {{QStringLiteral("name"), t.name}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return t;
}

Status TemplateService::remove(const AuthContext &ctx, const QString &templateId)
{
    Result<TemplateRecord> found = get(ctx, templateId);
    if (!found)
        return found.error();
    return runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        Result<bool> removed = TemplateRepository(write.sql).remove(ctx.organizationId, templateId);
        if (!removed)
            return removed.error();
        if (!removed.value())
            return DomainError::notFound(QStringLiteral("Template"));
        return write.audit.append(auditBy(ctx, QStringLiteral("delete_template"), QStringLiteral("templates"), templateId,
                                          {{QStringLiteral("name"), found.value().name}}));
    }, m_clock);
}

Result<TemplateService::Page> TemplateService::list(const AuthContext &ctx, int limit, int offset)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    SqlRunner sql(m_database);
    TemplateRepository templates(sql);
    Result<QList<TemplateRecord>> rows = templates.list(ctx.organizationId, limit, offset);
    if (!rows)
        return rows.error();
    Result<int> total = templates.count(ctx.organizationId);
    if (!total)
        return total.error();
    return Page{rows.value(), total.value()};
}

Result<MessageTemplate::Rendered> TemplateService::preview(const AuthContext &ctx, const QString &templateId, const QString &contactId,
                                                           const QString &phoneNumber)
{
    Result<TemplateRecord> t = get(ctx, templateId);
    if (!t)
        return t.error();
    if (contactId.isEmpty() == phoneNumber.isEmpty())
        return DomainError::validation(QStringLiteral("contact_id"), QStringLiteral("send contact_id or phone_number"));
    SqlRunner sql(m_database);
    TemplateRepository templates(sql);
    TemplateValues values;
    if (!contactId.isEmpty()) {
        if (!Ids::looksValid(contactId, "contact"))
            return DomainError::notFound(QStringLiteral("Contact"));
        Result<std::optional<TemplateValues>> found = templates.contactValues(ctx.organizationId, contactId);
        if (!found)
            return found.error();
        if (!found.value())
            return DomainError::notFound(QStringLiteral("Contact"));
        values = *found.value();
    } else {
        Result<QString> phone = PhoneNumbers::toE164(phoneNumber, QString());
        if (!phone)
            return DomainError::validation(QStringLiteral("phone_number"), QStringLiteral("phone_number must be a number in E.164 form"));
        Result<QHash<QString, TemplateValues>> known = templates.valuesByPhones(ctx.organizationId, {phone.value()});
        if (!known)
            return known.error();
        values = known.value().value(phone.value());
        values.phoneNumber = phone.value();
    }
    Result<MessageTemplate> parsed = MessageTemplate::parse(t.value().body);
    if (!parsed)
        return parsed.error();
    return parsed.value().render(values);
}

Status TemplateService::checkQuickReply(const AuthContext &ctx, const QuickReplyRecord &r)
{
    if (r.text.trimmed().isEmpty() || r.text.toUcs4().size() > m_maxTextLength)
        return DomainError::validation(QStringLiteral("text"), QStringLiteral("text must be 1 to %1 characters").arg(m_maxTextLength));
    SqlRunner sql(m_database);
    Result<bool> taken = TemplateRepository(sql).shortcutTaken(ctx.organizationId, r.shortcut, r.id);
    if (!taken)
        return taken.error();
    if (taken.value())
        return DomainError::conflict(QStringLiteral("The shortcut /%1 is taken").arg(r.shortcut), QStringLiteral("shortcut_taken"));
    return {};
}

Result<QuickReplyRecord> TemplateService::createQuickReply(const AuthContext &ctx, const QuickReplyDraft &draft)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    const std::optional<QString> shortcut = normalizeShortcut(draft.shortcut.value_or(QString()));
    if (!shortcut)
        return DomainError::validation(QStringLiteral("shortcut"), QStringLiteral("shortcut must be 1 to 32 letters, digits, '_' or '-'"));
    QuickReplyRecord r;
    r.id = Ids::make("qr");
    r.organizationId = ctx.organizationId;
    r.shortcut = *shortcut;
    r.text = draft.text.value_or(QString());
    r.createdBy = ctx.userId;
    r.createdAt = r.updatedAt = m_clock.nowMs();
    if (Status s = checkQuickReply(ctx, r); !s)
        return s.error();
    SqlRunner sql(m_database);
    Result<QList<QuickReplyRecord>> existing = TemplateRepository(sql).quickReplies(ctx.organizationId);
    if (!existing)
        return existing.error();
    if (existing.value().size() >= kMaxQuickReplies)
        return DomainError::unprocessable(QStringLiteral("An organization has at most %1 quick replies").arg(kMaxQuickReplies),
                                          QStringLiteral("too_many_quick_replies"));
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = TemplateRepository(write.sql).insert(r); !s)
            return s;
        return write.audit.append(
            auditBy(ctx, QStringLiteral("create_quick_reply"), QStringLiteral("quick_replies"), r.id, {{QStringLiteral("shortcut"), r.shortcut}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return r;
}

Result<QuickReplyRecord> TemplateService::updateQuickReply(const AuthContext &ctx, const QString &quickReplyId, const QuickReplyDraft &change)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    if (!Ids::looksValid(quickReplyId, "qr"))
        return DomainError::notFound(QStringLiteral("Quick reply"));
    SqlRunner sql(m_database);
    Result<std::optional<QuickReplyRecord>> found = TemplateRepository(sql).findQuickReply(ctx.organizationId, quickReplyId);
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Quick reply"));
    QuickReplyRecord r = *found.value();
    if (change.shortcut) {
        const std::optional<QString> shortcut = normalizeShortcut(*change.shortcut);
        if (!shortcut)
            return DomainError::validation(QStringLiteral("shortcut"), QStringLiteral("shortcut must be 1 to 32 letters, digits, '_' or '-'"));
        r.shortcut = *shortcut;
    }
    if (change.text)
        r.text = *change.text;
    r.updatedAt = m_clock.nowMs();
    if (Status s = checkQuickReply(ctx, r); !s)
        return s.error();
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = TemplateRepository(write.sql).update(r); !s)
            return s;
        return write.audit.append(
            auditBy(ctx, QStringLiteral("update_quick_reply"), QStringLiteral("quick_replies"), r.id, {{QStringLiteral("shortcut"), r.shortcut}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return r;
}

Status TemplateService::removeQuickReply(const AuthContext &ctx, const QString &quickReplyId)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s;
    if (!Ids::looksValid(quickReplyId, "qr"))
        return DomainError::notFound(QStringLiteral("Quick reply"));
    return runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        Result<bool> removed = TemplateRepository(write.sql).removeQuickReply(ctx.organizationId, quickReplyId);
        if (!removed)
            return removed.error();
        if (!removed.value())
            return DomainError::notFound(QStringLiteral("Quick reply"));
        return write.audit.append(auditBy(ctx, QStringLiteral("delete_quick_reply"), QStringLiteral("quick_replies"), quickReplyId));
    }, m_clock);
}

Result<QList<QuickReplyRecord>> TemplateService::quickReplies(const AuthContext &ctx)
{
    if (Status s = ctx.require(Permission::SendMessages); !s)
        return s.error();
    SqlRunner sql(m_database);
    return TemplateRepository(sql).quickReplies(ctx.organizationId);
}

} // namespace wadesk
