// core/webhooks without a database or network: both signature schemes against fixed vectors (the
// Standard Webhooks specification's own test vector and an HMAC computed outside WaDesk), new
// secrets, the request a delivery sends (headers, signatures during a rotation, custom headers
// that cannot replace the signature headers, no redirects, a transfer timeout), the SSRF address
// policy, and the retry back-off with its jitter and cap.

#include "tests/support/WebhookReceiver.h"
#include "core/common/Version.h"
#include "core/secrets/AesGcm.h"
#include "core/webhooks/DeliveryWorker.h"
#include "core/webhooks/TargetPolicy.h"
#include "core/webhooks/WebhookRequest.h"
#include "core/webhooks/WebhookSigner.h"

#include <QHostAddress>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>
#include <QUrl>

using namespace wadesk;
using wadesk::test::WebhookReceiver;

namespace {
// https://github.com/standard-webhooks/standard-webhooks (libraries' shared test vector).
const QString kSpecSecret = QStringLiteral("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
const QString kSpecId = QStringLiteral("msg_p5jXN8AQM9LWM0D4loKWxJek");
constexpr qint64 kSpecTimestamp = 1614265330;
const QByteArray kSpecPayload = QByteArrayLiteral(R"({"test": 2432232314})");
const QByteArray kSpecSignature = QByteArrayLiteral("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");

WebhookReceiver::Request asReceived(const QNetworkRequest &request, const QByteArray &body)
{
    WebhookReceiver::Request r;
    for (const QByteArray &name : request.rawHeaderList())
        r.headers.append({name.toLower(), request.rawHeader(name)});
    r.body = body;
    return r;
}
} // namespace

class TestWebhookSigning : public QObject {
    Q_OBJECT
private slots:
    void standardWebhooksTestVector()
    {
        QCOMPARE(WebhookSigner::standardSignature(kSpecSecret, kSpecId, kSpecTimestamp, kSpecPayload), kSpecSignature);
        // The independent implementation in the test receiver agrees, so the receiver's checks
        // in the delivery tests mean what they say.
        QCOMPARE(WebhookReceiver::referenceStandardSignature(kSpecSecret, kSpecId.toUtf8(), QByteArray::number(kSpecTimestamp), kSpecPayload),
                 kSpecSignature);
        // Anything different gives another signature.
        QVERIFY(WebhookSigner::standardSignature(kSpecSecret, kSpecId, kSpecTimestamp + 1, kSpecPayload) != kSpecSignature);
        QVERIFY(WebhookSigner::standardSignature(kSpecSecret, kSpecId + QLatin1Char('x'), kSpecTimestamp, kSpecPayload) != kSpecSignature);
        QVERIFY(WebhookSigner::standardSignature(kSpecSecret, kSpecId, kSpecTimestamp, kSpecPayload + ' ') != kSpecSignature);
        // The key is the decoded part after "whsec_", not the secret string.
        QVERIFY(WebhookSigner::standardSignature(QStringLiteral("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx"), kSpecId, kSpecTimestamp, kSpecPayload)
                != kSpecSignature);
    }

    void guideSignature()
    {
        // hex HMAC-SHA256 keyed with the secret string exactly as returned (computed with Python's hmac).
        QCOMPARE(WebhookSigner::guideSignature(kSpecSecret, kSpecPayload),
                 QByteArrayLiteral("sha256=80ec8a89ce3cd22133a1066caecb4d04fea7467657c8514d717ec42c38a5c94c"));
        QCOMPARE(WebhookSigner::guideSignature(QString::fromUtf8("It\u2019s a secret"), QByteArrayLiteral(R"({"id":"evt_1"})")),
                 QByteArrayLiteral("sha256=66ab692e752beb77160b5f4daf340b81925214afcdb6ec38be6cdf252f384ed0"));
        QCOMPARE(WebhookSigner::guideSignature(kSpecSecret, kSpecPayload), WebhookReceiver::referenceGuideSignature(kSpecSecret, kSpecPayload));
    }

