#pragma once

#include "core/http/RequestFraming.h"
#include "core/http/ServerLimits.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <deque>
#include <functional>

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
    ~ConnectionGuard() override;

    QTcpSocket *socket() const { return m_socket; }
    qint64 idleMs() const { return m_clock.elapsed() - m_lastActivityAt; }
    bool busy() const { return m_pendingReplies > 0; }

    // The head of the request QHttpServer is about to dispatch (keep-alive decision).
    RequestFraming::RequestHead takeRequestHead();
    void replyStarted() { ++m_pendingReplies; }
    // Called after a reply was written. Closes the connection if it must not be kept, otherwise
    // starts the next queued request.
    void replyFinished(bool keepAlive);
    // A pipelined request that must wait for the replies before it (counted by replyStarted).
    // It is called with true when its turn comes, or with false when the connection closes
    // before that (the request is dropped unanswered, as HTTP/1.1 allows).
    void enqueue(std::function<void(bool run)> request);
    // Graceful shutdown: close now if idle, otherwise right after the pending reply.
    void closeWhenIdle();
    // Closes at once (eviction when the server is full).
    void evict();
    // Answers a broken request with an error and closes after draining unread input for a short
    // while. Answers still owed for earlier requests on the connection are written first.
    // `extraHeaders` is zero or more complete "Name: value\r\n" lines.
    void rejectWith(int status, const char *code, const char *message, const char *extraHeaders = "");

signals:
    void rejected(int status);

private:
    void onReadyRead();
    void onTimer();
    void armTimer();
    qint64 deadline() const;
    void startDraining();
    void runNext();
    void finishRejection();
    void dropQueued();

    QTcpSocket *m_socket;
    ServerLimits m_limits;
    RequestFraming m_framing;
    QTimer m_timer;
    // Times in ms on m_clock. The timer is armed lazily: activity only moves the deadline, and
    // the timer is restarted only when the new deadline is earlier than the armed one (a partial
    // request's header timeout); when it fires early it re-arms for what is left. So a busy
    // keep-alive connection costs no timer work per request.
    QElapsedTimer m_clock;
    qint64 m_lastActivityAt = 0;
    qint64 m_requestStartedAt = -1;
    qint64 m_drainDeadline = 0;
    qint64 m_armedDeadline = 0;
    std::deque<std::function<void(bool)>> m_queued;
    int m_pendingReplies = 0;
    bool m_closing = false;
    bool m_rejected = false;  // a broken request was seen: input is discarded from then on
    bool m_draining = false;  // the connection is closing: EOF sent (once flushed), abort after drainMs
    QByteArray m_rejection;   // the error answer, until the earlier answers are out
};

} // namespace wadesk
