#pragma once

#include "core/auth/AccountService.h"
#include "core/auth/PasswordHasher.h"
#include "core/common/DomainError.h"
#include "core/config/AppConfig.h"
#include "core/db/ConnectFailure.h"
#include "core/db/DatabaseUrl.h"
#include "ui/firstrun/FirstRunChoices.h"

#include <QString>

namespace wadesk {

// The first run of the desktop: when it happens, and applying what the wizard gathered. No
// widgets here, so the same steps are testable without the wizard.
class FirstRunSetup {
public:
    struct Target {
        QString settingsFile; // the INI to write (ConfigLoader::defaultSettingsFilePath)
        QString dataDir;      // absolute
        QString defaultDataDir; // the data directory used when none is given (written to the INI when different)
        PasswordHasher::Cost passwordCost = PasswordHasher::Cost::Interactive;
    };

    // A fresh installation: no settings file, no database given on the command line or in the
    // environment, and no database file in the data directory.
    static bool isFirstRun(const AppConfig &config);

    // Applies `choices`, in this order: hashes the password (when not yet hashed), opens the
    // database, migrates it, registers the organization and its admin (audited), and finally
    // writes the settings file. Slow (hashing): call it off the UI thread. Everything it opens
    // is closed before it returns.
    static Result<AccountService::Registration> apply(FirstRunChoices choices, const Target &target);

    // Writes the settings file only (mode 0600: a PostgreSQL URL may hold a password).
    static Status writeSettings(const FirstRunChoices &choices, const Target &target);

    // Opens the PostgreSQL `url` and runs a query. Blocking (network): call it off the UI thread.
    // A failure that says what went wrong (host unknown, refused, wrong password, no such user or
    // database) comes back as database_connect_failed with a sentence saying what to fix.
    static Status testPostgres(const QString &url, const QString &dataDir);
    static QString connectFailureText(ConnectFailure failure, const DatabaseUrl &url);

    // Whether `address` is a loopback address (or "localhost").
    static bool isLoopback(const QString &address);
};

} // namespace wadesk
