// Credentials over real HTTP: login throttling per account and per address (with the audit
// trail it leaves), API key expiry and revocation, JWT expiry and forgeries (another key, alg
// "none", HS384/HS512, tampered payloads), Bearer API keys, garbage credentials, and members
// disabled while their identity sits in the authentication cache.

#include "tests/support/ApiTestHarness.h"
#include "core/auth/ApiKeyCodec.h"
#include "core/auth/JwtCodec.h"
#include "core/common/Ids.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QTest>
#include <memory>
#include <optional>

using namespace wadesk;
using namespace wadesk::test;

namespace {

const QJsonValue kNoBody(QJsonValue::Undefined);

QByteArray b64(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray b64(const QJsonObject &o)
{
    return b64(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// A JWT made by hand: `header` and `claims` as given, signed with HMAC(`algorithm`, key) or not
// at all.
QString handMadeJwt(const QJsonObject &header, const QJsonObject &claims, const QByteArray &key,
                    std::optional<QCryptographicHash::Algorithm> algorithm)
{
    const QByteArray signingInput = b64(header) + '.' + b64(claims);
    QByteArray signature;
    if (algorithm)
        signature = b64(QMessageAuthenticationCode::hash(signingInput, key, *algorithm));
    return QString::fromLatin1(signingInput + '.' + signature);
}

QJsonObject claimsFor(const Account &a, qint64 exp)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    return QJsonObject{{QStringLiteral("sub"), a.userId},
                       {QStringLiteral("org"), a.organizationId},
                       {QStringLiteral("iss"), QStringLiteral("wadesk")},
                       {QStringLiteral("iat"), now},
                       {QStringLiteral("exp"), exp}};
}

QJsonObject header(const char *alg)
{
    return QJsonObject{{QStringLiteral("alg"), QLatin1String(alg)}, {QStringLiteral("typ"), QStringLiteral("JWT")}};
}

QList<QJsonObject> auditEntries(ApiTestHarness &api, const Account &admin, const QString &action, const QString &userId = {})
{
    QString path = QStringLiteral("/api/audit-logs?limit=500&action=") + action;
    if (!userId.isEmpty())
        path += QStringLiteral("&user_id=") + userId;
    const ApiResponse r = api.request("GET", path, kNoBody, ApiTestHarness::apiKey(admin.apiKey));
    QList<QJsonObject> out;
    for (const QJsonValue &v : r.json.value(QStringLiteral("logs")).toArray())
        out << v.toObject();
    return out;
}

ApiResponse loginFrom(ApiTestHarness &api, const char *address, const QString &email, const QString &password)
{
    return api.requestFrom(QHostAddress(QLatin1String(address)), "POST", QStringLiteral("/api/auth/login"),
                           QJsonObject{{QStringLiteral("email"), email}, {QStringLiteral("password"), password}});
}

#define START(var, cacheMs)                                                                                 \
    ApiTestHarness var;                                                                                    \
    {                                                                                                      \
        ApiTestHarness::Options options;                                                                   \
        options.authCacheMs = (cacheMs);                                                                   \
        QString whyNot;                                                                                    \
        QVERIFY2(var.start(QStringLiteral("sqlite"), &whyNot, options), qPrintable(whyNot));               \
    }

} // namespace

class TestCredentials : public QObject {
    Q_OBJECT

    // Shared by the rows of the data-driven functions.
    std::unique_ptr<ApiTestHarness> m_forge, m_garbage;
    Account m_forgeOwner, m_forgeVictim, m_forgeStranger, m_garbageOwner;

private slots:
    void cleanupTestCase()
    {
        m_forge.reset();
        m_garbage.reset();
    }

    void loginThrottlingPerAccount()
    {
        START(api, 0);
        const Account owner = api.registerOrganization(QStringLiteral("owner@throttle.test"), QStringLiteral("Throttle Org"),
                                                       QStringLiteral("right-password-1"));
        QVERIFY(owner.valid());

        // Five wrong passwords from one address; the answer never says whether the account exists.
        ApiResponse wrong;
        for (int i = 0; i < 5; ++i) {
            wrong = loginFrom(api, "127.0.0.2", owner.email, QStringLiteral("wrong-password-%1").arg(i));
            QVERIFY2(wrong.isError(401, QStringLiteral("invalid_credentials")), wrong.describe().constData());
        }
        const ApiResponse unknown = loginFrom(api, "127.0.0.9", QStringLiteral("nobody@throttle.test"), QStringLiteral("whatever-1"));
        QVERIFY2(unknown.isError(401, QStringLiteral("invalid_credentials")), unknown.describe().constData());
        QCOMPARE(unknown.body, wrong.body);

        // Now even the right password is refused, with Retry-After, from any address.
        for (const char *address : {"127.0.0.2", "127.0.0.3"}) {
            const ApiResponse throttled = loginFrom(api, address, owner.email, owner.password);
            QVERIFY2(throttled.isError(429, QStringLiteral("too_many_attempts")), throttled.describe().constData());
            bool ok = false;
            const int retryAfter = throttled.header("retry-after").toInt(&ok);
            QVERIFY2(ok && retryAfter >= 1 && retryAfter <= 15 * 60, throttled.header("retry-after").constData());
            QVERIFY(!throttled.json.contains(QStringLiteral("token")));
        }
        // The account is matched however its email is spelled.
        QVERIFY(loginFrom(api, "127.0.0.3", QStringLiteral("  OWNER@Throttle.test "), owner.password).isError(429, QStringLiteral("too_many_attempts")));
        // Another account from the second address signs in normally (that address made no failures).
        const Account member = api.createMember(owner, QStringLiteral("agent"), QStringLiteral("member@throttle.test"));
        QVERIFY(member.valid());
        QCOMPARE(loginFrom(api, "127.0.0.3", member.email, member.password).status, 200);
        // Existing credentials keep working: throttling is about signing in.
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::apiKey(owner.apiKey)).status, 200);

        // The audit log tells the story, attributed to the account and the address.
        const QList<QJsonObject> failed = auditEntries(api, owner, QStringLiteral("login_failed"));
        QCOMPARE(failed.size(), 5);
        for (const QJsonObject &e : failed) {
            QCOMPARE(e.value(QStringLiteral("user_id")).toString(), owner.userId);
            QCOMPARE(e.value(QStringLiteral("ip_address")).toString(), QStringLiteral("127.0.0.2"));
            QCOMPARE(e.value(QStringLiteral("details")).toObject().value(QStringLiteral("reason")).toString(), QStringLiteral("wrong_password"));
            QVERIFY(!QJsonDocument(e).toJson().contains("wrong-password"));
        }
        const QList<QJsonObject> throttledEntries = auditEntries(api, owner, QStringLiteral("login_throttled"));
        QCOMPARE(throttledEntries.size(), 3);
        QCOMPARE(throttledEntries.first().value(QStringLiteral("user_id")).toString(), owner.userId);
        QVERIFY(throttledEntries.first().value(QStringLiteral("details")).toObject().value(QStringLiteral("retry_after")).toInt() > 0);
        QCOMPARE(auditEntries(api, owner, QStringLiteral("login"), owner.userId).size(), 0);
    }

