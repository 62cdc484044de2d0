#pragma once

#include "core/common/DomainError.h"
#include "core/sessions/SessionState.h"

#include <QList>
#include <QString>

namespace wadesk {

class Database;

// Who drives a client's session now, read from client_leases: the owner of a lease that has not
// expired on the database's clock (never an instance's own, so machines whose clocks disagree
// still agree on who owns what).
class SessionOwners {
public:
    explicit SessionOwners(Database &database) : m_database(database) {}

    // The SQL for "now" in epoch milliseconds on the database's clock, for this dialect.
    static QString nowSql(const Database &database);

    // The live owner's instance id, or an empty string when no instance holds a live lease.
    Result<QString> ownerOf(const QString &clientId);

    // A session another instance drives, with the state it stored on the client row (what this
    // instance shows for it instead of a page).
    struct RemoteSession {
        QString clientId;
        QString organizationId;
        QString owner;
        SessionState state = SessionState::Stopped;
        qint64 stateSince = 0;
        QString lastError;
        QString phoneNumber;
    };
    // Where a session nobody drives should start (placeSession): its pinned instance when that one
    // is alive, else the live, non-draining instance with the fewest sessions. Alive: a heartbeat
    // younger than `liveMs`. Empty when no instance qualifies.
    Result<QString> placementOf(const QString &clientId, qint64 liveMs);

    // Every client with a live lease held by an instance other than `self`.
    Result<QList<RemoteSession>> ownedElsewhere(const QString &self);

private:
    Database &m_database;
};

} // namespace wadesk
