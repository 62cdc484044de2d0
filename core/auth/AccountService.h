#pragma once

#include "core/auth/ApiKeyRepository.h"
#include "core/access/AuthContext.h"
#include "core/auth/UserRepository.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QString>
#include <functional>
#include <optional>

namespace wadesk {

class Database;
class JwtCodec;

// Registration and sign-in. Password hashing is slow on purpose, so it is not done here: the
// caller hashes (or verifies) on a worker thread and passes the result in; everything here is
// quick database work on the calling thread.
class AccountService {
public:
    AccountService(Database &database, const JwtCodec &jwt, const Clock &clock = Clock::system());

    struct RegisterInput {
        QString email;
        QString name;
        QString organizationName;
        QString passwordHash; // argon2id, made by the caller
        QString ipAddress;
    };
    struct Registration {
        OrganizationRecord organization;
        UserRecord admin;
        QString token;
        QString apiKey; // shown once
    };
    // Checks the fields that need no hashing (email format, lengths); call before hashing.
    static Status validateRegistration(const QString &email, const QString &password, const QString &name,
                                       const QString &organizationName);
    // `alsoInTransaction`, when given, runs after the organization, its admin, the first API key
    // and the audit entry are written and before they are committed: what it writes (on this
    // thread's connection) commits or rolls back with the registration (the v1 import's clients).
    Result<Registration> registerOrganization(const RegisterInput &input,
                                              const std::function<Status(const Registration &)> &alsoInTransaction = {});

    // Sign-in, phase 1: throttling, then the stored hash to verify against (the user may not
    // exist; the caller then verifies against a decoy so timing reveals nothing).
    struct LoginAttempt {
        std::optional<UserRecord> user;
    };
    Result<LoginAttempt> beginLogin(const QString &email, const QString &ipAddress);
    // Phase 2, with the verification result: records a failure (and audits it) or issues a token.
    struct LoginSuccess {
        UserRecord user;
        QString token;
        qint64 expiresAt = 0;
    };
    Result<LoginSuccess> finishLogin(const QString &email, const LoginAttempt &attempt, bool passwordMatched,
                                     const QString &ipAddress, const QString &rehashedPassword = QString());

    // The signed-in user as stored now, read in the organization they signed in to: nullopt when
    // removed or moved elsewhere. A session that outlives its token (the desktop) re-checks with it.
    Result<std::optional<UserRecord>> currentUser(const AuthContext &actor);
    // The signed-in user's own new password. The caller verified the current password against
    // `verifiedHash` (the stored hash it read from currentUser()) and made `newHash` on a worker
    // thread; a hash changed meanwhile (another change won) is refused with 409
    // password_changed. Audited as change_password.
    Status changePassword(const AuthContext &actor, const QString &verifiedHash, const QString &newHash);

private:
    Database &m_database;
    const JwtCodec &m_jwt;
    const Clock &m_clock;
};

// Email and password rules shared by registration and team management.
namespace AccountRules {
Status checkEmail(const QString &email);
Status checkPassword(const QString &password);
} // namespace AccountRules

} // namespace wadesk
