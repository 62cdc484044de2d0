#include "core/db/Database.h"

#include "core/common/RuntimeMetrics.h"
#include "core/db/SqlRunner.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QMutexLocker>
#include <QScopeGuard>
#include <QThread>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <utility>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <unistd.h>
#endif

namespace wadesk {

std::atomic<int> Database::s_instances{0};

namespace {
void configureSqliteLibrary()
{
    // SQLite counts every allocation under one process-wide mutex unless told not to; with
    // several threads reading at once (the API's readers) they queued on it for every text
    // value converted. Only possible before the library initializes, i.e. before the first
    // connection of the process opens.
    static std::once_flag once;
    std::call_once(once, [] {
        if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
            spdlog::debug("sqlite: memory statistics stay on (the library was already initialized)");
    });
}
} // namespace

Database::Database(DatabaseUrl url)
    : m_url(std::move(url))
    , m_namePrefix(QStringLiteral("wadesk-db%1-").arg(s_instances.fetch_add(1)))
{
    if (m_url.dialect == DatabaseUrl::Dialect::Sqlite)
        configureSqliteLibrary();
}


namespace {
// How often the checkpointer looks at the write-ahead log, and how long the log may grow before
// it is restarted (the writers of this process wait for that step, ~20 ms of fsyncs: the larger
// the log may grow, the rarer the wait; it costs disk space for the log while writes are heavy,
// and the file goes when the last connection closes).
constexpr auto kCheckpointBusy = std::chrono::milliseconds(200); // the last look found frames to copy
constexpr auto kCheckpointIdle = std::chrono::milliseconds(1000);
constexpr int kRestartAfterPages = 32768; // 128 MB of 4 KB pages
// A backstop for a checkpointer that cannot keep up: committing connections checkpoint
// themselves past this many pages (SQLite's default is 1000).
constexpr int kAutoCheckpointPages = 131072;
thread_local bool t_isCheckpointer = false;
// Set when a statement on this thread's PostgreSQL connection failed because the connection
// broke: the next connection() closes it and connects again instead of failing forever.
thread_local bool t_connectionBroken = false;
thread_local ConnectFailure t_lastConnectFailure = ConnectFailure::None;
// Set when a statement on this thread's SQLite connection was refused as read-only: a
// connection opened while the file (or its directory) was read-only stays read-only after the
// file becomes writable again (SQLite falls back to opening it read-only and never looks
// again), so the next connection() opens it afresh.
thread_local bool t_reopenReadOnly = false;
// The write problem of the episode under way (a Database::WriteProblem), process-wide: the
// disk or the file is shared by every thread's connection.
std::atomic<int> s_writeProblem{0};
// Counts the ends of read-only episodes: a thread whose connection was opened read-only but
// never wrote (so never refused) reopens it at its next use after one, instead of failing its
// first write after the file became writable.
std::atomic<int> s_readOnlyEpisodesEnded{0};
thread_local int t_readOnlyEpisodesSeen = 0;
constexpr int kOutageRetryAfterSeconds = 2;
// While the server is away each thread tries to connect again on use, but not on every use: a
// failed attempt holds the next one back for a while that doubles from 100 ms up to 1 s. A
// sender or an API flooded with requests then costs one connect attempt (and one log line) per
// second per thread, and a database that comes back is seen within about a second.
constexpr qint64 kFirstConnectBackoffMs = 100;
constexpr qint64 kMaxConnectBackoffMs = 1000;
thread_local qint64 t_nextConnectAttemptAt = 0; // steady milliseconds; 0: no failed attempt
thread_local qint64 t_connectBackoffMs = 0;
// Whose connect failed: the hold is that database's only (a process with a second database, a
// backup's or a test's, must not find it closed because the first is away).
thread_local const void *t_backoffDatabase = nullptr;
// When a thread last connected again after failing: the others then try at once instead of
// waiting out their own hold (the API's readers answered 503 for up to a second after the API
// thread had found the server back).
std::atomic<qint64> s_connectedAgainAt{0};

qint64 steadyNowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

DomainError outageError()
{
    DomainError e = DomainError::unavailable(QStringLiteral("The database is unavailable at the moment; try again shortly"),
                                             QStringLiteral("database_unavailable"));
    e.retryAfterSeconds = kOutageRetryAfterSeconds;
    return e;
}

DomainError writeProblemError(Database::WriteProblem problem)
{
    DomainError e;
    switch (problem) {
    case Database::WriteProblem::DiskFull:
        e = DomainError::unavailable(QStringLiteral("The database's disk is full; changes are accepted again once space is freed"),
                                     QStringLiteral("database_full"));
        break;
    case Database::WriteProblem::ReadOnly:
        e = DomainError::unavailable(QStringLiteral("The database is read-only; changes are accepted again once its file "
                                                    "and directory are writable"),
                                     QStringLiteral("database_read_only"));
        break;
    case Database::WriteProblem::IoError:
    case Database::WriteProblem::None:
        e = DomainError::unavailable(QStringLiteral("The database's disk failed to read or write; try again shortly"),
                                     QStringLiteral("database_io_error"));
        break;
    }
    e.retryAfterSeconds = kOutageRetryAfterSeconds;
    return e;
}

const char *describeWriteProblem(int problem)
{
    switch (Database::WriteProblem(problem)) {
    case Database::WriteProblem::DiskFull:
        return "the disk is full (or over its quota): changes answer 503 database_full until space is freed";
    case Database::WriteProblem::ReadOnly:
        return "the database file or its directory is read-only: changes answer 503 database_read_only until it is "
               "writable again";
    case Database::WriteProblem::IoError:
        return "the disk fails reads or writes: requests that meet it answer 503 database_io_error";
    case Database::WriteProblem::None:
        break;
    }
    return "no problem";
}

const char *shortWriteProblem(int problem)
{
    switch (Database::WriteProblem(problem)) {
    case Database::WriteProblem::DiskFull:
        return "disk full";
    case Database::WriteProblem::ReadOnly:
        return "read-only";
    case Database::WriteProblem::IoError:
        return "I/O errors";
    case Database::WriteProblem::None:
        break;
    }
    return "no problem";
}

// One warning when an episode starts (or turns into another kind), not one per refused write:
// a busy API on a full disk would otherwise fill the log of that very disk.
void enterWriteProblem(Database::WriteProblem problem, const QSqlError &error, const char *context)
{
    const int previous = s_writeProblem.exchange(int(problem));
    if (previous == int(problem)) {
        spdlog::debug("database: {} refused: {} ({})", context, error.text().toStdString(), error.nativeErrorCode().toStdString());
        return;
    }
    spdlog::warn("database: {}; reads go on (first refused: {}: {} ({}))", describeWriteProblem(int(problem)), context,
                 error.text().toStdString(), error.nativeErrorCode().toStdString());
}

constexpr QFileDevice::Permissions kOthersAccess = QFileDevice::ReadGroup | QFileDevice::WriteGroup
    | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;

// The database holds every message and contact: readable by its owner only, like the settings
// and key files. SQLite creates the -wal and -shm files with the main file's permissions, so an
// empty main file created 0600 before SQLite opens it (an empty file is a valid empty database)
// covers all three. Files of an older version, created with the umask's looser mode, are
// tightened.
Status restrictSqliteFiles(const QString &path)
{
#ifdef Q_OS_UNIX
    const QByteArray nativePath = QFile::encodeName(path);
    const int fd = ::open(nativePath.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0)
        ::close(fd);
    else if (errno != EEXIST)
        return DomainError::unavailable(QStringLiteral("Cannot create the database file %1: %2")
                                            .arg(path, QString::fromLocal8Bit(std::strerror(errno))),
                                        QStringLiteral("database_unavailable"));
#endif
    for (const QString &file : {path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm")}) {
        QFile f(file);
        if (f.exists() && (f.permissions() & kOthersAccess)
            && !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
            spdlog::warn("cannot make {} readable by its owner only: {}", file.toStdString(),
                         f.errorString().toStdString());
    }
    return {};
}
} // namespace

Database::~Database()
{
    {
        std::lock_guard<std::mutex> lock(m_checkpointerMutex);
        m_stopping = true;
    }
    m_checkpointerWake.notify_all();
    if (m_checkpointer.joinable())
        m_checkpointer.join();
    closeThreadConnection();
}

void Database::startCheckpointer()
{
    m_checkpointer = std::thread([this]() { checkpointLoop(); });
}

void Database::checkpointLoop()
{
    t_isCheckpointer = true;
    std::unique_lock<std::mutex> lock(m_checkpointerMutex);
    bool busy = true;
    int lastLogPages = -1;
    while (!m_checkpointerWake.wait_for(lock, busy ? kCheckpointBusy : kCheckpointIdle, [this]() { return m_stopping; })) {
        lock.unlock();
        Result<QSqlDatabase> db = connection();
        if (db) {
            // Most of the work (copying pages back, the fsyncs) while everyone goes on writing.
            QSqlQuery q(db.value());
            int logPages = 0;
            if (q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) && q.next())
                logPages = q.value(1).toInt();
            q.finish();
            busy = logPages != lastLogPages; // something was written since the last look
            lastLogPages = logPages;
            // The log only starts over when a writer finds it fully copied back, which under a
            // steady stream of commits never happens by itself: now and then the last few
            // frames are copied with this process's writers held for that moment (a reader
            // still on old frames is not waited for; the log then starts over a bit later).
            if (logPages > kRestartAfterPages) {
                QMutexLocker writers(&m_writers);
                if (!q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")))
                    spdlog::warn("database: checkpoint failed: {}", q.lastError().text().toStdString());
                q.finish();
            }
        }
        lock.lock();
    }
    lock.unlock();
    closeThreadConnection();
}

bool Database::isOutage(const QSqlError &error)
{
    const QString code = error.nativeErrorCode();
    if (code.size() == 5) { // a PostgreSQL SQLSTATE
        return code.startsWith(QLatin1String("08")) || code.startsWith(QLatin1String("53")) || code == QLatin1String("57P01")
            || code == QLatin1String("57P02") || code == QLatin1String("57P03");
    }
    bool numeric = false;
    const int sqlite = code.toInt(&numeric) & 0xff; // the primary result code of an extended one
    if (numeric && !code.isEmpty()) {
        // SQLITE_BUSY, _LOCKED, _READONLY, _IOERR, _FULL, _CANTOPEN
        return sqlite == 5 || sqlite == 6 || sqlite == 8 || sqlite == 10 || sqlite == 13 || sqlite == 14;
    }
    // A PostgreSQL socket that broke mid-statement comes without a SQLSTATE. (The SQLite driver
    // calls a failed step a ConnectionError whatever the cause: that is why its codes decide above.)
    if (error.type() == QSqlError::ConnectionError)
        return true;
    const QString text = error.databaseText() + QLatin1Char(' ') + error.driverText();
    for (const char *broken : {"server closed the connection", "no connection to the server", "terminating connection",
                               "could not send data", "could not receive data", "connection to server", "Unable to connect"}) {
        if (text.contains(QLatin1String(broken), Qt::CaseInsensitive))
            return true;
    }
    return false;
}

Database::WriteProblem Database::writeProblem(const QSqlError &error)
{
    const QString code = error.nativeErrorCode();
    if (code.isEmpty() || code.size() == 5) // none, or a PostgreSQL SQLSTATE
        return WriteProblem::None;
    bool numeric = false;
    const int primary = code.toInt(&numeric) & 0xff; // SQLITE_READONLY_* and SQLITE_IOERR_* included
    if (!numeric)
        return WriteProblem::None;
    switch (primary) {
    case SQLITE_FULL:
        return WriteProblem::DiskFull;
    case SQLITE_READONLY:
        return WriteProblem::ReadOnly;
    case SQLITE_IOERR:
        return WriteProblem::IoError;
    default:
        return WriteProblem::None;
    }
}

bool Database::refusesWritesOnly(const DomainError &error)
{
    return error.code == QLatin1String("database_full") || error.code == QLatin1String("database_read_only");
}

Database::WriteProblem Database::currentWriteProblem()
{
    return WriteProblem(s_writeProblem.load(std::memory_order_relaxed));
}

void Database::noteWriteSucceeded(const QSqlDriver *driver)
{
    if (s_writeProblem.load(std::memory_order_relaxed) == 0)
        return;
    const QVariant handle = driver ? driver->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return;
    sqlite3 *sqlite = *static_cast<sqlite3 *const *>(handle.constData());
    if (!sqlite || !sqlite3_get_autocommit(sqlite))
        return; // inside a transaction: its commit tells
    const int was = s_writeProblem.exchange(0);
    if (was == int(WriteProblem::ReadOnly))
        s_readOnlyEpisodesEnded.fetch_add(1, std::memory_order_relaxed);
    if (was != 0)
        spdlog::warn("database: writes succeed again ({} is over)", shortWriteProblem(was));
}

namespace {
DomainError classifyFailure(const QSqlError &error, const char *context)
{
    if (const Database::WriteProblem problem = Database::writeProblem(error); problem != Database::WriteProblem::None) {
        enterWriteProblem(problem, error, context);
        if (problem == Database::WriteProblem::ReadOnly)
            t_reopenReadOnly = true;
        return writeProblemError(problem);
    }
    spdlog::error("database error in {}: {} ({})", context, error.text().toStdString(),
                  error.nativeErrorCode().toStdString());
    if (Database::isOutage(error)) {
        t_connectionBroken = true;
        return outageError();
    }
    return DomainError::internal(QStringLiteral("Database error"));
}

DomainError counted(DomainError e)
{
    RuntimeMetrics::instance().countDatabaseError(e.httpStatus == 503);
    return e;
}
} // namespace

DomainError Database::sqlFailure(const QSqlError &error, const char *context)
{
    return counted(classifyFailure(error, context));
}

DomainError Database::failure(const QSqlError &error, const char *context)
{
    DomainError e = classifyFailure(error, context);
    if (e.httpStatus == 503 || !isPostgres() || !m_threadConnection.hasLocalData())
        return counted(e);
    QSqlDatabase db = QSqlDatabase::database(m_threadConnection.localData()->name, false);
    if (db.isOpen()) {
        QSqlQuery probe(db);
        if (probe.exec(QStringLiteral("SELECT 1")))
            return counted(e);
        // Inside a transaction the statement's own error aborted it: the connection is fine.
        if (probe.lastError().nativeErrorCode() == QLatin1String("25P02"))
            return counted(e);
    }
    spdlog::warn("database: the connection broke under {}", context);
    t_connectionBroken = true;
    return counted(outageError());
}

Status Database::open(QSqlDatabase &db)
{
    if (m_url.dialect == DatabaseUrl::Dialect::Sqlite) {
        QDir().mkpath(QFileInfo(m_url.sqlitePath).absolutePath());
        if (Status restricted = restrictSqliteFiles(m_url.sqlitePath); !restricted)
            return restricted;
        db.setDatabaseName(m_url.sqlitePath);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    } else {
        db.setHostName(m_url.host);
        db.setPort(m_url.port);
        db.setUserName(m_url.user);
        db.setPassword(m_url.password);
        db.setDatabaseName(m_url.databaseName);
        QString options = m_url.connectOptions;
        if (!options.contains(QLatin1String("connect_timeout")))
            options += (options.isEmpty() ? QString() : QStringLiteral(";")) + QStringLiteral("connect_timeout=5");
        db.setConnectOptions(options);
    }
    if (!db.open()) {
        const QString text = db.lastError().text();
        spdlog::error("cannot open {}: {}", m_url.describe().toStdString(), text.toStdString());
        t_lastConnectFailure = isPostgres() ? classifyConnectFailure(text) : ConnectFailure::Other;
        return counted(outageError()); // the driver's text (host, user) is for the log, not for API callers
    }
    t_lastConnectFailure = ConnectFailure::None;
    QSqlQuery q(db);
    if (m_url.dialect == DatabaseUrl::Dialect::Sqlite) {
        // WAL lets the API thread read while another thread writes; NORMAL sync is durable
        // across application crashes (only an OS crash can lose the last transactions).
        for (const char *pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
            if (!q.exec(QLatin1String(pragma)))
                return sqlFailure(q.lastError(), pragma);
        }
        // Checkpoints (and their fsyncs) belong to the checkpointer thread.
        if (!q.exec(QStringLiteral("PRAGMA wal_autocheckpoint=%1").arg(kAutoCheckpointPages)))
            return sqlFailure(q.lastError(), "wal_autocheckpoint");
        q.finish();
        if (!t_isCheckpointer)
            std::call_once(m_checkpointerStarted, [this]() { startCheckpointer(); });
    } else {
        if (!q.exec(QStringLiteral("SET TIME ZONE 'UTC'")))
            return sqlFailure(q.lastError(), "set time zone");
    }
    return {};
}

Database::ThreadConnection::~ThreadConnection()
{
    SqlRunner::forgetPrepared(name); // its statements go before the connection
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

Result<QSqlDatabase> Database::connection()
{
    return connection(true);
}

Result<QSqlDatabase> Database::connection(bool honourBackoff)
{
    if (!m_threadConnection.hasLocalData()) {
        // A sequence number, not the thread id: ids are reused once a thread has finished.
        static std::atomic<quint64> s_connections{0};
        const QString name = m_namePrefix + QString::number(s_connections.fetch_add(1));
        const QString driver = m_url.dialect == DatabaseUrl::Dialect::Sqlite ? QStringLiteral("QSQLITE")
                                                                              : QStringLiteral("QPSQL");
        QSqlDatabase::addDatabase(driver, name);
        m_threadConnection.setLocalData(new ThreadConnection{name});
    }
    QSqlDatabase db = QSqlDatabase::database(m_threadConnection.localData()->name, false);
    if (std::exchange(t_connectionBroken, false) && db.isOpen() && isPostgres()) {
        spdlog::info("database: reconnecting this thread's connection after it broke");
        db.close(); // statements prepared on it are forgotten before it opens again
    }
    if (const int ended = s_readOnlyEpisodesEnded.load(std::memory_order_relaxed); ended != t_readOnlyEpisodesSeen) {
        t_readOnlyEpisodesSeen = ended;
        if (db.isOpen() && !isPostgres()) {
            const QVariant handle = db.driver()->handle();
            sqlite3 *sqlite = qstrcmp(handle.typeName(), "sqlite3*") == 0 ? *static_cast<sqlite3 *const *>(handle.constData()) : nullptr;
            if (sqlite && sqlite3_db_readonly(sqlite, "main") == 1)
                t_reopenReadOnly = true;
        }
    }
    if (t_reopenReadOnly && db.isOpen() && !isPostgres()) {
        // Not in the middle of a transaction of the caller's (a read-only connection cannot
        // begin a write one, but a SQLITE_READONLY_* may come mid-way): its end decides.
        const QVariant handle = db.driver()->handle();
        sqlite3 *sqlite = qstrcmp(handle.typeName(), "sqlite3*") == 0 ? *static_cast<sqlite3 *const *>(handle.constData()) : nullptr;
        if (!sqlite || sqlite3_get_autocommit(sqlite)) {
            t_reopenReadOnly = false;
            spdlog::debug("database: reopening this thread's connection, refused as read-only");
            db.close();
        }
    }
    if (!db.isOpen()) {
        if (honourBackoff && t_backoffDatabase == this && t_nextConnectAttemptAt != 0 && steadyNowMs() < t_nextConnectAttemptAt
            && s_connectedAgainAt.load(std::memory_order_relaxed) < t_nextConnectAttemptAt - t_connectBackoffMs)
            return outageError();
        // Statements prepared on the connection before it closed name server-side statements
        // that a new PostgreSQL session does not have: run inside a transaction, the first of
        // them would abort it. They go now, while nothing runs on the connection.
        SqlRunner::forgetPrepared(m_threadConnection.localData()->name);
        const Status opened = open(db);
        if (!opened) {
            db.close(); // a half-done open (a failed pragma) is retried from the start
            if (isPostgres() || opened.error().httpStatus == 503) {
                if (t_backoffDatabase != this)
                    t_connectBackoffMs = 0; // another database's hold does not lengthen this one's
                t_backoffDatabase = this;
                t_connectBackoffMs = std::clamp(t_connectBackoffMs * 2, kFirstConnectBackoffMs, kMaxConnectBackoffMs);
                t_nextConnectAttemptAt = steadyNowMs() + t_connectBackoffMs;
            }
            return opened.error();
        }
        if (t_backoffDatabase != this)
            return db; // another database's hold stays as it is
        if (t_nextConnectAttemptAt != 0) {
            spdlog::info("database: connected again to {}", m_url.describe().toStdString());
            s_connectedAgainAt.store(steadyNowMs(), std::memory_order_relaxed);
        }
        t_nextConnectAttemptAt = 0;
        t_connectBackoffMs = 0;
    }
    return db;
}

Status Database::ping()
{
    QElapsedTimer timer;
    timer.start();
    // The whole attempt, a reconnection included: what a health check waits for.
    const auto timed = qScopeGuard([&timer]() {
        RuntimeMetrics::instance().recordDatabase(RuntimeMetrics::DatabaseOperation::Ping, timer.nsecsElapsed() / 1000);
    });
    for (int attempt = 0; attempt < 2; ++attempt) {
        Result<QSqlDatabase> db = connection(false); // a health check looks now, whatever the backoff
        if (!db)
            return db.error();
        QSqlQuery q(db.value());
        if (q.exec(QStringLiteral("SELECT 1")) && q.next())
            return {};
        spdlog::warn("database ping failed: {}", q.lastError().text().toStdString());
        q = QSqlQuery();
        db.value().close(); // a broken connection (server restart): reopen once
    }
    return DomainError::unavailable(QStringLiteral("Database unreachable"), QStringLiteral("database_unavailable"));
}

ConnectFailure Database::lastConnectFailure()
{
    return t_lastConnectFailure;
}

void Database::closeThreadConnection()
{
    if (m_threadConnection.hasLocalData())
        m_threadConnection.setLocalData(nullptr); // deletes the ThreadConnection, which closes it
}

} // namespace wadesk
