#pragma once

#include "core/db/DatabaseUrl.h"

#include <QString>

namespace wadesk {

// The pg_dump / pg_restore command lines a PostgreSQL backup or restore tells the user to run:
// host, port, user and database from WaDesk's URL, never its password (pg_dump reads PGPASSWORD
// or ~/.pgpass). Values are quoted for a POSIX shell.
namespace PgToolCommands {
QString dumpFileFor(const QString &archivePath); // "<archive>.pgdump"
QString dump(const DatabaseUrl &url, const QString &dumpFile);
QString restore(const DatabaseUrl &url, const QString &dumpFile);
QString shellQuoted(const QString &value);
} // namespace PgToolCommands

} // namespace wadesk
