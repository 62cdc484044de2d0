#include "tests/support/ApiTestHarness.h"

#include "tests/support/PgCluster.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"

#include <QDir>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QDeadlineTimer>
#include <QUrl>

namespace wadesk::test {

namespace {
constexpr int kRequestTimeoutMs = 20000;

void parseJson(ApiResponse &r)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.body, &error);
    r.jsonObject = error.error == QJsonParseError::NoError && doc.isObject();
    if (r.jsonObject)
        r.json = doc.object();
}

// One HTTP/1.1 response framed by Content-Length (the server always sends one). Returns false
// while incomplete.
bool parseRaw(const QByteArray &buffer, ApiResponse *out)
{
    const int end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    ApiResponse r;
    r.status = statusLine.value(1).toInt();
    qint64 length = 0;
    for (int i = 1; i < lines.size(); ++i) {
        const int colon = lines.at(i).indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = lines.at(i).left(colon).trimmed().toLower();
        const QByteArray value = lines.at(i).mid(colon + 1).trimmed();
        r.headers.insert(name, value);
        if (name == "content-length")
            length = value.toLongLong();
    }
    if (buffer.size() < end + 4 + length)
        return false;
    r.body = buffer.mid(end + 4, int(length));
    parseJson(r);
    *out = r;
    return true;
}

QJsonObject userOf(const ApiResponse &r)
{
    return r.json.value(QStringLiteral("user")).toObject();
}
} // namespace

bool ApiResponse::isError(int expectedStatus, const QString &expectedCode) const
{
    if (status != expectedStatus || !jsonObject)
        return false;
    if (!json.value(QStringLiteral("error")).isString() || json.value(QStringLiteral("error")).toString().isEmpty())
        return false;
    if (json.value(QStringLiteral("code")).toString() != expectedCode)
        return false;
    for (const QString &key : json.keys()) {
        if (key != QLatin1String("error") && key != QLatin1String("code") && key != QLatin1String("details"))
            return false;
    }
    if (json.contains(QStringLiteral("details")) && !json.value(QStringLiteral("details")).isObject())
        return false;
    return header("content-type").startsWith("application/json");
}

QByteArray ApiResponse::describe() const
{
    if (status == 0)
        return "no answer: " + transportError.toUtf8();
    return QByteArray::number(status) + " " + body.left(600);
}

ApiTestHarness::ApiTestHarness() = default;

ApiTestHarness::~ApiTestHarness()
{
    stop();
}

bool ApiTestHarness::start(const QString &dialect, QString *whyNot, Options options)
{
    m_dialect = dialect;
    if (dialect == QLatin1String("sqlite") && !options.sqliteFile.isEmpty()) {
        m_db = TestDatabase();
        m_db.url = options.sqliteFile;
        const Result<DatabaseUrl> url = DatabaseUrl::parse(m_db.url, QDir::tempPath());
        if (!url) {
            *whyNot = url.error().message;
            return false;
        }
        m_db.database = std::make_unique<Database>(url.value());
    } else {
        m_db = makeDatabase(dialect, whyNot);
    }
    if (!m_db.database)
        return false;
    Migrator migrator(*m_db.database, Migrator::embeddedDirectory(m_db.database->url().dialectName()));
    const Result<int> migrated = migrator.migrate();
    if (!migrated) {
        *whyNot = QStringLiteral("server: migration failed: ") + migrated.error().message;
        return false;
    }
    m_jwtKey = QByteArrayLiteral("test-jwt-key-0123456789abcdef0123456789abcdef");
    ApiService::Options o;
    o.services.auth.passwordCost = PasswordHasher::Cost::Minimal;
    o.services.auth.authCacheMs = options.authCacheMs;
    o.services.auth.jwtLifetimeSeconds = options.jwtLifetimeSeconds;
    o.api.healthCacheMs = 0;
    o.api.metricsEnabled = options.metricsEnabled;
    o.api.metricsToken = options.metricsToken;
    o.instanceId = options.instanceId;
    o.health.databaseKind = m_db.database->url().dialectName();
    o.shared.database = m_db.database.get();
    o.shared.jwtKey = m_jwtKey;
    o.shared.cipher = options.cipher;
    o.shared.events = options.events;
    o.shared.sessions = options.sessions;
    o.services.media = options.media;
    if (o.services.media.directory.isEmpty()) {
        m_mediaDir = std::make_unique<QTemporaryDir>();
        o.services.media.directory = m_mediaDir->filePath(QStringLiteral("media"));
    }
    m_mediaDirectory = o.services.media.directory;
    o.shared.media = options.mediaLibrary;
    o.api.port = 0;
    m_api = std::make_unique<ApiService>(o);
    const Result<quint16> port = m_api->start();
    if (!port) {
        *whyNot = QStringLiteral("server: ") + port.error().message;
        return false;
    }
    m_port = port.value();
    m_network = std::make_unique<QNetworkAccessManager>();
    return true;
}

