#include "core/auth/AccountService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditedChange.h"
#include "core/auth/ApiKeyCodec.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/LoginThrottle.h"
#include "core/auth/PasswordHasher.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QDateTime>
#include <QRegularExpression>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace AccountRules {
Status checkEmail(const QString &email)
{
    static const QRegularExpression pattern(
        QStringLiteral("^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                       "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"));
    if (email.size() > 254 || !pattern.match(email).hasMatch())
        return DomainError::validation(QStringLiteral("email"), QStringLiteral("email is not a valid address"));
    return {};
}

Status checkPassword(const QString &password)
{
    if (password.size() < PasswordHasher::kMinLength)
        return DomainError::validation(QStringLiteral("password"),
                                       QStringLiteral("password must be at least %1 characters").arg(PasswordHasher::kMinLength));
    if (password.size() > PasswordHasher::kMaxLength)
        return DomainError::validation(QStringLiteral("password"),
                                       QStringLiteral("password must be at most %1 characters").arg(PasswordHasher::kMaxLength));
    return {};
}
} // namespace AccountRules

namespace {
DomainError wrongCredentials()
{
    return DomainError::unauthorized(QStringLiteral("Invalid email or password"), QStringLiteral("invalid_credentials"));
}
} // namespace

AccountService::AccountService(Database &database, const JwtCodec &jwt, const Clock &clock)
    : m_database(database)
    , m_jwt(jwt)
    , m_clock(clock)
{
}

Status AccountService::validateRegistration(const QString &email, const QString &password, const QString &name,
                                            const QString &organizationName)
{
    if (Status s = AccountRules::checkEmail(email); !s)
        return s;
    if (Status s = AccountRules::checkPassword(password); !s)
        return s;
    if (name.isEmpty() || name.size() > 100)
        return DomainError::validation(QStringLiteral("name"), QStringLiteral("name must be 1 to 100 characters"));
    if (organizationName.isEmpty() || organizationName.size() > 200)
        return DomainError::validation(QStringLiteral("organization_name"),
                                       QStringLiteral("organization_name must be 1 to 200 characters"));
    return {};
}

Result<AccountService::Registration> AccountService::registerOrganization(
    const RegisterInput &in, const std::function<Status(const Registration &)> &alsoInTransaction)
{
    const qint64 now = m_clock.nowMs();
    Registration out;
    out.organization = OrganizationRecord{Ids::make("org"), in.organizationName, now};
    out.admin.id = Ids::make("user");
    out.admin.organizationId = out.organization.id;
    out.admin.email = in.email;
    out.admin.passwordHash = in.passwordHash;
    out.admin.name = in.name;
    out.admin.role = Role::Admin;
    out.admin.createdAt = out.admin.updatedAt = now;

    const ApiKeyCodec::NewKey key = ApiKeyCodec::generate();
    ApiKeyRecord keyRecord;
    keyRecord.id = Ids::make("key");
    keyRecord.organizationId = out.organization.id;
    keyRecord.userId = out.admin.id;
    keyRecord.name = QStringLiteral("Default key");
    keyRecord.keyHash = key.hash;
    keyRecord.prefix = key.prefix;
    keyRecord.lastFour = key.lastFour;
    keyRecord.createdAt = now;

    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        UserRepository users(write.sql);
        if (Status s = users.insertOrganization(out.organization); !s)
            return s;
        if (Status s = users.insert(out.admin); !s)
            return s;
        if (Status s = ApiKeyRepository(write.sql).insert(keyRecord); !s)
            return s;
        AuditEntry entry;
        entry.organizationId = out.organization.id;
        entry.userId = out.admin.id;
        entry.action = QStringLiteral("register");
        entry.resource = QStringLiteral("organizations");
        entry.resourceId = out.organization.id;
        entry.details = QJsonObject{{QStringLiteral("email"), in.email}, {QStringLiteral("organization_name"), in.organizationName}};
        entry.ipAddress = in.ipAddress;
        if (Status s = write.audit.append(entry); !s)
            return s;
        return alsoInTransaction ? alsoInTransaction(out) : Status();
    }, m_clock);
    if (!stored)
        return stored.error();

    out.token = m_jwt.issue(out.admin.id, out.organization.id, now / 1000);
    out.apiKey = key.plaintext;
    return out;
}

