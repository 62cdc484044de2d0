#pragma once

#include "api/RequestFraming.h"
#include "api/ServerLimits.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QTcpSocket;

namespace wadesk {

// Watches one accepted connection ahead of QHttpServer. It is connected to readyRead before
// QHttpServer is, so it sees each new chunk of bytes first (peeked, not consumed), checks them
// with RequestFraming, and answers and closes the connection itself when a limit is broken,
// before QHttpServer gets to buffer the request. It also closes idle and stalled connections
// and tracks whether a reply is still owed, for graceful shutdown.
class ConnectionGuard final : public QObject {
    Q_OBJECT
public:
    ConnectionGuard(QTcpSocket *socket, const ServerLimits &limits);

    QTcpSocket *socket() const { return m_socket; }
    qint64 idleMs() const { return m_lastActivity.elapsed(); }
    bool busy() const { return m_pendingReplies > 0; }

    // The head of the request QHttpServer is about to dispatch (keep-alive decision).
    RequestFraming::RequestHead takeRequestHead();
    void replyStarted() { ++m_pendingReplies; }
    // Called after a reply was written. Closes the connection if it must not be kept.
    void replyFinished(bool keepAlive);
    // Graceful shutdown: close now if idle, otherwise right after the pending reply.
    void closeWhenIdle();
    // Closes at once (eviction when the server is full).
    void evict();
    // Writes a complete error answer and closes after draining unread input for a short while.
    void rejectWith(int status, const char *code, const char *message);

signals:
    void rejected(int status);

private:
    void onReadyRead();
    void onTimer();
    void armTimer();
    void startDraining();

    QTcpSocket *m_socket;
    ServerLimits m_limits;
    RequestFraming m_framing;
    QTimer m_timer;
    QElapsedTimer m_lastActivity;
    QElapsedTimer m_requestStarted;
    int m_pendingReplies = 0;
    bool m_closing = false;
    bool m_draining = false;
};

} // namespace wadesk
