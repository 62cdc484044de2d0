#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <optional>

namespace wadesk {

// One member of a JSON object as it stands in the text, without building the value.
struct JsonMember {
    enum class Type { String, Number, Literal, Object, Array };
    QString key;
    Type type = Type::Literal;
    // A string: what stands between the quotes, escapes as written. Otherwise the value's text.
    QByteArrayView raw;
};

// The members of the top-level object of `json`, as views into it, found in one pass that
// copies nothing (strings are skipped with memchr). For bodies too large to parse into a
// QJsonDocument: a 100 MB file in base64 is one string member, handed on as a view. Only the
// structure is checked here (nested values are skipped by matching brackets); nullopt when the
// text is not one object. Parse the small members with QJsonDocument (see smallMembersJson).
std::optional<QList<JsonMember>> topLevelJsonMembers(QByteArrayView json);

// The object made of the members other than `left out`, as JSON text to parse normally.
QByteArray smallMembersJson(const QList<JsonMember> &members, const QString &leftOut);

} // namespace wadesk
