#include "core/network/UpstreamConnector.h"

#include <QHostAddress>
#include <QTcpSocket>

namespace wadesk {

namespace {
constexpr int kMaxReplyHead = 16 * 1024;

QString socketErrorText(QAbstractSocket::SocketError error, const QString &fallback)
{
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError: return QStringLiteral("connection refused");
    case QAbstractSocket::HostNotFoundError: return QStringLiteral("host not found");
    case QAbstractSocket::RemoteHostClosedError: return QStringLiteral("connection closed");
    case QAbstractSocket::SocketTimeoutError: return QStringLiteral("timed out");
    case QAbstractSocket::NetworkError: return QStringLiteral("network unreachable");
    default: return fallback;
    }
}

QString socksReplyText(int code)
{
    switch (code) {
    case 1: return QStringLiteral("general failure");
    case 2: return QStringLiteral("not allowed by the proxy's rules");
    case 3: return QStringLiteral("network unreachable");
    case 4: return QStringLiteral("host unreachable");
    case 5: return QStringLiteral("connection refused");
    case 6: return QStringLiteral("TTL expired");
    case 7: return QStringLiteral("command not supported");
    case 8: return QStringLiteral("address type not supported");
    default: return QStringLiteral("unknown reply");
    }
}
} // namespace

UpstreamConnector::UpstreamConnector(QObject *parent) : QObject(parent)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &UpstreamConnector::onTimeout);
}

UpstreamConnector::~UpstreamConnector()
{
    if (m_socket)
        m_socket->abort();
    delete m_socket.data();
}

QString UpstreamConnector::authority(const QString &host, quint16 port)
{
    const bool ipv6 = host.contains(QLatin1Char(':'));
    return (ipv6 ? QLatin1Char('[') + host + QLatin1Char(']') : host) + QLatin1Char(':') + QString::number(port);
}

QString UpstreamConnector::target() const
{
    return authority(m_host, m_port);
}

void UpstreamConnector::openDirect(const QString &host, quint16 port, int timeoutMs)
{
    m_proxy.reset();
    m_host = host;
    m_port = port;
    start(timeoutMs);
}

void UpstreamConnector::openVia(const ProxyEndpoint &proxy, const QString &host, quint16 port, int timeoutMs)
{
    m_proxy = proxy;
    m_host = host;
    m_port = port;
    start(timeoutMs);
}

void UpstreamConnector::start(int timeoutMs)
{
    if (m_stage != Stage::Idle) {
        fail(QStringLiteral("connector used twice"), false);
        return;
    }
    m_stage = Stage::Connecting;
    m_socket = new QTcpSocket;
    connect(m_socket, &QTcpSocket::connected, this, &UpstreamConnector::onConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &UpstreamConnector::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &UpstreamConnector::onSocketError);
    m_timer.start(qMax(1, timeoutMs));
    if (m_proxy) {
        if (m_proxy->host.isEmpty() || m_proxy->port == 0) {
            fail(QStringLiteral("proxy has no address"), true);
            return;
        }
        m_socket->connectToHost(m_proxy->host, m_proxy->port);
    } else {
        m_socket->connectToHost(m_host, m_port);
    }
}

void UpstreamConnector::onConnected()
{
    if (!m_proxy) {
        succeed();
        return;
    }
    if (m_proxy->type == ProxyEndpoint::Type::Http) {
        QByteArray request = "CONNECT " + target().toUtf8() + " HTTP/1.1\r\nHost: " + target().toUtf8() + "\r\n";
        if (!m_proxy->username.isEmpty()) {
            const QByteArray pair = m_proxy->username.toUtf8() + ':' + m_proxy->password.toUtf8();
            request += "Proxy-Authorization: Basic " + pair.toBase64() + "\r\n";
        }
        request += "\r\n";
        m_stage = Stage::HttpConnect;
        m_socket->write(request);
        return;
    }
    // SOCKS5 greeting: offer no-auth, and username/password when we have credentials.
    m_stage = Stage::SocksMethod;
    if (m_proxy->username.isEmpty())
        m_socket->write(QByteArray("\x05\x01\x00", 3));
    else
        m_socket->write(QByteArray("\x05\x02\x00\x02", 4));
}

void UpstreamConnector::onReadyRead()
{
    switch (m_stage) {
    case Stage::HttpConnect: readHttpConnectReply(); break;
    case Stage::SocksMethod: readSocksMethod(); break;
    case Stage::SocksAuth: readSocksAuth(); break;
    case Stage::SocksConnect: readSocksConnectReply(); break;
    default: break; // Done: the bytes belong to whoever took the socket
    }
}

void UpstreamConnector::readHttpConnectReply()
{
    // Read exactly the reply head; anything after it is the target's and stays in the socket.
    const QByteArray peeked = m_socket->peek(kMaxReplyHead + 4);
    const int end = peeked.indexOf("\r\n\r\n");
    if (end < 0) {
        if (peeked.size() > kMaxReplyHead)
            fail(QStringLiteral("proxy sent an oversized reply to CONNECT"), true);
        return;
    }
    const QByteArray head = m_socket->read(end + 4);
    const QByteArray statusLine = head.left(head.indexOf("\r\n"));
    const QList<QByteArray> parts = statusLine.split(' ');
    bool numeric = false;
    const int status = parts.size() >= 2 ? parts.at(1).toInt(&numeric) : 0;
    if (!statusLine.startsWith("HTTP/1.") || !numeric) {
        fail(QStringLiteral("proxy is not an HTTP proxy (bad reply to CONNECT)"), true);
        return;
    }
    if (status >= 200 && status < 300) {
        succeed();
        return;
    }
    if (status == 407) {
        fail(m_proxy->username.isEmpty() ? QStringLiteral("proxy requires credentials")
                                         : QStringLiteral("proxy refused the credentials"),
             true);
        return;
    }
    fail(QStringLiteral("proxy could not reach %1 (HTTP %2)").arg(target()).arg(status), false);
}

