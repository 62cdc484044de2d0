// The project's fake WhatsApp Web page (tests/fixtures/fake-whatsapp) in a real QtWebEngine:
// the window.WPP surface WaDesk's bridge uses, with wa-js's event names, payloads and ordering,
// and the window.__fake control surface (local and remote) the other tests drive it with.
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineScript>
#include <QWebEngineScriptCollection>
#include <QWebEngineSettings>

#include <memory>
#include <utility>

#include <unistd.h>

namespace {

constexpr int kWaitMs = 20000; // generous: 2 busy cores, a cold Chromium

QString sourceDir()
{
    const QString env = qEnvironmentVariable("WADESK_SOURCE_DIR");
    if (!env.isEmpty())
        return env;
    // <src>/tests/engine/tst_fake_page.cpp -> <src>
    return QFileInfo(QStringLiteral(__FILE__)).absoluteDir().filePath(QStringLiteral("../.."));
}

QString fakePagePath()
{
    return QDir(sourceDir()).absoluteFilePath(
        QStringLiteral("tests/fixtures/fake-whatsapp/index.html"));
}

QUrl fakeUrl(const QString &query)
{
    QUrl url = QUrl::fromLocalFile(QDir::cleanPath(fakePagePath()));
    url.setQuery(query);
    return url;
}

// What a bridge does: listen to wa-js events. Installed at DocumentCreation, it hooks the moment
// the page assigns window.WPP, so it cannot miss an event however slow the machine is.
const char kRecorder[] = R"JS(
(function () {
  if (window.__recInstalled) return;
  window.__recInstalled = true;
  window.__rec = [];
  const names = ['conn.auth_code_change', 'conn.qrcode_idle', 'conn.require_auth',
    'conn.authenticated', 'conn.main_ready', 'conn.logout', 'conn.stream_mode_changed',
    'chat.new_message', 'chat.msg_ack_change', 'chat.new_reaction', 'chat.msg_edited',
    'chat.msg_revoke'];
  const push = (ev, p) => window.__rec.push({
    ev, p: p === undefined ? null : JSON.parse(JSON.stringify(p)), t: performance.now() });
  window.__recPush = push;
  const attach = (W) => {
    names.forEach((n) => W.on(n, (p) => push(n, p)));
    W.loader.onReady(() => push('ready', { mode: W.conn.getStreamData().mode, isReady: W.isReady }));
  };
  let current;
  Object.defineProperty(window, 'WPP', {
    configurable: true, enumerable: true,
    get() { return current; },
    set(v) { current = v; window.__wppAt = performance.now(); try { attach(v); } catch (e) { console.error('recorder', e); } },
  });
})();
)JS";

class LoggingPage : public QWebEnginePage {
public:
    using QWebEnginePage::QWebEnginePage;

protected:
    void javaScriptConsoleMessage(JavaScriptConsoleMessageLevel level, const QString &message,
                                  int line, const QString &source) override
    {
        if (level != InfoMessageLevel)
            qWarning("js: %s (%s:%d)", qPrintable(message), qPrintable(source), line);
    }
};

QVariant runJs(QWebEnginePage *page, const QString &code, int timeoutMs = kWaitMs)
{
    auto state = std::make_shared<std::pair<bool, QVariant>>(false, QVariant());
    page->runJavaScript(code, [state](const QVariant &v) {
        state->first = true;
        state->second = v;
    });
    if (!QTest::qWaitFor([&] { return state->first; }, timeoutMs))
        qWarning("runJavaScript timed out: %s", qPrintable(code.left(200)));
    return state->second;
}

// Evaluates a JS expression, serialized to JSON in the page (as WaDesk's bridge does).
QJsonValue jsValue(QWebEnginePage *page, const QString &expr)
{
    const QString code =
        QStringLiteral("JSON.stringify({v: (function () { return (%1); })()})").arg(expr);
    const QByteArray json = runJs(page, code).toString().toUtf8();
    return QJsonDocument::fromJson(json).object().value(QLatin1String("v"));
}

bool waitJs(QWebEnginePage *page, const QString &expr, int timeoutMs = kWaitMs)
{
    return QTest::qWaitFor([&] { return jsValue(page, expr).toBool(); }, timeoutMs);
}

// Awaits a promise in the page: {ok: true, v: <value>, undefined: bool} or {ok: false, error}.
QJsonObject jsAwait(QWebEnginePage *page, const QString &expr, int timeoutMs = kWaitMs)
{
    static int seq = 0;
    const QString key = QStringLiteral("__await%1").arg(++seq);
    runJs(page, QStringLiteral(
                    "window.%1 = null; Promise.resolve().then(() => (%2)).then("
                    "v => { window.%1 = JSON.stringify({ok: true, v: v === undefined ? null : v,"
                    " undefined: v === undefined}); },"
                    "e => { window.%1 = JSON.stringify({ok: false,"
                    " error: String(e && e.message ? e.message : e)}); }); true")
                    .arg(key, expr));
    if (!waitJs(page, QStringLiteral("window.%1 !== null").arg(key), timeoutMs))
        return QJsonObject{{QStringLiteral("ok"), false}, {QStringLiteral("error"), QStringLiteral("timeout")}};
    return QJsonDocument::fromJson(jsValue(page, QStringLiteral("window.%1").arg(key)).toString().toUtf8())
        .object();
}

QJsonObject fakeState(QWebEnginePage *page)
{
    return jsValue(page, QStringLiteral("__fake.state()")).toObject();
}

QJsonArray recorded(QWebEnginePage *page)
{
    return jsValue(page, QStringLiteral("window.__rec")).toArray();
}

// One short word per recorded event, for readable sequence comparisons.
QString describe(const QJsonObject &e)
{
    const QString ev = e.value(QLatin1String("ev")).toString();
    const QJsonValue p = e.value(QLatin1String("p"));
    if (ev == QLatin1String("conn.auth_code_change"))
        return p.isNull() ? QStringLiteral("code:null") : QStringLiteral("code");
    if (ev == QLatin1String("conn.stream_mode_changed"))
        return QStringLiteral("mode:") + p.toString();
    if (ev == QLatin1String("chat.msg_ack_change"))
        return QStringLiteral("ack:%1").arg(p.toObject().value(QLatin1String("ack")).toInt());
    if (ev == QLatin1String("chat.new_message"))
        return p.toObject().value(QLatin1String("id")).toObject().value(QLatin1String("fromMe")).toBool()
                   ? QStringLiteral("msg:out")
                   : QStringLiteral("msg:in");
    if (ev == QLatin1String("send.resolved"))
        return QStringLiteral("resolved:%1").arg(p.toObject().value(QLatin1String("ack")).toInt());
    return ev.startsWith(QLatin1String("conn.")) ? ev.mid(5) : ev;
}

QStringList describeAll(const QJsonArray &events, int from = 0)
{
    QStringList out;
    for (int i = from; i < events.size(); ++i)
        out << describe(events.at(i).toObject());
    return out;
}

QJsonArray only(const QJsonArray &events, const QString &name)
{
    QJsonArray out;
    for (const QJsonValue &e : events)
        if (e.toObject().value(QLatin1String("ev")).toString() == name)
            out.append(e);
    return out;
}

// A minimal HTTP server standing in for an end-to-end test's control endpoint.
class ControlServer : public QObject {
public:
    QString staticDir; // when set, also serves /index.html and /fake-wpp.js from there
    QMap<QString, QList<QByteArray>> replies; // session -> bodies for /next, in order
    QList<QPair<QString, QByteArray>> requests; // "METHOD target", body

    bool start()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, this, [this, s] { handle(s); });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }
    int count(const QString &prefix) const
    {
        int n = 0;
        for (const auto &r : requests)
            n += r.first.startsWith(prefix) ? 1 : 0;
        return n;
    }

