#include "core/auth/Authenticator.h"

#include "core/auth/ApiKeyCodec.h"
#include "core/auth/ApiKeyRepository.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/UserRepository.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QDateTime>

namespace wadesk {

namespace {
constexpr int kMaxCacheEntries = 10000;
constexpr qint64 kTouchEveryMs = 60 * 1000; // last_used_at is written at most once a minute per key

DomainError invalidKey()
{
    return DomainError::unauthorized(QStringLiteral("Invalid API key"), QStringLiteral("invalid_api_key"));
}
} // namespace

Authenticator::Authenticator(Database &database, const JwtCodec &jwt, int cacheMs, const Clock &clock)
    : m_database(database)
    , m_jwt(jwt)
    , m_cacheMs(cacheMs)
    , m_clock(clock)
{
}

Result<AuthContext> Authenticator::authenticate(const QByteArray &apiKeyHeader, const QByteArray &authorizationHeader,
                                                const QString &ipAddress)
{
    const qint64 now = m_clock.nowMs();
    QString credential = QString::fromLatin1(apiKeyHeader.trimmed());
    bool bearer = false;
    if (credential.isEmpty() && !authorizationHeader.isEmpty()) {
        const QByteArray value = authorizationHeader.trimmed();
        if (!value.toLower().startsWith("bearer "))
            return DomainError::unauthorized(QStringLiteral("Authorization must be 'Bearer <token>'"),
                                             QStringLiteral("invalid_authorization"));
        credential = QString::fromLatin1(value.mid(7).trimmed());
        bearer = true;
    }
    if (credential.isEmpty())
        return DomainError::unauthorized(QStringLiteral("API key required"), QStringLiteral("auth_required"));

    Result<AuthContext> ctx = credential.startsWith(QLatin1String("sk_")) ? byApiKey(credential, now)
        : bearer                                                         ? byJwt(credential, now)
                                                                         : Result<AuthContext>(invalidKey());
    if (!ctx)
        return ctx;
    AuthContext out = ctx.value();
    out.ipAddress = ipAddress;
    return out;
}

Result<AuthContext> Authenticator::loadUser(const QString &organizationId, const QString &userId)
{
    SqlRunner sql(m_database);
    UserRepository users(sql);
    Result<std::optional<UserRecord>> user = users.find(organizationId, userId);
    if (!user)
        return user.error();
    if (!user.value())
        return DomainError::unauthorized(QStringLiteral("The account no longer exists"), QStringLiteral("invalid_credentials"));
    if (!user.value()->active)
        return DomainError::unauthorized(QStringLiteral("The account is disabled"), QStringLiteral("account_disabled"));
    AuthContext ctx;
    ctx.userId = user.value()->id;
    ctx.organizationId = user.value()->organizationId;
    ctx.email = user.value()->email;
    ctx.name = user.value()->name;
    ctx.role = user.value()->role;
    return ctx;
}

Result<AuthContext> Authenticator::byApiKey(const QString &key, qint64 now)
{
    if (!ApiKeyCodec::looksLikeKey(key))
        return invalidKey();
    const QString hash = ApiKeyCodec::hashOf(key);
    const QString cacheKey = QStringLiteral("k:") + hash;
    bool touch = false;
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_cache.find(cacheKey);
        if (it != m_cache.end() && now - it->cachedAt < m_cacheMs) {
            if (it->keyExpiresAt > 0 && it->keyExpiresAt <= now)
                return DomainError::unauthorized(QStringLiteral("API key expired"), QStringLiteral("api_key_expired"));
            if (now - it->lastTouched < kTouchEveryMs)
                return it->context;
            it->lastTouched = now;
            touch = true;
        }
    }
    SqlRunner sql(m_database);
    ApiKeyRepository keys(sql);
    if (touch) {
        AuthContext ctx;
        {
            QMutexLocker lock(&m_mutex);
            ctx = m_cache.value(cacheKey).context;
        }
        const Status touched = keys.touch(ctx.apiKeyId, now);
        if (!touched && !Database::refusesWritesOnly(touched.error()))
            return touched.error();
        return ctx;
    }

    Result<std::optional<ApiKeyRecord>> found = keys.findByHash(hash);
    if (!found)
        return found.error();
    if (!found.value() || !ApiKeyCodec::sameHash(found.value()->keyHash, hash))
        return invalidKey();
    const ApiKeyRecord &record = *found.value();
    if (record.revokedAt > 0)
        return DomainError::unauthorized(QStringLiteral("API key revoked"), QStringLiteral("api_key_revoked"));
    if (record.expiresAt > 0 && record.expiresAt <= now)
        return DomainError::unauthorized(QStringLiteral("API key expired"), QStringLiteral("api_key_expired"));
    Result<AuthContext> ctx = loadUser(record.organizationId, record.userId);
    if (!ctx)
        return ctx;
    AuthContext out = ctx.value();
    out.apiKeyId = record.id;
    const Status touched = keys.touch(record.id, now);
    if (!touched && !Database::refusesWritesOnly(touched.error()))
        return touched.error();
    QMutexLocker lock(&m_mutex);
    if (m_cache.size() >= kMaxCacheEntries)
        m_cache.clear();
    m_cache.insert(cacheKey, Cached{out, now, record.expiresAt, now});
    return out;
}

Result<AuthContext> Authenticator::byJwt(const QString &token, qint64 now)
{
    Result<JwtCodec::Claims> claims = m_jwt.verify(token, now / 1000);
    if (!claims)
        return claims.error();
    const QString cacheKey = QStringLiteral("j:") + claims.value().userId;
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_cache.constFind(cacheKey);
        if (it != m_cache.constEnd() && now - it->cachedAt < m_cacheMs
            && it->context.organizationId == claims.value().organizationId)
            return it->context;
    }
    Result<AuthContext> ctx = loadUser(claims.value().organizationId, claims.value().userId);
    if (!ctx)
        return ctx;
    QMutexLocker lock(&m_mutex);
    if (m_cache.size() >= kMaxCacheEntries)
        m_cache.clear();
    m_cache.insert(cacheKey, Cached{ctx.value(), now, 0, now});
    return ctx;
}

void Authenticator::forgetUser(const QString &userId)
{
    QMutexLocker lock(&m_mutex);
    for (auto it = m_cache.begin(); it != m_cache.end();) {
        if (it->context.userId == userId)
            it = m_cache.erase(it);
        else
            ++it;
    }
}

void Authenticator::forgetApiKey(const QString &keyId)
{
    QMutexLocker lock(&m_mutex);
    for (auto it = m_cache.begin(); it != m_cache.end();) {
        if (it->context.apiKeyId == keyId)
            it = m_cache.erase(it);
        else
            ++it;
    }
}

} // namespace wadesk
