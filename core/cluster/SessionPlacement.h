#pragma once

#include "core/common/DomainError.h"

#include <QList>
#include <QString>

namespace wadesk {

class Database;

// Where a session that nobody drives should run (DESIGN §9). One rule for the two places that
// choose: an API start for a free client (SessionOwners::placementOf) and the takeover of
// clients whose owner died (LeaseTakeover).
struct InstanceLoad {
    QString id;
    int sessions = 0;
    bool draining = false;
};

// The client's pinned instance when it is among the live ones, else the live, non-draining
// instance with the fewest sessions (ties: the lowest id). Empty when none qualifies.
QString placeSession(const QString &pinned, const QList<InstanceLoad> &live);

// What "alive" means everywhere (placement, takeover, the instance list): a heartbeat younger
// than the lease time, on the database's clock. The SQL condition on `heartbeatColumn`, with one
// placeholder for that time in ms.
QString heartbeatYoungerThanSql(Database &database, const QString &heartbeatColumn = QStringLiteral("heartbeat_at"));

// The instances whose heartbeat is younger than `liveMs`, with the session count and draining
// flag of their last heartbeat.
Result<QList<InstanceLoad>> liveInstances(Database &database, qint64 liveMs);

} // namespace wadesk
