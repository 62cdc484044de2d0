#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <memory>

class QIODevice;

namespace wadesk {

// What a handler answers. Serialized by HttpServer; errors always take the JSON shape
// {"error": "<message>", "code": "<stable_code>"}.
struct HttpResponse {
    int status = 200;
    QByteArray contentType = QByteArrayLiteral("application/json");
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    // A body too large to hold in memory (a file): read from the device while the socket drains,
    // in bounded pieces. The device is open for reading and positioned where the body starts;
    // `bodyDeviceLength` bytes are sent and announced as Content-Length; a length below zero
    // sends the device's bytes chunked until it is atEnd(). `body` is then unused.
    std::shared_ptr<QIODevice> bodyDevice;
    qint64 bodyDeviceLength = 0;

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    static HttpResponse raw(QByteArray body, QByteArray contentType, int status = 200);
    static HttpResponse noContent();
    static HttpResponse stream(std::shared_ptr<QIODevice> device, qint64 length, QByteArray contentType, int status = 200);
    // The one place a DomainError becomes an HTTP answer (status, body, Retry-After).
    static HttpResponse error(const DomainError &error);
    static HttpResponse error(int status, const QString &code, const QString &message);

    HttpResponse &withHeader(QByteArray name, QByteArray value);
    static const char *reasonPhrase(int status);
};

} // namespace wadesk
