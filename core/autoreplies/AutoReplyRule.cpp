#include "core/autoreplies/AutoReplyRule.h"

#include <QDateTime>
#include <QJsonArray>

namespace wadesk {

namespace {
constexpr int kMaxWindows = 14;
constexpr int kMaxHolidays = 366;
} // namespace

bool BusinessHours::isOpen(qint64 atMs, const QTimeZone &zone) const
{
    const QDate today = QDateTime::fromMSecsSinceEpoch(atMs, zone).date();
    if (holidays.contains(today))
        return false;
    for (const SendWindow &w : hours) {
        if (w.allows(atMs, zone))
            return true;
    }
    return false;
}

QJsonObject BusinessHours::toJson() const
{
    QJsonArray windows;
    for (const SendWindow &w : hours)
        windows.append(w.toJson());
    QJsonArray days;
    for (const QDate &d : holidays)
        days.append(d.toString(Qt::ISODate));
    return QJsonObject{{QStringLiteral("business_hours"), windows}, {QStringLiteral("holidays"), days}};
}

Result<BusinessHours> BusinessHours::fromJson(const QJsonValue &value)
{
    auto invalid = [](const QString &why) { return DomainError::validation(QStringLiteral("schedule"), QStringLiteral("schedule: ") + why); };
    if (!value.isObject())
        return invalid(QStringLiteral("must be an object {business_hours, holidays}"));
    const QJsonObject o = value.toObject();
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        if (it.key() != QLatin1String("business_hours") && it.key() != QLatin1String("holidays"))
            return invalid(QStringLiteral("unknown field ") + it.key().left(64));
    }
    BusinessHours b;
    const QJsonValue hours = o.value(QStringLiteral("business_hours"));
    if (!hours.isArray() || hours.toArray().isEmpty() || hours.toArray().size() > kMaxWindows)
        return invalid(QStringLiteral("business_hours must be a list of 1 to %1 {days, start, end}").arg(kMaxWindows));
    for (const QJsonValue &w : hours.toArray()) {
        Result<SendWindow> window = SendWindow::fromJson(w);
        if (!window)
            return invalid(QStringLiteral("business_hours: ") + window.error().message.section(QStringLiteral(": "), 1));
        b.hours.append(window.value());
    }
    const QJsonValue holidays = o.value(QStringLiteral("holidays"));
    if (!holidays.isUndefined() && !holidays.isNull()) {
        if (!holidays.isArray() || holidays.toArray().size() > kMaxHolidays)
            return invalid(QStringLiteral("holidays must be a list of at most %1 dates YYYY-MM-DD").arg(kMaxHolidays));
        for (const QJsonValue &d : holidays.toArray()) {
            const QString text = d.toString();
            const QDate date = QDate::fromString(text, Qt::ISODate);
            if (text.size() != 10 || !date.isValid())
                return invalid(QStringLiteral("holidays must be dates YYYY-MM-DD"));
            if (!b.holidays.contains(date))
                b.holidays.append(date);
        }
    }
    return b;
}

QString AutoReplyRule::kindName(AutoReplyKind kind)
{
    switch (kind) {
    case AutoReplyKind::Keyword:
        return QStringLiteral("keyword");
    case AutoReplyKind::Away:
        return QStringLiteral("away");
    case AutoReplyKind::Welcome:
        return QStringLiteral("welcome");
    }
    return QStringLiteral("keyword");
}

std::optional<AutoReplyKind> AutoReplyRule::parseKind(const QString &name)
{
    for (AutoReplyKind k : {AutoReplyKind::Keyword, AutoReplyKind::Away, AutoReplyKind::Welcome}) {
        if (name == kindName(k))
            return k;
    }
    return std::nullopt;
}

QString AutoReplyRule::matchName(KeywordMatch match)
{
    switch (match) {
    case KeywordMatch::Exact:
        return QStringLiteral("exact");
    case KeywordMatch::Contains:
        return QStringLiteral("contains");
    case KeywordMatch::Regex:
        return QStringLiteral("regex");
    }
    return QStringLiteral("contains");
}

std::optional<KeywordMatch> AutoReplyRule::parseMatch(const QString &name)
{
    for (KeywordMatch m : {KeywordMatch::Exact, KeywordMatch::Contains, KeywordMatch::Regex}) {
        if (name == matchName(m))
            return m;
    }
    return std::nullopt;
}

qint64 AutoReplyRule::defaultCooldownSeconds(AutoReplyKind kind)
{
    return kind == AutoReplyKind::Keyword ? 300 : 86400;
}

namespace {
// NFKD with the combining marks dropped: "Café" → "Cafe", "ﬁ" → "fi".
QString withoutMarks(const QString &text)
{
    const QString decomposed = text.normalized(QString::NormalizationForm_KD);
    QString out;
    out.reserve(decomposed.size());
    for (const QChar c : decomposed) {
        const QChar::Category cat = c.category();
        if (cat != QChar::Mark_NonSpacing && cat != QChar::Mark_SpacingCombining && cat != QChar::Mark_Enclosing)
            out.append(c);
    }
    return out;
}
} // namespace

QString KeywordMatcher::fold(const QString &text)
{
    return withoutMarks(text.left(kMaxMatchedLength)).toCaseFolded().simplified();
}

Status KeywordMatcher::checkPattern(const QString &pattern, const QString &field)
{
    if (pattern.isEmpty() || pattern.size() > kMaxPatternLength)
        return DomainError::validation(field, QStringLiteral("%1: a pattern must be 1 to %2 characters").arg(field).arg(kMaxPatternLength));
    const QRegularExpression re(withoutMarks(pattern), QRegularExpression::CaseInsensitiveOption | QRegularExpression::UseUnicodePropertiesOption);
    if (!re.isValid())
        return DomainError::validation(field, QStringLiteral("%1: invalid regular expression at offset %2: %3")
                                                  .arg(field)
                                                  .arg(re.patternErrorOffset())
                                                  .arg(re.errorString()));
    return {};
}

KeywordMatcher::KeywordMatcher(KeywordMatch match, const QStringList &keywords)
    : m_match(match)
{
    for (const QString &k : keywords) {
        if (match == KeywordMatch::Regex) {
            QRegularExpression re(withoutMarks(k), QRegularExpression::CaseInsensitiveOption | QRegularExpression::UseUnicodePropertiesOption);
            if (re.isValid()) // checked when the rule was stored; a broken one matches nothing
                m_patterns.append(re);
        } else {
            const QString folded = fold(k);
            if (!folded.isEmpty())
                m_folded.append(folded);
        }
    }
}

bool KeywordMatcher::matches(const QString &text) const
{
    const QString folded = fold(text);
    if (folded.isEmpty())
        return false;
    if (m_match == KeywordMatch::Regex) {
        for (const QRegularExpression &re : m_patterns) {
            if (re.match(folded).hasMatch())
                return true;
        }
        return false;
    }
    for (const QString &k : m_folded) {
        if (m_match == KeywordMatch::Exact ? folded == k : folded.contains(k))
            return true;
    }
    return false;
}

} // namespace wadesk
