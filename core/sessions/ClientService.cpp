#include "core/sessions/ClientService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/common/PhoneNumbers.h"
#include "core/db/SqlRunner.h"

#include <QDateTime>

namespace wadesk {

ClientService::ClientService(Database &database, const Clock &clock)
    : m_database(database)
    , m_clock(clock)
{
}

Result<ClientRecord> ClientService::create(const AuthContext &actor, const QString &name, const QString &phoneNumber)
{
    // Creating, changing and deleting clients: the REST routes gate on it too, the desktop does not.
    if (Status s = actor.require(Permission::ManageClients); !s)
        return s.error();
    if (name.isEmpty() || name.size() > 100)
        return DomainError::validation(QStringLiteral("name"), QStringLiteral("name must be 1 to 100 characters"));
    ClientRecord client;
    if (!phoneNumber.isEmpty()) {
        Result<QString> e164 = PhoneNumbers::toE164(phoneNumber);
        if (!e164)
            return e164.error();
        client.phoneNumber = e164.value();
    }
    const qint64 now = m_clock.nowMs();
    client.id = Ids::make("client");
    client.organizationId = actor.organizationId;
    client.name = name;
    client.createdBy = actor.userId;
    client.createdAt = client.updatedAt = now;

    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = ClientRepository(write.sql).insert(client); !s)
            return s;
        return write.audit.append(auditBy(actor, QStringLiteral("create_client"), QStringLiteral("whatsapp_clients"), client.id,
                                          {{QStringLiteral("clientId"), client.id}, {QStringLiteral("name"), name}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return client;
}

Result<ClientService::Page> ClientService::list(const AuthContext &actor, int limit, int offset)
{
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    const ClientScope scope = ClientScope::of(actor);
    Result<QList<ClientRecord>> rows = clients.list(actor.organizationId, scope, limit, offset);
    if (!rows)
        return rows.error();
    // A page that is neither full nor past the end already tells the total: the COUNT query is
    // only needed when there may be more rows than the page holds (or the offset overshot).
    const int got = int(rows.value().size());
    if (got < limit && (got > 0 || offset == 0))
        return Page{rows.value(), offset + got};
    Result<int> total = clients.count(actor.organizationId, scope);
    if (!total)
        return total.error();
    return Page{rows.value(), total.value()};
}

Result<ClientRecord> ClientService::get(const AuthContext &actor, const QString &clientId)
{
    if (!Ids::looksValid(clientId, "client")) // before any SQL: QPSQL inlines values, a NUL breaks it
        return DomainError::notFound(QStringLiteral("Client"));
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    Result<std::optional<ClientRecord>> found = clients.find(actor.organizationId, clientId, ClientScope::of(actor));
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Client"));
    return *found.value();
}

Status ClientService::remove(const AuthContext &actor, const QString &clientId)
{
    if (Status s = actor.require(Permission::ManageClients); !s)
        return s;
    Result<ClientRecord> client = get(actor, clientId);
    if (!client)
        return client.error();
    return runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        Result<bool> removed = ClientRepository(write.sql).remove(actor.organizationId, clientId);
        if (!removed)
            return removed.error();
        if (!removed.value())
            return DomainError::notFound(QStringLiteral("Client"));
        return write.audit.append(auditBy(actor, QStringLiteral("delete_client"), QStringLiteral("whatsapp_clients"), clientId,
                                          {{QStringLiteral("clientId"), clientId}, {QStringLiteral("name"), client.value().name}}));
    }, m_clock);
}

Result<ClientRecord> ClientService::update(const AuthContext &actor, const QString &clientId, const Change &change)
{
    if (Status s = actor.require(Permission::ManageClients); !s)
        return s.error();
    Result<ClientRecord> found = get(actor, clientId);
    if (!found)
        return found;
    ClientRecord c = found.value();
    QJsonObject details;
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (change.name) {
            if (change.name->isEmpty() || change.name->size() > 100)
                return DomainError::validation(QStringLiteral("name"), QStringLiteral("name must be 1 to 100 characters"));
            Result<int> r = write.sql.change(
                QStringLiteral("UPDATE clients SET name = ?, updated_at = ? WHERE organization_id = ? AND id = ?"),
                {*change.name, m_clock.nowMs(), actor.organizationId, clientId}, "clients.rename");
            if (!r)
                return r.error();
            c.name = *change.name;
            details.insert(QStringLiteral("name"), c.name);
        }
        if (change.perMinute || change.perHour || change.perDay) {
            c.ratePerMinute = change.perMinute.value_or(c.ratePerMinute);
            c.ratePerHour = change.perHour.value_or(c.ratePerHour);
            c.ratePerDay = change.perDay.value_or(c.ratePerDay);
            if (Status s = ClientRepository(write.sql).setRateLimits(actor.organizationId, clientId, c.ratePerMinute, c.ratePerHour,
                                                                     c.ratePerDay);
                !s)
                return s;
            details.insert(QStringLiteral("rate_limits"), QJsonObject{{QStringLiteral("per_minute"), c.ratePerMinute},
                                                                      {QStringLiteral("per_hour"), c.ratePerHour},
                                                                      {QStringLiteral("per_day"), c.ratePerDay}});
        }
        return write.audit.append(auditBy(actor, QStringLiteral("update_client"), QStringLiteral("whatsapp_clients"), clientId, details));
    }, m_clock);
    if (!stored)
        return stored.error();
    return c;
}

Result<QSet<QString>> ClientService::pausedIds(const AuthContext &actor)
{
    Result<std::optional<QSet<QString>>> visible = visibleIds(actor);
    if (!visible)
        return visible.error();
    SqlRunner sql(m_database);
    Result<QSet<QString>> paused = ClientRepository(sql).pausedIds(actor.organizationId);
    if (paused && visible.value())
        paused.value().intersect(*visible.value());
    return paused;
}

Result<std::optional<QSet<QString>>> ClientService::visibleIds(const AuthContext &actor)
{
    const ClientScope scope = ClientScope::of(actor);
    if (scope.seesAll())
        return std::optional<QSet<QString>>();
    if (scope.seesNothing())
        return std::optional<QSet<QString>>(QSet<QString>());
    SqlRunner sql(m_database);
    Result<QStringList> ids = ClientRepository(sql).assignedClientIds(actor.organizationId, scope.userId());
    if (!ids)
        return ids.error();
    return std::optional<QSet<QString>>(QSet<QString>(ids.value().cbegin(), ids.value().cend()));
}

} // namespace wadesk
