#pragma once

#include "core/http/HttpResponse.h"
#include "core/http/Router.h"
#include "core/http/ServerLimits.h"
#include "core/common/DomainError.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <memory>
#include <vector>

class QHttpServerRequest;
class QTcpSocket;

namespace wadesk {

class ConnectionGuard;
class GuardedTcpServer;
class HttpServer;
class DispatchingHttpServer;

// A handle to answer one request later (a "deferred" reply). Copyable; the first send() wins.
// If the client went away meanwhile, send() does nothing: the socket is watched through a
// QPointer, because writing to a QHttpServer 6.4 socket that is gone crashes the process.
class Reply {
public:
    void send(const HttpResponse &response) const;
    bool clientConnected() const;
    // Gives the request up without answering (its connection is closing before it ran).
    void abandon() const;

    struct State; // defined in HttpServer.cpp; differs by Qt version

private:
    friend class HttpServer;
    std::shared_ptr<State> d;
};

// The single wrapper around QHttpServer (Qt 6.4 and later). It owns the listening socket
// (GuardedTcpServer: connection limit, per-connection guards for size limits and timeouts),
// routes requests, maps every answer to bytes, and shuts down gracefully.
class HttpServer final : public QObject {
    Q_OBJECT
public:
    explicit HttpServer(const ServerLimits &limits, QObject *parent = nullptr);
    ~HttpServer() override;

    Router &router() { return m_router; }
    // Answers the request itself when no route matches (404 / 405).
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    quint16 port() const;

    // Graceful shutdown: stop accepting, close idle connections, let in-flight replies finish.
    // Emits drained() once nothing is in flight and every answer already written has left the
    // socket (so quitting the thread then does not cut a reply short).
    void stopAccepting();
    int inFlight() const { return m_inFlight; }
    int openConnections() const;
    bool isAccepting() const { return m_accepting; }

signals:
    void drained();

private:
    friend class DispatchingHttpServer;
    friend class Reply;
    void dispatch(const QHttpServerRequest &request, std::shared_ptr<Reply::State> state);
    void route(ApiRequest &api, const Reply &reply);
    void finishReply(Reply::State &state, const HttpResponse &response);
    void streamBody(Reply::State &state, const HttpResponse &response, bool keepAlive);
    void abandonReply(Reply::State &state);
    void releaseResponder(Reply::State &state);
    void dropResponder(Reply::State &state);
    void releaseParked();
    ConnectionGuard *guardForPeer(const QHostAddress &address, quint16 port) const;
    void checkDrained();

    ServerLimits m_limits;
    Router m_router;
    DispatchingHttpServer *m_server = nullptr;
    GuardedTcpServer *m_tcp = nullptr;
    // Qt 6.5+: replies that still hold Qt's responder, and those held until their socket is gone.
    QSet<Reply::State *> m_holdingResponders;
    std::vector<std::shared_ptr<Reply::State>> m_parked;
    int m_inFlight = 0;
    bool m_accepting = true;
    bool m_drainedEmitted = false;
};

} // namespace wadesk
