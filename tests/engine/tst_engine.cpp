// The WhatsApp engine in process: a migrated SQLite database, the EventBus, a SessionRegistry on
// the main thread and the REST API (ApiService, its own thread) over real HTTP on loopback, with
// sessions pointed at the project's fake WhatsApp Web page (tests/fixtures/fake-whatsapp, loaded
// from file://, short timings) and driven through session->page()->runJavaScript("__fake...").
//
// Covers the life of a client (init → QR as PNG and JSON → rotation → scan → ready → send with
// acks → de-duplicated incoming message → logout from the phone → QR again), the events it
// publishes, restore at start without a QR, recovery from a killed renderer, from a page that
// stops answering and from a renderer hung for good (a new renderer; giving up with a reason when
// that cannot help either), two isolated clients, the profile lock, the
// removal of the profile with the client, who may see a QR code, and the registry refusing its
// main-thread calls from another thread.

#include "tests/support/EngineApiClient.h"
#include "tests/support/FakeWhatsAppServer.h"

#include "core/api/ApiService.h"
#include "core/events/EventBus.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/engine/EngineInfo.h"
#include "core/engine/SessionRegistry.h"
#include "core/engine/WaSession.h"
#include "core/messaging/MessageSender.h"
#include "core/sessions/BrowserIdentity.h"
#include "core/sessions/ClientRepository.h"

#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrlQuery>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineScript>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <unistd.h>

using namespace wadesk;
using wadesk::test::Account;
using wadesk::test::ApiResponse;
using wadesk::test::ApiTestHarness;
using wadesk::test::EngineApiClient;
using wadesk::test::HeaderList;

namespace {

constexpr int kWaitMs = 30000; // generous: 2 busy cores, a cold Chromium
const QString kPhone = QStringLiteral("14155552671");
const char kLockChildVariable[] = "WADESK_TST_ENGINE_LOCK_CHILD";

std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> g_log;

QStringList logLines()
{
    QStringList out;
    if (!g_log)
        return out;
    for (const std::string &line : g_log->last_formatted())
        out << QString::fromStdString(line);
    return out;
}

bool logContains(const QString &needle)
{
    for (const QString &line : logLines()) {
        if (line.contains(needle))
            return true;
    }
    return false;
}

QString fakePagePath()
{
    return QDir(test::FakeWhatsAppServer::defaultFixtureDirectory()).filePath(QStringLiteral("index.html"));
}

// The fake page from file:// with the given query (timings).
QUrl fakeUrl(const QList<QPair<QString, QString>> &options)
{
    QUrl url = QUrl::fromLocalFile(fakePagePath());
    QUrlQuery query;
    for (const auto &[key, value] : options)
        query.addQueryItem(key, value);
    url.setQuery(query);
    return url;
}

const QList<QPair<QString, QString>> kFastPage = {
    {QStringLiteral("readyMs"), QStringLiteral("50")},    {QStringLiteral("qrFirstMs"), QStringLiteral("2500")},
    {QStringLiteral("qrNextMs"), QStringLiteral("1500")}, {QStringLiteral("qrMax"), QStringLiteral("1000")},
    {QStringLiteral("syncMs"), QStringLiteral("300")},    {QStringLiteral("ackMs"), QStringLiteral("120")},
};

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

// Evaluates an expression in the page, serialized to JSON there.
QJsonValue js(QWebEnginePage *page, const QString &expr, int timeoutMs = 10000)
{
    const QString code = QStringLiteral("JSON.stringify({v: (function () { return (%1); })()})").arg(expr);
    return QJsonDocument::fromJson(runJs(page, code, timeoutMs).toString().toUtf8()).object().value(QLatin1String("v"));
}

QString stateName(SessionState s)
{
    return SessionStates::name(s);
}

// Calls a bridge method and waits for its single answer.
struct CallResult {
    bool answered = false;
    bool ok = false;
    QJsonValue result;
    QString error;
};

CallResult callBridge(WaSession *session, const QString &method, const QJsonArray &args, int timeoutMs = 15000)
{
    auto out = std::make_shared<CallResult>();
    auto calls = std::make_shared<int>(0);
    session->call(method, args, [out, calls](bool ok, const QJsonValue &result, const QString &error) {
        ++*calls;
        out->answered = true;
        out->ok = ok;
        out->result = result;
        out->error = error;
    });
    (void)QTest::qWaitFor([&] { return out->answered; }, timeoutMs);
    QTest::qWait(20);
    if (*calls > 1)
        qWarning("callback of %s ran %d times", qPrintable(method), *calls);
    return *out;
}

// One in-process WaDesk: database, event bus, session registry, REST API; the events it
// published and the states each client went through.
class World {
public:
    QTemporaryDir dir;
    std::unique_ptr<Database> db;
    EventBus bus;
    EngineSettings settings;
    std::unique_ptr<SessionRegistry> registry;
    std::unique_ptr<ApiService> api;
    EngineApiClient http;
    QList<Event> events;
    QHash<QString, QStringList> states; // clientId -> distinct consecutive states seen in snapshots
    Account admin;

    World()
    {
        QObject::connect(&bus, &EventBus::published, &bus, [this](const Event &e) { events << e; });
    }
    ~World()
    {
        stopEngine();
        if (db)
            db->closeThreadConnection();
    }

    bool start(QString *why, const QList<QPair<QString, QString>> &page = kFastPage)
    {
        if (!dir.isValid()) {
            *why = QStringLiteral("no temporary directory");
            return false;
        }
        settings.dataDir = dir.path();
        settings.url = fakeUrl(page);
        settings.injectWaJs = false;
        settings.heartbeatIntervalMs = 250;
        settings.heartbeatTimeoutMs = 15000;
        settings.readyTimeoutMs = 20000;
        settings.recoveryBackoffMs = {200, 400, 600};
        Result<DatabaseUrl> url = DatabaseUrl::parse(QStringLiteral("wadesk.db"), dir.path());
        if (!url) {
            *why = url.error().message;
            return false;
        }
        db = std::make_unique<Database>(url.value());
        const Result<int> migrated = Migrator(*db, Migrator::embeddedDirectory(QStringLiteral("sqlite"))).migrate();
        if (!migrated) {
            *why = QStringLiteral("migration: ") + migrated.error().message;
            return false;
        }
        if (!startEngine(false, why))
            return false;
        admin = http.registerOrganization(QStringLiteral("admin@engine.test"), QStringLiteral("Engine Org"));
        if (!admin.valid()) {
            *why = QStringLiteral("cannot register the organization");
            return false;
        }
        return true;
    }

    // Registry then API (the API holds a pointer to the registry).
    bool startEngine(bool restore, QString *why)
    {
        registry = std::make_unique<SessionRegistry>(*db, bus, settings);
        SessionRegistry *r = registry.get();
        QObject::connect(r, &SessionRegistry::snapshotChanged, r, [this, r](const QString &clientId) {
            const std::optional<SessionSnapshot> s = r->snapshot(clientId);
            if (!s)
                return;
            QStringList &seen = states[clientId];
            const QString name = stateName(s->state);
            if (seen.isEmpty() || seen.last() != name)
                seen << name;
        });
        ApiService::Options o;
        o.services.auth.passwordCost = PasswordHasher::Cost::Minimal;
        o.api.healthCacheMs = 0;
        o.services.auth.authCacheMs = 0;
        o.shared.sessions = r;
        o.health.activeClients = [r]() { return r->readyCount(); };
        o.health.waJsVersion = [r]() { return r->waJsVersion(); };
        o.shared.database = db.get();
        o.shared.jwtKey = QByteArrayLiteral("engine-test-jwt-key-0123456789abcdef0123456789");
        o.api.port = 0;
        api = std::make_unique<ApiService>(o);
        const Result<quint16> port = api->start();
        if (!port) {
            *why = QStringLiteral("API: ") + port.error().message;
            return false;
        }
        http.setPort(port.value());
        if (restore)
            registry->restoreAtStart();
        return true;
    }

    void stopEngine()
    {
        if (api) {
            api->stop(0);
            api.reset();
        }
        registry.reset(); // pages before profiles, sessions stopped
    }

    HeaderList key() const { return ApiTestHarness::apiKey(admin.apiKey); }

    QString createAndInit(const QString &name)
    {
        const QString id = http.createClient(admin, name);
        if (id.isEmpty())
            return {};
        const ApiResponse r = http.request("POST", QStringLiteral("/api/clients/%1/init").arg(id), QJsonObject{}, key());
        if (r.status != 200) {
            qWarning("init failed: %s", r.describe().constData());
            return {};
        }
        return id;
    }

    WaSession *session(const QString &clientId) const { return registry ? registry->session(clientId) : nullptr; }

    bool waitState(const QString &clientId, SessionState wanted, int timeoutMs = kWaitMs)
    {
        const bool ok = QTest::qWaitFor(
            [&] {
                WaSession *s = session(clientId);
                return s && s->state() == wanted;
            },
            timeoutMs);
        if (!ok) {
            WaSession *s = session(clientId);
            qWarning("client %s: wanted %s, is %s (%s); states seen: %s", qPrintable(clientId),
                     qPrintable(stateName(wanted)), s ? qPrintable(stateName(s->state())) : "no session",
                     s ? qPrintable(s->lastError()) : "", qPrintable(states.value(clientId).join(QLatin1String(" → "))));
        }
        return ok;
    }

    bool waitStatus(const QString &clientId, const QString &wanted, QJsonObject *last = nullptr, int timeoutMs = kWaitMs)
    {
        bool reached = false;
        const QJsonObject body = http.waitForStatus(admin, clientId, {wanted}, timeoutMs, &reached);
        if (last)
            *last = body;
        if (!reached)
            qWarning("client %s: status %s never came; last %s", qPrintable(clientId), qPrintable(wanted),
                     QJsonDocument(body).toJson(QJsonDocument::Compact).constData());
        return reached;
    }

