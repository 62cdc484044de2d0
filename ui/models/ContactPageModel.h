#pragma once

#include "core/messaging/ContactRepository.h"

#include <QAbstractTableModel>
#include <QList>

namespace wadesk {

class DesktopContext;

// The organization's contacts for the Contacts screen, as GET /api/contacts pages them: most
// recently changed first, read a page at a time over ContactService's keyset cursor as the view
// scrolls (canFetchMore/fetchMore), never the whole table. A search (part of the name or the
// number) starts again from the first page.
class ContactPageModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kPageSize = 100;
    enum Column { NameColumn, PhoneColumn, TagsColumn, OptOutColumn, ColumnCount };
    enum Roles {
        ContactIdRole = Qt::UserRole + 1,
        NameRole,
        PhoneRole,
        TagsRole,
        OptedOutRole,
    };

    explicit ContactPageModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    // Starts again from the first page with this search; false (lastError()) on failure.
    bool setSearch(const QString &text);
    QString search() const { return m_search; }
    bool reload() { return setSearch(m_search); }
    QString lastError() const { return m_lastError; }
    int pagesRead() const { return m_pagesRead; }
    int rowOf(const QString &contactId) const;
    const ContactRecord *contact(int row) const;
    // Puts a changed contact in place (same row), after an edit.
    void replace(const ContactRecord &contact);

private:
    bool readPage();

    DesktopContext &m_context;
    QList<ContactRecord> m_rows;
    QString m_search;
    QString m_nextBefore; // the cursor of the next page; empty: no more
    bool m_hasMore = false;
    bool m_reading = false;
    int m_pagesRead = 0;
    QString m_lastError;
};

} // namespace wadesk
