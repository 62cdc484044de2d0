#pragma once

#include "core/common/DomainError.h"
#include "core/proxies/ProxyRecord.h"

#include <QList>
#include <QStringList>
#include <optional>

namespace wadesk {

class SqlRunner;

// The `proxies` table and the proxy columns of `clients`. Every operator-side statement names
// the organization; the installation-wide reads (allProxies, findAnywhere) are for the engine's
// health checks only. A record's `clients` is counted in the same statement.
class ProxyRepository {
public:
    explicit ProxyRepository(SqlRunner &sql) : m_sql(sql) {}

    Status insert(const ProxyRecord &proxy, const QString &passwordSealed);
    // Writes every stored field of `proxy` (found by organization and id); the password column
    // only when `passwordSealed` is set (an empty string removes it).
    Status update(const ProxyRecord &proxy, const std::optional<QString> &passwordSealed);
    Result<std::optional<ProxyRecord>> find(const QString &organizationId, const QString &proxyId);
    Result<std::optional<ProxyRecord>> findAnywhere(const QString &proxyId);
    Result<QList<ProxyRecord>> list(const QString &organizationId);
    Result<QList<ProxyRecord>> allProxies();
    Result<QString> sealedPassword(const QString &proxyId); // empty when there is none
    Result<bool> remove(const QString &organizationId, const QString &proxyId);
    // Whether another entry of the organization has this host, port and username.
    Result<bool> duplicate(const QString &organizationId, const QString &host, quint16 port, const QString &username,
                           const QString &exceptProxyId);
    // Holds the entry's row until the transaction ends (so two assignments cannot both take its
    // last place); false when the organization has no such entry.
    Result<bool> lock(const QString &organizationId, const QString &proxyId);
    Status recordHealth(const QString &proxyId, const ProxyRecord &health);

    Result<QStringList> clientsOf(const QString &organizationId, const QString &proxyId);
    // How many clients use the entry, leaving `exceptClientId` out.
    Result<int> clientCount(const QString &organizationId, const QString &proxyId, const QString &exceptClientId);

    struct ClientProxyColumns {
        QString proxyId; // empty: no proxy
        bool failover = false;
    };
    // The client's proxy columns; nullopt when the organization has no such client.
    Result<std::optional<ClientProxyColumns>> clientColumns(const QString &organizationId, const QString &clientId);
    Status setClientProxy(const QString &organizationId, const QString &clientId, const QString &proxyId, qint64 now);
    Status setClientFailover(const QString &organizationId, const QString &clientId, bool failover, qint64 now);

private:
    Result<QList<ProxyRecord>> select(const QString &where, const QVariantList &bindings, const char *context);
    SqlRunner &m_sql;
};

} // namespace wadesk
