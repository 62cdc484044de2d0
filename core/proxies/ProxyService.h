#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/network/ProxyCheck.h"
#include "core/network/ProxyEndpoint.h"
#include "core/proxies/ProxyRecord.h"

#include <QList>
#include <QStringList>
#include <optional>

namespace wadesk {

class AesGcm;
class Database;
class EventBus;

// The organization's pool of upstream proxies and which client goes out through which. Admins
// manage the pool (can_manage_organization); admins and managers read it and assign proxies to
// clients (can_manage_clients). Passwords are sealed with the master key and never returned.
// The engine side (no actor) reads a client's proxy with its password, stores health checks and
// moves clients off a dead proxy when they allow it. Every change is audited; an entry going
// dead publishes client.proxy_failed for each of its clients.
class ProxyService {
public:
    // The value of `proxyIdOrAuto` that picks a proxy for the client.
    static const QString kAuto;

    ProxyService(Database &database, const AesGcm &cipher, EventBus &events, const Clock &clock = Clock::system());

    // Operators.
    Result<QList<ProxyRecord>> list(const AuthContext &actor);
    Result<ProxyRecord> get(const AuthContext &actor, const QString &proxyId);
    Result<ProxyRecord> create(const AuthContext &actor, const ProxyInput &input); // 409 proxy_exists
    // A change of type, host, port or credentials makes the health unknown again.
    Result<ProxyRecord> update(const AuthContext &actor, const QString &proxyId, const ProxyPatch &patch);
    Status remove(const AuthContext &actor, const QString &proxyId); // 409 proxy_in_use (details.clients)

    // Assignment (can_manage_clients; the client must be visible to the actor). `proxyIdOrAuto`:
    // a pool entry (409 proxy_full at its maximum); kAuto: the healthy or unchecked entry with
    // the fewest clients under its maximum (409 no_proxy_available when none); empty: no proxy.
    // Returns the client's proxy id afterwards (empty: none).
    Result<QString> assign(const AuthContext &actor, const QString &clientId, const QString &proxyIdOrAuto);
    // Whether the engine may move the client to another healthy proxy when its own dies.
    Status setFailover(const AuthContext &actor, const QString &clientId, bool allowed);

    // Engine side (system, no actor; main thread).
    struct ClientProxy {
        QString proxyId;
        QString label;
        QString country;
        ProxyEndpoint endpoint; // password unsealed
        std::optional<bool> healthy;
        QString lastError;
        bool failover = false;
    };
    // nullopt when the client has no proxy; 404 when the organization has no such client.
    Result<std::optional<ClientProxy>> proxyOfClient(const QString &organizationId, const QString &clientId);
    Result<QList<ProxyRecord>> allForChecks(); // every organization
    Result<ProxyEndpoint> endpointOf(const QString &proxyId); // unsealed, for the probe
    // Stores a check; returns whether the health changed (unknown/healthy → dead,
    // dead/unknown → healthy). Going dead publishes client.proxy_failed {clientId, proxy_id,
    // error} for each client of the entry. A change of health is audited (system actor).
    Result<bool> recordCheck(const QString &proxyId, const ProxyCheck &check);
    Result<QStringList> clientsOf(const QString &proxyId);
    // Moves the client to another healthy proxy of its organization (the one with the fewest
    // clients under its maximum), audited with the system actor; returns the new proxy id.
    // 409 failover_not_allowed unless the client allows it, 409 no_proxy_available when none.
    Result<QString> failOver(const QString &organizationId, const QString &clientId);

    // What a sealed password is bound to (moved to another row, it does not open).
    static QByteArray sealingContext(const QString &proxyId);

private:
    Result<ProxyRecord> found(const QString &organizationId, const QString &proxyId);
    QString seal(const QString &proxyId, const QString &password) const;

    Database &m_database;
    const AesGcm &m_cipher;
    EventBus &m_events;
    const Clock &m_clock;
};

} // namespace wadesk