    void loginThrottlingPerAddress()
    {
        START(api, 0);
        const Account owner = api.registerOrganization(QStringLiteral("owner@address.test"), QStringLiteral("Address Org"),
                                                       QStringLiteral("right-password-1"));
        QVERIFY(owner.valid());
        // Five failures from one address, each against a different email (a spray).
        for (int i = 0; i < 5; ++i) {
            const ApiResponse r = loginFrom(api, "127.0.0.4", QStringLiteral("victim%1@address.test").arg(i), QStringLiteral("guess-pass-1"));
            QVERIFY2(r.isError(401, QStringLiteral("invalid_credentials")), r.describe().constData());
        }
        // That address is now refused for everyone, right password or not...
        const ApiResponse refused = loginFrom(api, "127.0.0.4", owner.email, owner.password);
        QVERIFY2(refused.isError(429, QStringLiteral("too_many_attempts")), refused.describe().constData());
        QVERIFY(refused.header("retry-after").toInt() >= 1);
        // ... and the account itself is fine from elsewhere.
        const ApiResponse elsewhere = loginFrom(api, "127.0.0.5", owner.email, owner.password);
        QVERIFY2(elsewhere.status == 200, elsewhere.describe().constData());
        QVERIFY(!elsewhere.json.value(QStringLiteral("token")).toString().isEmpty());
        // The refused attempt on a real account is audited.
        QCOMPARE(auditEntries(api, owner, QStringLiteral("login_throttled")).size(), 1);
        QCOMPARE(auditEntries(api, owner, QStringLiteral("login_throttled")).first().value(QStringLiteral("ip_address")).toString(),
                 QStringLiteral("127.0.0.4"));
    }

