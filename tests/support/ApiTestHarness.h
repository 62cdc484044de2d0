#pragma once

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "core/api/ApiService.h"
#include "core/media/MediaSettings.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QNetworkAccessManager>
#include <QPair>
#include <QString>
#include <QTemporaryDir>
#include <memory>

namespace wadesk::test {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// One answer of the REST API as a client saw it.
struct ApiResponse {
    int status = 0; // 0: no answer (timeout or connection error, see transportError)
    QByteArray body;
    QJsonObject json;          // the body when it is a JSON object, else empty
    bool jsonObject = false;   // the body parsed as a JSON object
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QString transportError;

    QByteArray header(const QByteArray &lowerCaseName) const { return headers.value(lowerCaseName); }
    QString code() const { return json.value(QStringLiteral("code")).toString(); }
    // The error shape of the API: a JSON object with a non-empty "error" string and "code" ==
    // `expectedCode`, nothing else but an optional "details" object; and the given status.
    bool isError(int expectedStatus, const QString &expectedCode) const;
    // For QVERIFY2 messages: status and body.
    QByteArray describe() const;
};

// A signed-up user as the tests use it: both credentials ready.
struct Account {
    QString userId;
    QString organizationId;
    QString email;
    QString password;
    QString role;
    QString token;  // JWT from register or login
    QString apiKey; // sk_… (the register key for admins, a key made with the token for members)

    bool valid() const { return !userId.isEmpty() && !token.isEmpty() && !apiKey.isEmpty(); }
};

// A migrated database of one dialect plus the real REST API (ApiService, its own thread, a free
// loopback port, test-only password cost), and a small synchronous HTTP client for it: the test
// thread runs the client, the API thread answers, so a request simply waits for its reply.
class ApiTestHarness {
public:
    struct Options {
        int authCacheMs = 0;
        qint64 jwtLifetimeSeconds = 3600;
        const AesGcm *cipher = nullptr; // as the application: webhook and proxy routes present
        EventBus *events = nullptr;
        // media/...: the defaults, with the file backend in a directory of the harness's own
        // (media.directory left empty) unless a test sets one.
        MediaSettings media;
        // A media library to use instead of the graph's own MediaService (SharedServices::media).
        MediaLibrary *mediaLibrary = nullptr;
        // metrics/...: GET /metrics on (loopback only) unless a test says otherwise.
        bool metricsEnabled = true;
        QString metricsToken;
        // The engine as the API sees it (SharedServices::sessions); none by default.
        SessionControl *sessions = nullptr;
        QString instanceId = QStringLiteral("harness-instance"); // cluster/instanceId, as /metrics names it
        // SQLite: this file (created and migrated if new) instead of one in a temporary directory,
        // for tests that put the database on a file system of their own.
        QString sqliteFile;
    };

    ApiTestHarness();
    ~ApiTestHarness();
    ApiTestHarness(const ApiTestHarness &) = delete;
    ApiTestHarness &operator=(const ApiTestHarness &) = delete;

    // False with `whyNot` when the database cannot be had (PostgreSQL missing) or the server
    // does not start.
    bool start(const QString &dialect, QString *whyNot, Options options);
    bool start(const QString &dialect, QString *whyNot) { return start(dialect, whyNot, Options()); }
    // Another WaDesk instance's API on the same database (same JWT key); 0 on failure.
    quint16 startSecondInstance(int authCacheMs);
    void stop();

    quint16 port() const { return m_port; }
    // Method and pattern of every route the main instance answers.
    QList<QPair<QByteArray, QString>> routeTable() const { return m_api ? m_api->routeTable() : QList<QPair<QByteArray, QString>>(); }
    Database &database() { return *m_db.database; }
    QString databaseUrl() const { return m_db.url; }
    QString dialect() const { return m_dialect; }
    QString mediaDirectory() const { return m_mediaDirectory; }
    const QByteArray &jwtKey() const { return m_jwtKey; }

