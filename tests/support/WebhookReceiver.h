#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QString>
#include <QThread>
#include <memory>

namespace wadesk::test {

// A real HTTP/1.1 receiver for webhook deliveries on 127.0.0.1 (QTcpServer, keep-alive,
// Content-Length bodies). Tests choose how it answers: 200, 500, 410, 429 with Retry-After, any
// other status, hang (read the request, never answer), or close the connection without an
// answer; optionally after a delay (a slow receiver). Every request is recorded with its headers
// and raw body before it is answered, so signatures can be verified on the exact bytes.
//
// By default it runs on the event loop of the thread that creates it (QTest::qWaitFor keeps it
// turning). `ownThread` runs it on a thread of its own instead (benches, or when the creating
// thread blocks). Everything public is thread-safe.
class WebhookReceiver final {
public:
    enum class Behaviour {
        Ok,              // 200
        ServerError,     // 500
        Gone,            // 410
        TooManyRequests, // 429 with Retry-After (setRetryAfter)
        Status,          // the status set by setStatus()
        Hang,            // never answers; the connection stays open until the sender gives up
        Close,           // closes the connection without an answer
    };

    struct Request {
        QByteArray method;
        QByteArray target;
        QList<QPair<QByteArray, QByteArray>> headers; // names in lower case, in arrival order
        QByteArray body;
        qint64 receivedAtMs = 0; // wall clock, when the whole request had arrived
        Behaviour answer = Behaviour::Ok;
        int connection = 0;      // which TCP connection carried it (1, 2, ... in accept order)

        QByteArray header(const QByteArray &lowerCaseName) const;
        int headerCount(const QByteArray &lowerCaseName) const;
        QString webhookId() const { return QString::fromUtf8(header("webhook-id")); }
        QString event() const { return QString::fromUtf8(header("x-webhook-event")); }
        QJsonObject json() const; // the body as a JSON object (empty when it is not one)
    };

    explicit WebhookReceiver(bool ownThread = false);
    ~WebhookReceiver();
    WebhookReceiver(const WebhookReceiver &) = delete;
    WebhookReceiver &operator=(const WebhookReceiver &) = delete;

    // Listens on 127.0.0.1:`port` (0: a free port; after stop(), start(port()) comes back on the
    // same one). False when the port cannot be had.
    bool start(quint16 port = 0);
    // Stops listening and drops every connection (hanging ones too); new connections are refused.
    void stop();
    bool isListening() const;
    quint16 port() const; // the last port listened on
    QString url(const QString &path = QStringLiteral("/hook")) const;

    void setBehaviour(Behaviour behaviour);           // the default answer
    void setStatus(int status);                       // for Behaviour::Status
    void setRetryAfter(const QByteArray &value);      // sent with 429; default "1"
    void setResponseDelayMs(int ms);                  // answers (and closes) this much later
    void setResponseBody(const QByteArray &body);     // for 2xx answers; default "ok"
    // The next requests get these answers, in order; then the default answer again.
    void script(const QList<Behaviour> &next);

    QList<Request> requests() const;
    int count() const;
    // Distinct webhook-id values seen so far.
    QSet<QString> webhookIds() const;
    int connectionsAccepted() const;
    void clear();
    // Waits (running the calling thread's event loop) until at least `n` requests were recorded.
    bool waitForCount(int n, int timeoutMs);

    // X-Webhook-Signature: "sha256=" + hex HMAC-SHA256(secret string, raw body).
    static bool guideSignatureValid(const Request &request, const QString &secret);
    // webhook-signature: any of its space-separated "v1,<base64>" values equals HMAC-SHA256 keyed
    // with base64-decode(secret after "whsec_") over "webhook-id.webhook-timestamp.body".
    static bool standardSignatureValid(const Request &request, const QString &secret);
    // Both, plus webhook-id equals the body's "id".
    static bool verify(const Request &request, const QString &secret);

    // Independent reference implementations (not WaDesk's signer) for the checks above.
    static QByteArray referenceGuideSignature(const QString &secret, const QByteArray &body);
    static QByteArray referenceStandardSignature(const QString &secret, const QByteArray &id, const QByteArray &timestamp,
                                                 const QByteArray &body);

    class Server; // the QObject that owns the sockets (internal)

private:
    struct Shared;
    std::shared_ptr<Shared> m_shared;
    std::unique_ptr<QThread> m_thread;
    Server *m_server = nullptr;
};

} // namespace wadesk::test
