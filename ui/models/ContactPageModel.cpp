#include "ui/models/ContactPageModel.h"

#include "core/messaging/ContactService.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QScopedValueRollback>

namespace wadesk {

ContactPageModel::ContactPageModel(DesktopContext &context, QObject *parent)
    : QAbstractTableModel(parent)
    , m_context(context)
{
    setSearch(QString());
}

int ContactPageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ContactPageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QVariant ContactPageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ContactRecord &c = m_rows.at(index.row());
    const QString tags = c.tags.join(QStringLiteral(", "));
    const QString optOut = c.optedOut ? tr("Opted out") : tr("Receives messages");
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return c.name.isEmpty() ? tr("(no name)") : c.name;
        case PhoneColumn: return c.phoneNumber;
        case TagsColumn: return tags;
        case OptOutColumn: return optOut;
        default: return {};
        }
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        return tr("%1, %2, tags: %3, %4").arg(c.name.isEmpty() ? tr("no name") : c.name, c.phoneNumber,
                                              tags.isEmpty() ? tr("none") : tags, optOut);
    case ContactIdRole: return c.id;
    case NameRole: return c.name;
    case PhoneRole: return c.phoneNumber;
    case TagsRole: return c.tags;
    case OptedOutRole: return c.optedOut;
    default: return {};
    }
}

QVariant ContactPageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case PhoneColumn: return tr("Number");
    case TagsColumn: return tr("Tags");
    case OptOutColumn: return tr("Opt-out");
    default: return {};
    }
}

bool ContactPageModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_hasMore && !m_reading;
}

void ContactPageModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        readPage();
}

bool ContactPageModel::setSearch(const QString &text)
{
    beginResetModel();
    m_search = text.trimmed();
    m_rows.clear();
    m_nextBefore.clear();
    m_hasMore = false;
    m_pagesRead = 0;
    m_lastError.clear();
    endResetModel();
    if (!m_context.signedIn()) {
        m_lastError = tr("Sign in to see the contacts.");
        return false;
    }
    return readPage();
}

bool ContactPageModel::readPage()
{
    // A view may ask for more from its rowsInserted slot, inside endInsertRows(): that page
    // waits for the view's next layout, so that inserts never nest.
    if (m_reading)
        return true;
    const QScopedValueRollback<bool> reading(m_reading, true);
    ContactQuery query;
    query.search = m_search;
    query.limit = kPageSize;
    query.beforeId = m_nextBefore;
    Result<ContactService::Page> page = m_context.contacts().list(m_context.actor(), query);
    if (!page) {
        m_lastError = errorMessageFor(page.error());
        m_hasMore = false;
        return false;
    }
    m_lastError.clear();
    ++m_pagesRead;
    m_hasMore = page.value().info.hasMore;
    m_nextBefore = page.value().info.nextBefore;
    const QList<ContactRecord> &more = page.value().contacts;
    if (!more.isEmpty()) {
        beginInsertRows(QModelIndex(), int(m_rows.size()), int(m_rows.size() + more.size()) - 1);
        m_rows += more;
        endInsertRows();
    }
    return true;
}

int ContactPageModel::rowOf(const QString &contactId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == contactId)
            return i;
    }
    return -1;
}

const ContactRecord *ContactPageModel::contact(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row) : nullptr;
}

void ContactPageModel::replace(const ContactRecord &contact)
{
    const int row = rowOf(contact.id);
    if (row < 0)
        return;
    m_rows[row] = contact;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

} // namespace wadesk
