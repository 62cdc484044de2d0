#pragma once

#include <QByteArray>
#include <string>
#include <utility>

namespace wadesk {

// The id of the HTTP request the current thread is handling, so that every log line written
// while handling it can name it (the log formatter reads it). Set for the synchronous part of a
// request by RequestScope, and carried into its deferred work (ApiRoutes' offloaded work,
// MessageService's group of sends, carried()); empty outside a request.
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

// `f` wrapped to run under the current request's id wherever and whenever it is called: for the
// work a request leaves to a timer, a callback or another thread (a queued call).
template <typename F>
auto carried(F f)
{
    return [requestId = QByteArray::fromStdString(currentRequestId()), f = std::move(f)](auto &&...args) mutable {
        const RequestScope scope(requestId);
        return f(std::forward<decltype(args)>(args)...);
    };
}

} // namespace RequestContext

} // namespace wadesk
