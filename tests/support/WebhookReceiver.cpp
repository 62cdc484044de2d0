#include "tests/support/WebhookReceiver.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QMutexLocker>
#include <QPointer>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

namespace wadesk::test {

namespace {
constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
constexpr qint64 kMaxBodyBytes = 16 * 1024 * 1024;

// HMAC-SHA256 written out (RFC 2104) so the checks do not reuse what WaDesk signs with.
QByteArray hmacSha256(QByteArray key, const QByteArray &message)
{
    constexpr int kBlock = 64;
    if (key.size() > kBlock)
        key = QCryptographicHash::hash(key, QCryptographicHash::Sha256);
    key = key.leftJustified(kBlock, '\0');
    QByteArray inner(kBlock, '\0');
    QByteArray outer(kBlock, '\0');
    for (int i = 0; i < kBlock; ++i) {
        inner[i] = char(key.at(i) ^ 0x36);
        outer[i] = char(key.at(i) ^ 0x5c);
    }
    const QByteArray innerHash = QCryptographicHash::hash(inner + message, QCryptographicHash::Sha256);
    return QCryptographicHash::hash(outer + innerHash, QCryptographicHash::Sha256);
}

QByteArray reasonOf(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 410: return "Gone";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}
} // namespace

struct WebhookReceiver::Shared {
    mutable QMutex mutex;
    Behaviour behaviour = Behaviour::Ok;
    int status = 200;
    QByteArray retryAfter = "1";
    int delayMs = 0;
    QByteArray responseBody = "ok";
    QList<Behaviour> script;
    QList<Request> requests;
    quint16 port = 0;
    bool listening = false;
    int connections = 0;
};

class WebhookReceiver::Server final : public QObject {
public:
    explicit Server(std::shared_ptr<Shared> shared)
        : m_shared(std::move(shared))
    {
    }

    bool listen(quint16 port)
    {
        if (!m_tcp) {
            m_tcp = new QTcpServer(this);
            connect(m_tcp, &QTcpServer::newConnection, this, [this]() { accept(); });
        }
        if (m_tcp->isListening())
            return true;
        if (!m_tcp->listen(QHostAddress(QHostAddress::LocalHost), port))
            return false;
        QMutexLocker lock(&m_shared->mutex);
        m_shared->port = m_tcp->serverPort();
        m_shared->listening = true;
        return true;
    }

    void stopListening()
    {
        if (m_tcp)
            m_tcp->close();
        const QSet<QTcpSocket *> sockets = m_sockets;
        m_sockets.clear();
        for (QTcpSocket *s : sockets) {
            s->disconnect(this);
            s->abort();
            s->deleteLater();
        }
        m_state.clear();
        QMutexLocker lock(&m_shared->mutex);
        m_shared->listening = false;
    }

private:
    struct Connection {
        QByteArray buffer;
        bool busy = false; // an answer is pending (delayed, or never: hanging)
        int number = 0;
    };

    void accept()
    {
        while (QTcpSocket *socket = m_tcp->nextPendingConnection()) {
            socket->setParent(this);
            m_sockets.insert(socket);
            int number = 0;
            {
                QMutexLocker lock(&m_shared->mutex);
                number = ++m_shared->connections;
            }
            m_state.insert(socket, Connection{QByteArray(), false, number});
            connect(socket, &QTcpSocket::readyRead, this, [this, socket]() { process(socket); });
            connect(socket, &QTcpSocket::disconnected, this, [this, socket]() {
                m_sockets.remove(socket);
                m_state.remove(socket);
                socket->deleteLater();
            });
        }
    }

