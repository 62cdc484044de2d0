#pragma once

#include "core/cluster/InstanceService.h"

#include <QAbstractTableModel>
#include <QList>

namespace wadesk {

class DesktopContext;

// The instances that share this desktop's database, as GET /api/instances lists them (admins):
// id (this desktop's marked), host, version, last heartbeat (how long ago, on the database's
// clock), alive or offline, draining, and how many sessions of the actor's organization each
// runs. An error empties it. A reload that finds the same instances changes the rows in place,
// so the periodic refresh keeps the selection and does not disturb a screen reader.
class InstanceListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { IdColumn, HostColumn, VersionColumn, HeartbeatColumn, StateColumn, DrainingColumn, SessionsColumn, ColumnCount };
    enum Roles {
        InstanceIdRole = Qt::UserRole + 1,
        AliveRole,
        DrainingRole,
        SessionsRole,
        ThisDesktopRole,
    };

    explicit InstanceListModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    bool reload();
    QString lastError() const { return m_lastError; }
    int rowOf(const QString &instanceId) const;
    const InstanceService::Instance *instance(const QString &instanceId) const;
    // This desktop's instance id (empty without a cluster).
    QString thisInstanceId() const;

    // "just now", "12 s ago", "3 min ago", "2 h ago", "5 d ago"; "never" for no heartbeat (an
    // instance that stopped cleanly clears it).
    static QString ageText(qint64 heartbeatAt, qint64 ageMs);

private:
    DesktopContext &m_context;
    QList<InstanceService::Instance> m_instances;
    QString m_lastError;
};

} // namespace wadesk
