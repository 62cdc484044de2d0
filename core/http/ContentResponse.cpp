#include "core/http/ContentResponse.h"

#include <QIODevice>
#include <cstring>
#include <optional>

namespace wadesk {

namespace {

struct ByteRange {
    qint64 first = 0;
    qint64 last = 0; // inclusive
};

// Outcome of reading a Range header against a representation of `size` bytes.
struct RangeRequest {
    enum Kind { Whole, Partial, Unsatisfiable } kind = Whole;
    ByteRange range;
};

std::optional<qint64> parseDigits(const QByteArray &text)
{
    if (text.isEmpty() || text.size() > 18)
        return std::nullopt;
    qint64 n = 0;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

// RFC 9110 §14: one byte range is served as 206; a header that does not parse, or asks for
// several ranges, is ignored (the whole content is an allowed answer to both).
RangeRequest readRange(const QByteArray &header, qint64 size)
{
    RangeRequest result;
    const QByteArray value = header.trimmed();
    if (!value.startsWith("bytes="))
        return result;
    const QByteArray spec = value.mid(6).trimmed();
    if (spec.contains(','))
        return result;
    const qsizetype dash = spec.indexOf('-');
    if (dash < 0)
        return result;
    const QByteArray from = spec.left(dash).trimmed();
    const QByteArray to = spec.mid(dash + 1).trimmed();
    if (from.isEmpty()) { // suffix: the last n bytes
        const std::optional<qint64> n = parseDigits(to);
        if (!n)
            return result;
        if (*n == 0 || size == 0) {
            result.kind = RangeRequest::Unsatisfiable;
            return result;
        }
        result.kind = RangeRequest::Partial;
        result.range = {std::max<qint64>(0, size - *n), size - 1};
        return result;
    }
    const std::optional<qint64> first = parseDigits(from);
    if (!first)
        return result;
    std::optional<qint64> last;
    if (!to.isEmpty()) {
        last = parseDigits(to);
        if (!last || *last < *first)
            return result;
    }
    if (*first >= size) {
        result.kind = RangeRequest::Unsatisfiable;
        return result;
    }
    result.kind = RangeRequest::Partial;
    result.range = {*first, last ? std::min(*last, size - 1) : size - 1};
    return result;
}

QByteArray opaqueTag(QByteArray tag)
{
    tag = tag.trimmed();
    if (tag.startsWith("W/"))
        tag = tag.mid(2);
    return tag;
}

bool noneMatchHits(const QByteArray &header, const QByteArray &quotedTag)
{
    const QByteArray value = header.trimmed();
    if (value == "*")
        return true;
    for (const QByteArray &candidate : value.split(',')) {
        if (opaqueTag(candidate) == quotedTag)
            return true;
    }
    return false;
}

bool isAttrChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c != 0 && std::strchr("!#$&+-.^_`|~", c) != nullptr);
}

} // namespace

QByteArray attachmentDisposition(const QString &filename)
{
    QString clean;
    clean.reserve(filename.size());
    for (const QChar c : filename) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c == u'"' || c == u'\\' || c == u'/' || c.category() == QChar::Other_Format)
            continue;
        clean += c;
    }
    clean = clean.trimmed();
    while (clean.startsWith(u'.'))
        clean.remove(0, 1); // no hidden files, no ".."
    if (clean.isEmpty())
        clean = QStringLiteral("download");
    QByteArray ascii;
    for (const QChar c : clean)
        ascii += c.unicode() < 0x80 ? char(c.unicode()) : '_';
    QByteArray encoded;
    for (const char c : clean.toUtf8()) {
        if (isAttrChar(c)) {
            encoded += c;
        } else {
            static const char hex[] = "0123456789ABCDEF";
            encoded += '%';
            encoded += hex[(uchar(c) >> 4) & 0xf];
            encoded += hex[uchar(c) & 0xf];
        }
    }
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

HttpResponse contentResponse(const ApiRequest &request, const StoredContent &content)
{
    const QByteArray quotedTag = content.etag.isEmpty() ? QByteArray() : '"' + content.etag + '"';
    auto decorate = [&](HttpResponse &r) {
        if (!quotedTag.isEmpty())
            r.withHeader("ETag", quotedTag);
        r.withHeader("Accept-Ranges", "bytes");
        r.withHeader("X-Content-Type-Options", "nosniff");
        r.withHeader("Cache-Control", "private, no-cache");
        if (!content.downloadName.isEmpty())
            r.withHeader("Content-Disposition", attachmentDisposition(content.downloadName));
    };

    const QByteArray ifNoneMatch = request.header("if-none-match");
    if (!quotedTag.isEmpty() && !ifNoneMatch.isEmpty() && noneMatchHits(ifNoneMatch, quotedTag)) {
        HttpResponse notModified;
        notModified.status = 304;
        notModified.contentType.clear();
        decorate(notModified);
        return notModified;
    }

    RangeRequest range;
    const QByteArray rangeHeader = request.header("range");
    const QByteArray ifRange = request.header("if-range");
    // If-Range with another validator: the representation changed, so send it whole.
    if (!rangeHeader.isEmpty() && (ifRange.isEmpty() || (!quotedTag.isEmpty() && ifRange.trimmed() == quotedTag)))
        range = readRange(rangeHeader, content.size);

    if (range.kind == RangeRequest::Unsatisfiable) {
        HttpResponse r = HttpResponse::error(416, QStringLiteral("range_not_satisfiable"),
                                             QStringLiteral("The requested range is outside the content"));
        r.withHeader("Content-Range", "bytes */" + QByteArray::number(content.size));
        r.withHeader("Accept-Ranges", "bytes");
        return r;
    }

    std::unique_ptr<QIODevice> device = content.open ? content.open() : nullptr;
    if (!device)
        return HttpResponse::error(DomainError::internal(QStringLiteral("The content could not be read")));
    qint64 start = 0;
    qint64 length = content.size;
    if (range.kind == RangeRequest::Partial) {
        start = range.range.first;
        length = range.range.last - range.range.first + 1;
        if (start > 0 && !device->seek(start))
            return HttpResponse::error(DomainError::internal(QStringLiteral("The content could not be read")));
    }
    HttpResponse r = HttpResponse::stream(std::shared_ptr<QIODevice>(device.release()), length,
                                          content.contentType.isEmpty() ? QByteArray("application/octet-stream") : content.contentType,
                                          range.kind == RangeRequest::Partial ? 206 : 200);
    if (range.kind == RangeRequest::Partial)
        r.withHeader("Content-Range", "bytes " + QByteArray::number(range.range.first) + '-' + QByteArray::number(range.range.last) + '/'
                                          + QByteArray::number(content.size));
    decorate(r);
    return r;
}

} // namespace wadesk
