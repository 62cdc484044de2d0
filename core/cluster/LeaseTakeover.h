#pragma once

#include "core/common/DomainError.h"

#include <QObject>
#include <QStringList>
#include <QTimer>
#include <functional>

namespace wadesk {

class Database;
class SessionLeases;

// Moves sessions between instances on one PostgreSQL (DESIGN §9): at every tick it looks for
// clients that should run (autostart) but whose lease nobody holds (missing, released, expired)
// and asks for the ones this instance should take to be started (which acquires the lease by
// compare-and-set, so two instances choosing the same client cannot both get it).
// - a client pinned to this instance is taken at once;
// - a client pinned to another live instance is left to it;
// - any other is taken only where placeSession puts it: by the live, non-draining instance with
//   the fewest sessions (ties broken by instance id), counting the ones it takes in this tick (so
//   an empty instance takes several at once until it is no longer the least busy); a draining
//   instance takes nothing.
// Main thread.
class LeaseTakeover final : public QObject {
    Q_OBJECT
public:
    using StartClient = std::function<bool(const QString &organizationId, const QString &clientId)>;
    LeaseTakeover(Database &database, SessionLeases &leases, StartClient start, QObject *parent = nullptr);
    ~LeaseTakeover() override;

    void start(); // ticks every renewal interval of the leases
    void stop();
    // One round; returns the clients it asked to start (tests call it directly).
    Result<QStringList> tick();
    // At start: the autostart clients this instance should bring back at once (their lease was
    // this instance's, or they are pinned here), each as {organizationId, clientId}.
    static Result<QList<QPair<QString, QString>>> ownClientsAtStart(Database &database, const QString &instanceId);

private:
    Database &m_database;
    SessionLeases &m_leases;
    StartClient m_start;
    QTimer m_timer;
};

} // namespace wadesk
