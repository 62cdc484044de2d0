#include "core/auth/ApiKeyService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditedChange.h"
#include "core/auth/ApiKeyCodec.h"
#include "core/auth/Authenticator.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/common/UtcTime.h"

#include <QDateTime>
#include <QSqlQuery>

namespace wadesk {

ApiKeyService::ApiKeyService(Database &database, Authenticator &authenticator, const Clock &clock)
    : m_database(database)
    , m_authenticator(authenticator)
    , m_clock(clock)
{
}

Result<ApiKeyService::Created> ApiKeyService::create(const AuthContext &actor, const QString &name, qint64 expiresAt)
{
    const qint64 now = m_clock.nowMs();
    if (expiresAt != 0 && expiresAt <= now)
        return DomainError::validation(QStringLiteral("expires_at"), QStringLiteral("expires_at must be in the future"));
    SqlRunner sql(m_database);
    Result<QSqlQuery> active = sql.run(
        QStringLiteral("SELECT COUNT(*) FROM api_keys WHERE organization_id = ? AND user_id = ? AND revoked_at IS NULL "
                       "AND (expires_at IS NULL OR expires_at > ?)"),
        {actor.organizationId, actor.userId, now}, "api_keys.countActive");
    if (!active)
        return active.error();
    active.value().next();
    if (active.value().value(0).toInt() >= kMaxActiveKeysPerUser)
        return DomainError::conflict(QStringLiteral("Too many active API keys; revoke one first"), QStringLiteral("too_many_keys"));

    const ApiKeyCodec::NewKey key = ApiKeyCodec::generate();
    Created out;
    out.plaintext = key.plaintext;
    out.record.id = Ids::make("key");
    out.record.organizationId = actor.organizationId;
    out.record.userId = actor.userId;
    out.record.name = name;
    out.record.keyHash = key.hash;
    out.record.prefix = key.prefix;
    out.record.lastFour = key.lastFour;
    out.record.createdAt = now;
    out.record.expiresAt = expiresAt;

    QJsonObject details{{QStringLiteral("name"), name}, {QStringLiteral("prefix"), key.prefix}};
    if (expiresAt > 0)
        details.insert(QStringLiteral("expires_at"), UtcTime::fromMSecs(expiresAt).toString(Qt::ISODate));
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = ApiKeyRepository(write.sql).insert(out.record); !s)
            return s;
        return write.audit.append(auditBy(actor, QStringLiteral("create_api_key"), QStringLiteral("api_keys"), out.record.id, details));
    }, m_clock);
    if (!stored)
        return stored.error();
    return out;
}

Result<QList<ApiKeyRecord>> ApiKeyService::list(const AuthContext &actor, int limit, int offset)
{
    SqlRunner sql(m_database);
    ApiKeyRepository keys(sql);
    return keys.list(actor.organizationId, actor.role == Role::Admin ? QString() : actor.userId, limit, offset);
}

Status ApiKeyService::revoke(const AuthContext &actor, const QString &keyId)
{
    SqlRunner sql(m_database);
    ApiKeyRepository keys(sql);
    Result<std::optional<ApiKeyRecord>> found = keys.find(actor.organizationId, keyId);
    if (!found)
        return found.error();
    // Someone else's key reads as absent unless the caller is an admin.
    if (!found.value() || (actor.role != Role::Admin && found.value()->userId != actor.userId))
        return DomainError::notFound(QStringLiteral("API key"));
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        Result<bool> revoked = ApiKeyRepository(write.sql).revoke(actor.organizationId, keyId, m_clock.nowMs());
        if (!revoked)
            return revoked.error();
        if (!revoked.value())
            return DomainError::conflict(QStringLiteral("API key already revoked"), QStringLiteral("already_revoked"));
        return write.audit.append(auditBy(actor, QStringLiteral("revoke_api_key"), QStringLiteral("api_keys"), keyId,
                                          {{QStringLiteral("prefix"), found.value()->prefix}}));
    }, m_clock);
    if (!stored)
        return stored;
    m_authenticator.forgetApiKey(keyId);
    return {};
}

} // namespace wadesk
