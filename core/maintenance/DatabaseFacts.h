#pragma once

#include "core/common/DomainError.h"
#include "core/maintenance/BackupManifest.h"

#include <QString>
#include <QVariant>
#include <functional>

namespace wadesk {

class Database;
class SqliteFile;

// What a backup's manifest says about a database, and what a restore checks: the highest applied
// migration, the rows of the main tables, and the master key's fingerprint as recorded in it.
struct DatabaseFacts {
    bool hasSchema = false; // schema_migrations exists (WaDesk has prepared this database)
    int schemaVersion = 0;
    BackupManifest::Counts counts;
    QString keyFingerprint;

    // `sqlite`: the dialect's catalog is asked which tables exist.
    using Scalar = std::function<Result<QVariant>(const QString &sql)>;
    static Result<DatabaseFacts> read(const Scalar &scalar, bool sqlite);
    static Result<DatabaseFacts> read(SqliteFile &file);
    static Result<DatabaseFacts> read(Database &database);
};

} // namespace wadesk
