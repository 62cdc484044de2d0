#include "tests/support/TestProxy.h"

#include <QTcpSocket>
#include <QUrl>
#include <QtEndian>

namespace wadesk::test {

// One client connection: sniffs the protocol, runs its handshake, then either answers itself
// (refusals, the exit host) or pipes to the target.
class TestProxy::Session final : public QObject {
public:
    Session(TestProxy *proxy, QTcpSocket *client) : QObject(proxy), m_proxy(proxy), m_client(client)
    {
        client->setParent(this);
        m_record = proxy->record();
        connect(client, &QTcpSocket::readyRead, this, &Session::onClientBytes);
        connect(client, &QTcpSocket::disconnected, this, &Session::close);
    }

    void abort()
    {
        if (m_client)
            m_client->abort();
        if (m_target)
            m_target->abort();
        deleteLater();
    }

    bool piping() const { return m_stage == Stage::Piping; }

private:
    enum class Stage { Sniff, HttpHead, SocksGreeting, SocksAuth, SocksRequest, Connecting, Piping, ExitHead, Done };

    Connection &rec() { return *m_record; }

    void onClientBytes()
    {
        if (m_proxy->m_silent)
            return; // leave the bytes unread, answer nothing
        if (m_stage == Stage::Piping) {
            const QByteArray bytes = m_client->readAll();
            rec().bytesUp += bytes.size();
            m_target->write(bytes);
            return;
        }
        if (m_stage == Stage::Connecting || m_stage == Stage::Done)
            return;
        m_buffer += m_client->readAll();
        if (m_stage == Stage::Sniff && !m_buffer.isEmpty())
            m_stage = m_buffer.at(0) == 0x05 ? Stage::SocksGreeting : Stage::HttpHead;
        switch (m_stage) {
        case Stage::HttpHead: httpHead(); break;
        case Stage::SocksGreeting: socksGreeting(); break;
        case Stage::SocksAuth: socksAuth(); break;
        case Stage::SocksRequest: socksRequest(); break;
        case Stage::ExitHead: exitHead(); break;
        default: break;
        }
    }

