// core/network on real loopback sockets: WaDesk's forwarding proxy (EgressProxy on its own
// thread) in front of real upstream proxies (tests/support/TestProxy, HTTP and SOCKS5, written
// independently), a page server and a bulk sink/source. Direct, upstream and blocked routes; the
// 407 gate; clients never sharing an upstream; absolute-form http://; a 32 MB transfer through a
// slow receiver with bounded buffers; bad request heads; the probe against live, dead and hanging
// proxies; the route table; the socket bound for Chromium.

#include "tests/support/TestProxy.h"
#include "core/network/EgressProxy.h"
#include "core/network/EgressRouteTable.h"
#include "core/network/ForwardingProxy.h"
#include "core/network/ProxyProbe.h"
#include "core/network/ProxyRequestHead.h"
#include "core/network/SocketPipe.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace wadesk;
using wadesk::test::TestProxy;

Q_DECLARE_METATYPE(wadesk::ProxyEndpoint::Type)

namespace {

const QString kPageHost = QStringLiteral("web.whatsapp.test");

// Answers every HTTP request with a page naming the path and Host, then closes; records each
// request head as received.
class PageServer final : public QObject {
public:
    PageServer()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++m_connections;
                socket->setParent(this);
                auto buffer = std::make_shared<QByteArray>();
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
                    *buffer += socket->readAll();
                    const int end = buffer->indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    const QByteArray head = buffer->left(end);
                    buffer->clear();
                    heads.append(head);
                    const QByteArray path = head.split(' ').value(1);
                    QByteArray host;
                    for (const QByteArray &line : head.split('\n'))
                        if (line.toLower().startsWith("host:"))
                            host = line.mid(5).trimmed();
                    const QByteArray body = "<html>page " + path + " for " + host + "</html>";
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                                  + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
                    socket->disconnectFromHost();
                });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        QVERIFY(m_server.listen(QHostAddress::LocalHost));
    }
    quint16 port() const { return m_server.serverPort(); }
    int connections() const { return m_connections; }
    QList<QByteArray> heads;

private:
    QTcpServer m_server;
    int m_connections = 0;
};

// Upload sink: hashes what arrives; reads nothing for `stallMs` first, through a small read
// buffer, so a sender that is not held back would pile bytes up in the proxy. Download source:
// sends `sendBytes` of a fixed pattern, paced by its own write buffer.
class BulkServer final : public QObject {
public:
    explicit BulkServer(int stallMs, qint64 sendBytes = 0) : m_stallMs(stallMs), m_sendBytes(sendBytes)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *socket = m_server.nextPendingConnection();
            socket->setParent(this);
            socket->setReadBufferSize(16 * 1024);
            m_socket = socket;
            if (m_sendBytes > 0) {
                connect(socket, &QTcpSocket::bytesWritten, this, [this] { feed(); });
                feed();
                return;
            }
            QTimer::singleShot(m_stallMs, this, [this] {
                m_reading = true;
                if (m_socket)
                    m_socket->setReadBufferSize(1024 * 1024);
                drain();
            });
            connect(socket, &QTcpSocket::readyRead, this, [this] { drain(); });
            connect(socket, &QTcpSocket::disconnected, this, [this] {
                drain();
                closed = true;
            });
        });
        QVERIFY(m_server.listen(QHostAddress::LocalHost));
    }
    quint16 port() const { return m_server.serverPort(); }
    static QByteArray chunk(qint64 offset)
    {
        QByteArray bytes(64 * 1024, Qt::Uninitialized);
        for (int i = 0; i < bytes.size(); ++i)
            bytes[i] = char((offset + i) * 31 % 251);
        return bytes;
    }
    QCryptographicHash hash{QCryptographicHash::Sha256};
    qint64 received = 0;
    bool closed = false;

private:
    void drain()
    {
        if (!m_reading || !m_socket)
            return;
        const QByteArray bytes = m_socket->readAll();
        received += bytes.size();
        hash.addData(bytes);
    }
    void feed()
    {
        while (m_socket && m_sent < m_sendBytes && m_socket->bytesToWrite() < 1024 * 1024) {
            const QByteArray bytes = chunk(m_sent).left(int(qMin<qint64>(64 * 1024, m_sendBytes - m_sent)));
            m_socket->write(bytes);
            m_sent += bytes.size();
        }
        if (m_socket && m_sent >= m_sendBytes && m_socket->bytesToWrite() == 0 && m_socket->state() == QAbstractSocket::ConnectedState)
            m_socket->disconnectFromHost();
    }
    QTcpServer m_server;
    QPointer<QTcpSocket> m_socket;
    int m_stallMs = 0;
    qint64 m_sendBytes = 0;
    qint64 m_sent = 0;
    bool m_reading = false;
};

// The process's peak resident memory (VmHWM), in bytes.
qint64 peakResidentBytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    return -1;
}

QByteArray basic(const QString &user, const QByteArray &password)
{
    return "Proxy-Authorization: Basic " + (user.toUtf8() + ':' + password).toBase64() + "\r\n";
}

// Sends `request` to the forwarder and returns everything it answers until it closes.
QByteArray exchange(quint16 port, const QByteArray &request, int timeoutMs = 10000)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 5000))
        return "no connection";
    socket.write(request);
    QByteArray answer;
    (void)QTest::qWaitFor(
        [&] {
            answer += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    answer += socket.readAll();
    return answer;
}

int statusOf(const QByteArray &answer)
{
    return answer.startsWith("HTTP/1.1 ") ? answer.mid(9, 3).toInt() : 0;
}

QByteArray bodyOf(const QByteArray &answer)
{
    const int end = answer.indexOf("\r\n\r\n");
    return end < 0 ? QByteArray() : answer.mid(end + 4);
}

// A CONNECT tunnel through the forwarder; null when the answer was not 200 (then *answer has it).
std::unique_ptr<QTcpSocket> openTunnel(quint16 port, const QString &clientId, const QByteArray &token,
                                       const QString &target, QByteArray *answer = nullptr)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, port);
    if (!socket->waitForConnected(5000))
        return nullptr;
    socket->write("CONNECT " + target.toUtf8() + " HTTP/1.1\r\nHost: " + target.toUtf8() + "\r\n" + basic(clientId, token) + "\r\n");
    QByteArray head;
    (void)QTest::qWaitFor(
        [&] {
            head += socket->read(1); // byte by byte: leave the target's bytes in the socket
            while (socket->bytesAvailable() > 0 && !head.contains("\r\n\r\n"))
                head += socket->read(1);
            return head.contains("\r\n\r\n") || socket->state() == QAbstractSocket::UnconnectedState;
        },
        10000);
    if (!head.startsWith("HTTP/1.1 200")) {
        // A refusal: read it to the end.
        (void)QTest::qWaitFor([&] { return socket->state() == QAbstractSocket::UnconnectedState; }, 5000);
        head += socket->readAll();
    }
    if (answer)
        *answer = head;
    if (!head.startsWith("HTTP/1.1 200"))
        return nullptr;
    return socket;
}

