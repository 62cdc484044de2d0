#include "core/api/ApiRoutes.h"

#include "core/auth/Authenticator.h"
#include "core/common/JsonMembers.h"

#include <QJsonDocument>
#include <QThread>
#include <algorithm>

namespace wadesk {

namespace {
constexpr qsizetype kWholeParseBytes = 256 * 1024;
} // namespace

ApiRoutes::ApiRoutes(Router &router, Authenticator &authenticator)
    : m_router(router)
    , m_authenticator(authenticator)
{
    // One reader per core (at least two, so one slow page does not hold the others up). An idle
    // reader ends after a minute, closing its database connection in its own thread.
    m_readers.setMaxThreadCount(std::clamp(QThread::idealThreadCount(), 2, 8));
    m_readers.setExpiryTimeout(60000);
    m_readers.setObjectName(QStringLiteral("api-readers"));
    m_workers.setObjectName(QStringLiteral("api-workers"));
}

ApiRoutes::~ApiRoutes()
{
    // The work uses the services, which outlive the routes; answers that arrive now are
    // dropped with m_answers (the server is already gone).
    m_readers.waitForDone();
    m_workers.waitForDone();
}

void ApiRoutes::answer(const Reply &reply, const Result<HttpResponse> &result)
{
    reply.send(result ? result.value() : HttpResponse::error(result.error()));
}

Status ApiRoutes::checkOrganization(const ApiRequest &request, const AuthContext &ctx)
{
    auto mismatch = [&ctx](const QString &given) -> Status {
        if (!given.isEmpty() && given != ctx.organizationId)
            return DomainError::forbidden(QStringLiteral("org_id does not match your credentials"), QStringLiteral("org_mismatch"));
        return {};
    };
    if (Status s = mismatch(request.queryValue(QStringLiteral("org_id"))); !s)
        return s;
    if (request.body.size() > kWholeParseBytes) {
        // A large body (a file in base64): only its top-level members are located, without
        // building a document that would copy the file again.
        const std::optional<QList<JsonMember>> members = topLevelJsonMembers(request.body);
        for (const JsonMember &m : members.value_or(QList<JsonMember>())) {
            if (m.key != QLatin1String("org_id") || m.raw.toByteArray() == "null")
                continue;
            if (m.type != JsonMember::Type::String)
                return DomainError::validation(QStringLiteral("org_id"), QStringLiteral("org_id must be a string"));
            const QJsonDocument value = QJsonDocument::fromJson(smallMembersJson({m}, QString()));
            return mismatch(value.object().value(QStringLiteral("org_id")).toString());
        }
    } else if (!request.body.isEmpty()) {
        const QJsonDocument doc = QJsonDocument::fromJson(request.body);
        if (doc.isObject()) {
            const QJsonValue org = doc.object().value(QStringLiteral("org_id"));
            if (!org.isUndefined() && !org.isNull()) {
                if (!org.isString())
                    return DomainError::validation(QStringLiteral("org_id"), QStringLiteral("org_id must be a string"));
                return mismatch(org.toString());
            }
        }
    }
    return {};
}

Result<ApiRoutes::Page> ApiRoutes::page(const ApiRequest &request, int defaultLimit, int maxLimit)
{
    Page p;
    p.limit = defaultLimit;
    const QString limit = request.queryValue(QStringLiteral("limit"));
    const QString offset = request.queryValue(QStringLiteral("offset"));
    if (!limit.isEmpty()) {
        bool ok = false;
        p.limit = limit.toInt(&ok);
        if (!ok || p.limit < 1 || p.limit > maxLimit)
            return DomainError::validation(QStringLiteral("limit"), QStringLiteral("limit must be 1 to %1").arg(maxLimit));
    }
    if (!offset.isEmpty()) {
        bool ok = false;
        p.offset = offset.toInt(&ok);
        if (!ok || p.offset < 0)
            return DomainError::validation(QStringLiteral("offset"), QStringLiteral("offset must be 0 or more"));
    }
    const QString total = request.queryValue(QStringLiteral("total"));
    if (!total.isEmpty() && total != QLatin1String("exact"))
        return DomainError::validation(QStringLiteral("total"), QStringLiteral("total must be exact (or left out)"));
    p.exactTotal = !total.isEmpty();
    p.before = request.queryValue(QStringLiteral("before"));
    return p;
}

Result<AuthContext> ApiRoutes::admit(ApiRequest &request, const Requirement &permission)
{
    Result<AuthContext> ctx = m_authenticator.authenticate(request.header("x-api-key"), request.header("authorization"),
                                                           request.remoteAddress.toString());
    if (!ctx)
        return ctx;
    if (Status s = checkOrganization(request, ctx.value()); !s)
        return s.error();
    if (permission) {
        if (Status s = ctx.value().require(*permission); !s)
            return s.error();
    }
    return ctx;
}

void ApiRoutes::add(const QByteArray &method, const QString &pattern, Requirement permission, Handler handler)
{
    m_router.add(method, pattern, [this, permission, handler = std::move(handler)](ApiRequest &request) {
        Result<AuthContext> ctx = admit(request, permission);
        if (!ctx)
            return HttpResponse::error(ctx.error());
        Result<HttpResponse> result = handler(request, ctx.value());
        return result ? result.value() : HttpResponse::error(result.error());
    });
}

void ApiRoutes::addDeferred(const QByteArray &method, const QString &pattern, Requirement permission, DeferredHandler handler)
{
    m_router.addDeferred(method, pattern, [this, permission, handler = std::move(handler)](ApiRequest &request, Reply reply) {
        Result<AuthContext> ctx = admit(request, permission);
        if (!ctx) {
            reply.send(HttpResponse::error(ctx.error()));
            return;
        }
        handler(request, ctx.value(), reply);
    });
}

void ApiRoutes::addRead(const QByteArray &method, const QString &pattern, Requirement permission, ReadHandler handler)
{
    addDeferred(method, pattern, permission, [this, handler = std::move(handler)](ApiRequest &request, const AuthContext &ctx, Reply reply) {
        Result<Read> read = handler(request, ctx);
        if (!read) {
            reply.send(HttpResponse::error(read.error()));
            return;
        }
        runThen(
            m_readers,
            [read = std::move(read.value())]() {
                Result<HttpResponse> result = read();
                // A reader's connection can break while it idles (the server restarted): the
                // failure marks it, and one more try connects again. Reads change nothing.
                if (!result && result.error().httpStatus == 503)
                    result = read();
                return result;
            },
            [reply](const Result<HttpResponse> &result) { answer(reply, result); });
    });
}

void ApiRoutes::addPublic(const QByteArray &method, const QString &pattern, std::function<Result<HttpResponse>(ApiRequest &)> handler)
{
    m_router.add(method, pattern, [handler = std::move(handler)](ApiRequest &request) {
        Result<HttpResponse> result = handler(request);
        return result ? result.value() : HttpResponse::error(result.error());
    });
}

void ApiRoutes::addPublicDeferred(const QByteArray &method, const QString &pattern, Router::DeferredHandler handler)
{
    m_router.addDeferred(method, pattern, std::move(handler));
}

} // namespace wadesk
