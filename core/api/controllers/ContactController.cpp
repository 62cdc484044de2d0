#include "core/api/controllers/ContactController.h"

#include "core/contacts/ContactExport.h"
#include "core/contacts/ContactImport.h"
#include "core/http/ContentResponse.h"

#include <QJsonArray>
#include <QJsonObject>

namespace wadesk {

namespace {
Result<bool> flag(const ApiRequest &request, const QString &name)
{
    const QString value = request.queryValue(name);
    if (value.isEmpty() || value == QLatin1String("false"))
        return false;
    if (value == QLatin1String("true"))
        return true;
    return DomainError::validation(name, QStringLiteral("%1 must be true or false").arg(name));
}

QString delimiterName(char d)
{
    return d == ';' ? QStringLiteral("semicolon") : d == '\t' ? QStringLiteral("tab") : QStringLiteral("comma");
}
} // namespace

void ContactController::registerRoutes(ApiRoutes &routes)
{
    using namespace std::placeholders;
    // Built on a reader thread: an import of 100,000 rows takes seconds, and the API thread
    // goes on answering meanwhile.
    routes.addRead("POST", QStringLiteral("/api/contacts/import"), Permission::ManageClients, std::bind(&ContactController::importCsv, this, _1, _2));
    routes.add("GET", QStringLiteral("/api/contacts/export"), Permission::ManageClients,
               std::bind(&ContactController::exportContacts, this, _1, _2));
}

Result<ApiRoutes::Read> ContactController::importCsv(ApiRequest &request, const AuthContext &ctx)
{
    const QByteArray type = request.header("content-type").split(';').value(0).trimmed().toLower();
    if (type != "text/csv" && type != "application/csv" && type != "text/plain" && type != "text/tab-separated-values") {
        DomainError e = DomainError::badRequest(QStringLiteral("Send the file as the body with Content-Type: text/csv"),
                                                QStringLiteral("unsupported_media_type"));
        e.httpStatus = 415;
        return e;
    }
    ContactImport::Options options;
    options.phoneColumn = request.queryValue(QStringLiteral("phone_column")).left(100);
    options.nameColumn = request.queryValue(QStringLiteral("name_column")).left(100);
    options.tagsColumn = request.queryValue(QStringLiteral("tags_column")).left(100);
    options.region = request.queryValue(QStringLiteral("region")).trimmed().toUpper();
    const QString delimiter = request.queryValue(QStringLiteral("delimiter"));
    if (delimiter == QLatin1String("comma"))
        options.delimiter = ',';
    else if (delimiter == QLatin1String("semicolon"))
        options.delimiter = ';';
    else if (delimiter == QLatin1String("tab"))
        options.delimiter = '\t';
    else if (!delimiter.isEmpty())
        return DomainError::validation(QStringLiteral("delimiter"), QStringLiteral("delimiter must be comma, semicolon or tab (or left out)"));
    Result<bool> dryRun = flag(request, QStringLiteral("dry_run"));
    if (!dryRun)
        return dryRun.error();
    options.dryRun = dryRun.value();

    return ApiRoutes::Read([database = &m_database, ctx, body = request.body, options]() -> Result<HttpResponse> {
        ContactImport importer(*database);
        Result<ContactImport::Report> report = importer.run(ctx, body, options);
        if (!report)
            return report.error();
        const ContactImport::Report &r = report.value();
        QJsonArray errors;
        for (const ContactImport::LineError &e : r.errors)
            errors.append(QJsonObject{{QStringLiteral("line"), double(e.line)}, {QStringLiteral("code"), e.code}, {QStringLiteral("message"), e.message}});
        QJsonObject out{{QStringLiteral("dry_run"), r.dryRun},
                        {QStringLiteral("rows"), double(r.rows)},
                        {QStringLiteral("imported"), double(r.imported)},
                        {QStringLiteral("updated"), double(r.updated)},
                        {QStringLiteral("skipped"), double(r.skipped)},
                        {QStringLiteral("errors"), errors},
                        {QStringLiteral("errors_truncated"), r.errorsTruncated},
                        {QStringLiteral("delimiter"), delimiterName(r.delimiter)},
                        {QStringLiteral("mapping"), r.mapping}};
        if (r.dryRun)
            out.insert(QStringLiteral("preview"), r.preview);
        return HttpResponse::json(out);
    });
}

Result<HttpResponse> ContactController::exportContacts(ApiRequest &request, const AuthContext &ctx)
{
    const QString format = request.queryValue(QStringLiteral("format"));
    if (!format.isEmpty() && format != QLatin1String("csv") && format != QLatin1String("json"))
        return DomainError::validation(QStringLiteral("format"), QStringLiteral("format must be csv or json"));
    const bool json = format == QLatin1String("json");
    auto device = std::make_shared<ContactExport>(m_database, ctx.organizationId, json ? ContactExport::Format::Json : ContactExport::Format::Csv);
    device->open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    HttpResponse r = HttpResponse::stream(device, -1, json ? QByteArrayLiteral("application/json") : QByteArrayLiteral("text/csv; charset=utf-8"));
    r.withHeader("Content-Disposition", attachmentDisposition(json ? QStringLiteral("contacts.json") : QStringLiteral("contacts.csv")));
    r.withHeader("Cache-Control", "private, no-store");
    r.withHeader("X-Content-Type-Options", "nosniff");
    return r;
}

} // namespace wadesk
