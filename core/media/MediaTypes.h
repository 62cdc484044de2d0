#pragma once

#include "core/common/DomainError.h"
#include "core/media/MediaLibrary.h"

#include <QString>

class QIODevice;

namespace wadesk {

// What the content of a file is, as WhatsApp will be told.
struct DetectedMedia {
    QString mimetype;  // canonical: image/jpeg, video/mp4, application/pdf, ...
    QString kind;      // image, video, audio, voice, document, sticker
    QString extension; // without the dot, for names made up when none was given
};

// Decides the type of `content` from its bytes alone (magic numbers and structure), reading it
// through the device (seekable, positioned anywhere, left anywhere). The hints only choose among
// what the bytes allow (text or CSV, voice note or audio, sticker or image) and are checked: a
// declared type that names something else is refused.
//
// Allowed: JPEG, PNG, WebP; MP4 and 3GPP video; MP4 (M4A), AAC (ADTS), MPEG, AMR and OGG/Opus
// audio; PDF, Office Open XML (docx, xlsx, pptx), OpenDocument (odt, ods, odp), legacy Office
// (doc, xls, ppt), UTF-8 text and CSV. A WebP is an image unless hinted as a sticker; an
// OGG/Opus file is audio unless hinted as a voice note.
//
// Errors: 400 empty_media (no bytes), 400 invalid_media (truncated or not decodable as what it
// starts like: a PNG without IEND, a JPEG without EOI, a ZIP without its central directory, ...),
// 415 media_type_not_allowed (anything else, and executables, scripts, HTML, XML and SVG whatever
// they are called), 415 media_type_mismatch (the declared type names another type).
Result<DetectedMedia> detectMediaType(QIODevice &content, const MediaHints &hints);

// The declared type without parameters, lower case ("Image/JPEG; q=1" → "image/jpeg").
QString normalizedMimetype(const QString &declared);

} // namespace wadesk
