#include "core/config/ConfigLoader.h"

#include "core/common/Version.h"
#include "core/db/DatabaseUrl.h"
#include "core/retention/RetentionSettings.h"
#include "core/safety/Pacing.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QHostAddress>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QSysInfo>
#include <QUrl>
#include <algorithm>
#include <functional>
#include <vector>

namespace wadesk {

namespace {

enum class Kind { Bool, Int, String, Choice };

// One row per setting: where it may come from and how it is checked. Settings without a
// command-line name are read from the environment and the file only.
struct OptionSpec {
    const char *fileKey;
    const char *envName;
    const char *cliName;     // nullptr: no command-line option
    Kind kind;
    const char *description;
    const char *valueName;
    qint64 min = 0;
    qint64 max = 0;
    QStringList choices = {};
    std::function<void(AppConfig &, const QString &)> store = {};
};

std::optional<bool> parseBool(const QString &raw)
{
    const QString v = raw.trimmed().toLower();
    if (v == QLatin1String("1") || v == QLatin1String("true") || v == QLatin1String("yes") || v == QLatin1String("on"))
        return true;
    if (v == QLatin1String("0") || v == QLatin1String("false") || v == QLatin1String("no") || v == QLatin1String("off"))
        return false;
    return std::nullopt;
}

// "STOP, Baja,  arrêt" -> {"STOP", "Baja", "arrêt"}: a keyword list as the settings file holds it.
QStringList keywordList(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(QLatin1Char(','))) {
        const QString k = part.trimmed();
        if (!k.isEmpty() && !out.contains(k, Qt::CaseInsensitive))
            out << k;
    }
    return out;
}

std::vector<OptionSpec> optionSpecs()
{
    std::vector<OptionSpec> specs;
    auto add = [&specs](OptionSpec s) { specs.push_back(std::move(s)); };
    add({"headless", "WADESK_HEADLESS", "headless", Kind::Bool,
         "Run without a window (offscreen); serve the API only.", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.headless = *parseBool(v); }});
    add({"dataDir", "WADESK_DATA_DIR", "data-dir", Kind::String,
         "Directory for the database, logs, keys and session profiles.", "path", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.dataDir = v; }});
    add({"database", "WADESK_DB", "db", Kind::String,
         "SQLite file path, or postgres://user:pass@host:port/db.", "path|url", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.database = v; }});
    add({"api/bind", "WADESK_BIND", "bind", Kind::String,
         "Address the REST API listens on.", "address", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.api.bindAddress = v; }});
    add({"api/port", "WADESK_PORT", "port", Kind::Int, "Port the REST API listens on (0: any free port).",
         "port", 0, 65535, {}, [](AppConfig &c, const QString &v) { c.api.port = v.toInt(); }});
    add({"api/allowRemote", "WADESK_ALLOW_REMOTE", "allow-remote", Kind::Bool,
         "Allow binding the API to a non-loopback address.", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.api.allowRemote = *parseBool(v); }});
    add({"log/level", "WADESK_LOG_LEVEL", "log-level", Kind::Choice, "Log level.", "level", 0, 0,
         {QStringLiteral("error"), QStringLiteral("warn"), QStringLiteral("info"), QStringLiteral("debug"),
          QStringLiteral("trace")},
         [](AppConfig &c, const QString &v) { c.logLevel = v.trimmed().toLower(); }});
    add({"log/json", "WADESK_LOG_JSON", "log-json", Kind::Bool, "Write logs as JSON lines.", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.logJson = *parseBool(v); }});
    add({"http/maxBodyBytes", "WADESK_HTTP_MAX_BODY_BYTES", nullptr, Kind::Int, "", "", 1024,
         qint64(1) << 31, {}, [](AppConfig &c, const QString &v) { c.api.limits.maxBodyBytes = v.toLongLong(); }});
    add({"http/maxHeaderBytes", "WADESK_HTTP_MAX_HEADER_BYTES", nullptr, Kind::Int, "", "", 1024, 1 << 20, {},
         [](AppConfig &c, const QString &v) { c.api.limits.maxHeaderBytes = v.toInt(); }});
    add({"http/maxConnections", "WADESK_HTTP_MAX_CONNECTIONS", nullptr, Kind::Int, "", "", 1, 100000, {},
         [](AppConfig &c, const QString &v) { c.api.limits.maxConnections = v.toInt(); }});
    add({"http/idleTimeoutMs", "WADESK_HTTP_IDLE_TIMEOUT_MS", nullptr, Kind::Int, "", "", 100, 3600000, {},
         [](AppConfig &c, const QString &v) { c.api.limits.idleTimeoutMs = v.toInt(); }});
    add({"http/headerTimeoutMs", "WADESK_HTTP_HEADER_TIMEOUT_MS", nullptr, Kind::Int, "", "", 100, 600000, {},
         [](AppConfig &c, const QString &v) { c.api.limits.headerTimeoutMs = v.toInt(); }});
    add({"http/shutdownGraceMs", "WADESK_HTTP_SHUTDOWN_GRACE_MS", nullptr, Kind::Int, "", "", 0, 600000, {},
         [](AppConfig &c, const QString &v) { c.api.shutdownGraceMs = v.toInt(); }});
    add({"health/cacheMs", "WADESK_HEALTH_CACHE_MS", nullptr, Kind::Int, "", "", 0, 60000, {},
         [](AppConfig &c, const QString &v) { c.api.healthCacheMs = v.toInt(); }});
    add({"environment", "WADESK_ENVIRONMENT", nullptr, Kind::String, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.api.environment = v.left(64); }});
    add({"metrics/enabled", "WADESK_METRICS_ENABLED", nullptr, Kind::Bool, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.api.metricsEnabled = *parseBool(v); }});
    add({"metrics/token", "WADESK_METRICS_TOKEN", nullptr, Kind::String, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.api.metricsToken = v.trimmed(); }});
    add({"auth/passwordHashCost", "WADESK_PASSWORD_HASH_COST", nullptr, Kind::Choice, "", "", 0, 0,
         {QStringLiteral("interactive"), QStringLiteral("moderate"), QStringLiteral("min")},
         [](AppConfig &c, const QString &v) { c.services.auth.passwordCost = PasswordHasher::parseCost(v.trimmed().toLower()); }});
    add({"auth/jwtLifetimeSeconds", "WADESK_JWT_LIFETIME_SECONDS", nullptr, Kind::Int, "", "", 60, 30 * 86400, {},
         [](AppConfig &c, const QString &v) { c.services.auth.jwtLifetimeSeconds = v.toInt(); }});
    add({"auth/cacheMs", "WADESK_AUTH_CACHE_MS", nullptr, Kind::Int, "", "", 0, 60000, {},
         [](AppConfig &c, const QString &v) { c.services.auth.authCacheMs = v.toInt(); }});
    add({"whatsapp/url", "WADESK_WA_URL", nullptr, Kind::String, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.engine.url = QUrl(v.trimmed(), QUrl::StrictMode); }});
    add({"whatsapp/injectWaJs", "WADESK_INJECT_WAJS", nullptr, Kind::Bool, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.engine.injectWaJs = *parseBool(v); }});
    add({"whatsapp/heartbeatIntervalMs", "WADESK_WA_HEARTBEAT_INTERVAL_MS", nullptr, Kind::Int, "", "", 100, 600000, {},
         [](AppConfig &c, const QString &v) { c.engine.heartbeatIntervalMs = v.toInt(); }});
    add({"journal/maxMegabytes", "WADESK_JOURNAL_MAX_MB", nullptr, Kind::Int, "", "", 1, 4096, {},
         [](AppConfig &c, const QString &v) { c.engine.journal.maxBytes = v.toLongLong() * 1024 * 1024; }});
    add({"journal/maxRecords", "WADESK_JOURNAL_MAX_RECORDS", nullptr, Kind::Int, "", "", 10, 10000000, {},
         [](AppConfig &c, const QString &v) { c.engine.journal.maxRecords = v.toInt(); }});
    add({"whatsapp/heartbeatTimeoutMs", "WADESK_WA_HEARTBEAT_TIMEOUT_MS", nullptr, Kind::Int, "", "", 500, 3600000, {},
         [](AppConfig &c, const QString &v) { c.engine.heartbeatTimeoutMs = v.toInt(); }});
    add({"messaging/perMinute", "WADESK_RATE_PER_MINUTE", nullptr, Kind::Int, "", "", 1, 100000, {},
         [](AppConfig &c, const QString &v) { c.services.messaging.defaultTiers.perMinute = v.toInt(); }});
    add({"messaging/perHour", "WADESK_RATE_PER_HOUR", nullptr, Kind::Int, "", "", 1, 1000000, {},
         [](AppConfig &c, const QString &v) { c.services.messaging.defaultTiers.perHour = v.toInt(); }});
    add({"messaging/perDay", "WADESK_RATE_PER_DAY", nullptr, Kind::Int, "", "", 1, 10000000, {},
         [](AppConfig &c, const QString &v) { c.services.messaging.defaultTiers.perDay = v.toInt(); }});
    add({"messaging/pacing", "WADESK_PACING", nullptr, Kind::Bool, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.services.messaging.pacing = *parseBool(v) ? PacingSettings() : PacingSettings::off(); }});
    // Comma-separated; an inbound message that is exactly one of them opts its sender out (in).
    add({"messaging/optOutKeywords", "WADESK_OPT_OUT_KEYWORDS", nullptr, Kind::String, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.services.messaging.optOutKeywords = keywordList(v); }});
    add({"messaging/optInKeywords", "WADESK_OPT_IN_KEYWORDS", nullptr, Kind::String, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.services.messaging.optInKeywords = keywordList(v); }});
    add({"messaging/checkNumberExists", "WADESK_CHECK_NUMBER_EXISTS", nullptr, Kind::Bool, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.services.messaging.checkNumberExists = *parseBool(v); }});
    add({"webhooks/allowPrivateTargets", "WADESK_WEBHOOKS_ALLOW_PRIVATE", nullptr, Kind::Bool, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.services.webhooks.delivery.allowPrivateTargets = *parseBool(v); }});
    add({"webhooks/operatorOrganization", "WADESK_OPERATOR_ORG", nullptr, Kind::String, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.services.webhooks.operatorOrganization = v; }});
    add({"webhooks/timeoutMs", "WADESK_WEBHOOK_TIMEOUT_MS", nullptr, Kind::Int, "", "", 100, 120000, {},
         [](AppConfig &c, const QString &v) { c.services.webhooks.delivery.timeoutMs = v.toInt(); }});
    add({"webhooks/maxAttempts", "WADESK_WEBHOOK_MAX_ATTEMPTS", nullptr, Kind::Int, "", "", 1, 50, {},
         [](AppConfig &c, const QString &v) { c.services.webhooks.delivery.maxAttempts = v.toInt(); }});
    add({"media/maxBytes", "WADESK_MEDIA_MAX_BYTES", nullptr, Kind::Int, "", "", 1024, qint64(1) << 31, {},
         [](AppConfig &c, const QString &v) { c.services.media.maxBytes = c.services.messaging.mediaMaxBytes = v.toLongLong(); }});
    add({"media/quotaBytes", "WADESK_MEDIA_QUOTA_BYTES", nullptr, Kind::Int, "", "", 0, qint64(1) << 50, {},
         [](AppConfig &c, const QString &v) { c.services.media.quotaBytes = v.toLongLong(); }});
    add({"media/storage", "WADESK_MEDIA_STORAGE", nullptr, Kind::Choice, "", "", 0, 0,
         {QStringLiteral("file"), QStringLiteral("database")}, [](AppConfig &c, const QString &v) {
             c.services.media.storage = v.trimmed().toLower() == QLatin1String("database") ? MediaSettings::Storage::Database
                                                                                          : MediaSettings::Storage::File;
         }});
    add({"media/retentionDays", "WADESK_MEDIA_RETENTION_DAYS", nullptr, Kind::Int, "", "", 0, MediaSettings::kMaxRetentionDays, {},
         [](AppConfig &c, const QString &v) { c.services.media.retentionDays = v.toInt(); }});
    add({"retention/eventsDays", "WADESK_RETENTION_EVENTS_DAYS", nullptr, Kind::Int, "", "", 0, RetentionSettings::kMaxDays, {},
         [](AppConfig &c, const QString &v) { c.retention.eventsDays = v.toInt(); }});
    add({"retention/deliveriesDays", "WADESK_RETENTION_DELIVERIES_DAYS", nullptr, Kind::Int, "", "", 0, RetentionSettings::kMaxDays, {},
         [](AppConfig &c, const QString &v) { c.retention.deliveriesDays = v.toInt(); }});
    add({"retention/deadLettersDays", "WADESK_RETENTION_DEAD_LETTERS_DAYS", nullptr, Kind::Int, "", "", 0, RetentionSettings::kMaxDays,
         {}, [](AppConfig &c, const QString &v) { c.retention.deadLettersDays = v.toInt(); }});
    add({"retention/messagesDays", "WADESK_RETENTION_MESSAGES_DAYS", nullptr, Kind::Int, "", "", 0, RetentionSettings::kMaxDays, {},
         [](AppConfig &c, const QString &v) { c.retention.messagesDays = v.toInt(); }});
    add({"retention/intervalMinutes", "WADESK_RETENTION_INTERVAL_MINUTES", nullptr, Kind::Int, "", "", 1,
         RetentionSettings::kMaxIntervalMinutes, {}, [](AppConfig &c, const QString &v) { c.retention.intervalMs = v.toLongLong() * 60 * 1000; }});
    add({"proxies/checkIntervalSec", "WADESK_PROXY_CHECK_INTERVAL_SEC", nullptr, Kind::Int, "", "", 1, 86400, {},
         [](AppConfig &c, const QString &v) { c.proxies.checkIntervalMs = v.toInt() * 1000; }});
    add({"proxies/checkTimeoutSec", "WADESK_PROXY_CHECK_TIMEOUT_SEC", nullptr, Kind::Int, "", "", 1, 120, {},
         [](AppConfig &c, const QString &v) { c.proxies.checkTimeoutMs = v.toInt() * 1000; }});
    add({"proxies/checkTarget", "WADESK_PROXY_CHECK_TARGET", nullptr, Kind::String, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) {
             // host:port; checked below (a port of 0 marks a value that is not one).
             const QString t = v.trimmed();
             const int colon = t.lastIndexOf(QLatin1Char(':'));
             bool ok = false;
             const int port = colon > 0 ? t.mid(colon + 1).toInt(&ok) : 0;
             c.proxies.checkHost = colon > 0 ? t.left(colon) : t;
             c.proxies.checkPort = ok && port > 0 && port < 65536 ? quint16(port) : 0;
         }});
    add({"proxies/exitAddressUrl", "WADESK_PROXY_EXIT_ADDRESS_URL", nullptr, Kind::String, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.proxies.exitAddressUrl = QUrl(v.trimmed(), QUrl::StrictMode); }});
    add({"cluster/instanceId", "WADESK_INSTANCE_ID", "instance-id", Kind::String,
         "This instance's name among several on one PostgreSQL (default: the host name).", "name", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.cluster.instanceId = v.trimmed(); }});
    add({"cluster/leaseSeconds", "WADESK_LEASE_SECONDS", nullptr, Kind::Int, "", "", 6, 3600, {},
         [](AppConfig &c, const QString &v) { c.cluster.leaseSeconds = v.toInt(); }});
    add({"cluster/renewSeconds", "WADESK_LEASE_RENEW_SECONDS", nullptr, Kind::Int, "", "", 1, 1200, {},
         [](AppConfig &c, const QString &v) { c.cluster.renewSeconds = v.toInt(); }});
    add({"cluster/commandPollMs", "WADESK_COMMAND_POLL_MS", nullptr, Kind::Int, "", "", 50, 60000, {},
         [](AppConfig &c, const QString &v) { c.cluster.commandPollMs = v.toInt(); }});
    add({"cluster/snapshots", "WADESK_SNAPSHOTS", nullptr, Kind::Choice, "", "", 0, 0,
         {QStringLiteral("auto"), QStringLiteral("on"), QStringLiteral("off")},
         [](AppConfig &c, const QString &v) { c.cluster.snapshots = v.trimmed().toLower(); }});
    add({"cluster/snapshotIntervalMinutes", "WADESK_SNAPSHOT_INTERVAL_MINUTES", nullptr, Kind::Int, "", "", 1, 1440, {},
         [](AppConfig &c, const QString &v) { c.cluster.snapshotIntervalMinutes = v.toInt(); }});
    add({"cluster/snapshotMaxMegabytes", "WADESK_SNAPSHOT_MAX_MB", nullptr, Kind::Int, "", "", 1, 1024, {},
         [](AppConfig &c, const QString &v) { c.cluster.snapshotMaxMegabytes = v.toInt(); }});
    add({"cluster/snapshotsKept", "WADESK_SNAPSHOTS_KEPT", nullptr, Kind::Int, "", "", 1, 20, {},
         [](AppConfig &c, const QString &v) { c.cluster.snapshotsKept = v.toInt(); }});
    add({"secrets/backend", "WADESK_SECRETS_BACKEND", nullptr, Kind::Choice, "", "", 0, 0,
         {QStringLiteral("auto"), QStringLiteral("keychain"), QStringLiteral("env"), QStringLiteral("file")},
         [](AppConfig &c, const QString &v) { c.secretsBackend = v.trimmed().toLower(); }});
    return specs;
}

