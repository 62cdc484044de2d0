#include "core/maintenance/BackupArchive.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace wadesk {

namespace {
constexpr qint64 kBlockBytes = 256 * 1024;

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

// Makes a rename durable: the directory entry is synced too.
void syncDirectoryOf(const QString &path)
{
    const QByteArray dir = QFile::encodeName(QFileInfo(path).absolutePath());
    const int fd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}
} // namespace

BackupArchiveWriter::BackupArchiveWriter(QString finalPath, const Clock &clock)
    : m_finalPath(std::move(finalPath))
    , m_createdAtSecs(clock.nowMs() / 1000)
{
}

BackupArchiveWriter::~BackupArchiveWriter()
{
    if (!m_committed)
        abandon();
}

void BackupArchiveWriter::abandon()
{
    if (m_archive) {
        archive_write_free(m_archive); // also closes; the file is removed just below anyway
        m_archive = nullptr;
    }
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
        QFile::remove(partPath());
    }
}

DomainError BackupArchiveWriter::archiveError(const QString &what) const
{
    const char *text = m_archive ? archive_error_string(m_archive) : nullptr;
    return DomainError::internal(QStringLiteral("cannot write the archive %1 (%2): %3")
                                     .arg(partPath(), what, text ? QString::fromLocal8Bit(text) : errnoText()));
}

Status BackupArchiveWriter::open()
{
    if (QFileInfo::exists(m_finalPath))
        return DomainError::conflict(QStringLiteral("%1 exists already; a backup never replaces a file: choose another name")
                                         .arg(m_finalPath),
                                     QStringLiteral("file_exists"));
    const QFileInfo parent(QFileInfo(m_finalPath).absolutePath());
    if (!parent.isDir())
        return DomainError::badRequest(QStringLiteral("the directory %1 does not exist").arg(parent.filePath()),
                                       QStringLiteral("no_such_directory"));
    // A .part is what a killed backup left behind: never a finished archive, safe to replace.
    QFile::remove(partPath());
    const QByteArray native = QFile::encodeName(partPath());
    m_fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (m_fd < 0)
        return DomainError::internal(QStringLiteral("cannot create %1: %2").arg(partPath(), errnoText()));
    m_archive = archive_write_new();
    if (!m_archive || archive_write_add_filter_gzip(m_archive) != ARCHIVE_OK
        || archive_write_set_format_pax_restricted(m_archive) != ARCHIVE_OK
        || archive_write_open_fd(m_archive, m_fd) != ARCHIVE_OK)
        return archiveError(QStringLiteral("open"));
    return {};
}

Status BackupArchiveWriter::writeHeader(const QString &entryPath, qint64 size)
{
    struct archive_entry *entry = archive_entry_new();
    archive_entry_set_pathname_utf8(entry, entryPath.toUtf8().constData());
    archive_entry_set_size(entry, size);
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0600);
    archive_entry_set_mtime(entry, m_createdAtSecs, 0);
    const int rc = archive_write_header(m_archive, entry);
    archive_entry_free(entry);
    if (rc != ARCHIVE_OK)
        return archiveError(entryPath);
    return {};
}

Status BackupArchiveWriter::writeBlock(const char *data, qint64 size)
{
    while (size > 0) {
        const la_ssize_t written = archive_write_data(m_archive, data, size_t(size));
        if (written <= 0)
            return archiveError(QStringLiteral("data"));
        data += written;
        size -= written;
    }
    return {};
}

Status BackupArchiveWriter::finishEntry()
{
    if (archive_write_finish_entry(m_archive) != ARCHIVE_OK)
        return archiveError(QStringLiteral("entry"));
    return {};
}

Result<BackupManifest::File> BackupArchiveWriter::addFile(const QString &entryPath, const QString &diskPath)
{
    QFile file(diskPath);
    if (!file.open(QIODevice::ReadOnly))
        return DomainError::internal(QStringLiteral("cannot read %1: %2").arg(diskPath, file.errorString()));
    const qint64 size = file.size();
    if (Status s = writeHeader(entryPath, size); !s)
        return s.error();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray block(int(kBlockBytes), Qt::Uninitialized);
    qint64 left = size;
    while (left > 0) {
        const qint64 got = file.read(block.data(), std::min(left, kBlockBytes));
        if (got <= 0)
            return DomainError::conflict(QStringLiteral("%1 changed while it was copied (it became shorter); run the backup again")
                                             .arg(diskPath),
                                         QStringLiteral("file_changed"));
        hash.addData(QByteArrayView(block.constData(), got));
        if (Status s = writeBlock(block.constData(), got); !s)
            return s.error();
        left -= got;
    }
    if (Status s = finishEntry(); !s)
        return s.error();
    return BackupManifest::File{entryPath, size, QString::fromLatin1(hash.result().toHex())};
}

Result<BackupManifest::File> BackupArchiveWriter::addData(const QString &entryPath, const QByteArray &data)
{
    if (Status s = writeHeader(entryPath, data.size()); !s)
        return s.error();
    if (Status s = writeBlock(data.constData(), data.size()); !s)
        return s.error();
    if (Status s = finishEntry(); !s)
        return s.error();
    return BackupManifest::File{entryPath, data.size(),
                                QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex())};
}

