// PostgreSQL outages under the real `wadesk --headless` binary, its client linked to the fake
// WhatsApp page served from this process (issue 16, DESIGN §9: an outage is answered with 503
// and survived).
//
// 1. Restart under load: a few API clients send a few hundred messages; PostgreSQL stops (pg_ctl
//    -m immediate) mid-load for a few seconds and starts again. No answer is a 500 (each is 2xx,
//    or 503 with Retry-After; a refused message is sent again, as a client would), the sender
//    resumes within 5 s of the return, the queue drains within 30 s, every accepted message
//    reaches the page exactly once and ends `sent` or later.
// 2. Journal across kill -9: during an outage the page reports an ack (delivered, then read), an
//    inbound message and a state change; they wait in the journal on disk; the binary is killed
//    with SIGKILL; PostgreSQL starts; the binary starts again on the same data directory and
//    applies them all, once.

#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "tests/support/BinarySandbox.h"
#include "tests/support/EngineApiClient.h"
#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/LinkedHeadless.h"
#include "tests/support/PgCluster.h"
#include "tests/support/WadeskInstance.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <memory>

using wadesk::Database;
using wadesk::DatabaseUrl;
using wadesk::Result;
using wadesk::SqlRunner;
using wadesk::test::Account;
using wadesk::test::ApiResponse;
using wadesk::test::ApiTestHarness;
using wadesk::test::EngineApiClient;
using wadesk::test::FakeWhatsAppServer;
using wadesk::test::LinkedHeadless;
using wadesk::test::PgCluster;
using wadesk::test::WadeskInstance;
using wadesk::test::wadeskBinary;

namespace {

constexpr int kWaitMs = 60000; // a cold Chromium in a fresh process, busy cores
constexpr int kLoadMessages = 240;
constexpr int kLoadClients = 4;
constexpr int kStopAfterAccepted = 80;
constexpr int kOutageMs = 4000;
const QString kPhone = QStringLiteral("14155552671");
const QString kTo = QStringLiteral("+14155550123");

// Sends kLoadMessages messages through POST /api/clients/:id/send-message from kLoadClients
// clients at once, each with its Idempotency-Key. A 503 with Retry-After is a refusal for now:
// that message is sent again (sooner than Retry-After asks, so the outage is met often);
// anything else but 2xx is a failure.
class SendLoad : public QObject {
public:
    SendLoad(quint16 port, QString client, QString apiKey)
        : m_port(port)
        , m_client(std::move(client))
        , m_apiKey(std::move(apiKey))
    {
        for (int i = 0; i < kLoadMessages; ++i)
            m_waiting << body(i);
        m_clock.start();
    }

    static QString body(int i) { return QStringLiteral("load %1").arg(i, 3, 10, QLatin1Char('0')); }

    void start()
    {
        for (int i = 0; i < kLoadClients; ++i)
            next();
    }
    bool done() const { return m_waiting.isEmpty() && m_inFlight == 0; }

    QHash<QString, QString> accepted; // body -> message id
    QStringList failures;             // "status: body" of every answer neither 2xx nor 503 + Retry-After
    int refused = 0;                  // 503s with Retry-After
    qint64 lastRefusedAtMs = -1;      // on m_clock
    qint64 firstAcceptedAfter(qint64 sinceMs) const
    {
        for (const qint64 at : m_acceptedAt)
            if (at >= sinceMs)
                return at;
        return -1;
    }
    qint64 nowMs() const { return m_clock.elapsed(); }

private:
    void next()
    {
        if (m_waiting.isEmpty())
            return;
        const QString text = m_waiting.takeFirst();
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/api/clients/%2/send-message").arg(m_port).arg(m_client)));
        request.setTransferTimeout(20000);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("X-API-Key", m_apiKey.toUtf8());
        // A refusal whose insert the crash committed after all must not become a second message.
        request.setRawHeader("Idempotency-Key", text.toUtf8().toHex());
        const QByteArray payload =
            QJsonDocument(QJsonObject{{QStringLiteral("to"), kTo}, {QStringLiteral("message"), text}}).toJson(QJsonDocument::Compact);
        ++m_inFlight;
        QNetworkReply *reply = m_network.post(request, payload);
        connect(reply, &QNetworkReply::finished, this, [this, reply, text]() {
            reply->deleteLater();
            --m_inFlight;
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray answer = reply->readAll();
            if (status >= 200 && status < 300) {
                const QString id = QJsonDocument::fromJson(answer).object().value(QLatin1String("messageId")).toString();
                if (id.isEmpty())
                    failures << QStringLiteral("%1 without a messageId: %2").arg(status).arg(QString::fromUtf8(answer));
                accepted.insert(text, id);
                m_acceptedAt << m_clock.elapsed();
                next();
            } else if (status == 503 && reply->hasRawHeader("Retry-After")) {
                ++refused;
                lastRefusedAtMs = m_clock.elapsed();
                m_waiting << text;
                QTimer::singleShot(100, this, [this]() { next(); });
            } else {
                failures << QStringLiteral("%1 (%2): %3").arg(status).arg(reply->errorString(), QString::fromUtf8(answer.left(300)));
                next();
            }
        });
    }