quint16 ApiTestHarness::startSecondInstance(int authCacheMs)
{
    ApiService::Options o;
    o.services.auth.passwordCost = PasswordHasher::Cost::Minimal;
    o.services.auth.authCacheMs = authCacheMs;
    o.shared.database = m_db.database.get();
    o.shared.jwtKey = m_jwtKey;
    o.api.port = 0;
    m_second = std::make_unique<ApiService>(o);
    const Result<quint16> port = m_second->start();
    if (!port) {
        qWarning("second instance did not start: %s", qPrintable(port.error().message));
        m_second.reset();
        return 0;
    }
    return port.value();
}

void ApiTestHarness::stop()
{
    m_network.reset();
    if (m_second) {
        m_second->stop(0);
        m_second.reset();
    }
    if (m_api) {
        m_api->stop(0);
        m_api.reset();
    }
    if (m_db.database)
        m_db.database->closeThreadConnection();
    m_db.database.reset();
    m_port = 0;
}

ApiResponse ApiTestHarness::request(const QByteArray &method, const QString &pathAndQuery, const QJsonValue &body,
                                    const HeaderList &headers, quint16 port)
{
    if (body.isUndefined())
        return send(method, pathAndQuery, nullptr, headers, port);
    const QByteArray bytes = body.isArray() ? QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact)
                                            : QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    HeaderList all = headers;
    all.prepend({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    return send(method, pathAndQuery, &bytes, all, port);
}

ApiResponse ApiTestHarness::send(const QByteArray &method, const QString &pathAndQuery, const QByteArray *body,
                                 const HeaderList &headers, quint16 port)
{
    ApiResponse out;
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port ? port : m_port).arg(pathAndQuery)));
    request.setTransferTimeout(kRequestTimeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = body ? m_network->sendCustomRequest(request, method, *body)
                                : m_network->sendCustomRequest(request, method);
    if (!reply->isFinished()) {
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
    }
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = reply->readAll();
    for (const auto &[name, value] : reply->rawHeaderPairs())
        out.headers.insert(name.toLower(), value);
    if (out.status == 0)
        out.transportError = reply->errorString();
    parseJson(out);
    reply->deleteLater();
    return out;
}

ApiResponse ApiTestHarness::requestRaw(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body,
                                       const HeaderList &headers)
{
    return exchange(QHostAddress(QHostAddress::LocalHost), method, pathAndQuery, body, headers);
}

ApiResponse ApiTestHarness::requestFrom(const QHostAddress &source, const QByteArray &method, const QString &pathAndQuery,
                                        const QJsonValue &body, const HeaderList &headers)
{
    if (body.isUndefined())
        return exchange(source, method, pathAndQuery, QByteArray(), headers);
    const QByteArray bytes = body.isArray() ? QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact)
                                            : QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    HeaderList all = headers;
    all.prepend({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")});
    return exchange(source, method, pathAndQuery, bytes, all);
}

ApiResponse ApiTestHarness::exchange(const QHostAddress &source, const QByteArray &method, const QString &pathAndQuery,
                                     const QByteArray &body, const HeaderList &headers)
{
    QByteArray text = method + ' ' + pathAndQuery.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port)
        + "\r\nConnection: close\r\n";
    for (const auto &[name, value] : headers)
        text += name + ": " + value + "\r\n";
    if (!body.isEmpty() || method == "POST" || method == "PATCH" || method == "PUT")
        text += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    text += "\r\n" + body;

    ApiResponse out;
    QTcpSocket socket;
    if (!socket.bind(source, 0)) {
        out.transportError = QStringLiteral("cannot bind %1: %2").arg(source.toString(), socket.errorString());
        return out;
    }
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), m_port);
    if (!socket.waitForConnected(m_rawTimeoutMs)) {
        out.transportError = socket.errorString();
        return out;
    }
    socket.write(text);
    QByteArray buffer;
    QDeadlineTimer deadline(m_rawTimeoutMs);
    while (!parseRaw(buffer, &out)) {
        if (deadline.hasExpired() || (!socket.bytesAvailable() && !socket.waitForReadyRead(int(deadline.remainingTime())))) {
            buffer += socket.readAll();
            if (!parseRaw(buffer, &out))
                out.transportError = QStringLiteral("incomplete response: ") + QString::fromLatin1(buffer.left(200));
            break;
        }
        buffer += socket.readAll();
    }
    socket.abort();
    return out;
}

