#pragma once

#include "common/DomainError.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>

namespace wadesk {

class Database;

// Prepares, binds and runs one statement on the calling thread's connection. A failure is
// logged with its SQL text and returned as an internal DomainError that carries none of it.
class SqlRunner {
public:
    explicit SqlRunner(Database &database) : m_database(database) {}

    Result<QSqlQuery> run(const QString &sql, const QVariantList &bindings = {}, const char *context = "query");
    // Runs and returns the number of affected rows.
    Result<int> change(const QString &sql, const QVariantList &bindings = {}, const char *context = "change");
    Database &database() { return m_database; }

private:
    Database &m_database;
};

// A transaction on the calling thread's connection, rolled back unless committed. On SQLite it
// starts with BEGIN IMMEDIATE so writers queue on the busy timeout instead of failing later.
class Transaction {
public:
    explicit Transaction(Database &database);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    Status begin();
    Status commit();

private:
    Database &m_database;
    bool m_open = false;
};

// A bound NULL that QPSQL and QSQLITE both accept for text columns.
QVariant nullText();
QVariant nullInt();
QVariant textOrNull(const QString &text); // NULL for an empty string
QVariant timeOrNull(qint64 msecs);        // NULL for 0

} // namespace wadesk
