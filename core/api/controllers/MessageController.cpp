#include "core/api/controllers/MessageController.h"

#include "core/api/controllers/JsonViews.h"
#include "core/common/Json.h"
#include "core/messaging/ContactAttributes.h"
#include "core/messaging/ContactService.h"
#include "core/messaging/MessageService.h"

#include <QJsonArray>
#include <QRegularExpression>

namespace wadesk {

namespace {
// The guide's `media`: a data URL ("data:image/png;base64,...") or bare base64. The data URL's
// type is only declared: the media library checks it against the content.
Result<QByteArray> decodeMedia(const QString &media, QString *declaredType)
{
    QString data = media;
    if (data.startsWith(QLatin1String("data:"), Qt::CaseInsensitive)) {
        const qsizetype comma = data.indexOf(QLatin1Char(','));
        const QString header = comma > 0 ? data.mid(5, comma - 5) : QString();
        const QStringList parts = header.split(QLatin1Char(';'));
        if (comma < 0 || !parts.contains(QStringLiteral("base64"), Qt::CaseInsensitive))
            return DomainError::badRequest(QStringLiteral("media must be base64 or a base64 data URL"), QStringLiteral("invalid_media"));
        *declaredType = parts.value(0).trimmed().toLower();
        data = data.mid(comma + 1);
    }
    data.remove(QRegularExpression(QStringLiteral("\\s+")));
    const QByteArray latin = data.toLatin1();
    if (latin.isEmpty() || QString::fromLatin1(latin) != data)
        return DomainError::badRequest(QStringLiteral("media is empty or not base64"), QStringLiteral("invalid_media"));
    QByteArray::FromBase64Result decoded = QByteArray::fromBase64Encoding(latin, QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        decoded = QByteArray::fromBase64Encoding(latin, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty())
        return DomainError::badRequest(QStringLiteral("media is not valid base64"), QStringLiteral("invalid_media"));
    return decoded.decoded;
}

QJsonObject contactView(const ContactRecord &c)
{
    return JsonViews::contact(c);
}

} // namespace

void MessageController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    routes.addDeferred("POST", QStringLiteral("/api/clients/:clientId/send-message"), Permission::SendMessages,
                       std::bind(&MessageController::send, this, _1, _2, _3));
    routes.add("GET", QStringLiteral("/api/messages/:messageId"), std::nullopt, std::bind(&MessageController::get, this, _1, _2));
    routes.addRead("GET", QStringLiteral("/api/clients/:clientId/messages"), std::nullopt, std::bind(&MessageController::history, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/clients/:clientId/rate-limits"), std::nullopt,
               std::bind(&MessageController::rateLimits, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/contacts"), std::nullopt, std::bind(&MessageController::listContacts, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/contacts/:contactId"), std::nullopt, std::bind(&MessageController::getContact, this, _1, _2));
    routes.add("PATCH", QStringLiteral("/api/contacts/:contactId"), Permission::SendMessages,
               std::bind(&MessageController::updateContact, this, _1, _2));
}

void MessageController::send(ApiRequest &request, const AuthContext &ctx, Reply reply)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return reply.send(HttpResponse::error(body.error()));
    Result<QString> to = Json::requiredString(body.value(), QStringLiteral("to"), 40);
    if (!to)
        return reply.send(HttpResponse::error(to.error()));
    MessageService::Content content;
    const QJsonValue media = body.value().value(QStringLiteral("media"));
    if (!media.isUndefined() && !media.isNull()) {
        if (!media.isString())
            return reply.send(HttpResponse::error(
                DomainError::validation(QStringLiteral("media"), QStringLiteral("media must be base64 or a base64 data URL"))));
        Result<QByteArray> bytes = decodeMedia(media.toString(), &content.mimetype);
        if (!bytes)
            return reply.send(HttpResponse::error(bytes.error()));
        content.media = bytes.value();
    }
    Result<std::optional<QString>> mediaId = Json::optionalString(body.value(), QStringLiteral("media_id"), 64);
    if (!mediaId)
        return reply.send(HttpResponse::error(mediaId.error()));
    content.mediaId = mediaId.value().value_or(QString());
    const QJsonValue caption = body.value().value(QStringLiteral("caption"));
    if (!caption.isUndefined() && !caption.isNull()) {
        if (!caption.isString())
            return reply.send(HttpResponse::error(DomainError::validation(QStringLiteral("caption"), QStringLiteral("caption must be a string"))));
        content.caption = caption.toString();
    }
    Result<std::optional<QString>> filename = Json::optionalString(body.value(), QStringLiteral("filename"), 255);
    if (!filename)
        return reply.send(HttpResponse::error(filename.error()));
    content.filename = filename.value().value_or(QString()).trimmed();
    Result<std::optional<QString>> mimetype = Json::optionalString(body.value(), QStringLiteral("mimetype"), 100);
    if (!mimetype)
        return reply.send(HttpResponse::error(mimetype.error()));
    if (mimetype.value() && !mimetype.value()->trimmed().isEmpty())
        content.mimetype = mimetype.value()->trimmed().toLower();
    // With a file the message is its caption and may be left out; a text needs it.
    const QJsonValue text = body.value().value(QStringLiteral("message"));
    if (!text.isString() && !(content.hasFile() && (text.isUndefined() || text.isNull())))
        return reply.send(HttpResponse::error(DomainError::validation(QStringLiteral("message"), QStringLiteral("message is required"))));
    content.text = text.toString();
    m_messages.submit(ctx, request.param(QStringLiteral("clientId")), to.value(), content,
                      QString::fromUtf8(request.header("idempotency-key")).trimmed(),
                      [reply](const Result<MessageService::Accepted> &accepted) {
                          if (!accepted)
                              return reply.send(HttpResponse::error(accepted.error()));
                          HttpResponse r = HttpResponse::json(
                              QJsonObject{{QStringLiteral("message"), QStringLiteral("Message sent successfully")},
                                          {QStringLiteral("messageId"), accepted.value().messageId},
                                          {QStringLiteral("status"), messageStatusName(accepted.value().status)}});
                          if (accepted.value().replayed)
                              r.withHeader("Idempotent-Replayed", "true");
                          reply.send(r);
                      });
}

Result<HttpResponse> MessageController::get(ApiRequest &request, const AuthContext &ctx)
{
    Result<MessageRecord> m = m_messages.get(ctx, request.param(QStringLiteral("messageId")));
    if (!m)
        return m.error();
    return HttpResponse::json(JsonViews::message(m.value()));
}

Result<ApiRoutes::Read> MessageController::history(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request);
    if (!page)
        return page.error();
    MessageQuery query;
    query.limit = page.value().limit;
    query.offset = page.value().offset;
    query.beforeId = page.value().before;
    query.exactTotal = page.value().exactTotal;
    query.contactPhone = request.queryValue(QStringLiteral("contact")).left(40);
    const QString direction = request.queryValue(QStringLiteral("direction"));
    if (!direction.isEmpty()) {
        query.direction = parseMessageDirection(direction);
        if (!query.direction)
            return DomainError::validation(QStringLiteral("direction"), QStringLiteral("direction must be inbound or outbound"));
    }
    const QString status = request.queryValue(QStringLiteral("status"));
    if (!status.isEmpty()) {
        query.status = parseMessageStatus(status);
        if (!query.status)
            return DomainError::validation(QStringLiteral("status"),
                                           QStringLiteral("status must be one of %1").arg(messageStatusNames().join(QStringLiteral(", "))));
    }
    Result<qint64> since = request.isoTimeQuery(QStringLiteral("since"));
    if (!since)
        return since.error();
    Result<qint64> until = request.isoTimeQuery(QStringLiteral("until"));
    if (!until)
        return until.error();
    query.since = since.value();
    query.until = until.value();
    return ApiRoutes::Read([this, ctx, clientId = request.param(QStringLiteral("clientId")), query]() -> Result<HttpResponse> {
        Result<MessageService::Page> result = m_messages.history(ctx, clientId, query);
        if (!result)
            return result.error();
        // Written straight to bytes (keys sorted, as QJsonDocument writes them): building a
        // QJsonObject per message cost more than the page's query.
        const QList<MessageRecord> &rows = result.value().messages;
        const PageInfo &info = result.value().info;
        Json::Writer out(128 + rows.size() * 768);
        out.beginObject()
            .key(QLatin1String("count")).value(qint64(rows.size()))
            .key(QLatin1String("has_more")).value(info.hasMore)
            .key(QLatin1String("messages")).beginArray();
        for (const MessageRecord &m : rows)
            JsonViews::writeMessage(out, m);
        out.endArray().key(QLatin1String("next_before"));
        if (info.hasMore)
            out.value(info.nextBefore);
        else
            out.null();
        if (info.total)
            out.key(QLatin1String("total")).value(*info.total);
        out.endObject();
        return HttpResponse::raw(out.take(), QByteArrayLiteral("application/json"));
    });
}

