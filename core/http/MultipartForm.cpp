#include "core/http/MultipartForm.h"

#include <QByteArrayMatcher>

namespace wadesk {

namespace {

DomainError bad(const QString &why)
{
    return DomainError::badRequest(QStringLiteral("Malformed multipart/form-data body: %1").arg(why), QStringLiteral("bad_multipart"));
}

// The value of parameter `name` in a header such as `form-data; name="file"; filename="a.png"`.
// Quoted values may contain ';' and escaped quotes.
QByteArray headerParameter(const QByteArray &header, const QByteArray &name)
{
    qsizetype i = header.indexOf(';');
    while (i >= 0 && i < header.size()) {
        ++i;
        while (i < header.size() && (header.at(i) == ' ' || header.at(i) == '\t'))
            ++i;
        const qsizetype eq = header.indexOf('=', i);
        if (eq < 0)
            return {};
        const QByteArray key = header.mid(i, eq - i).trimmed().toLower();
        qsizetype j = eq + 1;
        QByteArray value;
        if (j < header.size() && header.at(j) == '"') {
            ++j;
            while (j < header.size() && header.at(j) != '"') {
                if (header.at(j) == '\\' && j + 1 < header.size())
                    ++j;
                value += header.at(j++);
            }
            ++j; // closing quote
        } else {
            while (j < header.size() && header.at(j) != ';')
                value += header.at(j++);
            value = value.trimmed();
        }
        if (key == name)
            return value;
        i = header.indexOf(';', j);
    }
    return {};
}

} // namespace

Result<QList<MultipartPart>> parseMultipartForm(const QByteArray &body, const QByteArray &contentTypeHeader, int maxParts)
{
    if (!contentTypeHeader.trimmed().toLower().startsWith("multipart/form-data"))
        return bad(QStringLiteral("not multipart/form-data"));
    const QByteArray boundary = headerParameter(contentTypeHeader, "boundary");
    if (boundary.isEmpty() || boundary.size() > 70)
        return bad(QStringLiteral("missing or invalid boundary"));

    const QByteArray delimiter = "--" + boundary;
    const QByteArrayMatcher nextDelimiter("\r\n" + delimiter);
    // The first delimiter may open the body or follow a preamble line.
    qsizetype pos = body.startsWith(delimiter) ? 0 : -1;
    if (pos < 0) {
        pos = nextDelimiter.indexIn(body);
        if (pos < 0)
            return bad(QStringLiteral("no boundary found"));
        pos += 2;
    }
    QList<MultipartPart> parts;
    for (;;) {
        pos += delimiter.size();
        if (body.mid(pos, 2) == "--")
            return parts; // the closing delimiter
        // Transport padding, then the line break that ends the delimiter line.
        while (pos < body.size() && (body.at(pos) == ' ' || body.at(pos) == '\t'))
            ++pos;
        if (body.mid(pos, 2) != "\r\n")
            return bad(QStringLiteral("malformed boundary line"));
        pos += 2;
        const qsizetype headersEnd = body.indexOf("\r\n\r\n", pos - 2);
        if (headersEnd < 0)
            return bad(QStringLiteral("a part's headers do not end"));
        MultipartPart part;
        bool formData = false;
        const QList<QByteArray> lines = headersEnd > pos ? body.mid(pos, headersEnd - pos).split('\n') : QList<QByteArray>();
        for (QByteArray line : lines) {
            line = line.trimmed();
            if (line.isEmpty())
                continue;
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                return bad(QStringLiteral("malformed part header"));
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-disposition") {
                formData = value.toLower().startsWith("form-data");
                part.name = headerParameter(value, "name");
                part.filename = headerParameter(value, "filename");
            } else if (name == "content-type") {
                part.contentType = value;
            }
        }
        if (!formData)
            return bad(QStringLiteral("a part without Content-Disposition: form-data"));
        const qsizetype dataStart = headersEnd + 4;
        const qsizetype dataEnd = nextDelimiter.indexIn(body, dataStart);
        if (dataEnd < 0)
            return bad(QStringLiteral("missing closing boundary"));
        part.data = QByteArrayView(body.constData() + dataStart, dataEnd - dataStart);
        if (parts.size() >= maxParts)
            return bad(QStringLiteral("more than %1 parts").arg(maxParts));
        parts.append(part);
        pos = dataEnd + 2;
    }
}

} // namespace wadesk
