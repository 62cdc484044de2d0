#pragma once

#include "core/common/DomainError.h"
#include "core/media/MediaLibrary.h"

#include <QList>
#include <QString>
#include <optional>

namespace wadesk {

class SqlRunner;

// One upload (a media row) with where its bytes are.
struct MediaRecord {
    MediaInfo info;
    QString createdBy;
    QString storage; // the blob's backend: "file" or "database"
};

struct MediaQuery {
    QString kind;      // empty: every kind
    qint64 since = 0;  // created at or after (epoch ms); 0: no bound
    qint64 until = 0;  // created before; 0: no bound
    QString beforeId;  // keyset paging: media created before this one (ids sort by time)
    // Empty: the whole organization's media. A user: what that user uploaded, and what messages
    // of the clients assigned to that user carry (agents and viewers; see ClientScope).
    QString visibleTo;
    int limit = 50;
    int offset = 0;
    bool exactTotal = false; // count the whole set (?total=exact)
};

// The media, media_blobs and media_chunks tables. Every statement names the organization.
class MediaRepository {
public:
    explicit MediaRepository(SqlRunner &sql) : m_sql(sql) {}

    // Blobs.
    struct Blob {
        qint64 size = 0;
        QString storage;
        int refCount = 0;
    };
    Result<std::optional<Blob>> findBlob(const QString &organizationId, const QString &sha256);
    // One more media row refers to the blob; false when the organization has no such blob.
    Result<bool> addReference(const QString &organizationId, const QString &sha256);
    Status insertBlob(const QString &organizationId, const QString &sha256, qint64 size, const QString &storage, qint64 now);
    // One reference less; true when it was the last one and the blob row is gone.
    Result<bool> dropReference(const QString &organizationId, const QString &sha256);
    // Unique stored bytes of the organization.
    Result<qint64> usedBytes(const QString &organizationId);
    // Holds the organization's row until the transaction ends, so that two uploads of one
    // organization check the quota one after the other (PostgreSQL; SQLite writers are serial).
    Status lockOrganization(const QString &organizationId);

    // Media rows.
    Status insert(const MediaRecord &record);
    // `visibleTo` as in MediaQuery.
    Result<std::optional<MediaRecord>> find(const QString &organizationId, const QString &mediaId,
                                            const QString &visibleTo = QString());
    Result<QList<MediaRecord>> list(const QString &organizationId, const MediaQuery &query);
    Result<qint64> count(const QString &organizationId, const MediaQuery &query);
    Result<bool> remove(const QString &organizationId, const QString &mediaId);
    // Media created before `cutoff` (retention) whose id comes after `afterId`, in id order
    // (oldest first), at most `limit`.
    Result<QList<MediaRecord>> createdBefore(const QString &organizationId, qint64 cutoff, const QString &afterId, int limit);
    // Whether a message still to be sent (queued or sending) carries the media.
    Result<bool> neededBySend(const QString &organizationId, const QString &mediaId);

private:
    QString filters(const QString &organizationId, const MediaQuery &query, QVariantList &bindings) const;
    SqlRunner &m_sql;
};

} // namespace wadesk
