#include "ui/models/DeliveryLogModel.h"

#include "core/webhooks/WebhookService.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/WebhookListModel.h"

namespace wadesk {

DeliveryLogModel::DeliveryLogModel(DesktopContext &context, QObject *parent)
    : QAbstractTableModel(parent)
    , m_context(context)
{
}

int DeliveryLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_deliveries.size());
}

int DeliveryLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QString DeliveryLogModel::statusText(const QString &status)
{
    if (status == QLatin1String("pending"))
        return tr("Pending");
    if (status == QLatin1String("delivering"))
        return tr("Delivering");
    if (status == QLatin1String("retrying"))
        return tr("Retrying");
    if (status == QLatin1String("succeeded"))
        return tr("Succeeded");
    if (status == QLatin1String("dead"))
        return tr("Dead letter");
    return status;
}

QVariant DeliveryLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DeliveryRecord &d = m_deliveries.at(index.row());
    const QString http = d.lastStatusCode > 0 ? QString::number(d.lastStatusCode) : QString();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn: return WebhookListModel::timeText(d.createdAt);
        case EventColumn: return d.eventType;
        case StatusColumn: return statusText(d.status);
        case AttemptsColumn: return d.attempts;
        case HttpColumn: return http;
        case ErrorColumn: return d.lastError;
        default: return {};
        }
    case Qt::ToolTipRole:
        return d.lastError.isEmpty() ? QVariant() : QVariant(d.lastError);
    case Qt::AccessibleTextRole:
        return tr("%1, %2, %3, attempts: %4").arg(WebhookListModel::timeText(d.createdAt), d.eventType, statusText(d.status)).arg(d.attempts);
    case DeliveryIdRole: return d.id;
    case StatusRole: return d.status;
    case PayloadRole: return d.payload;
    case ResponseRole: return d.responseExcerpt;
    default: return {};
    }
}

QVariant DeliveryLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn: return tr("Time");
    case EventColumn: return tr("Event");
    case StatusColumn: return tr("Status");
    case AttemptsColumn: return tr("Attempts");
    case HttpColumn: return tr("HTTP");
    case ErrorColumn: return tr("Error");
    default: return {};
    }
}

bool DeliveryLogModel::load(const QString &webhookId)
{
    QList<DeliveryRecord> deliveries;
    QString error;
    WebhookService *service = m_context.services().webhooks();
    if (!webhookId.isEmpty()) {
        if (!m_context.signedIn() || !m_context.actor().can(Permission::ManageWebhooks)) {
            error = tr("Your role may not manage webhooks.");
        } else if (service) {
            Result<WebhookService::DeliveryPage> page = service->deliveries(m_context.actor(), webhookId, QString(), kPageSize, 0);
            if (page)
                deliveries = page.value().deliveries;
            else
                error = errorMessageFor(page.error());
        }
    }
    beginResetModel();
    m_webhookId = webhookId;
    m_deliveries = std::move(deliveries);
    m_lastError = error;
    endResetModel();
    return error.isEmpty();
}

int DeliveryLogModel::rowOf(const QString &deliveryId) const
{
    for (int i = 0; i < m_deliveries.size(); ++i) {
        if (m_deliveries.at(i).id == deliveryId)
            return i;
    }
    return -1;
}

const DeliveryRecord *DeliveryLogModel::delivery(const QString &deliveryId) const
{
    const int row = rowOf(deliveryId);
    return row >= 0 ? &m_deliveries.at(row) : nullptr;
}

DeliveryStatusFilter::DeliveryStatusFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{
}

void DeliveryStatusFilter::setStatus(const QString &status)
{
    if (status == m_status)
        return;
#if QT_VERSION >= QT_VERSION_CHECK(6, 10, 0)
    beginFilterChange();
    m_status = status;
    endFilterChange(QSortFilterProxyModel::Direction::Rows);
#else
    m_status = status;
    invalidateFilter();
#endif
}

bool DeliveryStatusFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_status.isEmpty())
        return true;
    return sourceModel()->index(sourceRow, 0, sourceParent).data(DeliveryLogModel::StatusRole).toString() == m_status;
}

} // namespace wadesk
