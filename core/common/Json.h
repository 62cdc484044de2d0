#pragma once

#include "common/DomainError.h"

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <optional>

namespace wadesk {

// Reading request fields with one consistent error per problem (400 validation_failed naming
// the field), and writing times as ISO-8601 UTC.
namespace Json {
Result<QString> requiredString(const QJsonObject &o, const QString &field, int maxLength, int minLength = 1);
Result<std::optional<QString>> optionalString(const QJsonObject &o, const QString &field, int maxLength);
Result<std::optional<bool>> optionalBool(const QJsonObject &o, const QString &field);
QJsonValue isoTime(qint64 msecs);          // null when msecs <= 0
QJsonValue orNull(const QString &text);    // null when empty
std::optional<qint64> parseIsoTime(const QString &text);
} // namespace Json

} // namespace wadesk
