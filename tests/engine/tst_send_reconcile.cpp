// Messages left `sending` reconciled against the page's own messages (issue 16), through the real
// engine: a SessionRegistry on a migrated database of each dialect, a QtWebEngine page on the
// project's fake WhatsApp Web (tests/fixtures/fake-whatsapp, from file://) with WaDesk's bridge
// injected. The fake keeps what the account sent across page loads (as WhatsApp Web does) and
// can take a send without ever answering it (`__fake.loseNextSendResult`): restarting the
// session then leaves a real `sending` row whose message WhatsApp has.
//
// After the session comes back (and the grace period has passed on the registry's clock): a
// message the page sent is stored as sent with the page's WhatsApp id, then delivered or read as
// the page's ack says; two identical texts to one chat take two page messages, one each; a
// message the page never got is failed as interrupted; each event goes out once. On PostgreSQL,
// a client whose lease another live instance holds is left alone.

#include "tests/support/FakeWhatsAppServer.h"
#include "tests/support/ManualClock.h"
#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/cluster/SessionLeases.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/engine/SessionRegistry.h"
#include "core/engine/WaSession.h"
#include "core/events/EventBus.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/SendReconciler.h"

#include <QDateTime>
#include <QDir>
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

#include <memory>
#include <unistd.h>

using namespace wadesk;
using wadesk::test::addDialectRows;

namespace {

constexpr int kWaitMs = 45000; // 2 busy cores, a cold Chromium, hidden-page timers of ~1 s

QVariant runJs(QWebEnginePage *page, const QString &code, int timeoutMs = 15000)
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

class World {
public:
    explicit World(Database &database)
        : db(database)
    {
        QObject::connect(&bus, &EventBus::published, &bus, [this](const Event &e) { events << e; });
    }
    ~World() { registry.reset(); }

    bool migrate()
    {
        return Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate().ok();
    }

    QString addClient(const QString &name)
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        SqlRunner sql(db);
        if (org.isEmpty()) {
            org = Ids::make("org");
            if (!sql.change(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"),
                            {org, QStringLiteral("Reconcile Org"), now, now}))
                return {};
        }
        const QString id = Ids::make("client");
        if (!sql.change(QStringLiteral("INSERT INTO clients (id, organization_id, name, status, linked, autostart, created_at, updated_at) "
                                       "VALUES (?, ?, ?, 'initializing', 0, 1, ?, ?)"),
                        {id, org, name, now, now}))
            return {};
        return id;
    }

    void makeRegistry()
    {
        EngineSettings settings;
        settings.dataDir = dir.path();
        QUrl url = QUrl::fromLocalFile(QDir(test::FakeWhatsAppServer::defaultFixtureDirectory()).filePath(QStringLiteral("index.html")));
        QUrlQuery query;
        for (const auto &[k, v] : QList<QPair<QString, QString>>{{QStringLiteral("readyMs"), QStringLiteral("50")},
                                                                 {QStringLiteral("qrFirstMs"), QStringLiteral("60000")},
                                                                 {QStringLiteral("syncMs"), QStringLiteral("200")},
                                                                 {QStringLiteral("ackMs"), QStringLiteral("200")}})
            query.addQueryItem(k, v);
        url.setQuery(query);
        settings.url = url;
        settings.injectWaJs = false;
        settings.heartbeatIntervalMs = 250;
        settings.heartbeatTimeoutMs = 20000;
        settings.readyTimeoutMs = 20000;
        MessagingSettings messaging;
        messaging.pacing = PacingSettings::off();
        registry = std::make_unique<SessionRegistry>(db, bus, settings, messaging, clock);
    }

    // Started and linked by a scan (first start) or restored from its profile.
    bool startReady(const QString &clientId, QString *why)
    {
        QString error;
        if (!registry->start(org, clientId, &error)) {
            *why = QStringLiteral("start: ") + error;
            return false;
        }
        if (!QTest::qWaitFor([&] {
                WaSession *s = registry->session(clientId);
                if (s && s->state() == SessionState::Ready)
                    return true;
                QWebEnginePage *p = s ? s->page() : nullptr;
                if (p && js(p, QStringLiteral("window.__fake && __fake.state().qr !== null")).toBool())
                    js(p, QStringLiteral("__fake.scan('1555000%1').ok").arg(qHash(clientId) % 10000, 4, 10, QLatin1Char('0')));
                return false;
            },
                             kWaitMs)) {
            *why = QStringLiteral("never ready");
            return false;
        }
        return true;
    }
    bool restart(const QString &clientId, QString *why)
    {
        registry->stop(clientId);
        return startReady(clientId, why);
    }

