// The acceptance of the WhatsApp engine with the real `wadesk` binary (QProcess, headless, its
// own HOME/XDG directories, no DISPLAY, a free port): the fake WhatsApp Web page and its
// remote-control endpoint are served from this process over loopback HTTP
// (FakeWhatsAppServer), and the binary points its sessions at it (WADESK_WA_URL,
// WADESK_INJECT_WAJS=0). The functions run in order and share one data directory:
//   init → QR as PNG → the page reports the scan → ready (/health counts it, names wa-js);
//   SIGKILL of the page's renderer → recovered; SIGTERM and a new start → the linked client
//   comes back without a new QR; a logout from the phone → logged_out → QR again; SIGTERM
//   stops the app and its Chromium processes.

#include "tests/support/BinarySandbox.h"
#include "tests/support/EngineApiClient.h"
#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/WadeskInstance.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QImage>
#include <QJsonArray>
#include <QUrl>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <memory>
#include <unistd.h>

using wadesk::test::Account;
using wadesk::test::ApiResponse;
using wadesk::test::ApiTestHarness;
using wadesk::test::EngineApiClient;
using wadesk::test::FakeWhatsAppServer;

using wadesk::test::WadeskInstance;
using wadesk::test::wadeskBinary;

namespace {

constexpr int kWaitMs = 45000; // a cold Chromium in a fresh process, 2 busy cores
const QString kSession = QStringLiteral("e2e");
const QString kPhone = QStringLiteral("14155552671");

QByteArray readProc(qint64 pid, const char *what)
{
    QFile f(QStringLiteral("/proc/%1/%2").arg(pid).arg(QLatin1String(what)));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString commandLine(qint64 pid)
{
    QByteArray raw = readProc(pid, "cmdline");
    raw.replace('\0', ' ');
    return QString::fromLocal8Bit(raw).trimmed();
}

// Every process below `pid` (children of all its threads, recursively).
QList<qint64> descendants(qint64 pid)
{
    QList<qint64> out;
    const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(tid + QStringLiteral("/children")));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &child : f.readAll().split(' ')) {
            const qint64 c = child.trimmed().toLongLong();
            if (c > 0 && !out.contains(c)) {
                out << c;
                out << descendants(c);
            }
        }
    }
    return out;
}

QList<qint64> childrenOf(qint64 pid)
{
    QList<qint64> out;
    const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(tid + QStringLiteral("/children")));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &child : f.readAll().split(' ')) {
            const qint64 c = child.trimmed().toLongLong();
            if (c > 0 && !out.contains(c))
                out << c;
        }
    }
    return out;
}

// The page renderers of `pid`. Chromium forks them from its zygote, so they carry the zygote's
// command line: the children of the QtWebEngineProcess zygotes that `pid` started; without a
// zygote, children started with --type=renderer.
QList<qint64> renderers(qint64 pid)
{
    QList<qint64> out;
    for (qint64 child : childrenOf(pid)) {
        const QString args = commandLine(child);
        if (args.contains(QLatin1String("--type=renderer"))) {
            out << child;
        } else if (args.contains(QLatin1String("--type=zygote"))) {
            for (qint64 forked : childrenOf(child))
                out << forked;
        }
    }
    return out;
}

bool alive(qint64 pid)
{
    if (::kill(pid_t(pid), 0) != 0)
        return false;
    // A zombie is dead for our purpose.
    const QByteArray stat = readProc(pid, "stat");
    const int close = stat.lastIndexOf(')');
    return close < 0 || stat.mid(close + 2, 1) != "Z";
}

