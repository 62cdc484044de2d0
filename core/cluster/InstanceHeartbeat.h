#pragma once

#include "core/common/DomainError.h"

#include <QObject>
#include <QTimer>
#include <functional>

namespace wadesk {

class Database;

// This instance's row in `instances` (PostgreSQL): who it is, where it runs, which version,
// when it started and when it last said it was alive (both on the database's clock), and how
// many sessions it owns. Other instances read it to choose who takes a session over and to
// tell a live owner from a dead one. Main thread.
class InstanceHeartbeat final : public QObject {
    Q_OBJECT
public:
    struct Identity {
        QString instanceId;
        QString host;
        QString version;
        // A file in this process's locked data directory recording which row it took. A row this
        // data directory's previous process took is no other process's, whatever its heartbeat
        // says: holding the directory's lock, this process knows that one is gone (a crash, a
        // kill -9), and a service manager's immediate restart is not refused for the lease time.
        QString rowRecordFile;
    };
    // `freshMs`: a heartbeat younger than this is a live instance's (the lease time).
    InstanceHeartbeat(Database &database, Identity identity, qint64 freshMs, qint64 intervalMs,
                      std::function<int()> sessionCount, QObject *parent = nullptr);
    ~InstanceHeartbeat() override;

    // Takes the row for this process. Refused (conflict `instance_id_in_use`) while another
    // process beats under the same id (unless it was this data directory's previous process, see
    // rowRecordFile): two processes with one id would fence each other's sessions. Then beats
    // every interval.
    Status start();
    // A clean stop: the row's heartbeat is cleared, so this id may start again at once.
    void stop();
    Status beat();
    qint64 startedAt() const { return m_startedAt; }

private:
    Database &m_database;
    Identity m_identity;
    qint64 m_freshMs;
    std::function<int()> m_sessionCount;
    qint64 m_startedAt = 0;
    QTimer m_timer;
};

} // namespace wadesk