    QWebEnginePage *page(const QString &clientId) const
    {
        WaSession *s = registry ? registry->session(clientId) : nullptr;
        return s ? s->page() : nullptr;
    }
    QJsonValue fake(const QString &clientId, const QString &expr) { return js(page(clientId), expr); }

    // What MessageService does for an accepted send: contact, message and queue entry together.
    QString queue(const QString &clientId, const QString &phone, const QString &body)
    {
        SqlRunner sql(db);
        MessageRepository messages(sql);
        ContactRepository contacts(sql);
        Transaction tx(db);
        if (!tx.begin())
            return {};
        Result<ContactRecord> contact = contacts.upsert(org, phone);
        if (!contact)
            return {};
        MessageRecord m;
        m.id = Ids::make("msg");
        m.organizationId = org;
        m.clientId = clientId;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Outbound;
        m.body = body;
        m.status = MessageStatus::Queued;
        m.createdAt = m.updatedAt = clock.nowMs();
        if (!messages.insertMany({m}) || !messages.enqueueMany({m}) || !tx.commit())
            return {};
        return m.id;
    }
    // Queued and claimed while no sender runs: the state a crash right after the claim leaves
    // (the page never got it).
    QString claimedNeverSent(const QString &clientId, const QString &phone, const QString &body)
    {
        const QString id = queue(clientId, phone, body);
        SqlRunner sql(db);
        Result<std::optional<MessageRecord>> claimed = MessageRepository(sql).claimNext(clientId, clock.nowMs());
        return claimed && claimed.value() && claimed.value()->id == id ? id : QString();
    }
    // Sent through the session while the page keeps the result to itself; returns once the page
    // has the message with at least `ack`.
    QString sendLosingResult(const QString &clientId, const QString &phone, const QString &body, int ack)
    {
        if (!fake(clientId, QStringLiteral("__fake.loseNextSendResult(1).ok")).toBool())
            return {};
        const QString id = queue(clientId, phone, body);
        registry->requestWake(clientId);
        const QString find = QStringLiteral("(__fake.state().sent.filter(s => s.body === %1).pop() || {ack: -9}).ack")
                                 .arg(QString::fromUtf8(QJsonDocument(QJsonArray{body}).toJson(QJsonDocument::Compact)).mid(1).chopped(1));
        if (!QTest::qWaitFor([&] { return fake(clientId, find).toInt() >= ack; }, kWaitMs))
            return {};
        // WhatsApp has it for good once the profile does: a stop before the page's IndexedDB
        // write commits would lose it (the fake has no server to sync it back from).
        if (!QTest::qWaitFor([&] { return fake(clientId, QStringLiteral("__fake.state().storing")).toInt() == 0; }, kWaitMs))
            return {};
        return id;
    }

    MessageRecord row(const QString &messageId)
    {
        SqlRunner sql(db);
        Result<std::optional<MessageRecord>> found = MessageRepository(sql).find(org, messageId, ClientScope::all());
        return found && found.value() ? *found.value() : MessageRecord();
    }
    int eventsFor(const QString &type, const QString &messageId) const
    {
        int n = 0;
        for (const Event &e : events)
            n += e.type == type && e.data.value(QLatin1String("messageId")).toString() == messageId ? 1 : 0;
        return n;
    }
    // The page's own message ids for `body` (also from earlier page loads), in the order it sent them.
    QStringList pageIds(const QString &clientId, const QString &body)
    {
        const QJsonArray sent = fake(clientId, QStringLiteral("__fake.state().ownMessages")).toArray();
        QStringList out;
        for (const QJsonValue &v : sent) {
            if (v.toObject().value(QLatin1String("body")).toString() == body)
                out << v.toObject().value(QLatin1String("id")).toString();
        }
        return out;
    }

    Database &db;
    QTemporaryDir dir;
    EventBus bus;
    ShiftedClock clock;
    std::unique_ptr<SessionRegistry> registry;
    QList<Event> events;
    QString org;
};

} // namespace