Result<HttpResponse> MessageController::rateLimits(ApiRequest &request, const AuthContext &ctx)
{
    Result<RateLimitStatus> state = m_messages.rateLimits(ctx, request.param(QStringLiteral("clientId")));
    if (!state)
        return state.error();
    return HttpResponse::json(JsonViews::rateLimits(state.value()));
}

Result<HttpResponse> MessageController::listContacts(ApiRequest &request, const AuthContext &ctx)
{
    Result<ApiRoutes::Page> page = ApiRoutes::page(request);
    if (!page)
        return page.error();
    ContactQuery query;
    query.limit = page.value().limit;
    query.offset = page.value().offset;
    query.beforeId = page.value().before;
    query.exactTotal = page.value().exactTotal;
    query.search = request.queryValue(QStringLiteral("search")).left(100);
    query.tag = request.queryValue(QStringLiteral("tag")).left(50);
    const QString optedOut = request.queryValue(QStringLiteral("opted_out"));
    if (optedOut == QLatin1String("true"))
        query.optedOut = true;
    else if (optedOut == QLatin1String("false"))
        query.optedOut = false;
    else if (!optedOut.isEmpty())
        return DomainError::validation(QStringLiteral("opted_out"), QStringLiteral("opted_out must be true or false"));
    Result<ContactService::Page> result = m_contacts.list(ctx, query);
    if (!result)
        return result.error();
    QJsonArray items;
    for (const ContactRecord &c : result.value().contacts)
        items.append(contactView(c));
    QJsonObject response{{QStringLiteral("contacts"), items}, {QStringLiteral("count"), items.size()}};
    JsonViews::addPageInfo(response, result.value().info);
    return HttpResponse::json(response);
}

