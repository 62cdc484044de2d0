#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QString>
#include <QVariantList>
#include <functional>

struct sqlite3_stmt;

namespace wadesk {

class Database;

// One row of a SqliteReader result: values read straight from SQLite's C API (UTF-8 text,
// 64-bit integers), valid only inside the callback.
class SqliteRow {
public:
    explicit SqliteRow(sqlite3_stmt *statement) : m_statement(statement) {}
    QString text(int column) const;      // NULL reads as a null QString
    QByteArray utf8(int column) const;   // NULL reads as an empty array
    qint64 integer(int column) const;    // NULL reads as 0

private:
    sqlite3_stmt *m_statement;
};

// Runs a SELECT on the calling thread's SQLite connection through SQLite's C API, on a
// statement prepared once per thread and connection. For the hottest list reads (a history
// page reads fifty rows of thirty columns): QtSql wraps every value in a QVariant, caches the
// row, and has SQLite convert each text to UTF-16 with an allocation; this reads the UTF-8
// bytes where they are. Everything else goes through SqlRunner, and PostgreSQL always does.
class SqliteReader {
public:
    explicit SqliteReader(Database &database) : m_database(database) {}

    // Calls `row` for each row. Errors are logged and mapped like SqlRunner's (an outage is 503).
    Status each(const QString &sql, const QVariantList &bindings, const char *context, const std::function<void(const SqliteRow &)> &row);

    // Finalizes the statements prepared on the calling thread for `connectionName` (the
    // connection is about to be closed). Called through SqlRunner::forgetPrepared.
    static void forgetPrepared(const QString &connectionName);

private:
    Database &m_database;
};

} // namespace wadesk
