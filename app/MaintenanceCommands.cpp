#include "app/MaintenanceCommands.h"

#include "app/ExitCodes.h"
#include "core/analytics/ResponseRuns.h"
#include "core/analytics/RollupCheck.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/maintenance/BackupService.h"
#include "core/maintenance/RestoreService.h"
#include "core/maintenance/V1Importer.h"

#include <QFileInfo>
#include <QScopeGuard>
#include <cstdio>

namespace wadesk::MaintenanceCommands {

namespace {

constexpr int kKeychainTimeoutMs = 5000;

int failed(const QString &command, const DomainError &error)
{
    std::fprintf(stderr, "wadesk %s: %s\n", qPrintable(command), error.message.toLocal8Bit().constData());
    // A refusal (the input, the target or the key is not right) is told apart from a failure.
    return error.httpStatus >= 400 && error.httpStatus < 500 ? ExitCode::Refused : ExitCode::RuntimeFailure;
}

void say(const QString &line)
{
    std::fputs((line + QLatin1Char('\n')).toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
}

QString countsText(const BackupManifest::Counts &c)
{
    return QStringLiteral("%1 organization(s), %2 user(s), %3 client(s), %4 message(s)")
        .arg(c.organizations)
        .arg(c.users)
        .arg(c.clients)
        .arg(c.messages);
}

int knownSchemaVersion(const DatabaseUrl &url)
{
    Database unopened(url); // never connected: only the embedded migrations are listed
    const Result<std::vector<Migrator::Migration>> available =
        Migrator(unopened, Migrator::embeddedDirectory(url.dialectName())).available();
    return available && !available.value().empty() ? available.value().back().version : 0;
}

int backup(const MaintenanceCommand &command, const AppConfig &config, const QProcessEnvironment &env, const DatabaseUrl &url)
{
    BackupService::Options options;
    options.dataDir = config.dataDir;
    options.database = url;
    options.archivePath = command.file;
    options.includeKey = command.includeKey;
    options.secretsBackend = config.secretsBackend;
    options.env = env;
    options.keychainTimeoutMs = kKeychainTimeoutMs;
    const Result<BackupService::Outcome> done = BackupService::run(options);
    if (!done)
        return failed(QStringLiteral("backup"), done.error());
    const BackupService::Outcome &o = done.value();
    if (o.pgDumpCommand.isEmpty()) {
        say(QStringLiteral("backup written to %1 (%2 bytes): %3, schema version %4, %5 file(s)%6")
                .arg(o.archivePath)
                .arg(o.archiveBytes)
                .arg(countsText(o.manifest.counts))
                .arg(o.manifest.schemaVersion)
                .arg(o.manifest.files.size())
                .arg(o.manifest.keyIncluded ? QStringLiteral(", master key included") : QString()));
    } else {
        say(QStringLiteral("backup of the data directory written to %1 (%2 bytes): %3 file(s); the PostgreSQL database "
                           "(%4, schema version %5) is NOT in it%6")
                .arg(o.archivePath)
                .arg(o.archiveBytes)
                .arg(o.manifest.files.size())
                .arg(countsText(o.manifest.counts))
                .arg(o.manifest.schemaVersion)
                .arg(o.manifest.keyIncluded ? QStringLiteral("; master key included") : QString()));
        say(QStringLiteral("back up the database itself now, with: %1").arg(o.pgDumpCommand));
    }
    if (o.manifest.keyIncluded)
        say(QStringLiteral("the archive holds the master key (from the %1): whoever has it can open every secret; it was "
                           "created readable by you only (0600), keep it that way")
                .arg(o.keySource));
    return ExitCode::Ok;
}

int restore(const MaintenanceCommand &command, const AppConfig &config, const QProcessEnvironment &env, const DatabaseUrl &url)
{
    RestoreService::Options options;
    options.dataDir = config.dataDir;
    options.database = url;
    options.archivePath = command.file;
    options.secretsBackend = config.secretsBackend;
    options.env = env;
    options.keychainTimeoutMs = kKeychainTimeoutMs;
    options.knownSchemaVersion = knownSchemaVersion(url);
    const Result<RestoreService::Outcome> done = RestoreService::run(options);
    if (!done)
        return failed(QStringLiteral("restore"), done.error());
    const RestoreService::Outcome &o = done.value();
    const QString key = o.keyInstalled ? QStringLiteral("the archive's master key installed (%1)").arg(o.keySource)
                                       : QStringLiteral("master key matches (%1)").arg(o.keySource);
    if (o.pgRestoreCommand.isEmpty()) {
        say(QStringLiteral("restored %1 into %2 (backup of %3, schema version %4): %5; %6")
                .arg(command.file, config.dataDir, o.manifest.createdAt)
                .arg(o.manifest.schemaVersion)
                .arg(countsText(o.manifest.counts), key));
    } else {
        say(QStringLiteral("restored the data directory from %1 into %2 (backup of %3): %4 file(s); %5")
                .arg(command.file, config.dataDir, o.manifest.createdAt)
                .arg(o.manifest.files.size())
                .arg(key));
        say(QStringLiteral("now restore the database (%1) from its pg_dump file, before starting WaDesk: %2")
                .arg(countsText(o.manifest.counts), o.pgRestoreCommand));
    }
    return ExitCode::Ok;
}

int importV1(const MaintenanceCommand &command, const AppConfig &config, const DatabaseUrl &url)
{
    V1Importer::Options options;
    options.database = url;
    options.file = command.file;
    options.organizationName = command.organizationName;
    options.adminEmail = command.adminEmail;
    options.dryRun = command.dryRun;
    options.passwordCost = config.services.auth.passwordCost;
    const Result<V1Importer::Outcome> done = V1Importer::run(options);
    if (!done)
        return failed(QStringLiteral("import-v1"), done.error());
    const V1Importer::Outcome &o = done.value();
    if (o.alreadyImported) {
        say(QStringLiteral("already imported: %1 was imported as organization \"%2\" (%3, %4 client(s)) at %5; nothing changed")
                .arg(command.file, o.organizationName, o.organizationId)
                .arg(o.clients)
                .arg(o.importedAt));
        return ExitCode::Ok;
    }
    if (o.dryRun) {
        say(QStringLiteral("dry run: would create organization \"%1\" with %2 client(s) (%3 with a phone number, all unlinked: "
                           "each needs a new QR scan) and the admin user %4 in %5; nothing was written")
                .arg(o.organizationName)
                .arg(o.clients)
                .arg(o.clientsWithPhone)
                .arg(o.adminEmail, url.describe()));
        return ExitCode::Ok;
    }
    say(QStringLiteral("imported %1: organization \"%2\" (%3) with %4 client(s), unlinked (each needs a new QR scan), and the "
                       "admin user %5")
            .arg(command.file, o.organizationName, o.organizationId)
            .arg(o.clients)
            .arg(o.adminEmail));
    // Shown once: only their hashes are stored.
    say(QStringLiteral("admin password: %1").arg(o.adminPassword));
    say(QStringLiteral("API key: %1").arg(o.apiKey));
    say(QStringLiteral("keep them now: they are not shown again (change the password after signing in)"));
    return ExitCode::Ok;
}

int analytics(const MaintenanceCommand &command, const DatabaseUrl &url)
{
    const QString name = QStringLiteral("analytics");
    Database database(url);
    auto closeConnection = qScopeGuard([&database]() { database.closeThreadConnection(); });
    // As WaDesk does at start: the roll-ups exist from migration 0012 on.
    const Result<int> migrated = Migrator(database, Migrator::embeddedDirectory(url.dialectName())).migrate();
    if (!migrated)
        return failed(name, DomainError::internal(
                                QStringLiteral("cannot prepare the database (%1): %2").arg(url.describe(), migrated.error().message)));
    RollupCheck check(database);
    const Result<QList<RollupDifference>> found = check.verify();
    if (!found)
        return failed(name, found.error());
    for (const RollupDifference &d : found.value())
        say(RollupCheck::describe(d));
    ResponseRuns runs(database);
    const Result<QStringList> runsDiffer = runs.verify();
    if (!runsDiffer)
        return failed(name, runsDiffer.error());
    for (const QString &line : runsDiffer.value())
        say(line);
    if (!command.repair) {
        if (found.value().isEmpty() && runsDiffer.value().isEmpty()) {
            say(QStringLiteral("roll-ups and response runs match the messages (%1)").arg(url.describe()));
            return ExitCode::Ok;
        }
        say(QStringLiteral("%1 roll-up cell(s) and %2 conversation(s) of response runs differ from the messages; "
                           "run wadesk analytics --repair to rewrite them")
                .arg(found.value().size())
                .arg(runsDiffer.value().size()));
        return ExitCode::Mismatch;
    }
    const Result<qint64> written = check.repair();
    if (!written)
        return failed(name, written.error());
    const Result<qint64> rebuilt = runs.rebuild();
    if (!rebuilt)
        return failed(name, rebuilt.error());
    const Result<QList<RollupDifference>> after = check.verify();
    if (!after)
        return failed(name, after.error());
    const Result<QStringList> runsAfter = runs.verify();
    if (!runsAfter)
        return failed(name, runsAfter.error());
    if (!after.value().isEmpty() || !runsAfter.value().isEmpty()) {
        say(QStringLiteral("after the repair %1 cell(s) still differ (messages written meanwhile?); run --verify again")
                .arg(after.value().size()));
        return ExitCode::Mismatch;
    }
    say(QStringLiteral("repaired: %1 cell(s) differed; the roll-ups were rewritten from the messages (%2 cell(s)) and now match; "
                       "%3 conversation(s) of response runs differed and the runs were recomputed (%4 conversation(s))")
            .arg(found.value().size())
            .arg(written.value())
            .arg(runsDiffer.value().size())
            .arg(rebuilt.value()));
    return ExitCode::Ok;
}

} // namespace

int run(const MaintenanceCommand &command, const AppConfig &config, const QProcessEnvironment &env)
{
    const QString location = config.database.isEmpty() ? QStringLiteral("wadesk.db") : config.database;
    const Result<DatabaseUrl> url = DatabaseUrl::parse(location, config.dataDir);
    if (!url) {
        std::fprintf(stderr, "wadesk: --db: %s\n", url.error().message.toLocal8Bit().constData());
        return ExitCode::InvalidOption;
    }
    switch (command.kind) {
    case MaintenanceCommand::Kind::Backup:
        return backup(command, config, env, url.value());
    case MaintenanceCommand::Kind::Restore:
        return restore(command, config, env, url.value());
    case MaintenanceCommand::Kind::ImportV1:
        return importV1(command, config, url.value());
    case MaintenanceCommand::Kind::Analytics:
        return analytics(command, url.value());
    case MaintenanceCommand::Kind::None:
        break;
    }
    return ExitCode::InvalidOption;
}

} // namespace wadesk::MaintenanceCommands