    // Waits for the QR screen, scans it with `phone` and waits for ready.
    bool link(const QString &clientId, const QString &phone = kPhone)
    {
        if (!waitState(clientId, SessionState::Qr))
            return false;
        if (!QTest::qWaitFor([&] { return js(session(clientId)->page(), QStringLiteral("__fake.state().qr !== null")).toBool(); },
                             kWaitMs))
            return false;
        const QJsonObject r = js(session(clientId)->page(), QStringLiteral("__fake.scan('%1')").arg(phone)).toObject();
        if (!r.value(QLatin1String("ok")).toBool()) {
            qWarning("scan failed: %s", QJsonDocument(r).toJson(QJsonDocument::Compact).constData());
            return false;
        }
        return waitState(clientId, SessionState::Ready);
    }

    QList<Event> eventsOf(const QString &type, const QString &clientId) const
    {
        QList<Event> out;
        for (const Event &e : events) {
            if (e.type == type && e.data.value(QLatin1String("clientId")).toString() == clientId)
                out << e;
        }
        return out;
    }

    ClientRecord record(const QString &clientId)
    {
        SqlRunner sql(*db);
        ClientRepository clients(sql);
        Result<std::optional<ClientRecord>> found = clients.find(admin.organizationId, clientId, ClientScope::all());
        return found && found.value() ? *found.value() : ClientRecord();
    }
};

#define START_WORLD(world, ...)                                                                                        \
    World world;                                                                                                       \
    {                                                                                                                  \
        QString world##Why;                                                                                            \
        QVERIFY2(world.start(&world##Why, ##__VA_ARGS__), qPrintable(world##Why));                                     \
    }

QList<int> acksFor(const QList<QJsonObject> &acks, const QString &messageId)
{
    QList<int> out;
    for (const QJsonObject &a : acks) {
        if (a.value(QLatin1String("ids")).toArray().contains(messageId))
            out << a.value(QLatin1String("ack")).toInt();
    }
    return out;
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(fakePagePath()), qPrintable(fakePagePath()));
        if (!g_log) {
            g_log = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(4000);
            g_log->set_pattern("%l %v");
            spdlog::default_logger()->sinks().push_back(g_log);
        }
    }

    // init → QR (PNG and JSON) → rotation → scan → ready → send with acks 1,2,3 → an incoming
    // message delivered twice is received once → logout from the phone → logged_out → QR again.
    void lifecycle()
    {
        QList<QJsonObject> acks;
        QList<QJsonObject> messages;
        START_WORLD(w);
        const QString id = w.createAndInit(QStringLiteral("Front desk"));
        QVERIFY(!id.isEmpty());

        QJsonObject status;
        QVERIFY(w.waitStatus(id, QStringLiteral("qr"), &status));
        QVERIFY(QTest::qWaitFor([&] { return w.http.status(w.admin, id).json.value(QLatin1String("qr_available")).toBool(); }, kWaitMs));
        status = w.http.status(w.admin, id).json;
        QCOMPARE(status.value(QLatin1String("id")).toString(), id);
        QCOMPARE(status.value(QLatin1String("name")).toString(), QStringLiteral("Front desk"));
        QVERIFY(status.value(QLatin1String("phoneNumber")).isNull());
        QCOMPARE(status.value(QLatin1String("wa_js_version")).toString(), QStringLiteral("fake-1.0"));
        QVERIFY(status.value(QLatin1String("last_error")).isNull());
        QVERIFY(QDateTime::fromString(status.value(QLatin1String("state_since")).toString(), Qt::ISODateWithMs).isValid());

        // The QR code as a PNG: signature, and it decodes to a square image.
        const ApiResponse png = w.http.request("GET", QStringLiteral("/api/clients/%1/qr").arg(id), QJsonValue(QJsonValue::Undefined), w.key());
        QVERIFY2(png.status == 200, png.describe().constData());
        QCOMPARE(png.header("content-type"), QByteArrayLiteral("image/png"));
        QCOMPARE(png.header("cache-control"), QByteArrayLiteral("no-store"));
        QVERIFY(png.body.startsWith(QByteArray("\x89PNG\r\n\x1a\n", 8)));
        const QImage image = QImage::fromData(png.body, "PNG");
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 21);
        QCOMPARE(image.width(), image.height());

        // As JSON: the page's own code, a data URL of the same PNG, an expiry in the future.
        const ApiResponse first = w.http.request("GET", QStringLiteral("/api/clients/%1/qr?format=json").arg(id),
                                                 QJsonValue(QJsonValue::Undefined), w.key());
        QVERIFY2(first.status == 200, first.describe().constData());
        const QString code1 = first.json.value(QLatin1String("qr")).toString();
        QVERIFY(code1.startsWith(QLatin1String("2@")));
        QCOMPARE(code1.count(QLatin1Char(',')), 3);
        const QString dataUrl = first.json.value(QLatin1String("data_url")).toString();
        QVERIFY(dataUrl.startsWith(QLatin1String("data:image/png;base64,")));
        QVERIFY(!QImage::fromData(QByteArray::fromBase64(dataUrl.mid(22).toLatin1()), "PNG").isNull());
        const QDateTime expires1 = QDateTime::fromString(first.json.value(QLatin1String("expires_at")).toString(), Qt::ISODateWithMs);
        QVERIFY(expires1.isValid());
        QVERIFY(expires1 > QDateTime::currentDateTimeUtc());
        WaSession *session = w.session(id);
        QVERIFY(session);
        const QString pageCode = js(session->page(), QStringLiteral("__fake.state().qr")).toString();
        QVERIFY(pageCode == code1 || js(session->page(), QStringLiteral("__fake.state().qrCount")).toInt() > 1);

        // Rotation: a new code, a new expiry.
        QJsonObject rotated;
        QVERIFY(QTest::qWaitFor(
            [&] {
                const ApiResponse r = w.http.request("GET", QStringLiteral("/api/clients/%1/qr?format=json").arg(id),
                                                     QJsonValue(QJsonValue::Undefined), w.key());
                rotated = r.json;
                return r.status == 200 && r.json.value(QLatin1String("qr")).toString() != code1;
            },
            kWaitMs));
        const QString code2 = rotated.value(QLatin1String("qr")).toString();
        QVERIFY(code2.startsWith(QLatin1String("2@")));
        const QDateTime expires2 = QDateTime::fromString(rotated.value(QLatin1String("expires_at")).toString(), Qt::ISODateWithMs);
        QVERIFY(expires2.isValid());
        QVERIFY(expires2 != expires1);
        QVERIFY(expires2 > QDateTime::currentDateTimeUtc());

        // client.qr events carry the organization and the code.
        const QList<Event> qrEvents = w.eventsOf(QStringLiteral("client.qr"), id);
        QVERIFY(qrEvents.size() >= 2);
        QSet<QString> codes;
        for (const Event &e : qrEvents) {
            QCOMPARE(e.organizationId, w.admin.organizationId);
            QVERIFY(!e.id.isEmpty());
            codes << e.data.value(QLatin1String("qr")).toString();
        }
        QVERIFY(codes.contains(code1));
        QVERIFY(codes.contains(code2));

        // Scan: authenticating → ready, the phone number known.
        QSignalSpy stateSpy(session, &WaSession::stateChanged);
        QVERIFY(w.link(id));
        QJsonObject ready;
        QVERIFY(w.waitStatus(id, QStringLiteral("ready"), &ready));
        QVERIFY(QTest::qWaitFor([&] { return w.http.status(w.admin, id).json.value(QLatin1String("phoneNumber")).toString() == QLatin1Char('+') + kPhone; }, kWaitMs));
        ready = w.http.status(w.admin, id).json;
        QCOMPARE(ready.value(QLatin1String("qr_available")).toBool(), false);
        QCOMPARE(ready.value(QLatin1String("deviceInfo")).toObject().value(QLatin1String("platform")).toString(), QStringLiteral("android"));
        QStringList passed;
        for (const QList<QVariant> &args : stateSpy)
            passed << stateName(args.at(0).value<SessionState>());
        QCOMPARE(passed, (QStringList{QStringLiteral("authenticating"), QStringLiteral("ready")}));
        const ApiResponse noQr = w.http.request("GET", QStringLiteral("/api/clients/%1/qr").arg(id), QJsonValue(QJsonValue::Undefined), w.key());
        QVERIFY2(noQr.isError(409, QStringLiteral("client_not_in_qr_state")), noQr.describe().constData());
        const QList<Event> connected = w.eventsOf(QStringLiteral("client.connected"), id);
        QCOMPARE(connected.size(), 1);
        QCOMPARE(connected.first().organizationId, w.admin.organizationId);
        QCOMPARE(connected.first().data.value(QLatin1String("status")).toString(), QStringLiteral("ready"));
        QVERIFY(w.record(id).linked);

        // Send a text: acks 1, 2, 3 in this order, for this message.
        connect(session, &WaSession::ackReceived, this, [&](const QJsonObject &a) { acks << a; });
        connect(session, &WaSession::messageReceived, this, [&](const QJsonObject &m) { messages << m; });
        const CallResult sent = callBridge(session, QStringLiteral("sendText"),
                                           QJsonArray{QStringLiteral("15557654321@c.us"), QStringLiteral("Hello from WaDesk")});
        QVERIFY2(sent.answered && sent.ok, qPrintable(sent.error));
        const QString messageId = sent.result.toObject().value(QLatin1String("id")).toString();
        QVERIFY2(messageId.startsWith(QLatin1String("true_15557654321@c.us_")), qPrintable(messageId));
        QVERIFY(QTest::qWaitFor([&] { return acksFor(acks, messageId).size() >= 3; }, kWaitMs));
        QTest::qWait(500); // nothing after read
        QCOMPARE(acksFor(acks, messageId), (QList<int>{1, 2, 3}));
        for (const QJsonObject &a : acks)
            QCOMPARE(a.value(QLatin1String("chat")).toString(), QStringLiteral("15557654321@c.us"));
        // The own message shows up as a message from me.
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const QJsonObject &m : messages)
                    if (m.value(QLatin1String("id")).toString() == messageId)
                        return m.value(QLatin1String("fromMe")).toBool();
                return false;
            },
            kWaitMs));

        // A send the page refuses comes back as an error, once.
        QVERIFY(js(session->page(), QStringLiteral("__fake.failNextSend('Network error').ok")).toBool());
        const CallResult refused = callBridge(session, QStringLiteral("sendText"),
                                              QJsonArray{QStringLiteral("15557654321@c.us"), QStringLiteral("lost")});
        QVERIFY(refused.answered);
        QVERIFY(!refused.ok);
        QVERIFY2(refused.error.contains(QLatin1String("Network error")), qPrintable(refused.error));
        // The answer carries wa-js's send result (sendMsgResult.messageSendResult, awaited).
        QCOMPARE(sent.result.toObject().value(QLatin1String("result")).toString(), QStringLiteral("OK"));
        QCOMPARE(sent.result.toObject().value(QLatin1String("ack")).toInt(), 1);
        // WhatsApp takes a message and refuses it: an answer with ack -1 and a result other
        // than OK (the transport makes it a failure with the reason).
        QVERIFY(js(session->page(), QStringLiteral("__fake.failNextSend('refused', 'ack').ok")).toBool());
        const CallResult refusedByAck = callBridge(session, QStringLiteral("sendText"),
                                                   QJsonArray{QStringLiteral("15557654321@c.us"), QStringLiteral("refused by WhatsApp")});
        QVERIFY2(refusedByAck.answered && refusedByAck.ok, qPrintable(refusedByAck.error));
        QCOMPARE(refusedByAck.result.toObject().value(QLatin1String("ack")).toInt(), -1);
        QCOMPARE(refusedByAck.result.toObject().value(QLatin1String("result")).toString(), QStringLiteral("ERROR_UNKNOWN"));
        QVERIFY(refusedByAck.result.toObject().value(QLatin1String("id")).toString().startsWith(QLatin1String("true_15557654321@c.us_")));
        // A file goes through wa-js's sendFileMessage with its options; the page gets its bytes.
        const QByteArray pdf("%PDF-1.4\n% a tiny document\n");
        const CallResult file = callBridge(session, QStringLiteral("sendFile"),
                                           QJsonArray{QStringLiteral("15557654321@c.us"),
                                                      QStringLiteral("data:application/pdf;base64,") + QString::fromLatin1(pdf.toBase64()),
                                                      QJsonObject{{QStringLiteral("type"), QStringLiteral("document")},
                                                                  {QStringLiteral("filename"), QStringLiteral("terms.pdf")},
                                                                  {QStringLiteral("caption"), QStringLiteral("Our terms")},
                                                                  {QStringLiteral("mimetype"), QStringLiteral("application/pdf")}}});
        QVERIFY2(file.answered && file.ok, qPrintable(file.error));
        QCOMPARE(file.result.toObject().value(QLatin1String("result")).toString(), QStringLiteral("OK"));
        const QJsonObject onPage = js(session->page(), QStringLiteral("__fake.state().sent.slice(-1)[0]")).toObject();
        QCOMPARE(onPage.value(QLatin1String("type")).toString(), QStringLiteral("document"));
        QCOMPARE(onPage.value(QLatin1String("filename")).toString(), QStringLiteral("terms.pdf"));
        QCOMPARE(onPage.value(QLatin1String("caption")).toString(), QStringLiteral("Our terms"));
        QCOMPARE(QByteArray::fromBase64(onPage.value(QLatin1String("data")).toString().toLatin1()), pdf);

        // An incoming message delivered twice by the page is received once.
        const QJsonObject incoming = js(session->page(),
                                        QStringLiteral("__fake.incoming({from: '15550002222', body: 'hello twice', twice: true})"))
                                         .toObject();
        QVERIFY(incoming.value(QLatin1String("ok")).toBool());
        const QString incomingId = incoming.value(QLatin1String("id")).toString();
        QVERIFY(!incomingId.isEmpty());
        QVERIFY(QTest::qWaitFor(
            [&] {
                return js(session->page(), QStringLiteral("__fake.events(0).filter(e => e.event === 'chat.new_message' && "
                                                          "e.payload.id && e.payload.id._serialized === '%1').length")
                                               .arg(incomingId))
                           .toInt()
                    == 2;
            },
            kWaitMs));
        // The bridge's events and replies share one channel: after this answer, both deliveries are in.
        QVERIFY(callBridge(session, QStringLiteral("state"), {}).ok);
        int received = 0;
        for (const QJsonObject &m : messages) {
            if (m.value(QLatin1String("id")).toString() == incomingId) {
                ++received;
                QCOMPARE(m.value(QLatin1String("body")).toString(), QStringLiteral("hello twice"));
                QCOMPARE(m.value(QLatin1String("from")).toString(), QStringLiteral("15550002222@c.us"));
                QCOMPARE(m.value(QLatin1String("fromMe")).toBool(), false);
            }
        }
        QCOMPARE(received, 1);

        // Logout from the phone: logged_out, then a fresh QR screen.
        stateSpy.clear();
        QVERIFY(js(session->page(), QStringLiteral("__fake.logoutFromPhone().ok")).toBool());
        QVERIFY(w.waitState(id, SessionState::Qr));
        passed.clear();
        for (const QList<QVariant> &args : stateSpy)
            passed << stateName(args.at(0).value<SessionState>());
        QCOMPARE(passed, (QStringList{QStringLiteral("logged_out"), QStringLiteral("qr")}));
        QVERIFY(w.waitStatus(id, QStringLiteral("qr")));
        QVERIFY(QTest::qWaitFor([&] { return w.http.status(w.admin, id).json.value(QLatin1String("qr_available")).toBool(); }, kWaitMs));
        const ApiResponse again = w.http.request("GET", QStringLiteral("/api/clients/%1/qr?format=json").arg(id),
                                                 QJsonValue(QJsonValue::Undefined), w.key());
        QVERIFY2(again.status == 200, again.describe().constData());
        QVERIFY(again.json.value(QLatin1String("qr")).toString() != code2);
        const QList<Event> loggedOut = w.eventsOf(QStringLiteral("client.logged_out"), id);
        QCOMPARE(loggedOut.size(), 1);
        QCOMPARE(loggedOut.first().organizationId, w.admin.organizationId);
        QVERIFY(!w.record(id).linked);
        QVERIFY(w.states.value(id).join(QLatin1Char(' ')).contains(QLatin1String("ready logged_out qr")));

        // A send while logged out fails at once, without waiting for a timeout.
        const CallResult notLinked = callBridge(session, QStringLiteral("sendText"),
                                                QJsonArray{QStringLiteral("15557654321@c.us"), QStringLiteral("x")});
        QVERIFY(notLinked.answered);
        QVERIFY(!notLinked.ok);

        // Logout requested through the API on a linked client.
        QVERIFY(w.link(id));
        const ApiResponse logout = w.http.request("POST", QStringLiteral("/api/clients/%1/logout").arg(id), QJsonObject{}, w.key());
        QVERIFY2(logout.status == 200, logout.describe().constData());
        QVERIFY(w.waitState(id, SessionState::Qr));
        QCOMPARE(w.eventsOf(QStringLiteral("client.logged_out"), id).size(), 2);
    }

    // One state everywhere (issue 14, defect 4): /status, the client, the client list and the
    // stored row agree on a client never started, running, stopped and logged out; after a
    // logout the old number is gone from all of them.
    void oneStateEverywhere()
    {
        START_WORLD(w);
        const ApiResponse created = w.http.request("POST", QStringLiteral("/api/clients"),
                                                   QJsonObject{{QStringLiteral("name"), QStringLiteral("Never started")},
                                                               {QStringLiteral("phone_number"), QStringLiteral("+14155552671")}},
                                                   w.key());
        QVERIFY2(created.status == 201, created.describe().constData());
        const QString id = created.json.value(QLatin1String("client")).toObject().value(QLatin1String("id")).toString();
        QCOMPARE(created.json.value(QLatin1String("client")).toObject().value(QLatin1String("status")).toString(), QStringLiteral("stopped"));
        const auto views = [&w, &id]() {
            QJsonObject listed;
            const ApiResponse list = w.http.request("GET", QStringLiteral("/api/clients?limit=100"), QJsonValue(QJsonValue::Undefined), w.key());
            for (const QJsonValue &c : list.json.value(QLatin1String("clients")).toArray())
                if (c.toObject().value(QLatin1String("id")).toString() == id)
                    listed = c.toObject();
            const ApiResponse one = w.http.request("GET", QStringLiteral("/api/clients/%1").arg(id), QJsonValue(QJsonValue::Undefined), w.key());
            const QJsonObject status = w.http.status(w.admin, id).json;
            const QJsonObject client = one.json.value(QLatin1String("client")).toObject();
            return QStringList{status.value(QLatin1String("status")).toString(), client.value(QLatin1String("status")).toString(),
                               listed.value(QLatin1String("status")).toString(),
                               status.value(QLatin1String("phoneNumber")).toString(QStringLiteral("null")),
                               client.value(QLatin1String("phone_number")).toString(QStringLiteral("null")),
                               listed.value(QLatin1String("phone_number")).toString(QStringLiteral("null"))};
        };
        const auto agree = [&](const QString &state, const QString &phone) {
            const QStringList want{state, state, state, phone, phone, phone};
            QStringList seen;
            const bool ok = QTest::qWaitFor([&] { seen = views(); return seen == want; }, kWaitMs);
            if (!ok)
                qWarning("wanted %s, seen %s", qPrintable(want.join(QLatin1Char(' '))), qPrintable(seen.join(QLatin1Char(' '))));
            return ok;
        };
        QVERIFY(agree(QStringLiteral("stopped"), QStringLiteral("+14155552671")));

        const ApiResponse init = w.http.request("POST", QStringLiteral("/api/clients/%1/init").arg(id), QJsonObject{}, w.key());
        QVERIFY2(init.status == 200, init.describe().constData());
        QVERIFY(w.link(id));
        QVERIFY(agree(QStringLiteral("ready"), QLatin1Char('+') + kPhone));

        const ApiResponse stop = w.http.request("POST", QStringLiteral("/api/clients/%1/stop").arg(id), QJsonObject{}, w.key());
        QVERIFY2(stop.status == 200, stop.describe().constData());
        QVERIFY(QTest::qWaitFor([&] { return !w.session(id); }, kWaitMs));
        QVERIFY(agree(QStringLiteral("stopped"), QLatin1Char('+') + kPhone));
        QCOMPARE(w.record(id).status, QStringLiteral("stopped")); // stored too, for another reader of the database

        const ApiResponse again = w.http.request("POST", QStringLiteral("/api/clients/%1/init").arg(id), QJsonObject{}, w.key());
        QVERIFY2(again.status == 200, again.describe().constData());
        QVERIFY(w.waitState(id, SessionState::Ready));
        const ApiResponse logout = w.http.request("POST", QStringLiteral("/api/clients/%1/logout").arg(id), QJsonObject{}, w.key());
        QVERIFY2(logout.status == 200, logout.describe().constData());
        QVERIFY(w.waitState(id, SessionState::Qr));
        QVERIFY(agree(QStringLiteral("qr"), QStringLiteral("null")));
        QVERIFY(w.record(id).phoneNumber.isEmpty());
        QVERIFY(!w.record(id).linked);
    }

    // POST /api/clients/:id/stop: the desktop's Stop through the API. Managers and admins only,
    // another organization's or a malformed id is 404, and stopping twice is one stop.
    void stopRoute()
    {
        START_WORLD(w);
        const QString id = w.createAndInit(QStringLiteral("Stoppable"));
        QVERIFY(!id.isEmpty());
        QVERIFY(w.link(id));
        const QString path = QStringLiteral("/api/clients/%1/stop").arg(id);
        const Account viewer = w.http.createMember(w.admin, QStringLiteral("viewer"), QStringLiteral("viewer@engine.test"));
        const Account agent = w.http.createMember(w.admin, QStringLiteral("agent"), QStringLiteral("agent@engine.test"));
        QVERIFY(viewer.valid() && agent.valid());
        QVERIFY(w.http.assign(w.admin, agent.userId, id));
        QVERIFY(w.http.assign(w.admin, viewer.userId, id));
        for (const Account &member : {viewer, agent}) {
            const ApiResponse refused = w.http.request("POST", path, QJsonObject{}, ApiTestHarness::apiKey(member.apiKey));
            QVERIFY2(refused.isError(403, QStringLiteral("forbidden")), refused.describe().constData());
        }
        const Account other = w.http.registerOrganization(QStringLiteral("other@engine.test"), QStringLiteral("Other Org"));
        QVERIFY(other.valid());
        const ApiResponse foreign = w.http.request("POST", path, QJsonObject{}, ApiTestHarness::apiKey(other.apiKey));
        QVERIFY2(foreign.isError(404, QStringLiteral("not_found")), foreign.describe().constData());
        for (const QString &bad : {id + QStringLiteral("%00"), QStringLiteral("client_%00"), QStringLiteral("nope"),
                                   QStringLiteral("client_'%20OR%201=1%20--")}) {
            const ApiResponse malformed = w.http.request("POST", QStringLiteral("/api/clients/%1/stop").arg(bad), QJsonObject{}, w.key());
            QVERIFY2(malformed.isError(404, QStringLiteral("not_found")), qPrintable(bad + QLatin1Char(' ') + QString::fromUtf8(malformed.describe())));
        }
        QCOMPARE(w.record(id).name, QStringLiteral("Stoppable"));
        QVERIFY(w.session(id)); // none of those stopped it
        QCOMPARE(w.http.status(w.admin, id).json.value(QLatin1String("status")).toString(), QStringLiteral("ready"));

        for (int attempt = 0; attempt < 2; ++attempt) {
            const ApiResponse stopped = w.http.request("POST", path, QJsonObject{}, w.key());
            QVERIFY2(stopped.status == 200, stopped.describe().constData());
            QCOMPARE(stopped.json.value(QLatin1String("clientId")).toString(), id);
            QCOMPARE(stopped.json.value(QLatin1String("status")).toString(), QStringLiteral("stopped"));
            QVERIFY(QTest::qWaitFor([&] { return !w.session(id); }, kWaitMs));
            QVERIFY(w.waitStatus(id, QStringLiteral("stopped")));
        }
        QSqlQuery audits(w.db->connection().value());
        QVERIFY(audits.exec(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'stop_client' AND resource_id = '%1'").arg(id)));
        QVERIFY(audits.next());
        QCOMPARE(audits.value(0).toInt(), 1);
        // It starts again with init, and the link survived the stop.
        const ApiResponse init = w.http.request("POST", QStringLiteral("/api/clients/%1/init").arg(id), QJsonObject{}, w.key());
        QVERIFY2(init.status == 200, init.describe().constData());
        QVERIFY(w.waitState(id, SessionState::Ready));
    }

    // The page stops rotating codes (conn.qrcode_idle): GET /qr answers 429 qr_refreshing and asks
    // for a new code, which then shows.
    void idleQrIsRefreshed()
    {
        START_WORLD(w, (QList<QPair<QString, QString>>{{QStringLiteral("readyMs"), QStringLiteral("50")},
                                                         {QStringLiteral("qrFirstMs"), QStringLiteral("700")},
                                                         {QStringLiteral("qrNextMs"), QStringLiteral("400")},
                                                         {QStringLiteral("qrMax"), QStringLiteral("2")},
                                                         {QStringLiteral("syncMs"), QStringLiteral("300")}}));
        const QString id = w.createAndInit(QStringLiteral("Idle"));
        QVERIFY(!id.isEmpty());
        QVERIFY(w.waitState(id, SessionState::Qr));
        QVERIFY(QTest::qWaitFor([&] { return w.session(id)->qrIdle(); }, kWaitMs));
        QVERIFY(js(w.session(id)->page(), QStringLiteral("__fake.state().qrIdle")).toBool());
        const ApiResponse idle = w.http.request("GET", QStringLiteral("/api/clients/%1/qr").arg(id), QJsonValue(QJsonValue::Undefined), w.key());
        QVERIFY2(idle.isError(429, QStringLiteral("qr_refreshing")), idle.describe().constData());
        QVERIFY(!idle.header("retry-after").isEmpty());
        // The refresh starts a new rotation: a code shows again (and may go idle again later).
        QVERIFY(QTest::qWaitFor([&] { return js(w.session(id)->page(), QStringLiteral("__fake.state().qrCount")).toInt() >= 3; }, kWaitMs));
        QVERIFY(QTest::qWaitFor([&] { return !w.session(id)->qrText().isEmpty() && !w.session(id)->qrIdle(); }, kWaitMs));
        QCOMPARE(w.session(id)->state(), SessionState::Qr);
    }

    // A new registry on the same data directory brings the linked client back to ready from its
    // profile: no QR code, no conn.authenticated, same browser identity.
    void restartRestoresWithoutQr()
    {
        START_WORLD(w);
        const QString id = w.createAndInit(QStringLiteral("Restored"));
        QVERIFY(!id.isEmpty());
        QVERIFY(w.link(id));
        const QString identityBefore = w.record(id).browserIdentity;
        const BrowserIdentity identity = BrowserIdentity::fromJson(QJsonDocument::fromJson(identityBefore.toUtf8()).object());
        QVERIFY(identity.isValid());
        QCOMPARE(js(w.session(id)->page(), QStringLiteral("navigator.userAgent")).toString(), identity.userAgent);
        QVERIFY(!js(w.session(id)->page(), QStringLiteral("localStorage.getItem('fake-whatsapp:linked')")).isNull());

        w.stopEngine();
        QVERIFY(!QFileInfo::exists(WaSession::sessionDirectory(w.dir.path(), id) + QStringLiteral("/profile.lock")));
        w.events.clear();
        w.states.clear();
        QString why;
        QVERIFY2(w.startEngine(true, &why), qPrintable(why));
        QVERIFY(w.session(id));
        QVERIFY(w.waitState(id, SessionState::Ready));
        QJsonObject status;
        QVERIFY(w.waitStatus(id, QStringLiteral("ready"), &status));
        QVERIFY(QTest::qWaitFor([&] { return w.http.status(w.admin, id).json.value(QLatin1String("phoneNumber")).toString() == QLatin1Char('+') + kPhone; }, kWaitMs));

        QWebEnginePage *page = w.session(id)->page();
        QCOMPARE(js(page, QStringLiteral("__fake.state().qrCount")).toInt(), 0);
        QCOMPARE(js(page, QStringLiteral("__fake.events(0).filter(e => e.event === 'conn.authenticated').length")).toInt(), 0);
        QCOMPARE(js(page, QStringLiteral("__fake.events(0).filter(e => e.event === 'conn.auth_code_change').length")).toInt(), 0);
        QVERIFY(w.eventsOf(QStringLiteral("client.qr"), id).isEmpty());
        QVERIFY2(!w.states.value(id).contains(QStringLiteral("qr")), qPrintable(w.states.value(id).join(QLatin1Char(' '))));
        QCOMPARE(w.eventsOf(QStringLiteral("client.connected"), id).size(), 1);
        QCOMPARE(w.record(id).browserIdentity, identityBefore);
        QCOMPARE(js(page, QStringLiteral("navigator.userAgent")).toString(), identity.userAgent);
        QCOMPARE(js(page, QStringLiteral("navigator.platform")).toString(), identity.platform);
        QVERIFY(callBridge(w.session(id), QStringLiteral("sendText"),
                           QJsonArray{QStringLiteral("15557654321@c.us"), QStringLiteral("after restart")})
                    .ok);
    }

    // Only what ran when WaDesk quit comes back: a client an operator stopped or logged out
    // stays stopped at the next start, until it is started again.
    void stoppedClientsStayStoppedAcrossARestart()
    {
        START_WORLD(w);
        const QString running = w.createAndInit(QStringLiteral("Running"));
        const QString stopped = w.createAndInit(QStringLiteral("Stopped"));
        const QString loggedOut = w.createAndInit(QStringLiteral("Logged out"));
        QVERIFY(!running.isEmpty() && !stopped.isEmpty() && !loggedOut.isEmpty());
        QVERIFY(w.link(running, QStringLiteral("15550000001")));
        QVERIFY(w.link(stopped, QStringLiteral("15550000002")));
        QVERIFY(w.link(loggedOut, QStringLiteral("15550000003")));
        const ApiResponse stop = w.http.request("POST", QStringLiteral("/api/clients/%1/stop").arg(stopped), QJsonObject{}, w.key());
        QVERIFY2(stop.status == 200, stop.describe().constData());
        QVERIFY(QTest::qWaitFor([&] { return !w.session(stopped); }, kWaitMs));
        const ApiResponse logout = w.http.request("POST", QStringLiteral("/api/clients/%1/logout").arg(loggedOut), QJsonObject{}, w.key());
        QVERIFY2(logout.status == 200, logout.describe().constData());
        QVERIFY(w.waitState(loggedOut, SessionState::Qr)); // still running, showing a new code
        QVERIFY(w.record(stopped).linked);

        const auto restart = [&w]() {
            w.stopEngine();
            QString why;
            const bool started = w.startEngine(true, &why);
            if (!started)
                qWarning("restart: %s", qPrintable(why));
            return started;
        };
        QVERIFY(restart());
        QVERIFY(w.waitState(running, SessionState::Ready));
        QVERIFY(!w.session(stopped));
        QVERIFY(!w.session(loggedOut));
        QVERIFY(w.waitStatus(stopped, QStringLiteral("stopped")));
        QVERIFY(w.record(stopped).linked); // stopped, not forgotten

        // Started again, it comes back with the application again (still linked: no QR code).
        const ApiResponse init = w.http.request("POST", QStringLiteral("/api/clients/%1/init").arg(stopped), QJsonObject{}, w.key());
        QVERIFY2(init.status == 200, init.describe().constData());
        QVERIFY(w.waitState(stopped, SessionState::Ready));
        QVERIFY(restart());
        QVERIFY(w.waitState(running, SessionState::Ready));
        QVERIFY(w.waitState(stopped, SessionState::Ready));
        QVERIFY(!w.session(loggedOut));
    }

    // Two clients of one organization cannot link the same number: the second is stopped, and
    // its status says which client has the number (not only a log line), and stays so.
    void secondLinkOfANumberIsRefused()
    {
        START_WORLD(w);
        const QString first = w.createAndInit(QStringLiteral("First phone"));
        const QString second = w.createAndInit(QStringLiteral("Second phone"));
        QVERIFY(!first.isEmpty() && !second.isEmpty());
        QVERIFY(w.link(first));
        QVERIFY(w.waitState(second, SessionState::Qr));
        QVERIFY(QTest::qWaitFor([&] { return js(w.session(second)->page(), QStringLiteral("__fake.state().qr !== null")).toBool(); }, kWaitMs));
        QVERIFY(js(w.session(second)->page(), QStringLiteral("__fake.scan('%1')").arg(kPhone)).toObject().value(QLatin1String("ok")).toBool());

        QJsonObject status;
        QVERIFY(w.waitStatus(second, QStringLiteral("failed"), &status));
        const QString reason = status.value(QLatin1String("last_error")).toString();
        QVERIFY2(reason.contains(QLatin1Char('+') + kPhone) && reason.contains(QStringLiteral("\"First phone\"")) && reason.contains(first),
                 qPrintable(reason));
        QVERIFY(QTest::qWaitFor([&] { return !w.session(second); }, kWaitMs));
        QVERIFY(status.value(QLatin1String("phoneNumber")).isNull());
        const ClientRecord refused = w.record(second);
        QCOMPARE(refused.status, QStringLiteral("failed"));
        QCOMPARE(refused.lastError, reason);
        QVERIFY(refused.phoneNumber.isEmpty());
        QVERIFY(!refused.autostart);
        QVERIFY(!logContains(QStringLiteral("UNIQUE constraint failed")));
        // The first client is untouched.
        QCOMPARE(w.session(first)->state(), SessionState::Ready);
        QCOMPARE(w.record(first).phoneNumber, QLatin1Char('+') + kPhone);
        QCOMPARE(w.http.status(w.admin, first).json.value(QLatin1String("status")).toString(), QStringLiteral("ready"));
        // The list says so too, and a while later the refusal still stands.
        QTest::qWait(500);
        QCOMPARE(w.http.status(w.admin, second).json.value(QLatin1String("status")).toString(), QStringLiteral("failed"));
        QCOMPARE(w.http.status(w.admin, second).json.value(QLatin1String("last_error")).toString(), reason);
    }

    // The number typed when the client was added is not the one that linked: the linked one
    // wins, the change is audited with both numbers, and the session's snapshot says what it
    // replaced (the desktop shows it next to "Linked to").
    void linkedNumberReplacingTheTypedOneIsAudited()
    {
        START_WORLD(w);
        const ApiResponse created = w.http.request("POST", QStringLiteral("/api/clients"),
                                                   QJsonObject{{QStringLiteral("name"), QStringLiteral("Typed")},
                                                               {QStringLiteral("phone_number"), QStringLiteral("+1 415 555 0100")}},
                                                   w.key());
        QVERIFY2(created.status == 201, created.describe().constData());
        const QString id = created.json.value(QLatin1String("client")).toObject().value(QLatin1String("id")).toString();
        QCOMPARE(w.record(id).phoneNumber, QStringLiteral("+14155550100"));
        const ApiResponse init = w.http.request("POST", QStringLiteral("/api/clients/%1/init").arg(id), QJsonObject{}, w.key());
        QVERIFY2(init.status == 200, init.describe().constData());
        QVERIFY(w.link(id));

        QVERIFY(QTest::qWaitFor([&] { return w.record(id).phoneNumber == QLatin1Char('+') + kPhone; }, kWaitMs));
        QVERIFY(QTest::qWaitFor([&] { return w.registry->snapshot(id)->replacedPhoneNumber == QStringLiteral("+14155550100"); }, kWaitMs));
        QSqlQuery audit(w.db->connection().value());
        QVERIFY(audit.exec(QStringLiteral("SELECT details FROM audit_logs WHERE action = 'client_phone_changed' AND resource_id = '%1'").arg(id)));
        QVERIFY(audit.next());
        const QJsonObject details = QJsonDocument::fromJson(audit.value(0).toString().toUtf8()).object();
        QCOMPARE(details.value(QLatin1String("previous_phone_number")).toString(), QStringLiteral("+14155550100"));
        QCOMPARE(details.value(QLatin1String("phone_number")).toString(), QLatin1Char('+') + kPhone);
        QVERIFY(!audit.next()); // once

        // A client added without a number: nothing replaced, nothing audited.
        const QString same = w.createAndInit(QStringLiteral("Untyped"));
        QVERIFY(w.link(same, QStringLiteral("15550009999")));
        QVERIFY(QTest::qWaitFor([&] { return w.record(same).phoneNumber == QStringLiteral("+15550009999"); }, kWaitMs));
        QVERIFY(w.registry->snapshot(same)->replacedPhoneNumber.isEmpty());
        QVERIFY(audit.exec(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'client_phone_changed' AND resource_id = '%1'").arg(same)));
        QVERIFY(audit.next());
        QCOMPARE(audit.value(0).toInt(), 0);
    }

    // SIGKILL of the page's renderer: disconnected, a logged recovery attempt, ready again.
    void rendererCrashRecovers()
    {
        START_WORLD(w);
        const QString id = w.createAndInit(QStringLiteral("Crash"));
        QVERIFY(!id.isEmpty());
        QVERIFY(w.link(id));
        WaSession *session = w.session(id);
        QTest::qWait(500);
        const qint64 pid = session->page()->renderProcessPid();
        QVERIFY(pid > 0);
        QCOMPARE(session->recoveryAttempts(), 0);
        w.events.clear();
        w.states.clear();
        QSignalSpy stateSpy(session, &WaSession::stateChanged);
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);

        // (The states are taken from the registry's snapshots, so a short disconnected is not missed.)
        QVERIFY(QTest::qWaitFor([&] { return w.states.value(id).contains(QStringLiteral("disconnected")); }, 10000));
        QVERIFY(w.waitState(id, SessionState::Ready));
        const QStringList seen = w.states.value(id);
        QCOMPARE(seen.first(), QStringLiteral("disconnected"));
        QCOMPARE(seen.last(), QStringLiteral("ready"));
        QVERIFY2(!seen.contains(QStringLiteral("qr")) && !seen.contains(QStringLiteral("failed")), qPrintable(seen.join(QLatin1Char(' '))));
        QVERIFY(!w.eventsOf(QStringLiteral("client.disconnected"), id).isEmpty());
        QVERIFY2(w.eventsOf(QStringLiteral("client.disconnected"), id).first().data.value(QLatin1String("reason")).toString().contains(QLatin1String("renderer")),
                 qPrintable(w.eventsOf(QStringLiteral("client.disconnected"), id).first().data.value(QLatin1String("reason")).toString()));
        QVERIFY(session->recoveryAttempts() >= 1);
        QVERIFY(logContains(QStringLiteral("recovery attempt 1")));
        QVERIFY(session->page()->renderProcessPid() > 0);
        QVERIFY(session->page()->renderProcessPid() != pid);
        QVERIFY(w.waitStatus(id, QStringLiteral("ready")));
        QCOMPARE(w.eventsOf(QStringLiteral("client.disconnected"), id).size(), 1);
        QCOMPARE(w.eventsOf(QStringLiteral("client.disconnected"), id).first().organizationId, w.admin.organizationId);
        QCOMPARE(w.eventsOf(QStringLiteral("client.connected"), id).size(), 1);
        QVERIFY(w.eventsOf(QStringLiteral("client.qr"), id).isEmpty()); // still linked: no new QR
        QVERIFY(callBridge(session, QStringLiteral("sendText"),
                           QJsonArray{QStringLiteral("15557654321@c.us"), QStringLiteral("after the crash")})
                    .ok);
    }

    // The page's event loop is blocked for a while: the heartbeat stops, the session recovers
    // and comes back to ready.
    void stalledPageRecovers()
    {
        START_WORLD(w);
        w.settings.heartbeatIntervalMs = 200;
        w.settings.heartbeatTimeoutMs = 1500;
        w.settings.recoveryBackoffMs = {300, 1000, 1000};
        w.stopEngine();
        QString why;
        QVERIFY2(w.startEngine(false, &why), qPrintable(why));
        const QString id = w.createAndInit(QStringLiteral("Stall"));
        QVERIFY(!id.isEmpty());
        QVERIFY(w.link(id));
        WaSession *session = w.session(id);
        w.events.clear();
        w.states.clear();
        session->page()->runJavaScript(QStringLiteral("(function () { const t = Date.now(); while (Date.now() - t < 3000) {} })()"),
                                       QWebEngineScript::MainWorld);
        QVERIFY(QTest::qWaitFor([&] { return w.states.value(id).contains(QStringLiteral("disconnected")); }, 10000));
        QVERIFY(w.waitState(id, SessionState::Ready));
        const QList<Event> disconnected = w.eventsOf(QStringLiteral("client.disconnected"), id);
        QVERIFY(!disconnected.isEmpty());
        QVERIFY2(disconnected.first().data.value(QLatin1String("reason")).toString().contains(QLatin1String("stopped answering")),
                 qPrintable(disconnected.first().data.value(QLatin1String("reason")).toString()));
        QVERIFY(session->recoveryAttempts() >= 1);
        QVERIFY(logContains(QStringLiteral("recovery attempt 1")));
        QVERIFY2(!w.states.value(id).contains(QStringLiteral("failed")), qPrintable(w.states.value(id).join(QLatin1Char(' '))));
        QVERIFY(w.eventsOf(QStringLiteral("client.qr"), id).isEmpty());
        QVERIFY(callBridge(session, QStringLiteral("state"), {}).ok);
    }

    // A renderer stuck for good in an endless loop (__fake.hang()): no reload can run in it. The
    // heartbeat stops; the session asks the renderer a trivial script, gets no answer, and
    // replaces the renderer at once (the reloads are skipped): ready again from the profile on a
    // new renderer process, without a QR, and the hung process is gone.
    void hungRendererIsReplaced()
    {
        START_WORLD(w);
        w.settings.heartbeatIntervalMs = 200;
        w.settings.heartbeatTimeoutMs = 1200;
        w.settings.rendererProbeMs = 800;
        w.settings.recoveryBackoffMs = {200, 200, 200};
        w.stopEngine();
        QString why;
        QVERIFY2(w.startEngine(false, &why), qPrintable(why));
        const QString id = w.createAndInit(QStringLiteral("Hang"));
        QVERIFY(!id.isEmpty());
        QVERIFY(w.link(id));
        WaSession *session = w.session(id);
        w.events.clear();
        w.states.clear();
        const qint64 hungPid = session->page()->renderProcessPid();
        QVERIFY(hungPid > 0);
        bool hangAnswered = false;
        session->page()->runJavaScript(QStringLiteral("JSON.stringify(__fake.hang())"), QWebEngineScript::MainWorld,
                                       [&hangAnswered](const QVariant &v) { hangAnswered = v.toString().contains(QLatin1String("true")); });
        QTRY_VERIFY_WITH_TIMEOUT(hangAnswered, 5000);

        QVERIFY(QTest::qWaitFor([&] { return w.states.value(id).contains(QStringLiteral("disconnected")); }, 15000));
        QVERIFY(w.waitState(id, SessionState::Ready, 60000));
        QVERIFY(QTest::qWaitFor([&] { return ::kill(pid_t(hungPid), 0) != 0; }, 15000));
        const qint64 newPid = session->page()->renderProcessPid();
        QVERIFY(newPid > 0);
        QVERIFY(newPid != hungPid);
        QVERIFY(logContains(QStringLiteral("replacing its renderer (process %1)").arg(hungPid)));
        QCOMPARE(session->recoveryAttempts(), 0); // no reload was tried: the renderer could not run one
        const QList<Event> disconnected = w.eventsOf(QStringLiteral("client.disconnected"), id);
        QCOMPARE(disconnected.size(), 1);
        QVERIFY2(disconnected.first().data.value(QLatin1String("reason")).toString().contains(QLatin1String("does not answer at all")),
                 qPrintable(disconnected.first().data.value(QLatin1String("reason")).toString()));
        const QStringList seen = w.states.value(id);
        QVERIFY2(!seen.contains(QStringLiteral("failed")) && !seen.contains(QStringLiteral("qr")), qPrintable(seen.join(QLatin1Char(' '))));
        QVERIFY(w.eventsOf(QStringLiteral("client.qr"), id).isEmpty());
        QCOMPARE(w.eventsOf(QStringLiteral("client.connected"), id).size(), 1);
        QVERIFY(w.waitStatus(id, QStringLiteral("ready")));
        QVERIFY(callBridge(session, QStringLiteral("sendText"), QJsonArray{QStringLiteral("15557654321@c.us"), QStringLiteral("after the hang")})
                    .ok);
    }

    // A hung renderer whose replacement cannot help either (the page is gone from disk): the
    // new renderer's load fails, the reloads fail, and the session ends failed with the reason,
    // the renderer rung used once; an explicit init starts it afresh once the page is back.
    void hungPageFailsWithReason()
    {
        START_WORLD(w);
        QTemporaryDir pageDir;
        QVERIFY(pageDir.isValid());
        const QDir fixtures(test::FakeWhatsAppServer::defaultFixtureDirectory());
        for (const char *name : {"index.html", "fake-wpp.js"})
            QVERIFY(QFile::copy(fixtures.filePath(QLatin1String(name)), pageDir.filePath(QLatin1String(name))));
        QUrl url = QUrl::fromLocalFile(pageDir.filePath(QStringLiteral("index.html")));
        url.setQuery(w.settings.url.query());
        w.settings.url = url;
        w.settings.heartbeatIntervalMs = 200;
        w.settings.heartbeatTimeoutMs = 1200;
        w.settings.rendererProbeMs = 800;
        w.settings.readyTimeoutMs = 5000;
        w.settings.recoveryBackoffMs = {200, 200, 200};
        w.stopEngine();
        QString why;
        QVERIFY2(w.startEngine(false, &why), qPrintable(why));
        const QString id = w.createAndInit(QStringLiteral("Hang"));
        QVERIFY(!id.isEmpty());
        QVERIFY(w.link(id));
        WaSession *session = w.session(id);
        w.events.clear();
        const qint64 hungPid = session->page()->renderProcessPid();
        QVERIFY(QFile::remove(pageDir.filePath(QStringLiteral("index.html"))));
        session->page()->runJavaScript(QStringLiteral("__fake.hang()"), QWebEngineScript::MainWorld);

        QVERIFY(w.waitState(id, SessionState::Failed, 60000));
        QVERIFY2(session->lastError().contains(QLatin1String("failed to load")) || session->lastError().contains(QLatin1String("did not become ready")),
                 qPrintable(session->lastError()));
        QCOMPARE(session->recoveryAttempts(), 3);
        QVERIFY(logContains(QStringLiteral("replacing its renderer (process %1)").arg(hungPid)));
        QVERIFY(logContains(QStringLiteral("recovery attempt 3")));
        QVERIFY(logContains(QStringLiteral("giving up after 3 recovery attempts")));
        // Given up: the dead page is let go, and the state stays failed.
        QVERIFY(!session->isRunning());
        if (hungPid > 0)
            QVERIFY(QTest::qWaitFor([&] { return ::kill(pid_t(hungPid), 0) != 0; }, 15000));
        QTest::qWait(1000);
        QCOMPARE(session->state(), SessionState::Failed);
        QVERIFY(!callBridge(session, QStringLiteral("state"), {}).ok);
        QJsonObject status;
        QVERIFY(w.waitStatus(id, QStringLiteral("failed"), &status));
        QCOMPARE(status.value(QLatin1String("last_error")).toString(), session->lastError());
        QCOMPARE(w.record(id).status, QStringLiteral("failed"));
        QCOMPARE(w.record(id).lastError, session->lastError());
        const QStringList seen = w.states.value(id);
        QVERIFY2(seen.join(QLatin1Char(' ')).contains(QLatin1String("ready disconnected")), qPrintable(seen.join(QLatin1Char(' '))));
        QVERIFY(!w.eventsOf(QStringLiteral("client.disconnected"), id).isEmpty());

        // The page is back and the operator starts the client again: a new page, ready again from the profile.
        QVERIFY(QFile::copy(fixtures.filePath(QStringLiteral("index.html")), pageDir.filePath(QStringLiteral("index.html"))));
        const ApiResponse init = w.http.request("POST", QStringLiteral("/api/clients/%1/init").arg(id), QJsonObject{}, w.key());
        QVERIFY2(init.status == 200, init.describe().constData());
        QVERIFY(w.waitState(id, SessionState::Ready, 60000));
        QVERIFY(w.session(id)->isRunning());
        QVERIFY(w.session(id)->page()->renderProcessPid() != hungPid);
        QVERIFY(w.eventsOf(QStringLiteral("client.qr"), id).isEmpty()); // still linked
    }

    // Two clients side by side: their own storage, their own browser identity, and a scan on
    // one leaves the other on its QR screen.
    void twoClientsAreIsolated()
    {
        START_WORLD(w);
        const QString a = w.http.createClient(w.admin, QStringLiteral("Alpha"));
        const QString b = w.http.createClient(w.admin, QStringLiteral("Beta"));
        QVERIFY(!a.isEmpty() && !b.isEmpty());
        // Two distinct stored identities (random ones could coincide).
        const BrowserIdentity idA = BrowserIdentity::generate(EngineInfo::chromiumVersion(), QStringLiteral("en_US"), 11);
        BrowserIdentity idB;
        for (quint32 seed = 12; seed < 200 && (!idB.isValid() || idB.userAgent == idA.userAgent); ++seed)
            idB = BrowserIdentity::generate(EngineInfo::chromiumVersion(), QStringLiteral("de_DE"), seed);
        QVERIFY(idB.userAgent != idA.userAgent);
        {
            SqlRunner sql(*w.db);
            ClientRepository clients(sql);
            QVERIFY(clients.setBrowserIdentity(w.admin.organizationId, a,
                                               QString::fromUtf8(QJsonDocument(idA.toJson()).toJson(QJsonDocument::Compact))));
            QVERIFY(clients.setBrowserIdentity(w.admin.organizationId, b,
                                               QString::fromUtf8(QJsonDocument(idB.toJson()).toJson(QJsonDocument::Compact))));
        }
        for (const QString &id : {a, b}) {
            const ApiResponse r = w.http.request("POST", QStringLiteral("/api/clients/%1/init").arg(id), QJsonObject{}, w.key());
            QVERIFY2(r.status == 200, r.describe().constData());
        }
        QVERIFY(w.waitState(a, SessionState::Qr));
        QVERIFY(w.waitState(b, SessionState::Qr));
        QWebEnginePage *pageA = w.session(a)->page();
        QWebEnginePage *pageB = w.session(b)->page();

        // Storage: one directory each, a profile each.
        const QString dirA = WaSession::sessionDirectory(w.dir.path(), a);
        const QString dirB = WaSession::sessionDirectory(w.dir.path(), b);
        QVERIFY(QFileInfo(dirA).isDir());
        QVERIFY(QFileInfo(dirB).isDir());
        QVERIFY(QFileInfo::exists(dirA + QStringLiteral("/profile.lock")));
        QVERIFY(QFileInfo::exists(dirB + QStringLiteral("/profile.lock")));
        QVERIFY(pageA->profile() != pageB->profile());
        QVERIFY(!pageA->profile()->isOffTheRecord());
        QVERIFY(pageA->profile()->persistentStoragePath().startsWith(dirA));
        QVERIFY(pageB->profile()->persistentStoragePath().startsWith(dirB));
        QVERIFY(pageA->profile()->cachePath().startsWith(dirA));
        QVERIFY(pageB->profile()->cachePath().startsWith(dirB));

        // Identity: each page presents its own, in script and over HTTP.
        QCOMPARE(js(pageA, QStringLiteral("navigator.userAgent")).toString(), idA.userAgent);
        QCOMPARE(js(pageB, QStringLiteral("navigator.userAgent")).toString(), idB.userAgent);
        QCOMPARE(js(pageA, QStringLiteral("navigator.platform")).toString(), idA.platform);
        QCOMPARE(js(pageB, QStringLiteral("navigator.platform")).toString(), idB.platform);
        QCOMPARE(js(pageA, QStringLiteral("navigator.languages")).toArray().first().toString(), idA.languages.first());
        QCOMPARE(js(pageB, QStringLiteral("navigator.languages")).toArray().first().toString(), idB.languages.first());
        QCOMPARE(pageA->profile()->httpUserAgent(), idA.userAgent);
        QCOMPARE(pageB->profile()->httpUserAgent(), idB.userAgent);
        QCOMPARE(pageA->profile()->httpAcceptLanguage(), idA.acceptLanguage());
        QCOMPARE(pageB->profile()->httpAcceptLanguage(), idB.acceptLanguage());

        // Different codes; a scan on A leaves B alone.
        QVERIFY(QTest::qWaitFor([&] { return !w.session(a)->qrText().isEmpty() && !w.session(b)->qrText().isEmpty(); }, kWaitMs));
        QVERIFY(w.session(a)->qrText() != w.session(b)->qrText());
        QVERIFY(w.link(a, QStringLiteral("15551110001")));
        QVERIFY(w.waitStatus(a, QStringLiteral("ready")));
        QTest::qWait(800);
        QCOMPARE(w.session(b)->state(), SessionState::Qr);
        QJsonObject statusB = w.http.status(w.admin, b).json;
        QCOMPARE(statusB.value(QLatin1String("status")).toString(), QStringLiteral("qr"));
        QVERIFY(statusB.value(QLatin1String("phoneNumber")).isNull());
        QCOMPARE(js(pageB, QStringLiteral("__fake.state().authenticated")).toBool(), false);
        QVERIFY(js(pageB, QStringLiteral("localStorage.getItem('fake-whatsapp:linked')")).isNull());
        QVERIFY(!js(pageA, QStringLiteral("localStorage.getItem('fake-whatsapp:linked')")).isNull());
        QVERIFY(w.eventsOf(QStringLiteral("client.connected"), b).isEmpty());
        QCOMPARE(w.eventsOf(QStringLiteral("client.connected"), a).size(), 1);

        // And the other way round, with another number.
        QVERIFY(w.link(b, QStringLiteral("15551110002")));
        QVERIFY(QTest::qWaitFor([&] { return w.session(b)->phoneNumber() == QLatin1String("+15551110002"); }, kWaitMs));
        QCOMPARE(w.session(a)->phoneNumber(), QStringLiteral("+15551110001"));
        QCOMPARE(w.registry->readyCount(), 2);

        // A logout on B leaves A ready.
        QVERIFY(js(pageB, QStringLiteral("__fake.logoutFromPhone().ok")).toBool());
        QVERIFY(w.waitState(b, SessionState::Qr));
        QTest::qWait(500);
        QCOMPARE(w.session(a)->state(), SessionState::Ready);
        QCOMPARE(js(pageA, QStringLiteral("__fake.state().authenticated")).toBool(), true);
    }

    // One profile, one owner: a second session on the same client (in this process or another)
    // is refused with a clear error while the first holds the lock, and allowed once it stopped.
    void profileLockIsExclusive()
    {
        START_WORLD(w);
        const QString id = w.createAndInit(QStringLiteral("Locked"));
        QVERIFY(!id.isEmpty());
        QVERIFY(w.waitState(id, SessionState::Qr));

        WaSession::Config config;
        config.settings = w.settings;
        config.clientId = id;
        config.clientName = QStringLiteral("intruder");
        config.identity = BrowserIdentity::generate(EngineInfo::chromiumVersion(), QStringLiteral("en_US"), 7);
        {
            WaSession second(config);
            QString error;
            QVERIFY(!second.start(&error));
            QVERIFY2(error.contains(QLatin1String("in use by another process")), qPrintable(error));
            QVERIFY2(error.contains(QString::number(QCoreApplication::applicationPid())), qPrintable(error));
            QVERIFY(!second.isRunning());
            QVERIFY(!second.page());
        }
        // The refused attempt did not disturb the owner.
        QTest::qWait(300);
        QCOMPARE(w.session(id)->state(), SessionState::Qr);
        QVERIFY(QFileInfo::exists(WaSession::sessionDirectory(w.dir.path(), id) + QStringLiteral("/profile.lock")));

        // Another process.
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QLatin1String(kLockChildVariable), w.dir.path() + QLatin1Char('|') + id);
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForStarted(10000));
        QVERIFY(QTest::qWaitFor([&] { return child.state() == QProcess::NotRunning; }, kWaitMs));
        const QString out = QString::fromUtf8(child.readAllStandardOutput());
        QCOMPARE(child.exitCode(), 3);
        QVERIFY2(out.contains(QLatin1String("in use by another process")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("pid %1").arg(QCoreApplication::applicationPid())), qPrintable(out));

        // Stopped: the lock is released and the profile can be opened again.
        w.registry->stop(id);
        QVERIFY(!QFileInfo::exists(WaSession::sessionDirectory(w.dir.path(), id) + QStringLiteral("/profile.lock")));
        WaSession again(config);
        QString error;
        QVERIFY2(again.start(&error), qPrintable(error));
        QVERIFY(again.isRunning());
        again.stop();
    }

    // A client whose proxy is in Japan presents Japan's language and clock (no DST there, so the
    // offset is fixed): navigator, Accept-Language's source, Date and Intl agree.
    void identityFollowsProxyCountry()
    {
        START_WORLD(w);
        const BrowserIdentity own = BrowserIdentity::generate(EngineInfo::chromiumVersion(), QStringLiteral("de_DE"), 5);
        const BrowserIdentity japan = own.localizedTo(QStringLiteral("jp"));
        QCOMPARE(japan.timeZone, QStringLiteral("Asia/Tokyo"));
        QCOMPARE(japan.languages, (QStringList{QStringLiteral("ja-JP"), QStringLiteral("ja"), QStringLiteral("en")}));
        QCOMPARE(japan.userAgent, own.userAgent); // the browser stays the same one
        QCOMPARE(own.localizedTo(QStringLiteral("ZZ")).languages, own.languages);
        QVERIFY(own.localizedTo(QStringLiteral("ZZ")).timeZone.isEmpty());
        QCOMPARE(own.localizedTo(QStringLiteral("BR")).timeZone, QStringLiteral("America/Sao_Paulo"));
        QCOMPARE(own.localizedTo(QStringLiteral("US")).languages.first(), QStringLiteral("en-US"));

        WaSession::Config config;
        config.settings = w.settings;
        config.clientId = QStringLiteral("cl_tokyo");
        config.clientName = QStringLiteral("Tokyo");
        config.identity = japan;
        WaSession page(config);
        QString error;
        QVERIFY2(page.start(&error), qPrintable(error));
        QJsonObject seen;
        QVERIFY(QTest::qWaitFor(
            [&] {
                auto done = std::make_shared<bool>(false); // the callback may outlive this wait
                page.page()->runJavaScript(
                    QStringLiteral("JSON.stringify({langs: navigator.languages, offset: new Date(2026, 0, 15).getTimezoneOffset(),"
                                   " summer: new Date(2026, 6, 15).getTimezoneOffset(),"
                                   " zone: Intl.DateTimeFormat().resolvedOptions().timeZone,"
                                   " explicit: new Intl.DateTimeFormat('en', {timeZone: 'UTC'}).resolvedOptions().timeZone})"),
                    [&seen, done](const QVariant &v) {
                        seen = QJsonDocument::fromJson(v.toString().toUtf8()).object();
                        *done = true;
                    });
                if (!QTest::qWaitFor([&] { return *done; }, 5000))
                    return false;
                return seen.value(QLatin1String("zone")).toString() == QLatin1String("Asia/Tokyo");
            },
            kWaitMs));
        QCOMPARE(seen.value(QLatin1String("offset")).toInt(), -540);
        QCOMPARE(seen.value(QLatin1String("summer")).toInt(), -540);
        QCOMPARE(seen.value(QLatin1String("explicit")).toString(), QStringLiteral("UTC")); // asked-for zones still work
        QCOMPARE(seen.value(QLatin1String("langs")).toArray().first().toString(), QStringLiteral("ja-JP"));
        page.stop();
    }

    // The registry's main-thread calls act on pages and senders: from another thread they are
    // refused (logged, false / null / empty) and change nothing; that thread uses the requests.
    void offThreadCallsAreRefused()
    {
        START_WORLD(w);
        const QString id = w.createAndInit(QStringLiteral("Main thread"));
        QVERIFY(!id.isEmpty());
        QVERIFY(w.waitState(id, SessionState::Qr));
        const QString idle = w.http.createClient(w.admin, QStringLiteral("Not started"));
        QVERIFY(!idle.isEmpty());

        bool started = true;
        QString error;
        bool sawSession = true;
        bool sawSender = true;
        QStringList running{QStringLiteral("unset")};
        std::unique_ptr<QThread> other(QThread::create([&] {
            started = w.registry->start(w.admin.organizationId, idle, &error);
            sawSession = w.registry->session(id) != nullptr;
            sawSender = w.registry->sender(id) != nullptr;
            running = w.registry->runningClients();
            w.registry->pause(w.admin.organizationId, id, QStringLiteral("asked off thread"));
            w.registry->stop(id);
            w.registry->stopAll();
        }));
        other->start();
        QVERIFY(other->wait(10000));
        QVERIFY(!started);
        QVERIFY2(error.contains(QLatin1String("main thread")), qPrintable(error));
        QVERIFY(!sawSession);
        QVERIFY(!sawSender);
        QVERIFY(running.isEmpty());
        for (const char *call : {"start", "session", "sender", "runningClients", "pause", "stop", "stopAll"})
            QVERIFY2(logContains(QStringLiteral("SessionRegistry::%1 called off the main thread: refused").arg(QLatin1String(call))), call);

        // Nothing happened: the session still runs unpaused, the other one was never started.
        QTest::qWait(300);
        QVERIFY(w.session(id));
        QCOMPARE(w.session(id)->state(), SessionState::Qr);
        QVERIFY(w.registry->sender(id));
        QVERIFY(!w.registry->sender(id)->isPaused());
        QVERIFY(!w.record(id).paused);
        QVERIFY(!w.session(idle));
        QCOMPARE(w.registry->runningClients(), QStringList{id});
        QVERIFY(w.eventsOf(QStringLiteral("client.paused"), id).isEmpty());

        // The same from that thread through the requests works.
        std::unique_ptr<QThread> requester(QThread::create([&] { w.registry->requestPause(w.admin.organizationId, id, QStringLiteral("asked properly")); }));
        requester->start();
        QVERIFY(requester->wait(10000));
        QVERIFY(QTest::qWaitFor([&] { return w.registry->sender(id)->isPaused(); }, kWaitMs));
        QVERIFY(w.record(id).paused);
        QCOMPARE(w.eventsOf(QStringLiteral("client.paused"), id).size(), 1);
    }

    // DELETE /api/clients/:id stops the session and removes its profile directory.
    void deleteRemovesProfile()
    {
        START_WORLD(w);
        const QString id = w.createAndInit(QStringLiteral("Doomed"));
        const QString keep = w.createAndInit(QStringLiteral("Kept"));
        QVERIFY(!id.isEmpty() && !keep.isEmpty());
        QVERIFY(w.link(id));
        QVERIFY(w.waitState(keep, SessionState::Qr));
        const QString dir = WaSession::sessionDirectory(w.dir.path(), id);
        QVERIFY(QFileInfo(dir + QStringLiteral("/storage")).isDir());
        QTest::qWait(500);

        const ApiResponse r = w.http.request("DELETE", QStringLiteral("/api/clients/%1").arg(id), QJsonValue(QJsonValue::Undefined), w.key());
        QVERIFY2(r.status == 200, r.describe().constData());
        QVERIFY(QTest::qWaitFor([&] { return !w.session(id); }, kWaitMs));
        const auto leftovers = [&dir]() {
            QStringList out;
            QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
            while (it.hasNext())
                out << it.next().mid(dir.size());
            return out.join(QLatin1Char(' '));
        };
        QVERIFY2(QTest::qWaitFor([&] { return !QFileInfo::exists(dir); }, kWaitMs), qPrintable(leftovers()));
        QTest::qWait(2000); // nothing writes it back afterwards
        QVERIFY2(!QFileInfo::exists(dir), qPrintable(leftovers()));
        const ApiResponse gone = w.http.status(w.admin, id);
        QVERIFY2(gone.status == 404, gone.describe().constData());
        QVERIFY(!w.registry->snapshot(id));
        // The other client is untouched.
        QVERIFY(QFileInfo(WaSession::sessionDirectory(w.dir.path(), keep)).isDir());
        QCOMPARE(w.session(keep)->state(), SessionState::Qr);
    }

    // A QR code grants the account: a viewer may not see it (403, assigned or not), an agent not
    // assigned to the client does not even see the client (404); an assigned agent and the admin do.
    void qrVisibility()
    {
        START_WORLD(w);
        const QString id = w.createAndInit(QStringLiteral("Guarded"));
        QVERIFY(!id.isEmpty());
        QVERIFY(w.waitState(id, SessionState::Qr));
        QVERIFY(QTest::qWaitFor([&] { return !w.session(id)->qrText().isEmpty(); }, kWaitMs));
        const Account viewer = w.http.createMember(w.admin, QStringLiteral("viewer"), QStringLiteral("viewer@engine.test"));
        const Account agent = w.http.createMember(w.admin, QStringLiteral("agent"), QStringLiteral("agent@engine.test"));
        QVERIFY(viewer.valid() && agent.valid());
        const QString qrPath = QStringLiteral("/api/clients/%1/qr").arg(id);
        const QJsonValue none(QJsonValue::Undefined);

        const ApiResponse byViewer = w.http.request("GET", qrPath, none, ApiTestHarness::apiKey(viewer.apiKey));
        QVERIFY2(byViewer.isError(403, QStringLiteral("forbidden")), byViewer.describe().constData());
        const ApiResponse byViewerJson = w.http.request("GET", qrPath + QStringLiteral("?format=json"), none, ApiTestHarness::bearer(viewer.token));
        QVERIFY2(byViewerJson.status == 403, byViewerJson.describe().constData());
        QVERIFY(!byViewerJson.body.contains(w.session(id)->qrText().toUtf8()));

        const ApiResponse byAgent = w.http.request("GET", qrPath, none, ApiTestHarness::apiKey(agent.apiKey));
        QVERIFY2(byAgent.isError(404, QStringLiteral("not_found")), byAgent.describe().constData());
        QVERIFY(!byAgent.body.startsWith("\x89PNG"));
        const ApiResponse agentStatus = w.http.status(agent, id);
        QVERIFY2(agentStatus.status == 404, agentStatus.describe().constData());
        const ApiResponse agentInit = w.http.request("POST", QStringLiteral("/api/clients/%1/init").arg(id), QJsonObject{},
                                                     ApiTestHarness::apiKey(agent.apiKey));
        QVERIFY2(agentInit.status == 403 || agentInit.status == 404, agentInit.describe().constData());

        QVERIFY(w.http.assign(w.admin, agent.userId, id));
        const ApiResponse assigned = w.http.request("GET", qrPath, none, ApiTestHarness::apiKey(agent.apiKey));
        QVERIFY2(assigned.status == 200, assigned.describe().constData());
        QVERIFY(assigned.body.startsWith("\x89PNG"));
        const ApiResponse byAdmin = w.http.request("GET", qrPath, none, w.key());
        QVERIFY2(byAdmin.status == 200, byAdmin.describe().constData());
        // A viewer assigned to the client reads its status (no code in it), still not its QR.
        QVERIFY(w.http.assign(w.admin, viewer.userId, id));
        const ApiResponse viewerQr = w.http.request("GET", qrPath, none, ApiTestHarness::apiKey(viewer.apiKey));
        QVERIFY2(viewerQr.isError(403, QStringLiteral("forbidden")), viewerQr.describe().constData());
        const ApiResponse viewerStatus = w.http.status(viewer, id);
        QVERIFY2(viewerStatus.status == 200, viewerStatus.describe().constData());
        QVERIFY(!viewerStatus.body.contains(w.session(id)->qrText().toUtf8()));
    }
};

// Child mode for profileLockIsExclusive: try to start a session on a profile another process holds.
static int lockChild(const QString &spec)
{
    WaSession::Config config;
    config.settings.dataDir = spec.section(QLatin1Char('|'), 0, 0);
    config.settings.url = QUrl(QStringLiteral("about:blank"));
    config.settings.injectWaJs = false;
    config.clientId = spec.section(QLatin1Char('|'), 1, 1);
    config.identity = BrowserIdentity::generate(EngineInfo::chromiumVersion(), QStringLiteral("en_US"), 3);
    WaSession session(config);
    QString error;
    if (!session.start(&error)) {
        std::printf("refused: %s\n", qPrintable(error));
        return 3;
    }
    std::printf("locked\n");
    session.stop();
    return 0;
}

int main(int argc, char **argv)
{
    if (::geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX"))
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QGuiApplication app(argc, argv);
    const QString child = qEnvironmentVariable(kLockChildVariable);
    if (!child.isEmpty())
        return lockChild(child);
    TestEngine test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_engine.moc"
