#include "core/media/MediaService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/SettingsRepository.h"
#include "core/db/SqlRunner.h"
#include "core/media/MediaStorage.h"
#include "core/media/MediaTypes.h"

#include <QBuffer>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QMutex>
#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {

// Every write of the media store in this process, in one queue: with the file backend a
// removal unlinks after its commit, and an upload of the same bytes must not put its file in
// place between that commit and that unlink. (SQLite writers are serial anyway; one data
// directory belongs to one process.)
QMutex &storeWrites()
{
    static QMutex mutex;
    return mutex;
}

DomainError quotaExceeded(qint64 used, qint64 size, qint64 limit)
{
    DomainError e;
    e.httpStatus = 413;
    e.code = QStringLiteral("storage_quota_exceeded");
    e.message = QStringLiteral("Storing this file (%1 bytes) would exceed the organization's storage quota (%2 of %3 bytes used)")
                    .arg(size)
                    .arg(used)
                    .arg(limit);
    e.details.insert(QStringLiteral("used"), double(used));
    e.details.insert(QStringLiteral("limit"), double(limit));
    return e;
}

// The name as given, reduced to a harmless file name: no directories, no control characters,
// at most 200 characters. Empty when nothing usable is left.
QString safeFilename(const QString &given)
{
    QString name = given.section(QLatin1Char('/'), -1).section(QLatin1Char('\\'), -1);
    QString out;
    for (QChar c : std::as_const(name)) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            continue;
        out.append(c);
    }
    out = out.trimmed();
    if (out == QLatin1String(".") || out == QLatin1String(".."))
        out.clear();
    return out.left(200);
}

QString madeUpFilename(const DetectedMedia &type)
{
    // "image_k3f9x2ab.jpg", as the guide's examples show: kind, a random part, the extension.
    return QStringLiteral("%1_%2.%3").arg(type.kind, Ids::make("m").right(8), type.extension);
}

} // namespace

MediaService::MediaService(Database &database, MediaSettings settings, EventBus *events, const Clock &clock)
    : m_database(database)
    , m_settings(std::move(settings))
    , m_events(events)
    , m_clock(clock)
    , m_rows(std::make_unique<DatabaseBlobStore>(database))
{
    if (!m_settings.directory.isEmpty())
        m_files = std::make_unique<FileBlobStore>(m_settings.directory);
}

MediaService::~MediaService() = default;

QString MediaService::stagingDirectory() const
{
    if (m_settings.directory.isEmpty())
        return QDir(QDir::tempPath()).filePath(QStringLiteral("wadesk-media-staging"));
    return QDir(m_settings.directory).filePath(QStringLiteral(".staging"));
}

MediaBlobStore *MediaService::storeNamed(const QString &name)
{
    if (name == QLatin1String("database"))
        return m_rows.get();
    if (name == QLatin1String("file"))
        return m_files.get();
    return nullptr;
}

Result<qint64> MediaService::quotaOf(const QString &organizationId)
{
    SettingsRepository settings(m_database, m_clock);
    Result<std::optional<QString>> own = settings.get(organizationId, kQuotaSetting);
    if (!own)
        return own.error();
    if (own.value()) {
        bool ok = false;
        const qint64 value = own.value()->toLongLong(&ok);
        if (ok && value >= 0)
            return value;
    }
    return m_settings.quotaBytes;
}

Result<MediaInfo> MediaService::store(const QString &organizationId, const QByteArray &bytes, const MediaHints &hints,
                                      const QString &createdBy)
{
    return ingest(organizationId, QByteArrayView(bytes), MediaEncoding::Raw, hints, createdBy);
}