    quint16 m_port;
    QString m_client;
    QString m_apiKey;
    QNetworkAccessManager m_network;
    QStringList m_waiting;
    int m_inFlight = 0;
    QList<qint64> m_acceptedAt;
    QElapsedTimer m_clock;
};

} // namespace

class TestOutageE2e : public QObject {
    Q_OBJECT

    FakeWhatsAppServer m_fake;
    LinkedHeadless m_linked{m_fake, kWaitMs};
    PgCluster *m_cluster = nullptr;

    // One instance, its own database, home and page session, with a linked client.
    struct Site {
        QString db;
        QString instanceId;
        QTemporaryDir home;
        std::unique_ptr<WadeskInstance> app;
        EngineApiClient http;
        Account admin;
        QString client;
        QProcessEnvironment extra;
    };

    bool start(Site &site)
    {
        site.app = m_linked.launch(site.home.path(), m_linked.environment(site.db, site.instanceId, site.extra));
        if (!site.app)
            return false;
        site.http.setPort(site.app->port());
        return true;
    }

    // After a kill -9 the dead process's heartbeat is still fresh; a process started again on
    // its data directory (whose lock proves the old one gone) is not refused for that: it
    // starts at once, as a service manager's restart expects.
    bool restartAfterACrash(Site &site)
    {
        auto app = std::make_unique<WadeskInstance>(site.home.path(), m_linked.environment(site.db, site.instanceId, site.extra), kWaitMs);
        if (!app->start()) {
            qWarning("wadesk did not start again:\n%s", qPrintable(app->output().right(4000)));
            return false;
        }
        site.app = std::move(app);
        site.http.setPort(site.app->port());
        return true;
    }

    bool setUp(Site &site, const QString &instanceId)
    {
        site.db = m_cluster->createDatabase();
        // Commits acknowledged before the crash (pg_ctl -m immediate) must survive it: checked,
        // since with synchronous_commit off they may not, and this test would see ghosts.
        if (!execute(site.db, QStringLiteral("ALTER DATABASE %1 SET synchronous_commit = on").arg(site.db.section(QLatin1Char('/'), -1)))
            || scalar(site.db, QStringLiteral("SELECT current_setting('synchronous_commit')"), {}).toString() != QLatin1String("on"))
            return false;
        site.instanceId = instanceId;
        if (!site.home.isValid() || !start(site))
            return false;
        site.admin = site.http.registerOrganization(QStringLiteral("admin@%1.test").arg(instanceId), QStringLiteral("Outage Org"));
        if (!site.admin.valid())
            return false;
        site.client = site.http.createClient(site.admin, QStringLiteral("Front desk"));
        if (site.client.isEmpty())
            return false;
        const ApiResponse init = site.http.request("POST", QStringLiteral("/api/clients/%1/init").arg(site.client), QJsonObject{},
                                                   ApiTestHarness::apiKey(site.admin.apiKey));
        if (init.status != 200) {
            qWarning("init: %s", init.describe().constData());
            return false;
        }
        if (!m_linked.link(instanceId, kPhone))
            return false;
        bool ready = false;
        site.http.waitForStatus(site.admin, site.client, {QStringLiteral("ready")}, kWaitMs, &ready);
        return ready;
    }

    // Not prepared: PostgreSQL prepares no ALTER.
    static bool execute(const QString &db, const QString &statement)
    {
        const Result<DatabaseUrl> url = DatabaseUrl::parse(db, QDir::tempPath());
        if (!url)
            return false;
        Database database(url.value());
        Result<QSqlDatabase> connection = database.connection();
        if (!connection)
            return false;
        QSqlQuery q(connection.value());
        if (!q.exec(statement)) {
            qWarning("%s: %s", qPrintable(statement), qPrintable(q.lastError().text()));
            return false;
        }
        return true;
    }