class TestSendReconcile : public QObject {
    Q_OBJECT

private slots:
    void stuckSendsAreReconciledWithThePage_data() { addDialectRows(); }
    void stuckSendsAreReconciledWithThePage()
    {
        WADESK_FRESH_DATABASE(database);
        World w(*database.database);
        QVERIFY(w.migrate());
        const QString client = w.addClient(QStringLiteral("Front desk"));
        QVERIFY(!client.isEmpty());
        w.makeRegistry();
        QString why;
        QVERIFY2(w.startReady(client, &why), qPrintable(why));

        // Each life of the session: one send WhatsApp takes and the page never answers, then a
        // restart (the sender that waited for it is gone: the row stays `sending`). The clock
        // stays within the grace period, so nothing is reconciled yet.
        QVERIFY(w.fake(client, QStringLiteral("__fake.configure({maxAck: 2}).maxAck")).toInt() == 2);
        const QString delivered = w.sendLosingResult(client, QStringLiteral("+14155550101"), QStringLiteral("Your order shipped"), 2);
        QVERIFY(!delivered.isEmpty());
        QVERIFY2(w.restart(client, &why), qPrintable(why));
        const QString read = w.sendLosingResult(client, QStringLiteral("+14155550102"), QStringLiteral("See you at 10"), 3);
        QVERIFY(!read.isEmpty());
        QVERIFY2(w.restart(client, &why), qPrintable(why));
        QVERIFY(w.fake(client, QStringLiteral("__fake.configure({autoAck: 0}).autoAck")).toInt() == 0);
        const QString thanksA = w.sendLosingResult(client, QStringLiteral("+14155550103"), QStringLiteral("Thanks!"), 0);
        QVERIFY(!thanksA.isEmpty());
        QVERIFY2(w.restart(client, &why), qPrintable(why));
        QVERIFY(w.fake(client, QStringLiteral("__fake.configure({autoAck: 0}).autoAck")).toInt() == 0);
        const QString thanksB = w.sendLosingResult(client, QStringLiteral("+14155550103"), QStringLiteral("Thanks!"), 0);
        QVERIFY(!thanksB.isEmpty());
        w.registry->stop(client);
        // A crash right after a claim: this one never reached the page (same chat as the first).
        const QString neverSent = w.claimedNeverSent(client, QStringLiteral("+14155550101"), QStringLiteral("Never reached the page"));
        QVERIFY(!neverSent.isEmpty());
        for (const QString &id : {delivered, read, thanksA, thanksB, neverSent})
            QCOMPARE(w.row(id).status, MessageStatus::Sending);

        // Later: the session comes back and its page is asked.
        w.clock.advance(SendReconciler::kGraceMs + 1000);
        QVERIFY2(w.startReady(client, &why), qPrintable(why));
        QVERIFY2(QTest::qWaitFor([&] { return w.row(neverSent).status == MessageStatus::Failed; }, kWaitMs), "nothing reconciled");
        QVERIFY(QTest::qWaitFor([&] { return w.row(read).status == MessageStatus::Read; }, kWaitMs));
        QVERIFY(QTest::qWaitFor([&] { return w.row(delivered).status == MessageStatus::Delivered; }, kWaitMs));

        // Sent with the page's WhatsApp ids, then as far as the page's acks went.
        const QStringList deliveredIds = w.pageIds(client, QStringLiteral("Your order shipped"));
        QCOMPARE(deliveredIds.size(), 1);
        QCOMPARE(w.row(delivered).waMessageId, deliveredIds.first());
        QVERIFY(w.row(delivered).sentAt > 0);
        QCOMPARE(w.row(read).waMessageId, w.pageIds(client, QStringLiteral("See you at 10")).value(0));
        QVERIFY(w.row(read).readAt > 0);
        // Two identical texts to one chat: two page messages, one each, in order.
        const QStringList thanksIds = w.pageIds(client, QStringLiteral("Thanks!"));
        QCOMPARE(thanksIds.size(), 2);
        QCOMPARE(w.row(thanksA).status, MessageStatus::Sent);
        QCOMPARE(w.row(thanksB).status, MessageStatus::Sent);
        QCOMPARE(w.row(thanksA).waMessageId, thanksIds.at(0));
        QCOMPARE(w.row(thanksB).waMessageId, thanksIds.at(1));
        // The one the page never got: failed as interrupted, and not sent now either.
        QCOMPARE(w.row(neverSent).failureReason, QStringLiteral("interrupted"));
        QVERIFY(w.row(neverSent).waMessageId.isEmpty());
        QVERIFY(w.pageIds(client, QStringLiteral("Never reached the page")).isEmpty());

        // Each event once, also after another look.
        w.registry->reconcileStuckSends();
        QTest::qWait(1500);
        for (const QString &id : {delivered, read, thanksA, thanksB}) {
            QCOMPARE(w.eventsFor(QStringLiteral("message.sent"), id), 1);
            QCOMPARE(w.eventsFor(QStringLiteral("message.failed"), id), 0);
        }
        QCOMPARE(w.eventsFor(QStringLiteral("message.delivered"), delivered), 1);
        QCOMPARE(w.eventsFor(QStringLiteral("message.read"), delivered), 0);
        QCOMPARE(w.eventsFor(QStringLiteral("message.read"), read), 1);
        QCOMPARE(w.eventsFor(QStringLiteral("message.failed"), neverSent), 1);
        QCOMPARE(w.eventsFor(QStringLiteral("message.sent"), neverSent), 0);
        // The page's echoes did not become messages of their own.
        SqlRunner sql(w.db);
        Result<QSqlQuery> rows = sql.run(QStringLiteral("SELECT COUNT(*) FROM messages WHERE client_id = ?"), {client});
        QVERIFY(rows && rows.value().next());
        QCOMPARE(rows.value().value(0).toInt(), 5);
    }

