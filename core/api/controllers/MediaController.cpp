#include "core/api/controllers/MediaController.h"

#include "core/api/controllers/JsonViews.h"

#include "core/common/Ids.h"
#include "core/common/Json.h"
#include "core/common/JsonMembers.h"
#include "core/http/ContentResponse.h"
#include "core/http/MultipartForm.h"
#include "core/media/MediaService.h"
#include "core/media/MediaTypes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <cmath>

namespace wadesk {

namespace {

struct UploadSource {
    QByteArrayView data;
    MediaEncoding encoding = MediaEncoding::Raw;
    MediaHints hints;
};

// The declared type and the payload of `data:<type>[;param]*;base64,<payload>`.
Result<UploadSource> fromDataUrl(QByteArrayView text)
{
    const qsizetype comma = text.first(qMin<qsizetype>(text.size(), 512)).toByteArray().indexOf(',');
    if (comma < 0)
        return DomainError::badRequest(QStringLiteral("The data URL has no ','"), QStringLiteral("invalid_data_url"));
    const QByteArray header = text.sliced(5, comma - 5).toByteArray().replace("\\/", "/");
    const QList<QByteArray> parts = header.split(';');
    if (!parts.contains("base64"))
        return DomainError::badRequest(QStringLiteral("Only base64 data URLs are accepted"), QStringLiteral("invalid_data_url"));
    UploadSource source;
    source.data = text.sliced(comma + 1);
    source.encoding = MediaEncoding::Base64;
    source.hints.declaredMimetype = QString::fromLatin1(parts.first()).left(200);
    return source;
}

Status declareType(MediaHints &hints, const QString &declared)
{
    const QString normalized = normalizedMimetype(declared);
    if (normalized.isEmpty() || normalized == QLatin1String("application/octet-stream"))
        return {}; // says nothing about the content
    if (!hints.declaredMimetype.isEmpty() && normalizedMimetype(hints.declaredMimetype) != normalized) {
        DomainError e;
        e.httpStatus = 415;
        e.code = QStringLiteral("media_type_mismatch");
        e.message = QStringLiteral("The file is declared as both %1 and %2").arg(normalizedMimetype(hints.declaredMimetype), normalized);
        return e;
    }
    hints.declaredMimetype = normalized;
    return {};
}

// The guide's body: {org_id?, file: <base64 or data URL>, filename?, mimetype?}. The file
// member is taken as a view into the body; the others are parsed as ordinary JSON.
Result<UploadSource> fromJson(const QByteArray &body)
{
    const std::optional<QList<JsonMember>> members = topLevelJsonMembers(body);
    if (!members)
        return DomainError::badRequest(QStringLiteral("The body is not a JSON object"), QStringLiteral("invalid_json"));
    const JsonMember *file = nullptr;
    for (const JsonMember &m : *members) {
        if (m.key == QLatin1String("file"))
            file = &m;
    }
    if (!file || file->type != JsonMember::Type::String || file->raw.isEmpty())
        return DomainError::validation(QStringLiteral("file"), QStringLiteral("file is required: the file's bytes in base64 or a data URL"));
    const QJsonDocument rest = QJsonDocument::fromJson(smallMembersJson(*members, QStringLiteral("file")));
    if (!rest.isObject())
        return DomainError::badRequest(QStringLiteral("The body is not a JSON object"), QStringLiteral("invalid_json"));
    const QJsonObject fields = rest.object();
    Result<std::optional<QString>> filename = Json::optionalString(fields, QStringLiteral("filename"), 255);
    if (!filename)
        return filename.error();
    Result<std::optional<QString>> mimetype = Json::optionalString(fields, QStringLiteral("mimetype"), 200);
    if (!mimetype)
        return mimetype.error();
    Result<std::optional<bool>> voice = Json::optionalBool(fields, QStringLiteral("voice_note"));
    if (!voice)
        return voice.error();
    Result<std::optional<bool>> sticker = Json::optionalBool(fields, QStringLiteral("sticker"));
    if (!sticker)
        return sticker.error();

    UploadSource source;
    if (file->raw.startsWith("data:")) {
        Result<UploadSource> url = fromDataUrl(file->raw);
        if (!url)
            return url.error();
        source = url.value();
    } else {
        source.data = file->raw;
        source.encoding = MediaEncoding::Base64;
    }
    if (Status s = declareType(source.hints, mimetype.value().value_or(QString())); !s)
        return s.error();
    source.hints.filename = filename.value().value_or(QString());
    source.hints.voiceNote = voice.value().value_or(false);
    source.hints.sticker = sticker.value().value_or(false);
    return source;
}

// multipart/form-data: the part named `file`, with its filename and Content-Type as hints;
// optional text fields filename and mimetype say more.
Result<UploadSource> fromMultipart(const ApiRequest &request)
{
    Result<QList<MultipartPart>> parts = parseMultipartForm(request.body, request.header("content-type"));
    if (!parts)
        return parts.error();
    UploadSource source;
    const MultipartPart *file = nullptr;
    QString filename;
    QString mimetype;
    for (const MultipartPart &part : parts.value()) {
        if (part.name == "file" && !file)
            file = &part;
        else if (part.name == "filename")
            filename = QString::fromUtf8(part.data.first(qMin<qsizetype>(part.data.size(), 255)));
        else if (part.name == "mimetype")
            mimetype = QString::fromUtf8(part.data.first(qMin<qsizetype>(part.data.size(), 200)));
        else if (part.name == "voice_note")
            source.hints.voiceNote = part.data.toByteArray() == "true" || part.data.toByteArray() == "1";
        else if (part.name == "sticker")
            source.hints.sticker = part.data.toByteArray() == "true" || part.data.toByteArray() == "1";
    }
    if (!file)
        return DomainError::validation(QStringLiteral("file"), QStringLiteral("file is required: a form field named file"));
    source.data = file->data;
    source.hints.filename = filename.isEmpty() ? QString::fromUtf8(file->filename) : filename;
    if (Status s = declareType(source.hints, QString::fromLatin1(file->contentType)); !s)
        return s.error();
    if (Status s = declareType(source.hints, mimetype); !s)
        return s.error();
    return source;
}

} // namespace

void MediaController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    // Reading is scoped by the service (ClientScope); writing needs can_send_messages.
    const ApiRoutes::Requirement anyMember = std::nullopt;
    const auto send = std::optional<Permission>(Permission::SendMessages);
    routes.add("POST", QStringLiteral("/api/media/upload"), send, std::bind(&MediaController::upload, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/media"), anyMember, std::bind(&MediaController::list, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/media/:mediaId"), anyMember, std::bind(&MediaController::get, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/media/:mediaId/download"), anyMember, std::bind(&MediaController::download, this, _1, _2));
    routes.add("DELETE", QStringLiteral("/api/media/:mediaId"), send, std::bind(&MediaController::remove, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/analytics/storage"), std::optional<Permission>(Permission::ViewAnalytics),
               std::bind(&MediaController::storage, this, _1, _2));
    routes.add("PUT", QStringLiteral("/api/analytics/storage"), std::optional<Permission>(Permission::ManageOrganization),
               std::bind(&MediaController::setStorageLimit, this, _1, _2));
}

Result<HttpResponse> MediaController::upload(ApiRequest &request, const AuthContext &ctx)
{
    const QByteArray contentType = request.header("content-type").trimmed().toLower();
    const bool json = contentType.startsWith("application/json") || (contentType.isEmpty() && request.body.trimmed().startsWith('{'));
    Result<UploadSource> source = UploadSource();
    if (json) {
        source = fromJson(request.body);
    } else if (contentType.startsWith("multipart/form-data")) {
        source = fromMultipart(request);
    } else {
        UploadSource raw;
        raw.data = QByteArrayView(request.body);
        raw.hints.filename = request.queryValue(QStringLiteral("filename")).left(255);
        if (Status s = declareType(raw.hints, QString::fromLatin1(request.header("content-type"))); !s)
            return s.error();
        if (Status s = declareType(raw.hints, request.queryValue(QStringLiteral("mimetype"))); !s)
            return s.error();
        raw.hints.voiceNote = request.queryValue(QStringLiteral("voice_note")) == QLatin1String("true");
        raw.hints.sticker = request.queryValue(QStringLiteral("sticker")) == QLatin1String("true");
        source = raw;
    }
    if (!source)
        return source.error();
    Result<MediaInfo> stored = m_media.upload(ctx, source.value().data, source.value().encoding, source.value().hints);
    if (!stored)
        return stored.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Media uploaded")},
                                          {QStringLiteral("media"), JsonViews::media(stored.value())}},
                              201);
}

Result<HttpResponse> MediaController::list(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request);
    if (!page)
        return page.error();
    MediaQuery query;
    query.limit = page.value().limit;
    query.offset = page.value().offset;
    query.exactTotal = page.value().exactTotal;
    query.kind = request.queryValue(QStringLiteral("kind"));
    static const QStringList kinds{QStringLiteral("image"), QStringLiteral("video"), QStringLiteral("audio"),
                                   QStringLiteral("voice"), QStringLiteral("document"), QStringLiteral("sticker")};
    if (!query.kind.isEmpty() && !kinds.contains(query.kind))
        return DomainError::validation(QStringLiteral("kind"), QStringLiteral("kind must be one of %1").arg(kinds.join(QStringLiteral(", "))));
    query.beforeId = page.value().before;
    if (!query.beforeId.isEmpty() && !Ids::looksValid(query.beforeId, "media"))
        return DomainError::validation(QStringLiteral("before"), QStringLiteral("before must be a media id"));
    Result<qint64> since = request.isoTimeQuery(QStringLiteral("since"));
    if (!since)
        return since.error();
    Result<qint64> until = request.isoTimeQuery(QStringLiteral("until"));
    if (!until)
        return until.error();
    query.since = since.value();
    query.until = until.value();
    Result<MediaService::Page> result = m_media.list(ctx, query);
    if (!result)
        return result.error();
    QJsonArray items;
    for (const MediaInfo &m : result.value().media)
        items.append(JsonViews::media(m));
    QJsonObject response{{QStringLiteral("media"), items}, {QStringLiteral("count"), items.size()}};
    JsonViews::addPageInfo(response, result.value().info);
    return HttpResponse::json(response);
}

