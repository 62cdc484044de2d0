#include "core/common/Json.h"
#include "core/common/UtcTime.h"


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

namespace {
constexpr qint64 kYear10000 = 253402300800000LL;

// "YYYY-MM-DDTHH:MM:SS.mmmZ" (what QDateTime::toString(Qt::ISODateWithMs) gives for UTC) for
// 0 < msecs < kYear10000, written directly: lists write several per row.
void formatIsoTime(qint64 msecs, char *out)
{
    const qint64 msOfDay = msecs % 86400000;
    // Days to civil date (H. Hinnant's algorithm), for days >= 0.
    const qint64 z = msecs / 86400000 + 719468;
    const qint64 era = z / 146097;
    const qint64 doe = z - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const int day = int(doy - (153 * mp + 2) / 5 + 1);
    const int month = int(mp < 10 ? mp + 3 : mp - 9);
    const int year = int(yoe + era * 400 + (month <= 2 ? 1 : 0));
    const int hour = int(msOfDay / 3600000);
    const int minute = int(msOfDay / 60000 % 60);
    const int second = int(msOfDay / 1000 % 60);
    const int milli = int(msOfDay % 1000);
    auto put = [out](int at, int value, int digits) {
        for (int i = digits - 1; i >= 0; --i, value /= 10)
            out[at + i] = char('0' + value % 10);
    };
    put(0, year, 4);
    out[4] = '-';
    put(5, month, 2);
    out[7] = '-';
    put(8, day, 2);
    out[10] = 'T';
    put(11, hour, 2);
    out[13] = ':';
    put(14, minute, 2);
    out[16] = ':';
    put(17, second, 2);
    out[19] = '.';
    put(20, milli, 3);
    out[23] = 'Z';
}
} // namespace

QJsonValue isoTime(qint64 msecs)
{
    if (msecs <= 0)
        return QJsonValue::Null;
    if (msecs >= kYear10000)
        return UtcTime::fromMSecs(msecs).toString(Qt::ISODateWithMs);
    char out[24];
    formatIsoTime(msecs, out);
    return QString::fromLatin1(out, 24);
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
        t = UtcTime::treatAsUtc(t); // a time without a zone is taken as UTC
    return t.toMSecsSinceEpoch();
}

namespace {
char hexDigit(uint v)
{
    return char(v < 10 ? '0' + v : 'a' + v - 10);
}

void writeEscaped(std::string &out, const QString &text)
{
    out.push_back('"');
    const char16_t *p = reinterpret_cast<const char16_t *>(text.utf16());
    const char16_t *const end = p + text.size();
    while (p != end) {
        const char16_t u = *p++;
        if (u < 0x80) {
            if (u >= 0x20 && u != u'"' && u != u'\\') {
                out.push_back(char(u));
                continue;
            }
            out.push_back('\\');
            switch (u) {
            case u'"': out.push_back('"'); break;
            case u'\\': out.push_back('\\'); break;
            case 0x08: out.push_back('b'); break;
            case 0x0c: out.push_back('f'); break;
            case 0x0a: out.push_back('n'); break;
            case 0x0d: out.push_back('r'); break;
            case 0x09: out.push_back('t'); break;
            default:
                out.append("u00", 3);
                out.push_back(hexDigit(u >> 4));
                out.push_back(hexDigit(u & 0xf));
            }
        } else if (u < 0x800) {
            out.push_back(char(0xc0 | (u >> 6)));
            out.push_back(char(0x80 | (u & 0x3f)));
        } else if (QChar::isHighSurrogate(u) && p != end && QChar::isLowSurrogate(*p)) {
            const char32_t c = QChar::surrogateToUcs4(u, *p++);
            out.push_back(char(0xf0 | (c >> 18)));
            out.push_back(char(0x80 | ((c >> 12) & 0x3f)));
            out.push_back(char(0x80 | ((c >> 6) & 0x3f)));
            out.push_back(char(0x80 | (c & 0x3f)));
        } else if (QChar::isSurrogate(u)) {
            // A lone surrogate is not UTF-8: escaped, as QJsonDocument does.
            out.append("\\u", 2);
            out.push_back(hexDigit(u >> 12));
            out.push_back(hexDigit((u >> 8) & 0xf));
            out.push_back(hexDigit((u >> 4) & 0xf));
            out.push_back(hexDigit(u & 0xf));
        } else {
            out.push_back(char(0xe0 | (u >> 12)));
            out.push_back(char(0x80 | ((u >> 6) & 0x3f)));
            out.push_back(char(0x80 | (u & 0x3f)));
        }
    }
    out.push_back('"');
}
} // namespace

void Writer::separate()
{
    if (!m_first)
        m_out.push_back(',');
    m_first = false;
}

Writer &Writer::beginObject()
{
    separate();
    m_out.push_back('{');
    m_first = true;
    return *this;
}

Writer &Writer::endObject()
{
    m_out.push_back('}');
    m_first = false;
    return *this;
}

Writer &Writer::beginArray()
{
    separate();
    m_out.push_back('[');
    m_first = true;
    return *this;
}

Writer &Writer::endArray()
{
    m_out.push_back(']');
    m_first = false;
    return *this;
}

Writer &Writer::key(QLatin1String name)
{
    separate();
    m_out.push_back('"');
    m_out.append(name.data(), size_t(name.size()));
    m_out.append("\":", 2);
    m_first = true; // the value follows without a comma
    return *this;
}

Writer &Writer::value(const QString &text)
{
    separate();
    writeEscaped(m_out, text);
    return *this;
}

Writer &Writer::time(qint64 msecs)
{
    if (msecs <= 0)
        return null();
    if (msecs >= kYear10000)
        return value(isoTime(msecs));
    separate();
    char text[26];
    text[0] = '"';
    formatIsoTime(msecs, text + 1);
    text[25] = '"';
    m_out.append(text, sizeof text);
    return *this;
}

Writer &Writer::value(qint64 number)
{
    separate();
    char digits[24];
    char *end = digits + sizeof digits;
    char *at = end;
    quint64 magnitude = number < 0 ? 0 - quint64(number) : quint64(number);
    do {
        *--at = char('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (number < 0)
        *--at = '-';
    m_out.append(at, size_t(end - at));
    return *this;
}

Writer &Writer::value(bool flag)
{
    separate();
    if (flag)
        m_out.append("true", 4);
    else
        m_out.append("false", 5);
    return *this;
}

Writer &Writer::null()
{
    separate();
    m_out.append("null", 4);
    return *this;
}

Writer &Writer::value(const QJsonValue &stringOrNull)
{
    return stringOrNull.isString() ? value(stringOrNull.toString()) : null();
}

Writer &Writer::raw(const QByteArray &json)
{
    separate();
    m_out.append(json.constData(), size_t(json.size()));
    return *this;
}

} // namespace wadesk::Json
