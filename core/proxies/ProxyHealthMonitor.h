#pragma once

#include "core/common/Clock.h"
#include "core/network/ProxyCheck.h"
#include "core/proxies/ProxySettings.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

namespace wadesk {

class ProxyService;

// Checks every proxy of the pool, every organization's, periodically and on demand (an operator's
// "Test now", or the forwarding proxy reporting that an upstream failed), and stores each result
// through ProxyService, which raises client.proxy_failed when a proxy dies. Main thread. At most
// kParallel checks run at once; a proxy is never checked twice at the same time.
class ProxyHealthMonitor final : public QObject {
    Q_OBJECT
public:
    static constexpr int kParallel = 4;
    // How soon a proxy that was never checked (just added, or its address changed, possibly
    // through the API of another thread) is checked.
    static constexpr int kUncheckedSweepMs = 2000;

    ProxyHealthMonitor(ProxyService &proxies, ProxySettings settings, QObject *parent = nullptr);
    ~ProxyHealthMonitor() override;

    // Checks every proxy now, then every checkIntervalMs.
    void start();
    void stop();
    // Queues a check of `proxyId` (ignored while one runs or waits).
    void checkNow(const QString &proxyId);
    int checksInFlight() const { return m_running.size(); }

signals:
    // Each finished check.
    void checked(const QString &proxyId, const wadesk::ProxyCheck &result);
    // Only on a change between healthy and dead (the first check of a proxy counts as one).
    void healthChanged(const QString &proxyId, bool healthy, const QString &error);

private:
    void checkAll();
    void checkUnchecked();
    void pump();
    void finish(const QString &proxyId, const ProxyCheck &result);

    ProxyService &m_proxies;
    const ProxySettings m_settings;
    QTimer m_timer;
    QTimer m_unchecked;
    QStringList m_waiting;
    QSet<QString> m_running;
};

} // namespace wadesk
