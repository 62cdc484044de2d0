// The desktop Dashboard (ui/dashboard, ui/models/DashboardModels) over the real AnalyticsService.
//
// Proves: the report the loader reads off the GUI thread has the acceptance numbers on
// SQLite and PostgreSQL (5 read, 1 refused, 1 received today → 7 messages today, today's funnel
// 5/5/5/1/1, rates 100 %); the window shows the same numbers in its tiles and tables and is the
// first screen of admins and viewers, never of agents (no action, no screen); the empty states
// say why they are empty; a burst of message events costs one more read, not one per event;
// the ready-sessions and queued tiles follow the client list; the table models pass
// QAbstractItemModelTester and their CSV neutralises formula cells; the JSON, CSV, PNG and PDF
// exports (the PDF rendered with pdftoppm and checked non-empty); screenshots light and dark in
// <build>/screenshots.

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"

#include "core/analytics/AnalyticsService.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"
#include "core/services/ServiceGraph.h"
#include "ui/dashboard/DashboardLoader.h"
#include "ui/dashboard/DashboardView.h"
#include "ui/main/MainWindow.h"
#include "ui/models/ClientListModel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QThread>
#include <QTimeZone>

using namespace wadesk;
using namespace wadesk::test;

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;

// Writes messages as the engine moves them (insert + outbox, claim, sent, ack), at chosen times.
class Seeder {
public:
    explicit Seeder(Database &db)
        : m_db(db)
    {
    }

    // `finalStatus`: "queued", "sent", "delivered", "read" or "refused" (sent, then ack -1).
    bool outbound(const QString &org, const QString &clientId, const QString &phone, qint64 at, const QString &finalStatus,
                  const QString &createdBy)
    {
        SqlRunner sql(m_db);
        ContactRepository contacts(sql);
        Result<ContactRecord> contact = contacts.upsert(org, phone);
        if (!contact)
            return fail("contact", contact.error());
        MessageRecord m;
        m.id = Ids::makeAt("msg", at);
        m.organizationId = org;
        m.clientId = clientId;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Outbound;
        m.body = QStringLiteral("hello");
        m.status = MessageStatus::Queued;
        m.createdBy = createdBy;
        m.createdAt = at;
        m.updatedAt = at;
        MessageRepository messages(sql);
        if (Status s = messages.insertMany({m}); !s)
            return fail("insert", s.error());
        // One that goes past `queued` is claimed at once: ahead of those seeded to stay queued
        // (the queue takes the lowest priority first, then the earliest).
        const bool staysQueued = finalStatus == QLatin1String("queued");
        if (Status s = messages.enqueueMany({m}, staysQueued ? 0 : -1); !s)
            return fail("enqueue", s.error());
        if (staysQueued)
            return true;
        Result<std::optional<MessageRecord>> claimed = messages.claimNext(clientId, at);
        if (!claimed || !claimed.value() || claimed.value()->id != m.id)
            return fail("claim", claimed ? DomainError::internal(QStringLiteral("claimed another")) : claimed.error());
        const QString waId = QStringLiteral("true_%1@c.us_%2").arg(phone.mid(1)).arg(++m_sequence);
        if (Status s = messages.markSent(m.id, waId, at + 1000); !s)
            return fail("sent", s.error());
        const int ack = finalStatus == QLatin1String("delivered") ? 2
                        : finalStatus == QLatin1String("read")    ? 3
                        : finalStatus == QLatin1String("refused") ? -1
                                                                  : 0;
        if (ack != 0) {
            Result<std::optional<MessageRecord>> moved = messages.applyAck(clientId, waId, ack, at + 2000);
            if (!moved || !moved.value())
                return fail("ack", moved ? DomainError::internal(QStringLiteral("ack did not apply")) : moved.error());
        }
        return true;
    }