Account ApiTestHarness::registerOrganization(const QString &email, const QString &organizationName, const QString &password)
{
    const ApiResponse r = request("POST", QStringLiteral("/api/auth/register"),
                                  QJsonObject{{QStringLiteral("email"), email},
                                              {QStringLiteral("password"), password},
                                              {QStringLiteral("name"), QStringLiteral("Admin of ") + organizationName},
                                              {QStringLiteral("organization_name"), organizationName}});
    Account a;
    if (r.status != 201) {
        qWarning("register %s failed: %s", qPrintable(email), r.describe().constData());
        return a;
    }
    a.userId = userOf(r).value(QStringLiteral("id")).toString();
    a.organizationId = userOf(r).value(QStringLiteral("organization_id")).toString();
    a.email = email;
    a.password = password;
    a.role = QStringLiteral("admin");
    a.token = r.json.value(QStringLiteral("token")).toString();
    a.apiKey = r.json.value(QStringLiteral("api_key")).toString();
    return a;
}

Account ApiTestHarness::login(const QString &email, const QString &password)
{
    const ApiResponse r = request("POST", QStringLiteral("/api/auth/login"),
                                  QJsonObject{{QStringLiteral("email"), email}, {QStringLiteral("password"), password}});
    Account a;
    if (r.status != 200) {
        qWarning("login %s failed: %s", qPrintable(email), r.describe().constData());
        return a;
    }
    a.userId = userOf(r).value(QStringLiteral("id")).toString();
    a.organizationId = userOf(r).value(QStringLiteral("organization_id")).toString();
    a.email = email;
    a.password = password;
    a.role = userOf(r).value(QStringLiteral("role")).toString();
    a.token = r.json.value(QStringLiteral("token")).toString();
    return a;
}

Account ApiTestHarness::createMember(const Account &by, const QString &role, const QString &email, const QString &password)
{
    const ApiResponse r = request("POST", QStringLiteral("/api/team/members"),
                                  QJsonObject{{QStringLiteral("email"), email},
                                              {QStringLiteral("password"), password},
                                              {QStringLiteral("name"), role + QStringLiteral(" ") + email.section(QLatin1Char('@'), 0, 0)},
                                              {QStringLiteral("role"), role}},
                                  apiKey(by.apiKey));
    if (r.status != 201) {
        qWarning("create member %s failed: %s", qPrintable(email), r.describe().constData());
        return {};
    }
    Account a = login(email, password);
    if (a.userId.isEmpty())
        return {};
    const ApiResponse key = request("POST", QStringLiteral("/api/api-keys"),
                                    QJsonObject{{QStringLiteral("name"), QStringLiteral("own key")}}, bearer(a.token));
    if (key.status != 201) {
        qWarning("API key for %s failed: %s", qPrintable(email), key.describe().constData());
        return {};
    }
    a.apiKey = key.json.value(QStringLiteral("api_key")).toString();
    return a;
}

QString ApiTestHarness::createClient(const Account &by, const QString &name, const QString &phoneNumber)
{
    QJsonObject body{{QStringLiteral("name"), name}};
    if (!phoneNumber.isEmpty())
        body.insert(QStringLiteral("phone_number"), phoneNumber);
    const ApiResponse r = request("POST", QStringLiteral("/api/clients"), body, apiKey(by.apiKey));
    if (r.status != 201) {
        qWarning("create client %s failed: %s", qPrintable(name), r.describe().constData());
        return {};
    }
    return r.json.value(QStringLiteral("client")).toObject().value(QStringLiteral("id")).toString();
}

