#include "core/autoreplies/AutoReplyEngine.h"

#include "core/audit/AuditLog.h"
#include "core/audit/AuditedChange.h"
#include "core/autoreplies/AutoReplyRepository.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/media/MediaRepository.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"
#include "core/sessions/ClientRepository.h"
#include "core/sessions/ClientSendTiers.h"
#include "core/templates/TemplateRepository.h"

#include <QJsonObject>
#include <QTimeZone>
#include <algorithm>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
struct ReplyContent {
    QString text;
    std::optional<MediaRecord> media; // the template's file, when it has one that still exists
};

// The reply: the rule's template rendered for the contact when it has one (and it still exists
// and renders whole), with the template's file as a caption's attachment; else the rule's own text.
ReplyContent replyOf(SqlRunner &sql, const AutoReplyRule &rule, const ContactRecord &contact)
{
    if (!rule.templateId.isEmpty()) {
        TemplateRepository templates(sql);
        Result<std::optional<TemplateRecord>> t = templates.find(rule.organizationId, rule.templateId);
        Result<std::optional<TemplateValues>> values = templates.contactValues(rule.organizationId, contact.id);
        if (t && t.value() && values && values.value()) {
            if (Result<MessageTemplate> parsed = MessageTemplate::parse(t.value()->body)) {
                const MessageTemplate::Rendered rendered = parsed.value().render(*values.value());
                ReplyContent content{rendered.text, std::nullopt};
                if (rendered.missing.isEmpty() && !t.value()->mediaId.isEmpty()) {
                    Result<std::optional<MediaRecord>> media = MediaRepository(sql).find(rule.organizationId, t.value()->mediaId);
                    if (media && media.value())
                        content.media = media.value();
                    else
                        spdlog::info("auto-reply rule {}: the file of its template {} is gone", rule.id.toStdString(),
                                     rule.templateId.toStdString());
                }
                if (rendered.missing.isEmpty() && (content.media || !rendered.text.trimmed().isEmpty()))
                    return content;
            }
        }
        spdlog::info("auto-reply rule {}: its template {} is gone or lacks a value for this contact; the rule's text is used",
                     rule.id.toStdString(), rule.templateId.toStdString());
    }
    return ReplyContent{rule.replyText, std::nullopt};
}
} // namespace

namespace {
// Only a person's chat: groups (@g.us), status@broadcast, newsletters and the account's own
// messages are never answered, nor a contact who opted out.
bool answerable(const InboundForReply &message, const ContactRecord &contact)
{
    return !message.fromMe && message.chat.endsWith(QLatin1String("@c.us")) && !contact.optedOut && !contact.id.isEmpty();
}
} // namespace

Result<bool> AutoReplyEngine::mayAnswer(Database &database, const InboundForReply &message, const ContactRecord &contact)
{
    if (!answerable(message, contact))
        return false;
    SqlRunner sql(database);
    return AutoReplyRepository(sql).anyApplicable(message.organizationId, message.clientId);
}

