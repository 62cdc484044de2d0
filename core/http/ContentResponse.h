#pragma once

#include "core/http/ApiRequest.h"
#include "core/http/HttpResponse.h"

#include <QByteArray>
#include <QString>
#include <functional>
#include <memory>

class QIODevice;

namespace wadesk {

// Stored bytes offered for download (a media file, an export already on disk).
struct StoredContent {
    qint64 size = 0;
    QByteArray contentType;
    QByteArray etag;        // the entity tag without quotes (e.g. the SHA-256 hex); empty: none
    QString downloadName;   // Content-Disposition: attachment with a safe filename; empty: inline
    // Opens the content for reading at position 0. It must be seekable for ranges. A null
    // device means the content could not be read (answered 500, logged by the caller's opener).
    std::function<std::unique_ptr<QIODevice>()> open;
};

// The one place download semantics live: 200 with the whole content, 206 for a single
// satisfiable byte range (`Range: bytes=a-b`, `a-`, `-n`), 416 with `Content-Range: bytes */size`
// for an unsatisfiable one, the whole content for a multi-range or malformed Range (allowed by
// RFC 9110), 304 when If-None-Match names the ETag (or is *). Always ETag, Accept-Ranges,
// X-Content-Type-Options: nosniff and Cache-Control: private. The body is streamed.
HttpResponse contentResponse(const ApiRequest &request, const StoredContent &content);

// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` with quotes,
// backslashes, control characters and path separators removed.
QByteArray attachmentDisposition(const QString &filename);

} // namespace wadesk
