// Crash safety of the send queue with the real `wadesk` binary (QProcess, headless, its own
// HOME/XDG directories, no DISPLAY, a free port, SQLite), its session pointed at the fake
// WhatsApp Web page served from this process over loopback HTTP with remote control
// (FakeWhatsAppServer; WADESK_WA_URL, WADESK_INJECT_WAJS=0), pacing off (WADESK_PACING=0).
//
// A linked client sends three messages; then the page stops acknowledging, so the next message
// stays `sending`, and 50 more are queued behind it. SIGKILL. A new start on the same data
// directory: the 50 go out exactly once (counted on the new page and through the API), the one
// caught in `sending` (which the page had taken) is reconciled with the page's own message, stored
// as `sent` with its WhatsApp id, and is not sent again; nothing is lost.

#include "tests/support/BinarySandbox.h"
#include "tests/support/EngineApiClient.h"
#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/WadeskInstance.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
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
constexpr int kQueued = 50;
const QString kSession = QStringLiteral("crash");
const QString kPhone = QStringLiteral("14155552671");

// What every run of the binary below gets on top of the sandbox's environment.
QProcessEnvironment instanceEnvironment(const QString &pageUrl)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("WADESK_PASSWORD_HASH_COST"), QStringLiteral("min"));
    env.insert(QStringLiteral("WADESK_HEALTH_CACHE_MS"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_WA_URL"), pageUrl);
    env.insert(QStringLiteral("WADESK_INJECT_WAJS"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_INTERVAL_MS"), QStringLiteral("500"));
    env.insert(QStringLiteral("WADESK_WA_HEARTBEAT_TIMEOUT_MS"), QStringLiteral("20000"));
    env.insert(QStringLiteral("WADESK_PACING"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_CHECK_NUMBER_EXISTS"), QStringLiteral("0"));
    env.insert(QStringLiteral("WADESK_RATE_PER_MINUTE"), QStringLiteral("1000"));
    env.insert(QStringLiteral("WADESK_RATE_PER_HOUR"), QStringLiteral("10000"));
    env.insert(QStringLiteral("WADESK_RATE_PER_DAY"), QStringLiteral("100000"));
    return env;
}

} // namespace

class TestCrashSafety : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;
    FakeWhatsAppServer m_fake;
    std::unique_ptr<WadeskInstance> m_app;
    EngineApiClient m_http;
    Account m_admin;
    QString m_client;

    wadesk::test::HeaderList key() const { return ApiTestHarness::apiKey(m_admin.apiKey); }

    QString pageUrl() const
    {
        return m_fake.pageUrl(kSession, {{QStringLiteral("readyMs"), QStringLiteral("50")},
                                         {QStringLiteral("qrFirstMs"), QStringLiteral("30000")},
                                         {QStringLiteral("qrMax"), QStringLiteral("100")},
                                         {QStringLiteral("syncMs"), QStringLiteral("300")},
                                         {QStringLiteral("ackMs"), QStringLiteral("20")},
                                         {QStringLiteral("pollMs"), QStringLiteral("50")}})
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

    bool waitClientStatus(const QString &wanted)
    {
        bool reached = false;
        const QJsonObject last = m_http.waitForStatus(m_admin, m_client, {wanted}, kWaitMs, &reached);
        if (!reached)
            qWarning("client status %s never came; last %s\n%s", qPrintable(wanted), QJsonDocument(last).toJson(QJsonDocument::Compact).constData(),
                     qPrintable(m_app->logFile().right(3000)));
        return reached;
    }

    // Runs one __fake command in the page through the control endpoint; its result.
    QJsonValue command(const QString &cmd, const QJsonArray &args = {})
    {
        const int before = int(m_fake.results(kSession).size());
        m_fake.enqueue(kSession, cmd, args);
        if (!QTest::qWaitFor([&] { return m_fake.results(kSession).size() > before; }, kWaitMs)) {
            qWarning("the page never ran %s (polls so far: %d)", qPrintable(cmd), m_fake.polls(kSession));
            return {};
        }
        const QJsonObject r = m_fake.results(kSession).at(before);
        if (!r.value(QLatin1String("ok")).toBool())
            qWarning("%s failed: %s", qPrintable(cmd), QJsonDocument(r).toJson(QJsonDocument::Compact).constData());
        return r.value(QLatin1String("result"));
    }

    // The bodies the current page sent, in order.
    QStringList sentOnPage()
    {
        QStringList out;
        for (const QJsonValue &v : command(QStringLiteral("state")).toObject().value(QLatin1String("sent")).toArray())
            out << v.toObject().value(QLatin1String("body")).toString();
        return out;
    }

    ApiResponse send(const QString &to, const QString &text)
    {
        return m_http.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(m_client),
                              QJsonObject{{QStringLiteral("to"), to}, {QStringLiteral("message"), text}}, key());
    }

    QJsonObject message(const QString &id)
    {
        return m_http.request("GET", QStringLiteral("/api/messages/") + id, QJsonValue(QJsonValue::Undefined), key()).json;
    }

    bool waitMessageStatus(const QString &id, const QStringList &wanted, int timeoutMs = kWaitMs)
    {
        QString last;
        const bool ok = QTest::qWaitFor(
            [&] {
                last = message(id).value(QLatin1String("status")).toString();
                return wanted.contains(last);
            },
            timeoutMs);
        if (!ok)
            qWarning("message %s: wanted %s, is %s", qPrintable(id), qPrintable(wanted.join(QLatin1Char('|'))), qPrintable(last));
        return ok;
    }

    // Whether a file of the client's browser profile contains `needle`.
    bool profileHolds(const QByteArray &needle) const
    {
        QDirIterator it(m_home.filePath(QStringLiteral("data/sessions/") + m_client), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            if (f.size() < 4 * 1024 * 1024 && f.open(QIODevice::ReadOnly) && f.readAll().contains(needle))
                return true;
        }
        return false;
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(wadeskBinary()), qPrintable(wadeskBinary()));
        QVERIFY(m_home.isValid());
        QVERIFY(m_fake.start());
        QVERIFY(startApp());
        m_admin = m_http.registerOrganization(QStringLiteral("admin@crash.test"), QStringLiteral("Crash Org"));
        QVERIFY(m_admin.valid());
        m_client = m_http.createClient(m_admin, QStringLiteral("Front desk"));
        QVERIFY(!m_client.isEmpty());
        const ApiResponse init = m_http.request("POST", QStringLiteral("/api/clients/%1/init").arg(m_client), QJsonObject{}, key());
        QVERIFY2(init.status == 200, init.describe().constData());
        QVERIFY(waitClientStatus(QStringLiteral("qr")));
        QVERIFY(QTest::qWaitFor([&] { return !command(QStringLiteral("state")).toObject().value(QLatin1String("qr")).isNull(); }, kWaitMs));
        QVERIFY(command(QStringLiteral("scan"), {kPhone}).toObject().value(QLatin1String("ok")).toBool());
        QVERIFY(waitClientStatus(QStringLiteral("ready")));
        // The fake page keeps its link in localStorage, which Chromium writes to disk a few
        // seconds late (the real WhatsApp Web keeps it in IndexedDB, written at once): a SIGKILL
        // before that would unlink the fake, which is not what this test is about.
        QVERIFY2(QTest::qWaitFor([&] { return profileHolds("fake-whatsapp:linked"); }, 20000), "the link never reached the profile");
    }

    void killWithFiftyQueuedThenRestart()
    {
        // Three go out normally.
        QStringList before;
        for (int i = 0; i < 3; ++i) {
            const ApiResponse r = send(QStringLiteral("+1415555%1").arg(1000 + i), QStringLiteral("before the crash %1").arg(i + 1));
            QVERIFY2(r.status == 200, r.describe().constData());
            before << r.json.value(QLatin1String("messageId")).toString();
        }
        for (const QString &id : before)
            QVERIFY(waitMessageStatus(id, {QStringLiteral("read")}));

        // The page stops acknowledging: the next send never returns, the message stays `sending`.
        QVERIFY(command(QStringLiteral("configure"), {QJsonObject{{QStringLiteral("ack1Ms"), 600000}}}).isObject());
        const ApiResponse stuck = send(QStringLiteral("+14155552000"), QStringLiteral("caught in the crash"));
        QVERIFY2(stuck.status == 200, stuck.describe().constData());
        const QString caught = stuck.json.value(QLatin1String("messageId")).toString();
        QVERIFY(waitMessageStatus(caught, {QStringLiteral("sending")}));

        QStringList queued;
        QStringList queuedBodies;
        for (int i = 0; i < kQueued; ++i) {
            const QString body = QStringLiteral("queued %1 of %2").arg(i + 1).arg(kQueued);
            const ApiResponse r = send(QStringLiteral("+1415555%1").arg(3000 + i), body);
            QVERIFY2(r.status == 200, r.describe().constData());
            QCOMPARE(r.json.value(QLatin1String("status")).toString(), QStringLiteral("queued"));
            queued << r.json.value(QLatin1String("messageId")).toString();
            queuedBodies << body;
        }
        const QJsonObject limits =
            m_http.request("GET", QStringLiteral("/api/clients/%1/rate-limits").arg(m_client), QJsonValue(QJsonValue::Undefined), key()).json;
        QCOMPARE(limits.value(QLatin1String("queue_depth")).toInt(), kQueued);
        QCOMPARE(message(caught).value(QLatin1String("status")).toString(), QStringLiteral("sending"));
        QCOMPARE(message(queued.last()).value(QLatin1String("status")).toString(), QStringLiteral("queued"));
        const QStringList firstPage = sentOnPage();
        QCOMPARE(firstPage.size(), 4);
        QCOMPARE(firstPage.last(), QStringLiteral("caught in the crash"));
        // The page keeps what the account sent in its profile (IndexedDB, written at once), as
        // WhatsApp Web does: wait until it is on disk, so the kill does not lose it.
        const QString caughtWaId = command(QStringLiteral("state")).toObject().value(QLatin1String("sent")).toArray().last().toObject()
                                       .value(QLatin1String("id")).toString();
        QVERIFY(!caughtWaId.isEmpty());
        QVERIFY2(QTest::qWaitFor([&] { return profileHolds(caughtWaId.section(QLatin1Char('_'), -1).toLatin1()); }, 20000),
                 "the sent message never reached the profile");

        // kill -9.
        QVERIFY(m_app->killHard());

        // The next start: the client comes back from its profile, the interrupted message is
        // found on the page and reconciled, the queue drains.
        QVERIFY(startApp());
        QVERIFY(waitClientStatus(QStringLiteral("ready")));
        for (const QString &id : queued)
            QVERIFY(waitMessageStatus(id, {QStringLiteral("sent"), QStringLiteral("delivered"), QStringLiteral("read")}));
        QVERIFY(waitMessageStatus(caught, {QStringLiteral("sent")}));
        const QJsonObject reconciled = message(caught);
        QCOMPARE(reconciled.value(QLatin1String("wa_message_id")).toString(), caughtWaId);
        // The log writes info lines out every 2 s, so the line may follow the row by that much.
        const QString reconciledLine = QStringLiteral("message %1 was left `sending`; its page sent it as %2: reconciled").arg(caught, caughtWaId);
        QVERIFY2(QTest::qWaitFor([&] { return m_app->logFile().contains(reconciledLine); }, 10000), qPrintable(m_app->logFile().right(3000)));

        // Exactly once: the new page sent the 50 in order and nothing else (not the reconciled
        // one, nothing from before); across both pages every message went out once.
        QTest::qWait(500);
        const QStringList secondPage = sentOnPage();
        QCOMPARE(secondPage, queuedBodies);
        QHash<QString, int> times;
        for (const QString &body : firstPage + secondPage)
            ++times[body];
        QCOMPARE(times.size(), 3 + 1 + kQueued);
        for (auto it = times.cbegin(); it != times.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(it.key()));

        // Nothing lost: the history has every message once, all outbound, and the queue is empty.
        const ApiResponse history = m_http.request("GET", QStringLiteral("/api/clients/%1/messages?limit=500&direction=outbound").arg(m_client),
                                                   QJsonValue(QJsonValue::Undefined), key());
        QCOMPARE(history.json.value(QLatin1String("total")).toInt(), 3 + 1 + kQueued);
        int failed = 0;
        for (const QJsonValue &v : history.json.value(QLatin1String("messages")).toArray())
            failed += v.toObject().value(QLatin1String("status")).toString() == QLatin1String("failed") ? 1 : 0;
        QCOMPARE(failed, 0);
        QCOMPARE(m_http.request("GET", QStringLiteral("/api/clients/%1/rate-limits").arg(m_client), QJsonValue(QJsonValue::Undefined), key())
                     .json.value(QLatin1String("queue_depth"))
                     .toInt(),
                 0);
        // The same text again is a new message, sent once.
        const ApiResponse retry = send(QStringLiteral("+14155552000"), QStringLiteral("caught in the crash"));
        QVERIFY2(retry.status == 200, retry.describe().constData());
        QVERIFY(waitMessageStatus(retry.json.value(QLatin1String("messageId")).toString(), {QStringLiteral("read")}));
        QCOMPARE(sentOnPage().count(QStringLiteral("caught in the crash")), 1);
    }

    void cleanupTestCase()
    {
        m_app.reset(); // SIGTERM
    }
};

QTEST_GUILESS_MAIN(TestCrashSafety)

#include "tst_crash_safety.moc"