Result<MediaInfo> MediaService::ingest(const QString &organizationId, QByteArrayView data, MediaEncoding encoding,
                                       const MediaHints &hints, const QString &createdBy, const AuthContext *actor)
{
    if (!Ids::looksValid(organizationId, "org"))
        return DomainError::notFound(QStringLiteral("Organization"));
    Result<std::unique_ptr<StagedFile>> staging = StagedFile::write(stagingDirectory(), data, encoding, m_settings.maxBytes);
    if (!staging)
        return staging.error();
    StagedFile &staged = *staging.value();
    Result<DetectedMedia> type = detectMediaType(staged.file(), hints);
    if (!type)
        return type.error();

    MediaRecord record;
    record.info.id = Ids::make("media");
    record.info.organizationId = organizationId;
    record.info.filename = safeFilename(hints.filename);
    if (record.info.filename.isEmpty())
        record.info.filename = madeUpFilename(type.value());
    record.info.mimetype = type.value().mimetype;
    record.info.kind = type.value().kind;
    record.info.sha256 = staged.sha256();
    record.info.size = staged.size();
    record.info.createdAt = m_clock.nowMs();
    record.createdBy = createdBy;

    Result<qint64> quota = quotaOf(organizationId);
    if (!quota)
        return quota.error();
    MediaBlobStore *target = storeNamed(m_settings.storage == MediaSettings::Storage::Database ? QStringLiteral("database")
                                                                                               : QStringLiteral("file"));
    if (!target) {
        spdlog::error("media: the file backend has no directory; set media/storage=database or a data directory");
        return DomainError::internal(QStringLiteral("Media storage is not configured"));
    }

    QMutexLocker lock(&storeWrites());
    MediaBlobStore *placed = nullptr; // where this upload put new bytes (removed again if the commit fails)
    Status done = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        MediaRepository repo(write.sql);
        if (Status s = repo.lockOrganization(organizationId); !s)
            return s;
        Result<std::optional<MediaRepository::Blob>> blob = repo.findBlob(organizationId, record.info.sha256);
        if (!blob)
            return blob.error();
        if (blob.value()) {
            record.storage = blob.value()->storage;
            Result<bool> referenced = repo.addReference(organizationId, record.info.sha256);
            if (!referenced)
                return referenced.error();
            MediaBlobStore *holder = storeNamed(record.storage);
            if (holder && !holder->present(write.sql, organizationId, record.info.sha256, record.info.size)) {
                spdlog::warn("media: the bytes of {} were missing; stored again", record.info.sha256.toStdString());
                if (Status s = holder->put(write.sql, organizationId, record.info.sha256, staged); !s)
                    return s;
            }
        } else {
            Result<qint64> used = repo.usedBytes(organizationId);
            if (!used)
                return used.error();
            if (used.value() + record.info.size > quota.value())
                return quotaExceeded(used.value(), record.info.size, quota.value());
            record.storage = target->name();
            if (Status s = repo.insertBlob(organizationId, record.info.sha256, record.info.size, record.storage, record.info.createdAt); !s)
                return s;
            if (Status s = target->put(write.sql, organizationId, record.info.sha256, staged); !s)
                return s;
            placed = target;
        }
        if (Status s = repo.insert(record); !s)
            return s;
        if (actor) {
            return write.audit.append(auditBy(*actor, QStringLiteral("upload_media"), QStringLiteral("media"), record.info.id,
                                              QJsonObject{{QStringLiteral("filename"), record.info.filename},
                                                          {QStringLiteral("mimetype"), record.info.mimetype},
                                                          {QStringLiteral("size"), double(record.info.size)},
                                                          {QStringLiteral("sha256"), record.info.sha256}}));
        }
        return {};
    }, m_clock);
    if (!done) {
        if (placed)
            placed->removeAfterCommit(organizationId, record.info.sha256);
        return done.error();
    }
    return record.info;
}

Result<MediaInfo> MediaService::info(const QString &organizationId, const QString &mediaId)
{
    if (!Ids::looksValid(mediaId, "media") || !Ids::looksValid(organizationId, "org"))
        return DomainError::notFound(QStringLiteral("Media"));
    SqlRunner sql(m_database);
    Result<std::optional<MediaRecord>> found = MediaRepository(sql).find(organizationId, mediaId);
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Media"));
    return found.value()->info;
}

Result<QByteArray> MediaService::readAll(const QString &organizationId, const QString &mediaId)
{
    if (!Ids::looksValid(mediaId, "media") || !Ids::looksValid(organizationId, "org"))
        return DomainError::notFound(QStringLiteral("Media"));
    SqlRunner sql(m_database);
    Result<std::optional<MediaRecord>> found = MediaRepository(sql).find(organizationId, mediaId);
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Media"));
    const MediaRecord &record = *found.value();
    MediaBlobStore *holder = storeNamed(record.storage);
    std::unique_ptr<QIODevice> device = holder ? holder->open(organizationId, record.info.sha256, record.info.size) : nullptr;
    if (!device)
        return DomainError::internal(QStringLiteral("The file could not be read"));
    QByteArray bytes = device->readAll();
    if (bytes.size() != record.info.size)
        return DomainError::internal(QStringLiteral("The file could not be read"));
    return bytes;
}