    void newSecrets()
    {
        QSet<QString> seen;
        for (int i = 0; i < 50; ++i) {
            const QString secret = WebhookSigner::newSecret();
            QVERIFY2(secret.startsWith(QLatin1String("whsec_")), qPrintable(secret));
            const auto key = QByteArray::fromBase64Encoding(secret.mid(6).toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            QVERIFY2(key.decodingStatus == QByteArray::Base64DecodingStatus::Ok, qPrintable(secret));
            QVERIFY(key.decoded.size() >= 24); // at least 192 bits, the spec asks for 24 to 64 bytes
            QVERIFY(key.decoded.size() <= 64);
            seen.insert(secret);
        }
        QCOMPARE(seen.size(), 50);
    }

    void requestHeaders()
    {
        WebhookRecord hook;
        hook.id = QStringLiteral("wh_1");
        hook.url = QStringLiteral("https://hooks.example.com/in?x=1");
        hook.headers = QJsonObject{{QStringLiteral("Authorization"), QStringLiteral("Bearer abc")},
                                   {QStringLiteral("X-Tenant"), QStringLiteral("42")}};
        const QByteArray body = R"({"id":"evt_abc","event":"message.sent"})";
        const QString secret = WebhookSigner::newSecret();
        const QNetworkRequest request = WebhookRequest::build(hook, {secret}, QStringLiteral("evt_abc"), QStringLiteral("message.sent"), body,
                                                              1700000000, 1500);
        QCOMPARE(request.url(), QUrl(hook.url));
        QCOMPARE(request.header(QNetworkRequest::ContentTypeHeader).toByteArray(), QByteArrayLiteral("application/json"));
        QCOMPARE(request.header(QNetworkRequest::UserAgentHeader).toByteArray(), QByteArray("WaDesk/") + kVersion);
        QCOMPARE(request.rawHeader("X-Webhook-Event"), QByteArrayLiteral("message.sent"));
        QCOMPARE(request.rawHeader("webhook-id"), QByteArrayLiteral("evt_abc"));
        QCOMPARE(request.rawHeader("webhook-timestamp"), QByteArrayLiteral("1700000000"));
        QCOMPARE(request.rawHeader("Authorization"), QByteArrayLiteral("Bearer abc"));
        QCOMPARE(request.rawHeader("X-Tenant"), QByteArrayLiteral("42"));
        QCOMPARE(request.attribute(QNetworkRequest::RedirectPolicyAttribute).toInt(), int(QNetworkRequest::ManualRedirectPolicy));
        QCOMPARE(request.transferTimeout(), 1500);
        const WebhookReceiver::Request seen = asReceived(request, body);
        QVERIFY(WebhookReceiver::guideSignatureValid(seen, secret));
        QVERIFY(WebhookReceiver::standardSignatureValid(seen, secret));
        QVERIFY(!WebhookReceiver::standardSignatureValid(seen, WebhookSigner::newSecret()));
        QVERIFY(!WebhookReceiver::guideSignatureValid(seen, WebhookSigner::newSecret()));
        QCOMPARE(request.rawHeader("webhook-signature").split(' ').size(), 1);
    }

    // Custom headers are validated at the API, but even a stored record that names signature
    // headers cannot replace them.
    void customHeadersCannotOverrideSignatures()
    {
        WebhookRecord hook;
        hook.id = QStringLiteral("wh_2");
        hook.url = QStringLiteral("https://hooks.example.com/");
        hook.headers = QJsonObject{{QStringLiteral("webhook-id"), QStringLiteral("forged")},
                                   {QStringLiteral("webhook-signature"), QStringLiteral("v1,forged")},
                                   {QStringLiteral("X-Webhook-Signature"), QStringLiteral("sha256=forged")},
                                   {QStringLiteral("X-Webhook-Event"), QStringLiteral("forged")},
                                   {QStringLiteral("webhook-timestamp"), QStringLiteral("1")}};
        const QByteArray body = "{}";
        const QString secret = WebhookSigner::newSecret();
        const QNetworkRequest request = WebhookRequest::build(hook, {secret}, QStringLiteral("evt_x"), QStringLiteral("test"), body, 1700000001, 1000);
        QCOMPARE(request.rawHeader("webhook-id"), QByteArrayLiteral("evt_x"));
        QCOMPARE(request.rawHeader("webhook-timestamp"), QByteArrayLiteral("1700000001"));
        QCOMPARE(request.rawHeader("X-Webhook-Event"), QByteArrayLiteral("test"));
        const WebhookReceiver::Request seen = asReceived(request, body);
        QVERIFY(WebhookReceiver::guideSignatureValid(seen, secret));
        QVERIFY(WebhookReceiver::standardSignatureValid(seen, secret));
        QVERIFY(!request.rawHeader("webhook-signature").contains("forged"));
    }

    void rotationSignsWithBothSecrets()
    {
        AesGcm cipher(AesGcm::randomBytes(AesGcm::kKeyBytes));
        const QString oldSecret = WebhookSigner::newSecret();
        const QString newSecret = WebhookSigner::newSecret();
        WebhookRecord hook;
        hook.id = QStringLiteral("wh_3");
        hook.url = QStringLiteral("https://hooks.example.com/");
        hook.secretSealed = QString::fromLatin1(cipher.seal(newSecret.toLatin1(), WebhookRequest::sealingContext(hook.id)));
        hook.previousSecretSealed = QString::fromLatin1(cipher.seal(oldSecret.toLatin1(), WebhookRequest::sealingContext(hook.id)));
        hook.previousSecretExpiresAt = 2000;
        QCOMPARE(WebhookRequest::activeSecrets(hook, cipher, 1999), (QStringList{newSecret, oldSecret}));
        QCOMPARE(WebhookRequest::activeSecrets(hook, cipher, 2000), (QStringList{newSecret}));
        const QByteArray body = R"({"id":"evt_r"})";
        const QNetworkRequest request = WebhookRequest::build(hook, {newSecret, oldSecret}, QStringLiteral("evt_r"), QStringLiteral("test"), body, 5, 1000);
        QCOMPARE(request.rawHeader("webhook-signature").split(' ').size(), 2);
        const WebhookReceiver::Request seen = asReceived(request, body);
        QVERIFY(WebhookReceiver::standardSignatureValid(seen, newSecret));
        QVERIFY(WebhookReceiver::standardSignatureValid(seen, oldSecret));
        QVERIFY(WebhookReceiver::guideSignatureValid(seen, newSecret)); // the guide's header carries one signature: the current secret's

        // Sealed for another webhook (or under another key): nothing opens, nothing signs.
        WebhookRecord moved = hook;
        moved.id = QStringLiteral("wh_other");
        QVERIFY(WebhookRequest::activeSecrets(moved, cipher, 0).isEmpty());
        AesGcm otherKey(AesGcm::randomBytes(AesGcm::kKeyBytes));
        QVERIFY(WebhookRequest::activeSecrets(hook, otherKey, 0).isEmpty());
    }

    void targetAddresses_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("isPrivate");
        const QList<const char *> privateOnes = {"127.0.0.1", "127.1.2.3", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1",
                                                 "172.31.255.255", "192.168.0.1", "192.168.255.255", "169.254.0.1", "169.254.169.254",
                                                 "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250",
                                                 "255.255.255.255", "::1", "::", "fe80::1", "fe80::abcd:1234", "fc00::1", "fd12:3456:789a::1",
                                                 "ff02::1", "ff0e::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:192.168.1.1",
                                                 "::ffff:169.254.169.254", "::ffff:0.0.0.0"};
        const QList<const char *> publicOnes = {"8.8.8.8", "1.1.1.1", "93.184.216.34", "11.0.0.1", "9.255.255.255", "172.15.255.255",
                                                "172.32.0.1", "192.167.255.255", "192.169.0.1", "169.253.255.255", "169.255.0.1",
                                                "100.63.255.255", "100.128.0.1", "126.255.255.255", "128.0.0.1", "223.255.255.254",
                                                "2001:4860::8888", "2001:4860:4860::8888", "2606:4700:4700::1111", "::ffff:8.8.8.8"};
        for (const char *a : privateOnes)
            QTest::newRow(a) << QString::fromLatin1(a) << true;
        for (const char *a : publicOnes)
            QTest::newRow(a) << QString::fromLatin1(a) << false;
    }