Result<HttpResponse> MessageController::getContact(ApiRequest &request, const AuthContext &ctx)
{
    Result<ContactRecord> c = m_contacts.get(ctx, request.param(QStringLiteral("contactId")));
    if (!c)
        return c.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("contact"), contactView(c.value())}});
}

Result<HttpResponse> MessageController::updateContact(ApiRequest &request, const AuthContext &ctx)
{
    Result<QJsonObject> body = request.jsonObject();
    if (!body)
        return body.error();
    ContactService::Change change;
    Result<std::optional<QString>> name = Json::optionalString(body.value(), QStringLiteral("name"), 100);
    if (!name)
        return name.error();
    change.name = name.value();
    const QJsonValue tags = body.value().value(QStringLiteral("tags"));
    if (!tags.isUndefined() && !tags.isNull()) {
        if (!tags.isArray())
            return DomainError::validation(QStringLiteral("tags"), QStringLiteral("tags must be an array of strings"));
        QStringList list;
        for (const QJsonValue &t : tags.toArray()) {
            if (!t.isString())
                return DomainError::validation(QStringLiteral("tags"), QStringLiteral("tags must be an array of strings"));
            list << t.toString();
        }
        change.tags = list;
    }
    Result<std::optional<bool>> optedOut = Json::optionalBool(body.value(), QStringLiteral("opted_out"));
    if (!optedOut)
        return optedOut.error();
    change.optedOut = optedOut.value();
    const QJsonValue attributes = body.value().value(QStringLiteral("attributes"));
    if (!attributes.isUndefined() && !attributes.isNull()) {
        Result<QJsonObject> parsed = ContactAttributes::changeFromJson(attributes, QStringLiteral("attributes"));
        if (!parsed)
            return parsed.error();
        change.attributes = parsed.value();
    }
    if (!change.name && !change.tags && !change.optedOut && !change.attributes)
        return DomainError::badRequest(QStringLiteral("Nothing to change: send name, tags, attributes or opted_out"),
                                       QStringLiteral("empty_change"));
    Result<ContactRecord> updated = m_contacts.update(ctx, request.param(QStringLiteral("contactId")), change);
    if (!updated)
        return updated.error();
    return HttpResponse::json(QJsonObject{{QStringLiteral("message"), QStringLiteral("Contact updated")},
                                          {QStringLiteral("contact"), contactView(updated.value())}});
}

} // namespace wadesk
