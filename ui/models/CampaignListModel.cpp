#include "ui/models/CampaignListModel.h"

#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QDateTime>
#include <QLocale>

namespace wadesk {

namespace {
QString when(qint64 ms)
{
    if (ms <= 0)
        return QString();
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat);
}
} // namespace

CampaignListModel::CampaignListModel(DesktopContext &context, QObject *parent)
    : QAbstractTableModel(parent)
    , m_context(context)
{
}

int CampaignListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CampaignListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString CampaignListModel::statusText(CampaignStatus status)
{
    switch (status) {
    case CampaignStatus::Draft: return tr("Draft");
    case CampaignStatus::Scheduled: return tr("Scheduled");
    case CampaignStatus::Running: return tr("Running");
    case CampaignStatus::Paused: return tr("Paused");
    case CampaignStatus::Completed: return tr("Completed");
    case CampaignStatus::Cancelled: return tr("Cancelled");
    }
    return QString();
}

QVariant CampaignListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= ColumnCount)
        return QVariant();
    const CampaignView &v = m_rows.at(index.row());
    switch (role) {
    case CampaignIdRole: return v.campaign.id;
    case StatusRole: return CampaignStatuses::name(v.campaign.status);
    case SentRole: return v.counts.sent;
    case TotalRole: return v.counts.total;
    case Qt::ToolTipRole:
        if (index.column() == StateColumn && !v.campaign.pausedReason.isEmpty())
            return tr("Paused: %1").arg(v.campaign.pausedReason);
        return QVariant();
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return v.campaign.name;
        case StateColumn: return statusText(v.campaign.status);
        case ProgressColumn:
            if (v.counts.total == 0)
                return tr("Not started");
            return tr("%1 of %2 sent").arg(QLocale().toString(v.counts.sent), QLocale().toString(v.counts.total));
        case StartedColumn: return when(v.campaign.startedAt);
        case FinishedColumn: return when(v.campaign.completedAt);
        }
        return QVariant();
    default: return QVariant();
    }
}

QVariant CampaignListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case NameColumn: return tr("Name");
    case StateColumn: return tr("State");
    case ProgressColumn: return tr("Progress");
    case StartedColumn: return tr("Started");
    case FinishedColumn: return tr("Finished");
    }
    return QVariant();
}

bool CampaignListModel::reload()
{
    if (!m_context.signedIn()) {
        beginResetModel();
        m_rows.clear();
        endResetModel();
        return true;
    }
    CampaignQuery query;
    query.limit = kMaxRows;
    Result<CampaignService::Page> page = m_context.services().campaigns().list(m_context.actor(), query);
    if (!page) {
        m_lastError = errorMessageFor(page.error());
        return false;
    }
    m_lastError.clear();
    const QList<CampaignView> &rows = page.value().campaigns;
    bool sameRows = rows.size() == m_rows.size();
    for (int i = 0; sameRows && i < rows.size(); ++i)
        sameRows = rows.at(i).campaign.id == m_rows.at(i).campaign.id;
    if (sameRows) {
        m_rows = rows;
        if (!m_rows.isEmpty())
            emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return true;
    }
    beginResetModel();
    m_rows = rows;
    endResetModel();
    return true;
}

int CampaignListModel::rowOf(const QString &campaignId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).campaign.id == campaignId)
            return i;
    }
    return -1;
}

const CampaignView *CampaignListModel::campaign(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

bool CampaignListModel::anyActive() const
{
    for (const CampaignView &v : m_rows) {
        if (v.campaign.status == CampaignStatus::Running || v.campaign.status == CampaignStatus::Scheduled)
            return true;
    }
    return false;
}

} // namespace wadesk