    void targetAddresses()
    {
        QFETCH(QString, address);
        QFETCH(bool, isPrivate);
        const QHostAddress parsed(address);
        QVERIFY2(!parsed.isNull() || address == QLatin1String("::") || address == QLatin1String("0.0.0.0"), qPrintable(address));
        QCOMPARE(TargetPolicy::isPrivate(parsed), isPrivate);
        const Status refused = TargetPolicy::checkAddresses(QStringLiteral("h.example"), {parsed}, false);
        QCOMPARE(refused.ok(), !isPrivate);
        if (isPrivate) {
            QCOMPARE(refused.error().code, QStringLiteral("target_not_allowed"));
            QVERIFY2(refused.error().message.contains(QLatin1String("private or local")), qPrintable(refused.error().message));
        }
        // The installation setting lets every address through.
        QVERIFY(TargetPolicy::checkAddresses(QStringLiteral("h.example"), {parsed}, true).ok());
    }

    void targetPolicyChecksEveryAddress()
    {
        // One private address among public ones is enough to refuse (a name must not smuggle one in).
        const Status mixed = TargetPolicy::checkAddresses(QStringLiteral("mixed.example"),
                                                          {QHostAddress(QStringLiteral("8.8.8.8")), QHostAddress(QStringLiteral("10.1.2.3"))}, false);
        QVERIFY(!mixed.ok());
        QVERIFY(mixed.error().message.contains(QLatin1String("10.1.2.3")));
        // A name that does not resolve is refused whatever the setting.
        QVERIFY(!TargetPolicy::checkAddresses(QStringLiteral("nowhere.invalid"), {}, false).ok());
        QVERIFY(!TargetPolicy::checkAddresses(QStringLiteral("nowhere.invalid"), {}, true).ok());
        // At registration such a name is accepted (checked at each delivery); what resolves is checked.
        QVERIFY(TargetPolicy::checkRegistration(QStringLiteral("not-yet.invalid"), {}, false).ok());
        QVERIFY(!TargetPolicy::checkRegistration(QStringLiteral("mixed.example"),
                                                 {QHostAddress(QStringLiteral("8.8.8.8")), QHostAddress(QStringLiteral("10.1.2.3"))}, false)
                     .ok());
        QVERIFY(TargetPolicy::checkRegistration(QStringLiteral("public.example"), {QHostAddress(QStringLiteral("8.8.8.8"))}, false).ok());
    }

