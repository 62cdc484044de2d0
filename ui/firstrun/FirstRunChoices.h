#pragma once

#include <QString>

namespace wadesk {

// What the first-run wizard gathered. Nothing is written while it is being filled in: the
// choices are applied at once, on Finish, by FirstRunSetup.
struct FirstRunChoices {
    // Organization and its first admin.
    QString organizationName;
    QString adminName;
    QString email;
    QString password;     // cleared once hashed
    QString passwordHash; // argon2id; FirstRunSetup hashes `password` when this is empty

    // Database: the embedded SQLite file in the data directory, or a PostgreSQL URL.
    enum class DatabaseKind { Sqlite, Postgres };
    DatabaseKind databaseKind = DatabaseKind::Sqlite;
    QString postgresUrl;

    // Where the master key lives: "keychain", "file" or "env" (the `secrets/backend` setting).
    QString secretsBackend = QStringLiteral("file");

    // REST API.
    QString bindAddress = QStringLiteral("127.0.0.1");
    int port = 3002;
    bool allowRemote = false; // required for a non-loopback address

    // The `database` setting: "wadesk.db" (relative to the data directory) or the PostgreSQL URL.
    QString databaseSetting() const
    {
        return databaseKind == DatabaseKind::Postgres ? postgresUrl : QStringLiteral("wadesk.db");
    }
};

} // namespace wadesk