// GET through an open tunnel; returns the whole answer once the target closes.
QByteArray getThrough(QTcpSocket &tunnel, const QByteArray &path, const QString &host)
{
    tunnel.write("GET " + path + " HTTP/1.1\r\nHost: " + host.toUtf8() + "\r\nConnection: close\r\n\r\n");
    QByteArray answer;
    (void)QTest::qWaitFor(
        [&] {
            answer += tunnel.readAll();
            return tunnel.state() == QAbstractSocket::UnconnectedState;
        },
        10000);
    return answer + tunnel.readAll();
}

EgressRoute upstreamRoute(const ProxyEndpoint &endpoint, const QString &proxyId)
{
    EgressRoute route;
    route.kind = EgressRoute::Kind::Upstream;
    route.upstream = endpoint;
    route.proxyId = proxyId;
    return route;
}

ProxyCheck runProbe(const ProxyEndpoint &endpoint, const QString &host, quint16 port, const QUrl &exitUrl, int timeoutMs,
                    qint64 *elapsedMs = nullptr)
{
    ProxyProbe probe;
    QSignalSpy spy(&probe, &ProxyProbe::finished);
    QElapsedTimer clock;
    clock.start();
    probe.start(endpoint, host, port, exitUrl, timeoutMs);
    spy.wait(timeoutMs + 5000);
    if (elapsedMs)
        *elapsedMs = clock.elapsed();
    QTest::qWait(50); // a second emission would show here
    if (spy.count() != 1) {
        ProxyCheck broken;
        broken.error = QStringLiteral("finished emitted %1 times").arg(spy.count());
        return broken;
    }
    return spy.first().first().value<ProxyCheck>();
}

} // namespace

class TestForwardingProxy : public QObject {
    Q_OBJECT

    std::unique_ptr<EgressProxy> m_egress;
    std::unique_ptr<PageServer> m_page;

private slots:
    void init()
    {
        QString error;
        const int fd = EgressProxy::bindLoopback(&error);
        QVERIFY2(fd >= 0, qPrintable(error));
        m_egress = std::make_unique<EgressProxy>(fd);
        QVERIFY(m_egress->isListening());
        QVERIFY(m_egress->port() > 0);
        m_page = std::make_unique<PageServer>();
    }

    void cleanup()
    {
        m_egress.reset();
        m_page.reset();
    }

    void routeTable()
    {
        EgressRouteTable table;
        const QByteArray a = table.issue(QStringLiteral("client_a"), {});
        const QByteArray b = table.issue(QStringLiteral("client_b"), {});
        QCOMPARE(a.size(), 43); // 32 bytes, base64url without padding
        QVERIFY(a != b);
        QVERIFY(!a.contains('+') && !a.contains('/') && !a.contains('='));
        QVERIFY(table.authenticate(QStringLiteral("client_a"), a).has_value());
        QVERIFY(!table.authenticate(QStringLiteral("client_a"), b)); // another client's token
        QVERIFY(!table.authenticate(QStringLiteral("client_a"), a.left(42)));
        QVERIFY(!table.authenticate(QStringLiteral("client_a"), QByteArray()));
        QVERIFY(!table.authenticate(QStringLiteral("client_c"), a));
        // setRoute keeps the token, issue replaces it.
        EgressRoute blocked;
        blocked.kind = EgressRoute::Kind::Blocked;
        blocked.blockedReason = QStringLiteral("dead");
        table.setRoute(QStringLiteral("client_a"), blocked);
        QCOMPARE(table.authenticate(QStringLiteral("client_a"), a)->kind, EgressRoute::Kind::Blocked);
        table.setRoute(QStringLiteral("client_unknown"), blocked);
        QVERIFY(!table.contains(QStringLiteral("client_unknown")));
        const QByteArray a2 = table.issue(QStringLiteral("client_a"), {});
        QVERIFY(!table.authenticate(QStringLiteral("client_a"), a));
        QCOMPARE(table.authenticate(QStringLiteral("client_a"), a2)->kind, EgressRoute::Kind::Direct);
        table.remove(QStringLiteral("client_a"));
        QVERIFY(!table.authenticate(QStringLiteral("client_a"), a2));
        QVERIFY(table.authenticate(QStringLiteral("client_b"), b).has_value());
    }

