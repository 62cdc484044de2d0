#pragma once

#include "core/common/DomainError.h"
#include "core/db/ConnectFailure.h"
#include "core/db/DatabaseUrl.h"

#include <QRecursiveMutex>
#include <QSqlDatabase>
#include <QThreadStorage>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

class QSqlDriver;
class QSqlError;

namespace wadesk {

// Owns the database location and hands each thread its own QtSql connection (a QtSql rule:
// a connection is used only by the thread that opened it). SQLite runs in WAL mode with a busy
// timeout; PostgreSQL goes through QPSQL. Times are stored as epoch milliseconds (BIGINT) in
// both dialects so the same SQL serves both.
class Database {
public:
    explicit Database(DatabaseUrl url);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    const DatabaseUrl &url() const { return m_url; }
    bool isPostgres() const { return m_url.dialect == DatabaseUrl::Dialect::Postgres; }

    // The calling thread's connection, opened on first use and reopened if it was closed or
    // broke. While the server is out of reach a failed attempt holds the thread's next one back
    // (100 ms doubling to 1 s): meanwhile this answers 503 database_unavailable at once.
    Result<QSqlDatabase> connection();
    // A cheap round trip ("SELECT 1"); reopens a connection that broke (server restarted).
    Status ping();
    // Why the calling thread's last attempt to connect failed (None after one succeeded): for
    // setup screens that must say what to fix, where API callers only get "unavailable".
    static ConnectFailure lastConnectFailure();
    // Closes and forgets the calling thread's connection. Threads that used the database call
    // this before they finish; what is left is closed when the thread's storage is destroyed.
    void closeThreadConnection();

    // Logs the driver's text and returns a DomainError that never carries SQL to the caller:
    // 503 database_unavailable (with Retry-After) when the database is out of reach for now
    // (see isOutage; database_full, database_read_only or database_io_error for a
    // writeProblem), 500 otherwise. After a broken PostgreSQL connection the calling thread's
    // connection is reopened at its next use.
    static DomainError sqlFailure(const QSqlError &error, const char *context);
    // The failure says the database cannot serve anyone right now, not that the statement is
    // wrong: PostgreSQL connection exceptions (SQLSTATE class 08, a server shutting down or
    // starting, too many connections, insufficient resources) or a socket that broke; SQLite
    // busy, locked, read-only, I/O error, disk full or cannot open.
    static bool isOutage(const QSqlError &error);
    // sqlFailure for a statement that ran on the calling thread's connection. On PostgreSQL a
    // statement on a connection that broke can fail with no error at all: a failure that does not
    // name its cause is checked with a round trip on the connection, and is an outage if that
    // fails too.
    DomainError failure(const QSqlError &error, const char *context);

    // What keeps SQLite from writing while reads go on: the disk (or quota) is full, the file or
    // its directory is read-only, or the disk fails writes. Each answers 503 with its own code
    // (database_full, database_read_only, database_io_error) so an operator reading a client's
    // error knows what to fix; None while writes work.
    enum class WriteProblem { None, DiskFull, ReadOnly, IoError };
    static WriteProblem writeProblem(const QSqlError &error);
    // The problem of the episode under way in this process (None: none, or the last write since
    // succeeded). An episode is logged once as a warning when it starts and once when it ends,
    // not per failed statement; /health reports it.
    static WriteProblem currentWriteProblem();
    // `error` says the database refuses writes but serves reads (full disk, read-only file):
    // a caller whose write is only bookkeeping (a key's last use, a login's time) goes on
    // without it instead of failing a read.
    static bool refusesWritesOnly(const DomainError &error);
    // A write on the connection of `driver` succeeded: if it is committed (not inside a
    // transaction), an episode under way is over. Cheap when none is (one atomic load).
    static void noteWriteSucceeded(const QSqlDriver *driver);

    // Held by a write transaction of this process on SQLite (see Transaction).
    QRecursiveMutex &writers() { return m_writers; }

private:
    Result<QSqlDatabase> connection(bool honourBackoff);
    Status open(QSqlDatabase &db);
    // SQLite: checkpoints run on a thread of their own (started with the first connection), so
    // that no committing thread (the API, the UI) waits for their fsyncs.
    void startCheckpointer();
    void checkpointLoop();

    // Owns one thread's connection name; closing and removing the connection when destroyed,
    // which QThreadStorage does in the thread itself when it finishes.
    struct ThreadConnection {
        QString name;
        ~ThreadConnection();
    };

    DatabaseUrl m_url;
    QString m_namePrefix;
    QThreadStorage<ThreadConnection *> m_threadConnection;
    QRecursiveMutex m_writers;
    std::once_flag m_checkpointerStarted;
    std::thread m_checkpointer;
    std::mutex m_checkpointerMutex;
    std::condition_variable m_checkpointerWake;
    bool m_stopping = false;
    static std::atomic<int> s_instances;
};

} // namespace wadesk