QString checkValue(const OptionSpec &spec, const QString &raw)
{
    switch (spec.kind) {
    case Kind::Bool:
        return parseBool(raw) ? QString() : QStringLiteral("expected true or false");
    case Kind::Int: {
        bool ok = false;
        const qint64 n = raw.trimmed().toLongLong(&ok);
        if (!ok || n < spec.min || n > spec.max)
            return QStringLiteral("expected a whole number from %1 to %2").arg(spec.min).arg(spec.max);
        return {};
    }
    case Kind::Choice:
        return spec.choices.contains(raw.trimmed().toLower())
                   ? QString()
                   : QStringLiteral("expected one of %1").arg(spec.choices.join(QStringLiteral(", ")));
    case Kind::String:
        return raw.trimmed().isEmpty() ? QStringLiteral("must not be empty") : QString();
    }
    return {};
}

// A value as it may appear in a one-line message: control characters (a newline in an
// environment variable, say) shown as spaces, and long values shortened.
QString printable(const QString &value)
{
    QString out = value.left(200);
    for (QChar &c : out) {
        if (c.category() == QChar::Other_Control || c == QChar::LineSeparator || c == QChar::ParagraphSeparator)
            c = QLatin1Char(' ');
    }
    return value.size() > 200 ? out + QStringLiteral("...") : out;
}

