#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QTcpSocket>
#include <optional>

namespace wadesk::test {

// One HTTP/1.1 response as the test client saw it on the wire.
struct HttpTestResponse {
    int status = 0; // 0: no complete response arrived
    QByteArray version;
    QByteArray reason;
    QList<QPair<QByteArray, QByteArray>> headers; // names in lower case, in arrival order
    QByteArray body;

    bool valid() const { return status > 0; }
    QByteArray header(const QByteArray &lowerCaseName) const;
    int headerCount(const QByteArray &lowerCaseName) const;
    QJsonObject json() const; // empty when the body is not a JSON object
};

// Parses one response (Content-Length framed, as our server writes them) from the front of
// `buffer`. Returns the number of bytes it used, 0 when the response is not complete yet, and
// -1 when the bytes are not an HTTP response.
qint64 parseHttpResponse(const QByteArray &buffer, HttpTestResponse *out);

// A raw HTTP client over one QTcpSocket, driven by the event loop (QTest::qWaitFor), for tests
// that must control every byte: partial requests, garbage, pipelining, stalled headers.
class HttpTestClient final : public QObject {
    Q_OBJECT
public:
    explicit HttpTestClient(QObject *parent = nullptr);

    void connectAsync(quint16 port);
    bool connectTo(quint16 port, int timeoutMs = 5000);
    void send(const QByteArray &bytes);
    void abort() { m_socket.abort(); }

    // The next complete response (events are processed while waiting); invalid on timeout.
    HttpTestResponse waitResponse(int timeoutMs = 5000);
    std::optional<HttpTestResponse> takeResponse();
    // True once the server closed the connection (EOF or reset).
    bool waitClosed(int timeoutMs = 5000);
    bool closedByPeer() const { return m_closed; }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    bool connectionRefused() const { return m_error == QAbstractSocket::ConnectionRefusedError; }
    QAbstractSocket::SocketError lastError() const { return m_error; }
    QByteArray unparsed() const { return m_buffer; }
    QTcpSocket &socket() { return m_socket; }

    // "GET <path> HTTP/1.1" with Host and the given extra header lines ("Name: value\r\n" each).
    static QByteArray request(const QByteArray &method, const QByteArray &path, const QByteArray &extraHeaders = {},
                              const QByteArray &body = {});

signals:
    void responseArrived();
    void closed();

private:
    void onReadyRead();

    QTcpSocket m_socket;
    QByteArray m_buffer;
    bool m_closed = false;
    QAbstractSocket::SocketError m_error = QAbstractSocket::UnknownSocketError;
};

} // namespace wadesk::test
