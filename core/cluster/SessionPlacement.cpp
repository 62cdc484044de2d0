#include "core/cluster/SessionPlacement.h"

#include "core/cluster/SessionOwners.h"
#include "core/db/SqlRunner.h"

#include <QSqlQuery>

namespace wadesk {

QString placeSession(const QString &pinned, const QList<InstanceLoad> &live)
{
    const InstanceLoad *best = nullptr;
    for (const InstanceLoad &i : live) {
        if (!pinned.isEmpty() && i.id == pinned)
            return i.id;
        if (i.draining)
            continue;
        if (!best || i.sessions < best->sessions || (i.sessions == best->sessions && i.id < best->id))
            best = &i;
    }
    return best ? best->id : QString();
}

QString heartbeatYoungerThanSql(Database &database, const QString &heartbeatColumn)
{
    return QStringLiteral("%1 > %2 - ?").arg(heartbeatColumn, SessionOwners::nowSql(database));
}

Result<QList<InstanceLoad>> liveInstances(Database &database, qint64 liveMs)
{
    SqlRunner sql(database);
    return sql.query(QStringLiteral("SELECT id, session_count, draining FROM instances WHERE %1 ORDER BY id")
                         .arg(heartbeatYoungerThanSql(database)),
                     {liveMs}, "instances.live", [](QSqlQuery &q) {
                         QList<InstanceLoad> out;
                         while (q.next())
                             out << InstanceLoad{q.value(0).toString(), q.value(1).toInt(), q.value(2).toInt() != 0};
                         return out;
                     });
}

} // namespace wadesk