DomainError optionError(const QString &optionName, const QString &message)
{
    DomainError e = DomainError::badRequest(printable(message), QStringLiteral("invalid_option"));
    e.details.insert(QStringLiteral("option"), optionName);
    return e;
}

DomainError invalidOption(const QString &optionName, const QString &value, const QString &why)
{
    return optionError(optionName, QStringLiteral("invalid value '%1' for %2: %3").arg(printable(value), optionName, why));
}

// The option a QCommandLineParser error is about, as the user wrote it ("--nope", "-x").
QString optionFromParseError(const QCommandLineParser &parser, const QStringList &arguments)
{
    const QStringList unknown = parser.unknownOptionNames();
    if (!unknown.isEmpty()) {
        for (int i = 1; i < arguments.size(); ++i) {
            const QString &arg = arguments.at(i);
            if (arg == QLatin1String("--"))
                break;
            if (!arg.startsWith(QLatin1Char('-')))
                continue;
            const QString written = arg.section(QLatin1Char('='), 0, 0);
            QString name = written;
            while (name.startsWith(QLatin1Char('-')))
                name.remove(0, 1);
            if (name == unknown.constFirst())
                return written;
        }
        return QStringLiteral("--") + unknown.constFirst();
    }
    // "Missing value after '--port'." / "Unexpected value after '--headless'."
    static const QRegularExpression quoted(QStringLiteral("'(-[^']*)'"));
    const QRegularExpressionMatch match = quoted.match(parser.errorText());
    return match.hasMatch() ? match.captured(1).section(QLatin1Char('='), 0, 0) : QString();
}

