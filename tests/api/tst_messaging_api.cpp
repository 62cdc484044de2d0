// Messaging over real HTTP with the engine in process: a migrated SQLite database, the EventBus,
// a SessionRegistry on the main thread whose sessions load the project's fake WhatsApp Web page
// (tests/fixtures/fake-whatsapp, from file://, driven through runJavaScript("__fake…")), and the
// REST API (ApiService, its own thread) on a loopback port.
//
// One linked client is shared by the functions, which run in order: a send goes queued → sent →
// delivered → read; a send WhatsApp refuses ends failed; acks that beat the send's answer are
// kept; a base64 image reaches the page with its caption and bytes (a deleted file fails its
// message); the Idempotency-Key; validation errors change nothing; 409 for a client never
// linked; an inbound STOP makes the next send 422 and START allows it again; history filters and
// bounds; agent scoping and the viewer's 403; rate limits through PATCH and GET, and the 429 of a
// spent daily budget; pause and resume by an operator, and the automatic pause after five failed
// sends; the contacts list; an auto-reply rule answering a message reported as ciphertext first
// and delivered twice, once, through the queue to the page.

#include "tests/support/EngineApiClient.h"
#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/InMemoryMediaLibrary.h"

#include "core/api/ApiService.h"
#include "core/events/EventBus.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/engine/SessionRegistry.h"
#include "core/engine/WaSession.h"
#include "core/messaging/MessageSender.h"

#include <QBuffer>
#include <QDateTime>
#include <QImage>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QWebEnginePage>
#include <QWebEngineScript>
#include <QElapsedTimer>

#include <memory>
#include <unistd.h>

using namespace wadesk;
using wadesk::test::Account;
using wadesk::test::ApiResponse;
using wadesk::test::ApiTestHarness;
using wadesk::test::EngineApiClient;
using wadesk::test::HeaderList;

namespace {

constexpr int kWaitMs = 30000;
const QString kOwnPhone = QStringLiteral("14155552671"); // the linked account: a US number

QUrl fakeUrl()
{
    QUrl url = QUrl::fromLocalFile(QDir(test::FakeWhatsAppServer::defaultFixtureDirectory()).filePath(QStringLiteral("index.html")));
    QUrlQuery query;
    for (const auto &[key, value] : QList<QPair<QString, QString>>{{QStringLiteral("readyMs"), QStringLiteral("50")},
                                                                    {QStringLiteral("qrFirstMs"), QStringLiteral("30000")},
                                                                    {QStringLiteral("qrMax"), QStringLiteral("100")},
                                                                    {QStringLiteral("syncMs"), QStringLiteral("200")},
                                                                    {QStringLiteral("ackMs"), QStringLiteral("30")}})
        query.addQueryItem(key, value);
    url.setQuery(query);
    return url;
}

QVariant runJs(QWebEnginePage *page, const QString &code, int timeoutMs = 10000)
{
    if (!page)
        return {};
    auto state = std::make_shared<std::pair<bool, QVariant>>(false, QVariant());
    page->runJavaScript(code, QWebEngineScript::MainWorld, [state](const QVariant &v) {
        state->first = true;
        state->second = v;
    });
    if (!QTest::qWaitFor([&] { return state->first; }, timeoutMs))
        qWarning("runJavaScript timed out: %s", qPrintable(code.left(200)));
    return state->second;
}

QJsonValue js(QWebEnginePage *page, const QString &expr)
{
    const QString code = QStringLiteral("JSON.stringify({v: (function () { return (%1); })()})").arg(expr);
    return QJsonDocument::fromJson(runJs(page, code).toString().toUtf8()).object().value(QLatin1String("v"));
}

QString compact(const QJsonValue &v)
{
    return QString::fromUtf8(v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                                         : QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
}

} // namespace

class TestMessagingApi : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    EventBus m_bus;
    QList<Event> m_events;
    test::InMemoryMediaLibrary m_media; // outlives the registry and the API
    std::unique_ptr<SessionRegistry> m_registry;
    std::unique_ptr<ApiService> m_api;
    EngineApiClient m_http;
    Account m_admin;
    QString m_client;   // linked
    QString m_unlinked; // created, never linked

    HeaderList key() const { return ApiTestHarness::apiKey(m_admin.apiKey); }
    WaSession *session() const { return m_registry ? m_registry->session(m_client) : nullptr; }
    QWebEnginePage *page() const { return session() ? session()->page() : nullptr; }
    QJsonObject fake(const QString &call) { return js(page(), QStringLiteral("__fake.") + call).toObject(); }