// The binary pointed at the fake page (no wa-js: the page provides window.WPP itself).
QProcessEnvironment instanceEnvironment(const QString &pageUrl)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("WADESK_PASSWORD_HASH_COST"), QStringLiteral("min"));
    env.insert(QStringLiteral("WADESK_HEALTH_CACHE_MS"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_WA_URL"), pageUrl);
    env.insert(QStringLiteral("WADESK_INJECT_WAJS"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_INTERVAL_MS"), QStringLiteral("500"));
    env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_TIMEOUT_MS"), QStringLiteral("20000"));
    return env;
}

QJsonObject healthOf(quint16 port)
{
    wadesk::test::HttpTestClient c;
    if (!c.connectTo(port, 2000))
        return {};
    c.send(wadesk::test::HttpTestClient::request("GET", "/health"));
    const auto r = c.waitResponse(5000);
    return r.status == 200 ? r.json() : QJsonObject();
}

} // namespace

class TestEngineE2e : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;
    FakeWhatsAppServer m_fake;
    std::unique_ptr<WadeskInstance> m_app;
    EngineApiClient m_http;
    Account m_admin;
    QString m_clientId;
    QStringList m_seen; // statuses observed by waitStatus

    QString pageUrl() const
    {
        return m_fake.pageUrl(kSession, {{QStringLiteral("readyMs"), QStringLiteral("50")},
                                         {QStringLiteral("qrFirstMs"), QStringLiteral("30000")},
                                         {QStringLiteral("qrNextMs"), QStringLiteral("20000")},
                                         {QStringLiteral("qrMax"), QStringLiteral("100")},
                                         {QStringLiteral("syncMs"), QStringLiteral("300")},
                                         {QStringLiteral("ackMs"), QStringLiteral("100")}})
            .toString(QUrl::FullyEncoded);
    }

    bool startApp()
    {
        m_app = std::make_unique<WadeskInstance>(m_home.path(), instanceEnvironment(pageUrl()), kWaitMs);
        if (!m_app->start()) {
            qWarning("wadesk did not start:\n%s", qPrintable(m_app->output().right(4000)));
            return false;
        }
        m_http.setPort(m_app->port());
        return true;
    }

    wadesk::test::HeaderList key() const { return ApiTestHarness::apiKey(m_admin.apiKey); }

    // Polls the status every 50 ms, remembering every distinct status seen on the way.
    bool waitStatus(const QString &wanted, int timeoutMs = kWaitMs)
    {
        const bool ok = QTest::qWaitFor(
            [&] {
                const ApiResponse r = m_http.status(m_admin, m_clientId);
                const QString s = r.json.value(QLatin1String("status")).toString();
                if (!s.isEmpty() && (m_seen.isEmpty() || m_seen.last() != s))
                    m_seen << s;
                return s == wanted;
            },
            timeoutMs);
        if (!ok)
            qWarning("status %s never came; seen %s\n%s", qPrintable(wanted), qPrintable(m_seen.join(QLatin1String(" → "))),
                     qPrintable(m_app->logFile().right(3000)));
        return ok;
    }

    // Runs one __fake command in the page through the control endpoint; its result.
    QJsonObject command(const QString &cmd, const QJsonArray &args = {})
    {
        const int before = m_fake.results(kSession).size();
        m_fake.enqueue(kSession, cmd, args);
        if (!QTest::qWaitFor([&] { return m_fake.results(kSession).size() > before; }, kWaitMs)) {
            qWarning("the page never ran %s (polls so far: %d)", qPrintable(cmd), m_fake.polls(kSession));
            return {};
        }
        return m_fake.results(kSession).at(before);
    }

    bool waitMessageStatus(const QString &messageId, const QStringList &wanted)
    {
        QString last;
        const bool ok = QTest::qWaitFor([&] {
            last = m_http.request("GET", QStringLiteral("/api/messages/") + messageId, QJsonValue(QJsonValue::Undefined), key())
                       .json.value(QLatin1String("status")).toString();
            return wanted.contains(last);
        }, kWaitMs);
        if (!ok)
            qWarning("message %s: wanted %s, is %s", qPrintable(messageId), qPrintable(wanted.join(u'/')), qPrintable(last));
        return ok;
    }

    // The client's received messages from `phone` (E.164), newest first.
    QJsonArray inboundFrom(const QString &phone)
    {
        const ApiResponse r = m_http.request("GET", QStringLiteral("/api/clients/%1/messages?direction=inbound&contact=%2")
                                                        .arg(m_clientId, QString::fromLatin1(QUrl::toPercentEncoding(phone))),
                                             QJsonValue(QJsonValue::Undefined), key());
        return r.json.value(QLatin1String("messages")).toArray();
    }
    QJsonObject lastInbound(const QString &phone)
    {
        const QJsonArray all = inboundFrom(phone);
        return all.isEmpty() ? QJsonObject() : all.first().toObject();
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(wadeskBinary()), qPrintable(wadeskBinary()));
        QVERIFY(m_home.isValid());
        QVERIFY(m_fake.start());
        QVERIFY(startApp());
        m_admin = m_http.registerOrganization(QStringLiteral("admin@e2e.test"), QStringLiteral("E2E Org"));
        QVERIFY(m_admin.valid());
        m_clientId = m_http.createClient(m_admin, QStringLiteral("Reception"));
        QVERIFY(!m_clientId.isEmpty());
    }

    // init → QR PNG → the page reports the scan → ready; /health counts the client.
    void initQrScanReady()
    {
        const QJsonObject before = healthOf(m_app->port());
        QCOMPARE(before.value(QLatin1String("active_clients")).toInt(-1), 0);

        const ApiResponse init = m_http.request("POST", QStringLiteral("/api/clients/%1/init").arg(m_clientId), QJsonObject{}, key());
        QVERIFY2(init.status == 200, init.describe().constData());
        QVERIFY(waitStatus(QStringLiteral("qr")));
        QVERIFY(m_fake.count(QStringLiteral("GET /index.html")) >= 1);

        ApiResponse png;
        QVERIFY(QTest::qWaitFor(
            [&] {
                png = m_http.request("GET", QStringLiteral("/api/clients/%1/qr").arg(m_clientId), QJsonValue(QJsonValue::Undefined), key());
                return png.status == 200;
            },
            kWaitMs));
        QCOMPARE(png.header("content-type"), QByteArrayLiteral("image/png"));
        QVERIFY(png.body.startsWith(QByteArray("\x89PNG\r\n\x1a\n", 8)));
        const QImage image = QImage::fromData(png.body, "PNG");
        QVERIFY(!image.isNull());
        QCOMPARE(image.width(), image.height());
        const ApiResponse json = m_http.request("GET", QStringLiteral("/api/clients/%1/qr?format=json").arg(m_clientId),
                                                QJsonValue(QJsonValue::Undefined), key());
        QVERIFY2(json.status == 200, json.describe().constData());
        const QString code = json.json.value(QLatin1String("qr")).toString();
        QVERIFY(code.startsWith(QLatin1String("2@")));

        // The page is driven over its control endpoint: the code it shows is the one served.
        const QJsonObject state = command(QStringLiteral("state"));
        QVERIFY2(state.value(QLatin1String("ok")).toBool(), QJsonDocument(state).toJson().constData());
        QCOMPARE(state.value(QLatin1String("result")).toObject().value(QLatin1String("qr")).toString(), code);

        const QJsonObject scan = command(QStringLiteral("scan"), {kPhone});
        QVERIFY2(scan.value(QLatin1String("result")).toObject().value(QLatin1String("ok")).toBool(), QJsonDocument(scan).toJson().constData());
        QVERIFY(waitStatus(QStringLiteral("ready")));
        QVERIFY(QTest::qWaitFor([&] { return m_http.status(m_admin, m_clientId).json.value(QLatin1String("phoneNumber")).toString() == QLatin1Char('+') + kPhone; }, kWaitMs));
        const ApiResponse noQr = m_http.request("GET", QStringLiteral("/api/clients/%1/qr").arg(m_clientId), QJsonValue(QJsonValue::Undefined), key());
        QVERIFY2(noQr.isError(409, QStringLiteral("client_not_in_qr_state")), noQr.describe().constData());

        QJsonObject health;
        QVERIFY(QTest::qWaitFor([&] { health = healthOf(m_app->port()); return health.value(QLatin1String("active_clients")).toInt() == 1; }, kWaitMs));
        QCOMPARE(health.value(QLatin1String("wa_js_version")).toString(), QStringLiteral("fake-1.0"));
        QCOMPARE(m_http.status(m_admin, m_clientId).json.value(QLatin1String("wa_js_version")).toString(), QStringLiteral("fake-1.0"));
        // As root the app turns the Chromium sandbox off by itself (nothing in our environment asks).
        const QList<qint64> pages = renderers(m_app->pid());
        QCOMPARE(pages.size(), 1);
        if (::geteuid() == 0)
            QVERIFY(commandLine(pages.first()).contains(QLatin1String("--no-sandbox")));
    }

    // SIGKILL of the page's renderer: disconnected, then ready again by itself.
    // Issue 11's acceptance through the real binary: the guide's Example 3 (upload a base64
    // PNG → 201 in the guide's shape; download → the same bytes as image/png; send-message
    // with `media` → the page receives an image with its caption), storage in the guide's
    // shape, a disguised executable refused, an incoming image stored and downloadable, an
    // incoming text first reported as ciphertext stored once with its text, a refused send
    // ending failed.
    void mediaAndTheMessageContract()
    {
        QImage image(8, 6, QImage::Format_RGB32);
        image.fill(qRgb(200, 40, 90));
        QByteArray png;
        {
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            QVERIFY(image.save(&buffer, "PNG"));
        }
        const ApiResponse up = m_http.request("POST", QStringLiteral("/api/media/upload"),
                                              QJsonObject{{QStringLiteral("file"), QString::fromLatin1(png.toBase64())},
                                                          {QStringLiteral("filename"), QStringLiteral("promo.png")}},
                                              key());
        QVERIFY2(up.status == 201, up.describe().constData());
        QCOMPARE(up.json.value(QLatin1String("message")).toString(), QStringLiteral("Media uploaded"));
        const QJsonObject media = up.json.value(QLatin1String("media")).toObject();
        const QString mediaId = media.value(QLatin1String("id")).toString();
        QVERIFY(mediaId.startsWith(QLatin1String("media_")));
        QCOMPARE(media.value(QLatin1String("mimetype")).toString(), QStringLiteral("image/png"));
        QCOMPARE(media.value(QLatin1String("size")).toInt(), int(png.size()));

        const ApiResponse down = m_http.request("GET", QStringLiteral("/api/media/%1/download").arg(mediaId), QJsonValue(QJsonValue::Undefined), key());
        QVERIFY2(down.status == 200, down.describe().constData());
        QCOMPARE(down.header("content-type"), QByteArrayLiteral("image/png"));
        QCOMPARE(down.body, png);

        const ApiResponse storage = m_http.request("GET", QStringLiteral("/api/analytics/storage"), QJsonValue(QJsonValue::Undefined), key());
        QVERIFY2(storage.status == 200, storage.describe().constData());
        QCOMPARE(storage.json.value(QLatin1String("used")).toInt(), int(png.size()));
        QVERIFY(storage.json.value(QLatin1String("limit")).toDouble() > 0);
        QVERIFY(storage.json.value(QLatin1String("message")).toString().startsWith(QLatin1String("Storage is at ")));

        QByteArray exe("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", 16);
        exe += QByteArray(400, '\0');
        const ApiResponse disguised = m_http.request("POST", QStringLiteral("/api/media/upload"),
                                                     QJsonObject{{QStringLiteral("file"), QString::fromLatin1(exe.toBase64())},
                                                                 {QStringLiteral("filename"), QStringLiteral("holiday.jpg")}},
                                                     key());
        QVERIFY2(disguised.status == 415, disguised.describe().constData());

        // send-message with the file: the page gets an image with its caption and the bytes.
        const ApiResponse sent = m_http.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(m_clientId),
                                                QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550181")},
                                                            {QStringLiteral("message"), QStringLiteral("Our new products!")},
                                                            {QStringLiteral("media"), QString::fromLatin1(png.toBase64())}},
                                                key());
        QVERIFY2(sent.status == 200, sent.describe().constData());
        const QString sentId = sent.json.value(QLatin1String("messageId")).toString();
        QVERIFY(waitMessageStatus(sentId, {QStringLiteral("sent"), QStringLiteral("delivered"), QStringLiteral("read")}));
        QJsonObject onPage;
        for (const QJsonValue &v : command(QStringLiteral("state")).value(QLatin1String("result")).toObject().value(QLatin1String("sent")).toArray()) {
            if (v.toObject().value(QLatin1String("to")).toString() == QLatin1String("14155550181@c.us"))
                onPage = v.toObject();
        }
        QCOMPARE(onPage.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QCOMPARE(onPage.value(QLatin1String("caption")).toString(), QStringLiteral("Our new products!"));
        QCOMPARE(QByteArray::fromBase64(onPage.value(QLatin1String("data")).toString().toLatin1()), png);
        const QJsonObject sentView = m_http.request("GET", QStringLiteral("/api/messages/") + sentId, QJsonValue(QJsonValue::Undefined), key()).json;
        QCOMPARE(sentView.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QCOMPARE(sentView.value(QLatin1String("media_id")).toString(), mediaId); // the same bytes are one file

        // An incoming image (its body a thumbnail, its text the caption) is stored and downloadable.
        QImage theirs(5, 5, QImage::Format_RGB32);
        theirs.fill(qRgb(10, 200, 30));
        QByteArray theirPng;
        {
            QBuffer buffer(&theirPng);
            buffer.open(QIODevice::WriteOnly);
            QVERIFY(theirs.save(&buffer, "PNG"));
        }
        const QJsonObject in = command(QStringLiteral("incoming"),
                                       {QJsonObject{{QStringLiteral("from"), QStringLiteral("14155550182")},
                                                    {QStringLiteral("type"), QStringLiteral("image")},
                                                    {QStringLiteral("mimetype"), QStringLiteral("image/png")},
                                                    {QStringLiteral("caption"), QStringLiteral("is this in stock?")},
                                                    {QStringLiteral("media"), QString::fromLatin1(theirPng.toBase64())}}});
        QVERIFY2(in.value(QLatin1String("ok")).toBool(), QJsonDocument(in).toJson().constData());
        QJsonObject received;
        QVERIFY(QTest::qWaitFor([&] {
            received = lastInbound(QStringLiteral("+14155550182"));
            return !received.value(QLatin1String("media_id")).toString().isEmpty();
        }, kWaitMs));
        QCOMPARE(received.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QCOMPARE(received.value(QLatin1String("caption")).toString(), QStringLiteral("is this in stock?"));
        QCOMPARE(received.value(QLatin1String("message_text")).toString(), QStringLiteral("is this in stock?")); // never the thumbnail
        const ApiResponse theirFile = m_http.request("GET", QStringLiteral("/api/media/%1/download").arg(received.value(QLatin1String("media_id")).toString()),
                                                     QJsonValue(QJsonValue::Undefined), key());
        QCOMPARE(theirFile.status, 200);
        QCOMPARE(theirFile.body, theirPng);

        // A text that first arrives as ciphertext: one message, with its text.
        const QJsonObject cipher = command(QStringLiteral("incoming"),
                                           {QJsonObject{{QStringLiteral("from"), QStringLiteral("14155550183")},
                                                        {QStringLiteral("body"), QStringLiteral("please call me back")},
                                                        {QStringLiteral("ciphertextFirst"), true},
                                                        {QStringLiteral("decryptMs"), 300}}});
        QVERIFY2(cipher.value(QLatin1String("ok")).toBool(), QJsonDocument(cipher).toJson().constData());
        QVERIFY(QTest::qWaitFor([&] { return lastInbound(QStringLiteral("+14155550183")).value(QLatin1String("message_text")).toString()
                                             == QLatin1String("please call me back"); }, kWaitMs));
        QTest::qWait(500);
        QCOMPARE(inboundFrom(QStringLiteral("+14155550183")).size(), 1);

        // A send WhatsApp refuses (ack -1) ends failed, with the reason.
        QVERIFY(command(QStringLiteral("configure"), {QJsonObject{{QStringLiteral("refuseSends"), 1}}}).value(QLatin1String("ok")).toBool());
        const ApiResponse refused = m_http.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(m_clientId),
                                                   QJsonObject{{QStringLiteral("to"), QStringLiteral("+14155550184")},
                                                               {QStringLiteral("message"), QStringLiteral("hello?")}},
                                                   key());
        QVERIFY2(refused.status == 200, refused.describe().constData());
        const QString refusedId = refused.json.value(QLatin1String("messageId")).toString();
        QVERIFY(waitMessageStatus(refusedId, {QStringLiteral("failed")}));
        const QJsonObject failedView = m_http.request("GET", QStringLiteral("/api/messages/") + refusedId, QJsonValue(QJsonValue::Undefined), key()).json;
        QVERIFY(!failedView.value(QLatin1String("failure_reason")).toString().isEmpty());
    }

    void rendererKillIsRecovered()
    {
        QList<qint64> pages = renderers(m_app->pid());
        QCOMPARE(pages.size(), 1);
        const qint64 renderer = pages.first();
        m_seen.clear();
        QCOMPARE(::kill(pid_t(renderer), SIGKILL), 0);
        QVERIFY(waitStatus(QStringLiteral("disconnected"), 15000));
        QVERIFY(waitStatus(QStringLiteral("ready")));
        QVERIFY2(!m_seen.contains(QStringLiteral("qr")) && !m_seen.contains(QStringLiteral("failed")), qPrintable(m_seen.join(QLatin1Char(' '))));
        QVERIFY(QTest::qWaitFor([&] { return m_app->logFile().contains(QLatin1String("recovery attempt 1")); }, 5000));
        pages = renderers(m_app->pid());
        QCOMPARE(pages.size(), 1);
        QVERIFY(pages.first() != renderer);
        QVERIFY(!alive(renderer));
        qInfo("renderer %lld killed, replaced by %lld; statuses seen: %s", renderer, pages.first(),
              qPrintable(m_seen.join(QLatin1String(" → "))));
        QCOMPARE(healthOf(m_app->port()).value(QLatin1String("active_clients")).toInt(), 1);
        const QJsonObject state = command(QStringLiteral("state"));
        QCOMPARE(state.value(QLatin1String("result")).toObject().value(QLatin1String("authenticated")).toBool(), true);
    }

    // SIGTERM, then a new start on the same data directory: the linked client is restored to
    // ready from its profile, with no QR code and no conn.authenticated.
    void restartRestoresWithoutQr()
    {
        const QList<qint64> before = descendants(m_app->pid());
        QVERIFY(!before.isEmpty());
        QVERIFY2(m_app->stop(), qPrintable(m_app->output().right(3000)));
        QVERIFY(QTest::qWaitFor([&] { for (qint64 p : before) if (alive(p)) return false; return true; }, 15000));
        QVERIFY(!QFileInfo::exists(QStringLiteral("%1/sessions/%2/profile.lock").arg(m_app->dataDir(), m_clientId)));
        const int qrRequestsBefore = m_fake.count(QStringLiteral("GET /index.html"));

        QVERIFY(startApp());
        m_seen.clear();
        QVERIFY(waitStatus(QStringLiteral("ready")));
        QVERIFY2(!m_seen.contains(QStringLiteral("qr")), qPrintable(m_seen.join(QLatin1Char(' '))));
        QVERIFY(m_fake.count(QStringLiteral("GET /index.html")) > qrRequestsBefore); // a new page did load
        QVERIFY(QTest::qWaitFor([&] { return m_http.status(m_admin, m_clientId).json.value(QLatin1String("phoneNumber")).toString() == QLatin1Char('+') + kPhone; }, kWaitMs));
        const QJsonObject state = command(QStringLiteral("state")).value(QLatin1String("result")).toObject();
        QCOMPARE(state.value(QLatin1String("authenticated")).toBool(), true);
        QCOMPARE(state.value(QLatin1String("qrCount")).toInt(-1), 0);
        QCOMPARE(state.value(QLatin1String("mode")).toString(), QStringLiteral("MAIN"));
        const QJsonArray events = command(QStringLiteral("events"), {0}).value(QLatin1String("result")).toArray();
        QVERIFY(!events.isEmpty());
        for (const QJsonValue &e : events) {
            const QString name = e.toObject().value(QLatin1String("event")).toString();
            QVERIFY2(name != QLatin1String("conn.authenticated") && name != QLatin1String("conn.auth_code_change"), qPrintable(name));
        }
        const ApiResponse noQr = m_http.request("GET", QStringLiteral("/api/clients/%1/qr").arg(m_clientId), QJsonValue(QJsonValue::Undefined), key());
        QVERIFY2(noQr.status == 409, noQr.describe().constData());
        QJsonObject health;
        QVERIFY(QTest::qWaitFor([&] { health = healthOf(m_app->port()); return health.value(QLatin1String("active_clients")).toInt() == 1; }, kWaitMs));
        QCOMPARE(health.value(QLatin1String("wa_js_version")).toString(), QStringLiteral("fake-1.0"));
    }

    // A logout from the phone: logged_out, then a new QR code to scan.
    void logoutFromPhoneBackToQr()
    {
        m_seen.clear();
        const QJsonObject r = command(QStringLiteral("logoutFromPhone"));
        QVERIFY2(r.value(QLatin1String("result")).toObject().value(QLatin1String("ok")).toBool(), QJsonDocument(r).toJson().constData());
        QVERIFY(waitStatus(QStringLiteral("qr")));
        QVERIFY(QTest::qWaitFor([&] { return m_app->logFile().contains(QStringLiteral("session %1: logged_out").arg(m_clientId)); }, 5000));
        ApiResponse png;
        QVERIFY(QTest::qWaitFor(
            [&] {
                png = m_http.request("GET", QStringLiteral("/api/clients/%1/qr").arg(m_clientId), QJsonValue(QJsonValue::Undefined), key());
                return png.status == 200;
            },
            kWaitMs));
        QVERIFY(!QImage::fromData(png.body, "PNG").isNull());
        const QJsonObject status = m_http.status(m_admin, m_clientId).json;
        QCOMPARE(status.value(QLatin1String("qr_available")).toBool(), true);
        QJsonObject health;
        QVERIFY(QTest::qWaitFor([&] { health = healthOf(m_app->port()); return health.value(QLatin1String("active_clients")).toInt(-1) == 0; }, kWaitMs));
    }

    // SIGTERM ends the app with 0 and takes its Chromium processes with it.
    void sigtermStopsEverything()
    {
        const QList<qint64> children = descendants(m_app->pid());
        QVERIFY(!children.isEmpty());
        QVERIFY2(m_app->stop(), qPrintable(m_app->output().right(3000)));
        QVERIFY(QTest::qWaitFor([&] { for (qint64 p : children) if (alive(p)) return false; return true; }, 15000));
        QVERIFY(m_app->logFile().contains(QLatin1String("stopped")));
    }

    void cleanupTestCase()
    {
        if (m_app)
            m_app->stop();
    }
};

QTEST_GUILESS_MAIN(TestEngineE2e)
#include "tst_engine_e2e.moc"
