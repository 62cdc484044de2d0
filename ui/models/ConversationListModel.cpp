#include "ui/models/ConversationListModel.h"

#include "core/events/EventBus.h"
#include "core/events/EventPayloads.h"
#include "core/messaging/ConversationService.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QDateTime>
#include <QLocale>
#include <algorithm>

namespace wadesk {

namespace {
std::unique_ptr<ConversationService> makeService(DesktopContext &context)
{
    const SharedServices &shared = context.services().shared();
    return std::make_unique<ConversationService>(*shared.database, context.clients(), *shared.clock);
}

bool isText(const QString &type) { return type.isEmpty() || type == QLatin1String("text") || type == QLatin1String("chat"); }

// Newer first: (time, contact id) descending.
bool before(const ConversationRecord &a, const ConversationRecord &b)
{
    return a.lastMessageAt != b.lastMessageAt ? a.lastMessageAt > b.lastMessageAt : a.contactId > b.contactId;
}
} // namespace

ConversationListModel::ConversationListModel(DesktopContext &context, QObject *parent)
    : QAbstractListModel(parent)
    , m_context(context)
    , m_service(makeService(context))
{
    connect(&m_context.events(), &EventBus::published, this, &ConversationListModel::onEvent, Qt::QueuedConnection);
}

ConversationListModel::~ConversationListModel() = default;

int ConversationListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QString ConversationListModel::mediaWord(const QString &type)
{
    if (type == QLatin1String("image"))
        return tr("Photo");
    if (type == QLatin1String("video"))
        return tr("Video");
    if (type == QLatin1String("audio"))
        return tr("Audio");
    if (type == QLatin1String("voice") || type == QLatin1String("ptt"))
        return tr("Voice message");
    if (type == QLatin1String("document"))
        return tr("Document");
    if (type == QLatin1String("sticker"))
        return tr("Sticker");
    if (type == QLatin1String("location"))
        return tr("Location");
    if (type == QLatin1String("contact") || type == QLatin1String("vcard") || type == QLatin1String("multi_vcard"))
        return tr("Contact card");
    if (type == QLatin1String("revoked"))
        return tr("Deleted message");
    return tr("Message");
}

QString ConversationListModel::previewOf(const ConversationRecord &c)
{
    QString text;
    if (isText(c.lastType)) {
        text = c.lastBody;
    } else {
        const QString caption = c.lastCaption.isEmpty() ? c.lastBody : c.lastCaption;
        text = caption.isEmpty() ? mediaWord(c.lastType) : tr("%1: %2").arg(mediaWord(c.lastType), caption);
    }
    text = text.simplified();
    if (c.lastDirection == QLatin1String("outbound"))
        text = tr("You: %1").arg(text);
    return text;
}

QVariant ConversationListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ConversationRecord &c = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        if (role == NameRole)
            return c.name;
        return c.name.isEmpty() ? c.phoneNumber : c.name;
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole: {
        const QString who = c.name.isEmpty() ? c.phoneNumber : tr("%1, %2").arg(c.name, c.phoneNumber);
        const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(c.lastMessageAt), QLocale::ShortFormat);
        QString text = tr("%1, %2: %3").arg(who, when, previewOf(c));
        if (c.unreadCount > 0)
            text += tr(", %1 unread").arg(c.unreadCount);
        if (c.optedOut)
            text += tr(" (opted out)");
        return text;
    }
    case ContactIdRole: return c.contactId;
    case PhoneRole: return c.phoneNumber;
    case PreviewRole: return previewOf(c);
    case TimeRole: return QDateTime::fromMSecsSinceEpoch(c.lastMessageAt);
    case UnreadRole: return c.unreadCount;
    case OptedOutRole: return c.optedOut;
    case LastOutboundRole: return c.lastDirection == QLatin1String("outbound");
    default: return {};
    }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(ContactIdRole, "contactId");
    names.insert(PhoneRole, "phone");
    names.insert(NameRole, "name");
    names.insert(PreviewRole, "preview");
    names.insert(TimeRole, "time");
    names.insert(UnreadRole, "unread");
    names.insert(OptedOutRole, "optedOut");
    names.insert(LastOutboundRole, "lastOutbound");
    return names;
}

void ConversationListModel::setClient(const QString &clientId)
{
    m_clientId = clientId;
    reload();
}

void ConversationListModel::reload()
{
    QVector<ConversationRecord> rows;
    bool more = false;
    if (m_context.signedIn() && !m_clientId.isEmpty()) {
        ConversationQuery query;
        query.limit = kPageSize;
        if (Result<ConversationService::Page> page = m_service->list(m_context.actor(), m_clientId, query)) {
            rows = QVector<ConversationRecord>(page.value().conversations.begin(), page.value().conversations.end());
            more = page.value().hasMore;
        }
    }
    beginResetModel();
    m_rows = std::move(rows);
    m_hasMore = more;
    rebuildIndex();
    endResetModel();
}

bool ConversationListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_hasMore;
}

void ConversationListModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || !m_hasMore || m_rows.isEmpty())
        return;
    ConversationQuery query;
    query.limit = kPageSize;
    query.beforeAt = m_rows.last().lastMessageAt;
    query.beforeContactId = m_rows.last().contactId;
    Result<ConversationService::Page> page = m_service->list(m_context.actor(), m_clientId, query);
    if (!page) {
        m_hasMore = false;
        return;
    }
    QList<ConversationRecord> fresh;
    for (const ConversationRecord &c : page.value().conversations) {
        if (!m_byPhone.contains(c.phoneNumber)) // moved to the top since the first page was read
            fresh << c;
    }
    m_hasMore = page.value().hasMore;
    if (fresh.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows(QModelIndex(), first, first + int(fresh.size()) - 1);
    for (const ConversationRecord &c : fresh)
        m_rows.append(c);
    rebuildIndex();
    endInsertRows();
}

void ConversationListModel::rebuildIndex()
{
    m_byPhone.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_byPhone.insert(m_rows.at(i).phoneNumber, i);
}

int ConversationListModel::rowOfPhone(const QString &phone) const
{
    return m_byPhone.value(phone, -1);
}

int ConversationListModel::rowFor(const ConversationRecord &c) const
{
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), c, before);
    return int(it - m_rows.cbegin());
}

void ConversationListModel::refreshConversation(const QString &phone)
{
    if (m_clientId.isEmpty() || phone.isEmpty() || !m_context.signedIn())
        return;
    Result<ConversationRecord> found = m_service->get(m_context.actor(), m_clientId, phone);
    const int row = rowOfPhone(phone);
    if (!found) {
        if (row >= 0 && found.error().httpStatus == 404) { // its last message went
            beginRemoveRows(QModelIndex(), row, row);
            m_rows.remove(row);
            rebuildIndex();
            endRemoveRows();
        }
        return;
    }
    const ConversationRecord &c = found.value();
    if (row < 0) {
        const int at = rowFor(c);
        if (at == m_rows.size() && m_hasMore)
            return; // older than every row shown: a later page brings it
        beginInsertRows(QModelIndex(), at, at);
        m_rows.insert(at, c);
        rebuildIndex();
        endInsertRows();
        return;
    }
    // Where it goes among the others (computed without itself).
    ConversationRecord old = m_rows.at(row);
    m_rows.remove(row);
    int to = rowFor(c);
    m_rows.insert(row, old);
    if (to == row) {
        m_rows[row] = c;
        emit dataChanged(index(row, 0), index(row, 0));
        return;
    }
    // beginMoveRows counts the destination before the move.
    const int destination = to > row ? to + 1 : to;
    beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination);
    m_rows.remove(row);
    m_rows.insert(to, c);
    rebuildIndex();
    endMoveRows();
    emit dataChanged(index(to, 0), index(to, 0));
}

int ConversationListModel::markRead(const QString &phone)
{
    if (m_clientId.isEmpty() || !m_context.signedIn())
        return 0;
    Result<int> was = m_service->markRead(m_context.actor(), m_clientId, phone);
    const int row = rowOfPhone(phone);
    if (was && row >= 0 && m_rows.at(row).unreadCount != 0) {
        m_rows[row].unreadCount = 0;
        emit dataChanged(index(row, 0), index(row, 0), {UnreadRole, Qt::ToolTipRole, Qt::AccessibleTextRole});
    }
    return was ? was.value() : 0;
}

void ConversationListModel::onEvent(const Event &event)
{
    if (m_clientId.isEmpty() || event.organizationId != m_context.actor().organizationId)
        return;
    const std::optional<MessageEventData> message = MessageEvents::parse(event);
    if (!message || message->clientId != m_clientId || message->counterpart.isEmpty())
        return;
    refreshConversation(message->counterpart);
}

MessageSearchModel::MessageSearchModel(DesktopContext &context, QObject *parent)
    : QAbstractListModel(parent)
    , m_context(context)
    , m_service(makeService(context))
{
}

MessageSearchModel::~MessageSearchModel() = default;

int MessageSearchModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant MessageSearchModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const MessageHit &h = m_rows.at(index.row());
    const QString who = h.contactName.isEmpty() ? h.contactPhone : h.contactName;
    const QString text = (isText(h.type) ? h.body : (h.caption.isEmpty() ? h.body : h.caption)).simplified();
    const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(h.createdAt), QLocale::ShortFormat);
    switch (role) {
    case Qt::DisplayRole: return tr("%1 · %2\n%3").arg(who, when, text);
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        return h.direction == QLatin1String("outbound") ? tr("Sent to %1 at %2: %3").arg(who, when, text)
                                                        : tr("From %1 at %2: %3").arg(who, when, text);
    case MessageIdRole: return h.messageId;
    case PhoneRole: return h.contactPhone;
    case NameRole: return h.contactName;
    case TimeRole: return QDateTime::fromMSecsSinceEpoch(h.createdAt);
    default: return {};
    }
}

QHash<int, QByteArray> MessageSearchModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(MessageIdRole, "messageId");
    names.insert(PhoneRole, "phone");
    names.insert(NameRole, "name");
    names.insert(TimeRole, "time");
    return names;
}

QString MessageSearchModel::search(const QString &clientId, const QString &text)
{
    QList<MessageHit> rows;
    QString error;
    m_text = text.trimmed();
    if (m_context.signedIn() && !clientId.isEmpty() && m_text.size() >= 2) {
        Result<QList<MessageHit>> hits = m_service->search(m_context.actor(), clientId, m_text, kLimit);
        if (hits)
            rows = hits.value();
        else
            error = errorMessageFor(hits.error());
    }
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
    return error;
}

} // namespace wadesk
