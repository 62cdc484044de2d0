#include "ui/models/CampaignRecipientModel.h"

#include "core/campaigns/CampaignService.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

namespace wadesk {

CampaignRecipientModel::CampaignRecipientModel(DesktopContext &context, const QString &campaignId, QObject *parent)
    : QAbstractTableModel(parent)
    , m_context(context)
    , m_campaignId(campaignId)
{
}

int CampaignRecipientModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int CampaignRecipientModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CampaignRecipientModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= ColumnCount)
        return QVariant();
    const CampaignRecipient &r = m_rows.at(index.row());
    if (role == StatusRole)
        return r.status;
    if (role == PhoneRole)
        return r.phoneNumber;
    if (role != Qt::DisplayRole)
        return QVariant();
    switch (index.column()) {
    case PhoneColumn: return r.phoneNumber;
    case StatusColumn: return r.status;
    case ReasonColumn: return r.reason;
    case MessageColumn: return r.messageId;
    }
    return QVariant();
}

QVariant CampaignRecipientModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case PhoneColumn: return tr("Phone number");
    case StatusColumn: return tr("Status");
    case ReasonColumn: return tr("Reason");
    case MessageColumn: return tr("Message");
    }
    return QVariant();
}

bool CampaignRecipientModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_reading && m_lastError.isEmpty() && m_rows.size() < m_total;
}

void CampaignRecipientModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        readPage();
}

bool CampaignRecipientModel::setStatusFilter(const QString &status)
{
    beginResetModel();
    m_status = status;
    m_rows.clear();
    m_total = 0;
    m_lastError.clear();
    endResetModel();
    return readPage();
}

bool CampaignRecipientModel::readPage()
{
    // Held until the rows are in: a view (or a model tester) that asks for more while they are
    // being inserted must not read the same page again.
    m_reading = true;
    Result<CampaignService::RecipientPage> page =
        m_context.services().campaigns().recipients(m_context.actor(), m_campaignId, m_status, kPageSize, int(m_rows.size()));
    if (!page) {
        m_reading = false;
        m_lastError = errorMessageFor(page.error());
        return false;
    }
    ++m_pagesRead;
    const QList<CampaignRecipient> &rows = page.value().recipients;
    if (rows.isEmpty()) {
        m_total = int(m_rows.size()); // nothing more to read
        m_reading = false;
        return true;
    }
    m_total = page.value().total;
    beginInsertRows(QModelIndex(), int(m_rows.size()), int(m_rows.size() + rows.size()) - 1);
    m_rows += rows;
    endInsertRows();
    m_reading = false;
    return true;
}

} // namespace wadesk
