#include "core/cluster/SessionOwners.h"

#include "core/cluster/SessionPlacement.h"

#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "core/leases/LeaseFence.h"

#include <QSqlQuery>
#include <QVariant>

namespace wadesk {

QString SessionOwners::nowSql(const Database &database)
{
    if (database.isPostgres())
        return databaseNowMs();
    return QStringLiteral("CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)");
}

Result<QString> SessionOwners::ownerOf(const QString &clientId)
{
    SqlRunner sql(m_database);
    return sql.query(QStringLiteral("SELECT owner FROM client_leases WHERE client_id = ? AND owner IS NOT NULL AND expires_at > ")
                         + nowSql(m_database),
                     {clientId}, "session owner", [](QSqlQuery &q) { return q.next() ? q.value(0).toString() : QString(); });
}

Result<QString> SessionOwners::placementOf(const QString &clientId, qint64 liveMs)
{
    SqlRunner sql(m_database);
    Result<QString> pinned = sql.query(QStringLiteral("SELECT COALESCE(pinned_instance, '') FROM clients WHERE id = ?"), {clientId},
                                       "session placement: pin", [](QSqlQuery &q) { return q.next() ? q.value(0).toString() : QString(); });
    if (!pinned)
        return pinned.error();
    Result<QList<InstanceLoad>> live = liveInstances(m_database, liveMs);
    if (!live)
        return live.error();
    return placeSession(pinned.value(), live.value());
}

Result<QList<SessionOwners::RemoteSession>> SessionOwners::ownedElsewhere(const QString &self)
{
    SqlRunner sql(m_database);
    return sql.query(
        QStringLiteral("SELECT c.id, c.organization_id, l.owner, c.status, c.state_since, c.last_error, c.phone_number "
                       "FROM client_leases l JOIN clients c ON c.id = l.client_id "
                       "WHERE l.owner IS NOT NULL AND l.owner <> ? AND l.expires_at > ")
            + nowSql(m_database),
        {self}, "sessions owned elsewhere", [](QSqlQuery &q) {
            QList<RemoteSession> sessions;
            while (q.next()) {
                RemoteSession s;
                s.clientId = q.value(0).toString();
                s.organizationId = q.value(1).toString();
                s.owner = q.value(2).toString();
                s.state = SessionStates::fromName(q.value(3).toString()).value_or(SessionState::Stopped);
                s.stateSince = q.value(4).toLongLong();
                s.lastError = q.value(5).toString();
                s.phoneNumber = q.value(6).toString();
                sessions.append(s);
            }
            return sessions;
        });
}

} // namespace wadesk
