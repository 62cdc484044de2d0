#include "core/maintenance/DatabaseFacts.h"

#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "core/maintenance/SqliteFile.h"

namespace wadesk {

Result<DatabaseFacts> DatabaseFacts::read(const Scalar &scalar, bool sqlite)
{
    // Table names below are fixed strings of ours, never input.
    auto hasTable = [&](const char *table) -> Result<bool> {
        const QString sql = sqlite
            ? QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '%1'").arg(QLatin1String(table))
            : QStringLiteral("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                             "AND table_name = '%1'")
                  .arg(QLatin1String(table));
        Result<QVariant> n = scalar(sql);
        if (!n)
            return n.error();
        return n.value().toLongLong() > 0;
    };
    auto count = [&](const char *table, qint64 *out) -> Status {
        Result<bool> exists = hasTable(table);
        if (!exists)
            return exists.error();
        if (!exists.value())
            return {};
        Result<QVariant> n = scalar(QStringLiteral("SELECT COUNT(*) FROM %1").arg(QLatin1String(table)));
        if (!n)
            return n.error();
        *out = n.value().toLongLong();
        return {};
    };

    DatabaseFacts facts;
    Result<bool> migrated = hasTable("schema_migrations");
    if (!migrated)
        return migrated.error();
    facts.hasSchema = migrated.value();
    if (!facts.hasSchema)
        return facts;
    Result<QVariant> version = scalar(QStringLiteral("SELECT MAX(version) FROM schema_migrations"));
    if (!version)
        return version.error();
    facts.schemaVersion = version.value().toInt();
    for (auto [table, out] : {std::pair{"organizations", &facts.counts.organizations}, std::pair{"users", &facts.counts.users},
                              std::pair{"clients", &facts.counts.clients}, std::pair{"messages", &facts.counts.messages}}) {
        if (Status s = count(table, out); !s)
            return s.error();
    }
    Result<bool> settings = hasTable("settings");
    if (!settings)
        return settings.error();
    if (settings.value()) {
        Result<QVariant> fingerprint = scalar(
            QStringLiteral("SELECT value FROM settings WHERE organization_id = '' AND key = 'secrets.master_key_fingerprint'"));
        if (!fingerprint)
            return fingerprint.error();
        facts.keyFingerprint = fingerprint.value().toString();
    }
    return facts;
}

Result<DatabaseFacts> DatabaseFacts::read(SqliteFile &file)
{
    return read([&file](const QString &sql) { return file.scalar(sql); }, true);
}

Result<DatabaseFacts> DatabaseFacts::read(Database &database)
{
    SqlRunner sql(database);
    return read(
        [&sql](const QString &text) -> Result<QVariant> {
            Result<QSqlQuery> q = sql.run(text, {}, "maintenance facts");
            if (!q)
                return q.error();
            return q.value().next() ? q.value().value(0) : QVariant();
        },
        !database.isPostgres());
}

} // namespace wadesk
