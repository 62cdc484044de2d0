#pragma once

#include <QString>
#include <QStringList>
#include <optional>

namespace wadesk {

enum class Role { Admin, Manager, Agent, Viewer };

// The guide's (docs/integration-guide.md) permission names, exactly.
enum class Permission {
    ManageTeam,          // can_manage_team (managers: only agents and viewers)
    ViewAuditLogs,       // can_view_audit_logs
    ManageOrganization,  // can_manage_organization
    ManageWebhooks,      // can_manage_webhooks
    ViewAnalytics,       // can_view_analytics
    SendMessages,        // can_send_messages
    ManageClients,       // can_manage_clients
    ViewAssignedClients, // can_view_assigned_clients
    ViewAssignedData,    // can_view_assigned_data
};

// The RBAC matrix of the guide's Team Manager, held as data in one place (Permissions.cpp).
namespace Permissions {
bool has(Role role, Permission permission);
QString name(Permission permission);
QStringList namesFor(Role role);
QString roleName(Role role);
std::optional<Role> parseRole(const QString &name);
// Whether `actor` may create, change or remove a member whose role is (or becomes) `target`:
// admins manage everyone; managers manage only agents and viewers.
bool mayManageRole(Role actor, Role target);
// Admins and managers see every client of the organization; agents and viewers only theirs.
bool seesAllClients(Role role);
} // namespace Permissions

} // namespace wadesk
