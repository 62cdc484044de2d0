#include "core/maintenance/RestoreService.h"

#include "core/db/Database.h"
#include "core/maintenance/BackupArchive.h"
#include "core/maintenance/DatabaseFacts.h"
#include "core/maintenance/MasterKeyLocator.h"
#include "core/maintenance/PgToolCommands.h"
#include "core/maintenance/SqliteFile.h"
#include "core/secrets/AesGcm.h"
#include "core/secrets/MasterKeyCheck.h"
#include "core/secrets/SecretStoreSelector.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLockFile>
#include <QTemporaryDir>
#include <limits>

namespace wadesk {

namespace {

constexpr qint64 kManifestMaxBytes = 16 * 1024 * 1024;
constexpr qint64 kKeyEntryMaxBytes = 1024;
constexpr int kMaxEntries = 1000000;

DomainError refused(const QString &message, const QString &code)
{
    return DomainError::conflict(message, code);
}

DomainError damaged(const QString &archive, const QString &why)
{
    return DomainError::unprocessable(QStringLiteral("%1 is damaged or was altered: %2; nothing was restored").arg(archive, why),
                                      QStringLiteral("archive_damaged"));
}

// Every listed file present with its size and checksum, and nothing unlisted.
Status compareWithManifest(const QString &archive, const BackupManifest &manifest,
                           const QHash<QString, BackupArchiveReader::Digest> &digests)
{
    for (const BackupManifest::File &f : manifest.files) {
        const auto it = digests.constFind(f.path);
        if (it == digests.constEnd())
            return damaged(archive, QStringLiteral("%1 is listed in the manifest but missing").arg(f.path));
        if (it->size != f.size || it->sha256 != f.sha256)
            return damaged(archive, QStringLiteral("the checksum of %1 does not match the manifest").arg(f.path));
    }
    for (auto it = digests.constBegin(); it != digests.constEnd(); ++it) {
        if (!manifest.file(it.key()))
            return damaged(archive, QStringLiteral("%1 is not listed in the manifest").arg(it.key()));
    }
    return {};
}

struct Scan {
    BackupManifest manifest;
    QByteArray archiveKey; // the included master key, 32 bytes
};

// The first pass: reads the whole archive and writes nothing.
Result<Scan> scanArchive(const QString &path)
{
    BackupArchiveReader reader(path);
    if (Status s = reader.open(); !s)
        return s.error();
    QHash<QString, BackupArchiveReader::Digest> digests;
    std::optional<QByteArray> manifestJson;
    QByteArray keyText;
    for (int entries = 0;; ++entries) {
        if (entries > kMaxEntries)
            return damaged(path, QStringLiteral("too many entries"));
        Result<std::optional<BackupArchiveReader::Entry>> next = reader.next();
        if (!next)
            return next.error();
        if (!next.value())
            break;
        const QString name = next.value()->path;
        if (name == QLatin1String(BackupManifest::kFileName)) {
            if (manifestJson)
                return damaged(path, QStringLiteral("two manifests"));
            Result<QByteArray> json = reader.readAll(kManifestMaxBytes);
            if (!json)
                return json.error();
            manifestJson = json.value();
            continue;
        }
        if (digests.contains(name))
            return damaged(path, QStringLiteral("%1 appears twice").arg(name));
        QBuffer keyBuffer(&keyText);
        const bool isKey = name == QLatin1String(BackupManifest::kKeyEntry);
        if (isKey && !keyBuffer.open(QIODevice::WriteOnly))
            return DomainError::internal(QStringLiteral("cannot buffer the archive's master key"));
        Result<BackupArchiveReader::Digest> digest =
            reader.readData(isKey ? &keyBuffer : nullptr, isKey ? kKeyEntryMaxBytes : std::numeric_limits<qint64>::max());
        if (!digest)
            return digest.error();
        digests.insert(name, digest.value());
    }
    if (!manifestJson)
        return DomainError::unprocessable(QStringLiteral("%1 has no manifest: it is not a WaDesk backup").arg(path),
                                          QStringLiteral("invalid_archive"));
    Result<BackupManifest> manifest = BackupManifest::fromJson(*manifestJson);
    if (!manifest)
        return manifest.error();
    if (Status s = compareWithManifest(path, manifest.value(), digests); !s)
        return s.error();
    Scan scan{manifest.value(), {}};
    if (scan.manifest.keyIncluded) {
        scan.archiveKey = QByteArray::fromHex(keyText.trimmed());
        if (scan.archiveKey.size() != AesGcm::kKeyBytes)
            return damaged(path, QStringLiteral("master.key does not hold a 32-byte key"));
        if (!scan.manifest.keyFingerprint.isEmpty()
            && QString::fromLatin1(MasterKeyCheck::fingerprint(scan.archiveKey)) != scan.manifest.keyFingerprint)
            return damaged(path, QStringLiteral("master.key does not match the fingerprint in the manifest"));
    }
    return scan;
}

// Undoes the moves of a restore that failed half-way.
struct Placed {
    QStringList files;
    ~Placed()
    {
        for (const QString &f : files)
            QFile::remove(f);
    }
};

Status moveInto(const QString &from, const QString &to, Placed &placed)
{
    if (!QDir().mkpath(QFileInfo(to).absolutePath()) || !QFile::rename(from, to))
        return DomainError::internal(QStringLiteral("cannot move the restored file into place: %1").arg(to));
    placed.files << to;
    return {};
}

} // namespace

Result<RestoreService::Outcome> RestoreService::run(const Options &options)
{
    Result<Scan> scanned = scanArchive(options.archivePath);
    if (!scanned)
        return scanned.error();
    Outcome outcome;
    outcome.manifest = scanned.value().manifest;
    const BackupManifest &manifest = outcome.manifest;
    const QByteArray &archiveKey = scanned.value().archiveKey;
    const bool sqlite = options.database.dialect == DatabaseUrl::Dialect::Sqlite;

    // What the archive holds must fit where it goes.
    if (manifest.dialect != options.database.dialectName())
        return refused(manifest.dialect == QLatin1String("sqlite")
                           ? QStringLiteral("this archive holds a SQLite database; restore it without a PostgreSQL --db")
                           : QStringLiteral("this archive was taken from PostgreSQL (%1); give --db with the PostgreSQL URL to "
                                            "restore into")
                                 .arg(manifest.databaseLocation),
                       QStringLiteral("dialect_mismatch"));
    if (manifest.schemaVersion > options.knownSchemaVersion)
        return refused(QStringLiteral("the archive's database has schema version %1, newer than this WaDesk knows (%2): "
                                      "restore it with WaDesk %3 or newer")
                           .arg(manifest.schemaVersion)
                           .arg(options.knownSchemaVersion)
                           .arg(manifest.wadeskVersion),
                       QStringLiteral("schema_too_new"));

    // Only into an empty place.
    if (sqlite) {
        const QString db = options.database.sqlitePath;
        if (QFileInfo::exists(db) || QFileInfo::exists(db + QStringLiteral("-wal")))
            return refused(QStringLiteral("%1 already holds a database: restore only into an empty data directory; nothing "
                                          "was changed")
                               .arg(db),
                           QStringLiteral("not_empty"));
    } else {
        Database database(options.database);
        Result<DatabaseFacts> facts = DatabaseFacts::read(database);
        database.closeThreadConnection();
        if (!facts)
            return DomainError::unavailable(QStringLiteral("cannot read %1: %2").arg(options.database.describe(), facts.error().message));
        if (facts.value().hasSchema && facts.value().schemaVersion > 0)
            return refused(QStringLiteral("%1 is not empty (WaDesk's migrations were applied to it): restore only into an "
                                          "empty database; nothing was changed")
                               .arg(options.database.describe()),
                           QStringLiteral("not_empty"));
    }
    const QDir dataDir(options.dataDir);
    for (const BackupManifest::File &f : manifest.files) {
        if (f.path.startsWith(QLatin1String(BackupManifest::kMediaPrefix)) && QFileInfo::exists(dataDir.filePath(f.path)))
            return refused(QStringLiteral("%1 exists already: restore only into an empty data directory; nothing was changed")
                               .arg(dataDir.filePath(f.path)),
                           QStringLiteral("not_empty"));
    }

    // The key WaDesk will use here: one already set up (WADESK_MASTER_KEY, a keychain entry, a key
    // file) wins; otherwise the archive's, installed where WaDesk will look for it.
    Result<LocatedMasterKey> located =
        MasterKeyLocator::locate(options.secretsBackend, options.dataDir, options.env, options.keychainTimeoutMs);
    if (!located)
        return located.error();
    SecretStore &store = *located.value().store;
    outcome.keySource = store.description();
    QByteArray key;
    if (located.value().key) {
        key = *located.value().key;
    } else if (manifest.keyIncluded) {
        key = archiveKey;
        outcome.keyInstalled = true;
    } else if (manifest.keyFingerprint.isEmpty()) {
        // WaDesk never started on the backed-up database: nothing is sealed yet, and WaDesk will
        // create and record a key at its first start.
    } else {
        return refused(QStringLiteral("the archive does not include the master key, and there is none here (%1): set "
                                      "WADESK_MASTER_KEY to the original key, or use a backup made with --include-key")
                           .arg(outcome.keySource),
                       QStringLiteral("no_master_key"));
    }
    if (!key.isEmpty() && !manifest.keyFingerprint.isEmpty() && QString::fromLatin1(MasterKeyCheck::fingerprint(key)) != manifest.keyFingerprint) {
        QString hint = QStringLiteral("set WADESK_MASTER_KEY to the original key");
        if (manifest.keyIncluded)
            hint = QStringLiteral("the archive holds the right key, but WaDesk would use this one: remove it (or unset "
                                  "WADESK_MASTER_KEY) and run the restore again to have the archive's key installed");
        return refused(QStringLiteral("the %1 is not the key this backup's secrets were sealed with (fingerprint %2…); %3. "
                                      "Nothing was changed")
                           .arg(outcome.keySource, manifest.keyFingerprint.left(12), hint),
                       QStringLiteral("key_mismatch"));
    }

    // Every check passed: write. The data directory is locked meanwhile so WaDesk cannot start on
    // a half-restored one.
    const bool existed = dataDir.exists();
    if (!QDir().mkpath(options.dataDir))
        return DomainError::internal(QStringLiteral("cannot create the data directory %1").arg(options.dataDir));
    if (!existed)
        QFile::setPermissions(options.dataDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QLockFile lock(dataDir.filePath(QStringLiteral("wadesk.lock")));
    lock.setStaleLockTime(0);
    if (!lock.tryLock(0))
        return refused(QStringLiteral("WaDesk is running for the data directory %1: stop it first").arg(options.dataDir),
                       QStringLiteral("already_running"));

    QTemporaryDir staging(dataDir.filePath(QStringLiteral(".restore-XXXXXX")));
    if (!staging.isValid())
        return DomainError::internal(QStringLiteral("cannot create a staging folder in %1").arg(options.dataDir));
    {
        BackupArchiveReader reader(options.archivePath);
        if (Status s = reader.open(); !s)
            return s.error();
        QHash<QString, BackupArchiveReader::Digest> digests;
        for (;;) {
            Result<std::optional<BackupArchiveReader::Entry>> next = reader.next();
            if (!next)
                return next.error();
            if (!next.value())
                break;
            const QString name = next.value()->path;
            const BackupManifest::File *listed = manifest.file(name);
            if (name == QLatin1String(BackupManifest::kFileName) || name == QLatin1String(BackupManifest::kKeyEntry))
                continue; // read in the first pass
            if (!listed || digests.contains(name))
                return damaged(options.archivePath, QStringLiteral("it changed while it was being restored"));
            const QString target = staging.filePath(name);
            QDir().mkpath(QFileInfo(target).absolutePath());
            QFile out(target);
            if (!out.open(QIODevice::WriteOnly))
                return DomainError::internal(QStringLiteral("cannot write %1: %2").arg(target, out.errorString()));
            out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            Result<BackupArchiveReader::Digest> digest = reader.readData(&out, listed->size);
            if (!digest)
                return digest.error();
            if (!out.flush())
                return DomainError::internal(QStringLiteral("cannot write %1: %2").arg(target, out.errorString()));
            digests.insert(name, digest.value());
        }
        if (manifest.keyIncluded)
            digests.insert(QLatin1String(BackupManifest::kKeyEntry),
                           {manifest.file(QLatin1String(BackupManifest::kKeyEntry))->size,
                            manifest.file(QLatin1String(BackupManifest::kKeyEntry))->sha256});
        if (Status s = compareWithManifest(options.archivePath, manifest, digests); !s)
            return s.error();
    }
    const QString stagedDb = staging.filePath(QLatin1String(BackupManifest::kDatabaseEntry));
    if (sqlite) {
        SqliteFile restored;
        if (Status s = restored.openExisting(stagedDb); !s)
            return s.error();
        if (Status s = restored.checkIntegrity(); !s)
            return s.error();
        Result<DatabaseFacts> facts = DatabaseFacts::read(restored);
        if (!facts)
            return facts.error();
        if (!facts.value().hasSchema || facts.value().schemaVersion != manifest.schemaVersion
            || facts.value().keyFingerprint != manifest.keyFingerprint)
            return damaged(options.archivePath, QStringLiteral("its database does not match the manifest"));
    }

    Placed placed;
    if (outcome.keyInstalled) {
        if (Status s = store.installMasterKey(key); !s)
            return s.error();
        if (store.backend() == QLatin1String("file"))
            placed.files << SecretStoreSelector::keyFilePath(options.dataDir);
    }
    for (const BackupManifest::File &f : manifest.files) {
        if (!f.path.startsWith(QLatin1String(BackupManifest::kMediaPrefix)))
            continue;
        if (Status s = moveInto(staging.filePath(f.path), dataDir.filePath(f.path), placed); !s)
            return s.error();
    }
    if (sqlite) {
        // Last: a data directory with a database is what WaDesk (and this command) treat as restored.
        if (Status s = moveInto(stagedDb, options.database.sqlitePath, placed); !s)
            return s.error();
        QFile::setPermissions(options.database.sqlitePath, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    } else {
        outcome.pgRestoreCommand = PgToolCommands::restore(options.database, PgToolCommands::dumpFileFor(options.archivePath));
    }
    placed.files.clear(); // done: keep them
    return outcome;
}

} // namespace wadesk
