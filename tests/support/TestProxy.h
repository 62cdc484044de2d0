#pragma once

#include "core/network/ProxyEndpoint.h"

#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTcpServer>
#include <memory>

namespace wadesk::test {

// A real upstream proxy for tests, on 127.0.0.1: HTTP (CONNECT and absolute-form GET) and SOCKS5
// (RFC 1928, no-auth or username/password per RFC 1929) on the same port, told apart by the
// first byte. Written independently of core/network so the forwarder is checked against another
// implementation.
//
// Names resolve only through the host map (mapHost); any other name is refused (HTTP 502, SOCKS
// reply 4), so a test that reaches a mapped name proves its traffic came through this proxy.
// Literal 127.0.0.1 targets pass only with setLoopbackPassthrough(true). A configured exit host
// (setExitAddress) is answered by the proxy itself: any HTTP request to it gets the configured
// text, like an "what is my IP" service.
//
// Every connection is recorded (protocol, username presented, target, accepted or why not, bytes
// each way). stop() closes the port and drops every connection (a dead proxy); start(port())
// comes back on the same port. setSilent(true) accepts and never answers (a hanging proxy).
// Lives on the thread that creates it.
class TestProxy final : public QObject {
    Q_OBJECT
public:
    struct Connection {
        QString protocol;   // "http-connect", "http-get", "socks5", or "" when it never said
        QString username;   // the username presented (empty: none)
        QString target;     // "host:port" as asked
        bool accepted = false;
        QString refusal;    // why it was refused
        qint64 bytesUp = 0;   // client → target
        qint64 bytesDown = 0; // target → client
    };

    explicit TestProxy(QObject *parent = nullptr);
    ~TestProxy() override;

    void requireCredentials(const QString &username, const QString &password);
    void mapHost(const QString &name, const QHostAddress &address = QHostAddress(QHostAddress::LocalHost));
    void setLoopbackPassthrough(bool allowed);
    void setExitAddress(const QString &host, const QString &answer);
    void setSilent(bool silent);

    bool start(quint16 port = 0);
    void stop();
    bool isListening() const { return m_server.isListening(); }
    quint16 port() const { return m_port; }
    // This proxy as WaDesk would be configured to use it (with the required credentials).
    ProxyEndpoint endpoint(ProxyEndpoint::Type type) const;

    QList<Connection> connections() const;
    // Targets of the accepted connections, in order.
    QStringList targets() const;
    // Accepted connections currently piping.
    int openTunnels() const;
    void clear();

    class Session; // one client connection (internal)

private:
    friend class Session;
    void onNewConnection();
    std::shared_ptr<Connection> record();
    // The address a name resolves to through the map, or null (refused).
    QHostAddress resolve(const QString &host) const;

    QTcpServer m_server;
    quint16 m_port = 0;
    QString m_username;
    QString m_password;
    QHash<QString, QHostAddress> m_hosts;
    bool m_loopbackPassthrough = false;
    QString m_exitHost;
    QString m_exitAnswer;
    bool m_silent = false;
    QList<std::shared_ptr<Connection>> m_connections;
    QList<QPointer<Session>> m_sessions;
};

} // namespace wadesk::test
