#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QString>

namespace wadesk {

// One stored file as the rest of WaDesk sees it. `kind` is WhatsApp's message type for it:
// image, video, audio, voice, document or sticker; decided from the content, never the name.
struct MediaInfo {
    QString id;
    QString organizationId;
    QString filename;
    QString mimetype;
    QString kind;
    QString sha256; // lower-case hex
    qint64 size = 0;
    qint64 createdAt = 0;
};

// What the caller knows about bytes it hands over. Only hints: the content decides the type,
// and a declared type that contradicts it is refused (415 media_type_mismatch).
struct MediaHints {
    QString filename;
    QString declaredMimetype;
    bool voiceNote = false; // an OGG/Opus recording sent or received as a push-to-talk note
    bool sticker = false;   // a WebP sent or received as a sticker (a WebP is otherwise an image)
};

// The media store seen from messaging (sending, receiving) and the desktop. Implemented by
// core/media's MediaService; one instance per thread's service graph, like every service.
class MediaLibrary {
public:
    virtual ~MediaLibrary() = default;
    // Stores the bytes for the organization: type check, quota, content addressing. The same
    // bytes twice are stored once. Errors: 400 (empty/undecodable), 413 storage_quota_exceeded,
    // 415 media_type_not_allowed / media_type_mismatch.
    virtual Result<MediaInfo> store(const QString &organizationId, const QByteArray &bytes, const MediaHints &hints,
                                    const QString &createdBy) = 0;
    // 404 for another organization's media.
    virtual Result<MediaInfo> info(const QString &organizationId, const QString &mediaId) = 0;
    virtual Result<QByteArray> readAll(const QString &organizationId, const QString &mediaId) = 0;
};

} // namespace wadesk
