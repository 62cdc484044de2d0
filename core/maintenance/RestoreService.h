#pragma once

#include "core/common/DomainError.h"
#include "core/db/DatabaseUrl.h"
#include "core/maintenance/BackupManifest.h"

#include <QProcessEnvironment>
#include <QString>

namespace wadesk {

// `wadesk restore`: brings a backup archive back, only into an empty place (a data directory
// without a database for SQLite, a database without migrations for PostgreSQL).
//
// Everything is checked before anything is written: the manifest, every file's size and
// SHA-256, the schema version (not newer than this binary's), and that the master key WaDesk
// will use matches the fingerprint the backup recorded. Then the files are extracted to a staging
// folder, checked again, and moved into place, the database last. A refusal or a failure leaves
// the data directory as it was.
class RestoreService {
public:
    struct Options {
        QString dataDir;
        DatabaseUrl database;
        QString archivePath;
        QString secretsBackend = QStringLiteral("auto");
        QProcessEnvironment env;
        int keychainTimeoutMs = 5000;
        int knownSchemaVersion = 0; // the newest migration this binary has
    };
    struct Outcome {
        BackupManifest manifest;
        QString keySource;       // where the key WaDesk will use lives
        bool keyInstalled = false; // the archive's key was installed there
        QString pgRestoreCommand;  // PostgreSQL: what the user runs next
    };

    static Result<Outcome> run(const Options &options);
};

} // namespace wadesk
