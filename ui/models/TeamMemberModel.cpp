#include "ui/models/TeamMemberModel.h"

#include "core/auth/TeamService.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/common/ErrorText.h"

#include <QGuiApplication>
#include <QPalette>

namespace wadesk {

namespace {
constexpr int kPageSize = 500;
}

TeamMemberModel::TeamMemberModel(DesktopContext &context, QObject *parent)
    : QAbstractTableModel(parent)
    , m_context(context)
{
    reload();
}

int TeamMemberModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_members.size());
}

int TeamMemberModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QString TeamMemberModel::roleText(Role role)
{
    switch (role) {
    case Role::Admin: return tr("Admin");
    case Role::Manager: return tr("Manager");
    case Role::Agent: return tr("Agent");
    case Role::Viewer: return tr("Viewer");
    }
    return {};
}

bool TeamMemberModel::isManageable(const UserRecord &member) const
{
    const AuthContext &actor = m_context.actor();
    return m_context.signedIn() && actor.can(Permission::ManageTeam) && member.id != actor.userId
        && Permissions::mayManageRole(actor.role, member.role);
}

QVariant TeamMemberModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const UserRecord &m = m_members.at(index.row());
    const QString status = m.active ? tr("Active") : tr("Deactivated");
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return m.id == m_context.actor().userId ? tr("%1 (you)").arg(m.name) : m.name;
        case EmailColumn: return m.email;
        case RoleColumn: return roleText(m.role);
        case StatusColumn: return status;
        default: return {};
        }
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole: return tr("%1, %2, %3, %4").arg(m.name, m.email, roleText(m.role), status);
    case Qt::ForegroundRole:
        if (!m.active)
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case UserIdRole: return m.id;
    case NameRole: return m.name;
    case EmailRole: return m.email;
    case RoleRole: return int(m.role);
    case RoleNameRole: return Permissions::roleName(m.role);
    case ActiveRole: return m.active;
    case ManageableRole: return isManageable(m);
    case IsSelfRole: return m.id == m_context.actor().userId;
    default: return {};
    }
}

QVariant TeamMemberModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case EmailColumn: return tr("Email");
    case RoleColumn: return tr("Role");
    case StatusColumn: return tr("Status");
    default: return {};
    }
}

QHash<int, QByteArray> TeamMemberModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(UserIdRole, "userId");
    names.insert(NameRole, "name");
    names.insert(EmailRole, "email");
    names.insert(RoleRole, "role");
    names.insert(RoleNameRole, "roleName");
    names.insert(ActiveRole, "active");
    names.insert(ManageableRole, "manageable");
    names.insert(IsSelfRole, "isSelf");
    return names;
}

bool TeamMemberModel::reload()
{
    QList<UserRecord> members;
    QString error;
    if (!m_context.signedIn() || !m_context.actor().can(Permission::ManageTeam)) {
        error = tr("Your role may not manage the team.");
    } else {
        for (int offset = 0;; offset += kPageSize) {
            Result<TeamService::Page> page = m_context.team().listMembers(m_context.actor(), kPageSize, offset);
            if (!page) {
                error = errorMessageFor(page.error());
                break;
            }
            for (UserRecord u : page.value().users) {
                u.passwordHash.clear();
                members << u;
            }
            if (page.value().users.size() < kPageSize || offset + kPageSize >= page.value().total)
                break;
        }
    }
    beginResetModel();
    m_members = std::move(members);
    m_lastError = error;
    endResetModel();
    return error.isEmpty();
}

int TeamMemberModel::rowOf(const QString &userId) const
{
    for (int i = 0; i < m_members.size(); ++i) {
        if (m_members.at(i).id == userId)
            return i;
    }
    return -1;
}

QString TeamMemberModel::userIdAt(int row) const
{
    return row >= 0 && row < m_members.size() ? m_members.at(row).id : QString();
}

const UserRecord *TeamMemberModel::memberAt(int row) const
{
    return row >= 0 && row < m_members.size() ? &m_members.at(row) : nullptr;
}

const UserRecord *TeamMemberModel::member(const QString &userId) const
{
    return memberAt(rowOf(userId));
}

} // namespace wadesk
