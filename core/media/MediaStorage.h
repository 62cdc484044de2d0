#pragma once

#include "core/common/DomainError.h"

#include <QIODevice>
#include <QString>
#include <memory>

namespace wadesk {

class Database;
class SqlRunner;
class StagedFile;

// Where the bytes of a stored file (a blob: one organization's copy of one SHA-256) live. Two
// backends behind this one interface; each blob row records which one holds it, so changing
// `media/storage` applies to new files and the old ones stay readable.
class MediaBlobStore {
public:
    virtual ~MediaBlobStore() = default;
    virtual QString name() const = 0; // "file" or "database", as stored in media_blobs.storage

    // Makes the staged bytes the blob's, inside the caller's transaction (database) or just
    // before it commits (file: renamed into place, durable). A kill -9 at any point leaves either
    // the whole blob and its row, or no row (and at most a file the start-up sweep removes).
    virtual Status put(SqlRunner &sql, const QString &organizationId, const QString &sha256, StagedFile &staged) = 0;
    // Whether the blob's bytes are there (a file that was deleted by hand is stored again).
    virtual bool present(SqlRunner &sql, const QString &organizationId, const QString &sha256, qint64 size) = 0;
    // Inside the transaction that removed the blob row (database: the chunks go with it).
    virtual Status removeInTransaction(SqlRunner &sql, const QString &organizationId, const QString &sha256) = 0;
    // After that transaction committed (file: the file goes).
    virtual void removeAfterCommit(const QString &organizationId, const QString &sha256) = 0;
    // The blob for reading, seekable, open; null (logged) when it cannot be read. The device
    // belongs to the calling thread (the database backend reads with its connection).
    virtual std::unique_ptr<QIODevice> open(const QString &organizationId, const QString &sha256, qint64 size) = 0;
};

// Files under <directory>/<organization>/<first two hex digits>/<sha256>.
class FileBlobStore final : public MediaBlobStore {
public:
    explicit FileBlobStore(QString directory) : m_directory(std::move(directory)) {}
    QString name() const override { return QStringLiteral("file"); }
    Status put(SqlRunner &sql, const QString &organizationId, const QString &sha256, StagedFile &staged) override;
    bool present(SqlRunner &sql, const QString &organizationId, const QString &sha256, qint64 size) override;
    Status removeInTransaction(SqlRunner &, const QString &, const QString &) override { return {}; }
    void removeAfterCommit(const QString &organizationId, const QString &sha256) override;
    std::unique_ptr<QIODevice> open(const QString &organizationId, const QString &sha256, qint64 size) override;

    QString pathOf(const QString &organizationId, const QString &sha256) const;
    const QString &directory() const { return m_directory; }

private:
    QString m_directory;
};

// Rows of media_chunks, MediaSettings::kChunkBytes each, so every instance on one PostgreSQL
// reads the same files and a database backup holds them.
class DatabaseBlobStore final : public MediaBlobStore {
public:
    explicit DatabaseBlobStore(Database &database) : m_database(database) {}
    QString name() const override { return QStringLiteral("database"); }
    Status put(SqlRunner &sql, const QString &organizationId, const QString &sha256, StagedFile &staged) override;
    bool present(SqlRunner &sql, const QString &organizationId, const QString &sha256, qint64 size) override;
    Status removeInTransaction(SqlRunner &sql, const QString &organizationId, const QString &sha256) override;
    void removeAfterCommit(const QString &, const QString &) override {}
    std::unique_ptr<QIODevice> open(const QString &organizationId, const QString &sha256, qint64 size) override;

private:
    Database &m_database;
};

} // namespace wadesk
