#pragma once

#include "core/access/AuthContext.h"
#include "core/access/Permissions.h"
#include "core/common/DomainError.h"

#include <QList>
#include <QString>
#include <optional>

namespace wadesk {

class SqlRunner;

struct UserRecord {
    QString id;
    QString organizationId;
    QString email;
    QString passwordHash;
    QString name;
    Role role = Role::Viewer;
    bool active = true;
    QString createdBy;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    qint64 lastLoginAt = 0;

    // This user as the actor of what they do from `address` (signed in on the desktop, say).
    AuthContext actingFrom(const QString &address) const
    {
        AuthContext actor;
        actor.userId = id;
        actor.organizationId = organizationId;
        actor.email = email;
        actor.name = name;
        actor.role = role;
        actor.ipAddress = address;
        return actor;
    }
};

struct OrganizationRecord {
    QString id;
    QString name;
    qint64 createdAt = 0;
};

// Organizations and their users. Every call but the sign-in lookup is scoped by organization:
// a user of another organization reads as "not found".
class UserRepository {
public:
    explicit UserRepository(SqlRunner &sql) : m_sql(sql) {}

    static QString normalizeEmail(const QString &email);

    Status insertOrganization(const OrganizationRecord &org);
    Result<std::optional<OrganizationRecord>> findOrganization(const QString &organizationId);

    Status insert(const UserRecord &user); // 409 email_taken when the email exists
    Result<std::optional<UserRecord>> findByEmail(const QString &email); // sign-in only
    Result<std::optional<UserRecord>> find(const QString &organizationId, const QString &userId);
    Result<QList<UserRecord>> list(const QString &organizationId, int limit, int offset);
    Result<int> count(const QString &organizationId);
    Status update(const UserRecord &user);
    Status updatePasswordHash(const QString &organizationId, const QString &userId, const QString &hash);
    Status touchLogin(const QString &organizationId, const QString &userId, qint64 at);
    Result<bool> remove(const QString &organizationId, const QString &userId);
    // Call inside the transaction that changes an admin: on PostgreSQL the rows counted stay
    // locked until it ends (concurrent demotions by other instances wait, then recount).
    Result<int> countActiveAdmins(const QString &organizationId);

private:
    SqlRunner &m_sql;
};

} // namespace wadesk
