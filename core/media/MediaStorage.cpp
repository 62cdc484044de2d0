#include "core/media/MediaStorage.h"

#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "core/media/MediaSettings.h"
#include "core/media/MediaStaging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlQuery>
#include <spdlog/spdlog.h>

#include <cstring>

namespace wadesk {

namespace {

// A blob kept as chunk rows, read a chunk at a time on the thread that opened it. Seekable, so
// ranges are read without the chunks before them.
class ChunkDevice final : public QIODevice {
public:
    ChunkDevice(Database &database, QString organizationId, QString sha256, qint64 size)
        : m_sql(database)
        , m_organizationId(std::move(organizationId))
        , m_sha256(std::move(sha256))
        , m_size(size)
    {
    }
    bool isSequential() const override { return false; }
    qint64 size() const override { return m_size; }
    bool seek(qint64 position) override
    {
        if (position < 0 || position > m_size || !QIODevice::seek(position))
            return false;
        m_at = position;
        return true;
    }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        qint64 done = 0;
        while (done < maxSize) {
            const qint64 at = m_at + done;
            if (at >= m_size)
                break;
            const qint64 seq = at / MediaSettings::kChunkBytes;
            if (seq != m_chunkSeq) {
                Result<QByteArray> chunk = m_sql.query(
                    QStringLiteral("SELECT data FROM media_chunks WHERE organization_id = ? AND sha256 = ? AND seq = ?"),
                    {m_organizationId, m_sha256, seq}, "media chunk",
                    [](QSqlQuery &q) { return q.next() ? q.value(0).toByteArray() : QByteArray(); });
                if (!chunk || chunk.value().isEmpty()) {
                    spdlog::error("media: chunk {} of {} is missing", seq, m_sha256.toStdString());
                    m_at += done;
                    return done > 0 ? done : -1;
                }
                m_chunk = chunk.value();
                m_chunkSeq = seq;
            }
            const qint64 offset = at - seq * MediaSettings::kChunkBytes;
            const qint64 n = qMin<qint64>(maxSize - done, m_chunk.size() - offset);
            if (n <= 0) {
                m_at += done;
                return done > 0 ? done : -1; // a chunk shorter than its place says: damaged
            }
            memcpy(data + done, m_chunk.constData() + offset, size_t(n));
            done += n;
        }
        m_at += done;
        return done;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    SqlRunner m_sql;
    QString m_organizationId;
    QString m_sha256;
    qint64 m_size;
    QByteArray m_chunk;
    qint64 m_chunkSeq = -1;
    qint64 m_at = 0; // where the next readData reads (the device's own position, not the buffered pos())
};

} // namespace

QString FileBlobStore::pathOf(const QString &organizationId, const QString &sha256) const
{
    return QDir(m_directory).filePath(organizationId + QLatin1Char('/') + sha256.left(2) + QLatin1Char('/') + sha256);
}

Status FileBlobStore::put(SqlRunner &, const QString &organizationId, const QString &sha256, StagedFile &staged)
{
    const QString target = pathOf(organizationId, sha256);
    if (QFileInfo(target).size() == staged.size())
        return {}; // the same bytes are there already (content addressed)
    if (!QDir().mkpath(QFileInfo(target).absolutePath()) || !staged.moveTo(target))
        return DomainError::internal(QStringLiteral("The file could not be stored"));
    return {};
}

bool FileBlobStore::present(SqlRunner &, const QString &organizationId, const QString &sha256, qint64 size)
{
    return QFileInfo(pathOf(organizationId, sha256)).size() == size;
}

void FileBlobStore::removeAfterCommit(const QString &organizationId, const QString &sha256)
{
    const QString path = pathOf(organizationId, sha256);
    if (QFile::exists(path) && !QFile::remove(path))
        spdlog::warn("media: cannot remove {} (the start-up sweep will)", path.toStdString());
    syncDirectory(QFileInfo(path).absolutePath());
}

std::unique_ptr<QIODevice> FileBlobStore::open(const QString &organizationId, const QString &sha256, qint64 size)
{
    auto file = std::make_unique<QFile>(pathOf(organizationId, sha256));
    if (!file->open(QIODevice::ReadOnly)) {
        spdlog::error("media: cannot open {}: {}", file->fileName().toStdString(), file->errorString().toStdString());
        return nullptr;
    }
    if (file->size() != size) {
        spdlog::error("media: {} has {} bytes, {} expected", file->fileName().toStdString(), file->size(), size);
        return nullptr;
    }
    return file;
}

Status DatabaseBlobStore::put(SqlRunner &sql, const QString &organizationId, const QString &sha256, StagedFile &staged)
{
    if (Status s = removeInTransaction(sql, organizationId, sha256); !s)
        return s;
    QFile &file = staged.file();
    if (!file.seek(0))
        return DomainError::internal(QStringLiteral("The file could not be stored"));
    for (qint64 seq = 0;; ++seq) {
        const QByteArray chunk = file.read(MediaSettings::kChunkBytes);
        if (chunk.isEmpty())
            break;
        Result<int> inserted = sql.change(
            QStringLiteral("INSERT INTO media_chunks (organization_id, sha256, seq, data) VALUES (?, ?, ?, ?)"),
            {organizationId, sha256, seq, chunk}, "media chunk insert");
        if (!inserted)
            return inserted.error();
    }
    return {};
}

bool DatabaseBlobStore::present(SqlRunner &sql, const QString &organizationId, const QString &sha256, qint64 size)
{
    const qint64 chunks = (size + MediaSettings::kChunkBytes - 1) / MediaSettings::kChunkBytes;
    Result<qint64> count = sql.query(QStringLiteral("SELECT COUNT(*) FROM media_chunks WHERE organization_id = ? AND sha256 = ?"),
                                     {organizationId, sha256}, "media chunk count",
                                     [](QSqlQuery &q) { return q.next() ? q.value(0).toLongLong() : qint64(0); });
    return count && count.value() == chunks;
}

Status DatabaseBlobStore::removeInTransaction(SqlRunner &sql, const QString &organizationId, const QString &sha256)
{
    Result<int> removed = sql.change(QStringLiteral("DELETE FROM media_chunks WHERE organization_id = ? AND sha256 = ?"),
                                     {organizationId, sha256}, "media chunk delete");
    if (!removed)
        return removed.error();
    return {};
}

std::unique_ptr<QIODevice> DatabaseBlobStore::open(const QString &organizationId, const QString &sha256, qint64 size)
{
    auto device = std::make_unique<ChunkDevice>(m_database, organizationId, sha256, size);
    device->open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    return device;
}

} // namespace wadesk
