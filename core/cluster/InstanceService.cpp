#include "core/cluster/InstanceService.h"

#include "core/audit/AuditEvent.h"
#include "core/cluster/SessionCommandQueue.h"
#include "core/cluster/SessionOwners.h"
#include "core/cluster/SessionPlacement.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "core/sessions/ClientService.h"

#include <QSqlQuery>
#include <QVariant>

namespace wadesk {

namespace {
constexpr int kMaxInstanceIdLength = 253;

// Instance ids are host names or what an operator chose: printable, bounded. Anything else names
// no instance (and never reaches a statement: QPSQL would cut it at a NUL byte).
bool plausibleId(const QString &id)
{
    if (id.isEmpty() || id.size() > kMaxInstanceIdLength)
        return false;
    for (QChar c : id) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            return false;
    }
    return true;
}
} // namespace

InstanceService::InstanceService(Database &database, ClientService &clients, int leaseSeconds, const Clock &clock)
    : m_database(database), m_clients(clients), m_leaseSeconds(leaseSeconds), m_clock(clock)
{
}

Result<QList<InstanceService::Instance>> InstanceService::list(const AuthContext &actor)
{
    if (Status s = actor.require(Permission::ManageOrganization); !s)
        return s.error();
    const QString now = SessionOwners::nowSql(m_database);
    SqlRunner sql(m_database);
    return sql.query(
        QStringLiteral("SELECT i.id, i.host, i.version, i.started_at, i.heartbeat_at, i.draining, "
                       "CASE WHEN %2 THEN 1 ELSE 0 END, "
                       "(SELECT COUNT(*) FROM client_leases l JOIN clients c ON c.id = l.client_id "
                       " WHERE l.owner = i.id AND l.expires_at > %1 AND c.organization_id = ?), "
                       "%1 - i.heartbeat_at "
                       "FROM instances i ORDER BY i.id")
            .arg(now, heartbeatYoungerThanSql(m_database, QStringLiteral("i.heartbeat_at"))),
        {qint64(m_leaseSeconds) * 1000, actor.organizationId}, "list instances", [](QSqlQuery &q) {
            QList<Instance> instances;
            while (q.next()) {
                Instance i;
                i.id = q.value(0).toString();
                i.host = q.value(1).toString();
                i.version = q.value(2).toString();
                i.startedAt = q.value(3).toLongLong();
                i.heartbeatAt = q.value(4).toLongLong();
                i.draining = q.value(5).toInt() != 0;
                i.alive = q.value(6).toInt() != 0;
                i.sessions = q.value(7).toInt();
                i.heartbeatAgeMs = q.value(8).toLongLong();
                instances.append(i);
            }
            return instances;
        });
}

Result<QList<InstanceService::Instance>> InstanceService::pinTargets(const AuthContext &actor)
{
    if (Status s = actor.require(Permission::ManageClients); !s)
        return s.error();
    SqlRunner sql(m_database);
    return sql.query(QStringLiteral("SELECT id, draining, CASE WHEN %1 THEN 1 ELSE 0 END FROM instances ORDER BY id")
                         .arg(heartbeatYoungerThanSql(m_database)),
                     {qint64(m_leaseSeconds) * 1000}, "pin targets", [](QSqlQuery &q) {
                         QList<Instance> instances;
                         while (q.next()) {
                             Instance i;
                             i.id = q.value(0).toString();
                             i.draining = q.value(1).toInt() != 0;
                             i.alive = q.value(2).toInt() != 0;
                             instances.append(i);
                         }
                         return instances;
                     });
}

Result<std::optional<InstanceService::Instance>> InstanceService::find(const AuthContext &actor, const QString &instanceId)
{
    if (!plausibleId(instanceId))
        return std::optional<Instance>();
    Result<QList<Instance>> all = list(actor);
    if (!all)
        return all.error();
    for (const Instance &i : all.value()) {
        if (i.id == instanceId)
            return std::optional<Instance>(i);
    }
    return std::optional<Instance>();
}

Result<InstanceService::Instance> InstanceService::setDraining(const AuthContext &actor, const QString &instanceId, bool draining)
{
    if (Status s = actor.require(Permission::ManageOrganization); !s)
        return s.error();
    Result<std::optional<Instance>> found = find(actor, instanceId);
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Instance"));
    Instance instance = *found.value();
    if (instance.draining == draining)
        return instance;
    SqlRunner sql(m_database);
    Result<int> changed = sql.change(QStringLiteral("UPDATE instances SET draining = ? WHERE id = ?"), {draining ? 1 : 0, instanceId},
                                     "drain instance");
    if (!changed)
        return changed.error();
    instance.draining = draining;
    if (Status s = AuditLog::appendAlone(m_database,
                                         auditBy(actor, draining ? QStringLiteral("drain_instance") : QStringLiteral("undrain_instance"),
                                                 QStringLiteral("instances"), instanceId),
                                         m_clock);
        !s)
        return s.error();
    return instance;
}

Status InstanceService::checkPin(const AuthContext &actor, const QString &clientId, const QString &instanceId)
{
    if (Status s = actor.require(Permission::ManageClients); !s)
        return s;
    Result<ClientRecord> client = m_clients.get(actor, clientId);
    if (!client)
        return client.error();
    if (!instanceId.isEmpty()) {
        // Pinning is not administering instances: whether the id exists is all a manager learns.
        SqlRunner sql(m_database);
        Result<bool> known = plausibleId(instanceId)
                                 ? sql.query(QStringLiteral("SELECT 1 FROM instances WHERE id = ?"), {instanceId}, "known instance",
                                             [](QSqlQuery &q) { return q.next(); })
                                 : Result<bool>(false);
        if (!known)
            return known.error();
        if (!known.value()) {
            DomainError e = DomainError::unprocessable(QStringLiteral("No instance has the id given in instance"),
                                                       QStringLiteral("unknown_instance"));
            e.details.insert(QStringLiteral("field"), QStringLiteral("instance"));
            return e;
        }
    }
    return {};
}

Status InstanceService::pin(const AuthContext &actor, const QString &clientId, const QString &instanceId)
{
    if (Status s = checkPin(actor, clientId, instanceId); !s)
        return s;
    Result<ClientRecord> client = m_clients.get(actor, clientId);
    if (!client)
        return client.error();
    const QString id = client.value().id;
    SqlRunner sql(m_database);
    Result<int> changed = sql.change(QStringLiteral("UPDATE clients SET pinned_instance = ? WHERE id = ? AND organization_id = ?"),
                                     {instanceId.isEmpty() ? nullText() : QVariant(instanceId), id, actor.organizationId}, "pin client");
    if (!changed)
        return changed.error();
    if (Status s = AuditLog::appendAlone(m_database,
                                         auditBy(actor, instanceId.isEmpty() ? QStringLiteral("unpin_client") : QStringLiteral("pin_client"),
                                                 QStringLiteral("whatsapp_clients"), id,
                                                 {{QStringLiteral("instance"), instanceId.isEmpty() ? QJsonValue() : QJsonValue(instanceId)}}),
                                         m_clock);
        !s)
        return s;
    if (instanceId.isEmpty())
        return {};
    SessionOwners owners(m_database);
    Result<QString> owner = owners.ownerOf(id);
    if (!owner)
        return owner.error();
    if (owner.value().isEmpty() || owner.value() == instanceId)
        return {};
    SessionCommandQueue queue(m_database);
    Result<QString> command = queue.enqueue(id, owner.value(), kHandOverCommand);
    if (!command)
        return command.error();
    return {};
}

} // namespace wadesk