    // --- HTTP ---
    void httpHead()
    {
        const int end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QByteArray head = m_buffer.left(end);
        m_buffer.remove(0, end + 4);
        QList<QByteArray> lines = head.split('\n');
        for (QByteArray &line : lines)
            line = line.trimmed();
        const QList<QByteArray> request = lines.first().split(' ');
        if (request.size() != 3) {
            httpRefuse(400, "bad request line");
            return;
        }
        QByteArray authorization;
        QList<QByteArray> forwarded;
        for (int i = 1; i < lines.size(); ++i) {
            const QByteArray lower = lines.at(i).toLower();
            if (lower.startsWith("proxy-authorization:"))
                authorization = lines.at(i).mid(lines.at(i).indexOf(':') + 1).trimmed();
            else if (!lower.startsWith("proxy-") && !lower.startsWith("connection:") && !lines.at(i).isEmpty())
                forwarded.append(lines.at(i));
        }
        const QByteArray user = QByteArray::fromBase64(authorization.mid(6));
        const int colon = user.indexOf(':');
        if (authorization.startsWith("Basic ") && colon > 0)
            rec().username = QString::fromUtf8(user.left(colon));
        const QByteArray method = request.at(0);
        const QByteArray target = request.at(1);
        QString host;
        quint16 port = 0;
        QByteArray originHead;
        if (method == "CONNECT") {
            rec().protocol = QStringLiteral("http-connect");
            const int split = target.lastIndexOf(':');
            host = QString::fromUtf8(target.left(split));
            port = quint16(target.mid(split + 1).toUInt());
        } else if (target.startsWith("http://")) {
            rec().protocol = QStringLiteral("http-get");
            const QUrl url(QString::fromUtf8(target));
            host = url.host();
            port = quint16(url.port(80));
            QByteArray path = url.path(QUrl::FullyEncoded).toUtf8();
            if (path.isEmpty())
                path = "/";
            if (url.hasQuery())
                path += '?' + url.query(QUrl::FullyEncoded).toUtf8();
            originHead = method + ' ' + path + ' ' + request.at(2) + "\r\n" + forwarded.join("\r\n")
                         + (forwarded.isEmpty() ? "" : "\r\n") + "Connection: close\r\n\r\n";
        } else {
            httpRefuse(400, "not a proxy request");
            return;
        }
        if (host.startsWith(QLatin1Char('[')))
            host = host.mid(1, host.size() - 2);
        rec().target = host + QLatin1Char(':') + QString::number(port);
        if (!m_proxy->m_username.isEmpty()) {
            const QByteArray expected = (m_proxy->m_username + QLatin1Char(':') + m_proxy->m_password).toUtf8();
            if (!authorization.startsWith("Basic ") || user != expected) {
                m_client->write("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                                "Content-Length: 0\r\nConnection: close\r\n\r\n");
                refused(QStringLiteral("bad credentials"));
                return;
            }
        }
        m_http = true;
        if (!m_proxy->m_exitHost.isEmpty() && host == m_proxy->m_exitHost) {
            accepted();
            if (method == "CONNECT") {
                m_client->write("HTTP/1.1 200 Connection established\r\n\r\n");
                m_stage = Stage::ExitHead;
                exitHead();
            } else {
                answerExit();
            }
            return;
        }
        m_afterConnect = originHead;
        m_connectReply = method == "CONNECT";
        connectTarget(host, port);
    }

    void httpRefuse(int status, const QString &why)
    {
        m_client->write("HTTP/1.1 " + QByteArray::number(status) + " Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        refused(why);
    }

    // --- SOCKS5 ---
    void socksGreeting()
    {
        rec().protocol = QStringLiteral("socks5");
        if (m_buffer.size() < 2 || m_buffer.size() < 2 + quint8(m_buffer.at(1)))
            return;
        const QByteArray methods = m_buffer.mid(2, quint8(m_buffer.at(1)));
        m_buffer.remove(0, 2 + methods.size());
        const bool wantAuth = !m_proxy->m_username.isEmpty();
        if (wantAuth && methods.contains(char(0x02))) {
            m_client->write(QByteArray("\x05\x02", 2));
            m_stage = Stage::SocksAuth;
            socksAuth();
        } else if (!wantAuth && methods.contains(char(0x00))) {
            m_client->write(QByteArray("\x05\x00", 2));
            m_stage = Stage::SocksRequest;
            socksRequest();
        } else {
            m_client->write(QByteArray("\x05\xff", 2));
            refused(QStringLiteral("no acceptable method"));
        }
    }

    void socksAuth()
    {
        if (m_buffer.size() < 2)
            return;
        const int userLength = quint8(m_buffer.at(1));
        if (m_buffer.size() < 2 + userLength + 1)
            return;
        const int passwordLength = quint8(m_buffer.at(2 + userLength));
        if (m_buffer.size() < 3 + userLength + passwordLength)
            return;
        const QString user = QString::fromUtf8(m_buffer.mid(2, userLength));
        const QString password = QString::fromUtf8(m_buffer.mid(3 + userLength, passwordLength));
        m_buffer.remove(0, 3 + userLength + passwordLength);
        rec().username = user;
        if (user != m_proxy->m_username || password != m_proxy->m_password) {
            m_client->write(QByteArray("\x01\x01", 2));
            refused(QStringLiteral("bad credentials"));
            return;
        }
        m_client->write(QByteArray("\x01\x00", 2));
        m_stage = Stage::SocksRequest;
        socksRequest();
    }

    void socksRequest()
    {
        if (m_buffer.size() < 5)
            return;
        QString host;
        int consumed = 0;
        switch (m_buffer.at(3)) {
        case 0x01:
            if (m_buffer.size() < 10)
                return;
            host = QHostAddress(qFromBigEndian<quint32>(m_buffer.constData() + 4)).toString();
            consumed = 10;
            break;
        case 0x04:
            if (m_buffer.size() < 22)
                return;
            host = QHostAddress(reinterpret_cast<const quint8 *>(m_buffer.constData() + 4)).toString();
            consumed = 22;
            break;
        case 0x03: {
            const int length = quint8(m_buffer.at(4));
            if (m_buffer.size() < 5 + length + 2)
                return;
            host = QString::fromUtf8(m_buffer.mid(5, length));
            consumed = 5 + length + 2;
            break;
        }
        default:
            m_client->write(QByteArray("\x05\x08\x00\x01\0\0\0\0\0\0", 10));
            refused(QStringLiteral("address type"));
            return;
        }
        const quint16 port = qFromBigEndian<quint16>(m_buffer.constData() + consumed - 2);
        m_buffer.remove(0, consumed);
        rec().target = host + QLatin1Char(':') + QString::number(port);
        if (!m_proxy->m_exitHost.isEmpty() && host == m_proxy->m_exitHost) {
            accepted();
            m_client->write(QByteArray("\x05\x00\x00\x01\0\0\0\0\0\0", 10));
            m_stage = Stage::ExitHead;
            exitHead();
            return;
        }
        connectTarget(host, port);
    }

    // --- the exit host ---
    void exitHead()
    {
        const int end = m_buffer.indexOf("\r\n\r\n");
        if (end >= 0)
            answerExit();
    }

    void answerExit()
    {
        const QByteArray body = m_proxy->m_exitAnswer.toUtf8() + '\n';
        rec().bytesDown += body.size();
        m_client->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + QByteArray::number(body.size())
                        + "\r\nConnection: close\r\n\r\n" + body);
        m_stage = Stage::Done;
        m_client->disconnectFromHost();
    }

    // --- the target ---
    void connectTarget(const QString &host, quint16 port)
    {
        const QHostAddress address = m_proxy->resolve(host);
        if (address.isNull()) {
            if (m_http)
                httpRefuse(502, QStringLiteral("unknown host"));
            else {
                m_client->write(QByteArray("\x05\x04\x00\x01\0\0\0\0\0\0", 10));
                refused(QStringLiteral("unknown host"));
            }
            return;
        }
        m_stage = Stage::Connecting;
        m_target = new QTcpSocket(this);
        connect(m_target, &QTcpSocket::connected, this, [this] {
            accepted();
            if (m_http && m_connectReply)
                m_client->write("HTTP/1.1 200 Connection established\r\n\r\n");
            else if (!m_http)
                m_client->write(QByteArray("\x05\x00\x00\x01\x7f\0\0\x01\0\0", 10));
            m_target->write(m_afterConnect + m_buffer);
            rec().bytesUp += m_buffer.size();
            m_buffer.clear();
            m_stage = Stage::Piping;
            onClientBytes();
        });
        connect(m_target, &QTcpSocket::readyRead, this, [this] {
            const QByteArray bytes = m_target->readAll();
            rec().bytesDown += bytes.size();
            if (m_client && m_client->isOpen())
                m_client->write(bytes);
        });
        connect(m_target, &QTcpSocket::errorOccurred, this, [this] {
            if (m_stage == Stage::Connecting) {
                if (m_http)
                    httpRefuse(502, QStringLiteral("target refused"));
                else {
                    m_client->write(QByteArray("\x05\x05\x00\x01\0\0\0\0\0\0", 10));
                    refused(QStringLiteral("target refused"));
                }
            }
        });
        connect(m_target, &QTcpSocket::disconnected, this, [this] {
            if (m_stage != Stage::Piping)
                return;
            m_stage = Stage::Done;
            if (!m_client || !m_client->isOpen())
                return;
            const QByteArray rest = m_target->readAll();
            rec().bytesDown += rest.size();
            m_client->write(rest);
            m_client->disconnectFromHost();
        });
        m_target->connectToHost(address, port);
    }

    void accepted() { rec().accepted = true; }

    void refused(const QString &why)
    {
        rec().refusal = why;
        m_stage = Stage::Done;
        m_client->disconnectFromHost();
    }

    void close()
    {
        m_stage = Stage::Done;
        if (m_target && m_target->state() == QAbstractSocket::ConnectedState) {
            if (m_client && m_client->isOpen())
                m_target->write(m_client->readAll());
            m_target->disconnectFromHost();
        }
        m_stage = Stage::Done;
        deleteLater();
    }

    TestProxy *m_proxy;
    QPointer<QTcpSocket> m_client;
    QPointer<QTcpSocket> m_target;
    std::shared_ptr<Connection> m_record;
    Stage m_stage = Stage::Sniff;
    QByteArray m_buffer;
    QByteArray m_afterConnect;
    bool m_http = false;
    bool m_connectReply = false;
};

TestProxy::TestProxy(QObject *parent) : QObject(parent)
{
    m_server.setParent(this);
    connect(&m_server, &QTcpServer::newConnection, this, &TestProxy::onNewConnection);
}

TestProxy::~TestProxy()
{
    stop();
}

void TestProxy::requireCredentials(const QString &username, const QString &password)
{
    m_username = username;
    m_password = password;
}

void TestProxy::mapHost(const QString &name, const QHostAddress &address)
{
    m_hosts.insert(name.toLower(), address);
}

void TestProxy::setLoopbackPassthrough(bool allowed)
{
    m_loopbackPassthrough = allowed;
}

void TestProxy::setExitAddress(const QString &host, const QString &answer)
{
    m_exitHost = host.toLower();
    m_exitAnswer = answer;
}

void TestProxy::setSilent(bool silent)
{
    m_silent = silent;
}

bool TestProxy::start(quint16 port)
{
    if (!m_server.listen(QHostAddress::LocalHost, port))
        return false;
    m_port = m_server.serverPort();
    return true;
}

void TestProxy::stop()
{
    m_server.close();
    for (const QPointer<Session> &session : std::as_const(m_sessions))
        if (session)
            session->abort();
    m_sessions.clear();
}

ProxyEndpoint TestProxy::endpoint(ProxyEndpoint::Type type) const
{
    ProxyEndpoint endpoint;
    endpoint.type = type;
    endpoint.host = QStringLiteral("127.0.0.1");
    endpoint.port = m_port;
    endpoint.username = m_username;
    endpoint.password = m_password;
    return endpoint;
}

QList<TestProxy::Connection> TestProxy::connections() const
{
    QList<Connection> out;
    for (const auto &c : m_connections)
        out.append(*c);
    return out;
}

QStringList TestProxy::targets() const
{
    QStringList out;
    for (const auto &c : m_connections)
        if (c->accepted)
            out.append(c->target);
    return out;
}

int TestProxy::openTunnels() const
{
    int open = 0;
    for (const QPointer<Session> &session : m_sessions)
        if (session && session->piping())
            ++open;
    return open;
}

void TestProxy::clear()
{
    m_connections.clear(); // sessions still open keep their (now unlisted) records
}

void TestProxy::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        m_sessions.removeAll(nullptr);
        m_sessions.append(new Session(this, socket));
    }
}

std::shared_ptr<TestProxy::Connection> TestProxy::record()
{
    m_connections.append(std::make_shared<Connection>());
    return m_connections.last();
}

QHostAddress TestProxy::resolve(const QString &host) const
{
    const QHostAddress literal(host);
    if (!literal.isNull())
        return m_loopbackPassthrough && literal.isLoopback() ? literal : QHostAddress();
    return m_hosts.value(host.toLower());
}

} // namespace wadesk::test
