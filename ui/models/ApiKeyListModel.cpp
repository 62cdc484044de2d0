#include "ui/models/ApiKeyListModel.h"

#include "core/auth/ApiKeyService.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/WebhookListModel.h"

#include <QGuiApplication>
#include <QPalette>

namespace wadesk {

ApiKeyListModel::ApiKeyListModel(DesktopContext &context, QObject *parent)
    : QAbstractTableModel(parent)
    , m_context(context)
{
    reload();
}

int ApiKeyListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_keys.size());
}

int ApiKeyListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

bool ApiKeyListModel::isExpired(const ApiKeyRecord &key) const
{
    return key.expiresAt > 0 && key.expiresAt <= m_context.services().shared().clock->nowMs();
}

QVariant ApiKeyListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ApiKeyRecord &k = m_keys.at(index.row());
    const bool expired = isExpired(k);
    const QString state = k.revokedAt > 0 ? tr("Revoked") : expired ? tr("Expired") : tr("Active");
    const QString shown = k.prefix + QChar(0x2026) + k.lastFour;
    const QString expires = k.expiresAt > 0 ? WebhookListModel::timeText(k.expiresAt) : tr("Never");
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return k.name;
        case KeyColumn: return shown;
        case CreatedColumn: return WebhookListModel::timeText(k.createdAt);
        case LastUsedColumn: return WebhookListModel::timeText(k.lastUsedAt);
        case ExpiresColumn: return expires;
        case StateColumn: return state;
        default: return {};
        }
    case Qt::ToolTipRole:
    case Qt::AccessibleTextRole:
        return tr("%1, key %2, last used %3, expires %4, %5").arg(k.name, shown, WebhookListModel::timeText(k.lastUsedAt), expires, state);
    case Qt::ForegroundRole:
        if (k.revokedAt > 0 || expired)
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case KeyIdRole: return k.id;
    case NameRole: return k.name;
    case PrefixRole: return k.prefix;
    case LastFourRole: return k.lastFour;
    case RevokedRole: return k.revokedAt > 0;
    case ExpiredRole: return expired;
    case OwnerIdRole: return k.userId;
    default: return {};
    }
}

QVariant ApiKeyListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case KeyColumn: return tr("Key");
    case CreatedColumn: return tr("Created");
    case LastUsedColumn: return tr("Last used");
    case ExpiresColumn: return tr("Expires");
    case StateColumn: return tr("State");
    default: return {};
    }
}

bool ApiKeyListModel::reload()
{
    QList<ApiKeyRecord> keys;
    QString error;
    if (!m_context.signedIn()) {
        error = tr("Sign in to manage API keys.");
    } else {
        for (int offset = 0;; offset += kPageSize) {
            Result<QList<ApiKeyRecord>> page = m_context.services().apiKeys().list(m_context.actor(), kPageSize, offset);
            if (!page) {
                error = errorMessageFor(page.error());
                break;
            }
            for (ApiKeyRecord k : page.value()) {
                k.keyHash.clear();
                keys << k;
            }
            if (page.value().size() < kPageSize)
                break;
        }
    }
    beginResetModel();
    m_keys = std::move(keys);
    m_lastError = error;
    endResetModel();
    return error.isEmpty();
}

int ApiKeyListModel::rowOf(const QString &keyId) const
{
    for (int i = 0; i < m_keys.size(); ++i) {
        if (m_keys.at(i).id == keyId)
            return i;
    }
    return -1;
}

const ApiKeyRecord *ApiKeyListModel::key(const QString &keyId) const
{
    const int row = rowOf(keyId);
    return row >= 0 ? &m_keys.at(row) : nullptr;
}

} // namespace wadesk
