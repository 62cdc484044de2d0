#pragma once

#include "core/auth/ApiKeyRepository.h"

#include <QAbstractTableModel>
#include <QList>

namespace wadesk {

class DesktopContext;

// API keys for the API keys screen, as GET /api/api-keys lists them: everyone sees their own
// keys, admins every key of the organization. Columns: name, key (prefix…last four), created,
// last use, expiry and state (active, expired or revoked). Key hashes are never kept here.
class ApiKeyListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kPageSize = 500;
    enum Column { NameColumn, KeyColumn, CreatedColumn, LastUsedColumn, ExpiresColumn, StateColumn, ColumnCount };
    enum Roles {
        KeyIdRole = Qt::UserRole + 1,
        NameRole,
        PrefixRole,
        LastFourRole,
        RevokedRole,
        ExpiredRole,
        OwnerIdRole,
    };

    explicit ApiKeyListModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    bool reload();
    QString lastError() const { return m_lastError; }
    int rowOf(const QString &keyId) const;
    const ApiKeyRecord *key(const QString &keyId) const;
    bool isExpired(const ApiKeyRecord &key) const;

private:
    DesktopContext &m_context;
    QList<ApiKeyRecord> m_keys;
    QString m_lastError;
};

} // namespace wadesk