    // Several instances: only the lease's holder reconciles a client's rows.
    void anotherInstancesClientIsLeftAlone_data() { addDialectRows(); }
    void anotherInstancesClientIsLeftAlone()
    {
        WADESK_FRESH_DATABASE(database);
        if (!database.database->isPostgres())
            QSKIP("leases exist on PostgreSQL only");
        World w(*database.database);
        QVERIFY(w.migrate());
        const QString mine = w.addClient(QStringLiteral("Here"));
        const QString theirs = w.addClient(QStringLiteral("There"));
        QVERIFY(!mine.isEmpty() && !theirs.isEmpty());
        SessionLeases here(w.db, QStringLiteral("inst-a"), SessionLeases::Timing{600000, 5000, 3000});
        SessionLeases there(w.db, QStringLiteral("inst-b"), SessionLeases::Timing{600000, 5000, 3000});
        Result<std::optional<LeaseFence>> taken = there.acquire(theirs);
        QVERIFY(taken && taken.value());
        // Both left `sending` by a crash, neither on any page.
        const QString mineStuck = w.claimedNeverSent(mine, QStringLiteral("+14155550201"), QStringLiteral("mine"));
        const QString theirsStuck = w.claimedNeverSent(theirs, QStringLiteral("+14155550202"), QStringLiteral("theirs"));
        QVERIFY(!mineStuck.isEmpty() && !theirsStuck.isEmpty());
        w.clock.advance(SendReconciler::kGraceMs + 1000);

        w.makeRegistry();
        w.registry->setLeases(&here);
        w.registry->reconcileStuckSends();
        QString why;
        QVERIFY2(w.startReady(mine, &why), qPrintable(why));
        QVERIFY(QTest::qWaitFor([&] { return w.row(mineStuck).status == MessageStatus::Failed; }, kWaitMs));
        QCOMPARE(w.row(mineStuck).failureReason, QStringLiteral("interrupted"));
        // Even past the bound for a client that is not ready here: inst-b's to settle.
        w.clock.advance(SessionRegistry::kStuckSendsBoundMs + 1000);
        w.registry->reconcileStuckSends();
        QTest::qWait(1500);
        QCOMPARE(w.row(theirsStuck).status, MessageStatus::Sending);
        QCOMPARE(w.eventsFor(QStringLiteral("message.failed"), theirsStuck), 0);
        QCOMPARE(w.eventsFor(QStringLiteral("message.failed"), mineStuck), 1);
        // Once inst-b lets go, the client has its bound to come back here (a takeover would
        // reconcile it); it does not, so the row is failed.
        QVERIFY(there.release(theirs));
        w.registry->reconcileStuckSends();
        QTest::qWait(1500);
        QCOMPARE(w.row(theirsStuck).status, MessageStatus::Sending);
        w.clock.advance(SessionRegistry::kStuckSendsBoundMs + 1000);
        w.registry->reconcileStuckSends();
        QVERIFY(QTest::qWaitFor([&] { return w.row(theirsStuck).status == MessageStatus::Failed; }, kWaitMs));
        QCOMPARE(w.eventsFor(QStringLiteral("message.failed"), theirsStuck), 1);
        w.registry.reset();
    }
};

int main(int argc, char **argv)
{
    if (::geteuid() == 0 && qEnvironmentVariableIsEmpty("QTWEBENGINE_DISABLE_SANDBOX"))
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QTWEBENGINE_CHROMIUM_FLAGS"))
        qputenv("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-background-timer-throttling");
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QGuiApplication app(argc, argv);
    TestSendReconcile test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_send_reconcile.moc"
