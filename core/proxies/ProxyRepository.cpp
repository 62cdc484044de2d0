#include "core/proxies/ProxyRepository.h"

#include "core/db/SqlRunner.h"

#include <QSqlQuery>

namespace wadesk {

namespace {
// '' for an empty text, never NULL: a null QString binds as NULL, and the uniqueness of
// (organization, host, port, username) and the "id <> ?" exclusions need a value to compare.
QString orEmpty(const QString &text)
{
    return text.isEmpty() ? QStringLiteral("") : text;
}

const QString kSelect = QStringLiteral(
    "SELECT p.id, p.organization_id, p.type, p.host, p.port, p.username, "
    "CASE WHEN p.password_sealed IS NULL THEN 0 ELSE 1 END, p.label, p.country, p.max_clients, "
    "(SELECT COUNT(*) FROM clients c WHERE c.proxy_id = p.id AND c.organization_id = p.organization_id), "
    "p.healthy, p.latency_ms, p.exit_address, p.last_checked_at, p.last_error, p.last_error_at, p.created_at, p.updated_at "
    "FROM proxies p");

ProxyRecord fromRow(const QSqlQuery &q)
{
    ProxyRecord p;
    p.id = q.value(0).toString();
    p.organizationId = q.value(1).toString();
    p.type = ProxyEndpoint::parseType(q.value(2).toString()).value_or(ProxyEndpoint::Type::Http);
    p.host = q.value(3).toString();
    p.port = quint16(q.value(4).toInt());
    p.username = q.value(5).toString();
    p.hasPassword = q.value(6).toInt() != 0;
    p.label = q.value(7).toString();
    p.country = q.value(8).toString();
    p.maxClients = q.value(9).toInt();
    p.clients = q.value(10).toInt();
    if (!q.isNull(11))
        p.healthy = q.value(11).toInt() != 0;
    p.latencyMs = q.isNull(12) ? -1 : q.value(12).toInt();
    p.exitAddress = q.value(13).toString();
    p.lastCheckedAt = q.value(14).toLongLong();
    p.lastError = q.value(15).toString();
    p.lastErrorAt = q.value(16).toLongLong();
    p.createdAt = q.value(17).toLongLong();
    p.updatedAt = q.value(18).toLongLong();
    return p;
}

QVariant healthValue(const std::optional<bool> &healthy)
{
    return healthy ? QVariant(*healthy ? 1 : 0) : nullInt();
}
} // namespace

Result<QList<ProxyRecord>> ProxyRepository::select(const QString &where, const QVariantList &bindings, const char *context)
{
    Result<QSqlQuery> q = m_sql.run(kSelect + where, bindings, context);
    if (!q)
        return q.error();
    QList<ProxyRecord> out;
    while (q.value().next())
        out << fromRow(q.value());
    return out;
}

Status ProxyRepository::insert(const ProxyRecord &p, const QString &passwordSealed)
{
    Result<int> r = m_sql.change(
        QStringLiteral("INSERT INTO proxies (id, organization_id, type, host, port, username, password_sealed, label, country, "
                       "max_clients, healthy, latency_ms, exit_address, last_checked_at, last_error, last_error_at, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {p.id, p.organizationId, ProxyEndpoint::typeName(p.type), p.host, int(p.port), orEmpty(p.username), textOrNull(passwordSealed), p.label,
         textOrNull(p.country), p.maxClients, healthValue(p.healthy), p.latencyMs >= 0 ? QVariant(p.latencyMs) : nullInt(),
         textOrNull(p.exitAddress), timeOrNull(p.lastCheckedAt), textOrNull(p.lastError), timeOrNull(p.lastErrorAt), p.createdAt, p.updatedAt},
        "proxies.insert");
    if (!r)
        return r.error();
    return {};
}

Status ProxyRepository::update(const ProxyRecord &p, const std::optional<QString> &passwordSealed)
{
    QString sql = QStringLiteral("UPDATE proxies SET type = ?, host = ?, port = ?, username = ?, label = ?, country = ?, max_clients = ?, "
                                 "healthy = ?, latency_ms = ?, exit_address = ?, last_checked_at = ?, last_error = ?, last_error_at = ?, "
                                 "updated_at = ?");
    QVariantList bind{ProxyEndpoint::typeName(p.type), p.host, int(p.port), orEmpty(p.username), p.label, textOrNull(p.country), p.maxClients,
                      healthValue(p.healthy), p.latencyMs >= 0 ? QVariant(p.latencyMs) : nullInt(), textOrNull(p.exitAddress),
                      timeOrNull(p.lastCheckedAt), textOrNull(p.lastError), timeOrNull(p.lastErrorAt), p.updatedAt};
    if (passwordSealed) {
        sql += QStringLiteral(", password_sealed = ?");
        bind << textOrNull(*passwordSealed);
    }
    sql += QStringLiteral(" WHERE organization_id = ? AND id = ?");
    bind << p.organizationId << p.id;
    Result<int> r = m_sql.change(sql, bind, "proxies.update");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return DomainError::notFound(QStringLiteral("Proxy"));
    return {};
}

Result<std::optional<ProxyRecord>> ProxyRepository::find(const QString &organizationId, const QString &proxyId)
{
    Result<QList<ProxyRecord>> rows = select(QStringLiteral(" WHERE p.organization_id = ? AND p.id = ?"), {organizationId, proxyId}, "proxies.find");
    if (!rows)
        return rows.error();
    if (rows.value().isEmpty())
        return std::optional<ProxyRecord>();
    return std::optional<ProxyRecord>(rows.value().first());
}

Result<std::optional<ProxyRecord>> ProxyRepository::findAnywhere(const QString &proxyId)
{
    Result<QList<ProxyRecord>> rows = select(QStringLiteral(" WHERE p.id = ?"), {proxyId}, "proxies.findAnywhere");
    if (!rows)
        return rows.error();
    if (rows.value().isEmpty())
        return std::optional<ProxyRecord>();
    return std::optional<ProxyRecord>(rows.value().first());
}

Result<QList<ProxyRecord>> ProxyRepository::list(const QString &organizationId)
{
    return select(QStringLiteral(" WHERE p.organization_id = ? ORDER BY p.created_at, p.id"), {organizationId}, "proxies.list");
}

Result<QList<ProxyRecord>> ProxyRepository::allProxies()
{
    return select(QStringLiteral(" ORDER BY p.organization_id, p.created_at, p.id"), {}, "proxies.all");
}

Result<QString> ProxyRepository::sealedPassword(const QString &proxyId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT password_sealed FROM proxies WHERE id = ?"), {proxyId}, "proxies.password");
    if (!q)
        return q.error();
    if (!q.value().next())
        return QString();
    return q.value().value(0).toString();
}

Result<bool> ProxyRepository::remove(const QString &organizationId, const QString &proxyId)
{
    Result<int> r = m_sql.change(QStringLiteral("DELETE FROM proxies WHERE organization_id = ? AND id = ?"), {organizationId, proxyId},
                                 "proxies.remove");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Result<bool> ProxyRepository::duplicate(const QString &organizationId, const QString &host, quint16 port, const QString &username,
                                        const QString &exceptProxyId)
{
    Result<QSqlQuery> q = m_sql.run(
        QStringLiteral("SELECT 1 FROM proxies WHERE organization_id = ? AND host = ? AND port = ? AND username = ? AND id <> ?"),
        {organizationId, host, int(port), orEmpty(username), orEmpty(exceptProxyId)}, "proxies.duplicate");
    if (!q)
        return q.error();
    return q.value().next();
}

Result<bool> ProxyRepository::lock(const QString &organizationId, const QString &proxyId)
{
    // A no-op write: PostgreSQL keeps the row locked until the transaction ends; SQLite's
    // transactions already hold the whole database for writing.
    Result<int> r = m_sql.change(QStringLiteral("UPDATE proxies SET max_clients = max_clients WHERE organization_id = ? AND id = ?"),
                                 {organizationId, proxyId}, "proxies.lock");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Status ProxyRepository::recordHealth(const QString &proxyId, const ProxyRecord &h)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE proxies SET healthy = ?, latency_ms = ?, exit_address = ?, last_checked_at = ?, last_error = ?, "
                       "last_error_at = ? WHERE id = ?"),
        {healthValue(h.healthy), h.latencyMs >= 0 ? QVariant(h.latencyMs) : nullInt(), textOrNull(h.exitAddress), timeOrNull(h.lastCheckedAt),
         textOrNull(h.lastError), timeOrNull(h.lastErrorAt), proxyId},
        "proxies.recordHealth");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return DomainError::notFound(QStringLiteral("Proxy"));
    return {};
}

