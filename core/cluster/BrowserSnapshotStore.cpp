#include "core/cluster/BrowserSnapshotStore.h"

#include "core/cluster/BrowserStateArchive.h"
#include "core/cluster/ClusterSettings.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "core/secrets/AesGcm.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QMetaObject>
#include <QSaveFile>
#include <QtEndian>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {

constexpr qint64 kMegabyte = 1024 * 1024;
// Profiles compress well (leveldb logs of JSON and keys); the unpacked files may be this many
// times the compressed limit before a snapshot counts as hostile.
constexpr qint64 kRawPerCompressed = 8;

QString storageOf(const QString &sessionDir)
{
    return QDir(sessionDir).filePath(QStringLiteral("storage"));
}

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace

BrowserSnapshotStore::BrowserSnapshotStore(Database &database, const AesGcm &cipher, Settings settings, const Clock &clock)
    : m_database(database)
    , m_cipher(cipher)
    , m_settings(std::move(settings))
    , m_clock(clock)
{
    m_worker.setMaxThreadCount(1); // in order, one at a time
}

BrowserSnapshotStore::~BrowserSnapshotStore()
{
    waitForBackground();
}

bool BrowserSnapshotStore::enabledFor(const ClusterSettings &cluster, bool postgres)
{
    if (cluster.snapshots == QLatin1String("on"))
        return true;
    if (cluster.snapshots == QLatin1String("off"))
        return false;
    return postgres;
}

QByteArray BrowserSnapshotStore::associatedData(const QString &clientId) const
{
    return QByteArrayLiteral("browser_snapshots:") + clientId.toUtf8();
}

qint64 BrowserSnapshotStore::maxSealedBytes() const
{
    return qint64(m_settings.maxMegabytes) * kMegabyte;
}

Result<BrowserSnapshotStore::Info> BrowserSnapshotStore::save(const QString &clientId, const QString &sessionDir)
{
    BrowserStateArchive::Limits limits;
    limits.maxTotalBytes = maxSealedBytes() * kRawPerCompressed;
    Result<QByteArray> archive = BrowserStateArchive::pack(storageOf(sessionDir), limits);
    if (!archive) {
        if (archive.error().code == QLatin1String("bad_snapshot"))
            ++m_refused;
        return archive.error();
    }
    if (BrowserStateArchive::isEmpty(archive.value()))
        return DomainError::unprocessable(QStringLiteral("The profile holds no browser state to keep"), QStringLiteral("empty_snapshot"));
    Result<Info> stored = saveArchive(clientId, archive.value());
    if (stored)
        writeMarker(sessionDir, stored.value());
    return stored;
}

