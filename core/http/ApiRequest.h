#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QString>
#include <QUrlQuery>

namespace wadesk {

// One HTTP request as the controllers see it: already within the server's size limits,
// with the route's path parameters filled in.
struct ApiRequest {
    QByteArray method;                    // upper case; HEAD is routed as GET
    QString path;                         // decoded path, no query
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
    QHostAddress remoteAddress;
    QHash<QString, QString> params;       // ":clientId" -> value
    QByteArray requestId;                 // X-Request-Id: the client's, or one made for it

    QByteArray header(const QByteArray &lowerCaseName) const { return headers.value(lowerCaseName); }
    QString param(const QString &name) const { return params.value(name); }
    QString queryValue(const QString &name) const { return query.queryItemValue(name, QUrl::FullyDecoded); }

    // The body as a JSON object: 415 when it is not declared as JSON, 400 when it does not parse
    // or is not an object. An empty body is an empty object.
    Result<QJsonObject> jsonObject() const;
    // A query parameter holding an ISO-8601 time, as epoch ms: 0 when absent, 400 when it does
    // not parse.
    Result<qint64> isoTimeQuery(const QString &name) const;
};

} // namespace wadesk
