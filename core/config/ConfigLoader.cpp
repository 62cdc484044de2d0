#include "config/ConfigLoader.h"

#include "common/Version.h"
#include "db/DatabaseUrl.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QHostAddress>
#include <QSettings>
#include <QStandardPaths>
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
         [](AppConfig &c, const QString &v) { c.bindAddress = v; }});
    add({"api/port", "WADESK_PORT", "port", Kind::Int, "Port the REST API listens on (0: any free port).",
         "port", 0, 65535, {}, [](AppConfig &c, const QString &v) { c.port = v.toInt(); }});
    add({"api/allowRemote", "WADESK_ALLOW_REMOTE", "allow-remote", Kind::Bool,
         "Allow binding the API to a non-loopback address.", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.allowRemote = *parseBool(v); }});
    add({"log/level", "WADESK_LOG_LEVEL", "log-level", Kind::Choice, "Log level.", "level", 0, 0,
         {QStringLiteral("error"), QStringLiteral("warn"), QStringLiteral("info"), QStringLiteral("debug"),
          QStringLiteral("trace")},
         [](AppConfig &c, const QString &v) { c.logLevel = v.trimmed().toLower(); }});
    add({"log/json", "WADESK_LOG_JSON", "log-json", Kind::Bool, "Write logs as JSON lines.", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.logJson = *parseBool(v); }});
    add({"http/maxBodyBytes", "WADESK_HTTP_MAX_BODY_BYTES", nullptr, Kind::Int, "", "", 1024,
         qint64(1) << 31, {}, [](AppConfig &c, const QString &v) { c.maxBodyBytes = v.toLongLong(); }});
    add({"http/maxHeaderBytes", "WADESK_HTTP_MAX_HEADER_BYTES", nullptr, Kind::Int, "", "", 1024, 1 << 20, {},
         [](AppConfig &c, const QString &v) { c.maxHeaderBytes = v.toInt(); }});
    add({"http/maxConnections", "WADESK_HTTP_MAX_CONNECTIONS", nullptr, Kind::Int, "", "", 1, 100000, {},
         [](AppConfig &c, const QString &v) { c.maxConnections = v.toInt(); }});
    add({"http/idleTimeoutMs", "WADESK_HTTP_IDLE_TIMEOUT_MS", nullptr, Kind::Int, "", "", 100, 3600000, {},
         [](AppConfig &c, const QString &v) { c.idleTimeoutMs = v.toInt(); }});
    add({"http/headerTimeoutMs", "WADESK_HTTP_HEADER_TIMEOUT_MS", nullptr, Kind::Int, "", "", 100, 600000, {},
         [](AppConfig &c, const QString &v) { c.headerTimeoutMs = v.toInt(); }});
    add({"http/shutdownGraceMs", "WADESK_HTTP_SHUTDOWN_GRACE_MS", nullptr, Kind::Int, "", "", 0, 600000, {},
         [](AppConfig &c, const QString &v) { c.shutdownGraceMs = v.toInt(); }});
    add({"health/cacheMs", "WADESK_HEALTH_CACHE_MS", nullptr, Kind::Int, "", "", 0, 60000, {},
         [](AppConfig &c, const QString &v) { c.healthCacheMs = v.toInt(); }});
    add({"environment", "WADESK_ENVIRONMENT", nullptr, Kind::String, "", "", 0, 0, {},
         [](AppConfig &c, const QString &v) { c.environment = v.left(64); }});
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

DomainError invalidOption(const QString &optionName, const QString &value, const QString &why)
{
    DomainError e = DomainError::badRequest(
        QStringLiteral("invalid value '%1' for %2: %3").arg(value, optionName, why), QStringLiteral("invalid_option"));
    e.details.insert(QStringLiteral("option"), optionName);
    return e;
}

bool isLoopback(const QString &address)
{
    if (address.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    return QHostAddress(address).isLoopback();
}

} // namespace

