#pragma once

#include "core/common/DomainError.h"

#include <QString>
#include <QVariant>

struct sqlite3;

namespace wadesk {

// A SQLite database file opened with libsqlite3 itself, not QtSql: the maintenance commands need
// SQLite's online backup API, which QtSql does not expose. The only place that calls libsqlite3.
class SqliteFile {
public:
    SqliteFile() = default;
    ~SqliteFile();
    SqliteFile(const SqliteFile &) = delete;
    SqliteFile &operator=(const SqliteFile &) = delete;

    // Opens an existing file (never creates one): a missing database is an error, not a new,
    // empty one.
    Status openExisting(const QString &path);
    // The first column of the first row, or a null QVariant when there is no row.
    Result<QVariant> scalar(const QString &sql);
    Status exec(const QString &sql);
    // PRAGMA integrity_check: "ok" or the problems it names.
    Status checkIntegrity();

    // Copies the live database at `source` (another process may be writing to it) into the new
    // file `target`, consistent as of one moment, and leaves the copy in rollback-journal mode so
    // that reading it later creates no -wal/-shm files next to it.
    //
    // SQLite's online backup API, not VACUUM INTO: it copies the pages as they are within one read
    // transaction (sqlite3_backup_step(-1)), which in WAL mode never blocks WaDesk's writers, and
    // it costs a plain copy, where VACUUM INTO rebuilds every table and index.
    static Status snapshot(const QString &source, const QString &target);

private:
    DomainError failure(const QString &what) const;

    QString m_path;
    sqlite3 *m_db = nullptr;
};

} // namespace wadesk
