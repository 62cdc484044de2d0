#include "core/db/SqliteReader.h"

#include "core/db/Database.h"

#include <QSqlDriver>
#include <QSqlError>
#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <unordered_map>

namespace wadesk {

namespace {

struct Statement {
    sqlite3 *connection = nullptr;
    sqlite3_stmt *statement = nullptr;
    bool busy = false; // being read further up the stack: a nested caller gets its own
};

// Keyed by connection name, U+001F, SQL text (as SqlRunner's cache).
thread_local std::unordered_map<QString, Statement> t_statements;
constexpr size_t kMaxStatements = 64;

sqlite3 *handleOf(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

QSqlError errorOf(sqlite3 *connection, int code)
{
    // The extended code as the native code: Database::isOutage reads SQLite's codes from it.
    return QSqlError(QStringLiteral("sqlite"), QString::fromUtf8(sqlite3_errmsg(connection)), QSqlError::StatementError,
                     QString::number(code));
}

int bind(sqlite3_stmt *statement, const QVariantList &bindings)
{
    for (int i = 0; i < bindings.size(); ++i) {
        const QVariant &v = bindings.at(i);
        int rc = SQLITE_OK;
        if (v.isNull()) {
            rc = sqlite3_bind_null(statement, i + 1);
        } else {
            switch (v.metaType().id()) {
            case QMetaType::Int:
            case QMetaType::UInt:
            case QMetaType::LongLong:
            case QMetaType::ULongLong:
            case QMetaType::Bool:
                rc = sqlite3_bind_int64(statement, i + 1, v.toLongLong());
                break;
            default: {
                const QByteArray text = v.toString().toUtf8();
                rc = sqlite3_bind_text(statement, i + 1, text.constData(), int(text.size()), SQLITE_TRANSIENT);
            }
            }
        }
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

} // namespace

QString SqliteRow::text(int column) const
{
    const auto *bytes = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
    return bytes ? QString::fromUtf8(bytes, sqlite3_column_bytes(m_statement, column)) : QString();
}

QByteArray SqliteRow::utf8(int column) const
{
    const auto *bytes = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
    return bytes ? QByteArray(bytes, sqlite3_column_bytes(m_statement, column)) : QByteArray();
}

qint64 SqliteRow::integer(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

void SqliteReader::forgetPrepared(const QString &connectionName)
{
    const QString prefix = connectionName + QChar(0x1f);
    for (auto it = t_statements.begin(); it != t_statements.end();) {
        if (it->first.startsWith(prefix) && !it->second.busy) {
            sqlite3_finalize(it->second.statement);
            it = t_statements.erase(it);
        } else {
            ++it;
        }
    }
}

Status SqliteReader::each(const QString &sql, const QVariantList &bindings, const char *context,
                          const std::function<void(const SqliteRow &)> &row)
{
    Result<QSqlDatabase> db = m_database.connection();
    if (!db)
        return db.error();
    sqlite3 *connection = handleOf(db.value());
    if (!connection) {
        spdlog::error("{}: not an SQLite connection", context);
        return DomainError::internal(QStringLiteral("Database error"));
    }
    auto fail = [&](int code) -> Status {
        const QSqlError error = errorOf(connection, code);
        if (Database::writeProblem(error) == Database::WriteProblem::None) // else logged once per episode
            spdlog::error("sql failed in {}: {} -- {}", context, error.text().toStdString(), sql.toStdString());
        return m_database.failure(error, context);
    };

    const QString key = db.value().connectionName() + QChar(0x1f) + sql;
    auto it = t_statements.find(key);
    sqlite3_stmt *own = nullptr; // a one-off statement when the cached one is in use
    Statement *cached = nullptr;
    if (it != t_statements.end() && it->second.busy) {
        cached = nullptr;
    } else {
        if (it != t_statements.end() && it->second.connection != connection) {
            // Prepared on a connection that has since been reopened under the same name.
            sqlite3_finalize(it->second.statement);
            t_statements.erase(it);
            it = t_statements.end();
        }
        if (it == t_statements.end()) {
            if (t_statements.size() >= kMaxStatements)
                forgetPrepared(db.value().connectionName());
            const QByteArray text = sql.toUtf8();
            sqlite3_stmt *statement = nullptr;
            const int rc = sqlite3_prepare_v3(connection, text.constData(), int(text.size()), SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
            if (rc != SQLITE_OK) {
                sqlite3_finalize(statement);
                return fail(rc);
            }
            it = t_statements.emplace(key, Statement{connection, statement, false}).first;
        }
        cached = &it->second;
    }
    if (!cached) {
        const QByteArray text = sql.toUtf8();
        const int rc = sqlite3_prepare_v2(connection, text.constData(), int(text.size()), &own, nullptr);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(own);
            return fail(rc);
        }
    }
    sqlite3_stmt *statement = cached ? cached->statement : own;
    if (cached)
        cached->busy = true;
    // Reset (ending the read transaction) and cleared however this returns.
    struct Release {
        sqlite3_stmt *statement;
        Statement *cached;
        ~Release()
        {
            if (cached) {
                sqlite3_reset(statement);
                sqlite3_clear_bindings(statement);
                cached->busy = false;
            } else {
                sqlite3_finalize(statement);
            }
        }
    } release{statement, cached};

    if (const int rc = bind(statement, bindings); rc != SQLITE_OK)
        return fail(rc);
    const SqliteRow current(statement);
    for (;;) {
        const int rc = sqlite3_step(statement);
        if (rc == SQLITE_ROW) {
            row(current);
            continue;
        }
        if (rc == SQLITE_DONE)
            return {};
        return fail(sqlite3_extended_errcode(connection));
    }
}

} // namespace wadesk