Result<AccountService::LoginAttempt> AccountService::beginLogin(const QString &email, const QString &ipAddress)
{
    const qint64 now = m_clock.nowMs();
    SqlRunner sql(m_database);
    LoginThrottle throttle(sql);
    UserRepository users(sql);
    Result<std::optional<UserRecord>> user = users.findByEmail(email);
    if (!user)
        return user.error();
    Result<int> wait = throttle.retryAfterSeconds(email, ipAddress, now);
    if (!wait)
        return wait.error();
    if (wait.value() > 0) {
        spdlog::warn("sign-in throttled for {} from {} ({} s)", UserRepository::normalizeEmail(email).toStdString(),
                     ipAddress.toStdString(), wait.value());
        if (user.value()) {
            AuditEntry entry;
            entry.organizationId = user.value()->organizationId;
            entry.userId = user.value()->id;
            entry.action = QStringLiteral("login_throttled");
            entry.resource = QStringLiteral("users");
            entry.resourceId = user.value()->id;
            entry.ipAddress = ipAddress;
            entry.details = QJsonObject{{QStringLiteral("retry_after"), wait.value()}};
            if (Status s = AuditLog::appendAlone(m_database, entry, m_clock); !s)
                return s.error();
        }
        return DomainError::tooManyRequests(QStringLiteral("Too many failed sign-in attempts; try again later"), wait.value(),
                                            QStringLiteral("too_many_attempts"));
    }
    return LoginAttempt{user.value()};
}

Result<AccountService::LoginSuccess> AccountService::finishLogin(const QString &email, const LoginAttempt &attempt,
                                                                 bool passwordMatched, const QString &ipAddress,
                                                                 const QString &rehashedPassword)
{
    const qint64 now = m_clock.nowMs();
    const bool ok = passwordMatched && attempt.user && attempt.user->active;

    if (!ok) {
        // The failure is kept (throttle and audit) and then refused.
        Status recorded = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
            if (Status s = LoginThrottle(write.sql).recordFailure(email, ipAddress, now); !s)
                return s;
            if (!attempt.user)
                return {};
            AuditEntry entry;
            entry.organizationId = attempt.user->organizationId;
            entry.userId = attempt.user->id;
            entry.action = QStringLiteral("login_failed");
            entry.resource = QStringLiteral("users");
            entry.resourceId = attempt.user->id;
            entry.ipAddress = ipAddress;
            entry.details = QJsonObject{
                {QStringLiteral("reason"), passwordMatched ? QStringLiteral("account_disabled") : QStringLiteral("wrong_password")}};
            return write.audit.append(entry);
        }, m_clock);
        if (!recorded)
            return recorded.error();
        return wrongCredentials();
    }
    const UserRecord &user = *attempt.user;
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        UserRepository users(write.sql);
        if (Status s = LoginThrottle(write.sql).clearAccount(email); !s)
            return s;
        if (Status s = users.touchLogin(user.organizationId, user.id, now); !s)
            return s;
        if (!rehashedPassword.isEmpty()) {
            if (Status s = users.updatePasswordHash(user.organizationId, user.id, rehashedPassword); !s)
                return s;
        }
        AuditEntry entry;
        entry.organizationId = user.organizationId;
        entry.userId = user.id;
        entry.action = QStringLiteral("login");
        entry.resource = QStringLiteral("users");
        entry.resourceId = user.id;
        entry.ipAddress = ipAddress;
        return write.audit.append(entry);
    }, m_clock);
    if (!stored)
        return stored.error();
    LoginSuccess out;
    out.user = user;
    out.token = m_jwt.issue(user.id, user.organizationId, now / 1000);
    out.expiresAt = now + m_jwt.lifetimeSeconds() * 1000;
    return out;
}

Result<std::optional<UserRecord>> AccountService::currentUser(const AuthContext &actor)
{
    SqlRunner sql(m_database);
    return UserRepository(sql).find(actor.organizationId, actor.userId);
}

Status AccountService::changePassword(const AuthContext &actor, const QString &verifiedHash, const QString &newHash)
{
    if (actor.userId.isEmpty() || verifiedHash.isEmpty() || newHash.isEmpty())
        return DomainError::unauthorized(QStringLiteral("Sign in first"), QStringLiteral("unauthorized"));
    return runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        Result<int> changed = write.sql.change(
            QStringLiteral("UPDATE users SET password_hash = ?, updated_at = ? WHERE organization_id = ? AND id = ? AND password_hash = ?"),
            {newHash, m_clock.nowMs(), actor.organizationId, actor.userId, verifiedHash}, "users.password_hash");
        if (!changed)
            return changed.error();
        if (changed.value() == 0)
            return DomainError::conflict(QStringLiteral("The password was changed meanwhile; enter the current one again"),
                                         QStringLiteral("password_changed"));
        return write.audit.append(auditBy(actor, QStringLiteral("change_password"), QStringLiteral("users"), actor.userId, QJsonObject{}));
    }, m_clock);
}

} // namespace wadesk
