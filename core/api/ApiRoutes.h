#pragma once

#include "core/http/HttpServer.h"
#include "core/access/AuthContext.h"
#include "core/common/DomainError.h"
#include "core/common/RequestContext.h"

#include <QMetaObject>
#include <QObject>
#include <QThreadPool>
#include <functional>
#include <optional>

namespace wadesk {

class Authenticator;

// Registers the authenticated routes. For every request it, in this order: establishes the
// caller from the credentials (401), refuses an `org_id` (query or body) naming another
// organization (403), checks the route's permission in the RBAC matrix (403), then runs the
// handler and turns its DomainError, if any, into the JSON error answer.
class ApiRoutes {
public:
    using Handler = std::function<Result<HttpResponse>(ApiRequest &, const AuthContext &)>;
    using DeferredHandler = std::function<void(ApiRequest &, const AuthContext &, Reply)>;
    // What a read route does off the API thread: it may query the database (on the reader
    // thread's own connection) and must not touch the request.
    using Read = std::function<Result<HttpResponse>()>;
    // Checks the request on the API thread and returns the read that answers it.
    using ReadHandler = std::function<Result<Read>(ApiRequest &, const AuthContext &)>;
    // std::nullopt: any authenticated caller (the handler scopes what they see).
    using Requirement = std::optional<Permission>;

    // Created on the API thread: answers of offloaded work come back to it.
    ApiRoutes(Router &router, Authenticator &authenticator);
    ~ApiRoutes();

    void add(const QByteArray &method, const QString &pattern, Requirement permission, Handler handler);
    void addDeferred(const QByteArray &method, const QString &pattern, Requirement permission, DeferredHandler handler);
    // A route whose answer is built on one of the reader threads, so that heavy pages (fifty
    // rows read and written as JSON) use every core while the API thread goes on parsing,
    // authenticating and writing answers. The reads of one request run in order; those of
    // different requests in parallel.
    void addRead(const QByteArray &method, const QString &pattern, Requirement permission, ReadHandler handler);
    // Unauthenticated routes (register, login) still get the error mapping.
    void addPublic(const QByteArray &method, const QString &pattern, std::function<Result<HttpResponse>(ApiRequest &)> handler);
    void addPublicDeferred(const QByteArray &method, const QString &pattern, Router::DeferredHandler handler);

    // Runs `work` on a worker thread (slow, database-free work such as password hashing) and
    // `then` back on the API thread with its result.
    template <typename Work, typename Then>
    void offload(Work work, Then then)
    {
        runThen(m_workers, std::move(work), std::move(then));
    }

    static void answer(const Reply &reply, const Result<HttpResponse> &result);
    static Status checkOrganization(const ApiRequest &request, const AuthContext &ctx);

    struct Page {
        int limit = 50;
        int offset = 0;
        QString before;          // ?before=<id>: the page after that row (keyset); checked by each list
        bool exactTotal = false; // ?total=exact: count the whole set
    };
    static Result<Page> page(const ApiRequest &request, int defaultLimit = 50, int maxLimit = 500);

private:
    Result<AuthContext> admit(ApiRequest &request, const Requirement &permission);
    // Runs `work` on `pool`, then `then(result)` on the API thread. (Not QFuture::then with a
    // context object: on Qt 6.4 that continuation crashed in QPromise::start under load.) A
    // result that arrives after the server stopped is dropped with m_answers.
    template <typename Work, typename Then>
    void runThen(QThreadPool &pool, Work work, Then then)
    {
        QObject *answers = &m_answers;
        // The request's id goes along: the log lines of the work and of its answer name it too.
        const QByteArray requestId = QByteArray::fromStdString(RequestContext::currentRequestId());
        pool.start([answers, requestId, work = std::move(work), then = std::move(then)]() mutable {
            const RequestContext::RequestScope working(requestId);
            auto result = work();
            QMetaObject::invokeMethod(
                answers,
                [requestId, then = std::move(then), result = std::move(result)]() mutable {
                    const RequestContext::RequestScope answering(requestId);
                    then(std::move(result));
                },
                Qt::QueuedConnection);
        });
    }

    Router &m_router;
    Authenticator &m_authenticator;
    QObject m_answers; // on the API thread; outlives both pools (declared before them)
    QThreadPool m_workers; // offload(): hashing, name lookups
    QThreadPool m_readers; // addRead(): each thread opens its own database connection, closed when it ends
};

} // namespace wadesk
