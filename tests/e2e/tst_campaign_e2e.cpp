// The issue 13 acceptance, with the real `wadesk` binary (QProcess, headless, its own HOME/XDG
// directories, a free port, SQLite), its session pointed at the fake WhatsApp Web page served
// from this process with remote control (FakeWhatsAppServer; WADESK_WA_URL, WADESK_INJECT_WAJS=0),
// pacing off, the page reporting every message WhatsApp took to this process (reportSends), so
// what reached "WhatsApp" is counted across the kill.
//
// A campaign to 10 numbers (8 valid, 1 that sent STOP, 1 invalid) on a linked client, slowed to
// 2 per minute; SIGKILL once two went out and the third waits in the queue for the tier; a new
// start on the same data, sped up: the campaign completes with each valid number receiving its
// message exactly once, the opted-out and invalid ones skipped with their reasons;
// active_campaigns is 1 while it runs and 0 after; the guide's analytics say total_sent 8; the
// CSV export has a header and 10 rows.

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
const QString kSession = QStringLiteral("campaign");
const QString kPhone = QStringLiteral("14155552671");

// What every run of the binary below gets on top of the sandbox's environment.
QProcessEnvironment instanceEnvironment(const QString &pageUrl, int perMinute)
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
    env.insert(QStringLiteral("WADESK_RATE_PER_MINUTE"), QString::number(perMinute));
    env.insert(QStringLiteral("WADESK_RATE_PER_HOUR"), QStringLiteral("10000"));
    env.insert(QStringLiteral("WADESK_RATE_PER_DAY"), QStringLiteral("100000"));
    return env;
}

} // namespace

