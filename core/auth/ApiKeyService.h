#pragma once

#include "core/auth/ApiKeyRepository.h"
#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"

namespace wadesk {

class Authenticator;
class Database;

// API keys: each belongs to a user and acts with that user's role. Everyone manages their own;
// admins also see and revoke every key of the organization.
class ApiKeyService {
public:
    static constexpr int kMaxActiveKeysPerUser = 50;

    ApiKeyService(Database &database, Authenticator &authenticator, const Clock &clock = Clock::system());

    struct Created {
        ApiKeyRecord record;
        QString plaintext; // shown once
    };
    Result<Created> create(const AuthContext &actor, const QString &name, qint64 expiresAt);
    Result<QList<ApiKeyRecord>> list(const AuthContext &actor, int limit, int offset);
    Status revoke(const AuthContext &actor, const QString &keyId);

private:
    Database &m_database;
    Authenticator &m_authenticator;
    const Clock &m_clock;
};

} // namespace wadesk