    void requestHeads_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QByteArray>("origin");
        QTest::newRow("connect") << QByteArray("CONNECT web.whatsapp.com:443 HTTP/1.1\r\nHost: x") << true
                                 << "web.whatsapp.com" << 443 << QByteArray();
        QTest::newRow("connect ipv6") << QByteArray("CONNECT [::1]:8443 HTTP/1.1") << true << "::1" << 8443 << QByteArray();
        QTest::newRow("absolute") << QByteArray("GET http://a.test:8080/x/y?z=1#frag HTTP/1.1") << true << "a.test" << 8080
                                  << QByteArray("/x/y?z=1");
        QTest::newRow("absolute bare") << QByteArray("GET http://a.test HTTP/1.1") << true << "a.test" << 80 << QByteArray("/");
        QTest::newRow("absolute query") << QByteArray("GET http://a.test?q HTTP/1.0") << true << "a.test" << 80 << QByteArray("/?q");
        QTest::newRow("no port") << QByteArray("CONNECT a.test HTTP/1.1") << false << "" << 0 << QByteArray();
        QTest::newRow("port 0") << QByteArray("CONNECT a.test:0 HTTP/1.1") << false << "" << 0 << QByteArray();
        QTest::newRow("port too big") << QByteArray("CONNECT a.test:70000 HTTP/1.1") << false << "" << 0 << QByteArray();
        QTest::newRow("bad ipv6") << QByteArray("CONNECT ::1:443 HTTP/1.1") << false << "" << 0 << QByteArray();
        QTest::newRow("origin form") << QByteArray("GET /x HTTP/1.1") << false << "" << 0 << QByteArray();
        QTest::newRow("https absolute") << QByteArray("GET https://a.test/ HTTP/1.1") << false << "" << 0 << QByteArray();
        QTest::newRow("two words") << QByteArray("CONNECT a.test:443") << false << "" << 0 << QByteArray();
        QTest::newRow("bad version") << QByteArray("CONNECT a.test:443 HTTP/2") << false << "" << 0 << QByteArray();
        QTest::newRow("garbage") << QByteArray("\x16\x03\x01\x02\x00", 5) << false << "" << 0 << QByteArray();
        QTest::newRow("bad header") << QByteArray("CONNECT a.test:443 HTTP/1.1\r\nno colon here") << false << "" << 0 << QByteArray();
        QTest::newRow("userinfo") << QByteArray("GET http://u:p@a.test/ HTTP/1.1") << false << "" << 0 << QByteArray();
    }

    void requestHeads()
    {
        QFETCH(QByteArray, head);
        QFETCH(bool, valid);
        QString error;
        const auto parsed = ProxyRequestHead::parse(head, &error);
        QCOMPARE(parsed.has_value(), valid);
        if (!valid) {
            QVERIFY(!error.isEmpty());
            return;
        }
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QByteArray, origin);
        QCOMPARE(parsed->host, host);
        QCOMPARE(int(parsed->port), port);
        QCOMPARE(parsed->originTarget, origin);
    }

    void originFormDropsProxyHeaders()
    {
        QString error;
        const auto parsed = ProxyRequestHead::parse("GET http://a.test/p HTTP/1.1\r\nHost: a.test\r\nProxy-Authorization: Basic c2VjcmV0\r\n"
                                                    "Proxy-Connection: keep-alive\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n"
                                                    "Keep-Alive: 5\r\nAccept: */*",
                                                    &error);
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(parsed->originFormHead(), QByteArray("GET /p HTTP/1.1\r\nHost: a.test\r\nAccept: */*\r\nConnection: close\r\n\r\n"));
    }

    void credentialsParsing()
    {
        auto credentialsOf = [](const QByteArray &value) {
            ProxyRequestHead head;
            head.headers.append({"Proxy-Authorization", value});
            return head.basicCredentials();
        };
        const auto ok = credentialsOf("Basic " + QByteArray("client_1:tok:en").toBase64());
        QVERIFY(ok);
        QCOMPARE(ok->user, QStringLiteral("client_1"));
        QCOMPARE(ok->password, QByteArray("tok:en"));
        QVERIFY(!credentialsOf("Basic " + QByteArray("nocolon").toBase64()));
        QVERIFY(!credentialsOf("Basic " + QByteArray(":token").toBase64()));
        QVERIFY(!credentialsOf("Basic !!!not-base64!!!"));
        QVERIFY(!credentialsOf("Bearer " + QByteArray("a:b").toBase64()));
        QVERIFY(!credentialsOf(QByteArray()));
    }

    void directRoute()
    {
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), {});
        QSignalSpy opened(m_egress.get(), &EgressProxy::tunnelOpened);
        const QString target = QStringLiteral("127.0.0.1:%1").arg(m_page->port());
        auto tunnel = openTunnel(m_egress->port(), QStringLiteral("client_a"), token, target);
        QVERIFY(tunnel);
        QVERIFY(opened.wait(5000) || opened.count() == 1);
        QCOMPARE(opened.first().at(0).toString(), QStringLiteral("client_a"));
        QCOMPARE(opened.first().at(1).toString(), target);
        QCOMPARE(m_egress->openTunnels(QStringLiteral("client_a")), 1);
        QCOMPARE(m_egress->openTunnels(QStringLiteral("client_b")), 0);
        const QByteArray answer = getThrough(*tunnel, "/hello", QStringLiteral("127.0.0.1"));
        QCOMPARE(statusOf(answer), 200);
        QCOMPARE(bodyOf(answer), QByteArray("<html>page /hello for 127.0.0.1</html>"));
        QVERIFY(QTest::qWaitFor([&] { return m_egress->openTunnels(QStringLiteral("client_a")) == 0; }, 5000));
    }

    void upstreamWithCredentials_data()
    {
        QTest::addColumn<ProxyEndpoint::Type>("type");
        QTest::addColumn<QString>("protocol");
        QTest::newRow("http") << ProxyEndpoint::Type::Http << "http-connect";
        QTest::newRow("socks5") << ProxyEndpoint::Type::Socks5 << "socks5";
    }

    void upstreamWithCredentials()
    {
        QFETCH(ProxyEndpoint::Type, type);
        QFETCH(QString, protocol);
        TestProxy upstream;
        upstream.requireCredentials(QStringLiteral("alice"), QStringLiteral("s3cret:with colon"));
        upstream.mapHost(kPageHost);
        QVERIFY(upstream.start());
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), upstreamRoute(upstream.endpoint(type), QStringLiteral("px_1")));
        // Only the upstream can resolve the name: reaching the page proves the route.
        auto tunnel = openTunnel(m_egress->port(), QStringLiteral("client_a"), token, kPageHost + QStringLiteral(":%1").arg(m_page->port()));
        QVERIFY(tunnel);
        QCOMPARE(upstream.openTunnels(), 1);
        const QByteArray answer = getThrough(*tunnel, "/via", kPageHost);
        QCOMPARE(bodyOf(answer), QByteArray("<html>page /via for web.whatsapp.test</html>"));
        const auto seen = upstream.connections();
        QCOMPARE(seen.size(), 1);
        QCOMPARE(seen.first().protocol, protocol);
        QCOMPARE(seen.first().username, QStringLiteral("alice"));
        QCOMPARE(seen.first().target, kPageHost + QStringLiteral(":%1").arg(m_page->port()));
        QVERIFY(seen.first().accepted);
        QVERIFY(QTest::qWaitFor([&] { return upstream.connections().first().bytesDown == answer.size(); }, 5000));
    }

    void wrongUpstreamCredentials_data() { upstreamWithCredentials_data(); }

    void wrongUpstreamCredentials()
    {
        QFETCH(ProxyEndpoint::Type, type);
        TestProxy upstream;
        upstream.requireCredentials(QStringLiteral("alice"), QStringLiteral("right"));
        upstream.mapHost(kPageHost);
        QVERIFY(upstream.start());
        ProxyEndpoint endpoint = upstream.endpoint(type);
        endpoint.password = QStringLiteral("wrong");
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), upstreamRoute(endpoint, QStringLiteral("px_9")));
        QSignalSpy failed(m_egress.get(), &EgressProxy::upstreamFailed);
        QByteArray answer;
        QVERIFY(!openTunnel(m_egress->port(), QStringLiteral("client_a"), token, kPageHost + QStringLiteral(":%1").arg(m_page->port()), &answer));
        QCOMPARE(statusOf(answer), 502);
        QVERIFY2(answer.contains("proxy refused the credentials"), answer.constData());
        QVERIFY(!answer.contains("wrong")); // the upstream password is never echoed
        QVERIFY(failed.count() == 1 || failed.wait(5000));
        QCOMPARE(failed.first().at(0).toString(), QStringLiteral("client_a"));
        QCOMPARE(failed.first().at(1).toString(), QStringLiteral("px_9"));
        QCOMPARE(failed.first().at(2).toString(), QStringLiteral("proxy refused the credentials"));
        QCOMPARE(m_page->connections(), 0);
        QVERIFY(upstream.targets().isEmpty());
    }

    // The proxy works but the target does not answer: a 502 that names the target, and no
    // upstreamFailed (the proxy is not at fault).
    void upstreamCannotReachTarget_data() { upstreamWithCredentials_data(); }

    void upstreamCannotReachTarget()
    {
        QFETCH(ProxyEndpoint::Type, type);
        TestProxy upstream;
        upstream.mapHost(kPageHost);
        QVERIFY(upstream.start());
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), upstreamRoute(upstream.endpoint(type), QStringLiteral("px_1")));
        QSignalSpy failed(m_egress.get(), &EgressProxy::upstreamFailed);
        QByteArray answer;
        QVERIFY(!openTunnel(m_egress->port(), QStringLiteral("client_a"), token, QStringLiteral("unknown.test:443"), &answer));
        QCOMPARE(statusOf(answer), 502);
        QVERIFY2(answer.contains("proxy could not reach unknown.test:443"), answer.constData());
        QTest::qWait(100);
        QCOMPARE(failed.count(), 0);
    }

    void deadUpstream()
    {
        TestProxy upstream;
        QVERIFY(upstream.start());
        const ProxyEndpoint endpoint = upstream.endpoint(ProxyEndpoint::Type::Socks5);
        upstream.stop();
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), upstreamRoute(endpoint, QStringLiteral("px_d")));
        QSignalSpy failed(m_egress.get(), &EgressProxy::upstreamFailed);
        QByteArray answer;
        QVERIFY(!openTunnel(m_egress->port(), QStringLiteral("client_a"), token, kPageHost + QStringLiteral(":443"), &answer));
        QCOMPARE(statusOf(answer), 502);
        QVERIFY2(answer.contains("cannot connect to the proxy: connection refused"), answer.constData());
        QVERIFY(failed.count() == 1 || failed.wait(5000));
        QCOMPARE(failed.first().at(2).toString(), QStringLiteral("cannot connect to the proxy: connection refused"));
    }

    void blockedRoute()
    {
        TestProxy upstream;
        upstream.mapHost(kPageHost);
        QVERIFY(upstream.start());
        EgressRoute route = upstreamRoute(upstream.endpoint(ProxyEndpoint::Type::Http), QStringLiteral("px_2"));
        route.kind = EgressRoute::Kind::Blocked;
        route.blockedReason = QStringLiteral("proxy px_2 failed its health check");
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), route);
        QSignalSpy opened(m_egress.get(), &EgressProxy::tunnelOpened);
        QByteArray answer;
        QVERIFY(!openTunnel(m_egress->port(), QStringLiteral("client_a"), token, QStringLiteral("127.0.0.1:%1").arg(m_page->port()), &answer));
        QCOMPARE(statusOf(answer), 502);
        QVERIFY2(bodyOf(answer).contains("proxy px_2 failed its health check"), answer.constData());
        // Absolute-form is refused the same way.
        const QByteArray plain = exchange(m_egress->port(), "GET http://127.0.0.1:" + QByteArray::number(m_page->port())
                                                                + "/ HTTP/1.1\r\n" + basic(QStringLiteral("client_a"), token) + "\r\n");
        QCOMPARE(statusOf(plain), 502);
        QTest::qWait(100);
        QCOMPARE(upstream.connections().size(), 0); // never the upstream,
        QCOMPARE(m_page->connections(), 0);         // never direct
        QCOMPARE(opened.count(), 0);
        // Unblocked: the same token works again.
        m_egress->routes().setRoute(QStringLiteral("client_a"), upstreamRoute(upstream.endpoint(ProxyEndpoint::Type::Http), QStringLiteral("px_2")));
        auto tunnel = openTunnel(m_egress->port(), QStringLiteral("client_a"), token, kPageHost + QStringLiteral(":%1").arg(m_page->port()));
        QVERIFY(tunnel);
        QCOMPARE(upstream.targets().size(), 1);
    }

    void clientCredentialsRequired_data()
    {
        QTest::addColumn<QByteArray>("authorization");
        QTest::newRow("none") << QByteArray();
        QTest::newRow("wrong token") << QByteArray(basic(QStringLiteral("client_a"), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        QTest::newRow("empty token") << QByteArray(basic(QStringLiteral("client_a"), ""));
        QTest::newRow("unknown client") << QByteArray("TOKEN_OF_A_FOR:client_x");
        QTest::newRow("no colon") << QByteArray("Proxy-Authorization: Basic " + QByteArray("client_a").toBase64() + "\r\n");
        QTest::newRow("bad base64") << QByteArray("Proxy-Authorization: Basic ***\r\n");
        QTest::newRow("not basic") << QByteArray("Proxy-Authorization: Bearer abc\r\n");
        QTest::newRow("other client's token") << QByteArray("TOKEN_OF_B_FOR:client_a");
    }

    // The page's first navigation: answered by the forwarder itself (nothing leaves, nothing is
    // connected) with a redirect to the real page, its query intact; only with the page's
    // credentials; a target that is not http(s) is refused.
    void warmUpRedirects()
    {
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), {});
        const QUrl real(QStringLiteral("http://web.whatsapp.test:8080/index.html?control=http%3A%2F%2Fweb.whatsapp.test%3A8080&x=a%26b&s=%C3%A9"),
                        QUrl::StrictMode);
        QVERIFY(real.isValid());
        const QUrl warm = EgressProxy::warmUpUrl(real);
        QCOMPARE(warm.host(), QLatin1String(EgressProxy::kWarmUpHost));
        QCOMPARE(EgressProxy::warmUpTarget(warm.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority)), real);
        const QByteArray request = "GET " + warm.toEncoded() + " HTTP/1.1\r\nHost: " + EgressProxy::kWarmUpHost + "\r\n";
        QSignalSpy opened(m_egress.get(), &EgressProxy::tunnelOpened);

        const QByteArray answer = exchange(m_egress->port(), request + basic(QStringLiteral("client_a"), token) + "\r\n");
        QCOMPARE(statusOf(answer), 302);
        QVERIFY2(answer.contains("\r\nLocation: " + real.toEncoded() + "\r\n"), answer.constData());
        QCOMPARE(opened.count(), 0);
        QCOMPARE(m_page->connections(), 0);

        QCOMPARE(statusOf(exchange(m_egress->port(), request + "\r\n")), 407);
        for (const QByteArray &bad : {QByteArray("/?next=javascript%253Aalert(1)"), QByteArray("/?next=file%253A%252F%252F%252Fetc%252Fpasswd"),
                                      QByteArray("/"), QByteArray("/?next=")}) {
            const QByteArray refused = exchange(m_egress->port(), "GET http://" + QByteArray(EgressProxy::kWarmUpHost) + bad
                                                                      + " HTTP/1.1\r\n" + basic(QStringLiteral("client_a"), token) + "\r\n");
            QCOMPARE(statusOf(refused), 400);
        }
    }

    void clientCredentialsRequired()
    {
        QFETCH(QByteArray, authorization);
        const QByteArray tokenA = m_egress->routes().issue(QStringLiteral("client_a"), {});
        const QByteArray tokenB = m_egress->routes().issue(QStringLiteral("client_b"), {});
        if (authorization.startsWith("TOKEN_OF_")) {
            const QList<QByteArray> parts = authorization.split(':');
            const QByteArray token = parts.first() == "TOKEN_OF_A_FOR" ? tokenA : tokenB;
            authorization = basic(QString::fromUtf8(parts.last()), token);
        }
        QSignalSpy opened(m_egress.get(), &EgressProxy::tunnelOpened);
        const QByteArray target = "127.0.0.1:" + QByteArray::number(m_page->port());
        for (const QByteArray &request : {QByteArray("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"),
                                          QByteArray("GET http://" + target + "/ HTTP/1.1\r\nHost: " + target + "\r\n")}) {
            const QByteArray answer = exchange(m_egress->port(), request + authorization + "\r\n");
            QCOMPARE(statusOf(answer), 407);
            QVERIFY2(answer.contains("\r\nProxy-Authenticate: Basic realm=\"WaDesk\"\r\n"), answer.constData());
            QVERIFY(!answer.contains(tokenA) && !answer.contains(tokenB));
        }
        QTest::qWait(100);
        QCOMPARE(m_page->connections(), 0);
        QCOMPARE(opened.count(), 0);
    }

    void clientsNeverShareAnUpstream()
    {
        TestProxy proxyA;
        proxyA.requireCredentials(QStringLiteral("user_a"), QStringLiteral("pass_a"));
        proxyA.mapHost(kPageHost);
        QVERIFY(proxyA.start());
        TestProxy proxyB;
        proxyB.requireCredentials(QStringLiteral("user_b"), QStringLiteral("pass_b"));
        proxyB.mapHost(kPageHost);
        QVERIFY(proxyB.start());
        const QByteArray tokenA = m_egress->routes().issue(QStringLiteral("client_a"), upstreamRoute(proxyA.endpoint(ProxyEndpoint::Type::Http), QStringLiteral("px_a")));
        const QByteArray tokenB = m_egress->routes().issue(QStringLiteral("client_b"), upstreamRoute(proxyB.endpoint(ProxyEndpoint::Type::Socks5), QStringLiteral("px_b")));
        const QString target = kPageHost + QStringLiteral(":%1").arg(m_page->port());
        // Interleaved, several open at once.
        std::vector<std::unique_ptr<QTcpSocket>> tunnels;
        for (int i = 0; i < 3; ++i) {
            tunnels.push_back(openTunnel(m_egress->port(), QStringLiteral("client_a"), tokenA, target));
            tunnels.push_back(openTunnel(m_egress->port(), QStringLiteral("client_b"), tokenB, target));
        }
        for (const auto &tunnel : tunnels)
            QVERIFY(tunnel);
        QCOMPARE(m_egress->openTunnels(QStringLiteral("client_a")), 3);
        QCOMPARE(m_egress->openTunnels(QStringLiteral("client_b")), 3);
        QCOMPARE(m_egress->openTunnels(), 6);
        for (size_t i = 0; i < tunnels.size(); ++i) {
            const QByteArray answer = getThrough(*tunnels[i], "/n" + QByteArray::number(int(i)), kPageHost);
            QVERIFY2(bodyOf(answer).contains("/n" + QByteArray::number(int(i))), answer.constData());
        }
        for (const auto &c : proxyA.connections()) {
            QCOMPARE(c.username, QStringLiteral("user_a"));
            QCOMPARE(c.protocol, QStringLiteral("http-connect"));
        }
        for (const auto &c : proxyB.connections()) {
            QCOMPARE(c.username, QStringLiteral("user_b"));
            QCOMPARE(c.protocol, QStringLiteral("socks5"));
        }
        QCOMPARE(proxyA.targets().size(), 3);
        QCOMPARE(proxyB.targets().size(), 3);
        // A's token does not open B's route, under either name.
        QVERIFY(!openTunnel(m_egress->port(), QStringLiteral("client_b"), tokenA, target));
        QCOMPARE(proxyA.connections().size(), 3);
        QCOMPARE(proxyB.connections().size(), 3);
        QVERIFY(QTest::qWaitFor([&] { return m_egress->openTunnels() == 0; }, 5000));
    }

    void absoluteForm_data()
    {
        QTest::addColumn<int>("route"); // 0 direct, 1 http upstream, 2 socks5 upstream
        QTest::newRow("direct") << 0;
        QTest::newRow("http upstream") << 1;
        QTest::newRow("socks5 upstream") << 2;
    }

    void absoluteForm()
    {
        QFETCH(int, route);
        TestProxy upstream;
        upstream.requireCredentials(QStringLiteral("bob"), QStringLiteral("pw"));
        upstream.mapHost(kPageHost);
        QVERIFY(upstream.start());
        EgressRoute egress;
        if (route > 0)
            egress = upstreamRoute(upstream.endpoint(route == 1 ? ProxyEndpoint::Type::Http : ProxyEndpoint::Type::Socks5), QStringLiteral("px_1"));
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), egress);
        const QByteArray host = (route == 0 ? QByteArray("127.0.0.1") : kPageHost.toUtf8()) + ':' + QByteArray::number(m_page->port());
        const QByteArray answer = exchange(m_egress->port(), "GET http://" + host + "/app.js?v=2 HTTP/1.1\r\nHost: " + host + "\r\n"
                                                                 + basic(QStringLiteral("client_a"), token)
                                                                 + "Proxy-Connection: keep-alive\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n");
        QCOMPARE(statusOf(answer), 200);
        QCOMPARE(bodyOf(answer), "<html>page /app.js?v=2 for " + host + "</html>");
        QCOMPARE(m_page->heads.size(), 1);
        const QByteArray head = m_page->heads.first();
        QVERIFY2(head.startsWith("GET /app.js?v=2 HTTP/1.1\r\n"), head.constData());
        QVERIFY2(!head.toLower().contains("proxy-"), head.constData());
        QVERIFY2(head.contains("\r\nConnection: close"), head.constData());
        QVERIFY(!head.contains("keep-alive"));
        QVERIFY(head.contains("\r\nAccept: */*"));
        QCOMPARE(upstream.targets().size(), route == 0 ? 0 : 1);
        if (route > 0)
            QCOMPARE(upstream.connections().first().username, QStringLiteral("bob"));
    }

    void largeUploadWithSlowReceiver()
    {
        const qint64 residentBefore = peakResidentBytes();
        constexpr qint64 kTotal = 32 * 1024 * 1024;
        BulkServer sink(1500);
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), {});
        auto tunnel = openTunnel(m_egress->port(), QStringLiteral("client_a"), token, QStringLiteral("127.0.0.1:%1").arg(sink.port()));
        QVERIFY(tunnel);
        QCryptographicHash sent(QCryptographicHash::Sha256);
        qint64 offset = 0;
        qint64 acceptedDuringStall = -1;
        QElapsedTimer clock;
        clock.start();
        // Write only as fast as the path takes it (our own buffer stays small too).
        QVERIFY(QTest::qWaitFor(
            [&] {
                while (offset < kTotal && tunnel->bytesToWrite() < 1024 * 1024) {
                    const QByteArray bytes = BulkServer::chunk(offset);
                    tunnel->write(bytes);
                    sent.addData(bytes);
                    offset += bytes.size();
                }
                if (acceptedDuringStall < 0 && clock.elapsed() > 1200)
                    acceptedDuringStall = offset - tunnel->bytesToWrite();
                return offset >= kTotal;
            },
            120000));
        tunnel->disconnectFromHost();
        QVERIFY(QTest::qWaitFor([&] { return sink.closed; }, 120000));
        QCOMPARE(sink.received, kTotal);
        QCOMPARE(sink.hash.result(), sent.result());
        // While the receiver read nothing, the path held back the sender: only the kernel's socket
        // buffers and the pipe's bounded ones filled up, not the whole 32 MB.
        qInfo("accepted while the receiver stalled: %lld bytes", acceptedDuringStall);
        QVERIFY2(acceptedDuringStall > 0 && acceptedDuringStall < kTotal, QByteArray::number(acceptedDuringStall).constData());
        QVERIFY(QTest::qWaitFor([&] { return m_egress->openTunnels() == 0; }, 5000));
        const qint64 peak = m_egress->peakTunnelBuffer();
        QVERIFY2(peak > 0 && peak <= SocketPipe::kHighWater + 2 * SocketPipe::kReadChunk, QByteArray::number(peak).constData());
        // Forwarder, sender and receiver share this process: its peak memory grew by far less
        // than the 32 MB that went through.
        const qint64 growth = peakResidentBytes() - residentBefore;
        QVERIFY2(growth < 16 * 1024 * 1024, QByteArray::number(growth).constData());
    }

    void largeDownloadWithSlowReader()
    {
        const qint64 residentBefore = peakResidentBytes();
        constexpr qint64 kTotal = 32 * 1024 * 1024;
        BulkServer source(0, kTotal);
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), {});
        auto tunnel = openTunnel(m_egress->port(), QStringLiteral("client_a"), token, QStringLiteral("127.0.0.1:%1").arg(source.port()));
        QVERIFY(tunnel);
        tunnel->setReadBufferSize(16 * 1024);
        QTest::qWait(1500); // read nothing for a while
        tunnel->setReadBufferSize(1024 * 1024);
        QCryptographicHash received(QCryptographicHash::Sha256);
        qint64 count = 0;
        QVERIFY(QTest::qWaitFor(
            [&] {
                const QByteArray bytes = tunnel->readAll();
                received.addData(bytes);
                count += bytes.size();
                return count >= kTotal || tunnel->state() == QAbstractSocket::UnconnectedState;
            },
            120000));
        const QByteArray rest = tunnel->readAll();
        received.addData(rest);
        count += rest.size();
        QCOMPARE(count, kTotal);
        QCryptographicHash expected(QCryptographicHash::Sha256);
        for (qint64 offset = 0; offset < kTotal; offset += 64 * 1024)
            expected.addData(BulkServer::chunk(offset));
        QCOMPARE(received.result(), expected.result());
        QVERIFY(QTest::qWaitFor([&] { return m_egress->openTunnels() == 0; }, 10000));
        const qint64 peak = m_egress->peakTunnelBuffer();
        QVERIFY2(peak > 0 && peak <= SocketPipe::kHighWater + 2 * SocketPipe::kReadChunk, QByteArray::number(peak).constData());
        const qint64 growth = peakResidentBytes() - residentBefore;
        QVERIFY2(growth < 16 * 1024 * 1024, QByteArray::number(growth).constData());
    }

    // Bytes the client sends right behind the head (a TLS hello after CONNECT, a POST body after
    // an absolute-form head) reach the target, in order.
    void bytesAfterTheHeadReachTheTarget()
    {
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), {});
        const QByteArray target = "127.0.0.1:" + QByteArray::number(m_page->port());
        const QByteArray tunnelled = exchange(m_egress->port(), "CONNECT " + target + " HTTP/1.1\r\n" + basic(QStringLiteral("client_a"), token)
                                                                    + "\r\nGET /pipelined HTTP/1.1\r\nHost: t\r\n\r\n");
        QVERIFY2(tunnelled.startsWith("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 200 OK"), tunnelled.constData());
        QVERIFY(tunnelled.endsWith("<html>page /pipelined for t</html>"));
        const QByteArray posted = exchange(m_egress->port(), "POST http://" + target + "/form HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                                                                 + basic(QStringLiteral("client_a"), token) + "\r\nhello");
        QCOMPARE(statusOf(posted), 200);
        QCOMPARE(m_page->heads.size(), 2);
        QVERIFY(m_page->heads.last().startsWith("POST /form HTTP/1.1\r\n"));
    }

    // SOCKS5 sends IP literals as addresses (ATYP 1 and 4), names as names (ATYP 3).
    void socksAddressTypes()
    {
        TestProxy upstream;
        upstream.setLoopbackPassthrough(true);
        QVERIFY(upstream.start());
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), upstreamRoute(upstream.endpoint(ProxyEndpoint::Type::Socks5), QStringLiteral("px_1")));
        auto tunnel = openTunnel(m_egress->port(), QStringLiteral("client_a"), token, QStringLiteral("127.0.0.1:%1").arg(m_page->port()));
        QVERIFY(tunnel);
        QCOMPARE(bodyOf(getThrough(*tunnel, "/v4", QStringLiteral("v4"))), QByteArray("<html>page /v4 for v4</html>"));
        QCOMPARE(upstream.connections().last().target, QStringLiteral("127.0.0.1:%1").arg(m_page->port()));
        // Nothing listens on [::1] at that port: the proxy's refusal, with the literal it was sent.
        QByteArray answer;
        QVERIFY(!openTunnel(m_egress->port(), QStringLiteral("client_a"), token, QStringLiteral("[::1]:%1").arg(m_page->port()), &answer));
        QCOMPARE(statusOf(answer), 502);
        QVERIFY2(answer.contains("(SOCKS reply 5, connection refused)"), answer.constData());
        QCOMPARE(upstream.connections().last().target, QStringLiteral("::1:%1").arg(m_page->port()));
        // A name the proxy does not know: reply 4, not resolved on our side.
        QVERIFY(!openTunnel(m_egress->port(), QStringLiteral("client_a"), token, QStringLiteral("localhost:%1").arg(m_page->port()), &answer));
        QVERIFY2(answer.contains("(SOCKS reply 4, host unreachable)"), answer.constData());
        QCOMPARE(upstream.connections().last().target, QStringLiteral("localhost:%1").arg(m_page->port()));
    }

    // An upstream that accepts and never answers: 502 "proxy timed out" once the limit passes.
    void hangingUpstreamTimesOut()
    {
        TestProxy upstream;
        upstream.setSilent(true);
        QVERIFY(upstream.start());
        auto routes = std::make_shared<EgressRouteTable>();
        ProxyLimits limits;
        limits.upstreamTimeoutMs = 500;
        ForwardingProxy proxy(routes, limits);
        QVERIFY(proxy.listen());
        const QByteArray token = routes->issue(QStringLiteral("client_a"), upstreamRoute(upstream.endpoint(ProxyEndpoint::Type::Http), QStringLiteral("px_h")));
        QSignalSpy failed(&proxy, &ForwardingProxy::upstreamFailed);
        QElapsedTimer clock;
        clock.start();
        const QByteArray answer = exchange(proxy.port(), "CONNECT " + kPageHost.toUtf8() + ":443 HTTP/1.1\r\n" + basic(QStringLiteral("client_a"), token) + "\r\n");
        QCOMPARE(statusOf(answer), 502);
        QVERIFY2(answer.contains("proxy timed out"), answer.constData());
        QVERIFY(clock.elapsed() >= 450 && clock.elapsed() < 5000);
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.first().at(1).toString(), QStringLiteral("px_h"));
    }

    void badRequestHeads()
    {
        const QByteArray token = m_egress->routes().issue(QStringLiteral("client_a"), {});
        // A head over 16 KiB: 431, closed.
        const QByteArray huge = "CONNECT 127.0.0.1:1 HTTP/1.1\r\nX-Fill: " + QByteArray(20 * 1024, 'a') + "\r\n\r\n";
        QCOMPARE(statusOf(exchange(m_egress->port(), huge)), 431);
        // Never ending, no blank line: 431 too once past the limit.
        QCOMPARE(statusOf(exchange(m_egress->port(), QByteArray(17 * 1024, 'b'))), 431);
        QCOMPARE(statusOf(exchange(m_egress->port(), "HELLO\r\n\r\n")), 400);
        QCOMPARE(statusOf(exchange(m_egress->port(), "GET /local HTTP/1.1\r\nHost: x\r\n\r\n")), 400);
        QCOMPARE(statusOf(exchange(m_egress->port(), "CONNECT nowhere HTTP/1.1\r\n" + basic(QStringLiteral("client_a"), token) + "\r\n")), 400);
        QCOMPARE(statusOf(exchange(m_egress->port(), QByteArray("\x16\x03\x01\x00\x05hello\r\n\r\n", 14))), 400);
        QCOMPARE(m_page->connections(), 0);
        // The forwarder still serves after all that.
        auto tunnel = openTunnel(m_egress->port(), QStringLiteral("client_a"), token, QStringLiteral("127.0.0.1:%1").arg(m_page->port()));
        QVERIFY(tunnel);
    }

    void slowClientTimesOut()
    {
        auto routes = std::make_shared<EgressRouteTable>();
        ProxyLimits limits;
        limits.headTimeoutMs = 300;
        ForwardingProxy proxy(routes, limits);
        QVERIFY(proxy.listen());
        QElapsedTimer clock;
        clock.start();
        const QByteArray answer = exchange(proxy.port(), "CONNECT 127.0.0.1:1 HTTP/1.1\r\n", 5000);
        QCOMPARE(statusOf(answer), 408);
        QVERIFY(clock.elapsed() >= 250 && clock.elapsed() < 4000);
    }

    void probe_data() { upstreamWithCredentials_data(); }

    void probe()
    {
        QFETCH(ProxyEndpoint::Type, type);
        TestProxy upstream;
        upstream.requireCredentials(QStringLiteral("carol"), QStringLiteral("pw"));
        upstream.mapHost(kPageHost);
        upstream.setExitAddress(QStringLiteral("exit.test"), QStringLiteral("203.0.113.7"));
        QVERIFY(upstream.start());
        const ProxyCheck ok = runProbe(upstream.endpoint(type), kPageHost, m_page->port(), QUrl(QStringLiteral("http://exit.test/")), 5000);
        QVERIFY2(ok.ok, qPrintable(ok.error));
        QVERIFY(ok.latencyMs >= 0 && ok.latencyMs < 5000);
        QCOMPARE(ok.exitAddress, QStringLiteral("203.0.113.7"));
        QVERIFY(ok.error.isEmpty());
        QCOMPARE(upstream.targets().first(), kPageHost + QStringLiteral(":%1").arg(m_page->port()));
        QCOMPARE(upstream.connections().last().username, QStringLiteral("carol"));

        // Without an exit URL: ok, no address.
        const ProxyCheck plain = runProbe(upstream.endpoint(type), kPageHost, m_page->port(), QUrl(), 5000);
        QVERIFY(plain.ok);
        QVERIFY(plain.exitAddress.isEmpty());

        // An answer that is not an IP address is not taken.
        upstream.setExitAddress(QStringLiteral("exit.test"), QStringLiteral("<html>hello</html>"));
        const ProxyCheck junk = runProbe(upstream.endpoint(type), kPageHost, m_page->port(), QUrl(QStringLiteral("http://exit.test/")), 5000);
        QVERIFY(junk.ok);
        QVERIFY(junk.exitAddress.isEmpty());

        // Wrong credentials.
        ProxyEndpoint wrong = upstream.endpoint(type);
        wrong.password = QStringLiteral("nope");
        const ProxyCheck refused = runProbe(wrong, kPageHost, m_page->port(), QUrl(), 5000);
        QVERIFY(!refused.ok);
        QCOMPARE(refused.error, QStringLiteral("proxy refused the credentials"));
        QCOMPARE(refused.latencyMs, -1);

        // A stopped proxy fails fast and clearly; started again on the same port, it passes.
        const quint16 port = upstream.port();
        upstream.stop();
        qint64 elapsed = 0;
        const ProxyCheck dead = runProbe(upstream.endpoint(type), kPageHost, m_page->port(), QUrl(), 3000, &elapsed);
        QVERIFY(!dead.ok);
        QCOMPARE(dead.error, QStringLiteral("cannot connect to the proxy: connection refused"));
        QVERIFY(elapsed < 3000);
        QVERIFY(upstream.start(port));
        QCOMPARE(upstream.port(), port);
        QVERIFY(runProbe(upstream.endpoint(type), kPageHost, m_page->port(), QUrl(), 5000).ok);

        // A proxy that accepts and never answers: "proxy timed out" within the timeout.
        upstream.setSilent(true);
        const ProxyCheck hung = runProbe(upstream.endpoint(type), kPageHost, m_page->port(), QUrl(), 800, &elapsed);
        QVERIFY(!hung.ok);
        QCOMPARE(hung.error, QStringLiteral("proxy timed out"));
        QVERIFY2(elapsed >= 700 && elapsed < 2000, QByteArray::number(elapsed).constData());
    }

    void bindLoopbackAndChromiumFlags()
    {
        qputenv("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --lang=de");
        const int fd = EgressProxy::prepareForChromium();
        QVERIFY(fd >= 0);
        QVERIFY(::fcntl(fd, F_GETFD) & FD_CLOEXEC);
        sockaddr_in bound{};
        socklen_t length = sizeof bound;
        QCOMPARE(::getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &length), 0);
        QCOMPARE(ntohl(bound.sin_addr.s_addr), quint32(INADDR_LOOPBACK));
        const quint16 port = ntohs(bound.sin_port);
        QCOMPARE(qgetenv("QTWEBENGINE_CHROMIUM_FLAGS"),
                 "--no-sandbox --lang=de --proxy-server=http://127.0.0.1:" + QByteArray::number(port));
        qunsetenv("QTWEBENGINE_CHROMIUM_FLAGS");
        {
            EgressProxy egress(fd);
            QVERIFY(egress.isListening());
            QCOMPARE(egress.port(), port);
            QCOMPARE(egress.host(), QStringLiteral("127.0.0.1"));
            const QByteArray token = egress.routes().issue(QStringLiteral("client_z"), {});
            QVERIFY(openTunnel(egress.port(), QStringLiteral("client_z"), token, QStringLiteral("127.0.0.1:%1").arg(m_page->port())));
        }
        // Stopped with the object: the port no longer answers.
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(!probe.waitForConnected(2000));
        // Without a socket, nothing listens (clients with a proxy then fail closed).
        EgressProxy none(-1);
        QVERIFY(!none.isListening());
        QCOMPARE(none.port(), quint16(0));
    }
};

QTEST_GUILESS_MAIN(TestForwardingProxy)
#include "tst_forwarding_proxy.moc"