    void process(QTcpSocket *socket)
    {
        if (!m_state.contains(socket))
            return;
        m_state[socket].buffer += socket->readAll();
        while (m_state.contains(socket) && !m_state[socket].busy) {
            Connection &c = m_state[socket];
            const qsizetype headerEnd = c.buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                if (c.buffer.size() > kMaxHeaderBytes)
                    socket->abort();
                return;
            }
            Request r;
            const QList<QByteArray> lines = c.buffer.left(headerEnd).split('\n');
            const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
            r.method = requestLine.value(0);
            r.target = requestLine.value(1);
            qint64 length = 0;
            bool keepAlive = !requestLine.value(2).endsWith("1.0");
            for (int i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines.at(i).trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    continue;
                const QByteArray name = line.left(colon).trimmed().toLower();
                const QByteArray value = line.mid(colon + 1).trimmed();
                r.headers.append({name, value});
                if (name == "content-length")
                    length = value.toLongLong();
                if (name == "connection" && value.toLower() == "close")
                    keepAlive = false;
            }
            if (length < 0 || length > kMaxBodyBytes) {
                socket->abort();
                return;
            }
            if (c.buffer.size() < headerEnd + 4 + length)
                return;
            r.body = c.buffer.mid(headerEnd + 4, length);
            c.buffer.remove(0, headerEnd + 4 + length);
            r.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
            r.connection = c.number;

            int status = 200;
            int delayMs = 0;
            QByteArray retryAfter;
            QByteArray responseBody;
            {
                QMutexLocker lock(&m_shared->mutex);
                r.answer = m_shared->script.isEmpty() ? m_shared->behaviour : m_shared->script.takeFirst();
                delayMs = m_shared->delayMs;
                retryAfter = m_shared->retryAfter;
                responseBody = m_shared->responseBody;
                switch (r.answer) {
                case Behaviour::Ok: status = 200; break;
                case Behaviour::ServerError: status = 500; break;
                case Behaviour::Gone: status = 410; break;
                case Behaviour::TooManyRequests: status = 429; break;
                case Behaviour::Status: status = m_shared->status; break;
                case Behaviour::Hang:
                case Behaviour::Close: status = 0; break;
                }
                m_shared->requests.append(r);
            }
            if (r.answer == Behaviour::Hang) {
                c.busy = true; // nothing more is read from this connection
                return;
            }
            QByteArray response;
            if (r.answer != Behaviour::Close) {
                const QByteArray body = status >= 200 && status < 300 ? responseBody : reasonOf(status);
                response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonOf(status) + "\r\nContent-Type: text/plain\r\n"
                    + "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
                if (status == 429 && !retryAfter.isEmpty())
                    response += "Retry-After: " + retryAfter + "\r\n";
                response += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
                response += body;
            }
            const bool close = r.answer == Behaviour::Close || !keepAlive;
            if (delayMs <= 0) {
                answer(socket, response, close);
                continue;
            }
            c.busy = true;
            QPointer<QTcpSocket> guard(socket);
            QTimer::singleShot(delayMs, this, [this, guard, response, close]() {
                if (!guard || !m_state.contains(guard.data()))
                    return;
                m_state[guard.data()].busy = false;
                answer(guard.data(), response, close);
                if (guard && m_state.contains(guard.data()) && !m_state[guard.data()].buffer.isEmpty())
                    process(guard.data());
            });
            return;
        }
    }

    void answer(QTcpSocket *socket, const QByteArray &response, bool close)
    {
        if (!response.isEmpty())
            socket->write(response);
        if (close) {
            m_state.remove(socket);
            socket->disconnectFromHost(); // flushes what was written, then FIN
        }
    }

    std::shared_ptr<Shared> m_shared;
    QTcpServer *m_tcp = nullptr;
    QSet<QTcpSocket *> m_sockets;
    QHash<QTcpSocket *, Connection> m_state;
};

QByteArray WebhookReceiver::Request::header(const QByteArray &lowerCaseName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerCaseName)
            return value;
    }
    return {};
}

int WebhookReceiver::Request::headerCount(const QByteArray &lowerCaseName) const
{
    int n = 0;
    for (const auto &h : headers)
        n += h.first == lowerCaseName ? 1 : 0;
    return n;
}

QJsonObject WebhookReceiver::Request::json() const
{
    return QJsonDocument::fromJson(body).object();
}

WebhookReceiver::WebhookReceiver(bool ownThread)
    : m_shared(std::make_shared<Shared>())
{
    m_server = new Server(m_shared);
    if (ownThread) {
        m_thread = std::make_unique<QThread>();
        m_thread->setObjectName(QStringLiteral("webhook-receiver"));
        m_server->moveToThread(m_thread.get());
        QObject::connect(m_thread.get(), &QThread::finished, m_server, &QObject::deleteLater);
        m_thread->start();
    }
}

WebhookReceiver::~WebhookReceiver()
{
    stop();
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    } else {
        delete m_server;
    }
}

bool WebhookReceiver::start(quint16 port)
{
    if (!m_thread)
        return m_server->listen(port);
    bool ok = false;
    QMetaObject::invokeMethod(
        m_server, [this, port]() { return m_server->listen(port); }, Qt::BlockingQueuedConnection, &ok);
    return ok;
}