class TestCampaignE2e : public QObject {
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
                                         {QStringLiteral("pollMs"), QStringLiteral("50")},
                                         {QStringLiteral("reportSends"), QStringLiteral("1")}})
            .toString(QUrl::FullyEncoded);
    }

    bool startApp(int perMinute)
    {
        m_app = std::make_unique<WadeskInstance>(m_home.path(), instanceEnvironment(pageUrl(), perMinute), kWaitMs);
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

    ApiResponse get(const QString &path) { return m_http.request("GET", path, QJsonValue(QJsonValue::Undefined), key()); }
    QJsonObject campaign(const QString &id) { return get(QStringLiteral("/api/campaigns/") + id).json.value(QLatin1String("campaign")).toObject(); }
    int activeCampaigns() { return get(QStringLiteral("/api/analytics/stats")).json.value(QLatin1String("active_campaigns")).toInt(-1); }

    // How many times WhatsApp took the campaign's text for each chat, over every page so far.
    QHash<QString, int> receivedByChat(const QString &body)
    {
        QHash<QString, int> out;
        for (const QJsonObject &r : m_fake.received(kSession)) {
            if (r.value(QLatin1String("body")).toString() == body)
                ++out[r.value(QLatin1String("to")).toString()];
        }
        return out;
    }

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
        QVERIFY(startApp(2)); // slowed: 2 per minute
        m_admin = m_http.registerOrganization(QStringLiteral("admin@campaign.test"), QStringLiteral("Campaign Org"));
        QVERIFY(m_admin.valid());
        m_client = m_http.createClient(m_admin, QStringLiteral("Marketing"));
        QVERIFY(!m_client.isEmpty());
        const ApiResponse init = m_http.request("POST", QStringLiteral("/api/clients/%1/init").arg(m_client), QJsonObject{}, key());
        QVERIFY2(init.status == 200, init.describe().constData());
        QVERIFY(waitClientStatus(QStringLiteral("qr")));
        QVERIFY(QTest::qWaitFor([&] { return !command(QStringLiteral("state")).toObject().value(QLatin1String("qr")).isNull(); }, kWaitMs));
        QVERIFY(command(QStringLiteral("scan"), {kPhone}).toObject().value(QLatin1String("ok")).toBool());
        QVERIFY(waitClientStatus(QStringLiteral("ready")));
        QVERIFY2(QTest::qWaitFor([&] { return profileHolds("fake-whatsapp:linked"); }, 20000), "the link never reached the profile");
    }

    void acceptance()
    {
        // One of the ten sent STOP before the campaign.
        const QString stopped = QStringLiteral("+14155550909");
        QVERIFY(command(QStringLiteral("incoming"), {QJsonObject{{QStringLiteral("from"), stopped}, {QStringLiteral("body"), QStringLiteral("STOP")}}})
                    .toObject()
                    .value(QLatin1String("ok"))
                    .toBool());
        QVERIFY(QTest::qWaitFor(
            [&] {
                const QJsonArray contacts = get(QStringLiteral("/api/contacts?search=4155550909")).json.value(QLatin1String("contacts")).toArray();
                return !contacts.isEmpty() && contacts.at(0).toObject().value(QLatin1String("opted_out")).toBool();
            },
            kWaitMs));

        QStringList valid;
        for (int i = 1; i <= 8; ++i)
            valid << QStringLiteral("+1415555080%1").arg(i);
        const QString text = QStringLiteral("Summer sale: everything -20% this week");
        const ApiResponse created = m_http.request(
            "POST", QStringLiteral("/api/campaigns"),
            QJsonObject{{QStringLiteral("name"), QStringLiteral("Summer Sale")},
                        {QStringLiteral("client_id"), m_client},
                        {QStringLiteral("message"), text},
                        {QStringLiteral("audience"),
                         QJsonObject{{QStringLiteral("numbers"), QJsonArray::fromStringList(valid + QStringList{stopped, QStringLiteral("12345")})}}}},
            key());
        QVERIFY2(created.status == 201, created.describe().constData());
        const QString id = created.json.value(QLatin1String("campaign")).toObject().value(QLatin1String("id")).toString();
        const ApiResponse started = m_http.request("POST", QStringLiteral("/api/campaigns/%1/start").arg(id), QJsonObject{}, key());
        QVERIFY2(started.status == 200, started.describe().constData());
        QCOMPARE(started.json.value(QLatin1String("campaign")).toObject().value(QLatin1String("total")).toInt(), 10);
        QCOMPARE(activeCampaigns(), 1);

        // Slowed to 2 a minute: two go out, the third waits in the queue for the tier. kill -9.
        QVERIFY2(QTest::qWaitFor([&] { return m_fake.received(kSession).size() >= 2; }, kWaitMs), "the first two never went out");
        QVERIFY(QTest::qWaitFor([&] { return campaign(id).value(QLatin1String("queued")).toInt() == 1; }, kWaitMs));
        QTest::qWait(1500);
        QCOMPARE(m_fake.received(kSession).size(), 2);
        QCOMPARE(campaign(id).value(QLatin1String("status")).toString(), QStringLiteral("running"));
        QVERIFY(m_app->killHard());

        // Restarted, sped up: it completes.
        QVERIFY(startApp(1000));
        QVERIFY(waitClientStatus(QStringLiteral("ready")));
        QString status;
        const bool completed = QTest::qWaitFor(
            [&] {
                status = campaign(id).value(QLatin1String("status")).toString();
                return status == QLatin1String("completed");
            },
            90000);
        QVERIFY2(completed, qPrintable(status + QLatin1Char('\n') + m_app->logFile().right(3000)));
        QTest::qWait(500);

        // Each valid number received its message exactly once; the other two nothing.
        const QHash<QString, int> received = receivedByChat(text);
        QCOMPARE(received.size(), 8);
        for (const QString &phone : valid)
            QVERIFY2(received.value(phone.mid(1) + QStringLiteral("@c.us")) == 1, qPrintable(phone));
        QCOMPARE(m_fake.received(kSession).size(), 8);

        const QJsonObject done = campaign(id);
        QCOMPARE(done.value(QLatin1String("sent")).toInt(), 8);
        QCOMPARE(done.value(QLatin1String("skipped")).toInt(), 2);
        QCOMPARE(done.value(QLatin1String("failed")).toInt(), 0);
        QCOMPARE(activeCampaigns(), 0);
        const QJsonArray skipped = get(QStringLiteral("/api/campaigns/%1/recipients?status=skipped").arg(id)).json.value(QLatin1String("recipients")).toArray();
        QCOMPARE(skipped.size(), 2);
        QHash<QString, QString> reasons;
        for (const QJsonValue &v : skipped)
            reasons.insert(v.toObject().value(QLatin1String("phone_number")).toString(), v.toObject().value(QLatin1String("reason")).toString());
        QCOMPARE(reasons.value(stopped), QStringLiteral("opted_out"));
        QCOMPARE(reasons.value(QStringLiteral("12345")), QStringLiteral("invalid_number"));

        const ApiResponse analytics = get(QStringLiteral("/api/analytics/campaigns/") + id);
        QCOMPARE(analytics.status, 200);
        QCOMPARE(analytics.json.value(QLatin1String("total_sent")).toInt(), 8);
        for (const char *field : {"id", "name", "total_sent", "delivered", "read", "clicked", "delivery_rate", "read_rate", "click_rate"})
            QVERIFY2(analytics.json.contains(QLatin1String(field)), field);
        const ApiResponse csv = get(QStringLiteral("/api/analytics/campaigns/%1/export?format=csv").arg(id));
        QCOMPARE(csv.status, 200);
        QByteArray body = csv.body;
        QVERIFY(body.endsWith("\r\n"));
        body.chop(2);
        const QList<QByteArray> lines = body.split('\n');
        QCOMPARE(lines.size(), 11);
        QVERIFY(lines.at(0).startsWith("phone_number,status"));
    }

    void cleanupTestCase()
    {
        m_app.reset(); // SIGTERM
    }
};

QTEST_GUILESS_MAIN(TestCampaignE2e)

#include "tst_campaign_e2e.moc"
