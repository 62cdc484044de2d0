#include "core/db/SettingsRepository.h"

#include "core/db/Database.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

namespace wadesk {

SettingsRepository::SettingsRepository(Database &database, const Clock &clock)
    : m_database(database)
    , m_clock(clock)
{
}

Result<std::optional<QString>> SettingsRepository::get(const QString &organizationId, const QString &key)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(db.value());
    q.prepare(QStringLiteral("SELECT value FROM settings WHERE organization_id = ? AND key = ?"));
    q.addBindValue(organizationId.isNull() ? QStringLiteral("") : organizationId);
    q.addBindValue(key);
    if (!q.exec())
        return Database::sqlFailure(q.lastError(), "settings.get");
    if (!q.next())
        return std::optional<QString>();
    return std::optional<QString>(q.value(0).toString());
}

Status SettingsRepository::set(const QString &organizationId, const QString &key, const QString &value)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(db.value());
    // ON CONFLICT ... DO UPDATE is understood by SQLite (3.24+) and PostgreSQL alike.
    q.prepare(QStringLiteral("INSERT INTO settings (organization_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (organization_id, key) DO UPDATE SET value = excluded.value, "
                             "updated_at = excluded.updated_at"));
    q.addBindValue(organizationId.isNull() ? QStringLiteral("") : organizationId);
    q.addBindValue(key);
    // A null QString binds as SQL NULL, which the NOT NULL column refuses: empty is ''.
    q.addBindValue(value.isNull() ? QStringLiteral("") : value);
    q.addBindValue(m_clock.nowMs());
    if (!q.exec())
        return Database::sqlFailure(q.lastError(), "settings.set");
    return {};
}

Result<bool> SettingsRepository::insertIfAbsent(const QString &organizationId, const QString &key, const QString &value)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(db.value());
    q.prepare(QStringLiteral("INSERT INTO settings (organization_id, key, value, updated_at) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (organization_id, key) DO NOTHING"));
    q.addBindValue(organizationId.isNull() ? QStringLiteral("") : organizationId);
    q.addBindValue(key);
    q.addBindValue(value.isNull() ? QStringLiteral("") : value);
    q.addBindValue(m_clock.nowMs());
    if (!q.exec())
        return Database::sqlFailure(q.lastError(), "settings.insertIfAbsent");
    return q.numRowsAffected() == 1;
}

} // namespace wadesk