    // A fresh connection per question: the test's own would be broken by each restart.
    static QVariant scalar(const QString &db, const QString &sqlText, const QVariantList &bind)
    {
        const Result<DatabaseUrl> url = DatabaseUrl::parse(db, QDir::tempPath());
        if (!url)
            return {};
        Database database(url.value());
        SqlRunner sql(database);
        Result<QSqlQuery> q = sql.run(sqlText, bind);
        if (!q || !q.value().next())
            return {};
        return q.value().value(0);
    }

    static int count(const Site &site, const QString &where, const QVariantList &bind)
    {
        const QVariant v = scalar(site.db, QStringLiteral("SELECT COUNT(*) FROM ") + where, bind);
        return v.isValid() ? v.toInt() : -1;
    }

    int events(const Site &site, const QString &type) const
    {
        return count(site, QStringLiteral("events WHERE organization_id = ? AND type = ?"), {site.admin.organizationId, type});
    }

    // "status: count, ..." of the client's messages, for failure messages.
    static QString statuses(const Site &site)
    {
        return scalar(site.db,
                      QStringLiteral("SELECT string_agg(direction || ' ' || status || ': ' || n, ', ') FROM (SELECT direction, status, "
                                     "COUNT(*) AS n FROM messages WHERE client_id = ? GROUP BY direction, status) s"),
                      {site.client})
            .toString();
    }

    // wadesk_journal_depth from GET /metrics (it answers during an outage); -1 without it.
    static int journalDepth(Site &site)
    {
        const ApiResponse r = site.http.request("GET", QStringLiteral("/metrics"));
        for (const QByteArray &line : r.body.split('\n')) {
            if (line.startsWith("wadesk_journal_depth "))
                return int(line.mid(int(qstrlen("wadesk_journal_depth "))).trimmed().toDouble());
        }
        return -1;
    }

    QString messageStatus(Site &site, const QString &messageId) const
    {
        return site.http
            .request("GET", QStringLiteral("/api/messages/") + messageId, QJsonValue(QJsonValue::Undefined),
                     ApiTestHarness::apiKey(site.admin.apiKey))
            .json.value(QLatin1String("status"))
            .toString();
    }

