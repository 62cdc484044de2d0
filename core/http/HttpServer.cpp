#include "core/http/HttpServer.h"

#include "core/common/RequestContext.h"
#include "core/common/RuntimeMetrics.h"
#include "core/http/ConnectionGuard.h"
#include "core/http/GuardedTcpServer.h"
#include "core/http/ResponseStream.h"

#include <QAbstractHttpServer>
#if QT_VERSION >= QT_VERSION_CHECK(6, 9, 0)
#include <QHttpServerConfiguration>
#endif
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QElapsedTimer>
#include <QPointer>
#include <QTcpSocket>
#include <QtGlobal>
#include <algorithm>
#include <chrono>
#include <exception>
#include <spdlog/spdlog.h>

namespace wadesk {

// On every Qt version WaDesk writes the answer's bytes to the socket itself (so keep-alive,
// pipelining and limits behave the same everywhere). Qt 6.5+ hands out a responder instead of
// the socket: the socket is then found through its connection guard (by the peer's address and
// port), and the responder is kept, unused, until the answer is written, because Qt reads the
// connection's next request only once the responder is gone. Qt deletes a connection whose
// responder goes while the socket is not connected, aborting a socket that is still flushing:
// so on a closing connection the responder is held until the socket has disconnected.
struct Reply::State : std::enable_shared_from_this<Reply::State> {
    QPointer<HttpServer> server;
    QPointer<QTcpSocket> socket;
    QPointer<ConnectionGuard> guard;
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    std::unique_ptr<QHttpServerResponder> responder;
#endif
    QByteArray requestId;
    // For the metrics: what was asked and since when.
    QByteArray method;
    QString route = QStringLiteral("(unmatched)");
    QElapsedTimer started;
    bool keepAlive = true;
    bool head = false;
    bool sent = false;

    ~State()
    {
        if (server)
            server->m_holdingResponders.remove(this);
    }
};

namespace {
QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get: return "GET";
    case QHttpServerRequest::Method::Head: return "HEAD";
    case QHttpServerRequest::Method::Post: return "POST";
    case QHttpServerRequest::Method::Put: return "PUT";
    case QHttpServerRequest::Method::Patch: return "PATCH";
    case QHttpServerRequest::Method::Delete: return "DELETE";
    case QHttpServerRequest::Method::Options: return "OPTIONS";
    default: return "UNKNOWN";
    }
}

// The status line and headers, and the in-memory body unless the request was HEAD or the body
// is streamed from a device (then only its length is announced here).
QByteArray serialize(const HttpResponse &response, bool keepAlive, bool head, const QByteArray &requestId)
{
    const bool streamed = response.bodyDevice != nullptr;
    QByteArray out;
    out.reserve(160 + (streamed ? 0 : response.body.size()));
    out += "HTTP/1.1 ";
    out += QByteArray::number(response.status);
    out += ' ';
    out += HttpResponse::reasonPhrase(response.status);
    out += "\r\n";
    if (!response.contentType.isEmpty()) {
        out += "Content-Type: ";
        out += response.contentType;
        out += "\r\n";
    }
    // 204 has no Content-Length (RFC 9110 §8.6), and 304's would have to be the full entity's.
    // A streamed body of unknown length (an export made while it is sent) goes chunked.
    if (streamed && response.bodyDeviceLength < 0) {
        out += "Transfer-Encoding: chunked\r\n";
    } else if (response.status != 204 && response.status != 304) {
        out += "Content-Length: ";
        out += QByteArray::number(streamed ? response.bodyDeviceLength : response.body.size());
        out += "\r\n";
    }
    for (const auto &header : response.headers) {
        out += header.first;
        out += ": ";
        out += header.second;
        out += "\r\n";
    }
    if (!requestId.isEmpty()) {
        out += "X-Request-Id: ";
        out += requestId;
        out += "\r\n";
    }
    out += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    if (!head && !streamed)
        out += response.body;
    return out;
}
} // namespace

