#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QList>
#include <QString>
#include <optional>

namespace wadesk {

class ClientService;
class Database;

// The instances that share this database, as operators see and steer them: the list (admins),
// draining one (admins: its sessions are handed over to the others one by one) and pinning a
// client to one (those who manage clients). Everything is audited and scoped to the actor's
// organization: an instance's session count is of that organization's clients only.
class InstanceService {
public:
    InstanceService(Database &database, ClientService &clients, int leaseSeconds, const Clock &clock = Clock::system());

    struct Instance {
        QString id;
        QString host;
        QString version;
        qint64 startedAt = 0;
        qint64 heartbeatAt = 0;
        qint64 heartbeatAgeMs = 0; // since heartbeatAt on the database's clock (machines' clocks may disagree)
        bool alive = false;   // heartbeat within the lease time, on the database's clock
        bool draining = false;
        int sessions = 0;     // live leases on clients of the actor's organization
    };
    Result<QList<Instance>> list(const AuthContext &actor);
    // What a client may be pinned to, for those who pin (ManageClients) without administering
    // instances: each instance's id, whether it is alive and whether it drains; no host, version,
    // heartbeat or sessions.
    Result<QList<Instance>> pinTargets(const AuthContext &actor);
    // 404 for an id that names no instance.
    Result<Instance> setDraining(const AuthContext &actor, const QString &instanceId, bool draining);
    // `instanceId` empty: unpinned. 422 unknown_instance for an id that names no instance; 404 for
    // a client the actor does not see. A client running elsewhere than its new pin is handed over
    // (a command to its owner: stop, release the lease).
    Status pin(const AuthContext &actor, const QString &clientId, const QString &instanceId);
    // What pin() would refuse, without changing anything (callers that change more check first).
    Status checkPin(const AuthContext &actor, const QString &clientId, const QString &instanceId);

private:
    Result<std::optional<Instance>> find(const AuthContext &actor, const QString &instanceId);

    Database &m_database;
    ClientService &m_clients;
    int m_leaseSeconds;
    const Clock &m_clock;
};

} // namespace wadesk
