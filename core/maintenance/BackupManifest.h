#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace wadesk {

// What a backup archive holds and how to check it: written as manifest.json, the archive's last
// entry (its checksums are taken while the other entries are written), and read back first
// thing by a restore, which trusts nothing in the archive that the manifest does not list.
struct BackupManifest {
    static constexpr int kFormatVersion = 1;
    static constexpr const char *kFileName = "manifest.json";
    static constexpr const char *kDatabaseEntry = "database/wadesk.db";
    static constexpr const char *kKeyEntry = "master.key";
    static constexpr const char *kMediaPrefix = "media/";

    struct File {
        QString path;   // inside the archive
        qint64 size = 0;
        QString sha256; // lowercase hex
    };
    struct Counts {
        qint64 organizations = 0;
        qint64 users = 0;
        qint64 clients = 0;
        qint64 messages = 0;
    };

    int formatVersion = kFormatVersion;
    QString wadeskVersion;
    QString createdAt;        // ISO-8601 UTC
    QString dialect;          // "sqlite" or "postgres"
    int schemaVersion = 0;    // highest applied migration
    bool databaseIncluded = false; // false on PostgreSQL: restored with pg_restore from pg_dump's file
    QString databaseLocation; // PostgreSQL: user@host:port/db (never a password)
    QString restoreWith;      // "wadesk restore" or "pg_restore"
    Counts counts;
    QString keyFingerprint;   // as recorded in the database (MasterKeyCheck); empty when none was
    bool keyIncluded = false;
    QList<File> files;

    QByteArray toJson() const;
    // Refuses anything but a well-formed manifest of a known format: a missing or mistyped field,
    // an unsafe path, a duplicate or an unknown format version.
    static Result<BackupManifest> fromJson(const QByteArray &json);

    const File *file(const QString &path) const;
    // A path an archive may hold: relative, no "..", no empty parts, only the known entries.
    static bool isAllowedPath(const QString &path);
};

} // namespace wadesk