    void targetUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("https") << QStringLiteral("https://hooks.example.com/in") << true;
        QTest::newRow("http with port") << QStringLiteral("http://hooks.example.com:8080/in?a=b") << true;
        QTest::newRow("ipv6 literal") << QStringLiteral("http://[2001:4860::8888]/in") << true;
        QTest::newRow("ftp") << QStringLiteral("ftp://hooks.example.com/") << false;
        QTest::newRow("file") << QStringLiteral("file:///etc/passwd") << false;
        QTest::newRow("relative") << QStringLiteral("/in") << false;
        QTest::newRow("no host") << QStringLiteral("http:///in") << false;
        QTest::newRow("credentials") << QStringLiteral("https://user:pw@hooks.example.com/") << false;
        QTest::newRow("too long") << QStringLiteral("https://hooks.example.com/") + QString(2100, QLatin1Char('a')) << false;
    }

    void targetUrls()
    {
        QFETCH(QString, url);
        QFETCH(bool, accepted);
        QCOMPARE(TargetPolicy::checkUrl(QUrl(url)).ok(), accepted);
    }

    void backoffSchedule()
    {
        constexpr qint64 hour = 3600 * 1000;
        for (int n = 1; n <= 11; ++n) {
            const qint64 base = (qint64(1) << n) * 1000;
            QCOMPARE(DeliveryWorker::backoffMs(n, hour, 0.5), std::min(base, hour));
            QCOMPARE(DeliveryWorker::backoffMs(n, hour, 0.0), std::min(base * 8 / 10, hour));
            QCOMPARE(DeliveryWorker::backoffMs(n, hour, 1.0), std::min(base * 12 / 10, hour));
        }
        // Never below a second, never above the cap, whatever the attempt count and jitter.
        for (int n = 0; n <= 70; ++n) {
            for (double jitter : {0.0, 0.25, 0.5, 0.75, 0.999999, 1.0}) {
                const qint64 wait = DeliveryWorker::backoffMs(n, hour, jitter);
                QVERIFY2(wait >= 1000, qPrintable(QStringLiteral("n=%1 jitter=%2: %3").arg(n).arg(jitter).arg(wait)));
                QVERIFY2(wait <= hour, qPrintable(QStringLiteral("n=%1 jitter=%2: %3 ms is over the 1 h cap").arg(n).arg(jitter).arg(wait)));
            }
        }
        // Monotonic in the attempt count for the same jitter.
        for (int n = 1; n < 40; ++n)
            QVERIFY(DeliveryWorker::backoffMs(n + 1, hour, 0.3) >= DeliveryWorker::backoffMs(n, hour, 0.3));
        // A smaller cap is honoured too.
        QCOMPARE(DeliveryWorker::backoffMs(10, 5000, 1.0), qint64(5000));
    }

    void backoffJitterSpreads()
    {
        // With random jitter the waits after the same attempt spread over ±20 % of 2^n s.
        constexpr int n = 5; // 32 s
        QSet<qint64> distinct;
        qint64 low = std::numeric_limits<qint64>::max();
        qint64 high = 0;
        for (int i = 0; i < 2000; ++i) {
            const qint64 wait = DeliveryWorker::backoffMs(n, 3600 * 1000, QRandomGenerator::global()->generateDouble());
            QVERIFY(wait >= 25600 && wait <= 38400);
            distinct.insert(wait);
            low = std::min(low, wait);
            high = std::max(high, wait);
        }
        QVERIFY2(distinct.size() > 500, qPrintable(QString::number(distinct.size())));
        QVERIFY2(low < 26500 && high > 37500, qPrintable(QStringLiteral("%1..%2").arg(low).arg(high)));
    }
};

QTEST_GUILESS_MAIN(TestWebhookSigning)
#include "tst_webhook_signing.moc"
