#include "core/maintenance/SqliteFile.h"

#include <QFile>
#include <QFileInfo>
#include <sqlite3.h>

namespace wadesk {

namespace {
constexpr int kBusyTimeoutMs = 10000;
constexpr int kBusyRetries = 200; // × 50 ms, on top of the busy timeout
} // namespace

SqliteFile::~SqliteFile()
{
    if (m_db)
        sqlite3_close_v2(m_db);
}

DomainError SqliteFile::failure(const QString &what) const
{
    return DomainError::internal(QStringLiteral("SQLite %1 (%2): %3")
                                     .arg(m_path, what, m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QStringLiteral("not open")));
}

Status SqliteFile::openExisting(const QString &path)
{
    m_path = path;
    if (!QFileInfo(path).isFile())
        return DomainError::badRequest(QStringLiteral("there is no database at %1").arg(path), QStringLiteral("no_database"));
    const int rc = sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READWRITE, nullptr);
    if (rc != SQLITE_OK)
        return failure(QStringLiteral("open"));
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
    return {};
}

Result<QVariant> SqliteFile::scalar(const QString &sql)
{
    sqlite3_stmt *statement = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.toUtf8().constData(), -1, &statement, nullptr) != SQLITE_OK)
        return failure(QStringLiteral("prepare"));
    QVariant value;
    const int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) {
        switch (sqlite3_column_type(statement, 0)) {
        case SQLITE_INTEGER:
            value = qint64(sqlite3_column_int64(statement, 0));
            break;
        case SQLITE_NULL:
            break;
        default:
            value = QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, 0)));
            break;
        }
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return failure(QStringLiteral("query"));
    return value;
}

Status SqliteFile::exec(const QString &sql)
{
    char *error = nullptr;
    if (sqlite3_exec(m_db, sql.toUtf8().constData(), nullptr, nullptr, &error) != SQLITE_OK) {
        const QString text = error ? QString::fromUtf8(error) : QString();
        sqlite3_free(error);
        return DomainError::internal(QStringLiteral("SQLite %1: %2").arg(m_path, text));
    }
    return {};
}

Status SqliteFile::checkIntegrity()
{
    Result<QVariant> verdict = scalar(QStringLiteral("PRAGMA integrity_check"));
    if (!verdict)
        return verdict.error();
    if (verdict.value().toString() != QLatin1String("ok"))
        return DomainError::unprocessable(QStringLiteral("the database %1 is damaged: %2").arg(m_path, verdict.value().toString()),
                                          QStringLiteral("database_damaged"));
    return {};
}

Status SqliteFile::snapshot(const QString &source, const QString &target)
{
    SqliteFile from;
    if (Status s = from.openExisting(source); !s)
        return s;
    SqliteFile to;
    to.m_path = target;
    if (sqlite3_open_v2(QFile::encodeName(target).constData(), &to.m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
        != SQLITE_OK)
        return to.failure(QStringLiteral("create"));
    sqlite3_backup *backup = sqlite3_backup_init(to.m_db, "main", from.m_db, "main");
    if (!backup)
        return to.failure(QStringLiteral("backup"));
    int rc = SQLITE_OK;
    for (int attempt = 0; attempt < kBusyRetries; ++attempt) {
        // -1: every page in one step, so in one read transaction of the source: the copy is the
        // database as of one commit, whatever is written meanwhile.
        rc = sqlite3_backup_step(backup, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            break;
        sqlite3_sleep(50);
    }
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE)
        return DomainError::internal(QStringLiteral("cannot copy the database %1: %2").arg(source, QString::fromUtf8(sqlite3_errstr(rc))));
    return to.exec(QStringLiteral("PRAGMA journal_mode=DELETE"));
}

} // namespace wadesk
