#pragma once

#include "core/http/HttpServer.h"
#include "core/access/AuthContext.h"
#include "core/common/DomainError.h"

#include <QObject>
#include <QtConcurrent/QtConcurrentRun>
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
    // std::nullopt: any authenticated caller (the handler scopes what they see).
    using Requirement = std::optional<Permission>;

    ApiRoutes(Router &router, Authenticator &authenticator, QObject *threadContext);

    void add(const QByteArray &method, const QString &pattern, Requirement permission, Handler handler);
    void addDeferred(const QByteArray &method, const QString &pattern, Requirement permission, DeferredHandler handler);
    // Unauthenticated routes (register, login) still get the error mapping.
    void addPublic(const QByteArray &method, const QString &pattern, std::function<Result<HttpResponse>(ApiRequest &)> handler);
    void addPublicDeferred(const QByteArray &method, const QString &pattern, Router::DeferredHandler handler);

    // Runs `work` on a worker thread (slow, database-free work such as password hashing) and
    // `then` back on the API thread with its result.
    template <typename Work, typename Then>
    void offload(Work work, Then then)
    {
        QtConcurrent::run(std::move(work)).then(m_context, std::move(then));
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
    Router &m_router;
    Authenticator &m_authenticator;
    QObject *m_context;
};

} // namespace wadesk
