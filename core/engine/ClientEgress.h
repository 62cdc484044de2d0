#pragma once

#include "core/engine/WaSession.h"
#include "core/network/ProxyEndpoint.h"

#include <optional>

#include <QHash>
#include <QString>

namespace wadesk {

class EgressProxy;
class ProxyService;

// How each client's page reaches the network. Chromium has one proxy for every page, WaDesk's
// forwarding proxy (EgressProxy); at each start of a client this decides its route there (direct,
// or through the client's own proxy of the pool) and the credentials its page answers with, and
// keeps the forwarder's route table in step. It fails closed: a client whose proxy is dead, or
// whose proxy cannot be honoured, does not start (and never goes direct). Main thread.
class ClientEgress {
public:
    // `forwarder` null: WaDesk's forwarding proxy could not be set up; clients without a proxy go
    // direct, clients with one wait. `proxies` null: no pool (tests of the engine alone).
    ClientEgress(EgressProxy *forwarder, ProxyService *proxies);

    struct Plan {
        bool allowed = true;
        QString waitReason;  // !allowed: why the client waits
        QString proxyId;     // empty: direct
        QString country;     // the proxy's, when known
        WaSession::Config::Egress credentials;
    };
    Plan prepare(const QString &organizationId, const QString &clientId);
    // The client's page is gone: its credentials stop working.
    void release(const QString &clientId);
    // Refuses the client's traffic from now on (its proxy died) until it is prepared again.
    void block(const QString &clientId, const QString &reason);
    // The proxy the client's running page was prepared with (empty: direct or not running).
    QString proxyOf(const QString &clientId) const { return m_proxyOf.value(clientId); }
    QStringList clientsUsing(const QString &proxyId) const { return m_proxyOf.keys(proxyId); }
    // Whether the running client's route is not the one `proxyId`/`endpoint` would give it now
    // (another proxy, none, or the same proxy at another address or with other credentials).
    bool differsFrom(const QString &clientId, const QString &proxyId, const std::optional<ProxyEndpoint> &endpoint) const;

private:
    EgressProxy *m_forwarder;
    ProxyService *m_proxies;
    QHash<QString, QString> m_proxyOf; // running clientId -> proxyId ("" direct)
    QHash<QString, ProxyEndpoint> m_endpointOf; // running clientId -> its upstream (proxied only)
};

} // namespace wadesk
