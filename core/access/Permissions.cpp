#include "core/access/Permissions.h"

#include <map>
#include <set>

namespace wadesk::Permissions {

namespace {
const std::map<Role, std::set<Permission>> &matrix()
{
    static const std::map<Role, std::set<Permission>> m = {
        {Role::Admin,
         {Permission::ManageTeam, Permission::ViewAuditLogs, Permission::ManageOrganization, Permission::ManageWebhooks,
          Permission::ViewAnalytics, Permission::SendMessages, Permission::ManageClients}},
        {Role::Manager,
         {Permission::ManageTeam, Permission::ViewAnalytics, Permission::SendMessages, Permission::ManageClients}},
        {Role::Agent, {Permission::SendMessages, Permission::ViewAssignedClients}},
        {Role::Viewer, {Permission::ViewAnalytics, Permission::ViewAssignedData}},
    };
    return m;
}
} // namespace

bool has(Role role, Permission permission)
{
    const auto &perms = matrix().at(role);
    return perms.count(permission) > 0;
}

QString name(Permission permission)
{
    switch (permission) {
    case Permission::ManageTeam: return QStringLiteral("can_manage_team");
    case Permission::ViewAuditLogs: return QStringLiteral("can_view_audit_logs");
    case Permission::ManageOrganization: return QStringLiteral("can_manage_organization");
    case Permission::ManageWebhooks: return QStringLiteral("can_manage_webhooks");
    case Permission::ViewAnalytics: return QStringLiteral("can_view_analytics");
    case Permission::SendMessages: return QStringLiteral("can_send_messages");
    case Permission::ManageClients: return QStringLiteral("can_manage_clients");
    case Permission::ViewAssignedClients: return QStringLiteral("can_view_assigned_clients");
    case Permission::ViewAssignedData: return QStringLiteral("can_view_assigned_data");
    }
    return {};
}

QStringList namesFor(Role role)
{
    QStringList out;
    for (Permission p : matrix().at(role))
        out << name(p);
    return out;
}

QString roleName(Role role)
{
    switch (role) {
    case Role::Admin: return QStringLiteral("admin");
    case Role::Manager: return QStringLiteral("manager");
    case Role::Agent: return QStringLiteral("agent");
    case Role::Viewer: return QStringLiteral("viewer");
    }
    return {};
}

std::optional<Role> parseRole(const QString &name)
{
    if (name == QLatin1String("admin"))
        return Role::Admin;
    if (name == QLatin1String("manager"))
        return Role::Manager;
    if (name == QLatin1String("agent"))
        return Role::Agent;
    if (name == QLatin1String("viewer"))
        return Role::Viewer;
    return std::nullopt;
}

bool mayManageRole(Role actor, Role target)
{
    if (actor == Role::Admin)
        return true;
    if (actor == Role::Manager)
        return target == Role::Agent || target == Role::Viewer;
    return false;
}

bool seesAllClients(Role role)
{
    return role == Role::Admin || role == Role::Manager;
}

} // namespace wadesk::Permissions
