#pragma once

#include "core/network/ProxyLimits.h"

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QTcpServer>
#include <memory>

namespace wadesk {

class EgressRouteTable;
class ProxyClientConnection;

// WaDesk's forwarding proxy, the one proxy Chromium is given. Each connection must carry
// `Proxy-Authorization: Basic base64(clientId:token)` (else 407); the client's route then sends
// it DIRECT, through the client's UPSTREAM proxy, or refuses it (BLOCKED: 502, never direct).
// Handles CONNECT host:port and absolute-form http:// requests (sent on in origin-form with
// `Connection: close`). Lives on one thread (EgressProxy moves it to its own); the counters are
// safe to read from any thread. Logs client ids and targets, never tokens or passwords.
class ForwardingProxy final : public QObject {
    Q_OBJECT
public:
    explicit ForwardingProxy(std::shared_ptr<const EgressRouteTable> routes, const ProxyLimits &limits = {},
                             QObject *parent = nullptr);
    ~ForwardingProxy() override;

    // Takes over an already bound and listening socket (EgressProxy::bindLoopback()).
    bool listenOnDescriptor(qintptr descriptor);
    bool listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    bool isListening() const;
    quint16 port() const;
    QString errorString() const;
    // Stops accepting and drops every connection.
    void close();

    // Thread-safe counters, for tests and metrics.
    int openTunnels(const QString &clientId) const;
    int openTunnels() const;
    // The most bytes a tunnel ever held in a write buffer (bounded by design near 1 MiB).
    qint64 peakTunnelBuffer() const;

signals:
    void upstreamFailed(const QString &clientId, const QString &proxyId, const QString &error);
    void tunnelOpened(const QString &clientId, const QString &target);

private:
    void onNewConnection();
    void onTunnelOpened(const QString &clientId);
    void onTunnelClosed(const QString &clientId, ProxyClientConnection *connection);

    std::shared_ptr<const EgressRouteTable> m_routes;
    ProxyLimits m_limits;
    QTcpServer m_server;
    QSet<ProxyClientConnection *> m_connections;
    mutable QMutex m_countLock;
    QHash<QString, int> m_tunnels;
    qint64 m_peakBuffer = 0;
};

} // namespace wadesk