private:
    void handle(QTcpSocket *s)
    {
        QByteArray buf = s->property("buf").toByteArray() + s->readAll();
        s->setProperty("buf", buf);
        const int headerEnd = buf.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QList<QByteArray> lines = buf.left(headerEnd).split('\n');
        qsizetype length = 0;
        for (const QByteArray &l : lines)
            if (l.toLower().startsWith("content-length:"))
                length = l.mid(15).trimmed().toLongLong();
        if (buf.size() < headerEnd + 4 + length)
            return;
        s->setProperty("buf", QByteArray());
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        const QString method = QString::fromLatin1(requestLine.value(0));
        const QString target = QString::fromLatin1(requestLine.value(1));
        const QByteArray body = buf.mid(headerEnd + 4, length);
        requests.append({method + QLatin1Char(' ') + target, body});

        const QUrl url(QStringLiteral("http://x") + target);
        const QString session = QUrlQuery(url).queryItemValue(QStringLiteral("session"));
        QByteArray status = "200 OK";
        QByteArray type = "application/json";
        QByteArray reply;
        if (method == QLatin1String("OPTIONS")) {
            status = "204 No Content";
        } else if (url.path() == QLatin1String("/next")) {
            QList<QByteArray> &queue = replies[session];
            reply = queue.isEmpty() ? QByteArray("[]") : queue.takeFirst();
        } else if (url.path() == QLatin1String("/result")) {
            status = "204 No Content";
        } else if (method == QLatin1String("GET") && !staticDir.isEmpty()
                   && (url.path() == QLatin1String("/index.html") || url.path() == QLatin1String("/fake-wpp.js"))) {
            QFile file(staticDir + url.path());
            if (file.open(QIODevice::ReadOnly))
                reply = file.readAll();
            type = url.path().endsWith(QLatin1String(".js")) ? "text/javascript" : "text/html; charset=utf-8";
        } else {
            status = "404 Not Found";
        }
        QByteArray response = "HTTP/1.1 " + status + "\r\n"
                              "Access-Control-Allow-Origin: *\r\n"
                              "Access-Control-Allow-Methods: GET, POST\r\n"
                              "Access-Control-Allow-Headers: Content-Type\r\n"
                              "Cache-Control: no-store\r\n"
                              "Content-Type: " + type + "\r\n"
                              "Connection: close\r\n"
                              "Content-Length: "
                              + QByteArray::number(reply.size()) + "\r\n\r\n" + reply;
        s->write(response);
        s->disconnectFromHost();
    }

    QTcpServer m_server;
};

} // namespace

class TestFakePage : public QObject {
    Q_OBJECT

private:
    // Pages are deleted before their profile (declaration order in each test).
    std::unique_ptr<QWebEnginePage> openPage(QWebEngineProfile *profile, const QString &query)
    {
        return openUrl(profile, fakeUrl(query));
    }

    std::unique_ptr<QWebEnginePage> openUrl(QWebEngineProfile *profile, const QUrl &url,
                                            bool localCanAccessRemote = false)
    {
        auto page = std::make_unique<LoggingPage>(profile);
        QWebEngineScript recorder;
        recorder.setName(QStringLiteral("recorder"));
        recorder.setInjectionPoint(QWebEngineScript::DocumentCreation);
        recorder.setWorldId(QWebEngineScript::MainWorld);
        recorder.setRunsOnSubFrames(false);
        recorder.setSourceCode(QString::fromUtf8(kRecorder));
        page->scripts().insert(recorder);
        page->settings()->setAttribute(QWebEngineSettings::LocalContentCanAccessRemoteUrls,
                                       localCanAccessRemote);
        QSignalSpy loaded(page.get(), &QWebEnginePage::loadFinished);
        page->load(url);
        if (!QTest::qWaitFor([&] { return !loaded.isEmpty(); }, kWaitMs) || !loaded.first().first().toBool())
            return {};
        return page;
    }

    // Scan on a page showing a QR code and wait for MAIN.
    bool link(QWebEnginePage *page, const QString &phone = QStringLiteral("15551234567"))
    {
        if (!waitJs(page, QStringLiteral("__fake.state().qr !== null")))
            return false;
        const QJsonObject r =
            jsValue(page, QStringLiteral("__fake.scan('%1')").arg(phone)).toObject();
        if (!r.value(QLatin1String("ok")).toBool())
            return false;
        return waitJs(page, QStringLiteral("WPP.conn.getStreamData().mode === 'MAIN'"));
    }

    // Sends through WPP.chat and records the resolution into the page's event record.
    void startSend(QWebEnginePage *page, const QString &call)
    {
        // sendMsgResult is a Promise, as in wa-js: the record gets what it settles to, later.
        runJs(page, QStringLiteral("%1.then(r => { __recPush('send.resolved', Object.assign({}, r, {sendMsgResult: null}));"
                                   " const e = window.__rec[window.__rec.length - 1];"
                                   " Promise.resolve(r.sendMsgResult).then(x => { e.p.sendMsgResult = x; }); },"
                                   " e => __recPush('send.rejected', {message: e.message})); true")
                        .arg(call));
    }

