#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QMutex>

namespace wadesk {

class Database;
class JwtCodec;

// Establishes who is calling from `X-API-Key: sk_…` or `Authorization: Bearer <JWT | sk_…>`.
// API keys are looked up by their SHA-256 (no slow hash on the request path). A verified
// identity is cached for `cacheMs`; changes made on this instance (revocation, role change,
// removal) forget the affected entries at once, changes made by another instance sharing the
// database take effect within `cacheMs`.
class Authenticator {
public:
    Authenticator(Database &database, const JwtCodec &jwt, int cacheMs = 5000, const Clock &clock = Clock::system());

    Result<AuthContext> authenticate(const QByteArray &apiKeyHeader, const QByteArray &authorizationHeader,
                                     const QString &ipAddress);
    void forgetUser(const QString &userId);
    void forgetApiKey(const QString &keyId);

private:
    struct Cached {
        AuthContext context;
        qint64 cachedAt = 0;
        qint64 keyExpiresAt = 0;
        qint64 lastTouched = 0;
    };
    Result<AuthContext> byApiKey(const QString &key, qint64 now);
    Result<AuthContext> byJwt(const QString &token, qint64 now);
    Result<AuthContext> loadUser(const QString &organizationId, const QString &userId);

    Database &m_database;
    const JwtCodec &m_jwt;
    int m_cacheMs;
    const Clock &m_clock;
    QMutex m_mutex;
    QHash<QString, Cached> m_cache; // "k:<hash>" for keys, "j:<userId>" for tokens
};

} // namespace wadesk
