#pragma once

#include "core/auth/PasswordHasher.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/db/DatabaseUrl.h"

#include <QString>

namespace wadesk {

// `wadesk import-v1`: the integration guide's (docs/integration-guide.md) "Migration from v1", done through WaDesk's own
// registration (AccountService::registerOrganization: the admin's argon2id hash, the audit
// entry and the first API key exactly as a registration makes them), with the v1 clients created
// unlinked in the same transaction. Either everything is imported or nothing.
//
// Idempotent: the import is recorded in the installation's settings under a key made of the
// file's SHA-256 and the organization name; running it again reports the earlier import and
// changes nothing.
class V1Importer {
public:
    struct Options {
        DatabaseUrl database;
        QString file;
        QString organizationName = QStringLiteral("Migrated Org");
        QString adminEmail = QStringLiteral("admin@example.com");
        bool dryRun = false;
        PasswordHasher::Cost passwordCost = PasswordHasher::Cost::Interactive;
    };
    struct Outcome {
        bool dryRun = false;
        bool alreadyImported = false;
        QString organizationId;   // empty on a dry run
        QString organizationName;
        QString adminEmail;
        QString adminPassword;    // generated; shown once, never stored in clear
        QString apiKey;           // the registration's first API key, shown once
        int clients = 0;
        int clientsWithPhone = 0;
        QString importedAt;       // ISO-8601; for an earlier import, when it happened
    };

    static Result<Outcome> run(const Options &options, const Clock &clock = Clock::system());
    // The settings key that records an import of this file (SHA-256, hex) under this name.
    static QString markerKey(const QString &fileSha256, const QString &organizationName);
    // 20 characters from [A-Za-z0-9] (~119 bits), drawn without modulo bias.
    static QString generatePassword();
};

} // namespace wadesk