    bool inbound(const QString &org, const QString &clientId, const QString &phone, qint64 at)
    {
        SqlRunner sql(m_db);
        ContactRepository contacts(sql);
        Result<ContactRecord> contact = contacts.upsert(org, phone);
        if (!contact)
            return fail("contact", contact.error());
        MessageRecord m;
        m.id = Ids::makeAt("msg", at);
        m.organizationId = org;
        m.clientId = clientId;
        m.contactId = contact.value().id;
        m.direction = MessageDirection::Inbound;
        m.body = QStringLiteral("hi");
        m.status = MessageStatus::Received;
        m.waMessageId = QStringLiteral("false_%1@c.us_%2").arg(phone.mid(1)).arg(++m_sequence);
        m.createdAt = at;
        m.sentAt = at;
        m.updatedAt = at;
        MessageRepository messages(sql);
        Result<bool> inserted = messages.insertIfNew(m);
        if (!inserted || !inserted.value())
            return fail("inbound", inserted ? DomainError::internal(QStringLiteral("duplicate")) : inserted.error());
        return true;
    }

    // The acceptance: 5 read, 1 refused by WhatsApp, 1 received, all today (UTC, the default zone).
    bool acceptance(const QString &org, const QString &clientId, const QString &author)
    {
        const qint64 at = todayAt();
        for (int i = 0; i < 5; ++i) {
            if (!outbound(org, clientId, QStringLiteral("+14155550100"), at + i * 1000, QStringLiteral("read"), author))
                return false;
        }
        return outbound(org, clientId, QStringLiteral("+14155550101"), at + 6000, QStringLiteral("refused"), author)
               && inbound(org, clientId, QStringLiteral("+14155550102"), at + 7000);
    }

    // A moment of today (UTC) in the past, away from midnight so that "today" holds for the test.
    static qint64 todayAt()
    {
        qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (now % kDay > kDay - 3 * kMinute) {
            QThread::msleep(quint64(kDay - now % kDay + 1000));
            now = QDateTime::currentMSecsSinceEpoch();
        }
        const qint64 dayStart = now - now % kDay;
        return std::max(dayStart, now - 30 * kMinute);
    }

private:
    bool fail(const char *what, const DomainError &e)
    {
        qWarning("seed %s: %s", what, qPrintable(e.message));
        return false;
    }
    Database &m_db;
    int m_sequence = 0;
};

QString today()
{
    return QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate);
}

// The row of a table model whose first column is `text`.
int rowWith(const ReportTableModel &model, const QVariant &first)
{
    for (int r = 0; r < model.rowCount(); ++r) {
        if (model.value(r, 0) == first)
            return r;
    }
    return -1;
}

QString funnelOf(const ReportTableModel &model, int row)
{
    QStringList parts;
    for (const char *key : {"sent", "delivered", "read", "failed", "received"})
        parts << model.value(row, int(model.keys().indexOf(QLatin1String(key)))).toString();
    return parts.join(QLatin1Char('/'));
}

bool waitForReport(DashboardView *view, int timeoutMs = kUiWaitMs)
{
    return QTest::qWaitFor([&] { return !view->loading() && view->report().valid(); }, timeoutMs);
}

} // namespace

class TestDashboard : public QObject {
    Q_OBJECT