Result<BrowserSnapshotStore::Info> BrowserSnapshotStore::saveArchive(const QString &clientId, const QByteArray &archive)
{
    const QByteArray compressed = qCompress(archive, 6);
    if (qint64(compressed.size()) > maxSealedBytes()) {
        ++m_refused;
        spdlog::warn("client {}: browser snapshot of {} bytes ({} compressed) not stored: over the limit of {} MB",
                     clientId.toStdString(), archive.size(), compressed.size(), m_settings.maxMegabytes);
        return DomainError::unprocessable(QStringLiteral("The browser snapshot is larger than %1 MB").arg(m_settings.maxMegabytes),
                                          QStringLiteral("snapshot_too_large"));
    }
    const QByteArray sealed = m_cipher.seal(compressed, associatedData(clientId));
    Info info;
    info.id = Ids::make("bsnap");
    info.createdAt = m_clock.nowMs();
    info.rawBytes = archive.size();
    info.sealedBytes = sealed.size();
    SqlRunner sql(m_database);
    Transaction tx(m_database);
    if (Status s = tx.begin(); !s)
        return s.error();
    Result<int> inserted = sql.change(
        QStringLiteral("INSERT INTO browser_snapshots (id, client_id, instance_id, created_at, raw_bytes, sealed_bytes, sha256, sealed) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
        {info.id, clientId, m_settings.instanceId, info.createdAt, info.rawBytes, info.sealedBytes, sha256Hex(archive), sealed},
        "browser snapshot insert");
    if (!inserted)
        return inserted.error();
    Result<int> pruned = sql.change(
        QStringLiteral("DELETE FROM browser_snapshots WHERE client_id = ? AND id NOT IN "
                       "(SELECT id FROM browser_snapshots WHERE client_id = ? ORDER BY created_at DESC, id DESC LIMIT ?)"),
        {clientId, clientId, qMax(1, m_settings.kept)}, "browser snapshot prune");
    if (!pruned)
        return pruned.error();
    if (Status s = tx.commit(); !s)
        return s.error();
    return info;
}

Result<std::optional<BrowserSnapshotStore::Info>> BrowserSnapshotStore::latest(const QString &clientId)
{
    SqlRunner sql(m_database);
    return sql.query(QStringLiteral("SELECT id, created_at, raw_bytes, sealed_bytes FROM browser_snapshots WHERE client_id = ? "
                                    "ORDER BY created_at DESC, id DESC LIMIT 1"),
                     {clientId}, "browser snapshot latest", [](QSqlQuery &q) -> std::optional<Info> {
                         if (!q.next())
                             return std::nullopt;
                         return Info{q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toLongLong(), q.value(3).toLongLong()};
                     });
}

Result<QByteArray> BrowserSnapshotStore::loadArchive(const QString &clientId, const QString &snapshotId)
{
    SqlRunner sql(m_database);
    struct Row {
        bool found = false;
        QByteArray sealed;
        QString sha256;
    };
    Result<Row> row = sql.query(QStringLiteral("SELECT sealed, sha256 FROM browser_snapshots WHERE id = ? AND client_id = ?"),
                                {snapshotId, clientId}, "browser snapshot load", [](QSqlQuery &q) {
                                    Row r;
                                    if (q.next())
                                        r = Row{true, q.value(0).toByteArray(), q.value(1).toString()};
                                    return r;
                                });
    if (!row)
        return row.error();
    if (!row.value().found)
        return DomainError::notFound(QStringLiteral("Browser snapshot"));
    auto refuse = [&](const char *why) -> DomainError {
        ++m_refused;
        spdlog::error("client {}: browser snapshot {} refused: {}", clientId.toStdString(), snapshotId.toStdString(), why);
        return DomainError::unprocessable(QStringLiteral("The browser snapshot cannot be opened"), QStringLiteral("bad_snapshot"));
    };
    const std::optional<QByteArray> compressed = m_cipher.open(row.value().sealed, associatedData(clientId));
    if (!compressed)
        return refuse("it does not open with the master key (tampered with, another client's, or another key)");
    // qCompress's header gives the size it expands to: checked before anything is allocated.
    if (compressed->size() < 4
        || qint64(qFromBigEndian<quint32>(compressed->constData())) > maxSealedBytes() * kRawPerCompressed)
        return refuse("it expands beyond the size limit");
    const QByteArray archive = qUncompress(*compressed);
    if (archive.isEmpty() || sha256Hex(archive) != row.value().sha256)
        return refuse("its contents do not match its checksum");
    return archive;
}

Result<bool> BrowserSnapshotStore::needsRestore(const QString &clientId, const QString &sessionDir)
{
    Result<std::optional<Info>> newest = latest(clientId);
    if (!newest)
        return newest.error();
    if (!newest.value())
        return false;
    const std::optional<Info> marker = readMarker(sessionDir);
    return !marker || marker->id != newest.value()->id;
}

Result<bool> BrowserSnapshotStore::restoreIfNewer(const QString &clientId, const QString &sessionDir)
{
    Result<std::optional<Info>> newest = latest(clientId);
    if (!newest)
        return newest.error();
    if (!newest.value())
        return false;
    const Info &info = *newest.value();
    // By id, not by time (instances' clocks may disagree): the profile was restored from or taken
    // as the latest snapshot, and is that or newer; any other latest one was stored after it.
    if (const std::optional<Info> marker = readMarker(sessionDir); marker && marker->id == info.id)
        return false;
    // Never under a page: the profile may be in use by another process on this data directory.
    if (!QDir().mkpath(sessionDir))
        return DomainError::internal(QStringLiteral("cannot create %1").arg(sessionDir));
    QLockFile lock(QDir(sessionDir).filePath(QStringLiteral("profile.lock")));
    lock.setStaleLockTime(0);
    if (!lock.tryLock(0))
        return DomainError::conflict(QStringLiteral("the browser profile of this client is in use"), QStringLiteral("profile_in_use"));
    QElapsedTimer took;
    took.start();
    Result<QByteArray> archive = loadArchive(clientId, info.id);
    if (!archive)
        return archive.error();
    const QString staging = QDir(sessionDir).filePath(QStringLiteral("storage.restoring"));
    QDir(staging).removeRecursively(); // a restore interrupted earlier
    BrowserStateArchive::Limits limits;
    limits.maxTotalBytes = maxSealedBytes() * kRawPerCompressed;
    if (Status s = BrowserStateArchive::unpack(archive.value(), staging, limits); !s) {
        if (s.error().code == QLatin1String("bad_snapshot"))
            ++m_refused;
        spdlog::error("client {}: browser snapshot {} not restored: {}", clientId.toStdString(), info.id.toStdString(),
                      s.error().message.toStdString());
        return s.error();
    }
    // The whole archive is on disk beside the profile: only now is the profile's state replaced.
    const QString storage = storageOf(sessionDir);
    if (!QDir().mkpath(storage)) {
        QDir(staging).removeRecursively();
        return DomainError::internal(QStringLiteral("cannot create %1").arg(storage));
    }
    for (const QString &folder : BrowserStateArchive::keptFolders()) {
        const QString target = QDir(storage).filePath(folder);
        const QString restored = QDir(staging).filePath(folder);
        if (QFileInfo(target).isSymLink())
            QFile::remove(target);
        else
            QDir(target).removeRecursively();
        if (QFileInfo::exists(restored) && !QDir().rename(restored, target)) {
            QDir(staging).removeRecursively();
            return DomainError::internal(QStringLiteral("cannot move the restored %1 into %2").arg(folder, storage));
        }
    }
    QDir(staging).removeRecursively();
    writeMarker(sessionDir, info);
    spdlog::info("client {}: browser state restored from snapshot {} ({} bytes, taken {} ms ago) in {} ms", clientId.toStdString(),
                 info.id.toStdString(), info.rawBytes, m_clock.nowMs() - info.createdAt, took.elapsed());
    return true;
}

Status BrowserSnapshotStore::removeAll(const QString &clientId)
{
    SqlRunner sql(m_database);
    Result<int> removed = sql.change(QStringLiteral("DELETE FROM browser_snapshots WHERE client_id = ?"), {clientId},
                                     "browser snapshot remove");
    if (!removed)
        return removed.error();
    return Status::success();
}

Result<int> BrowserSnapshotStore::count(const QString &clientId)
{
    SqlRunner sql(m_database);
    return sql.query(QStringLiteral("SELECT COUNT(*) FROM browser_snapshots WHERE client_id = ?"), {clientId},
                     "browser snapshot count", [](QSqlQuery &q) { return q.next() ? q.value(0).toInt() : 0; });
}

void BrowserSnapshotStore::runInBackground(std::function<void()> work)
{
    m_worker.start([this, work = std::move(work)]() {
        work();
        // The worker thread may outlive the database object: no connection stays open in it.
        m_database.closeThreadConnection();
    });
}

void BrowserSnapshotStore::saveInBackground(const QString &clientId, const QString &sessionDir)
{
    runInBackground([this, clientId, sessionDir]() {
        QElapsedTimer took;
        took.start();
        Result<Info> saved = save(clientId, sessionDir);
        if (saved)
            spdlog::info("client {}: browser snapshot {} stored ({} bytes, {} sealed) in {} ms", clientId.toStdString(),
                         saved->id.toStdString(), saved->rawBytes, saved->sealedBytes, took.elapsed());
        else
            spdlog::error("client {}: browser snapshot not stored: {}", clientId.toStdString(), saved.error().message.toStdString());
    });
}

void BrowserSnapshotStore::removeAllInBackground(const QString &clientId)
{
    runInBackground([this, clientId]() {
        if (Status s = removeAll(clientId); !s)
            spdlog::error("client {}: its browser snapshots could not be removed: {}", clientId.toStdString(),
                          s.error().message.toStdString());
    });
}

void BrowserSnapshotStore::restoreInBackground(const QString &clientId, const QString &sessionDir, QObject *context,
                                               std::function<void(const Result<bool> &)> done)
{
    runInBackground([this, clientId, sessionDir, context, done = std::move(done)]() {
        const Result<bool> restored = restoreIfNewer(clientId, sessionDir);
        QMetaObject::invokeMethod(context, [done, restored]() { done(restored); }, Qt::QueuedConnection);
    });
}

void BrowserSnapshotStore::waitForBackground()
{
    m_worker.waitForDone();
}

QString BrowserSnapshotStore::markerPath(const QString &sessionDir)
{
    return QDir(sessionDir).filePath(QStringLiteral("snapshot.json"));
}

std::optional<BrowserSnapshotStore::Info> BrowserSnapshotStore::readMarker(const QString &sessionDir)
{
    QFile file(markerPath(sessionDir));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(file.read(4096)).object();
    Info info;
    info.id = o.value(QStringLiteral("id")).toString();
    info.createdAt = qint64(o.value(QStringLiteral("created_at")).toDouble());
    if (info.id.isEmpty())
        return std::nullopt;
    return info;
}

void BrowserSnapshotStore::writeMarker(const QString &sessionDir, const Info &info)
{
    QSaveFile file(markerPath(sessionDir));
    const QJsonObject o{{QStringLiteral("id"), info.id}, {QStringLiteral("created_at"), double(info.createdAt)}};
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(o).toJson(QJsonDocument::Compact)) < 0 || !file.commit())
        spdlog::warn("cannot write the snapshot marker {}: {}", file.fileName().toStdString(), file.errorString().toStdString());
}

} // namespace wadesk
