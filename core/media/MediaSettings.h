#pragma once

#include <QString>
#include <QtGlobal>

namespace wadesk {

// The `media/...` settings (docs/media.md).
struct MediaSettings {
    enum class Storage { File, Database };

    qint64 maxBytes = 100LL * 1024 * 1024;        // one file, decoded (WhatsApp's document limit)
    qint64 quotaBytes = 5LL * 1024 * 1024 * 1024; // per organization, unique stored bytes; an admin may set another per organization
    Storage storage = Storage::File;              // where new files go; files already stored stay where they are
    int retentionDays = 0;                        // 0: kept forever
    // <dataDir>/media: the file backend's files, and where every upload is staged before it is
    // checked and stored. Empty (some tests): the system's temporary directory stages uploads
    // and the file backend is unavailable.
    QString directory;

    static constexpr qint64 kChunkBytes = 1024 * 1024; // the database backend's row size
    static constexpr int kMaxRetentionDays = 3650;

    // What the HTTP server lets in for a route that carries one file: base64 in JSON grows it
    // by a third; the slack covers the JSON around it, multipart headers and line breaks.
    qint64 uploadBodyLimit() const { return maxBytes + (maxBytes + 2) / 3 + 64 * 1024 + maxBytes / 64; }
};

} // namespace wadesk
