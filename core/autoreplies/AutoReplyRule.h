#pragma once

#include "core/campaigns/Campaign.h"
#include "core/common/DomainError.h"

#include <QDate>
#include <QJsonObject>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QTimeZone>
#include <optional>

namespace wadesk {

enum class AutoReplyKind { Keyword, Away, Welcome };
enum class KeywordMatch { Exact, Contains, Regex };

// When the organization is open (docs/auto-replies.md): weekly business hours (SendWindow's
// shape, several allowed) and holidays (whole days closed), in the organization's time zone.
struct BusinessHours {
    QList<SendWindow> hours;
    QList<QDate> holidays;

    bool isOpen(qint64 atMs, const QTimeZone &zone) const;
    QJsonObject toJson() const;
    // {"business_hours": [{days, start, end}, ...], "holidays": ["YYYY-MM-DD", ...]}.
    static Result<BusinessHours> fromJson(const QJsonValue &value);
};

// An auto-reply rule as stored. client_id empty: every client of the organization.
struct AutoReplyRule {
    QString id;
    QString organizationId;
    QString clientId;
    QString name;
    AutoReplyKind kind = AutoReplyKind::Keyword;
    KeywordMatch match = KeywordMatch::Contains; // keyword rules only
    QStringList keywords;                        // keyword rules: words, phrases or patterns
    BusinessHours schedule;                      // away rules only
    QString replyText;
    QString templateId;
    qint64 cooldownSeconds = 0;
    int priority = 100;
    bool enabled = true;
    QString createdBy;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;

    static QString kindName(AutoReplyKind kind);
    static std::optional<AutoReplyKind> parseKind(const QString &name);
    static QString matchName(KeywordMatch match);
    static std::optional<KeywordMatch> parseMatch(const QString &name);
    // The loop-guard period when a rule does not give one: a day for away and welcome messages,
    // five minutes for keywords (a question asked again later deserves its answer again).
    static qint64 defaultCooldownSeconds(AutoReplyKind kind);
};

// Keyword matching, case- and accent-insensitive: the text and the keywords are compared in
// their folded form (NFKD, combining marks dropped, case folded, white space collapsed). A
// pattern is compiled once, with its accents dropped and case ignored; only the first
// kMaxMatchedLength characters of a message are matched, which bounds a pattern's work.
class KeywordMatcher {
public:
    static constexpr int kMaxMatchedLength = 2000;
    static constexpr int kMaxPatternLength = 200;

    static QString fold(const QString &text);
    // 400 naming `field` when a pattern does not compile (with PCRE's reason and offset).
    static Status checkPattern(const QString &pattern, const QString &field);

    KeywordMatcher(KeywordMatch match, const QStringList &keywords);
    bool matches(const QString &text) const;

private:
    KeywordMatch m_match;
    QStringList m_folded;
    QList<QRegularExpression> m_patterns;
};

} // namespace wadesk
