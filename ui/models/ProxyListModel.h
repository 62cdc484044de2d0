#pragma once

#include "core/proxies/ProxyRecord.h"

#include <QAbstractTableModel>
#include <QList>

namespace wadesk {

class DesktopContext;

// The organization's proxy pool for the Proxies screen: one row per proxy with its label, type,
// address (host:port), country, clients (in use of its maximum), health (healthy with its
// latency, unreachable with the last error, or not checked yet) and when it was last checked.
// Read through ProxyService::list with the signed-in actor, so only roles that may see the pool
// (can_manage_clients: admins and managers) get rows; for anyone else the model stays empty and
// lastError() says why. Passwords never reach the model (the service answers hasPassword only).
// reload() reads the list again: the screen calls it after each action and on
// `client.proxy_failed`.
class ProxyListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { LabelColumn, TypeColumn, AddressColumn, CountryColumn, ClientsColumn, HealthColumn, LastCheckedColumn, ColumnCount };
    enum Roles {
        ProxyIdRole = Qt::UserRole + 1,
        LabelRole,
        AddressRole,   // "host:port" ("[::1]:8080" for IPv6 literals)
        HealthRole,    // int(Health)
        LatencyRole,   // ms; -1 when unknown
        LastErrorRole,
        ClientsRole,
        MaxClientsRole,
        FullRole,      // clients >= max_clients: "Automatic" passes it by
    };
    enum class Health { NotChecked, Healthy, Unreachable };

    explicit ProxyListModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Reads the pool again; false (and lastError()) when it could not be read.
    bool reload();
    QString lastError() const { return m_lastError; }
    int rowOf(const QString &proxyId) const;
    QString proxyIdAt(int row) const;
    const ProxyRecord *proxyAt(int row) const;
    const ProxyRecord *proxy(const QString &proxyId) const;

    static Health healthOf(const ProxyRecord &proxy);
    // "Healthy (42 ms)", "Unreachable: connection refused", "Not checked yet".
    static QString healthText(const ProxyRecord &proxy);
    static QString typeText(ProxyEndpoint::Type type);
    static QString addressOf(const ProxyRecord &proxy);
    // The label, or the address when the proxy has none.
    static QString displayName(const ProxyRecord &proxy);

private:
    DesktopContext &m_context;
    QList<ProxyRecord> m_proxies;
    QString m_lastError;
};

} // namespace wadesk
