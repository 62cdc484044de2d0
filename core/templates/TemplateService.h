#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/templates/TemplateRepository.h"

#include <optional>

namespace wadesk {

class Database;
class MediaLibrary;

// Message templates and quick replies (issue 13; docs/templates.md), on the API thread. Templates
// are managed and read by admins and managers (can_manage_clients); quick replies are managed by
// them and read by everyone who sends messages (can_send_messages). Every write is audited.
class TemplateService {
public:
    TemplateService(Database &database, int maxTextLength, const Clock &clock = Clock::system());

    void setMediaLibrary(MediaLibrary *media) { m_media = media; }

    struct TemplateDraft {
        std::optional<QString> name;
        std::optional<QString> body;
        std::optional<QString> mediaId; // an empty string removes the media
    };
    Result<TemplateRecord> create(const AuthContext &ctx, const TemplateDraft &draft);
    Result<TemplateRecord> update(const AuthContext &ctx, const QString &templateId, const TemplateDraft &change);
    Status remove(const AuthContext &ctx, const QString &templateId);
    Result<TemplateRecord> get(const AuthContext &ctx, const QString &templateId);
    struct Page {
        QList<TemplateRecord> templates;
        int total = 0;
    };
    Result<Page> list(const AuthContext &ctx, int limit, int offset);
    // The template rendered for one of the organization's contacts, or for a bare number (no
    // name, no attributes). `missing` names the first variable left without a value.
    Result<MessageTemplate::Rendered> preview(const AuthContext &ctx, const QString &templateId, const QString &contactId,
                                              const QString &phoneNumber);

    struct QuickReplyDraft {
        std::optional<QString> shortcut;
        std::optional<QString> text;
    };
    Result<QuickReplyRecord> createQuickReply(const AuthContext &ctx, const QuickReplyDraft &draft);
    Result<QuickReplyRecord> updateQuickReply(const AuthContext &ctx, const QString &quickReplyId, const QuickReplyDraft &change);
    Status removeQuickReply(const AuthContext &ctx, const QString &quickReplyId);
    Result<QList<QuickReplyRecord>> quickReplies(const AuthContext &ctx);

    // A shortcut as stored (lower case) when it is 1 to 32 letters, digits, '_' or '-'.
    static std::optional<QString> normalizeShortcut(const QString &shortcut);

private:
    Status checkTemplate(const AuthContext &ctx, const TemplateRecord &t);
    Status checkQuickReply(const AuthContext &ctx, const QuickReplyRecord &r);

    Database &m_database;
    MediaLibrary *m_media = nullptr;
    int m_maxTextLength;
    const Clock &m_clock;
};

} // namespace wadesk
