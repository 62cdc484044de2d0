#include "ui/models/InstanceListModel.h"

#include "core/cluster/ForwardedSessions.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QGuiApplication>
#include <QPalette>

namespace wadesk {

namespace {
constexpr qint64 kMinuteMs = 60 * 1000;
constexpr qint64 kHourMs = 60 * kMinuteMs;
constexpr qint64 kDayMs = 24 * kHourMs;
} // namespace

InstanceListModel::InstanceListModel(DesktopContext &context, QObject *parent)
    : QAbstractTableModel(parent)
    , m_context(context)
{
    reload();
}

int InstanceListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_instances.size());
}

int InstanceListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QString InstanceListModel::thisInstanceId() const
{
    return m_context.cluster() ? m_context.cluster()->instanceId() : QString();
}

QString InstanceListModel::ageText(qint64 heartbeatAt, qint64 ageMs)
{
    if (heartbeatAt <= 0)
        return tr("never");
    // A heartbeat written a moment after the database's "now" was read reads as slightly negative.
    if (ageMs < 1000)
        return tr("just now");
    if (ageMs < kMinuteMs)
        return tr("%1 s ago").arg(ageMs / 1000);
    if (ageMs < kHourMs)
        return tr("%1 min ago").arg(ageMs / kMinuteMs);
    if (ageMs < kDayMs)
        return tr("%1 h ago").arg(ageMs / kHourMs);
    return tr("%1 d ago").arg(ageMs / kDayMs);
}

QVariant InstanceListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const InstanceService::Instance &i = m_instances.at(index.row());
    const bool here = i.id == thisInstanceId();
    const QString id = here ? tr("%1 (this desktop)").arg(i.id) : i.id;
    const QString state = i.alive ? tr("Alive") : tr("Offline");
    const QString heartbeat = ageText(i.heartbeatAt, i.heartbeatAgeMs);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn: return id;
        case HostColumn: return i.host;
        case VersionColumn: return i.version;
        case HeartbeatColumn: return heartbeat;
        case StateColumn: return state;
        case DrainingColumn: return i.draining ? tr("Draining") : QString();
        case SessionsColumn: return i.sessions;
        default: return {};
        }
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        return tr("%1 on %2, version %3, last heartbeat %4, %5%6, sessions: %7")
            .arg(id, i.host, i.version, heartbeat, state, i.draining ? tr(", draining") : QString())
            .arg(i.sessions);
    case Qt::TextAlignmentRole:
        if (index.column() == SessionsColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ForegroundRole:
        if (!i.alive)
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case InstanceIdRole: return i.id;
    case AliveRole: return i.alive;
    case DrainingRole: return i.draining;
    case SessionsRole: return i.sessions;
    case ThisDesktopRole: return here;
    default: return {};
    }
}

QVariant InstanceListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn: return tr("Instance");
    case HostColumn: return tr("Host");
    case VersionColumn: return tr("Version");
    case HeartbeatColumn: return tr("Last heartbeat");
    case StateColumn: return tr("State");
    case DrainingColumn: return tr("Draining");
    case SessionsColumn: return tr("Sessions");
    default: return {};
    }
}

bool InstanceListModel::reload()
{
    QList<InstanceService::Instance> instances;
    QString error;
    if (!m_context.signedIn()) {
        error = tr("Sign in to see the instances.");
    } else {
        Result<QList<InstanceService::Instance>> listed = m_context.instances().list(m_context.actor());
        if (listed)
            instances = listed.value();
        else
            error = errorMessageFor(listed.error());
    }
    m_lastError = error;
    bool sameRows = instances.size() == m_instances.size();
    for (qsizetype row = 0; sameRows && row < instances.size(); ++row)
        sameRows = instances.at(row).id == m_instances.at(row).id;
    if (sameRows) {
        m_instances = std::move(instances);
        if (!m_instances.isEmpty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
        return error.isEmpty();
    }
    beginResetModel();
    m_instances = std::move(instances);
    endResetModel();
    return error.isEmpty();
}

int InstanceListModel::rowOf(const QString &instanceId) const
{
    for (int i = 0; i < m_instances.size(); ++i) {
        if (m_instances.at(i).id == instanceId)
            return i;
    }
    return -1;
}

const InstanceService::Instance *InstanceListModel::instance(const QString &instanceId) const
{
    const int row = rowOf(instanceId);
    return row >= 0 ? &m_instances.at(row) : nullptr;
}

} // namespace wadesk
