#pragma once

#include "core/common/DomainError.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>
#include <memory>
#include <type_traits>
#include <utility>

namespace wadesk {

class Database;

// Prepares, binds and runs one statement on the calling thread's connection. A failure is
// logged with its SQL text and returned as an internal DomainError that carries none of it.
class SqlRunner {
public:
    explicit SqlRunner(Database &database) : m_database(database) {}

    Result<QSqlQuery> run(const QString &sql, const QVariantList &bindings = {}, const char *context = "query");
    // Runs and returns the number of affected rows. The statement is prepared once per thread
    // and connection and then only re-bound (on SQLite, parsing a small statement costs about as
    // much as running it; on PostgreSQL a prepare is a round trip).
    Result<int> change(const QString &sql, const QVariantList &bindings = {}, const char *context = "change");
    // Inserts many rows with multi-row INSERTs: `head` is "INSERT INTO t (a, b) VALUES" (an
    // optional `tail` such as "ON CONFLICT DO NOTHING" follows the rows), `values` holds the rows
    // one after the other, `columns` values each. On PostgreSQL every statement is a round trip
    // and Qt runs batches row by row, so one statement per 64 rows is what makes bulk writes
    // cheap. Rows go in chunks of nextChunk(), so at most seven statement texts per table are
    // ever prepared. Returns the rows affected.
    Result<int> insertRows(const QString &head, int columns, const QVariantList &values, const char *context,
                           const QString &tail = QString());
    // How many of `remaining` items the next multi-row statement takes: 64, then the binary
    // decomposition of the rest (32, 16, ... 1), so a statement has one of seven shapes.
    static int nextChunk(int remaining);
    // A query on a statement prepared once per thread and connection, like change(): `read`
    // takes what it needs from the result (and must not keep the query), after which the
    // statement is reset, so that no read transaction stays open. Returns what `read` returned.
    template <typename Read>
    auto query(const QString &sql, const QVariantList &bindings, const char *context, Read read)
        -> Result<std::invoke_result_t<Read, QSqlQuery &>>;
    Database &database() { return m_database; }

    // Forgets the statements prepared on the calling thread for `connectionName` (the
    // connection is about to be closed). Called by Database.
    static void forgetPrepared(const QString &connectionName);

private:
    // A prepared statement lent to one caller: the cached one, or a fresh one when the cached
    // one is already in use further up the stack.
    class Lease {
    public:
        Lease() = default;
        Lease(Lease &&other) noexcept;
        Lease &operator=(Lease &&) = delete;
        ~Lease();
        QSqlQuery *query = nullptr;
        bool reused = false; // prepared earlier (a failure may just mean it went stale)

    private:
        friend class SqlRunner;
        bool *busy = nullptr;
        std::unique_ptr<QSqlQuery> owned;
    };
    // Binds and runs `sql` on a prepared statement; on failure of a reused one, prepares it
    // afresh and runs it once more. Nothing to read: `error` set.
    Lease execPrepared(const QString &sql, const QVariantList &bindings, const char *context, DomainError *error);
    Lease lease(const QSqlDatabase &db, const QString &sql, bool fresh, QSqlError *error);

    Database &m_database;
};

template <typename Read>
auto SqlRunner::query(const QString &sql, const QVariantList &bindings, const char *context, Read read)
    -> Result<std::invoke_result_t<Read, QSqlQuery &>>
{
    DomainError error;
    Lease statement = execPrepared(sql, bindings, context, &error);
    if (!statement.query)
        return error;
    auto value = read(*statement.query);
    statement.query->finish();
    return value;
}

// A transaction on the calling thread's connection, rolled back unless committed. On SQLite it
// starts with BEGIN IMMEDIATE so writers queue instead of failing later; writers of this
// process queue on a mutex first (woken the moment the other commits, where SQLite's busy
// handler would sleep in steps of milliseconds), other processes on the busy timeout.
class Transaction {
public:
    explicit Transaction(Database &database);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    Status begin();
    Status commit();

private:
    void unlockWriters();

    Database &m_database;
    bool m_open = false;
    bool m_locked = false;
};

// A bound NULL that QPSQL and QSQLITE both accept for text columns.
QVariant nullText();
QVariant nullInt();
QVariant textOrNull(const QString &text); // NULL for an empty string
QVariant timeOrNull(qint64 msecs);        // NULL for 0

} // namespace wadesk
