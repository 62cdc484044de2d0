#pragma once

#include "core/network/EgressRouteTable.h"

#include <QObject>
#include <QString>
#include <QThread>
#include <QUrl>
#include <memory>

namespace wadesk {

class ForwardingProxy;

// The application's egress: the forwarding proxy on a thread of its own, with the route table
// the engine fills. Chromium learns the proxy's address from QTWEBENGINE_CHROMIUM_FLAGS, which
// must be set before QtWebEngine starts, hence the socket bound before Qt exists.
class EgressProxy final : public QObject {
    Q_OBJECT
public:
    // Before QApplication / before any QtWebEngine profile: binds 127.0.0.1:0, appends
    // `--proxy-server=http://127.0.0.1:PORT` to QTWEBENGINE_CHROMIUM_FLAGS, returns the listening fd
    // (or -1 and logs why; then proxied clients fail closed).
    static int prepareForChromium();
    // The same bind (127.0.0.1, a free port, close-on-exec, listening) without touching the
    // environment; -1 on failure. For tests, which need no Chromium.
    static int bindLoopback(QString *error = nullptr);

    // A page's first navigation goes to this name, which the forwarding proxy answers itself (it
    // never leaves the machine) with a redirect to `next`: the page has then answered the proxy's
    // challenge from its main frame, and its profile holds the credentials before anything else
    // asks, such as a service worker, which has no page to answer a challenge and would fail.
    static constexpr const char *kWarmUpHost = "egress.wadesk.invalid";
    static QUrl warmUpUrl(const QUrl &next);
    // The redirect target of a warm-up request's origin-form target ("/?next=..."); empty unless
    // it is an http or https URL.
    static QUrl warmUpTarget(const QByteArray &originTarget);

    // Takes the listening fd (-1: nothing listens) and starts the thread.
    explicit EgressProxy(int listeningFd, QObject *parent = nullptr);
    ~EgressProxy() override; // stops the thread cleanly

    bool isListening() const;
    quint16 port() const;
    QString host() const { return QStringLiteral("127.0.0.1"); }
    EgressRouteTable &routes();

    // Thread-safe counters of the forwarder (tests, metrics).
    int openTunnels(const QString &clientId) const;
    int openTunnels() const;
    qint64 peakTunnelBuffer() const;

signals:
    void upstreamFailed(const QString &clientId, const QString &proxyId, const QString &error);
    void tunnelOpened(const QString &clientId, const QString &target);

private:
    std::shared_ptr<EgressRouteTable> m_routes;
    QThread m_thread;
    ForwardingProxy *m_forwarder = nullptr;
    bool m_listening = false;
    quint16 m_port = 0;
};

} // namespace wadesk
