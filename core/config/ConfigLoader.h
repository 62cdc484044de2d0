#pragma once

#include "core/common/DomainError.h"
#include "core/config/AppConfig.h"
#include "core/config/MaintenanceCommand.h"

#include <QProcessEnvironment>
#include <QStringList>

namespace wadesk {

struct LoadedConfig {
    AppConfig config;
    bool showHelp = false;
    bool showVersion = false;
    bool verifyAudit = false;
    MaintenanceCommand command; // kind None: run WaDesk itself
    QString helpText;           // the command's own help after `wadesk <command> --help`
};

// Parses the command line strictly (QCommandLineParser::parse, never process(), because Qt and
// Chromium pass their own flags) and merges it with the environment and the settings file.
// An invalid value yields a DomainError whose message is one line naming the option and whose
// details.option holds the option's name as the user wrote it.
class ConfigLoader {
public:
    // `arguments` includes the program name first, as QCoreApplication::arguments() does.
    static Result<LoadedConfig> load(const QStringList &arguments, const QProcessEnvironment &env,
                                     const QString &settingsFilePath);

    // <XDG config dir>/wadesk/wadesk.conf (via QStandardPaths), or WADESK_CONFIG when set.
    static QString defaultSettingsFilePath(const QProcessEnvironment &env);
    static QString defaultDataDir();

    // Drops the arguments that belong to Qt (-platform X, -style X, ...) or to Chromium
    // (everything from --webEngineArgs on), so that they are not reported as unknown.
    static QStringList withoutToolkitArguments(const QStringList &arguments);
};

} // namespace wadesk
