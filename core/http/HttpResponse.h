#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace wadesk {

// What a handler answers. Serialized by HttpServer; errors always take the JSON shape
// {"error": "<message>", "code": "<stable_code>"}.
struct HttpResponse {
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    static HttpResponse raw(QByteArray body, QByteArray contentType, int status = 200);
    static HttpResponse noContent();
    // The one place a DomainError becomes an HTTP answer (status, body, Retry-After).
    static HttpResponse error(const DomainError &error);
    static HttpResponse error(int status, const QString &code, const QString &message);

    HttpResponse &withHeader(QByteArray name, QByteArray value);
    static const char *reasonPhrase(int status);
};

} // namespace wadesk
