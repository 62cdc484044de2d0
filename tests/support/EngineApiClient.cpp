#include "tests/support/EngineApiClient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTest>
#include <QTimer>
#include <QUrl>

namespace wadesk::test {

EngineApiClient::EngineApiClient(quint16 port)
    : m_port(port)
    , m_network(std::make_unique<QNetworkAccessManager>())
{
    m_network->setProxy(QNetworkProxy::NoProxy);
}

EngineApiClient::~EngineApiClient() = default;

ApiResponse EngineApiClient::request(const QByteArray &method, const QString &pathAndQuery, const QJsonValue &body,
                                     const HeaderList &headers, int timeoutMs)
{
    ApiResponse out;
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(pathAndQuery)));
    request.setTransferTimeout(timeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = nullptr;
    if (body.isUndefined()) {
        reply = m_network->sendCustomRequest(request, method);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        const QByteArray bytes = body.isArray() ? QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact)
                                                : QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
        reply = m_network->sendCustomRequest(request, method, bytes);
    }
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
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(out.body, &error);
    out.jsonObject = error.error == QJsonParseError::NoError && doc.isObject();
    if (out.jsonObject)
        out.json = doc.object();
    reply->deleteLater();
    return out;
}

Account EngineApiClient::registerOrganization(const QString &email, const QString &organizationName, const QString &password)
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
    const QJsonObject user = r.json.value(QStringLiteral("user")).toObject();
    a.userId = user.value(QStringLiteral("id")).toString();
    a.organizationId = user.value(QStringLiteral("organization_id")).toString();
    a.email = email;
    a.password = password;
    a.role = QStringLiteral("admin");
    a.token = r.json.value(QStringLiteral("token")).toString();
    a.apiKey = r.json.value(QStringLiteral("api_key")).toString();
    return a;
}

Account EngineApiClient::login(const QString &email, const QString &password)
{
    const ApiResponse r = request("POST", QStringLiteral("/api/auth/login"),
                                  QJsonObject{{QStringLiteral("email"), email}, {QStringLiteral("password"), password}});
    Account a;
    if (r.status != 200) {
        qWarning("login %s failed: %s", qPrintable(email), r.describe().constData());
        return a;
    }
    const QJsonObject user = r.json.value(QStringLiteral("user")).toObject();
    a.userId = user.value(QStringLiteral("id")).toString();
    a.organizationId = user.value(QStringLiteral("organization_id")).toString();
    a.email = email;
    a.password = password;
    a.role = user.value(QStringLiteral("role")).toString();
    a.token = r.json.value(QStringLiteral("token")).toString();
    return a;
}

Account EngineApiClient::createMember(const Account &by, const QString &role, const QString &email, const QString &password)
{
    const ApiResponse r = request("POST", QStringLiteral("/api/team/members"),
                                  QJsonObject{{QStringLiteral("email"), email},
                                              {QStringLiteral("password"), password},
                                              {QStringLiteral("name"), role + QStringLiteral(" ") + email.section(QLatin1Char('@'), 0, 0)},
                                              {QStringLiteral("role"), role}},
                                  ApiTestHarness::apiKey(by.apiKey));
    if (r.status != 201) {
        qWarning("create member %s failed: %s", qPrintable(email), r.describe().constData());
        return {};
    }
    Account a = login(email, password);
    if (a.userId.isEmpty())
        return {};
    const ApiResponse key = request("POST", QStringLiteral("/api/api-keys"),
                                    QJsonObject{{QStringLiteral("name"), QStringLiteral("own key")}},
                                    ApiTestHarness::bearer(a.token));
    if (key.status != 201) {
        qWarning("API key for %s failed: %s", qPrintable(email), key.describe().constData());
        return {};
    }
    a.apiKey = key.json.value(QStringLiteral("api_key")).toString();
    return a;
}

QString EngineApiClient::createClient(const Account &by, const QString &name)
{
    const ApiResponse r = request("POST", QStringLiteral("/api/clients"), QJsonObject{{QStringLiteral("name"), name}},
                                  ApiTestHarness::apiKey(by.apiKey));
    if (r.status != 201) {
        qWarning("create client %s failed: %s", qPrintable(name), r.describe().constData());
        return {};
    }
    return r.json.value(QStringLiteral("client")).toObject().value(QStringLiteral("id")).toString();
}

bool EngineApiClient::assign(const Account &by, const QString &userId, const QString &clientId)
{
    const ApiResponse r = request("POST", QStringLiteral("/api/team/members/%1/clients/%2").arg(userId, clientId),
                                  QJsonObject{}, ApiTestHarness::apiKey(by.apiKey));
    if (r.status != 200)
        qWarning("assign %s to %s failed: %s", qPrintable(clientId), qPrintable(userId), r.describe().constData());
    return r.status == 200;
}

ApiResponse EngineApiClient::status(const Account &by, const QString &clientId)
{
    return request("GET", QStringLiteral("/api/clients/%1/status").arg(clientId), QJsonValue(QJsonValue::Undefined),
                   ApiTestHarness::apiKey(by.apiKey));
}

QJsonObject EngineApiClient::waitForStatus(const Account &by, const QString &clientId, const QStringList &wanted,
                                           int timeoutMs, bool *reached)
{
    QJsonObject last;
    QElapsedTimer clock;
    clock.start();
    *reached = false;
    while (true) {
        const ApiResponse r = status(by, clientId);
        if (r.status == 200) {
            last = r.json;
            if (wanted.contains(last.value(QStringLiteral("status")).toString())) {
                *reached = true;
                return last;
            }
        }
        if (clock.elapsed() > timeoutMs)
            return last;
        QTest::qWait(50);
    }
}

} // namespace wadesk::test
