#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/maintenance/BackupManifest.h"

#include <QString>
#include <optional>

struct archive;
class QIODevice;

namespace wadesk {

// A backup archive on disk: tar (pax) compressed with gzip, through libarchive. Every entry is a
// regular file; its SHA-256 is computed from the very bytes that go into (or come out of) the
// archive, so a file that changes while it is copied cannot disagree with its checksum.

// Writes FILE.part (created 0600, the archive holds the users' data) and renames it to FILE only
// when everything was written and synced: a backup that is killed or fails never leaves a FILE
// behind, and the .part is removed on failure.
class BackupArchiveWriter {
public:
    explicit BackupArchiveWriter(QString finalPath, const Clock &clock = Clock::system());
    ~BackupArchiveWriter();
    BackupArchiveWriter(const BackupArchiveWriter &) = delete;
    BackupArchiveWriter &operator=(const BackupArchiveWriter &) = delete;

    // Refuses when FILE exists (a backup never replaces another).
    Status open();
    // Copies the file at `diskPath` as `entryPath`. A file that shrinks while it is read is an
    // error (its size is in the entry's header already).
    Result<BackupManifest::File> addFile(const QString &entryPath, const QString &diskPath);
    Result<BackupManifest::File> addData(const QString &entryPath, const QByteArray &data);
    // Finishes the archive, syncs it and renames FILE.part to FILE.
    Status commit();

    QString partPath() const { return m_finalPath + QStringLiteral(".part"); }

private:
    Status writeHeader(const QString &entryPath, qint64 size);
    Status writeBlock(const char *data, qint64 size);
    Status finishEntry();
    DomainError archiveError(const QString &what) const;
    void abandon();

    QString m_finalPath;
    qint64 m_createdAtSecs; // every entry's mtime: the time of the backup
    struct archive *m_archive = nullptr;
    int m_fd = -1;
    bool m_committed = false;
};

// Reads an archive entry by entry, refusing anything but regular files with paths a backup holds.
class BackupArchiveReader {
public:
    struct Entry {
        QString path;
        qint64 size = 0;
    };
    struct Digest {
        qint64 size = 0;
        QString sha256;
    };

    explicit BackupArchiveReader(QString path);
    ~BackupArchiveReader();
    BackupArchiveReader(const BackupArchiveReader &) = delete;
    BackupArchiveReader &operator=(const BackupArchiveReader &) = delete;

    Status open();
    // The next entry's header; nullopt after the last one.
    Result<std::optional<Entry>> next();
    // The current entry's content, written to `sink` when given, at most `maxBytes` of it.
    Result<Digest> readData(QIODevice *sink, qint64 maxBytes);
    Result<QByteArray> readAll(qint64 maxBytes);

private:
    DomainError archiveError(const QString &what) const;

    QString m_path;
    struct archive *m_archive = nullptr;
};

} // namespace wadesk
