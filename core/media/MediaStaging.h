#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QFile>
#include <QString>
#include <memory>

namespace wadesk {

// How the bytes handed to the store are written.
enum class MediaEncoding {
    Raw,
    // Base64 (standard or URL-safe alphabet, padding optional) as it stands in a JSON string:
    // line breaks, spaces and the JSON escapes a serializer may put in (\/, \n, \r, \uXXXX) are
    // skipped or unescaped on the way.
    Base64,
};

// Bytes on their way into the media store: a file in the staging directory, written in pieces
// (base64 decoded a piece at a time, so no second whole copy is held in memory), fsync'd, with
// its SHA-256 and size. Removed when destroyed unless moved into place first; files a killed
// process left behind are swept at the next start (MediaMaintenance).
class StagedFile {
public:
    ~StagedFile();
    StagedFile(const StagedFile &) = delete;
    StagedFile &operator=(const StagedFile &) = delete;

    // 400 empty_media / invalid_base64, 413 media_too_large (more than maxBytes decoded), 500
    // when the file cannot be written (the disk is full: logged).
    static Result<std::unique_ptr<StagedFile>> write(const QString &stagingDirectory, QByteArrayView data,
                                                     MediaEncoding encoding, qint64 maxBytes);

    const QString &path() const { return m_path; }
    const QString &sha256() const { return m_sha256; } // lower-case hex
    qint64 size() const { return m_size; }
    // The staged bytes, open for reading (seekable).
    QFile &file() { return m_file; }
    // Renames the file to `finalPath` (same file system) and makes the rename durable; afterwards
    // this object no longer owns a file. False (logged) when it failed.
    bool moveTo(const QString &finalPath);

    static QString prefix() { return QStringLiteral("upload-"); }

private:
    StagedFile() = default;
    QString m_path;
    QString m_sha256;
    qint64 m_size = 0;
    QFile m_file;
    bool m_owned = true;
};

// fsync of a directory, so a rename or an unlink in it survives a power loss.
void syncDirectory(const QString &directory);

} // namespace wadesk