// Qt's side of the wrapper: QHttpServer parses, we route. The request-handling virtual changed
// signature in Qt 6.5 (socket -> responder); both forms are kept here and nowhere else.
class DispatchingHttpServer final : public QAbstractHttpServer {
public:
    explicit DispatchingHttpServer(HttpServer *owner)
        : QAbstractHttpServer(owner)
        , m_owner(owner)
    {
    }

protected:
#if QT_VERSION < QT_VERSION_CHECK(6, 5, 0)
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        auto state = std::make_shared<Reply::State>();
        state->socket = socket;
        m_owner->dispatch(request, std::move(state));
        return true;
    }
    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override {}
#else
    bool handleRequest(const QHttpServerRequest &request, QHttpServerResponder &responder) override
    {
        auto state = std::make_shared<Reply::State>();
        state->responder = std::make_unique<QHttpServerResponder>(std::move(responder));
        if (ConnectionGuard *guard = m_owner->guardForPeer(request.remoteAddress(), request.remotePort()))
            state->socket = guard->socket();
        m_owner->dispatch(request, std::move(state));
        return true;
    }
    void missingHandler(const QHttpServerRequest &, QHttpServerResponder &) override {}
#endif

private:
    HttpServer *m_owner;
};

HttpServer::HttpServer(const ServerLimits &limits, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
{
}

HttpServer::~HttpServer()
{
    // Responders still held (deferred replies that never came, connections still flushing) must
    // go before Qt's server and its connections do.
    const QSet<Reply::State *> holding = std::exchange(m_holdingResponders, {});
    for (Reply::State *state : holding)
        dropResponder(*state);
    m_parked.clear();
}

Result<quint16> HttpServer::listen(const QHostAddress &address, quint16 port)
{
    if (m_tcp)
        return DomainError::internal(QStringLiteral("the server is already listening"));
    m_server = new DispatchingHttpServer(this);
    m_tcp = new GuardedTcpServer(m_limits);
    if (!m_tcp->listen(address, port)) {
        const QString why = m_tcp->errorString();
        delete m_tcp;
        m_tcp = nullptr;
        return DomainError::unavailable(QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(why),
                                        QStringLiteral("listen_failed"));
    }
#if QT_VERSION >= QT_VERSION_CHECK(6, 10, 0)
    // Newer QHttpServer enforces limits of its own behind the connection guard's (6.10: a
    // keep-alive timeout; 6.11: 32 MiB bodies, 64 KiB headers) and answers a breach by dropping
    // the connection. WaDesk's limits are checked first and answered properly, so Qt's are set
    // no tighter than them.
    QHttpServerConfiguration configuration = m_server->configuration();
    configuration.setKeepAliveTimeout(std::chrono::seconds((m_limits.idleTimeoutMs + 999) / 1000 + 1));
#if QT_VERSION >= QT_VERSION_CHECK(6, 11, 0)
    configuration.setMaximumBodySize(std::max({configuration.maximumBodySize(), m_limits.maxBodyBytes,
                                               m_limits.largestRouteBodyBytes}));
    configuration.setMaximumTotalHeaderSize(std::max(configuration.maximumTotalHeaderSize(), qint64(m_limits.maxHeaderBytes)));
    configuration.setMaximumHeaderFieldSize(std::max(configuration.maximumHeaderFieldSize(), qint64(m_limits.maxHeaderBytes)));
    // The shortest header line ("a:" CRLF) is four bytes: the guard's byte limit bounds the count.
    configuration.setMaximumHeaderFieldCount(std::max(configuration.maximumHeaderFieldCount(), qint64(m_limits.maxHeaderBytes / 4)));
#endif
    m_server->setConfiguration(configuration);
#endif
    m_server->bind(m_tcp); // takes ownership
    return m_tcp->serverPort();
}

quint16 HttpServer::port() const
{
    return m_tcp ? m_tcp->serverPort() : 0;
}

int HttpServer::openConnections() const
{
    return m_tcp ? m_tcp->openConnections() : 0;
}

void HttpServer::stopAccepting()
{
    if (!m_accepting)
        return;
    m_accepting = false;
    if (m_tcp)
        m_tcp->stopAccepting();
    checkDrained();
}

void HttpServer::checkDrained()
{
    if (m_accepting || m_drainedEmitted || m_inFlight > 0)
        return;
    // A reply that was written but not yet flushed would be lost if the thread quit now
    // (destroying a socket aborts it): wait until every such socket has sent its bytes.
    bool waiting = false;
    if (m_tcp) {
        for (ConnectionGuard *guard : m_tcp->guards()) {
            QTcpSocket *socket = guard->socket();
            if (socket->state() == QAbstractSocket::UnconnectedState || socket->bytesToWrite() == 0)
                continue;
            waiting = true;
            connect(socket, &QTcpSocket::bytesWritten, this, &HttpServer::checkDrained, Qt::UniqueConnection);
            connect(socket, &QTcpSocket::disconnected, this, &HttpServer::checkDrained, Qt::UniqueConnection);
        }
    }
    if (waiting)
        return;
    m_drainedEmitted = true;
    emit drained();
}

void HttpServer::dispatch(const QHttpServerRequest &request, std::shared_ptr<Reply::State> state)
{
    ConnectionGuard *guard = m_tcp ? m_tcp->guardFor(state->socket) : nullptr;
    const RequestFraming::RequestHead head = guard ? guard->takeRequestHead() : RequestFraming::RequestHead{};

    Reply reply;
    reply.d = std::move(state);
    reply.d->server = this;
    reply.d->started.start();
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    if (reply.d->responder)
        m_holdingResponders.insert(reply.d.get());
#endif
    reply.d->guard = guard;
    reply.d->keepAlive = head.keepAlive && m_accepting;
    reply.d->head = request.method() == QHttpServerRequest::Method::Head;
    // A pipelined request that arrives while an earlier one on the same connection is still
    // being answered waits for it: HTTP/1.1 answers leave in request order.
    const bool mustWait = guard && guard->busy();
    ++m_inFlight;
    if (guard)
        guard->replyStarted();

    // Copied now: QHttpServer reuses its request object for the next request on the socket.
    ApiRequest api;
    api.method = methodName(request.method());
    if (api.method == "HEAD")
        api.method = "GET";
    api.path = request.url().path(QUrl::FullyDecoded);
    api.query = request.query();
    const auto &headers = request.headers();
    api.headers.reserve(headers.size());
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    for (qsizetype i = 0; i < headers.size(); ++i)
        api.headers.insert(QByteArray(headers.nameAt(i)).toLower(), headers.valueAt(i).toByteArray());
#else
    for (const auto &header : headers)
        api.headers.insert(header.first.toLower(), header.second);
#endif
    api.body = request.body();
    api.remoteAddress = request.remoteAddress();
    api.requestId = RequestContext::acceptOrMakeRequestId(api.header("x-request-id"));
    reply.d->requestId = api.requestId;
    reply.d->method = api.method;

    if (mustWait) {
        guard->enqueue([this, api, reply](bool run) mutable {
            if (run)
                route(api, reply);
            else
                reply.abandon();
        });
        return;
    }
    route(api, reply);
}

void HttpServer::route(ApiRequest &api, const Reply &reply)
{
    const Router::Match match = m_router.match(api.method, api.path);
    if (!match.route) {
        if (!match.allowedMethods.isEmpty()) {
            HttpResponse r = HttpResponse::error(405, QStringLiteral("method_not_allowed"), QStringLiteral("Method not allowed"));
            r.withHeader("Allow", match.allowedMethods.join(", "));
            reply.send(r);
        } else {
            reply.send(HttpResponse::error(404, QStringLiteral("not_found"), QStringLiteral("Endpoint not found")));
        }
        return;
    }
    api.params = match.params;
    reply.d->route = match.route->pattern;
    // Log lines written while the handler runs name the request (deferred work later does not).
    const RequestContext::RequestScope scope(api.requestId);
    try {
        if (match.route->deferred)
            match.route->deferred(api, reply);
        else
            reply.send(match.route->handler(api));
    } catch (const std::exception &e) {
        spdlog::error("http: handler for {} {} threw: {}", api.method.constData(), api.path.toStdString(), e.what());
        reply.send(HttpResponse::error(DomainError::internal()));
    }
}

void HttpServer::abandonReply(Reply::State &state)
{
    releaseResponder(state);
    --m_inFlight;
    // Not synchronously: this runs while a connection is being torn down.
    QMetaObject::invokeMethod(this, &HttpServer::checkDrained, Qt::QueuedConnection);
}

void HttpServer::finishReply(Reply::State &state, const HttpResponse &response)
{
    if (state.started.isValid())
        RuntimeMetrics::instance().recordHttp(state.method, state.route, response.status, state.started.nsecsElapsed() / 1000);
    const bool keepAlive = state.keepAlive && m_accepting;
    if (state.socket && state.socket->state() == QAbstractSocket::ConnectedState) {
        state.socket->write(serialize(response, keepAlive, state.head, state.requestId));
        if (response.bodyDevice && !state.head && response.bodyDeviceLength != 0) {
            streamBody(state, response, keepAlive);
            return;
        }
        if (state.guard)
            state.guard->replyFinished(keepAlive);
        else if (!keepAlive)
            state.socket->disconnectFromHost();
    } else {
        spdlog::debug("http: client left before its {} reply", response.status);
    }
    releaseResponder(state);
    --m_inFlight;
    checkDrained();
}

void HttpServer::streamBody(Reply::State &state, const HttpResponse &response, bool keepAlive)
{
    // The reply stays in flight (and the connection busy) until the last byte is handed over.
    auto *stream = new ResponseStream(state.socket, response.bodyDevice, response.bodyDeviceLength, this);
    std::shared_ptr<Reply::State> held = state.shared_from_this();
    connect(stream, &ResponseStream::finished, this, [this, held, keepAlive](bool complete) {
        if (complete && held->socket) {
            if (held->guard)
                held->guard->replyFinished(keepAlive);
            else if (!keepAlive)
                held->socket->disconnectFromHost();
        } else if (held->socket && held->socket->state() != QAbstractSocket::UnconnectedState) {
            // The length was announced (or the last chunk not sent): a short body must end the
            // connection, not pass as whole.
            held->socket->abort();
        }
        releaseResponder(*held);
        --m_inFlight;
        checkDrained();
    });
    stream->start();
}

void HttpServer::releaseResponder(Reply::State &state)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    if (!state.responder)
        return;
    QTcpSocket *socket = state.socket;
    if (socket && socket->state() != QAbstractSocket::ConnectedState && socket->state() != QAbstractSocket::UnconnectedState) {
        // Closing: the answer may still be leaving. Held until the socket is gone.
        m_parked.push_back(state.shared_from_this());
        connect(socket, &QAbstractSocket::disconnected, this, &HttpServer::releaseParked, Qt::UniqueConnection);
        return;
    }
    dropResponder(state);
#else
    Q_UNUSED(state);
#endif
}