bool ApiTestHarness::assign(const Account &by, const QString &userId, const QString &clientId)
{
    const ApiResponse r = request("POST", QStringLiteral("/api/team/members/%1/clients/%2").arg(userId, clientId), QJsonObject{},
                                  apiKey(by.apiKey));
    if (r.status != 200)
        qWarning("assign %s to %s failed: %s", qPrintable(clientId), qPrintable(userId), r.describe().constData());
    return r.status == 200;
}

QPair<QString, QString> ApiTestHarness::createApiKey(const Account &owner, const QString &name)
{
    const ApiResponse r = request("POST", QStringLiteral("/api/api-keys"), QJsonObject{{QStringLiteral("name"), name}},
                                  apiKey(owner.apiKey));
    if (r.status != 201) {
        qWarning("create API key failed: %s", r.describe().constData());
        return {};
    }
    return {r.json.value(QStringLiteral("key")).toObject().value(QStringLiteral("id")).toString(),
            r.json.value(QStringLiteral("api_key")).toString()};
}

QStringList ApiTestHarness::rows(const QString &sql, const QVariantList &bindings, int columns)
{
    SqlRunner runner(database());
    Result<QSqlQuery> q = runner.run(sql, bindings, "test.snapshot");
    if (!q)
        return {QStringLiteral("<query failed: %1>").arg(sql)};
    QStringList out;
    while (q.value().next()) {
        QStringList cells;
        for (int i = 0; i < columns; ++i)
            cells << (q.value().value(i).isNull() ? QStringLiteral("NULL") : q.value().value(i).toString());
        out << cells.join(QLatin1Char('|'));
    }
    return out;
}

QString ApiTestHarness::snapshot(const QString &organizationId)
{
    const QVariantList org{organizationId};
    QStringList parts;
    parts << QStringLiteral("org:") + rows(QStringLiteral("SELECT id, name FROM organizations WHERE id = ?"), org, 2).join(QLatin1Char(';'));
    parts << QStringLiteral("users:")
            + rows(QStringLiteral("SELECT id, email, name, role, active, password_hash FROM users WHERE organization_id = ? ORDER BY id"),
                   org, 6)
                  .join(QLatin1Char(';'));
    parts << QStringLiteral("clients:")
            + rows(QStringLiteral("SELECT id, name, phone_number, status FROM clients WHERE organization_id = ? ORDER BY id"), org, 4)
                  .join(QLatin1Char(';'));
    parts << QStringLiteral("assignments:")
            + rows(QStringLiteral("SELECT user_id, client_id FROM client_assignments WHERE organization_id = ? "
                                  "ORDER BY user_id, client_id"),
                   org, 2)
                  .join(QLatin1Char(';'));
    parts << QStringLiteral("keys:")
            + rows(QStringLiteral("SELECT id, user_id, name, expires_at, revoked_at FROM api_keys WHERE organization_id = ? ORDER BY id"),
                   org, 5)
                  .join(QLatin1Char(';'));
    parts << QStringLiteral("head:")
            + rows(QStringLiteral("SELECT seq, hash FROM audit_heads WHERE organization_id = ?"), org, 2).join(QLatin1Char(';'));
    parts << QStringLiteral("log:")
            + rows(QStringLiteral("SELECT id FROM audit_logs WHERE organization_id = ? ORDER BY seq"), org, 1).join(QLatin1Char(','));
    return parts.join(QLatin1Char('\n'));
}

qint64 ApiTestHarness::auditSeq(const QString &organizationId)
{
    const QStringList seq = rows(QStringLiteral("SELECT seq FROM audit_heads WHERE organization_id = ?"), {organizationId}, 1);
    return seq.isEmpty() ? 0 : seq.constFirst().toLongLong();
}

bool ApiTestHarness::exec(const QString &sql, const QVariantList &bindings)
{
    SqlRunner runner(database());
    const Result<int> r = runner.change(sql, bindings, "test.exec");
    if (!r)
        qWarning("statement failed: %s", qPrintable(sql));
    return r.ok();
}

} // namespace wadesk::test