    // A link survives a new page and a reload on the same named profile (dir: its storage).
    void restoreScenario(const QString &dir)
    {
        const QString name = QStringLiteral("fake-restore-") + QUuid::createUuid().toString(QUuid::Id128);
        QWebEngineProfile profile(name);
        profile.setPersistentStoragePath(dir + QStringLiteral("/storage"));
        profile.setCachePath(dir + QStringLiteral("/cache"));
        QVERIFY(!profile.isOffTheRecord());

        auto first = openPage(&profile, QStringLiteral("syncMs=100"));
        QVERIFY(first);
        QVERIFY(link(first.get(), QStringLiteral("15557770001")));
        first.reset();

        const auto expectRestored = [](QWebEnginePage *page) {
            QVERIFY(waitJs(page, QStringLiteral("window.__rec.some(e => e.ev === 'conn.main_ready')")));
            const QJsonArray rec = recorded(page);
            QCOMPARE(describeAll(rec), (QStringList{QStringLiteral("ready"), QStringLiteral("mode:MAIN"),
                                                    QStringLiteral("main_ready")}));
            QCOMPARE(rec.at(0).toObject().value(QLatin1String("p")).toObject().value(QLatin1String("mode")).toString(),
                     QStringLiteral("SYNCING"));
            QCOMPARE(jsValue(page, QStringLiteral("WPP.conn.isAuthenticated()")).toBool(), true);
            QCOMPARE(jsValue(page, QStringLiteral("WPP.conn.getMyUserId()._serialized")).toString(),
                     QStringLiteral("15557770001@c.us"));
            const QJsonObject st = fakeState(page);
            QCOMPARE(st.value(QLatin1String("qrCount")).toInt(), 0);
            QVERIFY(jsAwait(page, QStringLiteral("WPP.conn.getAuthCode()")).value(QLatin1String("v")).isNull());
        };

        auto second = openPage(&profile, QStringLiteral("syncMs=100"));
        QVERIFY(second);
        expectRestored(second.get());
        if (QTest::currentTestFailed())
            return;

        QSignalSpy reloaded(second.get(), &QWebEnginePage::loadFinished);
        second->triggerAction(QWebEnginePage::Reload);
        QVERIFY(QTest::qWaitFor([&] { return !reloaded.isEmpty(); }, kWaitMs));
        expectRestored(second.get());
        if (QTest::currentTestFailed())
            return;

        // Another profile is another device: QR.
        {
            QWebEngineProfile other;
            auto page = openPage(&other, QStringLiteral("syncMs=100"));
            QVERIFY(page);
            QVERIFY(waitJs(page.get(), QStringLiteral("__fake.state().qr !== null")));
            QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.conn.isAuthenticated()")).toBool(), false);
        }

        // A logout forgets the link for the whole profile.
        QCOMPARE(jsValue(second.get(), QStringLiteral("__fake.logoutFromPhone().ok")).toBool(), true);
        QVERIFY(waitJs(second.get(), QStringLiteral("__fake.state().qr !== null")));
        second.reset();
        auto third = openPage(&profile, QStringLiteral("syncMs=100"));
        QVERIFY(third);
        QVERIFY(waitJs(third.get(), QStringLiteral("__fake.state().qr !== null")));
        QCOMPARE(jsValue(third.get(), QStringLiteral("WPP.conn.isAuthenticated()")).toBool(), false);
        QCOMPARE(only(recorded(third.get()), QStringLiteral("conn.authenticated")).size(), 0);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(fakePagePath()), qPrintable(fakePagePath()));
        QVERIFY(QFileInfo::exists(QFileInfo(fakePagePath()).absoluteDir().filePath(
            QStringLiteral("fake-wpp.js"))));
    }

    void readinessAndEmitter()
    {
        QWebEngineProfile profile; // off the record
        auto page = openPage(&profile, QStringLiteral("readyMs=1500"));
        QVERIFY(page);
        // Not ready while the page "loads" (readyMs after the script ran), then ready.
        const QJsonObject early = jsValue(page.get(), QStringLiteral(
            "({ready: WPP.isReady, elapsed: performance.now() - window.__wppAt})")).toObject();
        if (early.value(QLatin1String("elapsed")).toDouble() < 1400)
            QCOMPARE(early.value(QLatin1String("ready")).toBool(), false);
        QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.version")).toString(), QStringLiteral("fake-1.0"));
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.some(e => e.ev === 'ready')")));
        QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.isReady")).toBool(), true);
        QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.conn.getPlatform()")).toString(),
                 QStringLiteral("android"));
        const QJsonObject ready = only(recorded(page.get()), QStringLiteral("ready")).at(0).toObject();
        QCOMPARE(ready.value(QLatin1String("p")).toObject().value(QLatin1String("isReady")).toBool(), true);
        const double readyAfter = ready.value(QLatin1String("t")).toDouble()
                                  - jsValue(page.get(), QStringLiteral("window.__wppAt")).toDouble();
        QVERIFY2(readyAfter >= 1490, qPrintable(QString::number(readyAfter)));

        // A listener registered after the page is ready is still called (soon, asynchronously).
        runJs(page.get(), QStringLiteral("window.__late = 0; WPP.loader.onReady(() => window.__late++); true"));
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__late === 1")));

        // WPP.ev.on and WPP.off share one emitter.
        QVERIFY(waitJs(page.get(), QStringLiteral("__fake.state().qr !== null")));
        runJs(page.get(), QStringLiteral("window.__n = 0; window.__f = () => window.__n++;"
                                         " WPP.ev.on('conn.auth_code_change', window.__f); true"));
        QVERIFY(jsAwait(page.get(), QStringLiteral("WPP.conn.refreshQR()")).value(QLatin1String("ok")).toBool());
        QCOMPARE(jsValue(page.get(), QStringLiteral("window.__n")).toInt(), 1);
        runJs(page.get(), QStringLiteral("WPP.off('conn.auth_code_change', window.__f); true"));
        QVERIFY(jsAwait(page.get(), QStringLiteral("WPP.conn.refreshQR()")).value(QLatin1String("ok")).toBool());
        QCOMPARE(jsValue(page.get(), QStringLiteral("window.__n")).toInt(), 1);
    }

    void qrRotationAndIdle()
    {
        QWebEngineProfile profile;
        auto page = openPage(&profile, QStringLiteral("qrFirstMs=600&qrNextMs=300&qrMax=3"));
        QVERIFY(page);
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.some(e => e.ev === 'conn.qrcode_idle')")));
        QJsonArray rec = recorded(page.get());
        QCOMPARE(describeAll(rec),
                 (QStringList{QStringLiteral("ready"), QStringLiteral("mode:QR"), QStringLiteral("require_auth"),
                              QStringLiteral("code"), QStringLiteral("main_ready"), QStringLiteral("code"),
                              QStringLiteral("code"), QStringLiteral("code:null"), QStringLiteral("qrcode_idle")}));
        QCOMPARE(rec.at(0).toObject().value(QLatin1String("p")).toObject().value(QLatin1String("mode")).toString(),
                 QStringLiteral("SYNCING")); // still opening when wa-js is ready

        // Codes: wa-js's multidevice AuthCode, all different, each living its configured time.
        const QJsonArray codes = only(rec, QStringLiteral("conn.auth_code_change"));
        QStringList fullCodes;
        QList<double> times;
        for (const QJsonValue &c : codes) {
            const QJsonObject p = c.toObject().value(QLatin1String("p")).toObject();
            if (p.isEmpty())
                continue;
            QCOMPARE(p.value(QLatin1String("type")).toString(), QStringLiteral("multidevice"));
            const QString ref = p.value(QLatin1String("ref")).toString();
            QVERIFY(ref.startsWith(QLatin1String("2@")));
            const QString full = p.value(QLatin1String("fullCode")).toString();
            QCOMPARE(full.split(QLatin1Char(',')).size(), 4);
            QVERIFY(full.startsWith(ref + QLatin1Char(',')));
            fullCodes << full;
            times << c.toObject().value(QLatin1String("t")).toDouble();
        }
        QCOMPARE(fullCodes.size(), 3);
        QCOMPARE(QSet<QString>(fullCodes.begin(), fullCodes.end()).size(), 3);
        QVERIFY2(times[1] - times[0] >= 590, qPrintable(QString::number(times[1] - times[0])));
        QVERIFY2(times[2] - times[1] >= 290, qPrintable(QString::number(times[2] - times[1])));

        // Idle: no code, no more rotation.
        QJsonObject st = fakeState(page.get());
        QCOMPARE(st.value(QLatin1String("qrCount")).toInt(), 3);
        QCOMPARE(st.value(QLatin1String("qrIdle")).toBool(), true);
        QVERIFY(st.value(QLatin1String("qr")).isNull());
        QJsonObject code = jsAwait(page.get(), QStringLiteral("WPP.conn.getAuthCode()"));
        QVERIFY(code.value(QLatin1String("ok")).toBool());
        QVERIFY(code.value(QLatin1String("v")).isNull());
        QTest::qWait(700);
        QCOMPARE(fakeState(page.get()).value(QLatin1String("qrCount")).toInt(), 3);
        QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.conn.isAuthenticated()")).toBool(), false);
        QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.conn.getMyUserId() === undefined")).toBool(), true);

        // refreshQR() restarts the rotation and answers the new code.
        const int before = recorded(page.get()).size();
        // (Looked at in the same breath: the new code only lives qrFirstMs.)
        const QJsonObject refreshed = jsAwait(page.get(), QStringLiteral(
            "WPP.conn.refreshQR().then(async (c) => ({c, now: await WPP.conn.getAuthCode(), st: __fake.state()}))"));
        QVERIFY(refreshed.value(QLatin1String("ok")).toBool());
        const QJsonObject rv = refreshed.value(QLatin1String("v")).toObject();
        const QString newCode = rv.value(QLatin1String("c")).toObject().value(QLatin1String("fullCode")).toString();
        QVERIFY(!newCode.isEmpty());
        QVERIFY(!fullCodes.contains(newCode));
        QCOMPARE(rv.value(QLatin1String("now")).toObject().value(QLatin1String("fullCode")).toString(), newCode);
        st = rv.value(QLatin1String("st")).toObject();
        QCOMPARE(st.value(QLatin1String("qrCount")).toInt(), 4);
        QCOMPARE(st.value(QLatin1String("qrInRotation")).toInt(), 1);
        QCOMPARE(st.value(QLatin1String("qrIdle")).toBool(), false);
        QCOMPARE(st.value(QLatin1String("qr")).toString(), newCode);
        // ... and goes idle again after qrMax codes.
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.filter(e => e.ev === 'conn.qrcode_idle').length === 2")));
        rec = recorded(page.get());
        QCOMPARE(describeAll(rec, before),
                 (QStringList{QStringLiteral("code"), QStringLiteral("code"), QStringLiteral("code"),
                              QStringLiteral("code:null"), QStringLiteral("qrcode_idle")}));
        QCOMPARE(fakeState(page.get()).value(QLatin1String("qrCount")).toInt(), 6);
    }

    void scanSyncsThenMain()
    {
        QWebEngineProfile profile;
        auto page = openPage(&profile, QStringLiteral("syncMs=400"));
        QVERIFY(page);
        QVERIFY(waitJs(page.get(), QStringLiteral("__fake.state().qr !== null")));
        QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.conn.getStreamData().mode")).toString(), QStringLiteral("QR"));
        const int before = recorded(page.get()).size();

        // Scan and look at the page in the same breath (syncMs is short).
        const QJsonObject scanned = jsValue(page.get(), QStringLiteral(
            "(() => { const r = __fake.scan('15551234567'); return {r, mode: WPP.conn.getStreamData().mode,"
            " auth: WPP.conn.isAuthenticated()}; })()")).toObject();
        QVERIFY(scanned.value(QLatin1String("r")).toObject().value(QLatin1String("ok")).toBool());
        QCOMPARE(scanned.value(QLatin1String("mode")).toString(), QStringLiteral("SYNCING"));
        QCOMPARE(scanned.value(QLatin1String("auth")).toBool(), true);
        QJsonObject r;
        // A second scan is refused: there is no QR screen any more.
        r = jsValue(page.get(), QStringLiteral("__fake.scan('15551234567')")).toObject();
        QCOMPARE(r.value(QLatin1String("ok")).toBool(), false);

        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.filter(e => e.ev === 'conn.main_ready').length === 2")));
        const QJsonArray rec = recorded(page.get());
        QCOMPARE(describeAll(rec, before),
                 (QStringList{QStringLiteral("code:null"), QStringLiteral("authenticated"), QStringLiteral("mode:SYNCING"),
                              QStringLiteral("mode:MAIN"), QStringLiteral("main_ready")}));
        const double syncing = rec.at(before + 2).toObject().value(QLatin1String("t")).toDouble();
        const double main = rec.at(before + 3).toObject().value(QLatin1String("t")).toDouble();
        QVERIFY2(main - syncing >= 390, qPrintable(QString::number(main - syncing)));

        const QJsonObject stream = jsValue(page.get(), QStringLiteral("WPP.conn.getStreamData()")).toObject();
        QCOMPARE(stream.value(QLatin1String("mode")).toString(), QStringLiteral("MAIN"));
        const QJsonObject me = jsValue(page.get(), QStringLiteral("(({...WPP.conn.getMyUserId()}))")).toObject();
        QCOMPARE(me.value(QLatin1String("_serialized")).toString(), QStringLiteral("15551234567@c.us"));
        QCOMPARE(me.value(QLatin1String("user")).toString(), QStringLiteral("15551234567"));
        QCOMPARE(me.value(QLatin1String("server")).toString(), QStringLiteral("c.us"));
        QCOMPARE(jsValue(page.get(), QStringLiteral("String(WPP.conn.getMyUserId())")).toString(),
                 QStringLiteral("15551234567@c.us"));
        QVERIFY(jsAwait(page.get(), QStringLiteral("WPP.conn.getAuthCode()")).value(QLatin1String("v")).isNull());
        QVERIFY(jsAwait(page.get(), QStringLiteral("WPP.conn.refreshQR()")).value(QLatin1String("v")).isNull());
        const QJsonObject st = fakeState(page.get());
        QCOMPARE(st.value(QLatin1String("authenticated")).toBool(), true);
        QCOMPARE(st.value(QLatin1String("phone")).toString(), QStringLiteral("15551234567"));
    }

    void linkSurvivesNewPageAndReload()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        restoreScenario(dir.path());
        // The profile is gone; let Chromium finish with its files before the directory goes.
        QTest::qWait(1000);
    }

    void sendEchoThenAcks()
    {
        QWebEngineProfile profile;
        auto page = openPage(&profile, QStringLiteral("syncMs=50&ackMs=80"));
        QVERIFY(page);
        QVERIFY(link(page.get()));
        const int before = recorded(page.get()).size();

        startSend(page.get(), QStringLiteral("WPP.chat.sendTextMessage('15557654321@c.us', 'hello', {})"));
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.some(e => e.ev === 'chat.msg_ack_change' && e.p.ack === 3)")));
        QTest::qWait(200); // nothing after read
        const QJsonArray rec = recorded(page.get());
        // wa-js 4.6.0 with waitForAck (default): the own message first, the promise once sent.
        QCOMPARE(describeAll(rec, before),
                 (QStringList{QStringLiteral("msg:out"), QStringLiteral("ack:1"), QStringLiteral("resolved:1"),
                              QStringLiteral("ack:2"), QStringLiteral("ack:3")}));

        const QJsonObject echo = rec.at(before).toObject().value(QLatin1String("p")).toObject();
        const QJsonObject resolved = rec.at(before + 2).toObject().value(QLatin1String("p")).toObject();
        const QString id = resolved.value(QLatin1String("id")).toString();
        QVERIFY2(id.startsWith(QLatin1String("true_15557654321@c.us_3EB0")), qPrintable(id));
        QCOMPARE(resolved.value(QLatin1String("from")).toString(), QStringLiteral("15551234567@c.us"));
        QCOMPARE(resolved.value(QLatin1String("to")).toString(), QStringLiteral("15557654321@c.us"));
        QCOMPARE(resolved.value(QLatin1String("sendMsgResult")).toObject().value(QLatin1String("messageSendResult")).toString(),
                 QStringLiteral("OK"));

        const QJsonObject key = echo.value(QLatin1String("id")).toObject();
        QCOMPARE(key.value(QLatin1String("_serialized")).toString(), id);
        QCOMPARE(key.value(QLatin1String("fromMe")).toBool(), true);
        QCOMPARE(key.value(QLatin1String("remote")).toString(), QStringLiteral("15557654321@c.us"));
        QVERIFY(id.endsWith(QLatin1Char('_') + key.value(QLatin1String("id")).toString()));
        QCOMPARE(echo.value(QLatin1String("from")).toString(), QStringLiteral("15551234567@c.us"));
        QCOMPARE(echo.value(QLatin1String("to")).toString(), QStringLiteral("15557654321@c.us"));
        QCOMPARE(echo.value(QLatin1String("body")).toString(), QStringLiteral("hello"));
        QCOMPARE(echo.value(QLatin1String("type")).toString(), QStringLiteral("chat"));
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QVERIFY(qAbs(echo.value(QLatin1String("t")).toInteger() - now) < 60);

        for (int i : {1, 3, 4}) {
            const QJsonObject ack = rec.at(before + i).toObject().value(QLatin1String("p")).toObject();
            QCOMPARE(ack.value(QLatin1String("chat")).toString(), QStringLiteral("15557654321@c.us"));
            const QJsonArray ids = ack.value(QLatin1String("ids")).toArray();
            QCOMPARE(ids.size(), 1);
            QCOMPARE(ids.at(0).toObject().value(QLatin1String("_serialized")).toString(), id);
        }
        const QJsonArray sent = fakeState(page.get()).value(QLatin1String("sent")).toArray();
        QCOMPARE(sent.size(), 1);
        QCOMPARE(sent.at(0).toObject().value(QLatin1String("acks")).toArray(), (QJsonArray{1, 2, 3}));
        QCOMPARE(sent.at(0).toObject().value(QLatin1String("body")).toString(), QStringLiteral("hello"));
    }

    void sendReturnFirstOrder()
    {
        QWebEngineProfile profile;
        auto page = openPage(&profile, QStringLiteral("syncMs=50&ackMs=50&sendOrder=returnFirst&maxAck=2"));
        QVERIFY(page);
        QVERIFY(link(page.get()));
        const int before = recorded(page.get()).size();
        startSend(page.get(), QStringLiteral("WPP.chat.sendTextMessage('15557654321@c.us', 'hi')"));
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.some(e => e.ev === 'chat.msg_ack_change' && e.p.ack === 2)")));
        QTest::qWait(300); // maxAck=2: never read
        const QJsonArray rec = recorded(page.get());
        QCOMPARE(describeAll(rec, before),
                 (QStringList{QStringLiteral("resolved:0"), QStringLiteral("msg:out"), QStringLiteral("ack:1"),
                              QStringLiteral("ack:2")}));
        const QString id = rec.at(before).toObject().value(QLatin1String("p")).toObject().value(QLatin1String("id")).toString();
        QCOMPARE(rec.at(before + 1).toObject().value(QLatin1String("p")).toObject().value(QLatin1String("id"))
                     .toObject().value(QLatin1String("_serialized")).toString(), id);
    }

    void filesChecksAndHelpers()
    {
        QWebEngineProfile profile;
        auto page = openPage(&profile, QStringLiteral("syncMs=50&ackMs=30"));
        QVERIFY(page);
        // Before the link: nothing can be sent.
        QVERIFY(waitJs(page.get(), QStringLiteral("__fake.state().qr !== null")));
        QCOMPARE(jsAwait(page.get(), QStringLiteral("WPP.chat.sendTextMessage('15557654321@c.us', 'x')"))
                     .value(QLatin1String("ok")).toBool(), false);
        QVERIFY(link(page.get()));
        const int before = recorded(page.get()).size();

        const QString png = QStringLiteral("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
        QJsonObject r = jsAwait(page.get(), QStringLiteral("WPP.chat.sendFileMessage('15557654321@c.us', '%1',"
                                                           " {type: 'auto-detect', filename: 'dot.png', caption: 'a dot'})")
                                                .arg(png));
        QVERIFY2(r.value(QLatin1String("ok")).toBool(), qPrintable(r.value(QLatin1String("error")).toString()));
        const QString fileId = r.value(QLatin1String("v")).toObject().value(QLatin1String("id")).toString();
        QVERIFY(fileId.startsWith(QLatin1String("true_15557654321@c.us_")));
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.some(e => e.ev === 'chat.msg_ack_change' && e.p.ack === 3)")));
        const QJsonObject echo = only(recorded(page.get()), QStringLiteral("chat.new_message")).last()
                                     .toObject().value(QLatin1String("p")).toObject();
        QCOMPARE(echo.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QCOMPARE(echo.value(QLatin1String("mimetype")).toString(), QStringLiteral("image/png"));
        QCOMPARE(echo.value(QLatin1String("filename")).toString(), QStringLiteral("dot.png"));
        QCOMPARE(echo.value(QLatin1String("caption")).toString(), QStringLiteral("a dot"));
        QCOMPARE(echo.value(QLatin1String("id")).toObject().value(QLatin1String("_serialized")).toString(), fileId);
        r = jsAwait(page.get(), QStringLiteral("WPP.chat.sendFileMessage('15557654321@c.us',"
                                               " 'data:application/pdf;base64,JVBERi0=', {type: 'auto-detect', filename: 'a.pdf'})"));
        QCOMPARE(r.value(QLatin1String("ok")).toBool(), true);
        r = jsAwait(page.get(), QStringLiteral("WPP.chat.sendFileMessage('15557654321@c.us', 'not a data url', {type: 'auto-detect'})"));
        QCOMPARE(r.value(QLatin1String("ok")).toBool(), false);

        // Bad chat ids and numbers that are not on WhatsApp reject with an Error.
        for (const QString &bad : {QStringLiteral("abc"), QStringLiteral("15557654321"),
                                   QStringLiteral("120363000000000000@g.us"), QStringLiteral("1555x@c.us")}) {
            r = jsAwait(page.get(), QStringLiteral("WPP.chat.sendTextMessage('%1', 'x')").arg(bad));
            QCOMPARE(r.value(QLatin1String("ok")).toBool(), false);
            QVERIFY(!r.value(QLatin1String("error")).toString().isEmpty());
        }
        r = jsAwait(page.get(), QStringLiteral("WPP.chat.sendTextMessage('15550000@c.us', 'x')"));
        QCOMPARE(r.value(QLatin1String("ok")).toBool(), false);

        r = jsAwait(page.get(), QStringLiteral("WPP.contact.queryWidExists('15550000')"));
        QVERIFY(r.value(QLatin1String("ok")).toBool());
        QVERIFY(r.value(QLatin1String("v")).isNull());
        r = jsAwait(page.get(), QStringLiteral("WPP.contact.queryWidExists('15551112222@c.us')"));
        QCOMPARE(r.value(QLatin1String("v")).toObject().value(QLatin1String("wid")).toString(),
                 QStringLiteral("15551112222@c.us")); // a Wid serializes to its string
        r = jsAwait(page.get(), QStringLiteral("WPP.contact.queryWidExists('15551112222').then(x => x.wid._serialized)"));
        QCOMPARE(r.value(QLatin1String("v")).toString(), QStringLiteral("15551112222@c.us"));
        runJs(page.get(), QStringLiteral("__fake.configure({notOnWhatsApp: '15551112222'}); true"));
        QVERIFY(jsAwait(page.get(), QStringLiteral("WPP.contact.queryWidExists('15551112222')")).value(QLatin1String("v")).isNull());

        r = jsAwait(page.get(), QStringLiteral("WPP.chat.markIsComposing('15557654321@c.us', 1200)"));
        QCOMPARE(r.value(QLatin1String("ok")).toBool(), true);
        QCOMPARE(r.value(QLatin1String("undefined")).toBool(), true);
        r = jsAwait(page.get(), QStringLiteral("WPP.chat.markIsRead('15557654321@c.us')"));
        QCOMPARE(r.value(QLatin1String("v")).toObject().value(QLatin1String("wid")).toString(), QStringLiteral("15557654321@c.us"));
        const QJsonObject st = fakeState(page.get());
        const QJsonArray composing = st.value(QLatin1String("composing")).toArray();
        QCOMPARE(composing.size(), 1);
        QCOMPARE(composing.at(0).toObject().value(QLatin1String("chat")).toString(), QStringLiteral("15557654321@c.us"));
        QCOMPARE(composing.at(0).toObject().value(QLatin1String("duration")).toInt(), 1200);
        QCOMPARE(st.value(QLatin1String("read")).toArray().size(), 1);
        QCOMPARE(st.value(QLatin1String("sent")).toArray().size(), 2);
        QCOMPARE(only(recorded(page.get()), QStringLiteral("chat.new_message")).size(), 2);
        QVERIFY(recorded(page.get()).size() > before);
    }

    void failNextSend()
    {
        QWebEngineProfile profile;
        auto page = openPage(&profile, QStringLiteral("syncMs=50&ackMs=30"));
        QVERIFY(page);
        QVERIFY(link(page.get()));
        QCOMPARE(jsValue(page.get(), QStringLiteral("__fake.failNextSend('boom').ok")).toBool(), true);
        QJsonObject r = jsAwait(page.get(), QStringLiteral("WPP.chat.sendTextMessage('15557654321@c.us', 'x')"));
        QCOMPARE(r.value(QLatin1String("ok")).toBool(), false);
        QCOMPARE(r.value(QLatin1String("error")).toString(), QStringLiteral("boom"));
        QCOMPARE(only(recorded(page.get()), QStringLiteral("chat.new_message")).size(), 0);
        // Armed once: the next send goes through.
        r = jsAwait(page.get(), QStringLiteral("WPP.chat.sendTextMessage('15557654321@c.us', 'y')"));
        QCOMPARE(r.value(QLatin1String("ok")).toBool(), true);
        QCOMPARE(r.value(QLatin1String("v")).toObject().value(QLatin1String("ack")).toInt(), 1);

        // A failure reported by ack -1 instead of a rejection.
        const int before = recorded(page.get()).size();
        jsValue(page.get(), QStringLiteral("__fake.failNextSend('lost', 'ack')"));
        r = jsAwait(page.get(), QStringLiteral("WPP.chat.sendTextMessage('15557654321@c.us', 'z')"
                                               ".then(async r => Object.assign({}, r, {sendMsgResult: await r.sendMsgResult}))"));
        QCOMPARE(r.value(QLatin1String("ok")).toBool(), true);
        const QJsonObject v = r.value(QLatin1String("v")).toObject();
        QCOMPARE(v.value(QLatin1String("ack")).toInt(), -1);
        QCOMPARE(v.value(QLatin1String("sendMsgResult")).toObject().value(QLatin1String("messageSendResult")).toString(),
                 QStringLiteral("ERROR_UNKNOWN"));
        QTest::qWait(200);
        // Events about that message only (the previous one is still being delivered and read).
        const QString lostId = v.value(QLatin1String("id")).toString();
        QStringList seq;
        const QJsonArray rec = recorded(page.get());
        for (int i = before; i < rec.size(); ++i) {
            const QJsonObject e = rec.at(i).toObject();
            const QJsonObject p = e.value(QLatin1String("p")).toObject();
            const QString about = e.value(QLatin1String("ev")).toString() == QLatin1String("chat.msg_ack_change")
                                      ? p.value(QLatin1String("ids")).toArray().at(0).toObject().value(QLatin1String("_serialized")).toString()
                                      : p.value(QLatin1String("id")).toObject().value(QLatin1String("_serialized")).toString();
            if (about == lostId)
                seq << describe(e);
        }
        QCOMPARE(seq, (QStringList{QStringLiteral("msg:out"), QStringLiteral("ack:-1")}));
        const QJsonObject st = fakeState(page.get());
        QCOMPARE(st.value(QLatin1String("rejected")).toArray().size(), 1);
        QCOMPARE(st.value(QLatin1String("armedFailures")).toInt(), 0);
    }

    // What the engine's send contract needs from the page: acks that arrive before the send's
    // promise (fastAck), sends WhatsApp refuses (refuseSends: ack -1, then the promise with ack
    // -1 and a result other than OK), and files recorded with their bytes and options.
    void fastAcksRefusalsAndFileBytes()
    {
        QWebEngineProfile profile;
        auto page = openPage(&profile, QStringLiteral("syncMs=50&ackMs=40&fastAck=3"));
        QVERIFY(page);
        QVERIFY(link(page.get()));
        int before = recorded(page.get()).size();
        startSend(page.get(), QStringLiteral("WPP.chat.sendTextMessage('15557654321@c.us', 'quick')"));
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.some(e => e.ev === 'send.resolved')")));
        QTest::qWait(200);
        QJsonArray rec = recorded(page.get());
        QCOMPARE(describeAll(rec, before), (QStringList{QStringLiteral("msg:out"), QStringLiteral("ack:1"), QStringLiteral("ack:2"),
                                                        QStringLiteral("ack:3"), QStringLiteral("resolved:3")}));
        QCOMPARE(rec.last().toObject().value(QLatin1String("p")).toObject().value(QLatin1String("sendMsgResult")).toObject()
                     .value(QLatin1String("messageSendResult")).toString(),
                 QStringLiteral("OK"));

        // Refused: configured, once.
        runJs(page.get(), QStringLiteral("__fake.configure({fastAck: 0, refuseSends: 1}); true"));
        before = recorded(page.get()).size();
        startSend(page.get(), QStringLiteral("WPP.chat.sendTextMessage('15557654321@c.us', 'no')"));
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.filter(e => e.ev === 'send.resolved').length === 2")));
        QTest::qWait(200);
        rec = recorded(page.get());
        QCOMPARE(describeAll(rec, before), (QStringList{QStringLiteral("msg:out"), QStringLiteral("ack:-1"), QStringLiteral("resolved:-1")}));
        QCOMPARE(rec.last().toObject().value(QLatin1String("p")).toObject().value(QLatin1String("sendMsgResult")).toObject()
                     .value(QLatin1String("messageSendResult")).toString(),
                 QStringLiteral("ERROR_UNKNOWN"));
        QCOMPARE(fakeState(page.get()).value(QLatin1String("config")).toObject().value(QLatin1String("refuseSends")).toInt(), 0);

        // A file keeps its bytes (base64) and options; a voice note is a ptt.
        const QString png = QStringLiteral("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
        QJsonObject r = jsAwait(page.get(), QStringLiteral("WPP.chat.sendFileMessage('15557654321@c.us', 'data:image/png;base64,%1',"
                                                           " {type: 'image', caption: 'the dot', filename: 'dot.png', mimetype: 'image/png'})"
                                                           ".then(r => r.id)")
                                                .arg(png));
        QVERIFY2(r.value(QLatin1String("ok")).toBool(), qPrintable(r.value(QLatin1String("error")).toString()));
        r = jsAwait(page.get(), QStringLiteral("WPP.chat.sendFileMessage('15557654321@c.us', 'data:audio/ogg;base64,T2dnUw==',"
                                               " {type: 'audio', isPtt: true}).then(r => r.id)"));
        QVERIFY(r.value(QLatin1String("ok")).toBool());
        const QJsonArray sent = fakeState(page.get()).value(QLatin1String("sent")).toArray();
        const QJsonObject image = sent.at(sent.size() - 2).toObject();
        QCOMPARE(image.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QCOMPARE(image.value(QLatin1String("caption")).toString(), QStringLiteral("the dot"));
        QCOMPARE(image.value(QLatin1String("filename")).toString(), QStringLiteral("dot.png"));
        QCOMPARE(image.value(QLatin1String("data")).toString(), png);
        QCOMPARE(QByteArray::fromBase64(image.value(QLatin1String("data")).toString().toLatin1()).size(), image.value(QLatin1String("size")).toInt());
        const QJsonObject voice = sent.last().toObject();
        QCOMPARE(voice.value(QLatin1String("type")).toString(), QStringLiteral("ptt"));
        QCOMPARE(voice.value(QLatin1String("isPtt")).toBool(), true);
        QCOMPARE(voice.value(QLatin1String("data")).toString(), QStringLiteral("T2dnUw=="));
    }

    void incomingOnceTwiceCiphertext()
    {
        QWebEngineProfile profile;
        auto page = openPage(&profile, QStringLiteral("syncMs=50&dupMs=40"));
        QVERIFY(page);
        QVERIFY(link(page.get()));

        QJsonObject r = jsValue(page.get(), QStringLiteral("__fake.incoming({from: '15559876543', body: 'hi', twice: true})")).toObject();
        QVERIFY(r.value(QLatin1String("ok")).toBool());
        const QString id = r.value(QLatin1String("id")).toString();
        QVERIFY2(id.startsWith(QLatin1String("false_15559876543@c.us_")), qPrintable(id));
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.filter(e => e.ev === 'chat.new_message').length === 2")));
        QTest::qWait(300);
        QJsonArray msgs = only(recorded(page.get()), QStringLiteral("chat.new_message"));
        QCOMPARE(msgs.size(), 2);
        for (const QJsonValue &m : msgs) {
            const QJsonObject p = m.toObject().value(QLatin1String("p")).toObject();
            const QJsonObject key = p.value(QLatin1String("id")).toObject();
            QCOMPARE(key.value(QLatin1String("_serialized")).toString(), id);
            QCOMPARE(key.value(QLatin1String("fromMe")).toBool(), false);
            QCOMPARE(key.value(QLatin1String("remote")).toString(), QStringLiteral("15559876543@c.us"));
            QCOMPARE(p.value(QLatin1String("from")).toString(), QStringLiteral("15559876543@c.us"));
            QCOMPARE(p.value(QLatin1String("to")).toString(), QStringLiteral("15551234567@c.us"));
            QCOMPARE(p.value(QLatin1String("body")).toString(), QStringLiteral("hi"));
            QCOMPARE(p.value(QLatin1String("type")).toString(), QStringLiteral("chat"));
        }

        // Once means once; a given id is kept.
        r = jsValue(page.get(), QStringLiteral("__fake.incoming({from: '+15559876544', body: 'once', id: 'ABCDEF0123'})")).toObject();
        QCOMPARE(r.value(QLatin1String("id")).toString(), QStringLiteral("false_15559876544@c.us_ABCDEF0123"));
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.filter(e => e.ev === 'chat.new_message').length === 3")));
        QTest::qWait(400);
        QCOMPARE(only(recorded(page.get()), QStringLiteral("chat.new_message")).size(), 3);

        // Like the real page: an undecrypted 'ciphertext' first, then the same id as 'chat'.
        r = jsValue(page.get(), QStringLiteral("__fake.incoming({from: '15559876545', body: 'late', ciphertextFirst: true})")).toObject();
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.filter(e => e.ev === 'chat.new_message').length === 5")));
        msgs = only(recorded(page.get()), QStringLiteral("chat.new_message"));
        const QJsonObject c1 = msgs.at(3).toObject().value(QLatin1String("p")).toObject();
        const QJsonObject c2 = msgs.at(4).toObject().value(QLatin1String("p")).toObject();
        QCOMPARE(c1.value(QLatin1String("type")).toString(), QStringLiteral("ciphertext"));
        QCOMPARE(c2.value(QLatin1String("type")).toString(), QStringLiteral("chat"));
        QCOMPARE(c2.value(QLatin1String("body")).toString(), QStringLiteral("late"));
        QCOMPARE(c1.value(QLatin1String("id")).toObject().value(QLatin1String("_serialized")),
                 c2.value(QLatin1String("id")).toObject().value(QLatin1String("_serialized")));
        QCOMPARE(fakeState(page.get()).value(QLatin1String("received")).toArray().size(), 3);
    }

    // Received files as WhatsApp Web reports them: a thumbnail body and a caption; downloadMedia
    // answers a Blob of the very bytes (after the armed failures, with wa-js's error shapes);
    // locations and contact cards with their fields; reactions, edits and deletions with wa-js's
    // event names and payloads.
    void receivedMediaAndChanges()
    {
        QWebEngineProfile profile;
        auto page = openPage(&profile, QStringLiteral("syncMs=50&dupMs=40"));
        QVERIFY(page);
        QVERIFY(link(page.get()));

        const QByteArray bytes = QByteArray("\x89PNG\r\n\x1a\n", 8) + QByteArray(5000, '\x07') + QByteArray("end");
        QJsonObject r = jsValue(page.get(), QStringLiteral("__fake.incoming({from: '15559876543', type: 'image', caption: 'look',"
                                                           " filename: 'a.png', mimetype: 'image/png', media: '%1', downloadFailures: 1})")
                                                .arg(QString::fromLatin1(bytes.toBase64())))
                        .toObject();
        QVERIFY(r.value(QLatin1String("ok")).toBool());
        const QString imageId = r.value(QLatin1String("id")).toString();
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.filter(e => e.ev === 'chat.new_message').length === 1")));
        const QJsonObject image = only(recorded(page.get()), QStringLiteral("chat.new_message")).at(0).toObject().value(QLatin1String("p")).toObject();
        QCOMPARE(image.value(QLatin1String("type")).toString(), QStringLiteral("image"));
        QVERIFY(image.value(QLatin1String("body")).toString().startsWith(QLatin1String("/9j/")));
        QCOMPARE(image.value(QLatin1String("caption")).toString(), QStringLiteral("look"));
        QCOMPARE(image.value(QLatin1String("mimetype")).toString(), QStringLiteral("image/png"));
        QCOMPARE(image.value(QLatin1String("size")).toInt(), bytes.size());

        // First download fails like wa-js's (a plain object with a code), the second gives the bytes.
        QJsonObject first = jsAwait(page.get(), QStringLiteral("WPP.chat.downloadMedia('%1').then(() => 'no', e => e.code)").arg(imageId));
        QCOMPARE(first.value(QLatin1String("v")).toString(), QStringLiteral("media_not_found"));
        QJsonObject blob = jsAwait(page.get(), QStringLiteral("WPP.chat.downloadMedia('%1').then(async b => ({type: b.type, size: b.size,"
                                                              " b64: btoa(String.fromCharCode.apply(null, new Uint8Array(await b.arrayBuffer())))}))")
                                                   .arg(imageId));
        QVERIFY2(blob.value(QLatin1String("ok")).toBool(), qPrintable(blob.value(QLatin1String("error")).toString()));
        const QJsonObject b = blob.value(QLatin1String("v")).toObject();
        QCOMPARE(b.value(QLatin1String("type")).toString(), QStringLiteral("image/png"));
        QCOMPARE(b.value(QLatin1String("size")).toInt(), bytes.size());
        QCOMPARE(QByteArray::fromBase64(b.value(QLatin1String("b64")).toString().toLatin1()), bytes);
        const QJsonArray downloads = fakeState(page.get()).value(QLatin1String("downloads")).toArray();
        QCOMPARE(downloads.size(), 2);
        QCOMPARE(downloads.at(0).toObject().value(QLatin1String("ok")).toBool(), false);
        QCOMPARE(downloads.at(1).toObject().value(QLatin1String("ok")).toBool(), true);

        // A text message has no file.
        r = jsValue(page.get(), QStringLiteral("__fake.incoming({from: '15559876543', body: 'hello'})")).toObject();
        const QString textId = r.value(QLatin1String("id")).toString();
        QCOMPARE(jsAwait(page.get(), QStringLiteral("WPP.chat.downloadMedia('%1').then(() => 'no', e => e.code)").arg(textId))
                     .value(QLatin1String("v")).toString(),
                 QStringLiteral("message_not_contains_media"));

        // Location and contact cards.
        jsValue(page.get(), QStringLiteral("__fake.incoming({from: '15559876543', type: 'location', lat: 1.5, lng: -2.25, loc: 'Here\\nStreet 1'})"));
        jsValue(page.get(), QStringLiteral("__fake.incoming({from: '15559876543', type: 'vcard', vcard: 'BEGIN:VCARD\\nFN:Ana\\nEND:VCARD', vcardFormattedName: 'Ana'})"));
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.filter(e => e.ev === 'chat.new_message').length === 4")));
        const QJsonArray msgs = only(recorded(page.get()), QStringLiteral("chat.new_message"));
        const QJsonObject loc = msgs.at(2).toObject().value(QLatin1String("p")).toObject();
        QCOMPARE(loc.value(QLatin1String("type")).toString(), QStringLiteral("location"));
        QCOMPARE(loc.value(QLatin1String("lat")).toDouble(), 1.5);
        QCOMPARE(loc.value(QLatin1String("lng")).toDouble(), -2.25);
        QCOMPARE(loc.value(QLatin1String("loc")).toString(), QStringLiteral("Here\nStreet 1"));
        QVERIFY(loc.value(QLatin1String("body")).toString().startsWith(QLatin1String("/9j/")));
        const QJsonObject card = msgs.at(3).toObject().value(QLatin1String("p")).toObject();
        QCOMPARE(card.value(QLatin1String("type")).toString(), QStringLiteral("vcard"));
        QCOMPARE(card.value(QLatin1String("body")).toString(), QStringLiteral("BEGIN:VCARD\nFN:Ana\nEND:VCARD"));
        QCOMPARE(card.value(QLatin1String("vcardFormattedName")).toString(), QStringLiteral("Ana"));

        // Reaction, edit, deletion of the text message.
        QVERIFY(jsValue(page.get(), QStringLiteral("__fake.react({msgId: '%1', reaction: 'ok'}).ok").arg(textId)).toBool());
        QVERIFY(jsValue(page.get(), QStringLiteral("__fake.edit({id: '%1', body: 'hello again'}).ok").arg(textId)).toBool());
        QVERIFY(jsValue(page.get(), QStringLiteral("__fake.revoke({id: '%1'}).ok").arg(textId)).toBool());
        QVERIFY(!jsValue(page.get(), QStringLiteral("__fake.react({msgId: 'false_1@c.us_NOPE', reaction: 'x'}).ok")).toBool());
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.some(e => e.ev === 'chat.msg_revoke')")));
        const QJsonObject reaction = only(recorded(page.get()), QStringLiteral("chat.new_reaction")).at(0).toObject().value(QLatin1String("p")).toObject();
        QCOMPARE(reaction.value(QLatin1String("msgId")).toObject().value(QLatin1String("_serialized")).toString(), textId);
        QCOMPARE(reaction.value(QLatin1String("reactionText")).toString(), QStringLiteral("ok"));
        QCOMPARE(reaction.value(QLatin1String("sender")).toString(), QStringLiteral("15559876543@c.us"));
        const QJsonObject edit = only(recorded(page.get()), QStringLiteral("chat.msg_edited")).at(0).toObject().value(QLatin1String("p")).toObject();
        QCOMPARE(edit.value(QLatin1String("id")).toString(), textId);
        QCOMPARE(edit.value(QLatin1String("msg")).toObject().value(QLatin1String("body")).toString(), QStringLiteral("hello again"));
        const QJsonObject revoke = only(recorded(page.get()), QStringLiteral("chat.msg_revoke")).at(0).toObject().value(QLatin1String("p")).toObject();
        QCOMPARE(revoke.value(QLatin1String("refId")).toObject().value(QLatin1String("_serialized")).toString(), textId);
        QCOMPARE(revoke.value(QLatin1String("type")).toString(), QStringLiteral("revoke"));
        QCOMPARE(revoke.value(QLatin1String("from")).toString(), QStringLiteral("15559876543@c.us"));
    }

    void logoutBackToQr()
    {
        QWebEngineProfile profile;
        auto page = openPage(&profile, QStringLiteral("syncMs=50"));
        QVERIFY(page);
        QVERIFY(link(page.get()));
        const int qrsBefore = fakeState(page.get()).value(QLatin1String("qrCount")).toInt();

        int before = recorded(page.get()).size();
        QCOMPARE(jsValue(page.get(), QStringLiteral("__fake.logoutFromPhone().ok")).toBool(), true);
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.slice(%1).some(e => e.ev === 'conn.main_ready')").arg(before)));
        QCOMPARE(describeAll(recorded(page.get()), before),
                 (QStringList{QStringLiteral("logout"), QStringLiteral("mode:QR"), QStringLiteral("require_auth"),
                              QStringLiteral("code"), QStringLiteral("main_ready")}));
        QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.conn.isAuthenticated()")).toBool(), false);
        QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.conn.getMyUserId() === undefined")).toBool(), true);
        QJsonObject st = fakeState(page.get());
        QCOMPARE(st.value(QLatin1String("qrCount")).toInt(), qrsBefore + 1);
        QCOMPARE(st.value(QLatin1String("qrInRotation")).toInt(), 1);
        QVERIFY(jsAwait(page.get(), QStringLiteral("WPP.conn.getAuthCode()")).value(QLatin1String("v")).isObject());

        // Link again, then log out from the computer (WPP.conn.logout()).
        QVERIFY(link(page.get(), QStringLiteral("15551234999")));
        before = recorded(page.get()).size();
        const QJsonObject r = jsAwait(page.get(), QStringLiteral("WPP.conn.logout()"));
        QCOMPARE(r.value(QLatin1String("v")).toBool(), true);
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.slice(%1).some(e => e.ev === 'conn.main_ready')").arg(before)));
        QCOMPARE(describeAll(recorded(page.get()), before),
                 (QStringList{QStringLiteral("logout"), QStringLiteral("mode:QR"), QStringLiteral("require_auth"),
                              QStringLiteral("code"), QStringLiteral("main_ready")}));
        QCOMPARE(jsValue(page.get(), QStringLiteral("__fake.logoutFromPhone().ok")).toBool(), false);
    }

    void offlineBlockAndReset()
    {
        QWebEngineProfile profile;
        auto page = openPage(&profile, QStringLiteral("syncMs=50&ackMs=30"));
        QVERIFY(page);
        QVERIFY(link(page.get()));

        // Connection loss for a while: OFFLINE, then MAIN again by itself.
        int before = recorded(page.get()).size();
        QCOMPARE(jsValue(page.get(), QStringLiteral(
                     "__fake.goOffline(300).ok && WPP.conn.getStreamData().mode")).toString(),
                 QStringLiteral("OFFLINE"));
        QVERIFY(waitJs(page.get(), QStringLiteral("WPP.conn.getStreamData().mode === 'MAIN'")));
        QCOMPARE(describeAll(recorded(page.get()), before),
                 (QStringList{QStringLiteral("mode:OFFLINE"), QStringLiteral("mode:MAIN")}));

        // Until reconnect(): a send made meanwhile shows at once (ack 0) but is acknowledged
        // only after the reconnection; an incoming message waits for it.
        before = recorded(page.get()).size();
        QCOMPARE(jsValue(page.get(), QStringLiteral("__fake.goOffline().ok")).toBool(), true);
        startSend(page.get(), QStringLiteral("WPP.chat.sendTextMessage('15557654321@c.us', 'queued')"));
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.some(e => e.ev === 'chat.new_message')")));
        QCOMPARE(jsValue(page.get(), QStringLiteral("__fake.incoming({from: '15559876543', body: 'later'}).queued")).toBool(), true);
        QTest::qWait(300);
        QCOMPARE(describeAll(recorded(page.get()), before),
                 (QStringList{QStringLiteral("mode:OFFLINE"), QStringLiteral("msg:out")}));
        QCOMPARE(jsValue(page.get(), QStringLiteral("__fake.reconnect().ok")).toBool(), true);
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.some(e => e.ev === 'chat.msg_ack_change' && e.p.ack === 3)")));
        QCOMPARE(describeAll(recorded(page.get()), before),
                 (QStringList{QStringLiteral("mode:OFFLINE"), QStringLiteral("msg:out"), QStringLiteral("mode:MAIN"),
                              QStringLiteral("msg:in"), QStringLiteral("ack:1"), QStringLiteral("resolved:1"),
                              QStringLiteral("ack:2"), QStringLiteral("ack:3")}));

        // Phone conflict and back.
        QCOMPARE(jsValue(page.get(), QStringLiteral("__fake.conflict().ok")).toBool(), true);
        QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.conn.getStreamData().mode")).toString(), QStringLiteral("CONFLICT"));
        QCOMPARE(jsValue(page.get(), QStringLiteral("__fake.reconnect().ok")).toBool(), true);
        QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.conn.getStreamData().mode")).toString(), QStringLiteral("MAIN"));

        // Block: TOS_BLOCK, sends refused.
        before = recorded(page.get()).size();
        QCOMPARE(jsValue(page.get(), QStringLiteral("__fake.block().ok")).toBool(), true);
        QCOMPARE(describeAll(recorded(page.get()), before), QStringList{QStringLiteral("mode:TOS_BLOCK")});
        const QJsonObject r = jsAwait(page.get(), QStringLiteral("WPP.chat.sendTextMessage('15557654321@c.us', 'x')"));
        QCOMPARE(r.value(QLatin1String("ok")).toBool(), false);

        // reset(): forget everything, back to a fresh QR screen (no conn.logout).
        before = recorded(page.get()).size();
        QCOMPARE(jsValue(page.get(), QStringLiteral("__fake.reset().ok")).toBool(), true);
        QCOMPARE(describeAll(recorded(page.get()), before),
                 (QStringList{QStringLiteral("mode:QR"), QStringLiteral("require_auth"), QStringLiteral("code"),
                              QStringLiteral("main_ready")}));
        const QJsonObject st = fakeState(page.get());
        QCOMPARE(st.value(QLatin1String("authenticated")).toBool(), false);
        QCOMPARE(st.value(QLatin1String("sent")).toArray().size(), 0);
        QCOMPARE(jsValue(page.get(), QStringLiteral("localStorage.length")).toInt(), 0);
    }

    void remoteControl()
    {
        // As an end-to-end test would: one HTTP server serves the page and the commands
        // (same origin; a file:// page may not fetch http:// in QtWebEngine by default).
        ControlServer server;
        server.staticDir = QFileInfo(fakePagePath()).absolutePath();
        QVERIFY(server.start());
        server.replies[QStringLiteral("alpha")] = {
            QByteArray("this is not json"), // ignored
            QByteArray(R"([{"cmd":"scan","args":["15551230000"]},{"cmd":"nope"}])"),
            QByteArray(R"({"cmd":"incoming","args":[{"from":"15559990000","body":"remote hi"}]})"),
        };
        server.replies[QStringLiteral("beta")] = {QByteArray(R"([{"cmd":"scan","args":["15551230001"]}])")};

        QWebEngineProfile profile;
        QWebEngineProfile fileProfile; // profiles outlive the pages declared after them
        QWebEngineProfile goneProfile;
        QUrl url(server.url() + QStringLiteral("/index.html"));
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("syncMs"), QStringLiteral("50"));
        q.addQueryItem(QStringLiteral("control"), server.url());
        q.addQueryItem(QStringLiteral("session"), QStringLiteral("alpha"));
        url.setQuery(q);
        auto page = openUrl(&profile, url);
        QVERIFY(page);
        QVERIFY(waitJs(page.get(), QStringLiteral("window.__rec.some(e => e.ev === 'chat.new_message')")));
        QCOMPARE(jsValue(page.get(), QStringLiteral("WPP.conn.getMyUserId()._serialized")).toString(),
                 QStringLiteral("15551230000@c.us"));
        QCOMPARE(only(recorded(page.get()), QStringLiteral("conn.authenticated")).size(), 1);
        const QJsonObject msg = only(recorded(page.get()), QStringLiteral("chat.new_message")).at(0).toObject()
                                    .value(QLatin1String("p")).toObject();
        QCOMPARE(msg.value(QLatin1String("body")).toString(), QStringLiteral("remote hi"));

        // Polls keep coming, all for this session; results are posted back.
        QVERIFY(QTest::qWaitFor([&] { return server.count(QStringLiteral("GET /next")) >= 6; }, kWaitMs));
        QVERIFY(QTest::qWaitFor([&] { return server.count(QStringLiteral("POST /result")) >= 2; }, kWaitMs));
        QJsonArray results;
        for (const auto &req : server.requests) {
            if (req.first.startsWith(QLatin1String("GET /next")) || req.first.startsWith(QLatin1String("POST /result")))
                QVERIFY2(req.first.contains(QLatin1String("session=alpha")), qPrintable(req.first));
            if (results.isEmpty() && req.first.startsWith(QLatin1String("POST /result")))
                results = QJsonDocument::fromJson(req.second).array();
        }
        QCOMPARE(server.replies.value(QStringLiteral("beta")).size(), 1); // never asked for
        QCOMPARE(results.size(), 2);
        QCOMPARE(results.at(0).toObject().value(QLatin1String("cmd")).toString(), QStringLiteral("scan"));
        QCOMPARE(results.at(0).toObject().value(QLatin1String("ok")).toBool(), true);
        QCOMPARE(results.at(0).toObject().value(QLatin1String("result")).toObject().value(QLatin1String("ok")).toBool(), true);
        QCOMPARE(results.at(1).toObject().value(QLatin1String("ok")).toBool(), false);

        // A file:// page allowed to reach http:// uses CORS (the server answers ACAO: *).
        QUrlQuery fq;
        fq.addQueryItem(QStringLiteral("syncMs"), QStringLiteral("50"));
        fq.addQueryItem(QStringLiteral("control"), server.url());
        fq.addQueryItem(QStringLiteral("session"), QStringLiteral("beta"));
        QUrl fileUrl = fakeUrl(QString());
        fileUrl.setQuery(fq);
        auto filePage = openUrl(&fileProfile, fileUrl, true);
        QVERIFY(filePage);
        QVERIFY(waitJs(filePage.get(), QStringLiteral("WPP.conn.getStreamData().mode === 'MAIN'")));
        QCOMPARE(jsValue(filePage.get(), QStringLiteral("WPP.conn.getMyUserId()._serialized")).toString(),
                 QStringLiteral("15551230001@c.us"));

        // No control server there: not an error for the page.
        QUrlQuery gone;
        gone.addQueryItem(QStringLiteral("control"), QStringLiteral("http://127.0.0.1:9")); // refused
        gone.addQueryItem(QStringLiteral("session"), QStringLiteral("x"));
        QUrl goneUrl = fakeUrl(QString());
        goneUrl.setQuery(gone);
        auto page3 = openUrl(&goneProfile, goneUrl, true);
        QVERIFY(page3);
        QVERIFY(link(page3.get()));
    }
};

int main(int argc, char **argv)
{
    // WebEngine as root needs the sandbox off; CTest sets the rest, but keep it runnable by hand.
    if (::geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX"))
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Pages without a view are hidden, and Chromium aligns a hidden page's timers to whole
    // seconds: every 50 ms step of the fake would take a second.
    QByteArray flags = qgetenv("QTWEBENGINE_CHROMIUM_FLAGS");
    if (!flags.contains("--disable-background-timer-throttling"))
        qputenv("QTWEBENGINE_CHROMIUM_FLAGS",
                (flags + " --disable-background-timer-throttling").trimmed());
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QGuiApplication app(argc, argv);
    TestFakePage test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_fake_page.moc"