// QSettings reads an unquoted comma as a list separator; a setting is one text, so a list is
// put back together.
QString settingsText(const QVariant &value)
{
    if (value.typeId() == QMetaType::QStringList)
        return value.toStringList().join(QLatin1Char(','));
    return value.toString();
}

bool isLoopback(const QString &address)
{
    if (address.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    return QHostAddress(address).isLoopback();
}

// The options of one maintenance command, parsed from what follows its name. `parser` stays
// alive with the caller (optionNames()/isSet() are read afterwards).
Status parseCommand(QCommandLineParser &parser, const std::vector<OptionSpec> &specs, const QStringList &rest,
                    LoadedConfig *loaded)
{
    MaintenanceCommand &command = loaded->command;
    const QString name = MaintenanceCommand::nameOf(command.kind);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    parser.addOption(helpOption);
    for (const OptionSpec &spec : specs) {
        if (spec.cliName && (qstrcmp(spec.cliName, "data-dir") == 0 || qstrcmp(spec.cliName, "db") == 0))
            parser.addOption(QCommandLineOption(QLatin1String(spec.cliName),
                                                QStringLiteral("%1 [env %2]").arg(QLatin1String(spec.description),
                                                                                  QLatin1String(spec.envName)),
                                                QLatin1String(spec.valueName)));
    }
    const QCommandLineOption includeKey(QStringLiteral("include-key"),
                                        QStringLiteral("Put the master key in the archive (the archive then opens every "
                                                       "secret: keep it safe)."));
    const QCommandLineOption dryRun(QStringLiteral("dry-run"), QStringLiteral("Report what would be created; write nothing."));
    const QCommandLineOption orgName(QStringLiteral("org-name"),
                                     QStringLiteral("Name of the organization to create (default: Migrated Org)."),
                                     QStringLiteral("name"));
    const QCommandLineOption adminEmail(QStringLiteral("admin-email"),
                                        QStringLiteral("Email of the admin user to create (default: admin@example.com)."),
                                        QStringLiteral("email"));
    const QCommandLineOption verify(QStringLiteral("verify"),
                                    QStringLiteral("Recompute the analytics roll-ups from the messages and print every difference "
                                                   "(exit status 5 when there is any)."));
    const QCommandLineOption repair(QStringLiteral("repair"),
                                    QStringLiteral("Print the differences, then rewrite the roll-ups from the messages."));
    switch (command.kind) {
    case MaintenanceCommand::Kind::Backup:
        parser.setApplicationDescription(QStringLiteral(
            "Writes a consistent backup archive (tar.gz: database, media, manifest) to FILE while WaDesk may "
            "be running. With PostgreSQL, the database itself is dumped with pg_dump (the command says how)."));
        parser.addOption(includeKey);
        parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The archive to write (must not exist)."));
        break;
    case MaintenanceCommand::Kind::Restore:
        parser.setApplicationDescription(QStringLiteral(
            "Restores a backup archive into an empty data directory (SQLite) or an empty PostgreSQL database, "
            "after checking its manifest, checksums and the master key."));
        parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The archive written by wadesk backup."));
        break;
    case MaintenanceCommand::Kind::ImportV1:
        parser.setApplicationDescription(QStringLiteral(
            "Imports a v1 export (clients-backup.json) as a new organization with its clients (unlinked) and an "
            "admin user whose generated password is printed once. Running it again with the same file changes nothing."));
        parser.addOption(dryRun);
        parser.addOption(orgName);
        parser.addOption(adminEmail);
        parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The v1 export (JSON)."));
        break;
    case MaintenanceCommand::Kind::Analytics:
        parser.setApplicationDescription(QStringLiteral(
            "Checks the analytics roll-ups (counts per client and UTC hour kept with every message change) against "
            "the messages themselves, and repairs them on request. WaDesk may be running."));
        parser.addOption(verify);
        parser.addOption(repair);
        break;
    case MaintenanceCommand::Kind::None:
        return DomainError::internal();
    }
    const QStringList arguments = QStringList{QStringLiteral("wadesk ") + name} + rest;
    if (!parser.parse(arguments)) {
        const QString option = optionFromParseError(parser, arguments);
        if (!parser.unknownOptionNames().isEmpty())
            return optionError(option, QStringLiteral("unknown option '%1' for %2 (see wadesk %2 --help)").arg(option, name));
        return optionError(option, QStringLiteral("%1: %2").arg(name, parser.errorText()));
    }
    if (parser.isSet(helpOption)) {
        loaded->showHelp = true;
        // Parsed before any QCoreApplication exists, Qt cannot name the program itself.
        loaded->helpText = parser.helpText().replace(QStringLiteral("<executable_name>"), QStringLiteral("wadesk ") + name);
        return {};
    }
    const QStringList files = parser.positionalArguments();
    if (command.kind == MaintenanceCommand::Kind::Analytics) {
        if (!files.isEmpty())
            return optionError(files.constFirst(),
                               QStringLiteral("unexpected argument '%1' for %2 (see wadesk %2 --help)").arg(files.constFirst(), name));
        command.verify = parser.isSet(verify);
        command.repair = parser.isSet(repair);
        if (!command.verify && !command.repair)
            return optionError(name, QStringLiteral("%1 needs --verify or --repair (see wadesk %1 --help)").arg(name));
        return {};
    }
    if (files.isEmpty())
        return optionError(name, QStringLiteral("%1 needs a FILE (see wadesk %1 --help)").arg(name));
    if (files.size() > 1)
        return optionError(files.at(1), QStringLiteral("unexpected argument '%1' for %2 (see wadesk %2 --help)").arg(files.at(1), name));
    if (files.constFirst().trimmed().isEmpty())
        return optionError(name, QStringLiteral("%1: FILE must not be empty").arg(name));
    command.file = QFileInfo(files.constFirst()).absoluteFilePath();
    command.includeKey = command.kind == MaintenanceCommand::Kind::Backup && parser.isSet(includeKey);
    if (command.kind == MaintenanceCommand::Kind::ImportV1) {
        command.dryRun = parser.isSet(dryRun);
        command.organizationName = parser.isSet(orgName) ? parser.value(orgName).trimmed() : QStringLiteral("Migrated Org");
        command.adminEmail = parser.isSet(adminEmail) ? parser.value(adminEmail).trimmed() : QStringLiteral("admin@example.com");
    }
    return {};
}

} // namespace

