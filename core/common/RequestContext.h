#pragma once

#include <QByteArray>
#include <string>

namespace wadesk {

// The id of the HTTP request the current thread is handling, so that every log line written
// while handling it can name it (the log formatter reads it). Set for the synchronous part of a
// request by RequestScope; empty outside a request.
namespace RequestContext {

const std::string &currentRequestId();

// The client's X-Request-Id when it is a plausible token (1 to 128 characters of letters,
// digits and - _ . : / + =), otherwise a new one: a client's id is kept so its logs and ours
// correlate, but nothing it sends can forge a log line.
QByteArray acceptOrMakeRequestId(const QByteArray &fromClient);

class RequestScope {
public:
    explicit RequestScope(const QByteArray &requestId);
    ~RequestScope();
    RequestScope(const RequestScope &) = delete;
    RequestScope &operator=(const RequestScope &) = delete;

private:
    std::string m_previous;
};

} // namespace RequestContext

} // namespace wadesk
