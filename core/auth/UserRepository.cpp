#include "core/auth/UserRepository.h"

#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QSqlQuery>

namespace wadesk {

namespace {
const QString kColumns = QStringLiteral(
    "id, organization_id, email, password_hash, name, role, active, created_by, created_at, updated_at, last_login_at");

UserRecord fromRow(const QSqlQuery &q)
{
    UserRecord u;
    u.id = q.value(0).toString();
    u.organizationId = q.value(1).toString();
    u.email = q.value(2).toString();
    u.passwordHash = q.value(3).toString();
    u.name = q.value(4).toString();
    u.role = Permissions::parseRole(q.value(5).toString()).value_or(Role::Viewer);
    u.active = q.value(6).toInt() != 0;
    u.createdBy = q.value(7).toString();
    u.createdAt = q.value(8).toLongLong();
    u.updatedAt = q.value(9).toLongLong();
    u.lastLoginAt = q.value(10).toLongLong();
    return u;
}

Result<std::optional<UserRecord>> one(Result<QSqlQuery> q)
{
    if (!q)
        return q.error();
    if (!q.value().next())
        return std::optional<UserRecord>();
    return std::optional<UserRecord>(fromRow(q.value()));
}
} // namespace

QString UserRepository::normalizeEmail(const QString &email)
{
    return email.trimmed().toLower();
}

Status UserRepository::insertOrganization(const OrganizationRecord &org)
{
    Result<int> r = m_sql.change(
        QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"),
        {org.id, org.name, org.createdAt, org.createdAt}, "organizations.insert");
    if (!r)
        return r.error();
    return {};
}

Result<std::optional<OrganizationRecord>> UserRepository::findOrganization(const QString &organizationId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT id, name, created_at FROM organizations WHERE id = ?"),
                                    {organizationId}, "organizations.find");
    if (!q)
        return q.error();
    if (!q.value().next())
        return std::optional<OrganizationRecord>();
    OrganizationRecord o{q.value().value(0).toString(), q.value().value(1).toString(), q.value().value(2).toLongLong()};
    return std::optional<OrganizationRecord>(o);
}

Status UserRepository::insert(const UserRecord &u)
{
    Result<std::optional<UserRecord>> existing = findByEmail(u.email);
    if (!existing)
        return existing.error();
    if (existing.value())
        return DomainError::conflict(QStringLiteral("A user with this email already exists"), QStringLiteral("email_taken"));
    Result<int> r = m_sql.change(
        QStringLiteral("INSERT INTO users (id, organization_id, email, email_normalized, password_hash, name, role, active, "
                       "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {u.id, u.organizationId, u.email, normalizeEmail(u.email), u.passwordHash, u.name, Permissions::roleName(u.role),
         u.active ? 1 : 0, u.createdBy.isEmpty() ? nullText() : QVariant(u.createdBy), u.createdAt, u.updatedAt},
        "users.insert");
    if (!r)
        return r.error();
    return {};
}

Result<std::optional<UserRecord>> UserRepository::findByEmail(const QString &email)
{
    return one(m_sql.run(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM users WHERE email_normalized = ?"),
                         {normalizeEmail(email)}, "users.findByEmail"));
}

Result<std::optional<UserRecord>> UserRepository::find(const QString &organizationId, const QString &userId)
{
    return one(m_sql.run(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM users WHERE organization_id = ? AND id = ?"),
                         {organizationId, userId}, "users.find"));
}

Result<QList<UserRecord>> UserRepository::list(const QString &organizationId, int limit, int offset)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + kColumns
                                        + QStringLiteral(" FROM users WHERE organization_id = ? ORDER BY created_at, id LIMIT ? OFFSET ?"),
                                    {organizationId, limit, offset}, "users.list");
    if (!q)
        return q.error();
    QList<UserRecord> out;
    while (q.value().next())
        out << fromRow(q.value());
    return out;
}

Result<int> UserRepository::count(const QString &organizationId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT COUNT(*) FROM users WHERE organization_id = ?"), {organizationId},
                                    "users.count");
    if (!q)
        return q.error();
    q.value().next();
    return q.value().value(0).toInt();
}

Status UserRepository::update(const UserRecord &u)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE users SET name = ?, role = ?, active = ?, updated_at = ? WHERE organization_id = ? AND id = ?"),
        {u.name, Permissions::roleName(u.role), u.active ? 1 : 0, u.updatedAt, u.organizationId, u.id}, "users.update");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return DomainError::notFound(QStringLiteral("User"));
    return {};
}

Status UserRepository::updatePasswordHash(const QString &organizationId, const QString &userId, const QString &hash)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE users SET password_hash = ? WHERE organization_id = ? AND id = ?"),
                                 {hash, organizationId, userId}, "users.rehash");
    if (!r)
        return r.error();
    return {};
}

Status UserRepository::touchLogin(const QString &organizationId, const QString &userId, qint64 at)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE users SET last_login_at = ? WHERE organization_id = ? AND id = ?"),
                                 {at, organizationId, userId}, "users.touchLogin");
    if (!r)
        return r.error();
    return {};
}

Result<bool> UserRepository::remove(const QString &organizationId, const QString &userId)
{
    Result<int> r = m_sql.change(QStringLiteral("DELETE FROM users WHERE organization_id = ? AND id = ?"),
                                 {organizationId, userId}, "users.remove");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Result<int> UserRepository::countActiveAdmins(const QString &organizationId)
{
    // Called inside the transaction that may remove an admin. On PostgreSQL the admin rows are
    // locked, so two admins demoting each other at once are serialized and the second sees the
    // first's change (READ COMMITTED would otherwise let both see two admins). SQLite's
    // BEGIN IMMEDIATE already serializes writers.
    const QString lock = m_sql.database().isPostgres() ? QStringLiteral(" FOR UPDATE") : QString();
    Result<QSqlQuery> q = m_sql.run(
        QStringLiteral("SELECT id FROM users WHERE organization_id = ? AND role = 'admin' AND active = 1") + lock,
        {organizationId}, "users.countAdmins");
    if (!q)
        return q.error();
    int n = 0;
    while (q.value().next())
        ++n;
    return n;
}

} // namespace wadesk