Result<HttpResponse> MediaController::get(ApiRequest &request, const AuthContext &ctx)
{
    Result<MediaInfo> found = m_media.get(ctx, request.param(QStringLiteral("mediaId")));
    if (!found)
        return found.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("media"), JsonViews::media(found.value())}});
}

Result<HttpResponse> MediaController::download(ApiRequest &request, const AuthContext &ctx)
{
    Result<MediaService::Content> found = m_media.content(ctx, request.param(QStringLiteral("mediaId")));
    if (!found)
        return found.error();
    const MediaService::Content &content = found.value();
    StoredContent stored;
    stored.size = content.info.size;
    stored.contentType = content.info.mimetype.toLatin1();
    stored.etag = content.info.sha256.toLatin1();
    stored.downloadName = content.info.filename;
    stored.open = content.open;
    return contentResponse(request, stored);
}

Result<HttpResponse> MediaController::remove(ApiRequest &request, const AuthContext &ctx)
{
    if (Status s = m_media.remove(ctx, request.param(QStringLiteral("mediaId"))); !s)
        return s.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Media deleted")}});
}

namespace {
QJsonObject usageView(const MediaService::Usage &usage)
{
    double percent = 0;
    if (usage.limit > 0)
        percent = std::round(double(usage.used) * 1000.0 / double(usage.limit)) / 10.0;
    else if (usage.used > 0)
        percent = 100;
    return QJsonObject{{QStringLiteral("used"), double(usage.used)},
                       {QStringLiteral("limit"), double(usage.limit)},
                       {QStringLiteral("percentUsed"), percent},
                       {QStringLiteral("message"), QStringLiteral("Storage is at %1% capacity").arg(QString::number(percent, 'f', 1))}};
}
} // namespace

Result<HttpResponse> MediaController::storage(ApiRequest &, const AuthContext &ctx)
{
    Result<MediaService::Usage> usage = m_media.usage(ctx);
    if (!usage)
        return usage.error();
    return HttpResponse::json(usageView(usage.value()));
}

Result<HttpResponse> MediaController::setStorageLimit(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    const QJsonValue limit = body.value().value(QStringLiteral("limit"));
    const double d = limit.toDouble(-1);
    if (!limit.isDouble() || d < 0 || d != std::floor(d) || d > 9.0e15)
        return DomainError::validation(QStringLiteral("limit"), QStringLiteral("limit must be a whole number of bytes, 0 or more"));
    Result<MediaService::Usage> usage = m_media.setQuota(ctx, qint64(d));
    if (!usage)
        return usage.error();
    return HttpResponse::json(usageView(usage.value()));
}

} // namespace wadesk
