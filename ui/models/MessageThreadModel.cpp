#include "ui/models/MessageThreadModel.h"

#include "core/events/EventBus.h"
#include "core/events/EventPayloads.h"
#include "ui/desktop/DesktopContext.h"
#include "core/messaging/MessageService.h"

#include <QDateTime>
#include <QLocale>
#include <algorithm>

namespace wadesk {

MessageThreadModel::MessageThreadModel(DesktopContext &context, QObject *parent)
    : QAbstractListModel(parent)
    , m_context(context)
{
    connect(&m_context.events(), &EventBus::published, this, &MessageThreadModel::onEvent, Qt::QueuedConnection);
}

int MessageThreadModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QString MessageThreadModel::statusText(MessageStatus status)
{
    switch (status) {
    case MessageStatus::Queued: return tr("Queued");
    case MessageStatus::Sending: return tr("Sending");
    case MessageStatus::Sent: return tr("Sent");
    case MessageStatus::Delivered: return tr("Delivered");
    case MessageStatus::Read: return tr("Read");
    case MessageStatus::Failed: return tr("Failed");
    case MessageStatus::Received: return tr("Received");
    }
    return messageStatusName(status);
}

namespace {
qint64 statusTime(const MessageRecord &m)
{
    return std::max({m.createdAt, m.sendingAt, m.sentAt, m.deliveredAt, m.readAt, m.failedAt});
}
} // namespace

QVariant MessageThreadModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MessageRecord &m = m_rows.at(index.row());
    const bool outbound = m.direction == MessageDirection::Outbound;
    switch (role) {
    case Qt::DisplayRole:
    case BodyRole: return m.body;
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole: {
        const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(m.createdAt), QLocale::ShortFormat);
        QString text = outbound ? tr("Sent by you at %1, %2: %3").arg(when, statusText(m.status), m.body)
                                : tr("Received at %1: %2").arg(when, m.body);
        if (!m.failureReason.isEmpty())
            text += tr(" (failed: %1)").arg(m.failureReason);
        return text;
    }
    case MessageIdRole: return m.id;
    case DirectionRole: return messageDirectionName(m.direction);
    case OutboundRole: return outbound;
    case StatusRole: return messageStatusName(m.status);
    case TimeRole: return QDateTime::fromMSecsSinceEpoch(m.createdAt);
    case StatusTimeRole: return QDateTime::fromMSecsSinceEpoch(statusTime(m));
    case FailureReasonRole: return m.failureReason;
    case ContactPhoneRole: return m.contactPhone;
    default: return {};
    }
}

QHash<int, QByteArray> MessageThreadModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(MessageIdRole, "messageId");
    names.insert(BodyRole, "body");
    names.insert(DirectionRole, "direction");
    names.insert(OutboundRole, "outbound");
    names.insert(StatusRole, "status");
    names.insert(TimeRole, "time");
    names.insert(StatusTimeRole, "statusTime");
    names.insert(FailureReasonRole, "failureReason");
    names.insert(ContactPhoneRole, "contactPhone");
    return names;
}

void MessageThreadModel::setThread(const QString &clientId, const QString &contactPhone)
{
    QVector<MessageRecord> rows;
    if (!clientId.isEmpty() && !contactPhone.isEmpty() && m_context.signedIn()) {
        MessageQuery query;
        query.contactPhone = contactPhone;
        query.limit = kPageSize;
        if (Result<MessageService::Page> page = m_context.messages().history(m_context.actor(), clientId, query)) {
            const QList<MessageRecord> &newestFirst = page.value().messages;
            rows.reserve(newestFirst.size());
            for (auto it = newestFirst.crbegin(); it != newestFirst.crend(); ++it)
                rows << *it;
        }
    }
    beginResetModel();
    m_clientId = contactPhone.isEmpty() ? QString() : clientId;
    m_phone = clientId.isEmpty() ? QString() : contactPhone;
    m_rows = std::move(rows);
    m_index.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows.at(i).id, i);
    endResetModel();
}

bool MessageThreadModel::refreshMessage(const QString &messageId)
{
    if (m_clientId.isEmpty() || messageId.isEmpty())
        return false;
    Result<MessageRecord> found = m_context.messages().get(m_context.actor(), messageId);
    if (!found)
        return false;
    const MessageRecord &m = found.value();
    if (m.clientId != m_clientId || m.contactPhone != m_phone)
        return false;
    const int row = rowOf(messageId);
    if (row >= 0) {
        const MessageRecord &old = m_rows.at(row);
        if (old.status == m.status && old.failureReason == m.failureReason && statusTime(old) == statusTime(m))
            return true;
        m_rows[row] = m;
        const QModelIndex at = index(row, 0);
        emit dataChanged(at, at);
        return true;
    }
    const int end = int(m_rows.size());
    beginInsertRows(QModelIndex(), end, end);
    m_rows.append(m);
    m_index.insert(m.id, end);
    endInsertRows();
    return true;
}

void MessageThreadModel::onEvent(const Event &event)
{
    if (m_clientId.isEmpty() || event.organizationId != m_context.actor().organizationId)
        return;
    const std::optional<MessageEventData> message = MessageEvents::parse(event);
    if (!message || message->clientId != m_clientId)
        return;
    if (rowOf(message->messageId) >= 0 || message->counterpart == m_phone)
        refreshMessage(message->messageId);
}

} // namespace wadesk
