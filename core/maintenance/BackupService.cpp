#include "core/maintenance/BackupService.h"

#include "core/common/Version.h"
#include "core/db/Database.h"
#include "core/maintenance/BackupArchive.h"
#include "core/maintenance/DatabaseFacts.h"
#include "core/maintenance/MasterKeyLocator.h"
#include "core/maintenance/PgToolCommands.h"
#include "core/maintenance/SqliteFile.h"
#include "core/secrets/MasterKeyCheck.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QTemporaryDir>
#include <algorithm>

namespace wadesk {

namespace {

// The data directory's media files (a coming feature: copied as they are when the folder exists),
// relative paths in a stable order.
Result<QStringList> mediaFiles(const QString &dataDir)
{
    const QString root = QDir(dataDir).filePath(QStringLiteral("media"));
    QStringList out;
    if (!QFileInfo(root).isDir())
        return out;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString relative = QDir(root).relativeFilePath(it.next());
        if (!BackupManifest::isAllowedPath(QLatin1String(BackupManifest::kMediaPrefix) + relative))
            return DomainError::badRequest(QStringLiteral("the media file name '%1' cannot go into a backup").arg(relative),
                                           QStringLiteral("unsupported_file_name"));
        out << relative;
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

Result<BackupService::Outcome> BackupService::run(const Options &options, const Clock &clock)
{
    Outcome outcome;
    outcome.archivePath = options.archivePath;
    BackupManifest &manifest = outcome.manifest;
    manifest.wadeskVersion = QLatin1String(kVersion);
    manifest.createdAt = clock.nowUtc().toString(Qt::ISODateWithMs);
    manifest.dialect = options.database.dialectName();

    BackupArchiveWriter writer(options.archivePath, clock);
    if (Status s = writer.open(); !s)
        return s.error();

    // The database copy goes next to the archive, not to /tmp (often a small tmpfs).
    QTemporaryDir work(QFileInfo(options.archivePath).absolutePath() + QStringLiteral("/.wadesk-backup-XXXXXX"));
    if (!work.isValid())
        return DomainError::internal(QStringLiteral("cannot create a work directory next to %1").arg(options.archivePath));
    const QString copyPath = work.filePath(QStringLiteral("wadesk.db"));

    DatabaseFacts facts;
    if (options.database.dialect == DatabaseUrl::Dialect::Sqlite) {
        if (Status s = SqliteFile::snapshot(options.database.sqlitePath, copyPath); !s)
            return s.error();
        SqliteFile copy;
        if (Status s = copy.openExisting(copyPath); !s)
            return s.error();
        if (Status s = copy.checkIntegrity(); !s)
            return s.error();
        Result<DatabaseFacts> read = DatabaseFacts::read(copy);
        if (!read)
            return read.error();
        facts = read.value();
        manifest.databaseIncluded = true;
        manifest.restoreWith = QStringLiteral("wadesk restore");
    } else {
        Database database(options.database);
        Result<DatabaseFacts> read = DatabaseFacts::read(database);
        database.closeThreadConnection();
        if (!read)
            return DomainError::unavailable(QStringLiteral("cannot read %1: %2").arg(options.database.describe(), read.error().message));
        facts = read.value();
        manifest.databaseIncluded = false;
        manifest.restoreWith = QStringLiteral("pg_restore");
        const DatabaseUrl &url = options.database;
        manifest.databaseLocation = QStringLiteral("%1@%2:%3/%4").arg(url.user, url.host).arg(url.port).arg(url.databaseName);
        outcome.pgDumpCommand = PgToolCommands::dump(url, PgToolCommands::dumpFileFor(options.archivePath));
    }
    if (!facts.hasSchema)
        return DomainError::badRequest(
            QStringLiteral("%1 is not a WaDesk database (no migrations applied)").arg(options.database.describe()),
            QStringLiteral("not_a_wadesk_database"));
    manifest.schemaVersion = facts.schemaVersion;
    manifest.counts = facts.counts;
    manifest.keyFingerprint = facts.keyFingerprint;

    QByteArray key;
    if (options.includeKey) {
        Result<LocatedMasterKey> located =
            MasterKeyLocator::locate(options.secretsBackend, options.dataDir, options.env, options.keychainTimeoutMs);
        if (!located)
            return located.error();
        if (!located.value().key)
            return DomainError::badRequest(QStringLiteral("--include-key: there is no master key for %1 (looked at: %2)")
                                               .arg(options.dataDir, located.value().store->description()),
                                           QStringLiteral("no_master_key"));
        key = *located.value().key;
        outcome.keySource = located.value().store->description();
        // An archive whose key does not open its own database would only fail at restore time.
        if (!facts.keyFingerprint.isEmpty()
            && QString::fromLatin1(MasterKeyCheck::fingerprint(key)) != facts.keyFingerprint)
            return DomainError::conflict(QStringLiteral("--include-key: the %1 is not the key this database's secrets were "
                                                        "sealed with; refusing to write a backup that could not be opened")
                                             .arg(outcome.keySource),
                                         QStringLiteral("key_mismatch"));
    }

    if (manifest.databaseIncluded) {
        Result<BackupManifest::File> added = writer.addFile(QLatin1String(BackupManifest::kDatabaseEntry), copyPath);
        if (!added)
            return added.error();
        manifest.files.append(added.value());
        QFile::remove(copyPath); // the archive has it: do not keep a second copy on disk meanwhile
    }
    Result<QStringList> media = mediaFiles(options.dataDir);
    if (!media)
        return media.error();
    const QDir mediaRoot(QDir(options.dataDir).filePath(QStringLiteral("media")));
    for (const QString &relative : media.value()) {
        Result<BackupManifest::File> added =
            writer.addFile(QLatin1String(BackupManifest::kMediaPrefix) + relative, mediaRoot.filePath(relative));
        if (!added)
            return added.error();
        manifest.files.append(added.value());
    }
    if (!key.isEmpty()) {
        // The key file's own format (FileSecretStore), so the entry could be used as one.
        Result<BackupManifest::File> added = writer.addData(QLatin1String(BackupManifest::kKeyEntry), key.toHex() + '\n');
        if (!added)
            return added.error();
        manifest.files.append(added.value());
        manifest.keyIncluded = true;
    }
    if (Result<BackupManifest::File> added = writer.addData(QLatin1String(BackupManifest::kFileName), manifest.toJson()); !added)
        return added.error();
    if (Status s = writer.commit(); !s)
        return s.error();
    outcome.archiveBytes = QFileInfo(options.archivePath).size();
    return outcome;
}

} // namespace wadesk
