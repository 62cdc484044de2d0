#include "core/proxies/ProxyHealthMonitor.h"

#include "core/network/ProxyProbe.h"
#include "core/proxies/ProxyService.h"

#include <spdlog/spdlog.h>

namespace wadesk {

ProxyHealthMonitor::ProxyHealthMonitor(ProxyService &proxies, ProxySettings settings, QObject *parent)
    : QObject(parent)
    , m_proxies(proxies)
    , m_settings(std::move(settings))
{
    m_timer.setInterval(std::max(m_settings.checkIntervalMs, ProxySettings::kMinIntervalMs));
    connect(&m_timer, &QTimer::timeout, this, &ProxyHealthMonitor::checkAll);
    m_unchecked.setInterval(kUncheckedSweepMs);
    connect(&m_unchecked, &QTimer::timeout, this, &ProxyHealthMonitor::checkUnchecked);
}

ProxyHealthMonitor::~ProxyHealthMonitor() = default;

void ProxyHealthMonitor::start()
{
    checkAll();
    m_timer.start();
    m_unchecked.start();
}

void ProxyHealthMonitor::stop()
{
    m_timer.stop();
    m_unchecked.stop();
    m_waiting.clear();
}

void ProxyHealthMonitor::checkAll()
{
    Result<QList<ProxyRecord>> all = m_proxies.allForChecks();
    if (!all) {
        spdlog::error("proxies: cannot list them for their health checks: {}", all.error().message.toStdString());
        return;
    }
    for (const ProxyRecord &proxy : all.value())
        checkNow(proxy.id);
}

void ProxyHealthMonitor::checkUnchecked()
{
    Result<QList<ProxyRecord>> all = m_proxies.allForChecks();
    if (!all)
        return; // said by the next full round
    for (const ProxyRecord &proxy : all.value()) {
        if (!proxy.healthy.has_value())
            checkNow(proxy.id);
    }
}

void ProxyHealthMonitor::checkNow(const QString &proxyId)
{
    if (m_running.contains(proxyId) || m_waiting.contains(proxyId))
        return;
    m_waiting << proxyId;
    pump();
}

void ProxyHealthMonitor::pump()
{
    while (m_running.size() < kParallel && !m_waiting.isEmpty()) {
        const QString proxyId = m_waiting.takeFirst();
        Result<ProxyEndpoint> endpoint = m_proxies.endpointOf(proxyId);
        if (!endpoint) {
            // Deleted since it was queued, or unreadable: nothing to record.
            spdlog::debug("proxy {}: not checked: {}", proxyId.toStdString(), endpoint.error().message.toStdString());
            continue;
        }
        m_running.insert(proxyId);
        auto *probe = new ProxyProbe(this);
        const ProxyEndpoint checked = endpoint.value();
        connect(probe, &ProxyProbe::finished, this, [this, probe, proxyId, checked](const ProxyCheck &result) {
            probe->deleteLater();
            // An admin may have changed the proxy while it was checked: the result belongs to
            // the old address and says nothing of the new one, which is checked instead.
            Result<ProxyEndpoint> now = m_proxies.endpointOf(proxyId);
            if (!now) { // deleted meanwhile: nothing to record
                m_running.remove(proxyId);
                pump();
                return;
            }
            const ProxyEndpoint &e = now.value();
            if (e.host != checked.host || e.port != checked.port || e.type != checked.type || e.username != checked.username
                || e.password != checked.password) {
                m_running.remove(proxyId);
                checkNow(proxyId);
                return;
            }
            finish(proxyId, result);
        });
        probe->start(endpoint.value(), m_settings.checkHost, m_settings.checkPort, m_settings.exitAddressUrl,
                     m_settings.checkTimeoutMs);
    }
}

void ProxyHealthMonitor::finish(const QString &proxyId, const ProxyCheck &result)
{
    m_running.remove(proxyId);
    Result<bool> changed = m_proxies.recordCheck(proxyId, result);
    if (!changed) {
        spdlog::error("proxy {}: cannot record its check: {}", proxyId.toStdString(), changed.error().message.toStdString());
    } else if (changed.value()) {
        if (result.ok)
            spdlog::info("proxy {}: reachable again ({} ms)", proxyId.toStdString(), result.latencyMs);
        else
            spdlog::warn("proxy {}: unreachable: {}", proxyId.toStdString(), result.error.toStdString());
        emit healthChanged(proxyId, result.ok, result.error);
    }
    emit checked(proxyId, result);
    pump();
}

} // namespace wadesk