void HttpServer::dropResponder(Reply::State &state)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    m_holdingResponders.remove(&state);
    state.responder.reset(); // Qt goes on with the connection's next request, or lets it go
#else
    Q_UNUSED(state);
#endif
}

void HttpServer::releaseParked()
{
    std::vector<std::shared_ptr<Reply::State>> still;
    for (std::shared_ptr<Reply::State> &state : m_parked) {
        if (state->socket && state->socket->state() != QAbstractSocket::UnconnectedState)
            still.push_back(std::move(state));
        else
            dropResponder(*state);
    }
    m_parked = std::move(still);
}

ConnectionGuard *HttpServer::guardForPeer(const QHostAddress &address, quint16 port) const
{
    return m_tcp ? m_tcp->guardForPeer(address, port) : nullptr;
}

void Reply::send(const HttpResponse &response) const
{
    if (!d || d->sent)
        return;
    d->sent = true;
    if (d->server)
        d->server->finishReply(*d, response);
}

void Reply::abandon() const
{
    if (!d || d->sent)
        return;
    d->sent = true;
    if (d->server)
        d->server->abandonReply(*d);
}

bool Reply::clientConnected() const
{
    return d && d->socket && d->socket->state() == QAbstractSocket::ConnectedState;
}

} // namespace wadesk
