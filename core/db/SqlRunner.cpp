#include "db/SqlRunner.h"

#include "db/Database.h"

#include <QSqlError>
#include <spdlog/spdlog.h>

namespace wadesk {

QVariant nullText()
{
    return QVariant(QMetaType(QMetaType::QString));
}

QVariant nullInt()
{
    return QVariant(QMetaType(QMetaType::LongLong));
}

QVariant textOrNull(const QString &text)
{
    return text.isEmpty() ? nullText() : QVariant(text);
}

QVariant timeOrNull(qint64 msecs)
{
    return msecs > 0 ? QVariant(msecs) : nullInt();
}

Result<QSqlQuery> SqlRunner::run(const QString &sql, const QVariantList &bindings, const char *context)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(db.value());
    q.setForwardOnly(true);
    if (!q.prepare(sql)) {
        spdlog::error("sql prepare failed in {}: {} -- {}", context, q.lastError().text().toStdString(), sql.toStdString());
        return DomainError::internal(QStringLiteral("Database error"));
    }
    for (const QVariant &v : bindings)
        q.addBindValue(v);
    if (!q.exec()) {
        spdlog::error("sql failed in {}: {} -- {}", context, q.lastError().text().toStdString(), sql.toStdString());
        return Database::sqlFailure(q.lastError(), context);
    }
    return q;
}

Result<int> SqlRunner::change(const QString &sql, const QVariantList &bindings, const char *context)
{
    Result<QSqlQuery> q = run(sql, bindings, context);
    if (!q)
        return q.error();
    return q.value().numRowsAffected();
}

Transaction::Transaction(Database &database)
    : m_database(database)
{
}

Transaction::~Transaction()
{
    if (!m_open)
        return;
    Result<QSqlDatabase> db = m_database.connection();
    if (db) {
        QSqlQuery q(db.value());
        q.exec(QStringLiteral("ROLLBACK"));
    }
}

Status Transaction::begin()
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(db.value());
    if (!q.exec(m_database.isPostgres() ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE")))
        return Database::sqlFailure(q.lastError(), "begin");
    m_open = true;
    return {};
}

Status Transaction::commit()
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(db.value());
    if (!q.exec(QStringLiteral("COMMIT")))
        return Database::sqlFailure(q.lastError(), "commit");
    m_open = false;
    return {};
}

} // namespace wadesk
