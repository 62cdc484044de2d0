#include "core/http/ApiRequest.h"

#include "core/common/Json.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace wadesk {

Result<QJsonObject> ApiRequest::jsonObject() const
{
    if (body.trimmed().isEmpty())
        return QJsonObject();
    const QByteArray contentType = header("content-type").toLower();
    if (!contentType.startsWith("application/json") && !contentType.contains("+json")) {
        DomainError e;
        e.httpStatus = 415;
        e.code = QStringLiteral("unsupported_media_type");
        e.message = QStringLiteral("Send the body as application/json");
        return e;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return DomainError::badRequest(QStringLiteral("Invalid JSON: %1 at offset %2")
                                           .arg(parseError.errorString())
                                           .arg(parseError.offset),
                                       QStringLiteral("invalid_json"));
    if (!doc.isObject())
        return DomainError::badRequest(QStringLiteral("The JSON body must be an object"), QStringLiteral("invalid_json"));
    return doc.object();
}

Result<qint64> ApiRequest::isoTimeQuery(const QString &name) const
{
    const QString raw = queryValue(name);
    if (raw.isEmpty())
        return qint64(0);
    const std::optional<qint64> t = Json::parseIsoTime(raw);
    if (!t)
        return DomainError::validation(name, QStringLiteral("%1 must be an ISO-8601 time").arg(name));
    return *t;
}

} // namespace wadesk