Result<std::optional<QString>> AutoReplyEngine::answer(AuditedWrite &write, const InboundForReply &message, const ContactRecord &contact)
{
    const std::optional<QString> none;
    if (!answerable(message, contact))
        return none;
    AutoReplyRepository rules(write.sql);
    Result<QList<AutoReplyRule>> applicable = rules.applicable(message.organizationId, message.clientId);
    if (!applicable)
        return applicable.error();
    if (applicable.value().isEmpty())
        return none;

    const qint64 now = m_clock.nowMs();
    std::optional<QTimeZone> zone;
    std::optional<bool> firstContact;
    const AutoReplyRule *chosen = nullptr;
    for (const AutoReplyRule &rule : applicable.value()) {
        bool matches = false;
        switch (rule.kind) {
        case AutoReplyKind::Keyword:
            matches = message.type == QLatin1String("text") && KeywordMatcher(rule.match, rule.keywords).matches(message.text);
            break;
        case AutoReplyKind::Away:
            if (!zone) {
                Result<QString> name = rules.timeZoneOf(message.organizationId);
                if (!name)
                    return name.error();
                zone = QTimeZone(name.value().toUtf8());
                if (!zone->isValid())
                    zone = QTimeZone::utc();
            }
            matches = !rule.schedule.isOpen(now, *zone);
            break;
        case AutoReplyKind::Welcome:
            if (!firstContact) {
                Result<bool> other = rules.hasOtherMessage(message.clientId, contact.id, message.messageId);
                if (!other)
                    return other.error();
                firstContact = !other.value();
            }
            matches = *firstContact;
            break;
        }
        if (matches) {
            chosen = &rule;
            break;
        }
    }
    if (!chosen)
        return none;

    const ReplyContent content = replyOf(write.sql, *chosen, contact);
    const QString &text = content.text;
    if ((text.trimmed().isEmpty() && !content.media) || text.toUcs4().size() > m_maxTextLength)
        return none;

    // Checked before the guard is claimed: a reply not sent for the budget leaves the guard free.
    ClientRepository clients(write.sql);
    Result<std::optional<ClientRecord>> client = clients.find(message.organizationId, message.clientId, ClientScope::all());
    if (!client)
        return client.error();
    if (!client.value())
        return none;
    const int perDay = clientSendTiers(*client.value(), m_defaultTiers).perDay;
    Result<int> used = MessageRepository(write.sql).budgetUsed(message.clientId, now - RateLimiter::kDay, std::max(perDay, 0));
    if (!used)
        return used.error();
    if (used.value() >= perDay) {
        spdlog::info("auto-reply rule {}: client {} has used its {} messages of the day; no automatic reply", chosen->id.toStdString(),
                     message.clientId.toStdString(), perDay);
        return none;
    }

    // One reply per message: the first rule that matches decides, and when it answered this
    // contact within its cooldown nothing is sent (a bot answering the reply meets the guard).
    Result<bool> claimed = rules.claimGuard(message.organizationId, chosen->id, contact.id, now, chosen->cooldownSeconds * 1000);
    if (!claimed)
        return claimed.error();
    if (!claimed.value()) {
        spdlog::debug("auto-reply rule {}: answered contact {} less than {} s ago, not again", chosen->id.toStdString(),
                      contact.id.toStdString(), chosen->cooldownSeconds);
        return none;
    }

    MessageRecord reply;
    reply.id = Ids::make("msg");
    reply.organizationId = message.organizationId;
    reply.clientId = message.clientId;
    reply.contactId = contact.id;
    reply.direction = MessageDirection::Outbound;
    reply.body = text.isNull() ? QStringLiteral("") : text; // a file without a caption has "" as its body, never NULL
    if (content.media) {
        // As a campaign sends a template's file: the file, with the text as its caption.
        const MediaInfo &file = content.media->info;
        reply.type = file.kind.isEmpty() ? QStringLiteral("document") : file.kind;
        reply.mediaId = file.id;
        reply.caption = reply.body;
        reply.filename = file.filename;
    }
    reply.status = MessageStatus::Queued;
    reply.autoReplyRuleId = chosen->id;
    reply.createdAt = now;
    reply.updatedAt = now;
    MessageRepository messages(write.sql);
    if (Status s = messages.insertMany({reply}); !s)
        return s.error();
    if (Status s = messages.enqueueMany({reply}, 0); !s)
        return s.error();
    AuditEntry entry;
    entry.organizationId = message.organizationId;
    entry.action = QStringLiteral("auto_reply_sent");
    entry.resource = QStringLiteral("auto_reply_rules");
    entry.resourceId = chosen->id;
    entry.details = QJsonObject{{QStringLiteral("message_id"), reply.id},
                                {QStringLiteral("inbound_message_id"), message.messageId},
                                {QStringLiteral("client_id"), message.clientId},
                                {QStringLiteral("contact_id"), contact.id},
                                {QStringLiteral("kind"), AutoReplyRule::kindName(chosen->kind)}};
    if (Status s = write.audit.append(entry); !s)
        return s.error();
    return std::optional<QString>(reply.id);
}

} // namespace wadesk
