#include "core/engine/ClientEgress.h"

#include "core/network/EgressProxy.h"
#include "core/network/EgressRoute.h"
#include "core/network/EgressRouteTable.h"
#include "core/proxies/ProxyService.h"

#include <spdlog/spdlog.h>

namespace wadesk {

ClientEgress::ClientEgress(EgressProxy *forwarder, ProxyService *proxies)
    : m_forwarder(forwarder && forwarder->isListening() ? forwarder : nullptr)
    , m_proxies(proxies)
{
}

ClientEgress::Plan ClientEgress::prepare(const QString &organizationId, const QString &clientId)
{
    Plan plan;
    std::optional<ProxyService::ClientProxy> proxy;
    if (m_proxies) {
        Result<std::optional<ProxyService::ClientProxy>> found = m_proxies->proxyOfClient(organizationId, clientId);
        if (!found) {
            // Not knowing whether the client has a proxy must not send it out directly.
            plan.allowed = false;
            plan.waitReason = QStringLiteral("cannot read the client's proxy: %1").arg(found.error().message);
            return plan;
        }
        proxy = found.value();
    }
    EgressRoute route;
    if (proxy) {
        plan.proxyId = proxy->proxyId;
        plan.country = proxy->country;
        const QString name = proxy->label.isEmpty() ? proxy->proxyId : proxy->label;
        if (proxy->healthy.has_value() && !*proxy->healthy) {
            plan.allowed = false;
            plan.waitReason = QStringLiteral("waiting for proxy %1: %2")
                                  .arg(name, proxy->lastError.isEmpty() ? QStringLiteral("it failed its check") : proxy->lastError);
            return plan;
        }
        if (!m_forwarder) {
            plan.allowed = false;
            plan.waitReason = QStringLiteral("WaDesk's forwarding proxy is not running, so proxy %1 cannot be used; "
                                             "restart WaDesk (see its log)")
                                  .arg(name);
            return plan;
        }
        route.kind = EgressRoute::Kind::Upstream;
        route.upstream = proxy->endpoint;
        route.proxyId = proxy->proxyId;
    }
    m_proxyOf.insert(clientId, plan.proxyId);
    if (proxy)
        m_endpointOf.insert(clientId, proxy->endpoint);
    else
        m_endpointOf.remove(clientId);
    if (!m_forwarder)
        return plan; // no forwarder, no proxy: Chromium goes direct by itself
    plan.credentials.proxyHost = m_forwarder->host();
    plan.credentials.proxyPort = m_forwarder->port();
    plan.credentials.user = clientId;
    plan.credentials.token = m_forwarder->routes().issue(clientId, route);
    return plan;
}

bool ClientEgress::differsFrom(const QString &clientId, const QString &proxyId, const std::optional<ProxyEndpoint> &endpoint) const
{
    if (m_proxyOf.value(clientId) != proxyId)
        return true;
    if (!endpoint)
        return m_endpointOf.contains(clientId);
    const auto it = m_endpointOf.constFind(clientId);
    if (it == m_endpointOf.constEnd())
        return true;
    return it->type != endpoint->type || it->host != endpoint->host || it->port != endpoint->port
        || it->username != endpoint->username || it->password != endpoint->password;
}

void ClientEgress::release(const QString &clientId)
{
    m_proxyOf.remove(clientId);
    m_endpointOf.remove(clientId);
    if (m_forwarder)
        m_forwarder->routes().remove(clientId);
}

void ClientEgress::block(const QString &clientId, const QString &reason)
{
    if (!m_forwarder)
        return;
    EgressRoute blocked;
    blocked.kind = EgressRoute::Kind::Blocked;
    blocked.proxyId = m_proxyOf.value(clientId);
    blocked.blockedReason = reason;
    m_forwarder->routes().setRoute(clientId, blocked);
}

} // namespace wadesk