QStringList ConfigLoader::withoutToolkitArguments(const QStringList &arguments)
{
    static const QStringList qtWithValue = {
        QStringLiteral("-platform"), QStringLiteral("-platformpluginpath"), QStringLiteral("-platformtheme"),
        QStringLiteral("-plugin"), QStringLiteral("-qwindowgeometry"), QStringLiteral("-qwindowicon"),
        QStringLiteral("-qwindowtitle"), QStringLiteral("-style"), QStringLiteral("-stylesheet"),
        QStringLiteral("-session"), QStringLiteral("-display"), QStringLiteral("-geometry"),
        QStringLiteral("-title"), QStringLiteral("-name")};
    static const QStringList qtFlags = {QStringLiteral("-reverse"), QStringLiteral("-nograb"),
                                        QStringLiteral("-dograb"), QStringLiteral("-sync")};
    QStringList kept;
    for (int i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (i > 0 && arg == QLatin1String("--webEngineArgs"))
            break;
        if (i > 0 && qtWithValue.contains(arg)) {
            ++i;
            continue;
        }
        if (i > 0 && qtFlags.contains(arg))
            continue;
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
    parser.setApplicationDescription(QStringLiteral("WaDesk: run a team's WhatsApp sessions, with a REST API and webhooks."));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    const QCommandLineOption versionOption({QStringLiteral("v"), QStringLiteral("version")}, QStringLiteral("Show the version."));
    parser.addOption(helpOption);
    parser.addOption(versionOption);
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
        DomainError e = DomainError::badRequest(parser.errorText(), QStringLiteral("invalid_option"));
        const QStringList unknown = parser.unknownOptionNames();
        e.details.insert(QStringLiteral("option"), unknown.isEmpty() ? QString() : unknown.constFirst());
        return e;
    }
    if (!parser.positionalArguments().isEmpty()) {
        DomainError e = DomainError::badRequest(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().constFirst()),
            QStringLiteral("invalid_option"));
        e.details.insert(QStringLiteral("option"), parser.positionalArguments().constFirst());
        return e;
    }

    LoadedConfig loaded;
    loaded.showHelp = parser.isSet(helpOption);
    loaded.showVersion = parser.isSet(versionOption);
    loaded.helpText = parser.helpText();
    AppConfig &config = loaded.config;
    config.settingsFile = settingsFilePath;

    QSettings file(settingsFilePath, QSettings::IniFormat);
    for (const OptionSpec &spec : specs) {
        QString raw;
        QString source;
        if (spec.cliName && parser.isSet(QLatin1String(spec.cliName))) {
            raw = spec.kind == Kind::Bool ? QStringLiteral("true") : parser.value(QLatin1String(spec.cliName));
            source = QStringLiteral("--") + QLatin1String(spec.cliName);
        } else if (env.contains(QLatin1String(spec.envName))) {
            raw = env.value(QLatin1String(spec.envName));
            source = QLatin1String(spec.envName);
        } else if (file.contains(QLatin1String(spec.fileKey))) {
            raw = file.value(QLatin1String(spec.fileKey)).toString();
            source = QStringLiteral("%1 in %2").arg(QLatin1String(spec.fileKey), settingsFilePath);
        } else {
            continue; // keep the default from AppConfig
        }
        const QString why = checkValue(spec, raw);
        if (!why.isEmpty())
            return invalidOption(source, raw, why);
        spec.store(config, raw.trimmed());
    }

    if (config.dataDir.isEmpty())
        config.dataDir = defaultDataDir();
    config.dataDir = QDir::cleanPath(QFileInfo(config.dataDir).absoluteFilePath());

    if (!config.database.isEmpty()) {
        const Result<DatabaseUrl> url = DatabaseUrl::parse(config.database, config.dataDir);
        if (!url)
            return invalidOption(QStringLiteral("--db"), DatabaseUrl::redacted(config.database), url.error().message);
    }

    if (!isLoopback(config.bindAddress)) {
        if (QHostAddress(config.bindAddress).isNull())
            return invalidOption(QStringLiteral("--bind"), config.bindAddress, QStringLiteral("expected an IP address"));
        if (!config.allowRemote)
            return invalidOption(QStringLiteral("--bind"), config.bindAddress,
                                 QStringLiteral("a non-loopback address exposes the API to the network; "
                                                "confirm with --allow-remote (WADESK_ALLOW_REMOTE=1)"));
    }
    return loaded;
}

} // namespace wadesk