void UpstreamConnector::readSocksMethod()
{
    if (m_socket->bytesAvailable() < 2)
        return;
    const QByteArray reply = m_socket->read(2);
    if (reply.at(0) != 0x05) {
        fail(QStringLiteral("proxy is not a SOCKS5 proxy"), true);
        return;
    }
    const auto method = static_cast<unsigned char>(reply.at(1));
    if (method == 0x00) {
        sendSocksConnect();
        return;
    }
    if (method == 0x02 && !m_proxy->username.isEmpty()) {
        const QByteArray user = m_proxy->username.toUtf8();
        const QByteArray password = m_proxy->password.toUtf8();
        if (user.size() > 255 || password.size() > 255) {
            fail(QStringLiteral("proxy username or password longer than 255 bytes"), true);
            return;
        }
        QByteArray request;
        request += char(0x01);
        request += char(user.size());
        request += user;
        request += char(password.size());
        request += password;
        m_stage = Stage::SocksAuth;
        m_socket->write(request);
        return;
    }
    fail(m_proxy->username.isEmpty() ? QStringLiteral("proxy requires credentials")
                                     : QStringLiteral("proxy accepts none of the offered authentication methods"),
         true);
}

void UpstreamConnector::readSocksAuth()
{
    if (m_socket->bytesAvailable() < 2)
        return;
    const QByteArray reply = m_socket->read(2);
    if (reply.at(1) != 0x00) {
        fail(QStringLiteral("proxy refused the credentials"), true);
        return;
    }
    sendSocksConnect();
}

void UpstreamConnector::sendSocksConnect()
{
    QByteArray request("\x05\x01\x00", 3);
    const QHostAddress literal(m_host);
    if (!literal.isNull() && literal.protocol() == QAbstractSocket::IPv4Protocol) {
        request += char(0x01);
        const quint32 ip = literal.toIPv4Address();
        request += char(ip >> 24);
        request += char(ip >> 16);
        request += char(ip >> 8);
        request += char(ip);
    } else if (!literal.isNull() && literal.protocol() == QAbstractSocket::IPv6Protocol) {
        request += char(0x04);
        const Q_IPV6ADDR ip = literal.toIPv6Address();
        request += QByteArray(reinterpret_cast<const char *>(ip.c), 16);
    } else {
        const QByteArray name = m_host.toUtf8();
        if (name.isEmpty() || name.size() > 255) {
            fail(QStringLiteral("target host name is empty or longer than 255 bytes"), false);
            return;
        }
        request += char(0x03);
        request += char(name.size());
        request += name;
    }
    request += char(m_port >> 8);
    request += char(m_port & 0xff);
    m_stage = Stage::SocksConnect;
    m_socket->write(request);
}

void UpstreamConnector::readSocksConnectReply()
{
    const QByteArray head = m_socket->peek(5);
    if (head.size() < 2)
        return;
    if (head.at(0) != 0x05) {
        fail(QStringLiteral("proxy is not a SOCKS5 proxy"), true);
        return;
    }
    const int code = static_cast<unsigned char>(head.at(1));
    if (code != 0) {
        fail(QStringLiteral("proxy could not reach %1 (SOCKS reply %2, %3)").arg(target()).arg(code).arg(socksReplyText(code)),
             false);
        return;
    }
    if (head.size() < 5)
        return;
    qint64 length = 0;
    switch (head.at(3)) {
    case 0x01: length = 4 + 4 + 2; break;
    case 0x04: length = 4 + 16 + 2; break;
    case 0x03: length = 4 + 1 + static_cast<unsigned char>(head.at(4)) + 2; break;
    default: fail(QStringLiteral("proxy sent a malformed SOCKS5 reply"), true); return;
    }
    if (m_socket->bytesAvailable() < length)
        return;
    m_socket->read(length); // the bound address: not needed
    succeed();
}

void UpstreamConnector::onSocketError()
{
    if (m_stage == Stage::Done || !m_socket)
        return;
    const QString why = socketErrorText(m_socket->error(), m_socket->errorString());
    if (!m_proxy) {
        fail(QStringLiteral("could not connect to %1: %2").arg(target(), why), false);
        return;
    }
    if (m_stage == Stage::Connecting)
        fail(QStringLiteral("cannot connect to the proxy: %1").arg(why), true);
    else
        fail(QStringLiteral("proxy closed the connection during the handshake (%1)").arg(why), true);
}

void UpstreamConnector::onTimeout()
{
    if (m_stage == Stage::Done)
        return;
    if (!m_proxy)
        fail(QStringLiteral("could not connect to %1: timed out").arg(target()), false);
    else
        fail(QStringLiteral("proxy timed out"), true);
}

void UpstreamConnector::fail(const QString &error, bool proxyFault)
{
    if (m_stage == Stage::Done)
        return;
    m_stage = Stage::Done;
    m_timer.stop();
    m_error = error;
    m_proxyFault = proxyFault && m_proxy.has_value();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
        m_socket = nullptr;
    }
    emit failed(error);
}

void UpstreamConnector::succeed()
{
    m_stage = Stage::Done;
    m_timer.stop();
    m_socket->disconnect(this);
    emit succeeded();
}

QTcpSocket *UpstreamConnector::takeSocket()
{
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    return socket;
}

} // namespace wadesk
