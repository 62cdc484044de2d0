#pragma once

#include "core/messaging/ContactRepository.h"

#include <QAbstractListModel>
#include <QHash>
#include <QSortFilterProxyModel>
#include <QVector>

namespace wadesk {

class DesktopContext;
struct Event;

// The organization's contacts (ContactService::list with the actor), most recently active
// first. A message from a number not in the list adds that contact at the top (one lookup),
// never a full reload.
class ContactListModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        ContactIdRole = Qt::UserRole + 1,
        PhoneRole,
        NameRole,
        OptedOutRole,
        TagsRole,
    };
    static constexpr int kLimit = 1000;

    explicit ContactListModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void reload();
    int rowOfPhone(const QString &phone) const;
    // Makes sure the contact with this number is listed (after a send to a new number).
    void ensurePhone(const QString &phone);

private:
    void onEvent(const Event &event);
    void rebuildIndex();

    DesktopContext &m_context;
    QVector<ContactRecord> m_rows;
    QHash<QString, int> m_byPhone;
};

// Search over the contact list: every word of the filter must appear in the name or the
// number (the number compared by its digits, so "+1 415" finds "+14155550101").
class ContactFilterProxyModel final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setSearchText(const QString &text);
    QString searchText() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    QStringList m_words;
};

} // namespace wadesk
