#include "core/network/ProxyClientConnection.h"

#include "core/network/EgressProxy.h"
#include "core/network/EgressRouteTable.h"
#include "core/network/SocketPipe.h"
#include "core/network/UpstreamConnector.h"

#include <QTcpSocket>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
// A user name from an unauthenticated request, fit for one log line: printable ASCII, bounded.
std::string printableUser(const QString &user)
{
    std::string out;
    for (const QChar c : user.left(64))
        out += (c.unicode() >= 0x20 && c.unicode() < 0x7f) ? char(c.unicode()) : '?';
    return out;
}
} // namespace

ProxyClientConnection::ProxyClientConnection(QTcpSocket *client, std::shared_ptr<const EgressRouteTable> routes,
                                             const ProxyLimits &limits, QObject *parent)
    : QObject(parent), m_client(client), m_routes(std::move(routes)), m_limits(limits)
{
    client->setParent(this);
    client->setReadBufferSize(SocketPipe::kReadChunk);
    connect(client, &QTcpSocket::readyRead, this, &ProxyClientConnection::onReadyRead);
    connect(client, &QTcpSocket::disconnected, this, [this] {
        if (!m_pipe)
            finish();
    });
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (!m_headDone)
            refuse(408, "Request Timeout", "the request head did not arrive in time\n");
        else
            abort(); // a refused client that does not take its answer
    });
    m_timer.start(m_limits.headTimeoutMs);
    if (client->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &ProxyClientConnection::onReadyRead, Qt::QueuedConnection);
}

ProxyClientConnection::~ProxyClientConnection()
{
    delete m_connector;
}

qint64 ProxyClientConnection::peakBuffered() const
{
    return m_pipe ? m_pipe->peakBuffered() : 0;
}

void ProxyClientConnection::onReadyRead()
{
    if (m_headDone || !m_client)
        return;
    m_buffer += m_client->read(m_limits.maxHeadBytes + 4 - m_buffer.size() + SocketPipe::kReadChunk);
    const int end = m_buffer.indexOf("\r\n\r\n");
    if (end < 0 || end + 4 > m_limits.maxHeadBytes) {
        if (m_buffer.size() >= m_limits.maxHeadBytes || end >= 0)
            refuse(431, "Request Header Fields Too Large", "the request head is larger than the limit\n");
        return;
    }
    m_headDone = true;
    const QByteArray head = m_buffer.left(end);
    m_buffer.remove(0, end + 4); // bytes the client sent after the head: they go to the target
    handleHead(head);
}

void ProxyClientConnection::handleHead(const QByteArray &head)
{
    QString error;
    const auto request = ProxyRequestHead::parse(head, &error);
    if (!request) {
        spdlog::debug("proxy: bad request ({})", error.toStdString());
        refuse(400, "Bad Request", error.toUtf8() + '\n');
        return;
    }
    m_request = *request;
    m_target = UpstreamConnector::authority(m_request.host, m_request.port);
    static const QByteArray challenge = "Proxy-Authenticate: Basic realm=\"WaDesk\"\r\n";
    const auto credentials = m_request.basicCredentials();
    if (!credentials) {
        // Chromium's first request carries no credentials; the page then answers the challenge.
        refuse(407, "Proxy Authentication Required", "proxy credentials required\n", challenge);
        return;
    }
    const auto route = m_routes->authenticate(credentials->user, credentials->password);
    if (!route) {
        spdlog::warn("proxy: refused credentials for client {} (target {})", printableUser(credentials->user),
                     printableUser(m_target));
        refuse(407, "Proxy Authentication Required", "proxy credentials refused\n", challenge);
        return;
    }
    m_clientId = credentials->user;
    m_route = *route;
    if (m_route.kind == EgressRoute::Kind::Blocked) {
        const QString reason = m_route.blockedReason.isEmpty() ? QStringLiteral("the client's proxy is unavailable")
                                                               : m_route.blockedReason;
        spdlog::warn("proxy: client {} blocked (proxy {}): {} (target {})", m_clientId.toStdString(),
                     m_route.proxyId.toStdString(), reason.toStdString(), m_target.toStdString());
        refuse(502, "Bad Gateway", "blocked: " + reason.toUtf8() + '\n');
        return;
    }
    if (m_request.form == ProxyRequestHead::Form::AbsoluteHttp && m_request.host == QLatin1String(EgressProxy::kWarmUpHost)) {
        // The page's first navigation (EgressProxy::warmUpUrl): its credentials are in its
        // profile now; on to where it is going.
        const QUrl next = EgressProxy::warmUpTarget(m_request.originTarget);
        if (next.isEmpty())
            refuse(400, "Bad Request", "no http(s) URL to go on to\n");
        else
            refuse(302, "Found", "", "Location: " + next.toEncoded() + "\r\nCache-Control: no-store\r\n");
        return;
    }
    openTunnel();
}

