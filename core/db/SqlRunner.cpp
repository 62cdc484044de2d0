#include "core/db/SqlRunner.h"

#include "core/common/RuntimeMetrics.h"
#include "core/db/Database.h"
#include "core/db/SqliteReader.h"

#include <QElapsedTimer>
#include <QSqlError>
#include <spdlog/spdlog.h>

#include <unordered_map>

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

namespace {
void logFailedStatement(const char *what, const char *context, const QSqlError &error, const QString &sql)
{
    // A full disk or a read-only file refuses every write until it is fixed: Database logs that
    // once per episode, the statements it refuses are for debugging only.
    const auto level = Database::writeProblem(error) == Database::WriteProblem::None ? spdlog::level::err : spdlog::level::debug;
    spdlog::log(level, "sql {} in {}: {} -- {}", what, context, error.text().toStdString(), sql.toStdString());
}
} // namespace

Result<QSqlQuery> SqlRunner::run(const QString &sql, const QVariantList &bindings, const char *context)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(db.value());
    q.setForwardOnly(true);
    if (!q.prepare(sql)) {
        logFailedStatement("prepare failed", context, q.lastError(), sql);
        return m_database.failure(q.lastError(), context);
    }
    for (const QVariant &v : bindings)
        q.addBindValue(v);
    QElapsedTimer timer;
    timer.start();
    const bool executed = q.exec();
    RuntimeMetrics::instance().recordDatabase(RuntimeMetrics::DatabaseOperation::Statement, timer.nsecsElapsed() / 1000);
    if (!executed) {
        logFailedStatement("failed", context, q.lastError(), sql);
        return m_database.failure(q.lastError(), context);
    }
    return q;
}

Result<int> SqlRunner::change(const QString &sql, const QVariantList &bindings, const char *context)
{
    DomainError error;
    Lease statement = execPrepared(sql, bindings, context, &error);
    if (!statement.query)
        return error;
    // Read at once (SQLite reports the connection's last change), then reset the statement.
    const int affected = statement.query->numRowsAffected();
    statement.query->finish();
    Database::noteWriteSucceeded(statement.query->driver());
    return affected;
}

int SqlRunner::nextChunk(int remaining)
{
    int chunk = 64;
    while (chunk > remaining)
        chunk /= 2;
    return chunk;
}

Result<int> SqlRunner::insertRows(const QString &head, int columns, const QVariantList &values, const char *context,
                                  const QString &tail)
{
    Q_ASSERT(columns > 0 && values.size() % columns == 0);
    QString oneRow = QStringLiteral("(");
    for (int c = 0; c < columns; ++c)
        oneRow += c == 0 ? QStringLiteral("?") : QStringLiteral(", ?");
    oneRow += QLatin1Char(')');
    const int rows = int(values.size() / columns);
    int done = 0;
    int affected = 0;
    while (done < rows) {
        const int chunk = nextChunk(rows - done);
        QString sql = head;
        sql.reserve(head.size() + chunk * (oneRow.size() + 2) + tail.size() + 1);
        for (int r = 0; r < chunk; ++r) {
            sql += r == 0 ? QStringLiteral(" ") : QStringLiteral(", ");
            sql += oneRow;
        }
        if (!tail.isEmpty())
            sql += QLatin1Char(' ') + tail;
        Result<int> changed = change(sql, values.mid(done * columns, chunk * columns), context);
        if (!changed)
            return changed.error();
        affected += changed.value();
        done += chunk;
    }
    return affected;
}

// ---- statements prepared once per thread and connection ------------------------------------

namespace {
struct PreparedStatement {
    std::unique_ptr<QSqlQuery> query;
    bool busy = false;
};

// Keyed by connection name and statement text. At thread exit whatever is left belongs to a
// connection that was never closed on this thread (the process is ending): it is let go rather
// than finalized against a driver that may be gone already.
struct PreparedStatements {
    std::unordered_map<QString, PreparedStatement> byKey;
    ~PreparedStatements()
    {
        for (auto &entry : byKey)
            (void)entry.second.query.release();
    }
};
thread_local PreparedStatements t_prepared;
constexpr size_t kMaxPrepared = 400; // statements built from filters vary; keep the cache bounded

QString preparedKey(const QString &connectionName, const QString &sql)
{
    return connectionName + QChar(0x1f) + sql;
}
} // namespace

SqlRunner::Lease::Lease(Lease &&other) noexcept
    : query(std::exchange(other.query, nullptr))
    , reused(other.reused)
    , busy(std::exchange(other.busy, nullptr))
    , owned(std::move(other.owned))
{
}

