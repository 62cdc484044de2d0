#pragma once

#include <QByteArray>
#include <QQueue>
#include <functional>

namespace wadesk {

// Follows the byte stream of one HTTP/1.x connection just far enough to enforce limits before
// QHttpServer buffers anything whole: the request line and header block (size, syntax,
// Content-Length / Transfer-Encoding rules) and the body length, chunked or not. It keeps no
// more than one header block in memory and never the body.
class RequestFraming {
public:
    struct Limits {
        qint64 maxBodyBytes = 16 * 1024 * 1024;
        int maxHeaderBytes = 16 * 1024;
        // Per-request body limit by method and path (no query); unset or <= 0: maxBodyBytes.
        std::function<qint64(const QByteArray &method, const QByteArray &path)> bodyLimitFor;
    };
    enum class Verdict {
        Ok,               // everything fed so far is acceptable
        BadRequest,       // 400: malformed request line, header or chunk framing
        HeaderTooLarge,   // 431
        BodyTooLarge,     // 413
        NotImplemented,   // 501: a transfer coding other than chunked
        VersionNotSupported, // 505
    };
    struct RequestHead {
        bool keepAlive = true;
        bool expectContinue = false;
        bool hasBody = false;
    };

    explicit RequestFraming(Limits limits);

    // Feeds the next bytes read from the connection. After a verdict other than Ok the
    // framing is spent: the connection must be answered and closed.
    Verdict feed(const char *data, qint64 size);
    Verdict feed(const QByteArray &bytes) { return feed(bytes.constData(), bytes.size()); }

    // Heads of requests whose header block is complete, in arrival order; the server takes
    // one per request it dispatches.
    bool hasCompletedHead() const { return !m_heads.isEmpty(); }
    RequestHead takeCompletedHead() { return m_heads.dequeue(); }
    // A head that just finished and wants "100 Continue" before its body arrives.
    bool takeContinueRequest();

    // True while part of a request (head or body) has arrived but not all of it.
    bool midRequest() const;
    // Complete heads not taken yet, and whether the last of them belongs to the request still
    // in progress (its body was arriving, or was being read when the framing failed) rather
    // than to a whole request waiting to be dispatched.
    int completedHeadCount() const { return int(m_heads.size()); }
    bool currentHeadComplete() const;
    QByteArray lastError() const { return m_error; }

private:
    enum class State { Start, Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailer, Failed };
    Verdict fail(Verdict v, const char *why);
    Verdict finishHead();
    Verdict onChunkSizeLine();

    Limits m_limits;
    State m_state = State::Start;
    QByteArray m_head;        // the current header block (bounded by maxHeaderBytes)
    QByteArray m_line;        // the current chunk-size or trailer line
    qint64 m_bodyRemaining = 0;
    qint64 m_bodyTotal = 0;
    qint64 m_bodyLimit = 0;   // the limit of the request whose body is arriving
    qint64 m_chunkRemaining = 0;
    int m_chunkEndBytes = 0;
    bool m_pendingContinue = false;
    bool m_failedInBody = false;
    QQueue<RequestHead> m_heads;
    QByteArray m_error;
};

} // namespace wadesk
