#include "core/http/RequestFraming.h"

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

// The head is parsed in place, without splitting it into copies (this runs for every request).
struct Span {
    const char *p = nullptr;
    qsizetype n = 0;
    bool isEmpty() const { return n == 0; }
    char at(qsizetype i) const { return p[i]; }
    Span mid(qsizetype from, qsizetype len = -1) const { return {p + from, len < 0 ? n - from : len}; }
    qsizetype indexOf(char c, qsizetype from = 0) const
    {
        const void *hit = from < n ? std::memchr(p + from, c, size_t(n - from)) : nullptr;
        return hit ? static_cast<const char *>(hit) - p : -1;
    }
    bool operator==(const char *literal) const
    {
        const size_t len = std::strlen(literal);
        return size_t(n) == len && std::memcmp(p, literal, len) == 0;
    }
    bool startsWith(const char *literal) const
    {
        const size_t len = std::strlen(literal);
        return size_t(n) >= len && std::memcmp(p, literal, len) == 0;
    }
    // `lowerLiteral` must be lower case.
    bool equalsNoCase(const char *lowerLiteral) const
    {
        const size_t len = std::strlen(lowerLiteral);
        if (size_t(n) != len)
            return false;
        for (qsizetype i = 0; i < n; ++i) {
            char c = p[i];
            if (c >= 'A' && c <= 'Z')
                c = char(c - 'A' + 'a');
            if (c != lowerLiteral[i])
                return false;
        }
        return true;
    }
    // Whitespace trimmed as QByteArray::trimmed() does.
    Span trimmed() const
    {
        auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; };
        Span s = *this;
        while (s.n > 0 && space(s.p[0])) {
            ++s.p;
            --s.n;
        }
        while (s.n > 0 && space(s.p[s.n - 1]))
            --s.n;
        return s;
    }
};

// The next line of `block` from `pos` (without its LF and a CR before it); false at the end.
bool nextLine(const QByteArray &block, qsizetype &pos, Span &line)
{
    if (pos >= block.size())
        return false;
    const char *data = block.constData();
    const void *nl = std::memchr(data + pos, '\n', size_t(block.size() - pos));
    const qsizetype end = nl ? static_cast<const char *>(nl) - data : block.size();
    line = {data + pos, end - pos};
    if (line.n > 0 && line.p[line.n - 1] == '\r')
        --line.n;
    pos = end + 1;
    return true;
}

// A request line must be exactly "METHOD SP target SP version".
bool splitRequestLine(Span line, Span parts[3])
{
    const qsizetype first = line.indexOf(' ');
    if (first < 0)
        return false;
    const qsizetype second = line.indexOf(' ', first + 1);
    if (second < 0 || line.indexOf(' ', second + 1) >= 0)
        return false;
    parts[0] = line.mid(0, first);
    parts[1] = line.mid(first + 1, second - first - 1);
    parts[2] = line.mid(second + 1);
    return true;
}

bool isSupportedMethod(Span method)
{
    for (const char *m : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
        if (method == m)
            return true;
    }
    return false;
}
} // namespace

RequestFraming::RequestFraming(Limits limits)
    : m_limits(limits)
{
}