SqlRunner::Lease::~Lease()
{
    if (busy)
        *busy = false;
}

void SqlRunner::forgetPrepared(const QString &connectionName)
{
    SqliteReader::forgetPrepared(connectionName);
    const QString prefix = connectionName + QChar(0x1f);
    for (auto it = t_prepared.byKey.begin(); it != t_prepared.byKey.end();) {
        if (it->first.startsWith(prefix) && !it->second.busy)
            it = t_prepared.byKey.erase(it);
        else
            ++it;
    }
}

SqlRunner::Lease SqlRunner::lease(const QSqlDatabase &db, const QString &sql, bool fresh, QSqlError *error)
{
    Lease out;
    auto prepare = [&]() -> std::unique_ptr<QSqlQuery> {
        auto q = std::make_unique<QSqlQuery>(db);
        q->setForwardOnly(true);
        if (!q->prepare(sql)) {
            *error = q->lastError();
            return nullptr;
        }
        return q;
    };
    const QString key = preparedKey(db.connectionName(), sql);
    auto it = t_prepared.byKey.find(key);
    if (it != t_prepared.byKey.end() && it->second.busy) {
        // In use further up the stack (a statement run while reading its own result): a
        // one-off statement for this caller.
        out.owned = prepare();
        out.query = out.owned.get();
        return out;
    }
    if (it == t_prepared.byKey.end()) {
        if (t_prepared.byKey.size() >= kMaxPrepared)
            forgetPrepared(db.connectionName());
        it = t_prepared.byKey.emplace(key, PreparedStatement()).first;
    }
    PreparedStatement &p = it->second;
    if (fresh || !p.query || p.query->driver() != db.driver()) {
        p.query.reset();
        p.query = prepare();
        if (!p.query)
            return out;
    } else {
        out.reused = true;
    }
    p.busy = true;
    out.busy = &p.busy;
    out.query = p.query.get();
    return out;
}

SqlRunner::Lease SqlRunner::execPrepared(const QString &sql, const QVariantList &bindings, const char *context, DomainError *error)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db) {
        *error = db.error();
        return Lease();
    }
    QSqlError failure;
    for (int attempt = 0; attempt < 2; ++attempt) {
        Lease statement = lease(db.value(), sql, attempt > 0, &failure);
        if (!statement.query) {
            logFailedStatement("prepare failed", context, failure, sql);
            *error = m_database.failure(failure, context);
            return Lease();
        }
        for (int i = 0; i < bindings.size(); ++i)
            statement.query->bindValue(i, bindings.at(i));
        QElapsedTimer timer;
        timer.start();
        const bool executed = statement.query->exec();
        RuntimeMetrics::instance().recordDatabase(RuntimeMetrics::DatabaseOperation::Statement, timer.nsecsElapsed() / 1000);
        if (executed)
            return statement;
        failure = statement.query->lastError();
        statement.query->finish();
        // A statement prepared on a connection that has since been reopened fails once: it is
        // prepared afresh and run again. A fresh statement that fails has failed.
        if (!statement.reused)
            break;
    }
    logFailedStatement("failed", context, failure, sql);
    *error = m_database.failure(failure, context);
    return Lease();
}

// ---- transactions ----------------------------------------------------------------------------

Transaction::Transaction(Database &database)
    : m_database(database)
{
}

Transaction::~Transaction()
{
    if (m_open) {
        Result<QSqlDatabase> db = m_database.connection();
        if (db) {
            QSqlQuery q(db.value());
            q.exec(QStringLiteral("ROLLBACK"));
        }
    }
    unlockWriters();
}

void Transaction::unlockWriters()
{
    if (m_locked) {
        m_locked = false;
        m_database.writers().unlock();
    }
}

Status Transaction::begin()
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    if (!m_database.isPostgres() && !m_locked) {
        m_database.writers().lock();
        m_locked = true;
    }
    QSqlQuery q(db.value());
    if (!q.exec(m_database.isPostgres() ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE"))) {
        unlockWriters();
        return m_database.failure(q.lastError(), "begin");
    }
    m_open = true;
    return {};
}

Status Transaction::commit()
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    QSqlQuery q(db.value());
    QElapsedTimer timer;
    timer.start();
    const bool committed = q.exec(QStringLiteral("COMMIT"));
    RuntimeMetrics::instance().recordDatabase(RuntimeMetrics::DatabaseOperation::Commit, timer.nsecsElapsed() / 1000);
    if (!committed)
        return m_database.failure(q.lastError(), "commit");
    Database::noteWriteSucceeded(db.value().driver());
    m_open = false;
    unlockWriters();
    return {};
}

} // namespace wadesk