    ApiResponse send(const QString &to, const QString &text, const HeaderList &headers, const QString &client = QString())
    {
        return m_http.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(client.isEmpty() ? m_client : client),
                              QJsonObject{{QStringLiteral("to"), to}, {QStringLiteral("message"), text}}, headers);
    }
    ApiResponse send(const QString &to, const QString &text) { return send(to, text, key()); }

    ApiResponse get(const QString &path, const HeaderList &headers)
    {
        return m_http.request("GET", path, QJsonValue(QJsonValue::Undefined), headers);
    }
    ApiResponse get(const QString &path) { return get(path, key()); }

    QString statusOf(const QString &messageId) { return get(QStringLiteral("/api/messages/") + messageId).json.value(QLatin1String("status")).toString(); }

    bool waitStatus(const QString &messageId, const QString &wanted, int timeoutMs = kWaitMs)
    {
        QString last;
        const bool ok = QTest::qWaitFor(
            [&] {
                last = statusOf(messageId);
                return last == wanted;
            },
            timeoutMs);
        if (!ok)
            qWarning("message %s: wanted %s, is %s", qPrintable(messageId), qPrintable(wanted), qPrintable(last));
        return ok;
    }

    int scalar(const QString &sqlText, const QVariantList &bind = {})
    {
        SqlRunner sql(*m_db);
        Result<QSqlQuery> q = sql.run(sqlText, bind);
        if (!q || !q.value().next())
            return -1;
        return q.value().value(0).toInt();
    }
    // Messages (each accepted one has its queue entry), contacts and audit entries: what a
    // refused request must not touch. (The queue itself shrinks as the sender works.)
    QString footprint()
    {
        return QStringLiteral("%1/%2/%3")
            .arg(scalar(QStringLiteral("SELECT COUNT(*) FROM messages")))
            .arg(scalar(QStringLiteral("SELECT COUNT(*) FROM contacts")))
            .arg(scalar(QStringLiteral("SELECT COUNT(*) FROM audit_logs")));
    }

    ApiResponse patchLimits(int perMinute, int perHour, int perDay)
    {
        return m_http.request("PATCH", QStringLiteral("/api/clients/") + m_client,
                              QJsonObject{{QStringLiteral("rate_limits"), QJsonObject{{QStringLiteral("per_minute"), perMinute},
                                                                                     {QStringLiteral("per_hour"), perHour},
                                                                                     {QStringLiteral("per_day"), perDay}}}},
                              key());
    }

    QList<Event> eventsOf(const QString &type) const
    {
        QList<Event> out;
        for (const Event &e : m_events) {
            if (e.type == type)
                out << e;
        }
        return out;
    }

    int sentOnPage() { return js(page(), QStringLiteral("__fake.state().sent.length")).toInt(); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QObject::connect(&m_bus, &EventBus::published, &m_bus, [this](const Event &e) { m_events << e; });
        Result<DatabaseUrl> url = DatabaseUrl::parse(QStringLiteral("wadesk.db"), m_dir.path());
        QVERIFY(url.ok());
        m_db = std::make_unique<Database>(url.value());
        const Result<int> migrated = Migrator(*m_db, Migrator::embeddedDirectory(QStringLiteral("sqlite"))).migrate();
        QVERIFY2(migrated.ok(), migrated ? "" : qPrintable(migrated.error().message));

        EngineSettings engine;
        engine.dataDir = m_dir.path();
        engine.url = fakeUrl();
        engine.injectWaJs = false;
        engine.heartbeatIntervalMs = 250;
        engine.heartbeatTimeoutMs = 15000;
        engine.readyTimeoutMs = 20000;
        MessagingSettings messaging;
        messaging.pacing = PacingSettings{0, 0, 0, 0, 0, 0.0, 0, 0};
        messaging.defaultTiers = RateTiers{1000, 10000, 100000};
        m_registry = std::make_unique<SessionRegistry>(*m_db, m_bus, engine, messaging);
        m_registry->setMediaLibrary(&m_media);
        ApiService::Options o;
        o.services.auth.passwordCost = PasswordHasher::Cost::Minimal;
        o.api.healthCacheMs = 0;
        o.services.auth.authCacheMs = 0;
        o.shared.sessions = m_registry.get();
        o.services.messaging = messaging;
        o.shared.database = m_db.get();
        o.shared.media = &m_media;
        o.shared.jwtKey = QByteArrayLiteral("messaging-test-jwt-key-0123456789abcdef0123456789");
        o.api.port = 0;
        m_api = std::make_unique<ApiService>(o);
        const Result<quint16> port = m_api->start();
        QVERIFY(port.ok());
        m_http.setPort(port.value());

        m_admin = m_http.registerOrganization(QStringLiteral("admin@messaging.test"), QStringLiteral("Messaging Org"));
        QVERIFY(m_admin.valid());
        m_client = m_http.createClient(m_admin, QStringLiteral("Front desk"));
        m_unlinked = m_http.createClient(m_admin, QStringLiteral("Never linked"));
        QVERIFY(!m_client.isEmpty() && !m_unlinked.isEmpty());
        const ApiResponse init = m_http.request("POST", QStringLiteral("/api/clients/%1/init").arg(m_client), QJsonObject{}, key());
        QVERIFY2(init.status == 200, init.describe().constData());

        // Scan the QR code on the page: ready.
        QVERIFY(QTest::qWaitFor([&] { return session() && session()->state() == SessionState::Qr; }, kWaitMs));
        QVERIFY(QTest::qWaitFor([&] { return js(page(), QStringLiteral("__fake.state().qr !== null")).toBool(); }, kWaitMs));
        QVERIFY(fake(QStringLiteral("scan('%1')").arg(kOwnPhone)).value(QLatin1String("ok")).toBool());
        QVERIFY(QTest::qWaitFor([&] { return session()->state() == SessionState::Ready; }, kWaitMs));
        bool ready = false;
        m_http.waitForStatus(m_admin, m_client, {QStringLiteral("ready")}, kWaitMs, &ready);
        QVERIFY(ready);
        // The linked number is known (sends without a country code use its country).
        QTRY_COMPARE_WITH_TIMEOUT(get(QStringLiteral("/api/clients/") + m_client).json.value(QLatin1String("client")).toObject()
                                      .value(QLatin1String("phone_number")).toString(),
                                  QStringLiteral("+") + kOwnPhone, kWaitMs);
    }

    void cleanupTestCase()
    {
        if (m_api)
            m_api->stop(0);
        m_api.reset();
        m_registry.reset();
        if (m_db)
            m_db->closeThreadConnection();
    }

    // The acceptance: queued at once, then sent, delivered and read as the page acks; every
    // change with its time; the events in order. A national number takes the client's country;
    // a number that is not on WhatsApp fails with a clear reason.
    void sendGoesQueuedToRead()
    {
        fake(QStringLiteral("configure({ackMs: 400})"));
        const int sentBefore = sentOnPage();
        QElapsedTimer answered;
        answered.start();
        const ApiResponse r = send(QStringLiteral("(415) 555-0101"), QStringLiteral("Hello from WaDesk"));
        QVERIFY2(r.status == 200, r.describe().constData());
        QVERIFY2(answered.elapsed() < 2000, qPrintable(QString::number(answered.elapsed())));
        QCOMPARE(r.json.value(QLatin1String("message")).toString(), QStringLiteral("Message sent successfully"));
        QCOMPARE(r.json.value(QLatin1String("status")).toString(), QStringLiteral("queued"));
        const QString id = r.json.value(QLatin1String("messageId")).toString();
        QVERIFY(id.startsWith(QLatin1String("msg_")));

        QStringList seen;
        QVERIFY(QTest::qWaitFor(
            [&] {
                const QString s = statusOf(id);
                if (!s.isEmpty() && (seen.isEmpty() || seen.last() != s))
                    seen << s;
                return s == QLatin1String("read");
            },
            kWaitMs));
        const QStringList order{QStringLiteral("queued"), QStringLiteral("sending"), QStringLiteral("sent"), QStringLiteral("delivered"),
                                QStringLiteral("read")};
        for (int i = 1; i < seen.size(); ++i)
            QVERIFY2(order.indexOf(seen.at(i)) > order.indexOf(seen.at(i - 1)), qPrintable(seen.join(QLatin1String(" → "))));
        QVERIFY2(seen.contains(QStringLiteral("sent")) && seen.contains(QStringLiteral("delivered")), qPrintable(seen.join(QLatin1String(" → "))));

        const QJsonObject m = get(QStringLiteral("/api/messages/") + id).json;
        QCOMPARE(m.value(QLatin1String("id")).toString(), id);
        QCOMPARE(m.value(QLatin1String("client_id")).toString(), m_client);
        QCOMPARE(m.value(QLatin1String("contact_id")).toString(), QStringLiteral("+14155550101"));
        QCOMPARE(m.value(QLatin1String("message_text")).toString(), QStringLiteral("Hello from WaDesk"));
        QCOMPARE(m.value(QLatin1String("direction")).toString(), QStringLiteral("outbound"));
        QVERIFY(m.value(QLatin1String("failure_reason")).isNull());
        QVERIFY(m.value(QLatin1String("wa_message_id")).toString().startsWith(QLatin1String("true_14155550101@c.us_")));
        QStringList times;
        for (const char *field : {"created_at", "sending_at", "sent_at", "delivered_at", "read_at"}) {
            const QString t = m.value(QLatin1String(field)).toString();
            QVERIFY2(QDateTime::fromString(t, Qt::ISODateWithMs).isValid(), field);
            times << t;
        }
        for (int i = 1; i < times.size(); ++i)
            QVERIFY2(times.at(i) >= times.at(i - 1), qPrintable(times.join(QLatin1Char(' '))));
        QVERIFY(m.value(QLatin1String("failed_at")).isNull());

        // The page got exactly this one message, after the number check.
        QCOMPARE(sentOnPage(), sentBefore + 1);
        const QJsonObject last = js(page(), QStringLiteral("__fake.state().sent.slice(-1)[0]")).toObject();
        QCOMPARE(last.value(QLatin1String("to")).toString(), QStringLiteral("14155550101@c.us"));
        QCOMPARE(last.value(QLatin1String("body")).toString(), QStringLiteral("Hello from WaDesk"));
        QVERIFY(js(page(), QStringLiteral("__fake.state().queries")).toArray().contains(QStringLiteral("14155550101")));

        QStringList types;
        for (const Event &e : m_events) {
            if (e.data.value(QLatin1String("messageId")).toString() == id)
                types << e.type;
        }
        QCOMPARE(types, (QStringList{QStringLiteral("message.sent"), QStringLiteral("message.delivered"), QStringLiteral("message.read")}));
        // The page's echo of its own send is not a second message.
        QCOMPARE(get(QStringLiteral("/api/clients/%1/messages?contact=%2").arg(m_client, QStringLiteral("%2B14155550101")))
                     .json.value(QLatin1String("total")).toInt(),
                 1);

        // Not on WhatsApp (the fake's numbers ending in 0000).
        const ApiResponse nobody = send(QStringLiteral("+14155550000"), QStringLiteral("Anyone?"));
        QVERIFY2(nobody.status == 200, nobody.describe().constData());
        const QString nobodyId = nobody.json.value(QLatin1String("messageId")).toString();
        QVERIFY(waitStatus(nobodyId, QStringLiteral("failed")));
        const QJsonObject failed = get(QStringLiteral("/api/messages/") + nobodyId).json;
        QCOMPARE(failed.value(QLatin1String("failure_reason")).toString(), QStringLiteral("the number is not on WhatsApp"));
        QVERIFY(!failed.value(QLatin1String("failed_at")).isNull());
        QCOMPARE(sentOnPage(), sentBefore + 1);
        fake(QStringLiteral("configure({ackMs: 30})"));

        const ApiResponse missing = get(QStringLiteral("/api/messages/msg_01HZZZZZZZZZZZZZZZZZZZZZZZ"));
        QVERIFY2(missing.isError(404, QStringLiteral("not_found")), missing.describe().constData());
    }

    // WhatsApp refuses a send (ack -1, then a result other than OK): the message ends failed
    // with the reason and one message.failed, never `sent`.
    void refusedSendEndsFailed()
    {
        fake(QStringLiteral("configure({refuseSends: 1})"));
        const ApiResponse r = send(QStringLiteral("+14155550161"), QStringLiteral("This one is refused"));
        QVERIFY2(r.status == 200, r.describe().constData());
        const QString id = r.json.value(QLatin1String("messageId")).toString();
        QVERIFY(waitStatus(id, QStringLiteral("failed")));
        QTest::qWait(800); // the page's ack -1 and anything late
        const QJsonObject m = get(QStringLiteral("/api/messages/") + id).json;
        QCOMPARE(m.value(QLatin1String("status")).toString(), QStringLiteral("failed"));
        QVERIFY2(m.value(QLatin1String("failure_reason")).toString().contains(QLatin1String("refused")),
                 qPrintable(m.value(QLatin1String("failure_reason")).toString()));
        QVERIFY(m.value(QLatin1String("sent_at")).isNull());
        QVERIFY(m.value(QLatin1String("wa_message_id")).toString().startsWith(QLatin1String("true_14155550161@c.us_")));
        QStringList types;
        for (const Event &e : m_events) {
            if (e.data.value(QLatin1String("messageId")).toString() == id)
                types << e.type;
        }
        QCOMPARE(types, QStringList{QStringLiteral("message.failed")});
        QCOMPARE(js(page(), QStringLiteral("__fake.state().config.refuseSends")).toInt(), 0);
    }

    // GET /metrics follows what the page did: a send and a refusal move the outcome counters by
    // one each, and the send route's request counter by two.
    void metricsCountSends()
    {
        auto sample = [&](const QByteArray &series) -> double {
            const ApiResponse r = m_http.request("GET", QStringLiteral("/metrics"), QJsonValue(QJsonValue::Undefined), {});
            for (const QByteArray &line : r.body.split('\n')) {
                if (line.startsWith(series + ' '))
                    return line.mid(series.size() + 1).toDouble();
            }
            return 0; // a counter not written yet has not moved from zero
        };
        const QByteArray sent = "wadesk_messages_sent_total{outcome=\"sent\"}";
        const QByteArray failed = "wadesk_messages_sent_total{outcome=\"failed\"}";
        const QByteArray accepted = "wadesk_http_requests_total{method=\"POST\",route=\"/api/clients/:clientId/send-message\",status=\"200\"}";
        const double sentBefore = sample(sent);
        const double failedBefore = sample(failed);
        const double acceptedBefore = sample(accepted);

        const ApiResponse ok = send(QStringLiteral("+14155550171"), QStringLiteral("Counted"));
        QVERIFY2(ok.status == 200, ok.describe().constData());
        QVERIFY(waitStatus(ok.json.value(QLatin1String("messageId")).toString(), QStringLiteral("sent")));
        fake(QStringLiteral("configure({refuseSends: 1})"));
        const ApiResponse refused = send(QStringLiteral("+14155550172"), QStringLiteral("Counted as failed"));
        QVERIFY2(refused.status == 200, refused.describe().constData());
        QVERIFY(waitStatus(refused.json.value(QLatin1String("messageId")).toString(), QStringLiteral("failed")));

        QCOMPARE(sample(sent), sentBefore + 1);
        QCOMPARE(sample(failed), failedBefore + 1);
        QCOMPARE(sample(accepted), acceptedBefore + 2);
    }

    // A contact who reads at once: delivered and read reach WaDesk before the send's answer.
    // They are held and applied once the id is recorded: the message ends read.
    void acksBeforeTheSendAnswerAreKept()
    {
        fake(QStringLiteral("configure({fastAck: 3})"));
        const ApiResponse r = send(QStringLiteral("+14155550162"), QStringLiteral("Quick reader"));
        QVERIFY2(r.status == 200, r.describe().constData());
        const QString id = r.json.value(QLatin1String("messageId")).toString();
        QVERIFY(waitStatus(id, QStringLiteral("read")));
        fake(QStringLiteral("configure({fastAck: 0})"));
        const QJsonObject m = get(QStringLiteral("/api/messages/") + id).json;
        QVERIFY(!m.value(QLatin1String("delivered_at")).isNull());
        QStringList types;
        for (const Event &e : m_events) {
            if (e.data.value(QLatin1String("messageId")).toString() == id)
                types << e.type;
        }
        QCOMPARE(types, (QStringList{QStringLiteral("message.sent"), QStringLiteral("message.delivered"), QStringLiteral("message.read")}));
    }

    // The guide's Example 3: send-message with `media` (a base64 PNG) → an image message,
    // queued like a text; the page receives the image with its caption and the same bytes;
    // the message and its events carry type, media_id, caption and filename.
    void sendsAnImageWithItsCaption()
    {
        QImage image(6, 4, QImage::Format_RGB32);
        image.fill(qRgb(20, 120, 220));
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(image.save(&buffer, "PNG"));
        const ApiResponse r = m_http.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(m_client),
                                             QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550171")},
                                                         {QStringLiteral("message"), QStringLiteral("Check out our new products!")},
                                                         {QStringLiteral("media"), QString::fromLatin1(png.toBase64())}},
                                             key());
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("status")).toString(), QStringLiteral("queued"));
        const QString id = r.json.value(QLatin1String("messageId")).toString();
        QVERIFY(waitStatus(id, QStringLiteral("read")));

        const QJsonObject onPage = js(page(), QStringLiteral("__fake.state().sent.slice(-1)[0]")).toObject();
        QCOMPARE(onPage.value(QLatin1String("to")).toString(), QStringLiteral("14155550171@c.us"));
        QCOMPARE(onPage.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QCOMPARE(onPage.value(QLatin1String("mimetype")).toString(), QStringLiteral("image/png"));
        QCOMPARE(onPage.value(QLatin1String("caption")).toString(), QStringLiteral("Check out our new products!"));
        QCOMPARE(QByteArray::fromBase64(onPage.value(QLatin1String("data")).toString().toLatin1()), png);

        const QJsonObject m = get(QStringLiteral("/api/messages/") + id).json;
        QCOMPARE(m.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        const QString mediaId = m.value(QLatin1String("media_id")).toString();
        QVERIFY(mediaId.startsWith(QLatin1String("media_")));
        QCOMPARE(m.value(QLatin1String("caption")).toString(), QStringLiteral("Check out our new products!"));
        QCOMPARE(m.value(QLatin1String("message_text")).toString(), QStringLiteral("Check out our new products!"));
        QCOMPARE(m.value(QLatin1String("filename")).toString(), onPage.value(QLatin1String("filename")).toString());
        QCOMPARE(m_media.readAll(m_admin.organizationId, mediaId).value(), png);
        int withFile = 0;
        for (const Event &e : m_events) {
            if (e.data.value(QLatin1String("messageId")).toString() != id)
                continue;
            QCOMPARE(e.data.value(QLatin1String("type")).toString(), QStringLiteral("image"));
            QCOMPARE(e.data.value(QLatin1String("media_id")).toString(), mediaId);
            QCOMPARE(e.data.value(QLatin1String("caption")).toString(), QStringLiteral("Check out our new products!"));
            ++withFile;
        }
        QCOMPARE(withFile, 3); // sent, delivered, read

        // A file deleted before its message goes out: failed with the reason, nothing sent.
        const int sentBefore = sentOnPage();
        QVERIFY(session()->page());
        m_registry->sender(m_client)->setPaused(true);
        const ApiResponse later = m_http.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(m_client),
                                                 QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550172")},
                                                             {QStringLiteral("media_id"), mediaId}},
                                                 key());
        QVERIFY2(later.status == 200, later.describe().constData());
        const QString laterId = later.json.value(QLatin1String("messageId")).toString();
        QVERIFY(m_media.remove(mediaId));
        m_registry->sender(m_client)->setPaused(false);
        QVERIFY(waitStatus(laterId, QStringLiteral("failed")));
        QCOMPARE(get(QStringLiteral("/api/messages/") + laterId).json.value(QLatin1String("failure_reason")).toString(),
                 QStringLiteral("the media %1 is no longer stored").arg(mediaId));
        QCOMPARE(sentOnPage(), sentBefore);
    }

    // The same key and body: the first answer again, marked as a replay, and one message only.
    // The same key with another body: 422. Keys are per organization.
    void idempotencyKey()
    {
        const HeaderList withKey = key() << qMakePair(QByteArrayLiteral("Idempotency-Key"), QByteArrayLiteral("order-1001-confirmation"));
        const int before = sentOnPage();
        const ApiResponse first = send(QStringLiteral("+14155550102"), QStringLiteral("Order 1001 confirmed"), withKey);
        QVERIFY2(first.status == 200, first.describe().constData());
        QVERIFY(first.header("idempotent-replayed").isEmpty());
        const QString id = first.json.value(QLatin1String("messageId")).toString();
        const QString footprint1 = footprint();
        const ApiResponse again = send(QStringLiteral("+14155550102"), QStringLiteral("Order 1001 confirmed"), withKey);
        QVERIFY2(again.status == 200, again.describe().constData());
        QCOMPARE(again.json.value(QLatin1String("messageId")).toString(), id);
        QCOMPARE(again.header("idempotent-replayed"), QByteArrayLiteral("true"));
        // The same number written differently is the same request.
        const ApiResponse national = send(QStringLiteral("415-555-0102"), QStringLiteral("Order 1001 confirmed"), withKey);
        QVERIFY2(national.status == 200, national.describe().constData());
        QCOMPARE(national.json.value(QLatin1String("messageId")).toString(), id);
        QCOMPARE(footprint(), footprint1);

        const ApiResponse other = send(QStringLiteral("+14155550102"), QStringLiteral("Order 1001 cancelled"), withKey);
        QVERIFY2(other.isError(422, QStringLiteral("idempotency_key_reused")), other.describe().constData());
        QCOMPARE(footprint(), footprint1);

        QVERIFY(waitStatus(id, QStringLiteral("read")));
        const ApiResponse late = send(QStringLiteral("+14155550102"), QStringLiteral("Order 1001 confirmed"), withKey);
        QCOMPARE(late.json.value(QLatin1String("messageId")).toString(), id);
        QTest::qWait(300);
        QCOMPARE(sentOnPage(), before + 1);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'send_message' AND resource_id = ?"), {id}), 1);
    }

    // Refused requests store nothing: no message, no queue entry, no contact, no audit entry.
    void validationErrorsChangeNothing()
    {
        const QString before = footprint();
        struct Case {
            QJsonObject body;
            int status;
            QString code;
        };
        const QString tooLong(4097, QLatin1Char('a'));
        const QList<Case> cases{
            {{{QStringLiteral("to"), QStringLiteral("not a number")}, {QStringLiteral("message"), QStringLiteral("hi")}}, 400, QStringLiteral("invalid_phone_number")},
            {{{QStringLiteral("to"), QStringLiteral("+1415")}, {QStringLiteral("message"), QStringLiteral("hi")}}, 400, QStringLiteral("invalid_phone_number")},
            {{{QStringLiteral("to"), QStringLiteral("+14155550103")}, {QStringLiteral("message"), QString()}}, 400, QStringLiteral("validation_failed")},
            {{{QStringLiteral("to"), QStringLiteral("+14155550103")}, {QStringLiteral("message"), QStringLiteral("  \n ")}}, 400, QStringLiteral("validation_failed")},
            {{{QStringLiteral("to"), QStringLiteral("+14155550103")}, {QStringLiteral("message"), tooLong}}, 400, QStringLiteral("validation_failed")},
            {{{QStringLiteral("to"), QStringLiteral("+14155550103")}}, 400, QStringLiteral("validation_failed")},
            {{{QStringLiteral("message"), QStringLiteral("hi")}}, 400, QStringLiteral("validation_failed")},
            {{{QStringLiteral("to"), 14155550103.0}, {QStringLiteral("message"), QStringLiteral("hi")}}, 400, QStringLiteral("validation_failed")},
        };
        for (const Case &c : cases) {
            const ApiResponse r = m_http.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(m_client), c.body, key());
            QVERIFY2(r.isError(c.status, c.code), qPrintable(compact(c.body).left(120) + QLatin1String(" → ") + QString::fromUtf8(r.describe())));
        }
        // 4096 characters is the limit, counted in characters (an emoji is one).
        const ApiResponse emoji = send(QStringLiteral("+14155550103"), QString(4095, QLatin1Char('b')) + QStringLiteral("🙂🙂"));
        QVERIFY2(emoji.isError(400, QStringLiteral("validation_failed")), emoji.describe().constData());
        QCOMPARE(footprint(), before);

        // Not JSON: 415, and a body that is not JSON at all: 400.
        test::HttpTestClient raw;
        QVERIFY(raw.connectTo(m_http.port()));
        const QByteArray body = R"({"to":"+14155550103","message":"hi"})";
        raw.send(test::HttpTestClient::request("POST", QStringLiteral("/api/clients/%1/send-message").arg(m_client).toUtf8(),
                                               "X-API-Key: " + m_admin.apiKey.toUtf8() + "\r\nContent-Type: text/plain\r\n", body));
        const test::HttpTestResponse plain = raw.waitResponse();
        QCOMPARE(plain.status, 415);
        QCOMPARE(plain.json().value(QLatin1String("code")).toString(), QStringLiteral("unsupported_media_type"));
        raw.send(test::HttpTestClient::request("POST", QStringLiteral("/api/clients/%1/send-message").arg(m_client).toUtf8(),
                                               "X-API-Key: " + m_admin.apiKey.toUtf8() + "\r\nContent-Type: application/json\r\n",
                                               R"({"to":"+14155550103","message":)"));
        const test::HttpTestResponse broken = raw.waitResponse();
        QCOMPARE(broken.status, 400);
        QCOMPARE(broken.json().value(QLatin1String("code")).toString(), QStringLiteral("invalid_json"));
        QCOMPARE(footprint(), before);

        // Unknown client, no credentials.
        QVERIFY(send(QStringLiteral("+14155550103"), QStringLiteral("hi"), key(), QStringLiteral("client_01HZZZZZZZZZZZZZZZZZZZZZZZ"))
                    .isError(404, QStringLiteral("not_found")));
        QVERIFY(send(QStringLiteral("+14155550103"), QStringLiteral("hi"), HeaderList{}).isError(401, QStringLiteral("auth_required")));
        QCOMPARE(footprint(), before);

        // The limit itself is fine.
        const ApiResponse exact = send(QStringLiteral("+14155550103"), QString(4096, QLatin1Char('c')));
        QVERIFY2(exact.status == 200, exact.describe().constData());
        QVERIFY(waitStatus(exact.json.value(QLatin1String("messageId")).toString(), QStringLiteral("read")));
    }

    void unlinkedClientIsNotReady()
    {
        const QString before = footprint();
        const ApiResponse r = send(QStringLiteral("+14155550104"), QStringLiteral("hi"), key(), m_unlinked);
        QVERIFY2(r.isError(409, QStringLiteral("client_not_ready")), r.describe().constData());
        QCOMPARE(footprint(), before);
    }

    // An inbound STOP (exactly, any case) opts the contact out: the next send is 422 and nothing
    // is stored; START opts back in. Both are audited; the contacts list shows the flag.
    void inboundStopAndStart()
    {
        const QString phone = QStringLiteral("+14155550777");
        QVERIFY(send(phone, QStringLiteral("Welcome!")).status == 200);
        QVERIFY(fake(QStringLiteral("incoming({from: '14155550777', body: 'Stop', twice: true})")).value(QLatin1String("ok")).toBool());
        QTRY_VERIFY_WITH_TIMEOUT(get(QStringLiteral("/api/contacts?opted_out=true")).json.value(QLatin1String("total")).toInt() == 1, kWaitMs);
        const QJsonObject contact = get(QStringLiteral("/api/contacts?opted_out=true")).json.value(QLatin1String("contacts")).toArray().first().toObject();
        QCOMPARE(contact.value(QLatin1String("phone_number")).toString(), phone);
        QVERIFY(contact.value(QLatin1String("opted_out")).toBool());
        QVERIFY(!contact.value(QLatin1String("opted_out_at")).isNull());
        QCOMPARE(contact.value(QLatin1String("wa_id")).toString(), QStringLiteral("14155550777@c.us"));

        const QString before = footprint();
        const ApiResponse refused = send(phone, QStringLiteral("Our offer"));
        QVERIFY2(refused.isError(422, QStringLiteral("contact_opted_out")), refused.describe().constData());
        const ApiResponse national = send(QStringLiteral("4155550777"), QStringLiteral("Our offer"));
        QVERIFY2(national.isError(422, QStringLiteral("contact_opted_out")), national.describe().constData());
        QCOMPARE(footprint(), before);

        // The STOP itself is in the history once (delivered twice by the page).
        QTRY_COMPARE(get(QStringLiteral("/api/clients/%1/messages?contact=%2&direction=inbound").arg(m_client, QStringLiteral("%2B14155550777")))
                         .json.value(QLatin1String("total")).toInt(),
                     1);

        QVERIFY(fake(QStringLiteral("incoming({from: '14155550777', body: 'START'})")).value(QLatin1String("ok")).toBool());
        QTRY_VERIFY_WITH_TIMEOUT(get(QStringLiteral("/api/contacts?opted_out=true")).json.value(QLatin1String("total")).toInt() == 0, kWaitMs);
        const ApiResponse allowed = send(phone, QStringLiteral("Thanks for coming back"));
        QVERIFY2(allowed.status == 200, allowed.describe().constData());
        QVERIFY(waitStatus(allowed.json.value(QLatin1String("messageId")).toString(), QStringLiteral("read")));

        QStringList actions;
        SqlRunner sql(*m_db);
        Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT action FROM audit_logs WHERE action LIKE 'contact_opted%' ORDER BY seq"));
        while (q && q.value().next())
            actions << q.value().value(0).toString();
        QCOMPARE(actions, (QStringList{QStringLiteral("contact_opted_out"), QStringLiteral("contact_opted_in")}));
        QCOMPARE(eventsOf(QStringLiteral("message.received")).size() >= 2, true);

        // The contacts list: search by number part and by name, the flag both ways.
        const ApiResponse patched = m_http.request("PATCH", QStringLiteral("/api/contacts/") + contact.value(QLatin1String("id")).toString(),
                                                   QJsonObject{{QStringLiteral("name"), QStringLiteral("Maria Lopez")},
                                                               {QStringLiteral("tags"), QJsonArray{QStringLiteral("vip")}}},
                                                   key());
        QVERIFY2(patched.status == 200, patched.describe().constData());
        QCOMPARE(get(QStringLiteral("/api/contacts?search=0777")).json.value(QLatin1String("total")).toInt(), 1);
        QCOMPARE(get(QStringLiteral("/api/contacts?search=lopez")).json.value(QLatin1String("total")).toInt(), 1);
        QCOMPARE(get(QStringLiteral("/api/contacts?tag=vip")).json.value(QLatin1String("total")).toInt(), 1);
        QCOMPARE(get(QStringLiteral("/api/contacts?search=nobody-like-this")).json.value(QLatin1String("total")).toInt(), 0);
        QVERIFY(get(QStringLiteral("/api/contacts?opted_out=false")).json.value(QLatin1String("total")).toInt() >= 4);
        QVERIFY(get(QStringLiteral("/api/contacts?opted_out=maybe")).isError(400, QStringLiteral("validation_failed")));
        // Opting out by hand works like the keyword.
        QVERIFY(m_http.request("PATCH", QStringLiteral("/api/contacts/") + contact.value(QLatin1String("id")).toString(),
                               QJsonObject{{QStringLiteral("opted_out"), true}}, key())
                    .status
                == 200);
        QVERIFY(send(phone, QStringLiteral("again")).isError(422, QStringLiteral("contact_opted_out")));
        QVERIFY(m_http.request("PATCH", QStringLiteral("/api/contacts/") + contact.value(QLatin1String("id")).toString(),
                               QJsonObject{{QStringLiteral("opted_out"), false}}, key())
                    .status
                == 200);
    }

    // History of one client: newest first, filters (direction, status, contact, since, until),
    // paging with the total, and the bounds of limit.
    void historyFiltersAndBounds()
    {
        const QString base = QStringLiteral("/api/clients/%1/messages").arg(m_client);
        // A marker in time, then three messages to one new contact and one inbound from it. The
        // page stamps incoming messages in whole seconds: the reply waits for the next second so
        // that it is the newest.
        auto nextSecond = [] { QTest::qWait(1020 - int(QDateTime::currentMSecsSinceEpoch() % 1000)); };
        QTest::qWait(20);
        const QString since = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        QTest::qWait(20);
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            const ApiResponse r = send(QStringLiteral("+14155550888"), QStringLiteral("history %1").arg(i + 1));
            QVERIFY(r.status == 200);
            ids << r.json.value(QLatin1String("messageId")).toString();
            QTest::qWait(5);
        }
        nextSecond();
        QVERIFY(fake(QStringLiteral("incoming({from: '14155550888', body: 'got them, thanks'})")).value(QLatin1String("ok")).toBool());
        for (const QString &id : ids)
            QVERIFY(waitStatus(id, QStringLiteral("read")));
        const QString contact = QStringLiteral("%2B14155550888");
        QTRY_COMPARE(get(base + QStringLiteral("?contact=") + contact).json.value(QLatin1String("total")).toInt(), 4);

        ApiResponse r = get(base + QStringLiteral("?contact=") + contact);
        QCOMPARE(r.json.value(QLatin1String("count")).toInt(), 4);
        QJsonArray list = r.json.value(QLatin1String("messages")).toArray();
        QCOMPARE(list.first().toObject().value(QLatin1String("direction")).toString(), QStringLiteral("inbound")); // newest first
        QCOMPARE(list.first().toObject().value(QLatin1String("status")).toString(), QStringLiteral("received"));
        QCOMPARE(list.first().toObject().value(QLatin1String("contact_id")).toString(), QStringLiteral("+14155550888"));
        QCOMPARE(list.last().toObject().value(QLatin1String("id")).toString(), ids.first());
        for (const QJsonValue &v : list) {
            const QJsonObject m = v.toObject();
            for (const char *field : {"id", "contact_id", "message_text", "direction", "status", "created_at"})
                QVERIFY2(m.contains(QLatin1String(field)), field);
        }
        // The national form of the number finds the same contact.
        QCOMPARE(get(base + QStringLiteral("?contact=4155550888")).json.value(QLatin1String("total")).toInt(), 4);

        r = get(base + QStringLiteral("?contact=%1&direction=outbound").arg(contact));
        QCOMPARE(r.json.value(QLatin1String("total")).toInt(), 3);
        for (const QJsonValue &v : r.json.value(QLatin1String("messages")).toArray())
            QCOMPARE(v.toObject().value(QLatin1String("direction")).toString(), QStringLiteral("outbound"));
        QCOMPARE(get(base + QStringLiteral("?contact=%1&direction=inbound").arg(contact)).json.value(QLatin1String("total")).toInt(), 1);
        QCOMPARE(get(base + QStringLiteral("?contact=%1&status=read").arg(contact)).json.value(QLatin1String("total")).toInt(), 3);
        QCOMPARE(get(base + QStringLiteral("?contact=%1&status=failed").arg(contact)).json.value(QLatin1String("total")).toInt(), 0);
        // Whole client: failed includes the number that is not on WhatsApp.
        QVERIFY(get(base + QStringLiteral("?status=failed")).json.value(QLatin1String("total")).toInt() >= 1);
        const int all = get(base).json.value(QLatin1String("total")).toInt();
        QVERIFY(all > 4);
        QCOMPARE(get(base + QStringLiteral("?since=") + QString::fromLatin1(QUrl::toPercentEncoding(since))).json.value(QLatin1String("total")).toInt(), 4);
        QCOMPARE(get(base + QStringLiteral("?until=") + QString::fromLatin1(QUrl::toPercentEncoding(since))).json.value(QLatin1String("total")).toInt(), all - 4);
        // until is inclusive: the first of the three by its own creation time.
        const QString firstAt = get(QStringLiteral("/api/messages/") + ids.first()).json.value(QLatin1String("created_at")).toString();
        r = get(base + QStringLiteral("?since=%1&until=%2").arg(QString::fromLatin1(QUrl::toPercentEncoding(since)),
                                                               QString::fromLatin1(QUrl::toPercentEncoding(firstAt))));
        QCOMPARE(r.json.value(QLatin1String("total")).toInt(), 1);
        QCOMPARE(r.json.value(QLatin1String("messages")).toArray().first().toObject().value(QLatin1String("id")).toString(), ids.first());

        // Paging.
        // A page that does not end the set counts nothing unless asked (?total=exact).
        r = get(base + QStringLiteral("?contact=%1&limit=2").arg(contact));
        QCOMPARE(r.json.value(QLatin1String("count")).toInt(), 2);
        QVERIFY(!r.json.contains(QLatin1String("total")));
        QVERIFY(r.json.value(QLatin1String("has_more")).toBool());
        r = get(base + QStringLiteral("?contact=%1&limit=2&total=exact").arg(contact));
        QCOMPARE(r.json.value(QLatin1String("total")).toInt(), 4);
        r = get(base + QStringLiteral("?contact=%1&limit=2&offset=3").arg(contact));
        QCOMPARE(r.json.value(QLatin1String("count")).toInt(), 1);
        QCOMPARE(r.json.value(QLatin1String("messages")).toArray().first().toObject().value(QLatin1String("id")).toString(), ids.first());
        QCOMPARE(get(base + QStringLiteral("?limit=500")).status, 200);

        // Bounds and bad filters.
        for (const QString &query : {QStringLiteral("limit=0"), QStringLiteral("limit=501"), QStringLiteral("limit=-1"), QStringLiteral("limit=ten"),
                                     QStringLiteral("offset=-1"), QStringLiteral("direction=sideways"), QStringLiteral("status=lost"),
                                     QStringLiteral("since=yesterday"), QStringLiteral("until=2024-13-45"), QStringLiteral("contact=not-a-number")}) {
            const ApiResponse bad = get(base + QLatin1Char('?') + query);
            QVERIFY2(bad.status == 400, qPrintable(query + QLatin1String(" → ") + QString::fromUtf8(bad.describe())));
        }
        QVERIFY(get(QStringLiteral("/api/clients/client_01HZZZZZZZZZZZZZZZZZZZZZZZ/messages")).isError(404, QStringLiteral("not_found")));
    }

    // An agent sees and sends through assigned clients only (404 otherwise, as if it did not
    // exist); a viewer may read an assigned client's history but never send (403).
    void agentScoping()
    {
        const Account agent = m_http.createMember(m_admin, QStringLiteral("agent"), QStringLiteral("agent@messaging.test"));
        const Account viewer = m_http.createMember(m_admin, QStringLiteral("viewer"), QStringLiteral("viewer@messaging.test"));
        QVERIFY(agent.valid() && viewer.valid());
        const HeaderList agentKey = ApiTestHarness::apiKey(agent.apiKey);
        const HeaderList viewerKey = ApiTestHarness::apiKey(viewer.apiKey);
        const ApiResponse byAdmin = send(QStringLiteral("+14155550901"), QStringLiteral("from the admin"));
        QVERIFY(byAdmin.status == 200);
        const QString adminMessage = byAdmin.json.value(QLatin1String("messageId")).toString();

        const QString before = footprint();
        QVERIFY(send(QStringLiteral("+14155550901"), QStringLiteral("hi"), agentKey).isError(404, QStringLiteral("not_found")));
        QVERIFY(get(QStringLiteral("/api/messages/") + adminMessage, agentKey).isError(404, QStringLiteral("not_found")));
        QVERIFY(get(QStringLiteral("/api/clients/%1/messages").arg(m_client), agentKey).isError(404, QStringLiteral("not_found")));
        QVERIFY(get(QStringLiteral("/api/clients/%1/rate-limits").arg(m_client), agentKey).isError(404, QStringLiteral("not_found")));
        QVERIFY(send(QStringLiteral("+14155550901"), QStringLiteral("hi"), viewerKey).isError(403, QStringLiteral("forbidden")));
        QCOMPARE(footprint(), before);

        QVERIFY(m_http.assign(m_admin, agent.userId, m_client));
        QVERIFY(m_http.assign(m_admin, viewer.userId, m_client));
        const ApiResponse byAgent = send(QStringLiteral("+14155550901"), QStringLiteral("from the agent"), agentKey);
        QVERIFY2(byAgent.status == 200, byAgent.describe().constData());
        const QString agentMessage = byAgent.json.value(QLatin1String("messageId")).toString();
        QCOMPARE(get(QStringLiteral("/api/messages/") + adminMessage, agentKey).status, 200);
        QVERIFY(waitStatus(agentMessage, QStringLiteral("read")));
        QVERIFY(get(QStringLiteral("/api/clients/%1/messages").arg(m_client), agentKey).json.value(QLatin1String("total")).toInt() > 2);
        QCOMPARE(get(QStringLiteral("/api/clients/%1/rate-limits").arg(m_client), agentKey).status, 200);
        // Still not the unassigned one.
        QVERIFY(send(QStringLiteral("+14155550901"), QStringLiteral("hi"), agentKey, m_unlinked).isError(404, QStringLiteral("not_found")));

        QCOMPARE(get(QStringLiteral("/api/clients/%1/messages").arg(m_client), viewerKey).status, 200);
        QCOMPARE(get(QStringLiteral("/api/messages/") + agentMessage, viewerKey).status, 200);
        QVERIFY(send(QStringLiteral("+14155550901"), QStringLiteral("hi"), viewerKey).isError(403, QStringLiteral("forbidden")));

        // Who sent it is recorded in the audit log.
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'send_message' AND resource_id = ? AND user_id = ?"),
                        {agentMessage, agent.userId}),
                 1);
    }

    // PATCH rate_limits, then GET rate-limits answers the new limits (guide shape plus queue
    // depth and estimates); a per-minute limit of 1 makes messages wait, raising it releases
    // them at once; a spent daily budget refuses with 429 and Retry-After.
    void rateLimits()
    {
        const QString path = QStringLiteral("/api/clients/%1/rate-limits").arg(m_client);
        ApiResponse r = get(path);
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("perMinute")).toObject().value(QLatin1String("limit")).toInt(), 1000);
        QCOMPARE(r.json.value(QLatin1String("queue_depth")).toInt(), 0);
        QVERIFY(r.json.value(QLatin1String("allowed")).toBool());
        QVERIFY(!r.json.value(QLatin1String("paused")).toBool());
        QVERIFY(r.json.value(QLatin1String("estimated_last_departure")).isNull());
        const int usedToday = r.json.value(QLatin1String("perDay")).toObject().value(QLatin1String("used")).toInt();
        QVERIFY(usedToday > 5);

        const ApiResponse patched = patchLimits(1, 500, 5000);
        QVERIFY2(patched.status == 200, patched.describe().constData());
        QCOMPARE(patched.json.value(QLatin1String("client")).toObject().value(QLatin1String("rate_limits")).toObject()
                     .value(QLatin1String("per_minute")).toInt(),
                 1);
        r = get(path);
        const QJsonObject minute = r.json.value(QLatin1String("perMinute")).toObject();
        QCOMPARE(minute.value(QLatin1String("limit")).toInt(), 1);
        QCOMPARE(r.json.value(QLatin1String("perHour")).toObject().value(QLatin1String("limit")).toInt(), 500);
        QCOMPARE(r.json.value(QLatin1String("perDay")).toObject().value(QLatin1String("limit")).toInt(), 5000);
        QCOMPARE(r.json.value(QLatin1String("perDay")).toObject().value(QLatin1String("remaining")).toInt(), 5000 - usedToday);

        // The earlier tests sent within the last minute: everything now waits.
        const int pageBefore = sentOnPage();
        QStringList ids;
        for (int i = 0; i < 3; ++i)
            ids << send(QStringLiteral("+14155550911"), QStringLiteral("limited %1").arg(i + 1)).json.value(QLatin1String("messageId")).toString();
        QTest::qWait(500);
        r = get(path);
        QCOMPARE(r.json.value(QLatin1String("queue_depth")).toInt(), 3);
        QVERIFY(!r.json.value(QLatin1String("allowed")).toBool());
        QCOMPARE(r.json.value(QLatin1String("perMinute")).toObject().value(QLatin1String("remaining")).toInt(), 0);
        const QDateTime next = QDateTime::fromString(r.json.value(QLatin1String("next_send_at")).toString(), Qt::ISODateWithMs);
        const QDateTime last = QDateTime::fromString(r.json.value(QLatin1String("estimated_last_departure")).toString(), Qt::ISODateWithMs);
        QVERIFY(next > QDateTime::currentDateTimeUtc());
        QVERIFY(last >= next.addSecs(100)); // one a minute: the third at least two minutes out
        QCOMPARE(statusOf(ids.first()), QStringLiteral("queued"));
        QCOMPARE(sentOnPage(), pageBefore);

        // Raising the limit releases them now, not when the minute is over.
        QVERIFY(patchLimits(1000, 10000, 100000).status == 200);
        for (const QString &id : ids)
            QVERIFY(waitStatus(id, QStringLiteral("read"), 10000));
        QCOMPARE(sentOnPage(), pageBefore + 3);

        // The daily budget: already spoken for → 429 with Retry-After, nothing stored.
        const int used = get(path).json.value(QLatin1String("perDay")).toObject().value(QLatin1String("used")).toInt();
        QVERIFY(patchLimits(1000, 10000, used + 1).status == 200);
        QVERIFY(send(QStringLiteral("+14155550912"), QStringLiteral("the last of today")).status == 200);
        const QString before = footprint();
        const ApiResponse full = send(QStringLiteral("+14155550912"), QStringLiteral("one too many"));
        QVERIFY2(full.isError(429, QStringLiteral("rate_limited")), full.describe().constData());
        const int retryAfter = full.header("retry-after").toInt();
        QVERIFY2(retryAfter > 0 && retryAfter <= 24 * 3600, full.header("retry-after").constData());
        QCOMPARE(footprint(), before);

        // Back to the defaults (0 = the settings' defaults).
        QVERIFY(patchLimits(0, 0, 0).status == 200);
        r = get(path);
        QCOMPARE(r.json.value(QLatin1String("perMinute")).toObject().value(QLatin1String("limit")).toInt(), 1000);
        QCOMPARE(r.json.value(QLatin1String("perDay")).toObject().value(QLatin1String("limit")).toInt(), 100000);
        const ApiResponse fine = send(QStringLiteral("+14155550912"), QStringLiteral("fine again"));
        QCOMPARE(fine.status, 200);
        QVERIFY(waitStatus(fine.json.value(QLatin1String("messageId")).toString(), QStringLiteral("read")));

        // Bad limits.
        for (const QJsonValue &bad : {QJsonValue(-1), QJsonValue(1.5), QJsonValue(QStringLiteral("10")), QJsonValue(1001)}) {
            const ApiResponse e = m_http.request("PATCH", QStringLiteral("/api/clients/") + m_client,
                                                 QJsonObject{{QStringLiteral("rate_limits"), QJsonObject{{QStringLiteral("per_minute"), bad}}}}, key());
            QVERIFY2(e.isError(400, QStringLiteral("validation_failed")), e.describe().constData());
        }
    }

    // An operator pauses the client: its status says paused, new sends are refused with 409,
    // queued ones wait; resume sends them.
    void pauseAndResume()
    {
        // Queue two behind a per-minute limit of 1, so they are still waiting when the pause comes.
        QVERIFY(patchLimits(1, 10000, 100000).status == 200);
        QStringList ids;
        for (int i = 0; i < 2; ++i)
            ids << send(QStringLiteral("+14155550921"), QStringLiteral("paused %1").arg(i + 1)).json.value(QLatin1String("messageId")).toString();
        const int pageBefore = sentOnPage();

        const ApiResponse paused = m_http.request("POST", QStringLiteral("/api/clients/%1/pause").arg(m_client), QJsonObject{}, key());
        QVERIFY2(paused.status == 200, paused.describe().constData());
        QCOMPARE(paused.json.value(QLatin1String("status")).toString(), QStringLiteral("paused"));
        bool reached = false;
        m_http.waitForStatus(m_admin, m_client, {QStringLiteral("paused")}, kWaitMs, &reached);
        QVERIFY(reached);
        QTRY_COMPARE(get(QStringLiteral("/api/clients/") + m_client).json.value(QLatin1String("client")).toObject()
                         .value(QLatin1String("status")).toString(),
                     QStringLiteral("paused"));
        QTRY_VERIFY(get(QStringLiteral("/api/clients/%1/rate-limits").arg(m_client)).json.value(QLatin1String("paused")).toBool());
        QVERIFY(!get(QStringLiteral("/api/clients/%1/rate-limits").arg(m_client)).json.value(QLatin1String("allowed")).toBool());
        QCOMPARE(eventsOf(QStringLiteral("client.paused")).size(), 1);
        QVERIFY(eventsOf(QStringLiteral("client.paused")).first().data.value(QLatin1String("reason")).toString().contains(m_admin.email));

        const ApiResponse refused = send(QStringLiteral("+14155550921"), QStringLiteral("while paused"));
        QVERIFY2(refused.isError(409, QStringLiteral("client_paused")), refused.describe().constData());

        // Limits raised while paused: still nothing goes out.
        QVERIFY(patchLimits(1000, 10000, 100000).status == 200);
        QTest::qWait(600);
        QCOMPARE(statusOf(ids.at(0)), QStringLiteral("queued"));
        QCOMPARE(statusOf(ids.at(1)), QStringLiteral("queued"));
        QCOMPARE(sentOnPage(), pageBefore);

        const ApiResponse resumed = m_http.request("POST", QStringLiteral("/api/clients/%1/resume").arg(m_client), QJsonObject{}, key());
        QVERIFY2(resumed.status == 200, resumed.describe().constData());
        m_http.waitForStatus(m_admin, m_client, {QStringLiteral("ready")}, kWaitMs, &reached);
        QVERIFY(reached);
        for (const QString &id : ids)
            QVERIFY(waitStatus(id, QStringLiteral("read"), 10000));
        QCOMPARE(sentOnPage(), pageBefore + 2);
        QTRY_COMPARE(get(QStringLiteral("/api/clients/") + m_client).json.value(QLatin1String("client")).toObject()
                         .value(QLatin1String("status")).toString(),
                     QStringLiteral("ready"));
        QCOMPARE(send(QStringLiteral("+14155550921"), QStringLiteral("after the pause")).status, 200);

        QStringList actions;
        SqlRunner sql(*m_db);
        Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT action FROM audit_logs WHERE resource_id = ? AND action LIKE '%client%' ORDER BY seq"),
                                      {m_client});
        while (q && q.value().next())
            actions << q.value().value(0).toString();
        QVERIFY2(actions.contains(QStringLiteral("pause_client")) && actions.contains(QStringLiteral("resume_client")),
                 qPrintable(actions.join(QLatin1Char(','))));
    }

    // Auto-replies end to end (docs/auto-replies.md): a rule made over the API answers a message
    // the fake page reports first as ciphertext and then decrypted, and delivers twice: one reply,
    // marked with its rule, sent through the client's queue to the page; a second message from
    // the same contact inside the cooldown (as from a bot answering the reply) gets nothing.
    void autoReplyThroughTheQueue()
    {
        const ApiResponse rule = m_http.request("POST", QStringLiteral("/api/auto-replies"),
                                                QJsonObject{{QStringLiteral("name"), QStringLiteral("Opening hours")},
                                                            {QStringLiteral("kind"), QStringLiteral("keyword")},
                                                            {QStringLiteral("match"), QStringLiteral("contains")},
                                                            {QStringLiteral("keywords"), QJsonArray{QStringLiteral("horário")}},
                                                            {QStringLiteral("reply_text"), QStringLiteral("We open at 9:00")}},
                                                key());
        QVERIFY2(rule.status == 201, rule.describe().constData());
        const QString ruleId = rule.json.value(QLatin1String("rule")).toObject().value(QLatin1String("id")).toString();
        const QString chat = QStringLiteral("14155550966@c.us");
        auto repliesOnPage = [&] {
            return js(page(), QStringLiteral("__fake.state().sent.filter(s => s.to === '%1' && s.body === 'We open at 9:00').length").arg(chat)).toInt();
        };
        QVERIFY(fake(QStringLiteral("incoming({from: '14155550966', body: 'Qual o HORARIO?', ciphertextFirst: true, twice: true})"))
                    .value(QLatin1String("ok")).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(repliesOnPage(), 1, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE auto_reply_rule_id = ? AND status IN ('sent', 'delivered', 'read')"),
                                         {ruleId}),
                                  1, kWaitMs);
        QVERIFY(fake(QStringLiteral("incoming({from: '14155550966', body: 'Auto: about the horário, thanks'})")).value(QLatin1String("ok")).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(get(QStringLiteral("/api/clients/%1/messages?contact=%2&direction=inbound").arg(m_client, QStringLiteral("%2B14155550966")))
                                      .json.value(QLatin1String("total")).toInt(),
                                  2, kWaitMs);
        QTest::qWait(500); // what the duplicate deliveries and the second message could still queue
        QCOMPARE(repliesOnPage(), 1);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE auto_reply_rule_id = ?"), {ruleId}), 1);
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'auto_reply_sent' AND resource_id = ?"), {ruleId}), 1);
        QCOMPARE(m_http.request("DELETE", QStringLiteral("/api/auto-replies/") + ruleId, QJsonValue(QJsonValue::Undefined), key()).status, 200);
    }

    // Five failed sends in a row pause the client by themselves (client.paused with the reason);
    // the rest of the queue waits until an operator resumes.
    void failuresPauseTheClient()
    {
        const int pausedBefore = int(eventsOf(QStringLiteral("client.paused")).size());
        fake(QStringLiteral("configure({ackMs: 30})"));
        for (int i = 0; i < 5; ++i)
            fake(QStringLiteral("failNextSend('network error')"));
        // All seven are queued while the page is offline, so none can be sent (and fail, and
        // pause the client) before the last one is accepted; then the connection comes back.
        fake(QStringLiteral("goOffline(600000)"));
        bool offline = false;
        m_http.waitForStatus(m_admin, m_client, {QStringLiteral("disconnected")}, kWaitMs, &offline);
        QVERIFY(offline);
        QStringList ids;
        for (int i = 0; i < 7; ++i)
            ids << send(QStringLiteral("+1415555093%1").arg(i), QStringLiteral("burst %1").arg(i + 1)).json.value(QLatin1String("messageId")).toString();
        for (const QString &id : std::as_const(ids))
            QVERIFY2(!id.isEmpty(), "every send of the burst must be accepted");
        fake(QStringLiteral("reconnect()"));
        bool reached = false;
        m_http.waitForStatus(m_admin, m_client, {QStringLiteral("paused")}, kWaitMs, &reached);
        QVERIFY(reached);
        QTRY_COMPARE(int(eventsOf(QStringLiteral("client.paused")).size()), pausedBefore + 1);
        QVERIFY(eventsOf(QStringLiteral("client.paused")).last().data.value(QLatin1String("reason")).toString().contains(QLatin1String("5 of the last")));
        for (int i = 0; i < 5; ++i) {
            QVERIFY(waitStatus(ids.at(i), QStringLiteral("failed")));
            QVERIFY(get(QStringLiteral("/api/messages/") + ids.at(i)).json.value(QLatin1String("failure_reason")).toString().contains(QLatin1String("network error")));
        }
        QTest::qWait(300);
        QCOMPARE(statusOf(ids.at(5)), QStringLiteral("queued"));
        QCOMPARE(statusOf(ids.at(6)), QStringLiteral("queued"));
        QVERIFY(send(QStringLiteral("+14155550939"), QStringLiteral("refused")).isError(409, QStringLiteral("client_paused")));

        QVERIFY(m_http.request("POST", QStringLiteral("/api/clients/%1/resume").arg(m_client), QJsonObject{}, key()).status == 200);
        QVERIFY(waitStatus(ids.at(5), QStringLiteral("read")));
        QVERIFY(waitStatus(ids.at(6), QStringLiteral("read")));
    }
};

int main(int argc, char **argv)
{
    if (::geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX"))
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // As the application does (app/main.cpp): the session pages are never shown, and Chromium
    // would otherwise run their timers (the fake's acks) once a second.
    if (qEnvironmentVariableIsEmpty("QTWEBENGINE_CHROMIUM_FLAGS"))
        qputenv("QTWEBENGINE_CHROMIUM_FLAGS",
                "--disable-background-timer-throttling --disable-renderer-backgrounding --disable-backgrounding-occluded-windows");
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QGuiApplication app(argc, argv);
    TestMessagingApi test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_messaging_api.moc"
