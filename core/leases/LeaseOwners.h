#pragma once

#include "core/common/DomainError.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace wadesk {

class Database;

// Who runs which client, as the API tells it (several instances on one PostgreSQL, DESIGN §9).

// This process's instance id while it leases sessions; empty otherwise (SQLite, one instance).
// Set once at start, before the API's threads run; read from any thread after.
QString thisInstanceId();
void setThisInstanceId(const QString &instanceId);

// The live owner of each client's lease (expiry on the database's clock), for the clients that
// have one; nothing is asked of SQLite (one instance per data directory, no leases).
Result<QHash<QString, QString>> liveLeaseOwners(Database &database, const QStringList &clientIds);

} // namespace wadesk
