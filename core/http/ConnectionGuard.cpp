#include "core/http/ConnectionGuard.h"

#include "core/http/HttpResponse.h"

#include <QTcpSocket>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

namespace wadesk {

ConnectionGuard::ConnectionGuard(QTcpSocket *socket, const ServerLimits &limits)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
    , m_framing({limits.maxBodyBytes, limits.maxHeaderBytes, limits.bodyLimitFor})
{
    m_clock.start();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ConnectionGuard::onTimer);
    connect(socket, &QTcpSocket::readyRead, this, &ConnectionGuard::onReadyRead);
    connect(socket, &QTcpSocket::bytesWritten, this, [this]() {
        m_lastActivityAt = m_clock.elapsed();
        if (m_draining && m_socket->bytesToWrite() == 0)
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR); // the answer is out: signal EOF
    });
    connect(socket, &QTcpSocket::disconnected, this, &ConnectionGuard::dropQueued);
    armTimer();
}

ConnectionGuard::~ConnectionGuard()
{
    dropQueued();
}

void ConnectionGuard::enqueue(std::function<void(bool)> request)
{
    m_queued.push_back(std::move(request));
}

void ConnectionGuard::runNext()
{
    if (m_queued.empty() || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    std::function<void(bool)> next = std::move(m_queued.front());
    m_queued.pop_front();
    next(true);
}

void ConnectionGuard::dropQueued()
{
    while (!m_queued.empty()) {
        std::function<void(bool)> request = std::move(m_queued.front());
        m_queued.pop_front();
        m_pendingReplies = std::max(0, m_pendingReplies - 1);
        request(false);
    }
}

qint64 ConnectionGuard::deadline() const
{
    if (m_draining)
        return m_drainDeadline;
    if (m_framing.midRequest() && m_requestStartedAt >= 0)
        return m_requestStartedAt + m_limits.headerTimeoutMs;
    return m_lastActivityAt + m_limits.idleTimeoutMs;
}

void ConnectionGuard::armTimer()
{
    const qint64 due = deadline();
    if (m_timer.isActive() && m_armedDeadline <= due)
        return; // fires first and re-arms for the rest
    m_armedDeadline = due;
    m_timer.start(int(std::max<qint64>(0, due - m_clock.elapsed())));
}

void ConnectionGuard::onReadyRead()
{
    m_lastActivityAt = m_clock.elapsed();
    if (m_rejected) {
        m_socket->readAll(); // discard what the client keeps sending after a broken request
        return;
    }
    const QByteArray fresh = m_socket->peek(m_socket->bytesAvailable());
    const bool wasMidRequest = m_framing.midRequest();
    const RequestFraming::Verdict verdict = m_framing.feed(fresh);
    switch (verdict) {
    case RequestFraming::Verdict::Ok:
        break;
    case RequestFraming::Verdict::BadRequest:
        rejectWith(400, "bad_request", m_framing.lastError().constData());
        return;
    case RequestFraming::Verdict::HeaderTooLarge:
        rejectWith(431, "header_too_large", "Request header fields too large");
        return;
    case RequestFraming::Verdict::BodyTooLarge:
        rejectWith(413, "payload_too_large", "Request body too large");
        return;
    case RequestFraming::Verdict::NotImplemented:
        rejectWith(501, "not_implemented", m_framing.lastError().constData());
        return;
    case RequestFraming::Verdict::VersionNotSupported:
        rejectWith(505, "http_version_not_supported", m_framing.lastError().constData());
        return;
    }
    if (m_framing.takeContinueRequest())
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    if (m_framing.midRequest() && !wasMidRequest)
        m_requestStartedAt = m_lastActivityAt;
    armTimer();
}

RequestFraming::RequestHead ConnectionGuard::takeRequestHead()
{
    if (m_framing.hasCompletedHead())
        return m_framing.takeCompletedHead();
    return {};
}

void ConnectionGuard::replyFinished(bool keepAlive)
{
    m_pendingReplies = std::max(0, m_pendingReplies - 1);
    m_lastActivityAt = m_clock.elapsed();
    if (!keepAlive || (m_closing && m_pendingReplies == 0)) {
        dropQueued();
        if (m_rejected) { // a broken request followed this one: unread input may be waiting
            m_rejection.clear();
            startDraining();
        } else {
            m_socket->disconnectFromHost();
        }
        return;
    }
    if (!m_queued.empty()) // not nested: a pipeline of quick requests must not recurse
        QMetaObject::invokeMethod(this, &ConnectionGuard::runNext, Qt::QueuedConnection);
    if (m_rejected && m_pendingReplies == 0) {
        finishRejection();
        return;
    }
    armTimer();
}

void ConnectionGuard::closeWhenIdle()
{
    m_closing = true;
    if (m_pendingReplies == 0 && !m_framing.midRequest())
        m_socket->disconnectFromHost();
}

void ConnectionGuard::evict()
{
    m_socket->abort();
}

void ConnectionGuard::rejectWith(int status, const char *code, const char *message, const char *extraHeaders)
{
    if (m_rejected)
        return;
    m_rejected = true;
    // Nobody else may read this connection any more: QHttpServer's slot is connected after ours
    // and, disconnected during this emission, is not called for these bytes. From now on what
    // arrives is read and discarded (onReadyRead).
    QObject::disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    m_socket->readAll();
    connect(m_socket, &QTcpSocket::readyRead, this, &ConnectionGuard::onReadyRead);

    const HttpResponse r = HttpResponse::error(status, QString::fromLatin1(code), QString::fromLatin1(message));
    m_rejection = "HTTP/1.1 " + QByteArray::number(status) + ' ' + HttpResponse::reasonPhrase(status)
        + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(r.body.size())
        + "\r\n" + extraHeaders + "Connection: close\r\n\r\n" + r.body;
    spdlog::debug("http: rejected a request from {} with {}: {}", m_socket->peerAddress().toString().toStdString(),
                  status, message);
    emit rejected(status);
    if (m_pendingReplies == 0)
        finishRejection();
    // else: the answers owed for earlier requests on this connection go first (replyFinished).
}

void ConnectionGuard::finishRejection()
{
    // Requests whose head arrived but that QHttpServer never received (they came in the same
    // bytes as the broken one, which were all discarded) precede the broken request: an error
    // answer now would be taken as theirs. They get no answer at all, which HTTP allows (the
    // client sees the connection close and may retry them).
    const int unseen = m_framing.completedHeadCount() - (m_framing.currentHeadComplete() ? 1 : 0);
    if (unseen <= 0)
        m_socket->write(m_rejection);
    m_rejection.clear();
    startDraining();
}

void ConnectionGuard::startDraining()
{
    if (m_draining)
        return;
    m_draining = true;
    m_drainDeadline = m_clock.elapsed() + m_limits.drainMs;
    if (m_socket->bytesToWrite() == 0)
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    armTimer();
}

void ConnectionGuard::onTimer()
{
    const qint64 now = m_clock.elapsed();
    const qint64 due = deadline();
    if (now < due) { // there was activity since the timer was armed
        m_armedDeadline = due;
        m_timer.start(int(due - now));
        return;
    }
    if (m_draining) {
        m_socket->abort();
        return;
    }
    if (m_pendingReplies > 0) {
        // A handler is still working; the reply itself decides what happens next.
        m_armedDeadline = now + m_limits.idleTimeoutMs;
        m_timer.start(m_limits.idleTimeoutMs);
        return;
    }
    if (m_rejected) {
        finishRejection();
        return;
    }
    if (m_framing.midRequest()) {
        rejectWith(408, "request_timeout", "The request did not arrive in time");
        return;
    }
    m_socket->disconnectFromHost();
}

} // namespace wadesk
