#include "core/common/JsonMembers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cstring>

namespace wadesk {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// From the character after an opening quote: the index of the closing quote, or -1.
qsizetype stringEnd(QByteArrayView text, qsizetype from)
{
    const char *data = text.data();
    const qsizetype n = text.size();
    qsizetype at = from;
    while (at < n) {
        const void *quote = memchr(data + at, '"', size_t(n - at));
        if (!quote)
            return -1;
        const qsizetype q = static_cast<const char *>(quote) - data;
        qsizetype backslashes = 0;
        while (q - 1 - backslashes >= from && data[q - 1 - backslashes] == '\\')
            ++backslashes;
        if (backslashes % 2 == 0)
            return q;
        at = q + 1;
    }
    return -1;
}

// From an opening bracket: the index after its matching closing one, or -1.
qsizetype containerEnd(QByteArrayView text, qsizetype from)
{
    int depth = 0;
    for (qsizetype at = from; at < text.size(); ++at) {
        const char c = text[at];
        if (c == '"') {
            at = stringEnd(text, at + 1);
            if (at < 0)
                return -1;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return at + 1;
        }
    }
    return -1;
}

} // namespace

std::optional<QList<JsonMember>> topLevelJsonMembers(QByteArrayView json)
{
    QList<JsonMember> members;
    qsizetype at = 0;
    const qsizetype n = json.size();
    auto skipSpace = [&]() {
        while (at < n && isSpace(json[at]))
            ++at;
    };
    skipSpace();
    if (at >= n || json[at] != '{')
        return std::nullopt;
    ++at;
    skipSpace();
    if (at < n && json[at] == '}') {
        ++at;
    } else {
        for (;;) {
            skipSpace();
            if (at >= n || json[at] != '"')
                return std::nullopt;
            const qsizetype keyEnd = stringEnd(json, at + 1);
            if (keyEnd < 0 || keyEnd - at > 4096)
                return std::nullopt;
            const QByteArray keyJson = QByteArray("[") + json.sliced(at, keyEnd + 1 - at).toByteArray() + "]";
            const QJsonDocument keyDoc = QJsonDocument::fromJson(keyJson);
            if (!keyDoc.isArray())
                return std::nullopt;
            JsonMember member;
            member.key = keyDoc.array().at(0).toString();
            at = keyEnd + 1;
            skipSpace();
            if (at >= n || json[at] != ':')
                return std::nullopt;
            ++at;
            skipSpace();
            if (at >= n)
                return std::nullopt;
            const char c = json[at];
            if (c == '"') {
                const qsizetype end = stringEnd(json, at + 1);
                if (end < 0)
                    return std::nullopt;
                member.type = JsonMember::Type::String;
                member.raw = json.sliced(at + 1, end - at - 1);
                at = end + 1;
            } else if (c == '{' || c == '[') {
                const qsizetype end = containerEnd(json, at);
                if (end < 0)
                    return std::nullopt;
                member.type = c == '{' ? JsonMember::Type::Object : JsonMember::Type::Array;
                member.raw = json.sliced(at, end - at);
                at = end;
            } else {
                const qsizetype start = at;
                while (at < n && json[at] != ',' && json[at] != '}' && !isSpace(json[at]))
                    ++at;
                member.raw = json.sliced(start, at - start);
                member.type = (c == '-' || (c >= '0' && c <= '9')) ? JsonMember::Type::Number : JsonMember::Type::Literal;
                if (member.raw.isEmpty())
                    return std::nullopt;
            }
            members << member;
            skipSpace();
            if (at < n && json[at] == ',') {
                ++at;
                continue;
            }
            if (at < n && json[at] == '}') {
                ++at;
                break;
            }
            return std::nullopt;
        }
    }
    skipSpace();
    if (at != n)
        return std::nullopt;
    return members;
}

QByteArray smallMembersJson(const QList<JsonMember> &members, const QString &leftOut)
{
    QByteArray out("{");
    bool first = true;
    for (const JsonMember &m : members) {
        if (m.key == leftOut)
            continue;
        if (!first)
            out += ',';
        first = false;
        out += QJsonDocument(QJsonArray{m.key}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
        out += ':';
        if (m.type == JsonMember::Type::String)
            out += '"' + m.raw.toByteArray() + '"';
        else
            out += m.raw.toByteArray();
    }
    out += '}';
    return out;
}

} // namespace wadesk
