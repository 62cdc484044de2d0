#include "api/RequestFraming.h"

#include <QList>
#include <cstring>

namespace wadesk {

namespace {
constexpr int kMaxChunkLine = 256;

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

QByteArray trimmedLine(const QByteArray &line)
{
    return line.endsWith('\r') ? line.left(line.size() - 1) : line;
}
} // namespace

RequestFraming::RequestFraming(Limits limits)
    : m_limits(limits)
{
}

RequestFraming::Verdict RequestFraming::fail(Verdict v, const char *why)
{
    m_state = State::Failed;
    m_error = why;
    m_head.clear();
    m_line.clear();
    return v;
}

bool RequestFraming::takeContinueRequest()
{
    const bool pending = m_pendingContinue;
    m_pendingContinue = false;
    return pending;
}

bool RequestFraming::midRequest() const
{
    return m_state != State::Start && m_state != State::Failed;
}

RequestFraming::Verdict RequestFraming::finishHead()
{
    QList<QByteArray> lines = m_head.split('\n');
    m_head.clear();
    // The block ends with an empty line: drop it and the split's trailing empty element.
    while (!lines.isEmpty() && trimmedLine(lines.constLast()).isEmpty())
        lines.removeLast();
    if (lines.isEmpty())
        return fail(Verdict::BadRequest, "empty request");

    const QList<QByteArray> parts = trimmedLine(lines.constFirst()).split(' ');
    if (parts.size() != 3 || parts.at(1).isEmpty())
        return fail(Verdict::BadRequest, "malformed request line");
    const QByteArray &version = parts.at(2);
    if (!version.startsWith("HTTP/"))
        return fail(Verdict::BadRequest, "malformed HTTP version");
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return fail(Verdict::VersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported");
    for (const char c : parts.at(1)) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return fail(Verdict::BadRequest, "control character in the request target");
    }

    RequestHead head;
    const bool http11 = version == "HTTP/1.1";
    head.keepAlive = http11;
    bool hasLength = false;
    bool chunked = false;
    bool hasHost = false;
    qint64 contentLength = 0;
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = trimmedLine(lines.at(i));
        if (line.startsWith(' ') || line.startsWith('\t'))
            return fail(Verdict::BadRequest, "folded header lines are not accepted");
        const int colon = line.indexOf(':');
        if (colon <= 0)
            return fail(Verdict::BadRequest, "malformed header line");
        const QByteArray name = line.left(colon).toLower();
        for (const char c : name) {
            if (!isTokenChar(c))
                return fail(Verdict::BadRequest, "invalid header name");
        }
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = value.size() <= 18 && !value.isEmpty();
            for (const char c : value)
                ok = ok && c >= '0' && c <= '9';
            if (!ok)
                return fail(Verdict::BadRequest, "invalid Content-Length");
            const qint64 n = value.toLongLong();
            if (hasLength && n != contentLength)
                return fail(Verdict::BadRequest, "conflicting Content-Length headers");
            hasLength = true;
            contentLength = n;
        } else if (name == "transfer-encoding") {
            if (value.toLower() != "chunked")
                return fail(Verdict::NotImplemented, "only the chunked transfer coding is supported");
            chunked = true;
        } else if (name == "connection") {
            for (const QByteArray &token : value.toLower().split(',')) {
                const QByteArray t = token.trimmed();
                if (t == "close")
                    head.keepAlive = false;
                else if (t == "keep-alive" && !http11)
                    head.keepAlive = true;
            }
        } else if (name == "expect") {
            if (value.toLower() == "100-continue")
                head.expectContinue = true;
        } else if (name == "host") {
            hasHost = true;
        }
    }
    if (http11 && !hasHost)
        return fail(Verdict::BadRequest, "HTTP/1.1 requests need a Host header");
    if (hasLength && chunked)
        return fail(Verdict::BadRequest, "both Content-Length and Transfer-Encoding");
    if (hasLength && contentLength > m_limits.maxBodyBytes)
        return fail(Verdict::BodyTooLarge, "body larger than the limit");

    head.hasBody = chunked || contentLength > 0;
    if (head.expectContinue && head.hasBody)
        m_pendingContinue = true;
    m_heads.enqueue(head);
    m_bodyTotal = 0;
    if (chunked) {
        m_state = State::ChunkSize;
        m_line.clear();
    } else if (contentLength > 0) {
        m_state = State::Body;
        m_bodyRemaining = contentLength;
    } else {
        m_state = State::Start;
    }
    return Verdict::Ok;
}

