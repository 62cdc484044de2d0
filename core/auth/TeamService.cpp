#include "core/auth/TeamService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditedChange.h"
#include "core/auth/AccountService.h"
#include "core/auth/Authenticator.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/sessions/ClientRepository.h"

#include <QDateTime>

namespace wadesk {

namespace {
// Before an active admin loses the role or goes: the organization keeps at least one.
Status anotherAdminRemains(UserRepository &users, const QString &organizationId)
{
    Result<int> admins = users.countActiveAdmins(organizationId);
    if (!admins)
        return admins.error();
    if (admins.value() <= 1)
        return DomainError::conflict(QStringLiteral("The organization needs at least one active admin"), QStringLiteral("last_admin"));
    return {};
}

DomainError roleForbidden()
{
    return DomainError::forbidden(QStringLiteral("Managers can only manage agents and viewers"),
                                  QStringLiteral("role_not_manageable"));
}
} // namespace

TeamService::TeamService(Database &database, Authenticator &authenticator, const Clock &clock)
    : m_database(database)
    , m_authenticator(authenticator)
    , m_clock(clock)
{
}

Status TeamService::validateNewMember(const AuthContext &actor, const QString &email, const QString &password,
                                      const QString &name, const QString &roleName)
{
    if (Status s = AccountRules::checkEmail(email); !s)
        return s;
    if (Status s = AccountRules::checkPassword(password); !s)
        return s;
    if (name.isEmpty() || name.size() > 100)
        return DomainError::validation(QStringLiteral("name"), QStringLiteral("name must be 1 to 100 characters"));
    const std::optional<Role> role = Permissions::parseRole(roleName);
    if (!role)
        return DomainError::validation(QStringLiteral("role"), QStringLiteral("role must be admin, manager, agent or viewer"));
    if (!Permissions::mayManageRole(actor.role, *role))
        return roleForbidden();
    return {};
}

Result<UserRecord> TeamService::createMember(const AuthContext &actor, const NewMember &member)
{
    if (!Permissions::mayManageRole(actor.role, member.role))
        return roleForbidden();
    const qint64 now = m_clock.nowMs();
    UserRecord user;
    user.id = Ids::make("user");
    user.organizationId = actor.organizationId;
    user.email = member.email;
    user.name = member.name;
    user.role = member.role;
    user.passwordHash = member.passwordHash;
    user.createdBy = actor.userId;
    user.createdAt = user.updatedAt = now;

    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = UserRepository(write.sql).insert(user); !s)
            return s;
        return write.audit.append(auditBy(actor, QStringLiteral("create_member"), QStringLiteral("users"), user.id,
                                          {{QStringLiteral("email"), user.email},
                                           {QStringLiteral("role"), Permissions::roleName(user.role)}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return user;
}

Result<TeamService::Page> TeamService::listMembers(const AuthContext &actor, int limit, int offset)
{
    SqlRunner sql(m_database);
    UserRepository users(sql);
    Result<QList<UserRecord>> list = users.list(actor.organizationId, limit, offset);
    if (!list)
        return list.error();
    Result<int> total = users.count(actor.organizationId);
    if (!total)
        return total.error();
    return Page{list.value(), total.value()};
}

Result<UserRecord> TeamService::getMember(const AuthContext &actor, const QString &userId)
{
    SqlRunner sql(m_database);
    UserRepository users(sql);
    Result<std::optional<UserRecord>> user = users.find(actor.organizationId, userId);
    if (!user)
        return user.error();
    if (!user.value())
        return DomainError::notFound(QStringLiteral("Team member"));
    return *user.value();
}

Result<UserRecord> TeamService::manageableMember(const AuthContext &actor, const QString &userId)
{
    Result<UserRecord> user = getMember(actor, userId);
    if (!user)
        return user;
    if (!Permissions::mayManageRole(actor.role, user.value().role))
        return roleForbidden();
    return user;
}

Result<UserRecord> TeamService::updateMember(const AuthContext &actor, const QString &userId, const Change &change)
{
    Result<UserRecord> found = manageableMember(actor, userId);
    if (!found)
        return found;
    UserRecord user = found.value();
    QJsonObject details;
    if (change.name) {
        if (change.name->isEmpty() || change.name->size() > 100)
            return DomainError::validation(QStringLiteral("name"), QStringLiteral("name must be 1 to 100 characters"));
        details.insert(QStringLiteral("name"), *change.name);
        user.name = *change.name;
    }
    if (change.role) {
        if (!Permissions::mayManageRole(actor.role, *change.role))
            return roleForbidden();
        details.insert(QStringLiteral("role"), Permissions::roleName(*change.role));
        user.role = *change.role;
    }
    if (change.active) {
        details.insert(QStringLiteral("active"), *change.active);
        user.active = *change.active;
    }
    if (userId == actor.userId && (user.role != found.value().role || !user.active))
        return DomainError::conflict(QStringLiteral("You cannot change your own role or disable yourself"),
                                     QStringLiteral("cannot_change_self"));

    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        UserRepository users(write.sql);
        const bool losesAdmin = found.value().role == Role::Admin && found.value().active
            && (user.role != Role::Admin || !user.active);
        if (losesAdmin) {
            if (Status s = anotherAdminRemains(users, actor.organizationId); !s)
                return s;
        }
        user.updatedAt = m_clock.nowMs();
        if (Status s = users.update(user); !s)
            return s;
        return write.audit.append(auditBy(actor, QStringLiteral("update_member"), QStringLiteral("users"), user.id, details));
    }, m_clock);
    if (!stored)
        return stored.error();
    m_authenticator.forgetUser(user.id);
    return user;
}

Status TeamService::removeMember(const AuthContext &actor, const QString &userId)
{
    if (userId == actor.userId)
        return DomainError::conflict(QStringLiteral("You cannot remove yourself"), QStringLiteral("cannot_change_self"));
    Result<UserRecord> found = manageableMember(actor, userId);
    if (!found)
        return found.error();
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        UserRepository users(write.sql);
        if (found.value().role == Role::Admin && found.value().active) {
            if (Status s = anotherAdminRemains(users, actor.organizationId); !s)
                return s;
        }
        Result<bool> removed = users.remove(actor.organizationId, userId);
        if (!removed)
            return removed.error();
        if (!removed.value())
            return DomainError::notFound(QStringLiteral("Team member"));
        return write.audit.append(auditBy(actor, QStringLiteral("remove_member"), QStringLiteral("users"), userId,
                                          {{QStringLiteral("email"), found.value().email}}));
    }, m_clock);
    if (!stored)
        return stored;
    m_authenticator.forgetUser(userId);
    return {};
}

