#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace wadesk {

// One part of a multipart/form-data body (RFC 7578). `data` points into the body it was parsed
// from (no copy): that body must outlive the part.
struct MultipartPart {
    QByteArray name;        // the form field name
    QByteArray filename;    // as sent (may be empty); never trusted as a path
    QByteArray contentType; // as declared; empty when the part declared none
    QByteArrayView data;
};

// Parses a whole multipart/form-data body. `contentTypeHeader` is the request's Content-Type
// (its boundary parameter is required). 400 bad_multipart for a missing boundary, a missing
// closing delimiter, a part without Content-Disposition: form-data, or more than `maxParts` parts.
Result<QList<MultipartPart>> parseMultipartForm(const QByteArray &body, const QByteArray &contentTypeHeader,
                                                int maxParts = 32);

} // namespace wadesk