RequestFraming::Verdict RequestFraming::fail(Verdict v, const char *why)
{
    m_failedInBody = m_state != State::Start && m_state != State::Head && m_state != State::Failed;
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

bool RequestFraming::currentHeadComplete() const
{
    if (m_state == State::Failed)
        return m_failedInBody;
    return m_state != State::Start && m_state != State::Head;
}

RequestFraming::Verdict RequestFraming::finishHead()
{
    qsizetype pos = 0;
    Span line;
    if (!nextLine(m_head, pos, line) || line.isEmpty()) {
        m_head.clear();
        return fail(Verdict::BadRequest, "empty request");
    }
    Span parts[3];
    if (!splitRequestLine(line, parts) || parts[1].isEmpty())
        return fail(Verdict::BadRequest, "malformed request line");
    const Span version = parts[2];
    if (!version.startsWith("HTTP/"))
        return fail(Verdict::BadRequest, "malformed HTTP version");
    if (!(version == "HTTP/1.1") && !(version == "HTTP/1.0"))
        return fail(Verdict::VersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported");
    for (qsizetype i = 0; i < parts[1].n; ++i) {
        const char c = parts[1].at(i);
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return fail(Verdict::BadRequest, "control character in the request target");
    }

    m_bodyLimit = m_limits.maxBodyBytes;
    if (m_limits.bodyLimitFor) {
        Span path = parts[1];
        const qsizetype question = path.indexOf('?');
        if (question >= 0)
            path = path.mid(0, question);
        const qint64 routeLimit = m_limits.bodyLimitFor(QByteArray(parts[0].p, parts[0].n), QByteArray(path.p, path.n));
        if (routeLimit > 0)
            m_bodyLimit = routeLimit;
    }

    RequestHead head;
    const bool http11 = version == "HTTP/1.1";
    head.keepAlive = http11;
    bool hasLength = false;
    bool chunked = false;
    bool hasHost = false;
    qint64 contentLength = 0;
    // The block ends with an empty line; nothing follows it.
    while (nextLine(m_head, pos, line) && !line.isEmpty()) {
        if (line.at(0) == ' ' || line.at(0) == '\t')
            return fail(Verdict::BadRequest, "folded header lines are not accepted");
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return fail(Verdict::BadRequest, "malformed header line");
        const Span name = line.mid(0, colon);
        for (qsizetype i = 0; i < name.n; ++i) {
            if (!isTokenChar(name.at(i)))
                return fail(Verdict::BadRequest, "invalid header name");
        }
        const Span value = line.mid(colon + 1).trimmed();
        if (name.equalsNoCase("content-length")) {
            bool ok = value.n <= 18 && !value.isEmpty();
            qint64 n = 0;
            for (qsizetype i = 0; ok && i < value.n; ++i) {
                const char c = value.at(i);
                ok = c >= '0' && c <= '9';
                n = n * 10 + (c - '0');
            }
            if (!ok)
                return fail(Verdict::BadRequest, "invalid Content-Length");
            if (hasLength && n != contentLength)
                return fail(Verdict::BadRequest, "conflicting Content-Length headers");
            hasLength = true;
            contentLength = n;
        } else if (name.equalsNoCase("transfer-encoding")) {
            if (!value.equalsNoCase("chunked"))
                return fail(Verdict::NotImplemented, "only the chunked transfer coding is supported");
            chunked = true;
        } else if (name.equalsNoCase("connection")) {
            qsizetype from = 0;
            while (from <= value.n) {
                qsizetype comma = value.indexOf(',', from);
                if (comma < 0)
                    comma = value.n;
                const Span token = value.mid(from, comma - from).trimmed();
                if (token.equalsNoCase("close"))
                    head.keepAlive = false;
                else if (token.equalsNoCase("keep-alive") && !http11)
                    head.keepAlive = true;
                from = comma + 1;
            }
        } else if (name.equalsNoCase("expect")) {
            if (value.equalsNoCase("100-continue"))
                head.expectContinue = true;
        } else if (name.equalsNoCase("host")) {
            hasHost = true;
        }
    }
    m_head.clear();
    if (http11 && !hasHost)
        return fail(Verdict::BadRequest, "HTTP/1.1 requests need a Host header");
    if (hasLength && chunked)
        return fail(Verdict::BadRequest, "both Content-Length and Transfer-Encoding");
    if (hasLength && contentLength > m_bodyLimit)
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
    if (m_bodyTotal > m_bodyLimit)
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
                qsizetype pos = 0;
                Span line;
                Span parts[3];
                nextLine(m_head, pos, line);
                if (!splitRequestLine(line, parts))
                    return fail(Verdict::BadRequest, "malformed request line");
                if (!isSupportedMethod(parts[0]))
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
            if (m_state == State::Trailer && ++m_bodyTotal > m_bodyLimit + m_limits.maxHeaderBytes)
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
