#pragma once

#include "core/audit/AuditLog.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSortFilterProxyModel>

namespace wadesk {

class DesktopContext;

// The organization's audit log for the Audit log screen, newest first: time, member, action,
// resource, resource id and address. Read through AuditService with the signed-in actor, only
// for roles with can_view_audit_logs (as GET /api/audit-logs), within a time range (0: open),
// kMaxEntries at most (truncated() says when more were left out). Members are named from the
// team list; an entry by the system or a removed member shows its id.
class AuditLogModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kMaxEntries = 5000;
    enum Column { TimeColumn, MemberColumn, ActionColumn, ResourceColumn, ResourceIdColumn, AddressColumn, ColumnCount };
    enum Roles {
        EntryIdRole = Qt::UserRole + 1,
        UserIdRole,
        ActionRole,
        ResourceRole,
        DetailsRole,   // the details as indented JSON
        CreatedAtRole, // ms since the epoch
        SeqRole,
    };

    explicit AuditLogModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Reads the entries created in [since, until] (ms; 0 leaves that end open).
    bool load(qint64 since, qint64 until);
    bool reload() { return load(m_since, m_until); }
    QString lastError() const { return m_lastError; }
    bool truncated() const { return m_truncated; }
    const AuditEntry *entryAt(int row) const;
    int rowOf(const QString &entryId) const;
    QString memberName(const QString &userId) const;
    // The members (id → name), actions and resources that occur in the loaded entries, sorted.
    QList<QPair<QString, QString>> members() const;
    QStringList actions() const;
    QStringList resources() const;

private:
    DesktopContext &m_context;
    QList<AuditEntry> m_entries;
    QHash<QString, QString> m_names;
    qint64 m_since = 0;
    qint64 m_until = 0;
    bool m_truncated = false;
    QString m_lastError;
};

// The audit log filtered by member (user id, or kSystem for entries without one), action and
// resource; an empty filter lets all pass.
class AuditFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    static const QString kSystem;
    explicit AuditFilterModel(QObject *parent = nullptr);
    void setMember(const QString &userId);
    void setAction(const QString &action);
    void setResource(const QString &resource);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void refilter();
    QString m_member;
    QString m_action;
    QString m_resource;
};

} // namespace wadesk
