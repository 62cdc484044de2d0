#include "core/network/ForwardingProxy.h"

#include "core/network/EgressRouteTable.h"
#include "core/network/ProxyClientConnection.h"

#include <QTcpSocket>
#include <spdlog/spdlog.h>

namespace wadesk {

ForwardingProxy::ForwardingProxy(std::shared_ptr<const EgressRouteTable> routes, const ProxyLimits &limits,
                                 QObject *parent)
    : QObject(parent), m_routes(std::move(routes)), m_limits(limits)
{
    m_server.setParent(this);
    connect(&m_server, &QTcpServer::newConnection, this, &ForwardingProxy::onNewConnection);
}

ForwardingProxy::~ForwardingProxy()
{
    close();
}

bool ForwardingProxy::listenOnDescriptor(qintptr descriptor)
{
    if (descriptor < 0)
        return false;
    if (!m_server.setSocketDescriptor(descriptor)) {
        spdlog::error("proxy: cannot take over the listening socket: {}", m_server.errorString().toStdString());
        return false;
    }
    return m_server.isListening();
}

bool ForwardingProxy::listen(const QHostAddress &address, quint16 port)
{
    return m_server.listen(address, port);
}

bool ForwardingProxy::isListening() const
{
    return m_server.isListening();
}

quint16 ForwardingProxy::port() const
{
    return m_server.serverPort();
}

QString ForwardingProxy::errorString() const
{
    return m_server.errorString();
}

void ForwardingProxy::close()
{
    m_server.close();
    const QSet<ProxyClientConnection *> open = m_connections;
    m_connections.clear();
    for (ProxyClientConnection *connection : open) {
        connection->disconnect(this);
        connection->abort();
    }
    QMutexLocker locker(&m_countLock);
    m_tunnels.clear();
}

void ForwardingProxy::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        auto *connection = new ProxyClientConnection(socket, m_routes, m_limits, this);
        m_connections.insert(connection);
        connect(connection, &ProxyClientConnection::tunnelOpened, this, [this](const QString &clientId, const QString &target) {
            onTunnelOpened(clientId);
            emit tunnelOpened(clientId, target);
        });
        connect(connection, &ProxyClientConnection::tunnelClosed, this,
                [this, connection](const QString &clientId) { onTunnelClosed(clientId, connection); });
        connect(connection, &ProxyClientConnection::upstreamFailed, this, &ForwardingProxy::upstreamFailed);
        connect(connection, &QObject::destroyed, this, [this, connection] { m_connections.remove(connection); });
    }
}

void ForwardingProxy::onTunnelOpened(const QString &clientId)
{
    QMutexLocker locker(&m_countLock);
    ++m_tunnels[clientId];
}

void ForwardingProxy::onTunnelClosed(const QString &clientId, ProxyClientConnection *connection)
{
    QMutexLocker locker(&m_countLock);
    m_peakBuffer = qMax(m_peakBuffer, connection->peakBuffered());
    auto it = m_tunnels.find(clientId);
    if (it != m_tunnels.end() && --it.value() <= 0)
        m_tunnels.erase(it);
}

int ForwardingProxy::openTunnels(const QString &clientId) const
{
    QMutexLocker locker(&m_countLock);
    return m_tunnels.value(clientId);
}

int ForwardingProxy::openTunnels() const
{
    QMutexLocker locker(&m_countLock);
    int total = 0;
    for (const int n : m_tunnels)
        total += n;
    return total;
}

qint64 ForwardingProxy::peakTunnelBuffer() const
{
    QMutexLocker locker(&m_countLock);
    return m_peakBuffer;
}

} // namespace wadesk
