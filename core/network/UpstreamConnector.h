#pragma once

#include "core/network/ProxyEndpoint.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

class QTcpSocket;

namespace wadesk {

// Opens a TCP tunnel to host:port: directly, through an HTTP proxy (CONNECT, Basic
// Proxy-Authorization when the endpoint has credentials) or through a SOCKS5 proxy (RFC 1928:
// no-auth or username/password per RFC 1929; the target is sent as a domain name so the proxy
// resolves it, IPv4/IPv6 literals as addresses). Used by the forwarding proxy and the probe.
//
// One attempt per object: call one of the open functions, then wait for succeeded() (take the
// socket with takeSocket(); the tunnel is ready, nothing of the target's bytes has been read) or
// failed() with a text fit for logs and the operator ("proxy refused the credentials", "proxy
// unreachable: connection refused", "proxy timed out", "proxy could not reach host:443 (SOCKS
// reply 5, connection refused)"). Never prints passwords.
class UpstreamConnector final : public QObject {
    Q_OBJECT
public:
    explicit UpstreamConnector(QObject *parent = nullptr);
    ~UpstreamConnector() override;

    void openDirect(const QString &host, quint16 port, int timeoutMs);
    void openVia(const ProxyEndpoint &proxy, const QString &host, quint16 port, int timeoutMs);

    // After succeeded(): the connected socket, now owned by the caller (no parent).
    QTcpSocket *takeSocket();
    QString error() const { return m_error; }
    // After failed(): true when the proxy itself failed (unreachable, timed out, refused the
    // credentials, spoke garbage), false when the proxy worked but could not reach the target
    // (or on a direct route).
    bool proxyFault() const { return m_proxyFault; }
    QString target() const;

    // "host:port" with IPv6 literals in brackets.
    static QString authority(const QString &host, quint16 port);

signals:
    void succeeded();
    void failed(const QString &error);

private:
    enum class Stage { Idle, Connecting, HttpConnect, SocksMethod, SocksAuth, SocksConnect, Done };

    void start(int timeoutMs);
    void onConnected();
    void onReadyRead();
    void onSocketError();
    void onTimeout();
    void readHttpConnectReply();
    void readSocksMethod();
    void readSocksAuth();
    void readSocksConnectReply();
    void sendSocksConnect();
    void fail(const QString &error, bool proxyFault);
    void succeed();

    std::optional<ProxyEndpoint> m_proxy;
    QString m_host;
    quint16 m_port = 0;
    QPointer<QTcpSocket> m_socket;
    QTimer m_timer;
    Stage m_stage = Stage::Idle;
    QString m_error;
    bool m_proxyFault = false;
};

} // namespace wadesk
