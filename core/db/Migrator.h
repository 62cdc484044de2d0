#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace wadesk {

class Database;

// Applies the numbered SQL files of one dialect (NNNN_name.sql, embedded under
// :/migrations/<dialect>) in a single transaction and records them in schema_migrations.
// Re-running is a no-op; a failure rolls everything back, so the database is left as it was.
// On PostgreSQL an advisory lock serializes instances that start at the same time.
class Migrator {
public:
    struct Migration {
        int version = 0;
        QString name;
        QString sql;
        QString checksum;
    };

    Migrator(Database &database, QString directory, const Clock &clock = Clock::system());
    static QString embeddedDirectory(const QString &dialect);

    // Returns how many migrations were applied now.
    Result<int> migrate();
    Result<std::vector<Migration>> available() const;
    // Splits a script into statements at semicolons outside quotes, comments, dollar-quoted
    // bodies and CREATE TRIGGER ... END blocks.
    static QStringList splitStatements(const QString &script);

private:
    Database &m_database;
    QString m_directory;
    const Clock &m_clock;
};

} // namespace wadesk