Result<MediaInfo> MediaService::upload(const AuthContext &actor, QByteArrayView data, MediaEncoding encoding, const MediaHints &hints)
{
    if (Status s = actor.require(Permission::SendMessages); !s)
        return s.error();
    return ingest(actor.organizationId, data, encoding, hints, actor.userId, &actor);
}

namespace {
QString visibleTo(const AuthContext &actor)
{
    return Permissions::seesAllClients(actor.role) ? QString() : actor.userId;
}
} // namespace

Result<MediaInfo> MediaService::get(const AuthContext &actor, const QString &mediaId)
{
    Result<Content> found = content(actor, mediaId);
    if (!found)
        return found.error();
    return found.value().info;
}

Result<MediaService::Page> MediaService::list(const AuthContext &actor, MediaQuery query)
{
    query.visibleTo = visibleTo(actor);
    if (query.visibleTo.isEmpty() && !Permissions::seesAllClients(actor.role))
        return Page();
    SqlRunner sql(m_database);
    MediaRepository repo(sql);
    const int limit = query.limit;
    query.limit = limit + 1; // one more, to learn whether more follow
    Result<QList<MediaRecord>> rows = repo.list(actor.organizationId, query);
    if (!rows)
        return rows.error();
    Page page;
    for (const MediaRecord &r : rows.value())
        page.media << r.info;
    page.info = Paging::trim(page.media, limit, [](const MediaInfo &m) { return m.id; });
    page.info.total = Paging::freeTotal(page.info, page.media.size(), query.offset, !query.beforeId.isEmpty());
    if (query.exactTotal) {
        MediaQuery whole = query; // the total is of the whole set, not of what follows the cursor
        whole.beforeId.clear();
        Result<qint64> total = repo.count(actor.organizationId, whole);
        if (!total)
            return total.error();
        page.info.total = total.value();
    }
    return page;
}

Result<MediaService::Content> MediaService::content(const AuthContext &actor, const QString &mediaId)
{
    if (!Ids::looksValid(mediaId, "media"))
        return DomainError::notFound(QStringLiteral("Media"));
    const QString scope = visibleTo(actor);
    if (scope.isEmpty() && !Permissions::seesAllClients(actor.role))
        return DomainError::notFound(QStringLiteral("Media"));
    SqlRunner sql(m_database);
    Result<std::optional<MediaRecord>> found = MediaRepository(sql).find(actor.organizationId, mediaId, scope);
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Media"));
    const MediaRecord record = *found.value();
    MediaBlobStore *holder = storeNamed(record.storage);
    Content c;
    c.info = record.info;
    c.open = [holder, record]() -> std::unique_ptr<QIODevice> {
        if (!holder)
            return nullptr;
        return holder->open(record.info.organizationId, record.info.sha256, record.info.size);
    };
    return c;
}

Status MediaService::remove(const AuthContext &actor, const QString &mediaId)
{
    if (Status s = actor.require(Permission::SendMessages); !s)
        return s;
    if (!Ids::looksValid(mediaId, "media"))
        return DomainError::notFound(QStringLiteral("Media"));
    SqlRunner sql(m_database);
    Result<std::optional<MediaRecord>> found = MediaRepository(sql).find(actor.organizationId, mediaId, visibleTo(actor));
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Media"));
    if (!Permissions::seesAllClients(actor.role) && found.value()->createdBy != actor.userId)
        return DomainError::forbidden(QStringLiteral("Agents remove only media they uploaded"), QStringLiteral("forbidden"));
    return removeRecord(*found.value(), &actor);
}

Status MediaService::removeRecord(const MediaRecord &record, const AuthContext *actor)
{
    const QString &org = record.info.organizationId;
    QMutexLocker lock(&storeWrites());
    bool blobGone = false;
    MediaBlobStore *holder = storeNamed(record.storage);
    Status done = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        MediaRepository repo(write.sql);
        Result<bool> needed = repo.neededBySend(org, record.info.id);
        if (!needed)
            return needed.error();
        if (needed.value())
            return DomainError::conflict(QStringLiteral("A message waiting to be sent carries this media"), QStringLiteral("media_in_use"));
        Result<bool> removed = repo.remove(org, record.info.id);
        if (!removed)
            return removed.error();
        if (!removed.value())
            return DomainError::notFound(QStringLiteral("Media"));
        Result<bool> last = repo.dropReference(org, record.info.sha256);
        if (!last)
            return last.error();
        blobGone = last.value();
        if (blobGone && holder) {
            if (Status s = holder->removeInTransaction(write.sql, org, record.info.sha256); !s)
                return s;
        }
        if (actor) {
            return write.audit.append(auditBy(*actor, QStringLiteral("delete_media"), QStringLiteral("media"), record.info.id,
                                              QJsonObject{{QStringLiteral("filename"), record.info.filename},
                                                          {QStringLiteral("sha256"), record.info.sha256}}));
        }
        return {};
    }, m_clock);
    if (!done)
        return done;
    if (blobGone && holder)
        holder->removeAfterCommit(org, record.info.sha256);
    return {};
}

