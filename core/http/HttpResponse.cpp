#include "core/http/HttpResponse.h"

#include <QIODevice>

#include <QJsonDocument>

namespace wadesk {

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    HttpResponse r;
    r.status = status;
    r.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse HttpResponse::json(const QJsonArray &array, int status)
{
    HttpResponse r;
    r.status = status;
    r.body = QJsonDocument(array).toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse HttpResponse::raw(QByteArray body, QByteArray contentType, int status)
{
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.contentType = std::move(contentType);
    return r;
}

HttpResponse HttpResponse::stream(std::shared_ptr<QIODevice> device, qint64 length, QByteArray contentType, int status)
{
    HttpResponse r;
    r.status = status;
    r.contentType = std::move(contentType);
    r.bodyDevice = std::move(device);
    r.bodyDeviceLength = length;
    return r;
}

HttpResponse HttpResponse::noContent()
{
    HttpResponse r;
    r.status = 204;
    r.contentType.clear();
    return r;
}

HttpResponse HttpResponse::error(const DomainError &e)
{
    QJsonObject body{{QStringLiteral("error"), e.message}, {QStringLiteral("code"), e.code}};
    if (!e.details.isEmpty())
        body.insert(QStringLiteral("details"), e.details);
    HttpResponse r = json(body, e.httpStatus);
    if (e.retryAfterSeconds > 0)
        r.withHeader(QByteArrayLiteral("Retry-After"), QByteArray::number(e.retryAfterSeconds));
    return r;
}

HttpResponse HttpResponse::error(int status, const QString &code, const QString &message)
{
    DomainError e;
    e.httpStatus = status;
    e.code = code;
    e.message = message;
    return error(e);
}

HttpResponse &HttpResponse::withHeader(QByteArray name, QByteArray value)
{
    headers.append({std::move(name), std::move(value)});
    return *this;
}

const char *HttpResponse::reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

} // namespace wadesk