void WebhookReceiver::stop()
{
    if (!m_thread)
        return m_server->stopListening();
    QMetaObject::invokeMethod(
        m_server, [this]() { m_server->stopListening(); }, Qt::BlockingQueuedConnection);
}

bool WebhookReceiver::isListening() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->listening;
}

quint16 WebhookReceiver::port() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->port;
}

QString WebhookReceiver::url(const QString &path) const
{
    return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path);
}

void WebhookReceiver::setBehaviour(Behaviour behaviour)
{
    QMutexLocker lock(&m_shared->mutex);
    m_shared->behaviour = behaviour;
}

void WebhookReceiver::setStatus(int status)
{
    QMutexLocker lock(&m_shared->mutex);
    m_shared->status = status;
}

void WebhookReceiver::setRetryAfter(const QByteArray &value)
{
    QMutexLocker lock(&m_shared->mutex);
    m_shared->retryAfter = value;
}

void WebhookReceiver::setResponseDelayMs(int ms)
{
    QMutexLocker lock(&m_shared->mutex);
    m_shared->delayMs = ms;
}

void WebhookReceiver::setResponseBody(const QByteArray &body)
{
    QMutexLocker lock(&m_shared->mutex);
    m_shared->responseBody = body;
}

void WebhookReceiver::script(const QList<Behaviour> &next)
{
    QMutexLocker lock(&m_shared->mutex);
    m_shared->script = next;
}

QList<WebhookReceiver::Request> WebhookReceiver::requests() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->requests;
}

int WebhookReceiver::count() const
{
    QMutexLocker lock(&m_shared->mutex);
    return int(m_shared->requests.size());
}

QSet<QString> WebhookReceiver::webhookIds() const
{
    QMutexLocker lock(&m_shared->mutex);
    QSet<QString> out;
    for (const Request &r : std::as_const(m_shared->requests))
        out.insert(r.webhookId());
    return out;
}

int WebhookReceiver::connectionsAccepted() const
{
    QMutexLocker lock(&m_shared->mutex);
    return m_shared->connections;
}

void WebhookReceiver::clear()
{
    QMutexLocker lock(&m_shared->mutex);
    m_shared->requests.clear();
}

bool WebhookReceiver::waitForCount(int n, int timeoutMs)
{
    return QTest::qWaitFor([&]() { return count() >= n; }, timeoutMs);
}

QByteArray WebhookReceiver::referenceGuideSignature(const QString &secret, const QByteArray &body)
{
    return "sha256=" + hmacSha256(secret.toUtf8(), body).toHex();
}

QByteArray WebhookReceiver::referenceStandardSignature(const QString &secret, const QByteArray &id, const QByteArray &timestamp,
                                                       const QByteArray &body)
{
    QString encoded = secret;
    if (encoded.startsWith(QLatin1String("whsec_")))
        encoded = encoded.mid(6);
    const auto key = QByteArray::fromBase64Encoding(encoded.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!key)
        return {};
    return "v1," + hmacSha256(*key, id + '.' + timestamp + '.' + body).toBase64();
}

bool WebhookReceiver::guideSignatureValid(const Request &request, const QString &secret)
{
    return request.headerCount("x-webhook-signature") == 1
        && request.header("x-webhook-signature") == referenceGuideSignature(secret, request.body);
}

bool WebhookReceiver::standardSignatureValid(const Request &request, const QString &secret)
{
    const QByteArray id = request.header("webhook-id");
    const QByteArray timestamp = request.header("webhook-timestamp");
    if (id.isEmpty() || timestamp.isEmpty() || request.headerCount("webhook-signature") != 1)
        return false;
    bool numeric = false;
    timestamp.toLongLong(&numeric);
    if (!numeric)
        return false;
    const QByteArray expected = referenceStandardSignature(secret, id, timestamp, request.body);
    if (expected.isEmpty())
        return false;
    for (const QByteArray &candidate : request.header("webhook-signature").split(' ')) {
        if (candidate == expected)
            return true;
    }
    return false;
}

bool WebhookReceiver::verify(const Request &request, const QString &secret)
{
    return guideSignatureValid(request, secret) && standardSignatureValid(request, secret)
        && request.json().value(QStringLiteral("id")).toString() == request.webhookId();
}

} // namespace wadesk::test
