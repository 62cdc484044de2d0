#pragma once

#include "core/http/ServerLimits.h"

#include <QList>
#include <QPointer>
#include <QTcpServer>

namespace wadesk {

class ConnectionGuard;

// The listening socket handed to QHttpServer. Each accepted connection gets a ConnectionGuard
// before QHttpServer sees it. At the connection limit the longest-idle connection without a
// reply in flight is closed to make room (so a flood of half-open connections cannot lock
// out real clients); when every connection is busy, the newcomer gets 503.
class GuardedTcpServer final : public QTcpServer {
    Q_OBJECT
public:
    explicit GuardedTcpServer(const ServerLimits &limits, QObject *parent = nullptr);

    int openConnections() const;
    QList<ConnectionGuard *> guards() const;
    ConnectionGuard *guardFor(QTcpSocket *socket) const;
    // The connection a request came in on, by the client's address and port (Qt 6.5+ does not
    // say which socket a request belongs to).
    ConnectionGuard *guardForPeer(const QHostAddress &address, quint16 port) const;
    // Stops accepting and asks every connection to close once its reply is out.
    void stopAccepting();

signals:
    void connectionEvicted();
    void connectionRefused();

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    void prune();

    ServerLimits m_limits;
    QList<QPointer<ConnectionGuard>> m_guards;
};

} // namespace wadesk