    void successfulLoginClearsAccountFailures()
    {
        START(api, 0);
        const Account owner = api.registerOrganization(QStringLiteral("owner@clear.test"), QStringLiteral("Clear Org"),
                                                       QStringLiteral("right-password-1"));
        QVERIFY(owner.valid());
        for (int i = 0; i < 4; ++i)
            QCOMPARE(loginFrom(api, "127.0.0.6", owner.email, QStringLiteral("typo-%1-pass").arg(i)).status, 401);
        QCOMPARE(loginFrom(api, "127.0.0.7", owner.email, owner.password).status, 200);
        // Four more typos from yet another address: the account's count started again.
        for (int i = 0; i < 4; ++i) {
            const ApiResponse r = loginFrom(api, "127.0.0.8", owner.email, QStringLiteral("typo-%1-again").arg(i));
            QVERIFY2(r.isError(401, QStringLiteral("invalid_credentials")), r.describe().constData());
        }
        QCOMPARE(loginFrom(api, "127.0.0.7", owner.email, owner.password).status, 200);
    }

    void apiKeyExpiry()
    {
        START(api, 5000); // cached identities must expire with their key
        const Account owner = api.registerOrganization(QStringLiteral("owner@expiry.test"), QStringLiteral("Expiry Org"));
        QVERIFY(owner.valid());
        const QDateTime soon = QDateTime::currentDateTimeUtc().addMSecs(2000);
        const ApiResponse created = api.request("POST", QStringLiteral("/api/api-keys"),
                                                QJsonObject{{QStringLiteral("name"), QStringLiteral("short-lived")},
                                                            {QStringLiteral("expires_at"), soon.toString(Qt::ISODateWithMs)}},
                                                ApiTestHarness::apiKey(owner.apiKey));
        QVERIFY2(created.status == 201, created.describe().constData());
        const QString key = created.json.value(QStringLiteral("api_key")).toString();
        const QJsonObject view = created.json.value(QStringLiteral("key")).toObject();
        QCOMPARE(QDateTime::fromString(view.value(QStringLiteral("expires_at")).toString(), Qt::ISODateWithMs).toMSecsSinceEpoch(),
                 soon.toMSecsSinceEpoch());
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::apiKey(key)).status, 200);
        // Once the time has passed the key is refused, though its identity is still cached.
        QTRY_VERIFY_WITH_TIMEOUT(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::apiKey(key)).status == 401, 6000);
        QVERIFY(QDateTime::currentDateTimeUtc() >= soon);
        for (const HeaderList &h : {ApiTestHarness::apiKey(key), ApiTestHarness::bearer(key)}) {
            const ApiResponse r = api.request("GET", QStringLiteral("/api/clients"), kNoBody, h);
            QVERIFY2(r.isError(401, QStringLiteral("api_key_expired")), r.describe().constData());
        }
        // The list shows it as inactive.
        const ApiResponse list = api.request("GET", QStringLiteral("/api/api-keys"), kNoBody, ApiTestHarness::apiKey(owner.apiKey));
        for (const QJsonValue &k : list.json.value(QStringLiteral("api_keys")).toArray()) {
            if (k.toObject().value(QStringLiteral("id")) == view.value(QStringLiteral("id")))
                QCOMPARE(k.toObject().value(QStringLiteral("active")).toBool(), false);
        }
        // expires_in_days sets an expiry that many days ahead.
        const ApiResponse days = api.request("POST", QStringLiteral("/api/api-keys"),
                                             QJsonObject{{QStringLiteral("name"), QStringLiteral("week")}, {QStringLiteral("expires_in_days"), 7}},
                                             ApiTestHarness::apiKey(owner.apiKey));
        QVERIFY2(days.status == 201, days.describe().constData());
        const qint64 at = QDateTime::fromString(days.json.value(QStringLiteral("key")).toObject().value(QStringLiteral("expires_at")).toString(),
                                                Qt::ISODateWithMs)
                              .toMSecsSinceEpoch();
        QVERIFY(qAbs(at - QDateTime::currentMSecsSinceEpoch() - 7LL * 86400 * 1000) < 60 * 1000);
    }

    void expiredKeyInsertedInTheDatabase()
    {
        START(api, 0);
        const Account owner = api.registerOrganization(QStringLiteral("owner@sqlkey.test"), QStringLiteral("SQL Key Org"));
        QVERIFY(owner.valid());
        const ApiKeyCodec::NewKey expired = ApiKeyCodec::generate();
        const ApiKeyCodec::NewKey valid = ApiKeyCodec::generate();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const QString insert = QStringLiteral("INSERT INTO api_keys (id, organization_id, user_id, name, key_hash, prefix, last_four, "
                                              "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        QVERIFY(api.exec(insert, {Ids::make("key"), owner.organizationId, owner.userId, QStringLiteral("old"), expired.hash, expired.prefix,
                                  expired.lastFour, now - 86400000, now - 1000}));
        QVERIFY(api.exec(insert, {Ids::make("key"), owner.organizationId, owner.userId, QStringLiteral("fresh"), valid.hash, valid.prefix,
                                  valid.lastFour, now, now + 3600000}));
        QVERIFY(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::apiKey(expired.plaintext))
                    .isError(401, QStringLiteral("api_key_expired")));
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::apiKey(valid.plaintext)).status, 200);
        // Expired behind the API's back (authCacheMs = 0): refused on the next request.
        QVERIFY(api.exec(QStringLiteral("UPDATE api_keys SET expires_at = ? WHERE key_hash = ?"), {now - 1, valid.hash}));
        QVERIFY(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::apiKey(valid.plaintext))
                    .isError(401, QStringLiteral("api_key_expired")));
    }

    void apiKeyRevocation()
    {
        START(api, 60000); // revocation must not wait for the cache
        const Account owner = api.registerOrganization(QStringLiteral("owner@revoke.test"), QStringLiteral("Revoke Org"));
        QVERIFY(owner.valid());
        const auto [keyId, key] = api.createApiKey(owner, QStringLiteral("to revoke"));
        QVERIFY(!key.isEmpty());
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::apiKey(key)).status, 200);
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::bearer(key)).status, 200);

        const ApiResponse revoked = api.request("DELETE", QStringLiteral("/api/api-keys/") + keyId, kNoBody, ApiTestHarness::apiKey(owner.apiKey));
        QVERIFY2(revoked.status == 200, revoked.describe().constData());
        for (const HeaderList &h : {ApiTestHarness::apiKey(key), ApiTestHarness::bearer(key)}) {
            const ApiResponse r = api.request("GET", QStringLiteral("/api/clients"), kNoBody, h);
            QVERIFY2(r.isError(401, QStringLiteral("api_key_revoked")), r.describe().constData());
        }
        QVERIFY(api.request("DELETE", QStringLiteral("/api/api-keys/") + keyId, kNoBody, ApiTestHarness::apiKey(owner.apiKey))
                    .isError(409, QStringLiteral("already_revoked")));
        // A key can revoke itself; the next request with it is refused.
        const auto [selfId, selfKey] = api.createApiKey(owner, QStringLiteral("self"));
        QCOMPARE(api.request("DELETE", QStringLiteral("/api/api-keys/") + selfId, kNoBody, ApiTestHarness::apiKey(selfKey)).status, 200);
        QVERIFY(api.request("GET", QStringLiteral("/api/api-keys"), kNoBody, ApiTestHarness::apiKey(selfKey)).isError(401, QStringLiteral("api_key_revoked")));
        // The owner's other credentials are unaffected, and the log names both revocations.
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::bearer(owner.token)).status, 200);
        const QList<QJsonObject> entries = auditEntries(api, owner, QStringLiteral("revoke_api_key"));
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries.last().value(QStringLiteral("resource_id")).toString(), keyId);
        // Revoked keys are listed as such, without secret material.
        const ApiResponse list = api.request("GET", QStringLiteral("/api/api-keys"), kNoBody, ApiTestHarness::apiKey(owner.apiKey));
        QVERIFY(!list.body.contains(key.toUtf8()) && !list.body.contains(ApiKeyCodec::hashOf(key).toUtf8()));
        bool seen = false;
        for (const QJsonValue &k : list.json.value(QStringLiteral("api_keys")).toArray()) {
            const QJsonObject o = k.toObject();
            if (o.value(QStringLiteral("id")).toString() != keyId)
                continue;
            seen = true;
            QCOMPARE(o.value(QStringLiteral("active")).toBool(), false);
            QVERIFY(!o.value(QStringLiteral("revoked_at")).isNull());
            QCOMPARE(o.value(QStringLiteral("prefix")).toString(), key.left(9));
            QCOMPARE(o.value(QStringLiteral("last_four")).toString(), key.right(4));
        }
        QVERIFY(seen);
    }

    void jwtExpiry()
    {
        START(api, 5000);
        const Account owner = api.registerOrganization(QStringLiteral("owner@jwt.test"), QStringLiteral("JWT Org"));
        QVERIFY(owner.valid());
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        const JwtCodec codec(api.jwtKey(), 3600);
        // Issued two hours ago with a one-hour lifetime.
        const QString expired = codec.issue(owner.userId, owner.organizationId, now - 7200);
        QVERIFY(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::bearer(expired)).isError(401, QStringLiteral("token_expired")));
        // Expired while its identity is cached (the fresh token below puts it there).
        const QString fresh = codec.issue(owner.userId, owner.organizationId, now);
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::bearer(fresh)).status, 200);
        QVERIFY(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::bearer(expired)).isError(401, QStringLiteral("token_expired")));
        const QString justExpired = handMadeJwt(header("HS256"), claimsFor(owner, now - 1), api.jwtKey(), QCryptographicHash::Sha256);
        QVERIFY(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::bearer(justExpired)).isError(401, QStringLiteral("token_expired")));
        // The token from login carries its expiry.
        const Account loggedIn = api.login(owner.email, owner.password);
        QVERIFY(!loggedIn.token.isEmpty());
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::bearer(loggedIn.token)).status, 200);
    }

    void jwtForgeries_data()
    {
        QTest::addColumn<QString>("kind");
        for (const char *kind : {"other key", "alg none", "alg None", "alg NONE", "no alg", "HS512", "HS384", "RS256 header",
                                 "tampered payload", "truncated signature", "signature of another token", "org claim of another org",
                                 "no exp", "exp not a number", "no sub", "two parts", "four parts"})
            QTest::newRow(kind) << QString::fromLatin1(kind);
    }

    void jwtForgeries()
    {
        QFETCH(QString, kind);
        if (!m_forge) {
            m_forge = std::make_unique<ApiTestHarness>();
            QString whyNot;
            ApiTestHarness::Options options;
            options.authCacheMs = 5000;
            QVERIFY2(m_forge->start(QStringLiteral("sqlite"), &whyNot, options), qPrintable(whyNot));
            m_forgeOwner = m_forge->registerOrganization(QStringLiteral("owner@forge.test"), QStringLiteral("Forge Org"));
            m_forgeVictim = m_forge->createMember(m_forgeOwner, QStringLiteral("agent"), QStringLiteral("victim@forge.test"));
            m_forgeStranger = m_forge->registerOrganization(QStringLiteral("stranger@forge.test"), QStringLiteral("Stranger Org"));
        }
        QVERIFY(m_forgeOwner.valid() && m_forgeVictim.valid() && m_forgeStranger.valid());
        ApiTestHarness *api = m_forge.get();
        const Account &owner = m_forgeOwner;
        const Account &victim = m_forgeVictim;
        const Account &stranger = m_forgeStranger;
        const QByteArray key = api->jwtKey();
        const qint64 exp = QDateTime::currentSecsSinceEpoch() + 600;
        const QJsonObject claims = claimsFor(victim, exp);

        // The hand-made token with the right key and HS256 is accepted: the builder is sound,
        // so every refusal below is about the one thing changed.
        const QString genuine = handMadeJwt(header("HS256"), claims, key, QCryptographicHash::Sha256);
        QCOMPARE(api->request("GET", QStringLiteral("/api/clients"), kNoBody, ApiTestHarness::bearer(genuine)).status, 200);

        QString token;
        if (kind == QLatin1String("other key"))
            token = handMadeJwt(header("HS256"), claims, "another-key-0123456789abcdef0123456789", QCryptographicHash::Sha256);
        else if (kind == QLatin1String("alg none"))
            token = handMadeJwt(header("none"), claims, key, std::nullopt);
        else if (kind == QLatin1String("alg None"))
            token = handMadeJwt(header("None"), claims, key, std::nullopt);
        else if (kind == QLatin1String("alg NONE"))
            token = handMadeJwt(header("NONE"), claims, key, std::nullopt);
        else if (kind == QLatin1String("no alg"))
            token = handMadeJwt(QJsonObject{{QStringLiteral("typ"), QStringLiteral("JWT")}}, claims, key, QCryptographicHash::Sha256);
        else if (kind == QLatin1String("HS512"))
            token = handMadeJwt(header("HS512"), claims, key, QCryptographicHash::Sha512);
        else if (kind == QLatin1String("HS384"))
            token = handMadeJwt(header("HS384"), claims, key, QCryptographicHash::Sha384);
        else if (kind == QLatin1String("RS256 header"))
            token = handMadeJwt(header("RS256"), claims, key, QCryptographicHash::Sha256);
        else if (kind == QLatin1String("tampered payload")) {
            // The victim's genuine signature on a payload that now names the admin.
            QJsonObject promoted = claims;
            promoted.insert(QStringLiteral("sub"), owner.userId);
            token = QString::fromLatin1(b64(header("HS256")) + '.' + b64(promoted)) + QLatin1Char('.') + genuine.section(QLatin1Char('.'), 2, 2);
        } else if (kind == QLatin1String("truncated signature"))
            token = genuine.left(genuine.size() - 4);
        else if (kind == QLatin1String("signature of another token")) {
            const QString other = handMadeJwt(header("HS256"), claimsFor(owner, exp), key, QCryptographicHash::Sha256);
            token = genuine.section(QLatin1Char('.'), 0, 1) + QLatin1Char('.') + other.section(QLatin1Char('.'), 2, 2);
        } else if (kind == QLatin1String("org claim of another org")) {
            // Properly signed (as if the key had leaked), but the user is not in that organization.
            QJsonObject c = claims;
            c.insert(QStringLiteral("org"), stranger.organizationId);
            token = handMadeJwt(header("HS256"), c, key, QCryptographicHash::Sha256);
        } else if (kind == QLatin1String("no exp")) {
            QJsonObject c = claims;
            c.remove(QStringLiteral("exp"));
            token = handMadeJwt(header("HS256"), c, key, QCryptographicHash::Sha256);
        } else if (kind == QLatin1String("exp not a number")) {
            QJsonObject c = claims;
            c.insert(QStringLiteral("exp"), QStringLiteral("never"));
            token = handMadeJwt(header("HS256"), c, key, QCryptographicHash::Sha256);
        } else if (kind == QLatin1String("no sub")) {
            QJsonObject c = claims;
            c.remove(QStringLiteral("sub"));
            token = handMadeJwt(header("HS256"), c, key, QCryptographicHash::Sha256);
        } else if (kind == QLatin1String("two parts"))
            token = genuine.section(QLatin1Char('.'), 0, 1);
        else if (kind == QLatin1String("four parts"))
            token = genuine + QStringLiteral(".AAAA");
        QVERIFY(!token.isEmpty());

        const QString before = api->snapshot(victim.organizationId);
        for (const QByteArray &method : {QByteArray("GET"), QByteArray("POST")}) {
            const ApiResponse r = method == "GET"
                ? api->request("GET", QStringLiteral("/api/team/members"), kNoBody, ApiTestHarness::bearer(token))
                : api->request("POST", QStringLiteral("/api/clients"), QJsonObject{{QStringLiteral("name"), QStringLiteral("Forged")}},
                               ApiTestHarness::bearer(token));
            QVERIFY2(r.status == 401, r.describe().constData());
            QVERIFY2(r.isError(401, r.code()) && !r.code().isEmpty(), r.describe().constData());
            if (kind != QLatin1String("org claim of another org"))
                QVERIFY2(r.code() == QLatin1String("invalid_token"), r.describe().constData());
        }
        QCOMPARE(api->snapshot(victim.organizationId), before);
    }

    void bearerApiKeyAndPrecedence()
    {
        START(api, 5000);
        const Account owner = api.registerOrganization(QStringLiteral("owner@bearer.test"), QStringLiteral("Bearer Org"));
        QVERIFY(owner.valid());
        for (const QByteArray &scheme : {QByteArray("Bearer "), QByteArray("bearer "), QByteArray("BEARER  ")}) {
            const ApiResponse r = api.request("GET", QStringLiteral("/api/clients"), kNoBody,
                                              {{QByteArrayLiteral("Authorization"), scheme + owner.apiKey.toUtf8()}});
            QVERIFY2(r.status == 200, (scheme + r.describe()).constData());
        }
        // X-API-Key wins over Authorization when both are sent.
        HeaderList both = ApiTestHarness::apiKey(owner.apiKey);
        both << ApiTestHarness::bearer(QStringLiteral("not.a.token"));
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, both).status, 200);
        HeaderList badKey = ApiTestHarness::apiKey(QStringLiteral("sk_definitely_not_a_real_key_000000000000"));
        badKey << ApiTestHarness::bearer(owner.token);
        QVERIFY(api.request("GET", QStringLiteral("/api/clients"), kNoBody, badKey).isError(401, QStringLiteral("invalid_api_key")));
    }

    void garbageCredentials_data()
    {
        QTest::addColumn<QByteArray>("headerName");
        QTest::addColumn<QByteArray>("headerValue");
        QTest::addColumn<QString>("code");
        const QByteArray randomKey = "sk_" + QByteArray(32, '\x01').toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        QTest::newRow("no credentials") << QByteArray() << QByteArray() << QStringLiteral("auth_required");
        QTest::newRow("empty X-API-Key") << QByteArray("X-API-Key") << QByteArray("   ") << QStringLiteral("auth_required");
        QTest::newRow("X-API-Key garbage") << QByteArray("X-API-Key") << QByteArray("garbage") << QStringLiteral("invalid_api_key");
        QTest::newRow("X-API-Key short sk_") << QByteArray("X-API-Key") << QByteArray("sk_123") << QStringLiteral("invalid_api_key");
        QTest::newRow("X-API-Key unknown sk_") << QByteArray("X-API-Key") << randomKey << QStringLiteral("invalid_api_key");
        QTest::newRow("X-API-Key huge") << QByteArray("X-API-Key") << "sk_" + QByteArray(4000, 'a') << QStringLiteral("invalid_api_key");
        QTest::newRow("X-API-Key is a JWT") << QByteArray("X-API-Key") << QByteArray("eyJhbGciOiJIUzI1NiJ9.e30.abc") << QStringLiteral("invalid_api_key");
        QTest::newRow("X-API-Key binary") << QByteArray("X-API-Key") << QByteArray("sk_\xff\xfe\xfd\x80\x81 abcdefghijklmnop") << QStringLiteral("invalid_api_key");
        QTest::newRow("Basic auth") << QByteArray("Authorization") << QByteArray("Basic dXNlcjpwYXNz") << QStringLiteral("invalid_authorization");
        QTest::newRow("Bearer alone") << QByteArray("Authorization") << QByteArray("Bearer") << QStringLiteral("invalid_authorization");
        QTest::newRow("Bearer empty") << QByteArray("Authorization") << QByteArray("Bearer    ") << QStringLiteral("invalid_authorization");
        QTest::newRow("Bearer word") << QByteArray("Authorization") << QByteArray("Bearer hello") << QStringLiteral("invalid_token");
        QTest::newRow("Bearer dots") << QByteArray("Authorization") << QByteArray("Bearer a.b.c") << QStringLiteral("invalid_token");
        QTest::newRow("Bearer dots only") << QByteArray("Authorization") << QByteArray("Bearer ..") << QStringLiteral("invalid_token");
        QTest::newRow("Bearer huge") << QByteArray("Authorization") << "Bearer " + QByteArray(6000, 'x') << QStringLiteral("invalid_token");
        QTest::newRow("Bearer unknown sk_") << QByteArray("Authorization") << "Bearer " + randomKey << QStringLiteral("invalid_api_key");
        QTest::newRow("Token scheme") << QByteArray("Authorization") << QByteArray("Token abc") << QStringLiteral("invalid_authorization");
    }

    void garbageCredentials()
    {
        QFETCH(QByteArray, headerName);
        QFETCH(QByteArray, headerValue);
        QFETCH(QString, code);
        if (!m_garbage) {
            m_garbage = std::make_unique<ApiTestHarness>();
            QString whyNot;
            QVERIFY2(m_garbage->start(QStringLiteral("sqlite"), &whyNot), qPrintable(whyNot));
            m_garbageOwner = m_garbage->registerOrganization(QStringLiteral("owner@garbage.test"), QStringLiteral("Garbage Org"));
        }
        QVERIFY(m_garbageOwner.valid());
        ApiTestHarness *api = m_garbage.get();
        const Account &owner = m_garbageOwner;
        HeaderList headers;
        if (!headerName.isEmpty())
            headers << qMakePair(headerName, headerValue);
        const QString before = api->snapshot(owner.organizationId);
        for (const auto &[method, path] : {qMakePair(QByteArray("GET"), QStringLiteral("/api/clients")),
                                           qMakePair(QByteArray("DELETE"), QStringLiteral("/api/team/members/") + owner.userId),
                                           qMakePair(QByteArray("GET"), QStringLiteral("/api/audit-logs"))}) {
            const ApiResponse r = api->requestRaw(method, path, {}, headers);
            QVERIFY2(r.isError(401, code), r.describe().constData());
        }
        QCOMPARE(api->snapshot(owner.organizationId), before);
    }

    void disabledMemberRefusedAtOnce()
    {
        START(api, 60000); // the member's identity is cached for a minute: disabling must not wait
        const Account admin = api.registerOrganization(QStringLiteral("admin@disable.test"), QStringLiteral("Disable Org"));
        QVERIFY(admin.valid());
        const Account agent = api.createMember(admin, QStringLiteral("agent"), QStringLiteral("agent@disable.test"));
        QVERIFY(agent.valid());
        const HeaderList byKey = ApiTestHarness::apiKey(agent.apiKey);
        const HeaderList byToken = ApiTestHarness::bearer(agent.token);
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, byKey).status, 200);
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, byToken).status, 200);

        const ApiResponse disabled = api.request("PATCH", QStringLiteral("/api/team/members/") + agent.userId,
                                                 QJsonObject{{QStringLiteral("active"), false}}, ApiTestHarness::apiKey(admin.apiKey));
        QVERIFY2(disabled.status == 200, disabled.describe().constData());
        QCOMPARE(disabled.json.value(QStringLiteral("user")).toObject().value(QStringLiteral("active")).toBool(), false);
        for (const HeaderList &h : {byKey, byToken}) {
            const ApiResponse r = api.request("GET", QStringLiteral("/api/clients"), kNoBody, h);
            QVERIFY2(r.isError(401, QStringLiteral("account_disabled")), r.describe().constData());
        }
        // Signing in is refused too, with the answer a wrong password gets, and audited.
        const ApiResponse login = loginFrom(api, "127.0.0.20", agent.email, agent.password);
        QVERIFY2(login.isError(401, QStringLiteral("invalid_credentials")), login.describe().constData());
        const QList<QJsonObject> failed = auditEntries(api, admin, QStringLiteral("login_failed"));
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().value(QStringLiteral("details")).toObject().value(QStringLiteral("reason")).toString(), QStringLiteral("account_disabled"));

        // Enabled again: the same credentials work at once.
        QCOMPARE(api.request("PATCH", QStringLiteral("/api/team/members/") + agent.userId, QJsonObject{{QStringLiteral("active"), true}},
                             ApiTestHarness::apiKey(admin.apiKey))
                     .status,
                 200);
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, byKey).status, 200);
        QCOMPARE(api.request("GET", QStringLiteral("/api/clients"), kNoBody, byToken).status, 200);
        QCOMPARE(loginFrom(api, "127.0.0.21", agent.email, agent.password).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestCredentials)
#include "tst_credentials.moc"
