#pragma once

#include "core/config/AppConfig.h"
#include "core/config/MaintenanceCommand.h"

#include <QProcessEnvironment>

namespace wadesk {

// The command-line side of `wadesk backup | restore | import-v1`: builds the core service's
// options from the configuration, runs it, and prints a one-line summary (stdout) or a clear
// error (stderr). Returns the process exit code (ExitCodes.h). Needs a QCoreApplication (the
// keychain answers through its event loop).
namespace MaintenanceCommands {
int run(const MaintenanceCommand &command, const AppConfig &config, const QProcessEnvironment &env);
} // namespace MaintenanceCommands

} // namespace wadesk
