#include "ui/models/ContactListModel.h"

#include "core/events/EventBus.h"
#include "core/events/EventPayloads.h"
#include "ui/desktop/DesktopContext.h"
#include "core/messaging/ContactService.h"

#include <QRegularExpression>

namespace wadesk {

namespace {
QString digitsOf(const QString &text)
{
    QString out;
    for (const QChar c : text) {
        if (c.isDigit())
            out += c;
    }
    return out;
}
} // namespace

ContactListModel::ContactListModel(DesktopContext &context, QObject *parent)
    : QAbstractListModel(parent)
    , m_context(context)
{
    connect(&m_context.events(), &EventBus::published, this, &ContactListModel::onEvent, Qt::QueuedConnection);
    reload();
}

int ContactListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ContactListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ContactRecord &c = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole: return c.name.isEmpty() ? c.phoneNumber : tr("%1 (%2)").arg(c.name, c.phoneNumber);
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole: {
        QString text = c.name.isEmpty() ? c.phoneNumber : tr("%1, %2").arg(c.name, c.phoneNumber);
        if (c.optedOut)
            text += tr(" (opted out)");
        if (!c.tags.isEmpty())
            text += tr(", tags: %1").arg(c.tags.join(QLatin1String(", ")));
        return text;
    }
    case ContactIdRole: return c.id;
    case PhoneRole: return c.phoneNumber;
    case NameRole: return c.name;
    case OptedOutRole: return c.optedOut;
    case TagsRole: return c.tags;
    default: return {};
    }
}

QHash<int, QByteArray> ContactListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(ContactIdRole, "contactId");
    names.insert(PhoneRole, "phone");
    names.insert(NameRole, "name");
    names.insert(OptedOutRole, "optedOut");
    names.insert(TagsRole, "tags");
    return names;
}

void ContactListModel::reload()
{
    QVector<ContactRecord> rows;
    if (m_context.signedIn()) {
        ContactQuery query;
        query.limit = kLimit;
        if (Result<ContactService::Page> page = m_context.contacts().list(m_context.actor(), query))
            rows = QVector<ContactRecord>(page.value().contacts.begin(), page.value().contacts.end());
    }
    beginResetModel();
    m_rows = std::move(rows);
    rebuildIndex();
    endResetModel();
}

void ContactListModel::rebuildIndex()
{
    m_byPhone.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_byPhone.insert(m_rows.at(i).phoneNumber, i);
}

int ContactListModel::rowOfPhone(const QString &phone) const
{
    return m_byPhone.value(phone, -1);
}

void ContactListModel::ensurePhone(const QString &phone)
{
    if (phone.isEmpty() || rowOfPhone(phone) >= 0 || !m_context.signedIn())
        return;
    ContactQuery query;
    query.search = phone;
    query.limit = 5;
    Result<ContactService::Page> page = m_context.contacts().list(m_context.actor(), query);
    if (!page)
        return;
    for (const ContactRecord &c : page.value().contacts) {
        if (c.phoneNumber != phone)
            continue;
        beginInsertRows(QModelIndex(), 0, 0);
        m_rows.prepend(c);
        rebuildIndex();
        endInsertRows();
        return;
    }
}

void ContactListModel::onEvent(const Event &event)
{
    if (event.organizationId != m_context.actor().organizationId)
        return;
    if (const std::optional<MessageEventData> message = MessageEvents::parse(event))
        ensurePhone(message->counterpart);
}

void ContactFilterProxyModel::setSearchText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    m_words = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
#if QT_VERSION >= QT_VERSION_CHECK(6, 10, 0)
    beginFilterChange();
    endFilterChange(QSortFilterProxyModel::Direction::Rows);
#else
    invalidateFilter();
#endif
}

bool ContactFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_words.isEmpty())
        return true;
    const QModelIndex at = sourceModel()->index(sourceRow, 0, sourceParent);
    const QString name = at.data(ContactListModel::NameRole).toString();
    const QString phone = at.data(ContactListModel::PhoneRole).toString();
    const QString phoneDigits = digitsOf(phone);
    // "+1 415" is one number written with a space: compare the whole filter's digits too.
    const QString allDigits = digitsOf(m_text);
    const bool numeric = !allDigits.isEmpty() && !m_text.contains(QRegularExpression(QStringLiteral("[^0-9+()\\-\\s]")));
    if (numeric)
        return phoneDigits.contains(allDigits);
    for (const QString &word : m_words) {
        const QString digits = digitsOf(word);
        const bool inName = name.contains(word, Qt::CaseInsensitive);
        const bool inPhone = phone.contains(word, Qt::CaseInsensitive) || (!digits.isEmpty() && digits == word && phoneDigits.contains(digits));
        if (!inName && !inPhone)
            return false;
    }
    return true;
}

} // namespace wadesk