Result<MediaService::Usage> MediaService::usage(const AuthContext &actor)
{
    if (Status s = actor.require(Permission::ViewAnalytics); !s)
        return s.error();
    SqlRunner sql(m_database);
    Result<qint64> used = MediaRepository(sql).usedBytes(actor.organizationId);
    if (!used)
        return used.error();
    Result<qint64> limit = quotaOf(actor.organizationId);
    if (!limit)
        return limit.error();
    return Usage{used.value(), limit.value()};
}

Result<MediaService::Usage> MediaService::setQuota(const AuthContext &actor, qint64 limitBytes)
{
    if (Status s = actor.require(Permission::ManageOrganization); !s)
        return s.error();
    if (limitBytes < 0)
        return DomainError::validation(QStringLiteral("limit"), QStringLiteral("limit must be 0 or more bytes"));
    Status done = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        Result<int> changed = write.sql.change(
            m_database.isPostgres()
                ? QStringLiteral("INSERT INTO settings (organization_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
                                 "ON CONFLICT (organization_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at")
                : QStringLiteral("INSERT INTO settings (organization_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
                                 "ON CONFLICT (organization_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"),
            {actor.organizationId, kQuotaSetting, QString::number(limitBytes), m_clock.nowMs()}, "media quota");
        if (!changed)
            return changed.error();
        return write.audit.append(auditBy(actor, QStringLiteral("update_storage_quota"), QStringLiteral("organizations"),
                                          actor.organizationId, QJsonObject{{QStringLiteral("limit"), double(limitBytes)}}));
    }, m_clock);
    if (!done)
        return done.error();
    return usage(actor);
}

Result<qint64> MediaService::removeExpired(const QString &organizationId, qint64 cutoff, int batch, const std::function<bool()> &stop)
{
    SqlRunner sql(m_database);
    MediaRepository repo(sql);
    qint64 removed = 0;
    QString after;
    for (;;) {
        if (stop && stop())
            return removed;
        Result<QList<MediaRecord>> expired = repo.createdBefore(organizationId, cutoff, after, batch);
        if (!expired)
            return expired.error();
        for (const MediaRecord &record : expired.value()) {
            Status s = removeRecord(record, nullptr);
            if (s)
                ++removed;
            else if (s.error().code != QLatin1String("media_in_use") && s.error().httpStatus != 404)
                return s.error();
            after = record.info.id;
        }
        if (expired.value().size() < batch)
            return removed;
    }
}

int MediaService::sweepOrphans(Database &database, const QString &directory)
{
    if (directory.isEmpty() || !QDir(directory).exists())
        return 0;
    int removed = 0;
    const QDir staging(QDir(directory).filePath(QStringLiteral(".staging")));
    for (const QFileInfo &entry : staging.entryInfoList(QDir::Files | QDir::Hidden | QDir::System)) {
        if (QFile::remove(entry.absoluteFilePath()))
            ++removed;
    }
    SqlRunner sql(database);
    Result<QSet<QString>> known = sql.query(QStringLiteral("SELECT organization_id, sha256 FROM media_blobs WHERE storage = 'file'"), {},
                                            "media sweep", [](QSqlQuery &q) {
                                                QSet<QString> out;
                                                while (q.next())
                                                    out.insert(q.value(0).toString() + QLatin1Char('/') + q.value(1).toString());
                                                return out;
                                            });
    if (!known)
        return removed; // logged; the files stay until a sweep can tell
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{64}$"));
    QDirIterator it(directory, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info(path);
        if (info.absolutePath().startsWith(staging.absolutePath()) || !hex.match(info.fileName()).hasMatch())
            continue;
        const QString organization = info.dir().absolutePath().section(QLatin1Char('/'), -2, -2);
        if (!known.value().contains(organization + QLatin1Char('/') + info.fileName()) && QFile::remove(path)) {
            spdlog::info("media: removed {} (no stored media refers to it)", path.toStdString());
            ++removed;
        }
    }
    return removed;
}

} // namespace wadesk
