#include "core/leases/LeaseOwners.h"

#include "core/leases/LeaseFence.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QMutex>

namespace wadesk {

namespace {
QMutex g_instanceLock;
QString g_instanceId;
} // namespace

QString thisInstanceId()
{
    QMutexLocker lock(&g_instanceLock);
    return g_instanceId;
}

void setThisInstanceId(const QString &instanceId)
{
    QMutexLocker lock(&g_instanceLock);
    g_instanceId = instanceId;
}

Result<QHash<QString, QString>> liveLeaseOwners(Database &database, const QStringList &clientIds)
{
    if (!database.isPostgres() || clientIds.isEmpty())
        return QHash<QString, QString>();
    SqlRunner sql(database);
    // One statement for a page of clients; ids are checked by Ids (no commas).
    return sql.query(QStringLiteral("SELECT client_id, owner FROM client_leases WHERE client_id = ANY(string_to_array(?, ',')) "
                                    "AND owner IS NOT NULL AND expires_at > ")
                         + databaseNowMs(),
                     {clientIds.join(QLatin1Char(','))}, "client_leases.owners", [](QSqlQuery &q) {
                         QHash<QString, QString> out;
                         while (q.next())
                             out.insert(q.value(0).toString(), q.value(1).toString());
                         return out;
                     });
}

} // namespace wadesk
