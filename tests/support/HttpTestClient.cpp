#include "tests/support/HttpTestClient.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <QTest>

namespace wadesk::test {

QByteArray HttpTestResponse::header(const QByteArray &lowerCaseName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerCaseName)
            return h.second;
    }
    return {};
}

int HttpTestResponse::headerCount(const QByteArray &lowerCaseName) const
{
    int n = 0;
    for (const auto &h : headers)
        n += h.first == lowerCaseName ? 1 : 0;
    return n;
}

QJsonObject HttpTestResponse::json() const
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    return doc.isObject() ? doc.object() : QJsonObject();
}

qint64 parseHttpResponse(const QByteArray &buffer, HttpTestResponse *out)
{
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) {
        if (!buffer.isEmpty() && !QByteArray("HTTP/1.").startsWith(buffer.left(7)))
            return -1;
        return 0;
    }
    const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
    const QByteArray statusLine = lines.constFirst().trimmed();
    const qsizetype sp1 = statusLine.indexOf(' ');
    if (!statusLine.startsWith("HTTP/1.") || sp1 < 0)
        return -1;
    const qsizetype sp2 = statusLine.indexOf(' ', sp1 + 1);
    HttpTestResponse r;
    r.version = statusLine.left(sp1);
    bool ok = false;
    r.status = statusLine.mid(sp1 + 1, sp2 < 0 ? -1 : sp2 - sp1 - 1).toInt(&ok);
    if (!ok)
        return -1;
    r.reason = sp2 < 0 ? QByteArray() : statusLine.mid(sp2 + 1);
    qint64 length = 0;
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return -1;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        r.headers.append({name, value});
        if (name == "content-length")
            length = value.toLongLong();
    }
    const qint64 total = headEnd + 4 + length;
    if (buffer.size() < total)
        return 0;
    r.body = buffer.mid(headEnd + 4, length);
    if (out)
        *out = r;
    return total;
}

HttpTestClient::HttpTestClient(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QTcpSocket::readyRead, this, &HttpTestClient::onReadyRead);
    connect(&m_socket, &QTcpSocket::disconnected, this, [this]() {
        onReadyRead();
        m_closed = true;
        emit closed();
    });
    connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        m_error = error;
        if (error == QAbstractSocket::RemoteHostClosedError) {
            onReadyRead();
            m_closed = true;
        }
    });
}

void HttpTestClient::connectAsync(quint16 port)
{
    m_socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
}

bool HttpTestClient::connectTo(quint16 port, int timeoutMs)
{
    connectAsync(port);
    return QTest::qWaitFor([this]() { return m_socket.state() == QAbstractSocket::ConnectedState
                                          || m_socket.state() == QAbstractSocket::UnconnectedState; },
                           timeoutMs)
        && m_socket.state() == QAbstractSocket::ConnectedState;
}

void HttpTestClient::send(const QByteArray &bytes)
{
    m_socket.write(bytes);
    m_socket.flush();
}

void HttpTestClient::onReadyRead()
{
    if (m_socket.bytesAvailable() <= 0)
        return;
    m_buffer += m_socket.readAll();
    HttpTestResponse r;
    if (parseHttpResponse(m_buffer, &r) > 0)
        emit responseArrived();
}

std::optional<HttpTestResponse> HttpTestClient::takeResponse()
{
    HttpTestResponse r;
    const qint64 used = parseHttpResponse(m_buffer, &r);
    if (used <= 0)
        return std::nullopt;
    m_buffer.remove(0, used);
    return r;
}

HttpTestResponse HttpTestClient::waitResponse(int timeoutMs)
{
    HttpTestResponse r;
    [[maybe_unused]] const bool arrived = QTest::qWaitFor(
        [&]() {
            if (auto taken = takeResponse()) {
                r = *taken;
                return true;
            }
            return false;
        },
        timeoutMs);
    return r;
}

bool HttpTestClient::waitClosed(int timeoutMs)
{
    return QTest::qWaitFor([this]() { return m_closed || m_socket.state() == QAbstractSocket::UnconnectedState; },
                           timeoutMs);
}

QByteArray HttpTestClient::request(const QByteArray &method, const QByteArray &path, const QByteArray &extraHeaders,
                                   const QByteArray &body)
{
    QByteArray out = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders;
    if (!body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH")
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "\r\n";
    out += body;
    return out;
}

} // namespace wadesk::test