    void tail(const Site &site) const
    {
        if (!site.app)
            return;
        const QString out = site.app->output();
        const QStringList lines = out.split(QLatin1Char('\n'));
        for (const QString &line : lines.mid(std::max(0, int(lines.size()) - 60)))
            qInfo("%s: %s", qPrintable(site.instanceId), qPrintable(line.left(300)));
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo::exists(wadeskBinary()), qPrintable(wadeskBinary()));
        QString why;
        m_cluster = PgCluster::shared(&why);
        if (!m_cluster) {
            if (PgCluster::required())
                QFAIL(qPrintable(why));
            QSKIP(qPrintable(why));
        }
        QVERIFY(m_fake.start());
    }

    void restartUnderLoad()
    {
        Site site;
        QVERIFY(setUp(site, QStringLiteral("outage-load")));
        auto onFailure = qScopeGuard([&]() { tail(site); });
        const QString session = site.instanceId;
        bool serverDown = false;
        const auto restart = qScopeGuard([&]() {
            if (serverDown)
                m_cluster->startServer();
        });

        SendLoad load(site.app->port(), site.client, site.admin.apiKey);
        load.start();
        QVERIFY2(QTest::qWaitFor([&] { return load.accepted.size() >= kStopAfterAccepted || load.done(); }, kWaitMs),
                 qPrintable(load.failures.join(QLatin1Char('\n'))));
        QVERIFY2(!load.done(), "the load ended before the outage: nothing was measured");

        QVERIFY(m_cluster->stopServer());
        serverDown = true;
        const qint64 stoppedAt = load.nowMs();
        const int acceptedBefore = int(load.accepted.size());
        QTest::qWait(kOutageMs);
        QVERIFY(m_cluster->startServer());
        serverDown = false;
        const qint64 backAt = load.nowMs();
        const int pageHadAtReturn = int(m_fake.received(session).size());

        QElapsedTimer sinceReturn;
        sinceReturn.start();
        // The senders are back when the page takes a message again.
        QVERIFY2(QTest::qWaitFor([&] { return m_fake.received(session).size() > pageHadAtReturn; }, 30000),
                 "nothing reached the page after PostgreSQL came back");
        const qint64 resumedMs = sinceReturn.elapsed();
        QVERIFY2(QTest::qWaitFor([&] { return load.done(); }, 60000), qPrintable(QStringLiteral("%1 accepted").arg(load.accepted.size())));
        const qint64 acceptedAgainMs = load.firstAcceptedAfter(backAt) - backAt;
        const QString unsent = QStringLiteral("messages WHERE client_id = ? AND direction = 'outbound' AND status NOT IN ('sent', 'delivered', 'read')");
        if (!QTest::qWaitFor([&] { return count(site, unsent, {site.client}) == 0; }, 60000)) {
            for (auto it = load.accepted.cbegin(); it != load.accepted.cend(); ++it) {
                const QVariant status = scalar(site.db, QStringLiteral("SELECT status FROM messages WHERE id = ?"), {it.value()});
                if (status.toString() != QLatin1String("read"))
                    qWarning("%s (%s): %s, on the page %d times", qPrintable(it.key()), qPrintable(it.value()),
                             qPrintable(status.isValid() ? status.toString() : QStringLiteral("no row")), m_linked.receivedOn(session, it.key()));
            }
            qWarning("%s", qPrintable(load.failures.join(QLatin1Char('\n'))));
            site.home.setAutoRemove(false);
            QFAIL(qPrintable(QStringLiteral("not drained: %1; data in %2").arg(statuses(site), site.home.path())));
        }
        const qint64 drainedMs = sinceReturn.elapsed();

        qInfo("outage under load: %d of %d messages accepted before PostgreSQL stopped (%lld ms into the load), %d answers 503 "
              "with Retry-After, the last %lld ms after the stop; out for %d ms",
              acceptedBefore, kLoadMessages, stoppedAt, load.refused, load.lastRefusedAtMs - stoppedAt, int(backAt - stoppedAt));
        qInfo("outage under load: after the return, the API accepted again in %lld ms, the page took a message in %lld ms, the "
              "queue drained in %lld ms",
              acceptedAgainMs, resumedMs, drainedMs);

        QVERIFY2(load.failures.isEmpty(), qPrintable(load.failures.join(QLatin1Char('\n'))));
        QVERIFY2(load.refused > 0, "no request met the outage");
        QCOMPARE(int(load.accepted.size()), kLoadMessages);
        QVERIFY2(resumedMs <= 5000, qPrintable(QStringLiteral("the senders resumed %1 ms after the return").arg(resumedMs)));
        QVERIFY2(drainedMs <= 30000, qPrintable(QStringLiteral("the queue drained %1 ms after the return").arg(drainedMs)));

        QTest::qWait(1500); // time for a late duplicate to show, if there were one
        QStringList wrong;
        for (auto it = load.accepted.cbegin(); it != load.accepted.cend(); ++it) {
            const int times = m_linked.receivedOn(session, it.key());
            if (times != 1)
                wrong << QStringLiteral("%1: %2 times").arg(it.key()).arg(times);
        }
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
        QCOMPARE(int(m_fake.received(session).size()), kLoadMessages);
        // One row per accepted message: no refused request left a message behind.
        QCOMPARE(count(site, QStringLiteral("messages WHERE client_id = ? AND direction = 'outbound'"), {site.client}), kLoadMessages);
        QCOMPARE(count(site, QStringLiteral("messages WHERE client_id = ? AND status = 'sending'"), {site.client}), 0);
        QCOMPARE(count(site, QStringLiteral("outbox WHERE client_id = ?"), {site.client}), 0);
        onFailure.dismiss();
    }

    void journalAcrossAKill()
    {
        Site site;
        site.extra.insert(QStringLiteral("WADESK_LEASE_SECONDS"), QStringLiteral("6"));
        site.extra.insert(QStringLiteral("WADESK_LEASE_RENEW_SECONDS"), QStringLiteral("1"));
        QVERIFY(setUp(site, QStringLiteral("outage-kill")));
        auto onFailure = qScopeGuard([&]() { tail(site); });
        const QString session = site.instanceId;
        // Acks past `sent` come when the test says, during the outage.
        QVERIFY(m_linked.command(session, QStringLiteral("configure"), {QJsonObject{{QStringLiteral("maxAck"), 1}}}).isObject());

        const QString text = QStringLiteral("sent before the outage");
        const ApiResponse sent = site.http.request("POST", QStringLiteral("/api/clients/%1/send-message").arg(site.client),
                                                   QJsonObject{{QStringLiteral("to"), kTo}, {QStringLiteral("message"), text}},
                                                   ApiTestHarness::apiKey(site.admin.apiKey));
        QVERIFY2(sent.status == 200, sent.describe().constData());
        const QString messageId = sent.json.value(QLatin1String("messageId")).toString();
        QVERIFY(QTest::qWaitFor([&] { return m_linked.receivedOn(session, text) == 1; }, kWaitMs));
        QString waId;
        for (const QJsonObject &o : m_fake.received(session))
            if (o.value(QLatin1String("body")).toString() == text)
                waId = o.value(QLatin1String("id")).toString();
        QVERIFY(QTest::qWaitFor([&] { return messageStatus(site, messageId) == QLatin1String("sent"); }, 20000));
        QCOMPARE(events(site, QStringLiteral("client.disconnected")), 0);

        QVERIFY(m_cluster->stopServer());
        bool serverDown = true;
        const auto restart = qScopeGuard([&]() {
            if (serverDown)
                m_cluster->startServer();
        });
        const QString inboundText = QStringLiteral("received during the outage");
        QVERIFY(m_linked.command(session, QStringLiteral("ack"), {waId, 2}).toObject().value(QLatin1String("ok")).toBool());
        QVERIFY(m_linked.command(session, QStringLiteral("incoming"),
                                 {QJsonObject{{QStringLiteral("from"), QStringLiteral("14155550199")}, {QStringLiteral("body"), inboundText}}})
                    .toObject()
                    .value(QLatin1String("ok"))
                    .toBool());
        QVERIFY(m_linked.command(session, QStringLiteral("ack"), {waId, 3}).toObject().value(QLatin1String("ok")).toBool());
        QVERIFY(m_linked.command(session, QStringLiteral("goOffline")).toObject().value(QLatin1String("ok")).toBool());
        // delivered, the message, read, disconnected
        int depth = -1;
        QVERIFY2(QTest::qWaitFor([&] { return (depth = journalDepth(site)) >= 4; }, 20000), qPrintable(QString::number(depth)));
        const QString journalFile = QDir(site.app->dataDir()).filePath(QStringLiteral("journal/outage.journal"));
        QVERIFY(QFileInfo(journalFile).size() > 16);
        qInfo("journal across kill -9: %d reports journaled (%lld bytes on disk) before the kill", depth, QFileInfo(journalFile).size());

        QVERIFY(site.app->killHard());
        QVERIFY(m_cluster->startServer());
        serverDown = false;
        QElapsedTimer sinceStart;
        sinceStart.start();
        QVERIFY(restartAfterACrash(site));
        QVERIFY(QTest::qWaitFor([&] { return journalDepth(site) == 0; }, 20000));
        qInfo("journal across kill -9: the new process answered and had applied the journal %lld ms after PostgreSQL came back",
              sinceStart.elapsed());

        QCOMPARE(messageStatus(site, messageId), QStringLiteral("read"));
        QCOMPARE(count(site, QStringLiteral("messages WHERE client_id = ? AND direction = 'inbound' AND body = ?"), {site.client, inboundText}), 1);
        QCOMPARE(events(site, QStringLiteral("message.sent")), 1);
        QCOMPARE(events(site, QStringLiteral("message.received")), 1);
        QCOMPARE(events(site, QStringLiteral("message.delivered")), 1);
        QCOMPARE(events(site, QStringLiteral("message.read")), 1);
        // The page went offline while the database was away: that transition is stored, once,
        // with the page's reason (the new process's page comes back ready after it).
        QCOMPARE(events(site, QStringLiteral("client.disconnected")), 1);
        QCOMPARE(count(site, QStringLiteral("events WHERE organization_id = ? AND type = 'client.disconnected' AND data LIKE ?"),
                       {site.admin.organizationId, QStringLiteral("%offline%")}),
                 1);
        onFailure.dismiss();
    }

    void cleanupTestCase() { m_fake.stop(); }
};

QTEST_MAIN(TestOutageE2e)
#include "tst_outage_e2e.moc"