Result<QStringList> ProxyRepository::clientsOf(const QString &organizationId, const QString &proxyId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT id FROM clients WHERE organization_id = ? AND proxy_id = ? ORDER BY created_at, id"),
                                    {organizationId, proxyId}, "proxies.clientsOf");
    if (!q)
        return q.error();
    QStringList out;
    while (q.value().next())
        out << q.value().value(0).toString();
    return out;
}

Result<int> ProxyRepository::clientCount(const QString &organizationId, const QString &proxyId, const QString &exceptClientId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT COUNT(*) FROM clients WHERE organization_id = ? AND proxy_id = ? AND id <> ?"),
                                    {organizationId, proxyId, orEmpty(exceptClientId)}, "proxies.clientCount");
    if (!q)
        return q.error();
    q.value().next();
    return q.value().value(0).toInt();
}

Result<std::optional<ProxyRepository::ClientProxyColumns>> ProxyRepository::clientColumns(const QString &organizationId,
                                                                                          const QString &clientId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT proxy_id, proxy_failover FROM clients WHERE organization_id = ? AND id = ?"),
                                    {organizationId, clientId}, "clients.proxyColumns");
    if (!q)
        return q.error();
    if (!q.value().next())
        return std::optional<ClientProxyColumns>();
    return std::optional<ClientProxyColumns>(ClientProxyColumns{q.value().value(0).toString(), q.value().value(1).toInt() != 0});
}

Status ProxyRepository::setClientProxy(const QString &organizationId, const QString &clientId, const QString &proxyId, qint64 now)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE clients SET proxy_id = ?, updated_at = ? WHERE organization_id = ? AND id = ?"),
                                 {textOrNull(proxyId), now, organizationId, clientId}, "clients.setProxy");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return DomainError::notFound(QStringLiteral("Client"));
    return {};
}

Status ProxyRepository::setClientFailover(const QString &organizationId, const QString &clientId, bool failover, qint64 now)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE clients SET proxy_failover = ?, updated_at = ? WHERE organization_id = ? AND id = ?"),
                                 {failover ? 1 : 0, now, organizationId, clientId}, "clients.setProxyFailover");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return DomainError::notFound(QStringLiteral("Client"));
    return {};
}

} // namespace wadesk
