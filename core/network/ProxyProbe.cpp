#include "core/network/ProxyProbe.h"

#include "core/network/UpstreamConnector.h"

#include <QHostAddress>
#include <QTcpSocket>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
constexpr int kMaxExitReply = 64 * 1024;

// The body of a complete HTTP/1.x response read until close; empty when it is not a 200.
QByteArray responseBody(const QByteArray &reply)
{
    const int end = reply.indexOf("\r\n\r\n");
    if (end < 0)
        return {};
    const QByteArray head = reply.left(end);
    const QList<QByteArray> status = head.left(head.indexOf("\r\n")).split(' ');
    if (status.size() < 2 || !status.at(0).startsWith("HTTP/1.") || status.at(1) != "200")
        return {};
    QByteArray body = reply.mid(end + 4);
    if (!head.toLower().contains("transfer-encoding: chunked"))
        return body;
    QByteArray decoded;
    while (true) {
        const int line = body.indexOf("\r\n");
        if (line < 0)
            return {};
        bool ok = false;
        const int size = body.left(line).split(';').first().trimmed().toInt(&ok, 16);
        if (!ok || size < 0)
            return {};
        if (size == 0)
            return decoded;
        decoded += body.mid(line + 2, size);
        body.remove(0, line + 2 + size + 2);
    }
}
} // namespace

ProxyProbe::ProxyProbe(QObject *parent) : QObject(parent)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &ProxyProbe::onTimeout);
}

ProxyProbe::~ProxyProbe()
{
    delete m_connector;
    if (m_exitSocket)
        m_exitSocket->abort();
    delete m_exitSocket.data();
}

int ProxyProbe::remainingMs() const
{
    return qMax<qint64>(1, m_timeoutMs - m_clock.elapsed());
}

void ProxyProbe::start(const ProxyEndpoint &proxy, const QString &targetHost, quint16 targetPort,
                       const QUrl &exitAddressUrl, int timeoutMs)
{
    if (m_started)
        return;
    m_started = true;
    m_proxy = proxy;
    m_exitUrl = exitAddressUrl;
    m_timeoutMs = qMax(1, timeoutMs);
    m_clock.start();
    m_deadline.start(m_timeoutMs);
    if (targetHost.isEmpty() || targetPort == 0) {
        m_result.error = QStringLiteral("no target to check the proxy against");
        QMetaObject::invokeMethod(this, &ProxyProbe::finish, Qt::QueuedConnection);
        return;
    }
    m_connector = new UpstreamConnector;
    connect(m_connector, &UpstreamConnector::succeeded, this, &ProxyProbe::onTargetOpen);
    connect(m_connector, &UpstreamConnector::failed, this, &ProxyProbe::onTargetFailed);
    // The connector's own timeout stays inside ours, so its clearer text wins.
    m_connector->openVia(proxy, targetHost, targetPort, qMax(1, m_timeoutMs - 50));
}

void ProxyProbe::onTargetOpen()
{
    m_result.ok = true;
    m_result.latencyMs = int(m_clock.elapsed());
    QTcpSocket *tunnel = m_connector->takeSocket(); // only the opening mattered
    tunnel->abort();
    tunnel->deleteLater(); // we are inside one of its signals
    m_connector->deleteLater();
    m_connector = nullptr;
    if (m_exitUrl.isValid() && m_exitUrl.scheme() == QLatin1String("http") && !m_exitUrl.host().isEmpty())
        askExitAddress();
    else
        finish();
}

void ProxyProbe::onTargetFailed(const QString &error)
{
    m_result.ok = false;
    m_result.error = error;
    m_connector->deleteLater();
    m_connector = nullptr;
    finish();
}

void ProxyProbe::askExitAddress()
{
    m_connector = new UpstreamConnector;
    connect(m_connector, &UpstreamConnector::succeeded, this, &ProxyProbe::onExitTunnelOpen);
    connect(m_connector, &UpstreamConnector::failed, this, [this](const QString &error) {
        spdlog::debug("proxy probe: exit address not learned: {}", error.toStdString());
        finish();
    });
    // Through an HTTP proxy as an absolute-form GET (many HTTP proxies allow CONNECT to 443 only);
    // through SOCKS5 as a tunnel to the host's port 80.
    if (m_proxy.type == ProxyEndpoint::Type::Http)
        m_connector->openDirect(m_proxy.host, m_proxy.port, remainingMs());
    else
        m_connector->openVia(m_proxy, m_exitUrl.host(), quint16(m_exitUrl.port(80)), remainingMs());
}

void ProxyProbe::onExitTunnelOpen()
{
    m_exitSocket = m_connector->takeSocket();
    m_connector->deleteLater();
    m_connector = nullptr;
    m_exitSocket->setParent(this);
    connect(m_exitSocket, &QTcpSocket::readyRead, this, &ProxyProbe::onExitBytes);
    connect(m_exitSocket, &QTcpSocket::disconnected, this, &ProxyProbe::onExitClosed);
    QByteArray path = m_exitUrl.path(QUrl::FullyEncoded).toUtf8();
    if (path.isEmpty())
        path = "/";
    if (m_exitUrl.hasQuery())
        path += '?' + m_exitUrl.query(QUrl::FullyEncoded).toUtf8();
    const QByteArray host = m_exitUrl.port(80) == 80 ? m_exitUrl.host(QUrl::FullyEncoded).toUtf8()
                                                     : m_exitUrl.authority(QUrl::FullyEncoded).toUtf8();
    QByteArray request;
    if (m_proxy.type == ProxyEndpoint::Type::Http) {
        request = "GET http://" + host + path + " HTTP/1.1\r\n";
        if (!m_proxy.username.isEmpty())
            request += "Proxy-Authorization: Basic "
                       + (m_proxy.username.toUtf8() + ':' + m_proxy.password.toUtf8()).toBase64() + "\r\n";
    } else {
        request = "GET " + path + " HTTP/1.1\r\n";
    }
    request += "Host: " + host + "\r\nUser-Agent: WaDesk-proxy-check\r\nAccept: text/plain\r\nConnection: close\r\n\r\n";
    m_exitSocket->write(request);
    onExitBytes();
}

void ProxyProbe::onExitBytes()
{
    if (!m_exitSocket)
        return;
    m_exitReply += m_exitSocket->readAll();
    if (m_exitReply.size() > kMaxExitReply) {
        spdlog::debug("proxy probe: exit address reply too large");
        finish();
    }
}

void ProxyProbe::onExitClosed()
{
    if (m_exitSocket)
        m_exitReply += m_exitSocket->readAll();
    const QString text = QString::fromUtf8(responseBody(m_exitReply)).trimmed();
    const QHostAddress address(text);
    if (!address.isNull())
        m_result.exitAddress = address.toString();
    else
        spdlog::debug("proxy probe: the exit address answer is not an IP address");
    finish();
}

void ProxyProbe::onTimeout()
{
    if (!m_result.ok)
        m_result.error = QStringLiteral("proxy timed out");
    finish(); // the tunnel opened: the exit address stays unknown
}

void ProxyProbe::finish()
{
    if (m_done)
        return;
    m_done = true;
    m_deadline.stop();
    if (m_connector) {
        m_connector->disconnect(this);
        m_connector->deleteLater();
        m_connector = nullptr;
    }
    if (m_exitSocket) {
        m_exitSocket->disconnect(this);
        m_exitSocket->abort();
    }
    if (m_result.ok)
        m_result.error.clear();
    else
        m_result.latencyMs = -1;
    emit finished(m_result);
}

} // namespace wadesk
