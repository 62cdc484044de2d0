#pragma once

#include "core/network/EgressRoute.h"
#include "core/network/ProxyLimits.h"
#include "core/network/ProxyRequestHead.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <memory>

class QTcpSocket;

namespace wadesk {

class EgressRouteTable;
class SocketPipe;
class UpstreamConnector;

// One connection accepted by the forwarding proxy: reads and checks the request head, refuses
// (400, 407, 408, 431, 502) or opens the route's tunnel and pipes until either side closes.
// Deletes itself (deleteLater) when done.
class ProxyClientConnection final : public QObject {
    Q_OBJECT
public:
    ProxyClientConnection(QTcpSocket *client, std::shared_ptr<const EgressRouteTable> routes, const ProxyLimits &limits,
                          QObject *parent = nullptr);
    ~ProxyClientConnection() override;

    QString clientId() const { return m_clientId; }
    bool isTunnel() const { return m_pipe != nullptr; }
    qint64 peakBuffered() const;
    void abort();

signals:
    void tunnelOpened(const QString &clientId, const QString &target);
    void tunnelClosed(const QString &clientId);
    void upstreamFailed(const QString &clientId, const QString &proxyId, const QString &error);

private:
    void onReadyRead();
    void handleHead(const QByteArray &head);
    void openTunnel();
    void onTunnelReady();
    void onTunnelFailed(const QString &error);
    void refuse(int status, const QByteArray &reason, const QByteArray &body, const QByteArray &extraHeaders = {});
    void finish();

    QPointer<QTcpSocket> m_client;
    std::shared_ptr<const EgressRouteTable> m_routes;
    ProxyLimits m_limits;
    QTimer m_timer;
    QByteArray m_buffer;
    bool m_headDone = false;
    bool m_finished = false;
    ProxyRequestHead m_request;
    EgressRoute m_route;
    QString m_clientId;
    QString m_target;
    UpstreamConnector *m_connector = nullptr;
    SocketPipe *m_pipe = nullptr;
};

} // namespace wadesk
