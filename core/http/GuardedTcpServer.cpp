#include "core/http/GuardedTcpServer.h"

#include "core/http/ConnectionGuard.h"

#include <QTcpSocket>
#include <spdlog/spdlog.h>

namespace wadesk {

GuardedTcpServer::GuardedTcpServer(const ServerLimits &limits, QObject *parent)
    : QTcpServer(parent)
    , m_limits(limits)
{
    // QTcpServer's own cap on not-yet-taken connections; ours is applied in incomingConnection.
    setMaxPendingConnections(std::max(30, limits.maxConnections));
}

void GuardedTcpServer::prune()
{
    m_guards.removeIf([](const QPointer<ConnectionGuard> &g) {
        return g.isNull() || g->socket()->state() == QAbstractSocket::UnconnectedState;
    });
}

int GuardedTcpServer::openConnections() const
{
    int n = 0;
    for (const auto &g : m_guards)
        n += (!g.isNull() && g->socket()->state() != QAbstractSocket::UnconnectedState) ? 1 : 0;
    return n;
}

QList<ConnectionGuard *> GuardedTcpServer::guards() const
{
    QList<ConnectionGuard *> out;
    for (const auto &g : m_guards) {
        if (!g.isNull())
            out << g.data();
    }
    return out;
}

ConnectionGuard *GuardedTcpServer::guardFor(QTcpSocket *socket) const
{
    return socket ? socket->findChild<ConnectionGuard *>(QString(), Qt::FindDirectChildrenOnly) : nullptr;
}

ConnectionGuard *GuardedTcpServer::guardForPeer(const QHostAddress &address, quint16 port) const
{
    for (const auto &g : m_guards) {
        if (!g.isNull() && g->socket()->peerPort() == port && g->socket()->peerAddress().isEqual(address))
            return g.data();
    }
    return nullptr;
}

void GuardedTcpServer::stopAccepting()
{
    close();
    for (ConnectionGuard *g : guards())
        g->closeWhenIdle();
}

void GuardedTcpServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    prune();
    if (m_guards.size() >= m_limits.maxConnections) {
        ConnectionGuard *victim = nullptr;
        for (const auto &g : std::as_const(m_guards)) {
            if (!g->busy() && (!victim || g->idleMs() > victim->idleMs()))
                victim = g.data();
        }
        if (victim) {
            victim->evict();
            prune();
            emit connectionEvicted();
        } else {
            spdlog::warn("http: connection limit ({}) reached with every connection busy; refusing one",
                         m_limits.maxConnections);
            // Answered like any rejected request (the answer, then EOF, then a short drain of what
            // the client already sent), so the 503 is not lost to a reset. Not counted, not handed
            // to QHttpServer; it goes away by itself after at most drainMs.
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            auto *guard = new ConnectionGuard(socket, m_limits);
            guard->rejectWith(503, "too_many_connections", "Too many connections", "Retry-After: 1\r\n");
            emit connectionRefused();
            return;
        }
    }
    // The guard connects to readyRead first, so it always sees bytes before QHttpServer.
    m_guards.append(new ConnectionGuard(socket, m_limits));
    addPendingConnection(socket);
}

} // namespace wadesk
