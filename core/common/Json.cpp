#include "common/Json.h"

namespace wadesk::Json {

Result<QString> requiredString(const QJsonObject &o, const QString &field, int maxLength, int minLength)
{
    const QJsonValue v = o.value(field);
    if (v.isUndefined() || v.isNull())
        return DomainError::validation(field, QStringLiteral("%1 is required").arg(field));
    if (!v.isString())
        return DomainError::validation(field, QStringLiteral("%1 must be a string").arg(field));
    const QString s = v.toString().trimmed();
    if (s.size() < minLength)
        return DomainError::validation(field, minLength <= 1 ? QStringLiteral("%1 must not be empty").arg(field)
                                                             : QStringLiteral("%1 must be at least %2 characters").arg(field).arg(minLength));
    if (s.size() > maxLength)
        return DomainError::validation(field, QStringLiteral("%1 must be at most %2 characters").arg(field).arg(maxLength));
    return s;
}

Result<std::optional<QString>> optionalString(const QJsonObject &o, const QString &field, int maxLength)
{
    const QJsonValue v = o.value(field);
    if (v.isUndefined() || v.isNull())
        return std::optional<QString>();
    Result<QString> s = requiredString(o, field, maxLength);
    if (!s)
        return s.error();
    return std::optional<QString>(s.value());
}

Result<std::optional<bool>> optionalBool(const QJsonObject &o, const QString &field)
{
    const QJsonValue v = o.value(field);
    if (v.isUndefined() || v.isNull())
        return std::optional<bool>();
    if (!v.isBool())
        return DomainError::validation(field, QStringLiteral("%1 must be true or false").arg(field));
    return std::optional<bool>(v.toBool());
}

QJsonValue isoTime(qint64 msecs)
{
    if (msecs <= 0)
        return QJsonValue::Null;
    return QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonValue orNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

std::optional<qint64> parseIsoTime(const QString &text)
{
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid())
        return std::nullopt;
    if (t.timeSpec() == Qt::LocalTime && !text.endsWith(QLatin1Char('Z')) && !text.contains(QLatin1Char('+')))
        t.setTimeSpec(Qt::UTC); // a time without a zone is taken as UTC
    return t.toMSecsSinceEpoch();
}

} // namespace wadesk::Json