Status TeamService::assignClient(const AuthContext &actor, const QString &userId, const QString &clientId)
{
    Result<UserRecord> member = manageableMember(actor, userId);
    if (!member)
        return member.error();
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    Result<std::optional<ClientRecord>> client = clients.find(actor.organizationId, clientId, ClientScope::all()); // the manager assigns any client
    if (!client)
        return client.error();
    if (!client.value())
        return DomainError::notFound(QStringLiteral("Client"));
    return runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        Result<bool> added =
            ClientRepository(write.sql).assign(actor.organizationId, userId, clientId, actor.userId, m_clock.nowMs());
        if (!added)
            return added.error();
        if (!added.value())
            return {}; // assigned already: nothing changed, nothing to audit
        return write.audit.append(auditBy(actor, QStringLiteral("assign_client"), QStringLiteral("client_assignments"), clientId,
                                          {{QStringLiteral("user_id"), userId}, {QStringLiteral("client_id"), clientId}}));
    }, m_clock);
}

Status TeamService::unassignClient(const AuthContext &actor, const QString &userId, const QString &clientId)
{
    Result<UserRecord> member = manageableMember(actor, userId);
    if (!member)
        return member.error();
    return runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        Result<bool> removed = ClientRepository(write.sql).unassign(actor.organizationId, userId, clientId);
        if (!removed)
            return removed.error();
        if (!removed.value())
            return DomainError::notFound(QStringLiteral("Assignment"));
        return write.audit.append(auditBy(actor, QStringLiteral("unassign_client"), QStringLiteral("client_assignments"), clientId,
                                          {{QStringLiteral("user_id"), userId}, {QStringLiteral("client_id"), clientId}}));
    }, m_clock);
}

Result<QStringList> TeamService::assignedClients(const AuthContext &actor, const QString &userId)
{
    SqlRunner sql(m_database);
    ClientRepository clients(sql);
    return clients.assignedClientIds(actor.organizationId, userId);
}

} // namespace wadesk
