#pragma once

#include "core/common/DomainError.h"

#include <QString>

namespace wadesk {

// Where the data lives: an embedded SQLite file, or a PostgreSQL server.
struct DatabaseUrl {
    enum class Dialect { Sqlite, Postgres };
    Dialect dialect = Dialect::Sqlite;
    QString sqlitePath;     // absolute
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString databaseName;
    QString connectOptions; // QPSQL connect options from the URL query (sslmode=..., connect_timeout=...)

    // `value` is a path (relative paths resolve against `baseDir`), "sqlite:<path>",
    // or "postgres://user:pass@host:port/db?sslmode=require".
    static Result<DatabaseUrl> parse(const QString &value, const QString &baseDir);
    // The same text with any password replaced, fit for logs and error messages.
    static QString redacted(const QString &value);
    QString describe() const; // "SQLite /path" or "PostgreSQL user@host:port/db"
    QString dialectName() const { return dialect == Dialect::Sqlite ? QStringLiteral("sqlite") : QStringLiteral("postgres"); }
};

} // namespace wadesk
