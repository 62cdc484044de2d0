#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/db/DatabaseUrl.h"
#include "core/maintenance/BackupManifest.h"

#include <QProcessEnvironment>
#include <QString>

namespace wadesk {

// `wadesk backup`: a consistent archive of a data directory while WaDesk may be running. It
// neither needs nor takes the data directory's lock, and writes nothing but the archive.
// SQLite: the database is copied with SQLite's online backup API (SqliteFile::snapshot).
// PostgreSQL: the database is not copied (pg_dump does that, consistently, on the server's side);
// the archive holds the manifest and the data directory's files, and the manifest says so.
class BackupService {
public:
    struct Options {
        QString dataDir;
        DatabaseUrl database;
        QString archivePath;
        bool includeKey = false;
        QString secretsBackend = QStringLiteral("auto");
        QProcessEnvironment env;
        int keychainTimeoutMs = 5000;
    };
    struct Outcome {
        BackupManifest manifest;
        QString archivePath;
        qint64 archiveBytes = 0;
        QString keySource;     // set when the key was included
        QString pgDumpCommand; // PostgreSQL: what the user runs to back up the database itself
    };

    static Result<Outcome> run(const Options &options, const Clock &clock = Clock::system());
};

} // namespace wadesk
