#include "core/auth/ApiKeyRepository.h"

#include "core/db/SqlRunner.h"

#include <QSqlQuery>

namespace wadesk {

namespace {
const QString kColumns = QStringLiteral(
    "id, organization_id, user_id, name, key_hash, prefix, last_four, created_at, last_used_at, expires_at, revoked_at");

ApiKeyRecord fromRow(const QSqlQuery &q)
{
    ApiKeyRecord k;
    k.id = q.value(0).toString();
    k.organizationId = q.value(1).toString();
    k.userId = q.value(2).toString();
    k.name = q.value(3).toString();
    k.keyHash = q.value(4).toString();
    k.prefix = q.value(5).toString();
    k.lastFour = q.value(6).toString();
    k.createdAt = q.value(7).toLongLong();
    k.lastUsedAt = q.value(8).toLongLong();
    k.expiresAt = q.value(9).toLongLong();
    k.revokedAt = q.value(10).toLongLong();
    return k;
}

Result<std::optional<ApiKeyRecord>> one(Result<QSqlQuery> q)
{
    if (!q)
        return q.error();
    if (!q.value().next())
        return std::optional<ApiKeyRecord>();
    return std::optional<ApiKeyRecord>(fromRow(q.value()));
}
} // namespace

Status ApiKeyRepository::insert(const ApiKeyRecord &k)
{
    Result<int> r = m_sql.change(
        QStringLiteral("INSERT INTO api_keys (id, organization_id, user_id, name, key_hash, prefix, last_four, created_at, "
                       "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {k.id, k.organizationId, k.userId, k.name, k.keyHash, k.prefix, k.lastFour, k.createdAt,
         k.expiresAt > 0 ? QVariant(k.expiresAt) : nullInt()},
        "api_keys.insert");
    if (!r)
        return r.error();
    return {};
}

Result<std::optional<ApiKeyRecord>> ApiKeyRepository::findByHash(const QString &keyHash)
{
    return one(m_sql.run(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM api_keys WHERE key_hash = ?"), {keyHash},
                         "api_keys.findByHash"));
}

Result<std::optional<ApiKeyRecord>> ApiKeyRepository::find(const QString &organizationId, const QString &keyId)
{
    return one(m_sql.run(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM api_keys WHERE organization_id = ? AND id = ?"),
                         {organizationId, keyId}, "api_keys.find"));
}

Result<QList<ApiKeyRecord>> ApiKeyRepository::list(const QString &organizationId, const QString &userId, int limit, int offset)
{
    QString sql = QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM api_keys WHERE organization_id = ?");
    QVariantList bind{organizationId};
    if (!userId.isEmpty()) {
        sql += QStringLiteral(" AND user_id = ?");
        bind << userId;
    }
    sql += QStringLiteral(" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");
    bind << limit << offset;
    Result<QSqlQuery> q = m_sql.run(sql, bind, "api_keys.list");
    if (!q)
        return q.error();
    QList<ApiKeyRecord> out;
    while (q.value().next())
        out << fromRow(q.value());
    return out;
}

Result<bool> ApiKeyRepository::revoke(const QString &organizationId, const QString &keyId, qint64 at)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE api_keys SET revoked_at = ? WHERE organization_id = ? AND id = ? AND revoked_at IS NULL"),
        {at, organizationId, keyId}, "api_keys.revoke");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Status ApiKeyRepository::touch(const QString &keyId, qint64 at)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE api_keys SET last_used_at = ? WHERE id = ?"), {at, keyId}, "api_keys.touch");
    if (!r)
        return r.error();
    return {};
}

} // namespace wadesk
