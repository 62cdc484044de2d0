#pragma once

#include "core/auth/UserRepository.h"

#include <QAbstractTableModel>
#include <QList>

namespace wadesk {

class DesktopContext;

// The organization's members for the Team dialog: one row per member, with columns name, email,
// role and status (active or deactivated). Read through TeamService with the signed-in actor,
// and only for roles that may manage the team (can_manage_team, as the REST team routes): for
// anyone else the model stays empty. Password hashes are never kept here. reload() reads the
// list again (the dialog calls it after each change it makes).
class TeamMemberModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, EmailColumn, RoleColumn, StatusColumn, ColumnCount };
    enum Roles {
        UserIdRole = Qt::UserRole + 1,
        NameRole,
        EmailRole,
        RoleRole,       // int(Role)
        RoleNameRole,   // "admin", "manager", ... (Permissions::roleName)
        ActiveRole,
        ManageableRole, // the signed-in actor may change or remove this member (not themselves)
        IsSelfRole,
    };

    explicit TeamMemberModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Reads the members again; false (and lastError()) when the list could not be read.
    bool reload();
    QString lastError() const { return m_lastError; }
    int rowOf(const QString &userId) const;
    QString userIdAt(int row) const;
    // The member at `row` (without its password hash); nullptr when out of range.
    const UserRecord *memberAt(int row) const;
    const UserRecord *member(const QString &userId) const;
    bool isManageable(const UserRecord &member) const;

    static QString roleText(Role role);

private:
    DesktopContext &m_context;
    QList<UserRecord> m_members;
    QString m_lastError;
};

} // namespace wadesk
