#include "core/common/DomainError.h"

namespace wadesk {

namespace {
DomainError make(int status, const QString &code, const QString &message)
{
    DomainError e;
    e.httpStatus = status;
    e.code = code;
    e.message = message;
    return e;
}
} // namespace

DomainError DomainError::badRequest(const QString &message, const QString &code)
{
    return make(400, code, message);
}

DomainError DomainError::validation(const QString &field, const QString &message)
{
    DomainError e = make(400, QStringLiteral("validation_failed"), message);
    e.details.insert(QStringLiteral("field"), field);
    return e;
}

DomainError DomainError::unauthorized(const QString &message, const QString &code)
{
    return make(401, code, message);
}

DomainError DomainError::forbidden(const QString &message, const QString &code)
{
    return make(403, code, message);
}

DomainError DomainError::notFound(const QString &what)
{
    return make(404, QStringLiteral("not_found"), what + QStringLiteral(" not found"));
}

DomainError DomainError::conflict(const QString &message, const QString &code)
{
    return make(409, code, message);
}

DomainError DomainError::unprocessable(const QString &message, const QString &code)
{
    return make(422, code, message);
}

DomainError DomainError::tooManyRequests(const QString &message, int retryAfterSeconds, const QString &code)
{
    DomainError e = make(429, code, message);
    e.retryAfterSeconds = retryAfterSeconds;
    return e;
}

DomainError DomainError::unavailable(const QString &message, const QString &code)
{
    return make(503, code, message);
}

DomainError DomainError::internal(const QString &message)
{
    return make(500, QStringLiteral("internal_error"), message);
}

} // namespace wadesk