RequestFraming::Verdict RequestFraming::onChunkSizeLine()
{
    QByteArray line = trimmedLine(m_line);
    m_line.clear();
    const int ext = line.indexOf(';');
    if (ext >= 0)
        line.truncate(ext);
    line = line.trimmed();
    bool ok = !line.isEmpty() && line.size() <= 15;
    const qint64 size = ok ? line.toLongLong(&ok, 16) : 0;
    if (!ok || size < 0)
        return fail(Verdict::BadRequest, "invalid chunk size");
    if (size == 0) {
        m_state = State::Trailer;
        return Verdict::Ok;
    }
    m_bodyTotal += size;
    if (m_bodyTotal > m_limits.maxBodyBytes)
        return fail(Verdict::BodyTooLarge, "body larger than the limit");
    m_chunkRemaining = size;
    m_state = State::ChunkData;
    return Verdict::Ok;
}

RequestFraming::Verdict RequestFraming::feed(const char *data, qint64 size)
{
    qint64 i = 0;
    while (i < size) {
        switch (m_state) {
        case State::Failed:
            return Verdict::BadRequest;
        case State::Start: {
            const char c = data[i];
            if (c == '\r' || c == '\n') {
                ++i;
                continue;
            }
            if (c < 'A' || c > 'Z')
                return fail(Verdict::BadRequest, "not an HTTP request");
            m_state = State::Head;
            m_head.clear();
            break;
        }
        case State::Head: {
            const char *nl = static_cast<const char *>(std::memchr(data + i, '\n', size_t(size - i)));
            const qint64 take = nl ? (nl - (data + i) + 1) : (size - i);
            if (m_head.size() + take > m_limits.maxHeaderBytes)
                return fail(Verdict::HeaderTooLarge, "header block larger than the limit");
            const bool firstLine = !m_head.contains('\n');
            m_head.append(data + i, int(take));
            i += take;
            if (!nl)
                break;
            if (firstLine) {
                // Reject a bad request line at once instead of waiting for the whole block.
                const QList<QByteArray> parts = trimmedLine(m_head.left(m_head.size() - 1)).split(' ');
                if (parts.size() != 3)
                    return fail(Verdict::BadRequest, "malformed request line");
                static const QList<QByteArray> methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
                if (!methods.contains(parts.at(0)))
                    return fail(Verdict::NotImplemented, "unsupported method");
            }
            if (m_head.endsWith("\n\n") || m_head.endsWith("\n\r\n")) {
                const Verdict v = finishHead();
                if (v != Verdict::Ok)
                    return v;
            }
            break;
        }
        case State::Body: {
            const qint64 take = std::min(m_bodyRemaining, size - i);
            m_bodyRemaining -= take;
            i += take;
            if (m_bodyRemaining == 0)
                m_state = State::Start;
            break;
        }
        case State::ChunkSize:
        case State::Trailer: {
            const char c = data[i++];
            if (m_state == State::Trailer && ++m_bodyTotal > m_limits.maxBodyBytes + m_limits.maxHeaderBytes)
                return fail(Verdict::HeaderTooLarge, "trailer larger than the limit");
            if (m_line.size() >= kMaxChunkLine)
                return fail(Verdict::BadRequest, "chunk line too long");
            m_line.append(c);
            if (c != '\n')
                break;
            if (m_state == State::ChunkSize) {
                const Verdict v = onChunkSizeLine();
                if (v != Verdict::Ok)
                    return v;
            } else {
                const bool empty = trimmedLine(m_line.left(m_line.size() - 1)).isEmpty();
                m_line.clear();
                if (empty)
                    m_state = State::Start;
            }
            break;
        }
        case State::ChunkData: {
            const qint64 take = std::min(m_chunkRemaining, size - i);
            m_chunkRemaining -= take;
            i += take;
            if (m_chunkRemaining == 0) {
                m_state = State::ChunkDataEnd;
                m_chunkEndBytes = 0;
            }
            break;
        }
        case State::ChunkDataEnd: {
            const char c = data[i++];
            if (c == '\r' && m_chunkEndBytes == 0) {
                m_chunkEndBytes = 1;
            } else if (c == '\n') {
                m_state = State::ChunkSize;
                m_line.clear();
            } else {
                return fail(Verdict::BadRequest, "chunk data not followed by CRLF");
            }
            break;
        }
        }
    }
    return Verdict::Ok;
}

} // namespace wadesk
