#pragma once

#include "core/common/DomainError.h"

#include <QList>
#include <QString>
#include <optional>

namespace wadesk {

class SqlRunner;

struct ApiKeyRecord {
    QString id;
    QString organizationId;
    QString userId;
    QString name;
    QString keyHash;
    QString prefix;
    QString lastFour;
    qint64 createdAt = 0;
    qint64 lastUsedAt = 0;
    qint64 expiresAt = 0; // 0: never
    qint64 revokedAt = 0; // 0: active
};

class ApiKeyRepository {
public:
    explicit ApiKeyRepository(SqlRunner &sql) : m_sql(sql) {}

    Status insert(const ApiKeyRecord &key);
    // Authentication lookup by hash (not scoped: the key itself names its organization).
    Result<std::optional<ApiKeyRecord>> findByHash(const QString &keyHash);
    Result<std::optional<ApiKeyRecord>> find(const QString &organizationId, const QString &keyId);
    // All keys of the organization, or only one user's when `userId` is set.
    Result<QList<ApiKeyRecord>> list(const QString &organizationId, const QString &userId, int limit, int offset);
    Result<bool> revoke(const QString &organizationId, const QString &keyId, qint64 at);
    Status touch(const QString &keyId, qint64 at);

private:
    SqlRunner &m_sql;
};

} // namespace wadesk
