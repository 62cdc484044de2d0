#pragma once

#include "core/common/DomainError.h"

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <optional>
#include <string>

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

// Compact JSON written straight into bytes, for list answers on hot routes where building a
// QJsonObject per row and serializing it costs more than the query. The output is what
// QJsonDocument::toJson(Compact) writes for the same values in the same key order (callers
// write keys in sorted order, as QJsonObject keeps them), escapes included.
class Writer {
public:
    explicit Writer(qsizetype expectedBytes = 256) { m_out.reserve(size_t(expectedBytes)); }
    Writer &beginObject();
    Writer &endObject();
    Writer &beginArray();
    Writer &endArray();
    Writer &key(QLatin1String name);
    Writer &value(const QString &text);
    Writer &value(qint64 number);
    Writer &value(int number) { return value(qint64(number)); }
    Writer &value(bool flag);
    Writer &null();
    // A string, or null, as Json::isoTime / Json::orNull return them.
    Writer &value(const QJsonValue &stringOrNull);
    // What value(isoTime(msecs)) writes, without building the string.
    Writer &time(qint64 msecs);
    // A value already written as compact JSON (a nested object or array kept as QJsonValue).
    Writer &raw(const QByteArray &json);
    QByteArray take() const { return QByteArray(m_out.data(), qsizetype(m_out.size())); }

private:
    void separate();
    std::string m_out; // appending to it inlines; QByteArray's append is a call per byte

    bool m_first = true; // no comma before the next value/key
};
} // namespace Json

} // namespace wadesk