QStringList ConfigLoader::withoutToolkitArguments(const QStringList &arguments)
{
    // QGuiApplication/QApplication options. Qt accepts them with one or two dashes, and the
    // ones listed in qtWithInlineValue also as -name=value.
    static const QStringList qtWithValue = {
        QStringLiteral("platform"), QStringLiteral("platformpluginpath"), QStringLiteral("platformtheme"),
        QStringLiteral("plugin"), QStringLiteral("qwindowgeometry"), QStringLiteral("qwindowicon"),
        QStringLiteral("qwindowtitle"), QStringLiteral("style"), QStringLiteral("stylesheet"),
        QStringLiteral("session"), QStringLiteral("display"), QStringLiteral("geometry"),
        QStringLiteral("title"), QStringLiteral("name"), QStringLiteral("fontengine")};
    static const QStringList qtWithInlineValue = {QStringLiteral("style"), QStringLiteral("stylesheet"),
                                                  QStringLiteral("qmljsdebugger")};
    static const QStringList qtFlags = {QStringLiteral("reverse"), QStringLiteral("nograb"), QStringLiteral("dograb"),
                                        QStringLiteral("sync"), QStringLiteral("widgetcount"),
                                        QStringLiteral("testability")};
    QStringList kept;
    for (int i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (i == 0) {
            kept << arg; // the program name
            continue;
        }
        if (arg == QLatin1String("--webEngineArgs"))
            break;
        QString name;
        if (arg.startsWith(QLatin1String("--")))
            name = arg.mid(2);
        else if (arg.startsWith(QLatin1Char('-')))
            name = arg.mid(1);
        if (!name.isEmpty()) {
            if (qtWithValue.contains(name)) {
                ++i;
                continue;
            }
            if (qtFlags.contains(name))
                continue;
            const int eq = name.indexOf(QLatin1Char('='));
            if (eq > 0 && qtWithInlineValue.contains(name.left(eq)))
                continue;
        }
        kept << arg;
    }
    return kept;
}

