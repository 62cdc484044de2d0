#include "core/network/EgressProxy.h"

#include "core/network/ForwardingProxy.h"

#include <QUrlQuery>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

namespace wadesk {

int EgressProxy::bindLoopback(QString *error)
{
    auto failWith = [error](const char *step, int fd) {
        const int code = errno;
        if (error)
            *error = QStringLiteral("%1: %2").arg(QLatin1String(step), QString::fromLocal8Bit(std::strerror(code)));
        if (fd >= 0)
            ::close(fd);
        return -1;
    };
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return failWith("socket", -1);
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
        return failWith("bind 127.0.0.1", fd);
    if (::listen(fd, 128) != 0)
        return failWith("listen", fd);
    return fd;
}

int EgressProxy::prepareForChromium()
{
    QString error;
    const int fd = bindLoopback(&error);
    if (fd < 0) {
        spdlog::error("proxy: cannot bind the forwarding proxy ({}); clients with a proxy will not connect",
                      error.toStdString());
        return -1;
    }
    sockaddr_in bound{};
    socklen_t length = sizeof bound;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &length) != 0) {
        spdlog::error("proxy: cannot read the forwarding proxy's port: {}", std::strerror(errno));
        ::close(fd);
        return -1;
    }
    const unsigned port = ntohs(bound.sin_port);
    // Keep whatever flags are there (the sandbox switch, a user's own), add ours last.
    std::string flags;
    if (const char *existing = std::getenv("QTWEBENGINE_CHROMIUM_FLAGS"); existing && *existing)
        flags = std::string(existing) + ' ';
    flags += "--proxy-server=http://127.0.0.1:" + std::to_string(port);
    ::setenv("QTWEBENGINE_CHROMIUM_FLAGS", flags.c_str(), 1);
    return fd;
}

EgressProxy::EgressProxy(int listeningFd, QObject *parent)
    : QObject(parent), m_routes(std::make_shared<EgressRouteTable>())
{
    m_thread.setObjectName(QStringLiteral("egress-proxy"));
    m_forwarder = new ForwardingProxy(m_routes);
    m_forwarder->moveToThread(&m_thread);
    connect(m_forwarder, &ForwardingProxy::upstreamFailed, this, &EgressProxy::upstreamFailed);
    connect(m_forwarder, &ForwardingProxy::tunnelOpened, this, &EgressProxy::tunnelOpened);
    m_thread.start();
    ForwardingProxy *forwarder = m_forwarder;
    bool listening = false;
    quint16 port = 0;
    if (listeningFd >= 0) {
        QMetaObject::invokeMethod(
            forwarder,
            [forwarder, listeningFd, &listening, &port] {
                listening = forwarder->listenOnDescriptor(listeningFd);
                port = forwarder->port();
            },
            Qt::BlockingQueuedConnection);
        if (!listening)
            ::close(listeningFd);
    } else {
        spdlog::warn("proxy: no listening socket; clients with a proxy will not connect");
    }
    m_listening = listening;
    m_port = port;
    if (m_listening)
        spdlog::info("proxy: forwarding proxy on 127.0.0.1:{}", m_port);
}

EgressProxy::~EgressProxy()
{
    // Deleted on its own thread: the thread runs deferred deletions before it ends.
    m_forwarder->deleteLater();
    m_thread.quit();
    m_thread.wait();
}

bool EgressProxy::isListening() const
{
    return m_listening;
}

quint16 EgressProxy::port() const
{
    return m_port;
}

EgressRouteTable &EgressProxy::routes()
{
    return *m_routes;
}

int EgressProxy::openTunnels(const QString &clientId) const
{
    return m_forwarder->openTunnels(clientId);
}

int EgressProxy::openTunnels() const
{
    return m_forwarder->openTunnels();
}

qint64 EgressProxy::peakTunnelBuffer() const
{
    return m_forwarder->peakTunnelBuffer();
}

QUrl EgressProxy::warmUpUrl(const QUrl &next)
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QLatin1String(kWarmUpHost));
    url.setPath(QStringLiteral("/"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("next"), QString::fromLatin1(next.toEncoded().toPercentEncoding()));
    url.setQuery(query);
    return url;
}

QUrl EgressProxy::warmUpTarget(const QByteArray &originTarget)
{
    const QUrl request(QStringLiteral("http://%1").arg(QLatin1String(kWarmUpHost)) + QString::fromLatin1(originTarget));
    const QString next = QUrlQuery(request).queryItemValue(QStringLiteral("next"), QUrl::FullyDecoded);
    // One level of encoding was added by warmUpUrl, and taken off by FullyDecoded: what is left
    // is the target in its own encoded form.
    const QUrl target = QUrl::fromEncoded(next.toUtf8(), QUrl::StrictMode);
    if (!target.isValid() || target.host().isEmpty()
        || (target.scheme() != QLatin1String("http") && target.scheme() != QLatin1String("https")))
        return QUrl();
    return target;
}

} // namespace wadesk