Status BackupArchiveWriter::commit()
{
    if (archive_write_close(m_archive) != ARCHIVE_OK)
        return archiveError(QStringLiteral("close"));
    archive_write_free(m_archive);
    m_archive = nullptr;
    const bool synced = ::fsync(m_fd) == 0;
    const bool closed = ::close(m_fd) == 0;
    m_fd = -1;
    if (!synced || !closed) {
        QFile::remove(partPath());
        return DomainError::internal(QStringLiteral("cannot write %1: %2").arg(partPath(), errnoText()));
    }
    // rename(2), not QFile::rename: QFile would copy across file systems; here both are in one
    // directory, and an atomic replace is the point.
    if (::rename(QFile::encodeName(partPath()).constData(), QFile::encodeName(m_finalPath).constData()) != 0) {
        const QString why = errnoText();
        QFile::remove(partPath());
        return DomainError::internal(QStringLiteral("cannot rename %1 to %2: %3").arg(partPath(), m_finalPath, why));
    }
    syncDirectoryOf(m_finalPath);
    m_committed = true;
    return {};
}

BackupArchiveReader::BackupArchiveReader(QString path)
    : m_path(std::move(path))
{
}

BackupArchiveReader::~BackupArchiveReader()
{
    if (m_archive)
        archive_read_free(m_archive);
}

DomainError BackupArchiveReader::archiveError(const QString &what) const
{
    const char *text = m_archive ? archive_error_string(m_archive) : nullptr;
    return DomainError::unprocessable(QStringLiteral("%1 is not a readable WaDesk backup (%2%3)")
                                          .arg(m_path, what, text ? QStringLiteral(": ") + QString::fromLocal8Bit(text) : QString()),
                                      QStringLiteral("invalid_archive"));
}

Status BackupArchiveReader::open()
{
    if (!QFileInfo(m_path).isFile())
        return DomainError::badRequest(QStringLiteral("%1 does not exist or is not a file").arg(m_path),
                                       QStringLiteral("no_such_file"));
    m_archive = archive_read_new();
    archive_read_support_filter_gzip(m_archive);
    archive_read_support_format_tar(m_archive);
    if (archive_read_open_filename(m_archive, QFile::encodeName(m_path).constData(), size_t(kBlockBytes)) != ARCHIVE_OK)
        return archiveError(QStringLiteral("open"));
    return {};
}

Result<std::optional<BackupArchiveReader::Entry>> BackupArchiveReader::next()
{
    struct archive_entry *entry = nullptr;
    const int rc = archive_read_next_header(m_archive, &entry);
    if (rc == ARCHIVE_EOF)
        return std::optional<Entry>();
    if (rc != ARCHIVE_OK)
        return archiveError(QStringLiteral("damaged entry header"));
    const char *utf8 = archive_entry_pathname_utf8(entry);
    const QString path = utf8 ? QString::fromUtf8(utf8) : QString();
    if (archive_entry_filetype(entry) != AE_IFREG)
        return archiveError(QStringLiteral("'%1' is not a regular file").arg(path.left(200)));
    if (path != QLatin1String(BackupManifest::kFileName) && !BackupManifest::isAllowedPath(path))
        return archiveError(QStringLiteral("unexpected entry '%1'").arg(path.left(200)));
    if (!archive_entry_size_is_set(entry) || archive_entry_size(entry) < 0)
        return archiveError(QStringLiteral("'%1' has no size").arg(path));
    return std::optional<Entry>(Entry{path, qint64(archive_entry_size(entry))});
}

Result<BackupArchiveReader::Digest> BackupArchiveReader::readData(QIODevice *sink, qint64 maxBytes)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray block(int(kBlockBytes), Qt::Uninitialized);
    Digest digest;
    for (;;) {
        const la_ssize_t got = archive_read_data(m_archive, block.data(), size_t(block.size()));
        if (got == 0)
            break;
        if (got < 0)
            return archiveError(QStringLiteral("damaged data"));
        digest.size += got;
        if (digest.size > maxBytes)
            return archiveError(QStringLiteral("an entry is larger than its manifest says"));
        hash.addData(QByteArrayView(block.constData(), got));
        if (sink && sink->write(block.constData(), got) != got)
            return DomainError::internal(QStringLiteral("cannot write: %1").arg(sink->errorString()));
    }
    digest.sha256 = QString::fromLatin1(hash.result().toHex());
    return digest;
}

Result<QByteArray> BackupArchiveReader::readAll(qint64 maxBytes)
{
    QBuffer buffer;
    if (!buffer.open(QIODevice::WriteOnly))
        return DomainError::internal(QStringLiteral("cannot buffer an archive entry"));
    Result<Digest> digest = readData(&buffer, maxBytes);
    if (!digest)
        return digest.error();
    return buffer.data();
}

} // namespace wadesk