    // `body`: undefined sends no body; an object or array is sent as application/json.
    // `port` 0 is the main instance.
    ApiResponse request(const QByteArray &method, const QString &pathAndQuery,
                        const QJsonValue &body = QJsonValue(QJsonValue::Undefined), const HeaderList &headers = {},
                        quint16 port = 0);
    // How long requestRaw() and requestFrom() wait for an answer (20 s unless set; a bulk
    // import on a loaded machine may need more).
    void setRawRequestTimeoutMs(int ms) { m_rawTimeoutMs = ms; }
    // The body as given; the headers (Content-Type included) exactly as given.
    ApiResponse requestRaw(const QByteArray &method, const QString &pathAndQuery, const QByteArray &body,
                           const HeaderList &headers);
    // Over a socket bound to `source` (any 127.x.y.z address works on Linux), so the server sees
    // another client address. JSON body as for request().
    ApiResponse requestFrom(const QHostAddress &source, const QByteArray &method, const QString &pathAndQuery,
                            const QJsonValue &body = QJsonValue(QJsonValue::Undefined), const HeaderList &headers = {});

    static HeaderList apiKey(const QString &key) { return {{QByteArrayLiteral("X-API-Key"), key.toUtf8()}}; }
    static HeaderList bearer(const QString &token)
    {
        return {{QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + token.toUtf8()}};
    }

    // Helpers over HTTP. On failure they return an invalid Account / empty id and log why.
    Account registerOrganization(const QString &email, const QString &organizationName,
                                 const QString &password = QStringLiteral("correct-horse-1"));
    // Created by `by`, then logged in (JWT) and given an API key of its own.
    Account createMember(const Account &by, const QString &role, const QString &email,
                         const QString &password = QStringLiteral("member-pass-1"));
    Account login(const QString &email, const QString &password);
    QString createClient(const Account &by, const QString &name, const QString &phoneNumber = {});
    bool assign(const Account &by, const QString &userId, const QString &clientId);
    // A further API key of `owner` (returns {keyId, plaintext}).
    QPair<QString, QString> createApiKey(const Account &owner, const QString &name = QStringLiteral("extra"));

    // What the database holds for one organization, as comparable text: organization, users
    // (role, active, name, email), clients, assignments, API keys (revoked or not), the audit
    // head and entry ids. Usage timestamps (last_used_at, last_login_at) are left out.
    QString snapshot(const QString &organizationId);
    qint64 auditSeq(const QString &organizationId);
    // Runs one statement on the test thread's connection; false (and a warning) on failure.
    bool exec(const QString &sql, const QVariantList &bindings = {});
    // The rows of a query, each as its first `columns` values joined with '|' (NULL as "NULL").
    QStringList rows(const QString &sql, const QVariantList &bindings = {}, int columns = 1);

private:
    ApiResponse send(const QByteArray &method, const QString &pathAndQuery, const QByteArray *body,
                     const HeaderList &headers, quint16 port);
    ApiResponse exchange(const QHostAddress &source, const QByteArray &method, const QString &pathAndQuery,
                         const QByteArray &body, const HeaderList &headers);

    TestDatabase m_db;
    std::unique_ptr<QTemporaryDir> m_mediaDir;
    QString m_mediaDirectory;
    QString m_dialect;
    QByteArray m_jwtKey;
    int m_rawTimeoutMs = 20000;
    std::unique_ptr<ApiService> m_api;
    std::unique_ptr<ApiService> m_second;
    quint16 m_port = 0;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

} // namespace wadesk::test

// In a data-driven test function with a "dialect" column: a started harness, or skip/fail.
#define WADESK_START_API(var, dialectName, ...)                                                            \
    wadesk::test::ApiTestHarness var;                                                                     \
    {                                                                                                     \
        QString var##WhyNot;                                                                              \
        if (!var.start(dialectName, &var##WhyNot, ##__VA_ARGS__)) {                                       \
            if ((dialectName) == QLatin1String("postgres") && !wadesk::test::PgCluster::required()        \
                && !var##WhyNot.startsWith(QLatin1String("server:")))                                     \
                QSKIP(qPrintable(var##WhyNot));                                                           \
            QFAIL(qPrintable(var##WhyNot));                                                               \
        }                                                                                                 \
    }