void ProxyClientConnection::openTunnel()
{
    m_timer.stop();
    m_connector = new UpstreamConnector;
    connect(m_connector, &UpstreamConnector::succeeded, this, &ProxyClientConnection::onTunnelReady);
    connect(m_connector, &UpstreamConnector::failed, this, &ProxyClientConnection::onTunnelFailed);
    if (m_route.kind == EgressRoute::Kind::Upstream)
        m_connector->openVia(m_route.upstream, m_request.host, m_request.port, m_limits.upstreamTimeoutMs);
    else
        m_connector->openDirect(m_request.host, m_request.port, m_limits.upstreamTimeoutMs);
}

void ProxyClientConnection::onTunnelReady()
{
    QTcpSocket *upstream = m_connector->takeSocket();
    m_connector->deleteLater();
    m_connector = nullptr;
    if (!m_client || m_client->state() != QAbstractSocket::ConnectedState) {
        upstream->abort();
        upstream->deleteLater();
        finish();
        return;
    }
    if (m_request.form == ProxyRequestHead::Form::Connect) {
        m_client->write("HTTP/1.1 200 Connection established\r\n\r\n");
        upstream->write(m_buffer);
    } else {
        upstream->write(m_request.originFormHead() + m_buffer);
    }
    m_buffer.clear();
    m_client->disconnect(this);
    m_pipe = new SocketPipe(m_client, upstream, this);
    connect(m_pipe, &SocketPipe::finished, this, &ProxyClientConnection::finish);
    spdlog::debug("proxy: client {} tunnel to {}{}", m_clientId.toStdString(), m_target.toStdString(),
                  m_route.kind == EgressRoute::Kind::Upstream ? " via proxy " + m_route.proxyId.toStdString() : std::string());
    emit tunnelOpened(m_clientId, m_target);
}

void ProxyClientConnection::onTunnelFailed(const QString &error)
{
    const bool proxyFault = m_connector->proxyFault();
    m_connector->deleteLater();
    m_connector = nullptr;
    if (m_route.kind == EgressRoute::Kind::Upstream) {
        spdlog::warn("proxy: client {} via proxy {} to {}: {}", m_clientId.toStdString(), m_route.proxyId.toStdString(),
                     m_target.toStdString(), error.toStdString());
        if (proxyFault)
            emit upstreamFailed(m_clientId, m_route.proxyId, error);
    } else {
        spdlog::info("proxy: client {} to {}: {}", m_clientId.toStdString(), m_target.toStdString(), error.toStdString());
    }
    refuse(502, "Bad Gateway", error.toUtf8() + '\n');
}

void ProxyClientConnection::refuse(int status, const QByteArray &reason, const QByteArray &body,
                                   const QByteArray &extraHeaders)
{
    if (!m_client || m_finished)
        return;
    m_headDone = true; // read nothing more
    m_client->disconnect(this);
    connect(m_client, &QTcpSocket::disconnected, this, &ProxyClientConnection::finish);
    QByteArray answer = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n" + extraHeaders
                        + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + QByteArray::number(body.size())
                        + "\r\nConnection: close\r\n\r\n" + body;
    m_client->write(answer);
    m_client->disconnectFromHost();
    if (m_client && m_client->state() != QAbstractSocket::UnconnectedState)
        m_timer.start(m_limits.refusalLingerMs);
    else
        finish();
}

void ProxyClientConnection::abort()
{
    if (m_pipe)
        m_pipe->abort();
    if (m_client)
        m_client->abort();
    finish();
}

void ProxyClientConnection::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_timer.stop();
    if (m_connector) {
        m_connector->disconnect(this);
        m_connector->deleteLater();
        m_connector = nullptr;
    }
    if (m_pipe)
        emit tunnelClosed(m_clientId);
    deleteLater();
}

} // namespace wadesk