    UiHarness h;
    Seeder *m_seed = nullptr;
    QString m_sales;

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        m_seed = new Seeder(*h.db);
    }

    void cleanupTestCase()
    {
        delete m_seed;
        h.tearDown();
    }

    // The loader's read on both databases, off the GUI thread: the acceptance numbers.
    void loaderReadsTheAcceptanceNumbers_data() { addDialectRows(); }
    void loaderReadsTheAcceptanceNumbers()
    {
        WADESK_FRESH_DATABASE(t);
        const Result<int> migrated = Migrator(*t.database, Migrator::embeddedDirectory(dialect)).migrate();
        QVERIFY2(migrated.ok(), migrated ? "" : qPrintable(migrated.error().message));
        AuthContext admin;
        AuthContext viewer;
        QString clientId;
        {
            SharedServices shared;
            shared.database = t.database.get();
            shared.jwtKey = QByteArrayLiteral("dashboard-test-jwt-key-0123456789abcdef0123456789");
            ServiceSettings settings;
            settings.auth.passwordCost = PasswordHasher::Cost::Minimal;
            ServiceGraph graph(shared, settings);
            AccountService::RegisterInput input;
            input.email = QStringLiteral("admin@loader.test");
            input.name = QStringLiteral("Loader Admin");
            input.organizationName = QStringLiteral("Loader Org");
            input.passwordHash = PasswordHasher(PasswordHasher::Cost::Minimal).hash(QStringLiteral("correct horse battery"));
            input.ipAddress = QStringLiteral("desktop");
            Result<AccountService::Registration> reg = graph.accounts().registerOrganization(input);
            QVERIFY(reg.ok());
            admin = UiHarness::actorOf(reg.value().admin);
            Result<ClientRecord> client = graph.clients().create(admin, QStringLiteral("Sales"), QString());
            QVERIFY(client.ok());
            clientId = client.value().id;
            Result<ClientRecord> other = graph.clients().create(admin, QStringLiteral("Support"), QString());
            QVERIFY(other.ok());
            TeamService::NewMember m;
            m.email = QStringLiteral("viewer@loader.test");
            m.name = QStringLiteral("Vera Viewer");
            m.role = Role::Viewer;
            m.passwordHash = input.passwordHash;
            Result<UserRecord> v = graph.team().createMember(admin, m);
            QVERIFY(v.ok());
            viewer = UiHarness::actorOf(v.value());
            QVERIFY(graph.team().assignClient(admin, viewer.userId, clientId).ok());
            Seeder seed(*t.database);
            QVERIFY(seed.acceptance(admin.organizationId, clientId, admin.userId));
            // The other client's message: the admin sees it, the viewer (assigned to Sales only) does not.
            QVERIFY(seed.inbound(admin.organizationId, other.value().id, QStringLiteral("+14155550199"), Seeder::todayAt() + 8000));
        }
        t.database->closeThreadConnection(); // the graph's thread is done with it

        DashboardLoader loader(*t.database, Clock::system());
        QSignalSpy loaded(&loader, &DashboardLoader::loaded);
        DashboardQuery q;
        q.lastDays = 1;
        loader.request(admin, q);
        QVERIFY(loader.busy());
        QVERIFY(loaded.wait(kUiWaitMs));
        DashboardReport r = loaded.takeFirst().at(0).value<DashboardReport>();
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.organizationName, QStringLiteral("Loader Org"));
        QCOMPARE(r.start.toString(Qt::ISODate), today());
        QCOMPARE(r.end, r.start);
        QCOMPARE(r.stats.messagesToday, qint64(8));
        QCOMPARE(r.stats.totalMessages, qint64(8));
        QCOMPARE(r.days.size(), qsizetype(1));
        QCOMPARE(r.days.at(0).counts.sent, qint64(5));
        QCOMPARE(r.days.at(0).counts.delivered, qint64(5));
        QCOMPARE(r.days.at(0).counts.read, qint64(5));
        QCOMPARE(r.days.at(0).counts.failed, qint64(1));
        QCOMPARE(r.days.at(0).counts.received, qint64(2));
        QCOMPARE(r.rates.deliveryRate.value_or(-1), 100.0);
        QCOMPARE(r.rates.failureRate.value_or(-1), 16.7);
        QCOMPARE(r.clients.size(), qsizetype(2));

        // The viewer: only Sales, so the acceptance's 7.
        DashboardQuery week;
        week.lastDays = 7;
        loader.request(viewer, week);
        QVERIFY(loaded.wait(kUiWaitMs));
        r = loaded.takeFirst().at(0).value<DashboardReport>();
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(r.days.size(), qsizetype(7));
        QCOMPARE(r.start.daysTo(r.end), qint64(6));
        QCOMPARE(r.stats.messagesToday, qint64(7));
        QCOMPARE(r.days.last().counts.received, qint64(1));
        QCOMPARE(r.clients.size(), qsizetype(1));

        // An agent may not: the read says so and carries no figures.
        AuthContext agent = admin;
        agent.role = Role::Agent;
        loader.request(agent, q);
        QVERIFY(loaded.wait(kUiWaitMs));
        r = loaded.takeFirst().at(0).value<DashboardReport>();
        QVERIFY(!r.error.isEmpty());
        QVERIFY(!r.valid());
        QVERIFY(r.days.isEmpty());
    }

    void tableModels()
    {
        ReportTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        DashboardReport r;
        r.start = QDate(2026, 3, 7);
        r.end = QDate(2026, 3, 8);
        DayMetrics a;
        a.date = r.start;
        a.counts = FunnelCounts{4, 3, 2, 1, 6};
        DayMetrics b;
        b.date = r.end;
        r.days = {a, b};
        model.showDailyVolume(r);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), 6);
        QCOMPARE(funnelOf(model, 0), QStringLiteral("4/3/2/1/6"));
        QCOMPARE(funnelOf(model, 1), QStringLiteral("0/0/0/0/0"));
        QCOMPARE(model.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Date"));
        QCOMPARE(model.toCsv(), QByteArray("date,sent,delivered,read,failed,received\r\n2026-03-07,4,3,2,1,6\r\n2026-03-08,0,0,0,0,0\r\n"));

        ClientReportRow c;
        c.clientId = QStringLiteral("client_x");
        c.name = QStringLiteral("=HYPERLINK(\"http://evil\")");
        c.phoneNumber = QStringLiteral("+14155550100");
        c.counts = FunnelCounts{10, 9, 8, 1, 12};
        c.responses = 3;
        c.averageResponseHours = 1.5;
        ClientReportRow quiet;
        quiet.clientId = QStringLiteral("client_y");
        quiet.name = QStringLiteral("Quiet, Inc.");
        r.clients = {c, quiet};
        model.showClients(r);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), 9);
        QCOMPARE(model.index(0, 8).data().toString(), QStringLiteral("1.5 h"));
        QCOMPARE(model.index(1, 8).data().toString(), QStringLiteral("—")); // no figure, not 0
        QVERIFY(model.index(1, 8).data(Qt::UserRole).isNull());
        QCOMPARE(model.index(0, 2).data(Qt::TextAlignmentRole).value<Qt::Alignment>() & Qt::AlignHorizontal_Mask, Qt::Alignment(Qt::AlignRight));
        QCOMPARE(model.index(0, 0).data(Qt::TextAlignmentRole).value<Qt::Alignment>() & Qt::AlignHorizontal_Mask, Qt::Alignment(Qt::AlignLeft));
        const QList<QByteArray> lines = model.toCsv().split('\n');
        QCOMPARE(lines.at(0), QByteArray("client,phone_number,sent,delivered,read,failed,received,responses,average_response_hours\r"));
        QCOMPARE(lines.at(1), QByteArray("\"'=HYPERLINK(\"\"http://evil\"\")\",+14155550100,10,9,8,1,12,3,1.50\r"));
        QCOMPARE(lines.at(2), QByteArray("\"Quiet, Inc.\",,0,0,0,0,0,0,\r"));

        MemberReportRow m;
        m.name = QStringLiteral("Ada");
        m.email = QStringLiteral("ada@x.test");
        m.role = QStringLiteral("admin");
        m.counts = FunnelCounts{2, 2, 1, 0, 0};
        m.averageResponseHours = 0.25;
        r.members = {m};
        model.showMembers(r);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.columnCount(), 9);
        QVERIFY(!model.keys().contains(QStringLiteral("received"))); // inbound has no author
        QCOMPARE(model.index(0, 8).data().toString(), QStringLiteral("15 min"));
        model.setTable({}, {}, {});
        QCOMPARE(model.rowCount(), 0);
    }

    // Before any client, then before any message: the charts give way to a sentence saying why.
    void emptyStates()
    {
        MainWindow w(*h.context);
        w.show();
        QVERIFY(w.dashboardShown());
        DashboardView *view = w.dashboardView();
        QVERIFY(view);
        QVERIFY(waitForReport(view));
        QVERIFY(!view->chartsShown());
        QVERIFY2(view->emptyLabel()->text().contains(QStringLiteral("No WhatsApp clients yet")), qPrintable(view->emptyLabel()->text()));
        QCOMPARE(view->tileText(QStringLiteral("messages_today")), QStringLiteral("0"));
        QCOMPARE(view->tileText(QStringLiteral("delivery_rate")), QStringLiteral("—"));
        QCOMPARE(view->tileText(QStringLiteral("ready_sessions")), QStringLiteral("0 of 0"));

        m_sales = h.createClient(QStringLiteral("Sales"));
        QVERIFY(!m_sales.isEmpty());
        w.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(view->emptyLabel()->text().contains(QStringLiteral("No messages were sent or received")), kUiWaitMs);
        QVERIFY(!view->chartsShown());
        QCOMPARE(view->model(DashboardView::Table::Clients)->rowCount(), 1);
        QCOMPARE(view->tileText(QStringLiteral("ready_sessions")), QStringLiteral("0 of 1"));
    }

    // Admins, managers and viewers get the screen first; agents never.
    void onlyAnalyticsRolesGetTheScreen()
    {
        Result<UserRecord> agent = h.createMember(QStringLiteral("agent@ui.test"), Role::Agent);
        Result<UserRecord> viewer = h.createMember(QStringLiteral("viewer@ui.test"), Role::Viewer);
        QVERIFY(agent.ok() && viewer.ok());
        QVERIFY(h.context->team().assignClient(h.admin, agent.value().id, m_sales).ok());
        h.context->signIn(UiHarness::actorOf(agent.value()));
        {
            MainWindow w(*h.context);
            w.show();
            QVERIFY(!w.dashboardAction()->isVisible());
            QVERIFY(!w.dashboardAction()->isEnabled());
            QVERIFY(!w.dashboardShown());
            w.showDashboard();
            QVERIFY(!w.dashboardShown());
            QVERIFY(!w.dashboardView()); // never made
            QVERIFY(!w.findChild<DashboardView *>());
        }
        h.context->signIn(UiHarness::actorOf(viewer.value()));
        {
            MainWindow w(*h.context);
            w.show();
            QVERIFY(w.dashboardAction()->isVisible());
            QVERIFY(w.dashboardShown());
            QVERIFY(waitForReport(w.dashboardView()));
            // No client assigned yet: the empty state says so.
            QVERIFY2(w.dashboardView()->emptyLabel()->text().contains(QStringLiteral("assigned to you")),
                     qPrintable(w.dashboardView()->emptyLabel()->text()));
            w.showClients();
            QVERIFY(!w.dashboardShown());
            QVERIFY(!w.dashboardAction()->isChecked());
            w.dashboardAction()->trigger();
            QVERIFY(w.dashboardShown());
        }
        h.context->signIn(h.admin);
    }

    // The acceptance, on screen: the tiles and tables show the service's numbers.
    void showsTheAcceptanceNumbers()
    {
        QVERIFY(m_seed->acceptance(h.admin.organizationId, m_sales, h.admin.userId));
        const QString quiet = h.createClient(QStringLiteral("Quiet")); // no message at all
        QVERIFY(!quiet.isEmpty());
        MainWindow w(*h.context);
        w.show();
        DashboardView *view = w.dashboardView();
        QVERIFY(view);
        QAbstractItemModelTester daily(view->model(DashboardView::Table::Daily), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester clients(view->model(DashboardView::Table::Clients), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester members(view->model(DashboardView::Table::Members), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(waitForReport(view));
        QCOMPARE(view->preset(), DashboardView::Last7Days);
        QCOMPARE(view->tileText(QStringLiteral("messages_today")), QStringLiteral("7"));
        QCOMPARE(view->tileText(QStringLiteral("delivery_rate")), QStringLiteral("100.0 %"));
        QCOMPARE(view->tileText(QStringLiteral("read_rate")), QStringLiteral("100.0 %"));
        QCOMPARE(view->tileText(QStringLiteral("average_first_response")), QStringLiteral("—")); // nobody answered the inbound one
        QCOMPARE(view->tileText(QStringLiteral("queued_messages")), QStringLiteral("0"));
        QVERIFY(view->chartsShown());

        const ReportTableModel &days = *view->model(DashboardView::Table::Daily);
        QCOMPARE(days.rowCount(), 7);
        const int todayRow = rowWith(days, QDate::fromString(today(), Qt::ISODate));
        QCOMPARE(todayRow, 6);
        QCOMPARE(funnelOf(days, todayRow), QStringLiteral("5/5/5/1/1"));
        QCOMPARE(funnelOf(days, 0), QStringLiteral("0/0/0/0/0"));
        const ReportTableModel &perClient = *view->model(DashboardView::Table::Clients);
        const int sales = rowWith(perClient, QStringLiteral("Sales"));
        QVERIFY(sales >= 0);
        QCOMPARE(funnelOf(perClient, sales), QStringLiteral("5/5/5/1/1"));
        const ReportTableModel &perMember = *view->model(DashboardView::Table::Members);
        const int ada = rowWith(perMember, QStringLiteral("Ada Admin"));
        QVERIFY(ada >= 0);
        QCOMPARE(perMember.value(ada, int(perMember.keys().indexOf(QStringLiteral("sent")))).toLongLong(), qint64(5));
        QCOMPARE(perMember.value(ada, int(perMember.keys().indexOf(QStringLiteral("failed")))).toLongLong(), qint64(1));

        // The charts hold the same days: the volume's received line has today's 1.
        QChart *volume = view->chartView(DashboardCharts::Kind::Volume)->chart();
        QVERIFY(volume);
        QCOMPARE(volume->series().size(), 2);

        // Today alone, and one client.
        view->setPreset(DashboardView::Today);
        QTRY_VERIFY_WITH_TIMEOUT(!view->loading() && view->report().start == view->report().end, kUiWaitMs);
        QCOMPARE(days.rowCount(), 1);
        QCOMPARE(funnelOf(days, 0), QStringLiteral("5/5/5/1/1"));
        view->setClientFilter(m_sales);
        QTRY_VERIFY_WITH_TIMEOUT(!view->loading() && view->report().clientId == m_sales, kUiWaitMs);
        QCOMPARE(funnelOf(days, 0), QStringLiteral("5/5/5/1/1"));
        QCOMPARE(view->tileText(QStringLiteral("messages_today")), QStringLiteral("7"));
        // The tiles follow the client filter too: a client with no message shows none today.
        view->setClientFilter(quiet);
        QTRY_VERIFY_WITH_TIMEOUT(!view->loading() && view->report().clientId == quiet, kUiWaitMs);
        QCOMPARE(view->tileText(QStringLiteral("messages_today")), QStringLiteral("0"));
        QCOMPARE(funnelOf(days, 0), QStringLiteral("0/0/0/0/0"));
        view->setClientFilter(m_sales);
        QTRY_VERIFY_WITH_TIMEOUT(!view->loading() && view->report().clientId == m_sales, kUiWaitMs);
        // A custom range before any message.
        view->setCustomRange(QDate(2025, 1, 1), QDate(2025, 1, 31));
        QTRY_VERIFY_WITH_TIMEOUT(!view->loading() && view->report().start == QDate(2025, 1, 1), kUiWaitMs);
        QCOMPARE(days.rowCount(), 31);
        QVERIFY(!view->chartsShown());
        QVERIFY(view->emptyLabel()->text().contains(QStringLiteral("Only Sales is shown")));
    }

    // Message events refresh the figures once per burst; the live tiles follow the client list.
    void liveAndCoalesced()
    {
        MainWindow w(*h.context);
        w.show();
        DashboardView *view = w.dashboardView();
        QVERIFY(waitForReport(view));
        const QString before = view->tileText(QStringLiteral("messages_today"));
        const int reads = view->loader()->readsStarted();
        // 30 messages arrive (and are announced) in a burst.
        const qint64 at = Seeder::todayAt();
        for (int i = 0; i < 30; ++i) {
            QVERIFY(m_seed->inbound(h.admin.organizationId, m_sales, QStringLiteral("+1415555%1").arg(2000 + i), at + 10000 + i));
            h.bus.publish(Event::make(EventType::MessageReceived, h.admin.organizationId,
                                      QJsonObject{{QStringLiteral("client_id"), m_sales}}));
        }
        // Another organization's events are not ours.
        h.bus.publish(Event::make(EventType::MessageReceived, QStringLiteral("org_other"), QJsonObject{}));
        QTRY_COMPARE_WITH_TIMEOUT(view->tileText(QStringLiteral("messages_today")), QString::number(before.toInt() + 30), kUiWaitMs);
        QTest::qWait(DashboardView::kLiveDelayMs + 300);
        QCOMPARE(view->loader()->readsStarted(), reads + 1);
        QVERIFY(!view->liveTimer()->isActive());

        // A queued send: the queue tile follows the client list's counters (no analytics read).
        QVERIFY(m_seed->outbound(h.admin.organizationId, m_sales, QStringLiteral("+14155550300"), at + 60000, QStringLiteral("queued"),
                                 h.admin.userId));
        w.sessionModel()->refreshClient(m_sales);
        QTRY_COMPARE_WITH_TIMEOUT(view->tileText(QStringLiteral("queued_messages")), QStringLiteral("1"), kUiWaitMs);
    }

    void exports()
    {
        MainWindow w(*h.context);
        w.show();
        DashboardView *view = w.dashboardView();
        QVERIFY(waitForReport(view));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        QString error;
        const QString jsonPath = dir.filePath(QStringLiteral("view.json"));
        QVERIFY2(view->saveJson(jsonPath, &error), qPrintable(error));
        QFile jsonFile(jsonPath);
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        QJsonParseError parse;
        const QJsonObject json = QJsonDocument::fromJson(jsonFile.readAll(), &parse).object();
        QCOMPARE(parse.error, QJsonParseError::NoError);
        QCOMPARE(json.value(QStringLiteral("organization")).toString(), QStringLiteral("UI Org"));
        QCOMPARE(json.value(QStringLiteral("tiles")).toObject().value(QStringLiteral("messages_today")).toString(),
                 view->tileText(QStringLiteral("messages_today")));
        const QJsonArray metrics = json.value(QStringLiteral("metrics")).toArray();
        QCOMPARE(metrics.size(), 7);
        QCOMPARE(metrics.last().toObject().value(QStringLiteral("date")).toString(), today());
        QCOMPARE(metrics.last().toObject().value(QStringLiteral("sent")).toInt(), 5);
        QCOMPARE(metrics.last().toObject().value(QStringLiteral("failed")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("heatmap")).toArray().size(), 168);

        const QString csvPath = dir.filePath(QStringLiteral("days.csv"));
        QVERIFY2(view->saveCsv(DashboardView::Table::Daily, csvPath, &error), qPrintable(error));
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QCOMPARE(lines.size(), 1 + 7 + 1); // header, 7 days, nothing after the last CRLF
        QCOMPARE(lines.first(), QByteArray("date,sent,delivered,read,failed,received\r"));
        QVERIFY2(lines.at(7).startsWith(today().toLatin1() + ",5,5,5,1,"), lines.at(7).constData());

        for (DashboardCharts::Kind kind : {DashboardCharts::Kind::Volume, DashboardCharts::Kind::Rates,
                                           DashboardCharts::Kind::ResponseTimes, DashboardCharts::Kind::Heatmap}) {
            const QString path = dir.filePath(DashboardCharts::slug(kind) + QStringLiteral(".png"));
            QVERIFY2(view->savePng(kind, path, &error), qPrintable(error));
            const QImage image(path);
            QCOMPARE(image.size(), QSize(1800, 900)); // 900 x 450 at twice the pixels
            QVERIFY(hasContent(image));
            image.save(QDir(screenshotDir()).filePath(QStringLiteral("dashboard-chart-%1.png").arg(DashboardCharts::slug(kind))));
        }

        // The PDF, rendered to PNG by poppler.
        const QString pdfPath = dir.filePath(QStringLiteral("report.pdf"));
        QVERIFY2(view->savePdf(pdfPath, &error), qPrintable(error));
        QVERIFY(QFileInfo(pdfPath).size() > 1000);
        const QString pdftoppm = QStandardPaths::findExecutable(QStringLiteral("pdftoppm"));
        if (pdftoppm.isEmpty())
            QFAIL("pdftoppm (poppler-utils) is not installed: scripts/install-deps.sh --test installs it");
        QProcess render;
        render.start(pdftoppm, {QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("60"), pdfPath,
                                dir.filePath(QStringLiteral("page"))});
        QVERIFY(render.waitForFinished(60000));
        QCOMPARE(render.exitCode(), 0);
        const QStringList pages = QDir(dir.path()).entryList({QStringLiteral("page*.png")}, QDir::Files, QDir::Name);
        QVERIFY2(pages.size() >= 2, qPrintable(pages.join(QLatin1Char(',')))); // charts and tables do not fit one page
        for (const QString &page : pages) {
            const QImage image(dir.filePath(page));
            QVERIFY2(hasContent(image), qPrintable(page));
            QVERIFY(image.height() > image.width()); // A4 portrait
            image.save(QDir(screenshotDir()).filePath(QStringLiteral("dashboard-pdf-%1").arg(page)));
        }
    }

    // A week of traffic on two clients, then the window light and dark.
    void screenshots()
    {
        const QString support = h.createClient(QStringLiteral("Support"));
        QVERIFY(!support.isEmpty());
        Result<UserRecord> manager = h.createMember(QStringLiteral("marta@ui.test"), Role::Manager);
        QVERIFY(manager.ok());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 midnight = now - now % kDay;
        int n = 0;
        for (int day = 6; day >= 0; --day) {
            for (int k = 0; k < 6 + (day * 5) % 9; ++k) {
                const qint64 at = midnight - day * kDay + (8 + (k * 3 + day) % 11) * kHour + k * 7 * kMinute;
                if (at >= now - kMinute)
                    continue;
                const QString client = k % 3 == 0 ? support : m_sales;
                const QString phone = QStringLiteral("+1415556%1").arg(1000 + n++);
                QVERIFY(m_seed->inbound(h.admin.organizationId, client, phone, at));
                const qint64 reply = at + (k % 4 == 0 ? 5 * kHour : (10 + k * 9) * kMinute);
                if (reply < now - kMinute) {
                    const char *status = k % 7 == 0 ? "refused" : k % 3 == 1 ? "delivered" : k % 5 == 2 ? "sent" : "read";
                    QVERIFY(m_seed->outbound(h.admin.organizationId, client, phone, reply, QString::fromLatin1(status),
                                             k % 2 ? manager.value().id : h.admin.userId));
                }
            }
        }
        const QString dir = screenshotDir();
        auto shoot = [&](const QString &name) {
            MainWindow w(*h.context);
            w.resize(1280, 1000);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            DashboardView *view = w.dashboardView();
            QVERIFY(waitForReport(view));
            QVERIFY(view->chartsShown());
            w.repaint();
            QCoreApplication::processEvents();
            const QImage image = w.grab().toImage();
            QVERIFY(hasContent(image));
            QVERIFY(image.save(QDir(dir).filePath(name)));
            qInfo("screenshot: %s", qPrintable(QDir(dir).filePath(name)));
        };
        shoot(QStringLiteral("dashboard.png"));
        const QPalette light = QApplication::palette();
        QApplication::setPalette(darkPalette());
        shoot(QStringLiteral("dashboard-dark.png"));
        QApplication::setPalette(light);
    }
};

WADESK_UI_TEST_MAIN(TestDashboard)

#include "tst_dashboard.moc"