QString ConfigLoader::defaultSettingsFilePath(const QProcessEnvironment &env)
{
    const QString explicitPath = env.value(QStringLiteral("WADESK_CONFIG"));
    if (!explicitPath.isEmpty())
        return explicitPath;
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + QStringLiteral("/wadesk/wadesk.conf");
}

QString ConfigLoader::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/wadesk");
}

Result<LoadedConfig> ConfigLoader::load(const QStringList &arguments, const QProcessEnvironment &env,
                                        const QString &settingsFilePath)
{
    const std::vector<OptionSpec> specs = optionSpecs();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "WaDesk: run a team's WhatsApp sessions, with a REST API and webhooks.\n"
        "\n"
        "Commands (run once and exit; `wadesk <command> --help` lists their options):\n"
        "  backup [--include-key] FILE   Write a backup archive (tar.gz) of the database, media and a\n"
        "                                manifest, while WaDesk may be running.\n"
        "  restore FILE                  Restore a backup archive into an empty data directory or\n"
        "                                PostgreSQL database.\n"
        "  import-v1 [--dry-run] FILE    Import a v1 clients-backup.json as a new organization.\n"
        "  analytics --verify|--repair   Check the analytics roll-ups against the messages; repair them."));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    // `wadesk [options] <command> [its options] FILE`: everything after the command is its own.
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("backup, restore, import-v1 or analytics (optional)."),
                                 QStringLiteral("[command]"));
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    const QCommandLineOption versionOption({QStringLiteral("v"), QStringLiteral("version")}, QStringLiteral("Show the version."));
    const QCommandLineOption verifyAuditOption(QStringLiteral("verify-audit"),
                                               QStringLiteral("Check the audit log's hash chain, name the first bad entry, and exit."));
    parser.addOption(helpOption);
    parser.addOption(versionOption);
    parser.addOption(verifyAuditOption);
    for (const OptionSpec &spec : specs) {
        if (!spec.cliName)
            continue;
        const QString description = QStringLiteral("%1 [env %2, file key %3]")
                                        .arg(QLatin1String(spec.description), QLatin1String(spec.envName),
                                             QLatin1String(spec.fileKey));
        if (spec.kind == Kind::Bool)
            parser.addOption(QCommandLineOption(QLatin1String(spec.cliName), description));
        else
            parser.addOption(QCommandLineOption(QLatin1String(spec.cliName), description, QLatin1String(spec.valueName)));
    }

    const QStringList ours = withoutToolkitArguments(arguments);
    if (!parser.parse(ours)) {
        const QString option = optionFromParseError(parser, ours);
        if (!parser.unknownOptionNames().isEmpty())
            return optionError(option, QStringLiteral("unknown option '%1' (see --help)").arg(option));
        return optionError(option, parser.errorText());
    }
    LoadedConfig loaded;
    loaded.showHelp = parser.isSet(helpOption);
    loaded.showVersion = parser.isSet(versionOption);
    loaded.verifyAudit = parser.isSet(verifyAuditOption);
    loaded.helpText = parser.helpText().replace(QStringLiteral("<executable_name>"), QStringLiteral("wadesk"));

    QCommandLineParser commandParser;
    if (!parser.positionalArguments().isEmpty()) {
        const QString first = parser.positionalArguments().constFirst();
        loaded.command.kind = MaintenanceCommand::kindOf(first);
        if (loaded.command.kind == MaintenanceCommand::Kind::None)
            return optionError(first, QStringLiteral("unexpected argument '%1' (see --help)").arg(first));
        const Status parsed = parseCommand(commandParser, specs, parser.positionalArguments().mid(1), &loaded);
        if (!parsed)
            return parsed.error();
    }
    // A command's own --data-dir / --db come after its name and take precedence.
    auto cliIsSet = [&](const QString &name) {
        return (loaded.command.kind != MaintenanceCommand::Kind::None && commandParser.optionNames().contains(name)
                && commandParser.isSet(name))
            || parser.isSet(name);
    };
    auto cliValue = [&](const QString &name) {
        if (loaded.command.kind != MaintenanceCommand::Kind::None && commandParser.optionNames().contains(name)
            && commandParser.isSet(name))
            return commandParser.value(name);
        return parser.value(name);
    };
    AppConfig &config = loaded.config;
    config.settingsFile = settingsFilePath;

    QSettings file(settingsFilePath, QSettings::IniFormat);
    QHash<QString, QString> sourceOf; // file key -> where its value came from, as the user wrote it
    QHash<QString, QString> valueOf;  // file key -> the value as given (trimmed)
    for (const OptionSpec &spec : specs) {
        QString raw;
        QString source;
        if (spec.cliName && cliIsSet(QLatin1String(spec.cliName))) {
            raw = spec.kind == Kind::Bool ? QStringLiteral("true") : cliValue(QLatin1String(spec.cliName));
            source = QStringLiteral("--") + QLatin1String(spec.cliName);
        } else if (env.contains(QLatin1String(spec.envName))) {
            raw = env.value(QLatin1String(spec.envName));
            source = QLatin1String(spec.envName);
        } else if (file.contains(QLatin1String(spec.fileKey))) {
            raw = settingsText(file.value(QLatin1String(spec.fileKey)));
            source = QStringLiteral("%1 in %2").arg(QLatin1String(spec.fileKey), settingsFilePath);
        } else {
            continue; // keep the default from AppConfig
        }
        const QString why = checkValue(spec, raw);
        if (!why.isEmpty())
            return invalidOption(source, raw, why);
        spec.store(config, raw.trimmed());
        sourceOf.insert(QLatin1String(spec.fileKey), source);
        valueOf.insert(QLatin1String(spec.fileKey), raw.trimmed());
    }

    if (config.dataDir.isEmpty())
        config.dataDir = defaultDataDir();
    config.dataDir = QDir::cleanPath(QFileInfo(config.dataDir).absoluteFilePath());

    if (!config.database.isEmpty()) {
        const Result<DatabaseUrl> url = DatabaseUrl::parse(config.database, config.dataDir);
        if (!url)
            return invalidOption(sourceOf.value(QStringLiteral("database")), DatabaseUrl::redacted(config.database),
                                 url.error().message);
    }

    config.services.instanceLeaseSeconds = config.cluster.leaseSeconds; // the API lists instances alive by it
    if (config.cluster.instanceId.isEmpty())
        config.cluster.instanceId = QSysInfo::machineHostName();
    if (config.cluster.instanceId.isEmpty())
        config.cluster.instanceId = QStringLiteral("wadesk");
    static const QRegularExpression instanceName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$"));
    if (!instanceName.match(config.cluster.instanceId).hasMatch())
        return invalidOption(sourceOf.value(QStringLiteral("cluster/instanceId"), QStringLiteral("the host name")),
                             config.cluster.instanceId,
                             QStringLiteral("expected 1 to 253 letters, digits, dots, dashes or underscores"));
    // A short lease with the default renewal renews more often instead of failing the start.
    if (!sourceOf.contains(QStringLiteral("cluster/renewSeconds")))
        config.cluster.renewSeconds = std::max(1, std::min(config.cluster.renewSeconds, config.cluster.leaseSeconds / 3));
    if (config.cluster.renewSeconds * 3 > config.cluster.leaseSeconds)
        return invalidOption(sourceOf.value(QStringLiteral("cluster/renewSeconds"), QStringLiteral("WADESK_LEASE_RENEW_SECONDS")),
                             QString::number(config.cluster.renewSeconds),
                             QStringLiteral("must be at most a third of the lease (%1 s)").arg(config.cluster.leaseSeconds));

    config.engine.dataDir = config.dataDir; // sessions live under the data directory
    config.services.media.directory = QDir(config.dataDir).filePath(QStringLiteral("media"));
    config.retention.media = config.services.media;

    const QUrl &waUrl = config.engine.url;
    if (!waUrl.isValid() || waUrl.scheme().isEmpty()
        || !QStringList{QStringLiteral("https"), QStringLiteral("http"), QStringLiteral("file")}.contains(waUrl.scheme()))
        return invalidOption(QStringLiteral("WADESK_WA_URL"), valueOf.value(QStringLiteral("whatsapp/url"), waUrl.toString()),
                             QStringLiteral("expected an https, http or file URL"));
    const EngineSettings &engine = config.engine;
    if (engine.heartbeatTimeoutMs <= engine.heartbeatIntervalMs)
        return invalidOption(QStringLiteral("WADESK_WA_HEARTBEAT_TIMEOUT_MS"), QString::number(engine.heartbeatTimeoutMs),
                             QStringLiteral("must be longer than the heartbeat interval (%1 ms)").arg(engine.heartbeatIntervalMs));

    const ProxySettings &proxies = config.proxies;
    static const QRegularExpression hostName(QStringLiteral("^[A-Za-z0-9.-]{1,253}$"));
    if (proxies.checkPort == 0 || !hostName.match(proxies.checkHost).hasMatch())
        return invalidOption(sourceOf.value(QStringLiteral("proxies/checkTarget")),
                             valueOf.value(QStringLiteral("proxies/checkTarget")), QStringLiteral("expected host:port"));
    if (!proxies.exitAddressUrl.isEmpty()
        && (!proxies.exitAddressUrl.isValid() || proxies.exitAddressUrl.scheme() != QLatin1String("http")
            || proxies.exitAddressUrl.host().isEmpty()))
        return invalidOption(sourceOf.value(QStringLiteral("proxies/exitAddressUrl")),
                             valueOf.value(QStringLiteral("proxies/exitAddressUrl")), QStringLiteral("expected an http:// URL"));

    const ApiSettings &api = config.api;
    if (!isLoopback(api.bindAddress)) {
        const QString bindSource = sourceOf.value(QStringLiteral("api/bind"));
        if (QHostAddress(api.bindAddress).isNull())
            return invalidOption(bindSource, api.bindAddress, QStringLiteral("expected an IP address"));
        if (!api.allowRemote)
            return invalidOption(bindSource, api.bindAddress,
                                 QStringLiteral("a non-loopback address exposes the API to the network; "
                                                "confirm with --allow-remote (WADESK_ALLOW_REMOTE=1)"));
    }
    return loaded;
}

} // namespace wadesk
