// SessionRecorder (and the interrupted sends) without WebEngine, on SQLite and PostgreSQL: each
// state transition of a session is stored on the client row (status, since, reason, the linked
// flag) and, when the state changed, the right client.* event is recorded with its payload, its
// webhook delivery (a webhook subscribed to client.connected only gets those) and its bus
// publication; a transition whose event cannot be written leaves the row as it was; another
// organization's client is not found and nothing is written. The pause writes the paused flag, the
// client's state, the audit entry and client.paused together, or nothing at all; resume clears
// the flag. Sends left `sending` that the reconciler could not match are failed as interrupted
// with one message.failed event each, once. A client's send tiers are its own limits over the defaults.

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/events/EventBus.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/InterruptedSends.h"
#include "core/messaging/MessageRepository.h"
#include "core/sessions/ClientRepository.h"
#include "core/sessions/ClientSendTiers.h"
#include "core/sessions/SessionRecorder.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

using namespace wadesk;
using wadesk::test::addDialectRows;

namespace {

const qint64 kBase = 1767225600000; // 2026-01-01T00:00:00Z

// One organization with a client (and another organization with its own), a webhook on all
// events and one on client.connected only, and the events the bus published.
class World {
public:
    explicit World(Database &database)
        : db(database)
        , recorder(database, &bus)
    {
        QObject::connect(&bus, &EventBus::published, &bus, [this](const Event &e) { published << e; });
    }

    bool setUp()
    {
        const Result<int> migrated = Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate();
        if (!migrated) {
            qWarning("migration: %s", qPrintable(migrated.error().message));
            return false;
        }
        return exec(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"),
                    {org, QStringLiteral("Recorder Org"), kBase, kBase})
            && exec(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"),
                    {otherOrg, QStringLiteral("Other Org"), kBase, kBase})
            && exec(QStringLiteral("INSERT INTO clients (id, organization_id, name, status, created_at, updated_at) "
                                   "VALUES (?, ?, 'Front desk', 'initializing', ?, ?)"),
                    {client, org, kBase, kBase})
            && exec(QStringLiteral("INSERT INTO clients (id, organization_id, name, status, created_at, updated_at) "
                                   "VALUES (?, ?, 'Elsewhere', 'initializing', ?, ?)"),
                    {otherClient, otherOrg, kBase, kBase})
            && exec(QStringLiteral("INSERT INTO webhooks (id, organization_id, url, events, secret_sealed, created_at, updated_at) "
                                   "VALUES (?, ?, 'https://example.org/all', '[\"*\"]', 'sealed', ?, ?)"),
                    {allHook, org, kBase, kBase})
            && exec(QStringLiteral("INSERT INTO webhooks (id, organization_id, url, events, secret_sealed, created_at, updated_at) "
                                   "VALUES (?, ?, 'https://example.org/up', '[\"client.connected\"]', 'sealed', ?, ?)"),
                    {connectedHook, org, kBase, kBase});
    }

    bool exec(const QString &sql, const QVariantList &bind = {})
    {
        QSqlQuery q(db.connection().value());
        bool ok = false;
        if (bind.isEmpty()) {
            ok = q.exec(sql); // DDL: PostgreSQL cannot prepare it
        } else {
            q.prepare(sql);
            for (const QVariant &v : bind)
                q.addBindValue(v);
            ok = q.exec();
        }
        if (!ok) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
            return false;
        }
        return true;
    }

    QVariantList row(const QString &sql, const QVariantList &bind = {})
    {
        QSqlQuery q(db.connection().value());
        q.prepare(sql);
        for (const QVariant &v : bind)
            q.addBindValue(v);
        QVariantList out;
        if (!q.exec() || !q.next())
            return out;
        for (int i = 0; i < q.record().count(); ++i)
            out << q.value(i);
        return out;
    }

    int count(const QString &sql, const QVariantList &bind = {})
    {
        const QVariantList r = row(sql, bind);
        return r.isEmpty() ? -1 : r.first().toInt();
    }

    struct ClientRow {
        QString status;
        qint64 since = 0;
        QString lastError;
        bool linked = false;
        bool paused = false;
        QString pausedReason;
        QString phone;
        QString deviceInfo;
    };
    ClientRow clientRow(const QString &id)
    {
        const QVariantList r = row(QStringLiteral("SELECT status, state_since, last_error, linked, paused, paused_reason, phone_number, "
                                                  "device_info FROM clients WHERE id = ?"),
                                   {id});
        ClientRow out;
        if (r.size() != 8)
            return out;
        out.status = r[0].toString();
        out.since = r[1].toLongLong();
        out.lastError = r[2].toString();
        out.linked = r[3].toInt() == 1;
        out.paused = r[4].toInt() == 1;
        out.pausedReason = r[5].toString();
        out.phone = r[6].toString();
        out.deviceInfo = r[7].toString();
        return out;
    }

    // The stored events of the organization, oldest first, as (type, data).
    QList<QPair<QString, QJsonObject>> storedEvents(const QString &organizationId)
    {
        QSqlQuery q(db.connection().value());
        q.prepare(QStringLiteral("SELECT type, data FROM events WHERE organization_id = ? ORDER BY created_at, id"));
        q.addBindValue(organizationId);
        QList<QPair<QString, QJsonObject>> out;
        if (!q.exec())
            return out;
        while (q.next())
            out << qMakePair(q.value(0).toString(), QJsonDocument::fromJson(q.value(1).toString().toUtf8()).object());
        return out;
    }

    QStringList storedTypes(const QString &organizationId)
    {
        QStringList out;
        for (const auto &e : storedEvents(organizationId))
            out << e.first;
        return out;
    }

    QStringList publishedTypes() const
    {
        QStringList out;
        for (const Event &e : published)
            out << e.type;
        return out;
    }

    int deliveries(const QString &webhookId, const QString &type)
    {
        return count(QStringLiteral("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ? AND event_type = ?"), {webhookId, type});
    }

    SessionSnapshot snapshot(SessionState state, qint64 since, const QString &reason = QString(), const QString &phone = QString())
    {
        SessionSnapshot s;
        s.clientId = client;
        s.organizationId = org;
        s.state = state;
        s.stateSince = since;
        s.lastError = reason;
        s.phoneNumber = phone;
        return s;
    }

    // A message of the client in `status`, with its contact.
    QString message(const QString &status, const QString &phone)
    {
        const QString contact = Ids::make("contact");
        const QString id = Ids::make("msg");
        const bool ok = exec(QStringLiteral("INSERT INTO contacts (id, organization_id, phone_number, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"),
                             {contact, org, phone, kBase, kBase})
            && exec(QStringLiteral("INSERT INTO messages (id, organization_id, client_id, contact_id, direction, body, status, created_at, "
                                   "sending_at, updated_at) VALUES (?, ?, ?, ?, 'outbound', 'hello', ?, ?, ?, ?)"),
                    {id, org, client, contact, status, kBase, kBase + 1, kBase});
        return ok ? id : QString();
    }

    Database &db;
    EventBus bus;
    SessionRecorder recorder;
    QList<Event> published;
    const QString org = Ids::make("org");
    const QString otherOrg = Ids::make("org");
    const QString client = Ids::make("client");
    const QString otherClient = Ids::make("client");
    const QString allHook = Ids::make("wh");
    const QString connectedHook = Ids::make("wh");
};

#define WORLD(w)                                                                                                                 \
    WADESK_FRESH_DATABASE(fresh)                                                                                                  \
    World w(*fresh.database);                                                                                                     \
    QVERIFY(w.setUp())

} // namespace

class TestSessionRecorder : public QObject {
    Q_OBJECT

private slots:
    // A session's life, one transition at a time: what the row says after each, which events
    // (in order, with their payloads) were stored, delivered and published.
    void transitionsAreStoredWithTheirEvents_data() { addDialectRows(); }
    void transitionsAreStoredWithTheirEvents()
    {
        WORLD(w);
        struct Step {
            SessionState state;
            QString reason;
            QString phone;
            QString event;   // the client.* event expected, or empty
            bool linked;     // the linked flag after the step
        };
        const QString phone = QStringLiteral("+15550001111");
        const QList<Step> steps = {
            {SessionState::Initializing, {}, {}, {}, false},
            {SessionState::Qr, {}, {}, {}, false},
            {SessionState::Qr, {}, {}, {}, false}, // re-reported: stored again, no event
            {SessionState::Authenticating, {}, {}, {}, false},
            {SessionState::Ready, {}, phone, QStringLiteral("client.connected"), true},
            {SessionState::Ready, {}, phone, {}, true},
            {SessionState::Disconnected, QStringLiteral("phone offline"), phone, QStringLiteral("client.disconnected"), true},
            {SessionState::Ready, {}, phone, QStringLiteral("client.connected"), true},
            {SessionState::Failed, QStringLiteral("renderer crashed"), phone, QStringLiteral("client.disconnected"), true},
            {SessionState::Initializing, {}, phone, {}, true},
            {SessionState::Failed, QStringLiteral("profile locked"), phone, {}, true}, // not after ready: no event
            {SessionState::Ready, {}, phone, QStringLiteral("client.connected"), true},
            {SessionState::LoggedOut, QStringLiteral("logged out on the phone"), phone, QStringLiteral("client.logged_out"), false},
            {SessionState::Qr, {}, {}, {}, false},
        };
        SessionState previous = SessionState::Stopped;
        QStringList expected;
        for (int i = 0; i < steps.size(); ++i) {
            const Step &step = steps[i];
            const qint64 since = kBase + 1000 * (i + 1);
            const Status s = w.recorder.recordTransition(w.snapshot(step.state, since, step.reason, step.phone), previous);
            QVERIFY2(s.ok(), qPrintable(QStringLiteral("step %1: %2").arg(i).arg(s.ok() ? QString() : s.error().message)));
            const World::ClientRow row = w.clientRow(w.client);
            QCOMPARE(row.status, SessionStates::name(step.state));
            QCOMPARE(row.since, since);
            QCOMPARE(row.lastError, step.reason);
            QVERIFY2(row.linked == step.linked, qPrintable(QStringLiteral("step %1: linked %2").arg(i).arg(row.linked)));
            if (!step.event.isEmpty())
                expected << step.event;
            QCOMPARE(w.storedTypes(w.org), expected);
            QCOMPARE(w.publishedTypes(), expected);
            if (!step.event.isEmpty()) {
                const QJsonObject data = w.storedEvents(w.org).last().second;
                QCOMPARE(data.value(QLatin1String("clientId")).toString(), w.client);
                QCOMPARE(data.value(QLatin1String("status")).toString(), SessionStates::name(step.state));
                QCOMPARE(data.value(QLatin1String("phoneNumber")).toString(), step.phone);
                QCOMPARE(data.value(QLatin1String("phoneNumber")).isNull(), step.phone.isEmpty());
                QCOMPARE(data.value(QLatin1String("reason")).toString(), step.reason);
                QCOMPARE(data.value(QLatin1String("reason")).isNull(), step.reason.isEmpty());
                QCOMPARE(w.published.last().data, data);
                QCOMPARE(w.published.last().organizationId, w.org);
            }
            previous = step.state;
        }
        // One delivery per event for the webhook on everything; client.connected only for the other.
        QCOMPARE(w.deliveries(w.allHook, QStringLiteral("client.connected")), 3);
        QCOMPARE(w.deliveries(w.allHook, QStringLiteral("client.disconnected")), 2);
        QCOMPARE(w.deliveries(w.allHook, QStringLiteral("client.logged_out")), 1);
        QCOMPARE(w.deliveries(w.connectedHook, QStringLiteral("client.connected")), 3);
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?"), {w.connectedHook}), 3);
        // Nothing of it reached the other organization's client.
        QCOMPARE(w.clientRow(w.otherClient).status, QStringLiteral("initializing"));
        QVERIFY(w.storedTypes(w.otherOrg).isEmpty());
    }

    // A transition whose event cannot be written keeps nothing: the row stays as it was and
    // nothing is published. Another organization's client reads as not found.
    void aTransitionIsAllOrNothing_data() { addDialectRows(); }
    void aTransitionIsAllOrNothing()
    {
        WORLD(w);
        QVERIFY(w.recorder.recordTransition(w.snapshot(SessionState::Qr, kBase + 10), SessionState::Initializing).ok());
        QVERIFY(w.exec(QStringLiteral("ALTER TABLE events RENAME TO events_away")));
        const Status broken = w.recorder.recordTransition(w.snapshot(SessionState::Ready, kBase + 20), SessionState::Qr);
        QVERIFY(!broken.ok());
        QVERIFY(w.exec(QStringLiteral("ALTER TABLE events_away RENAME TO events")));
        World::ClientRow row = w.clientRow(w.client);
        QCOMPARE(row.status, QStringLiteral("qr"));
        QCOMPARE(row.since, kBase + 10);
        QVERIFY(!row.linked);
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM webhook_deliveries")), 0);
        QVERIFY(w.published.isEmpty());

        // The same transition once the table is back goes through.
        QVERIFY(w.recorder.recordTransition(w.snapshot(SessionState::Ready, kBase + 30), SessionState::Qr).ok());
        QCOMPARE(w.clientRow(w.client).status, QStringLiteral("ready"));
        QCOMPARE(w.storedTypes(w.org), QStringList{QStringLiteral("client.connected")});

        // A snapshot naming another organization's client: not found, nothing written anywhere.
        SessionSnapshot foreign = w.snapshot(SessionState::Ready, kBase + 40);
        foreign.clientId = w.otherClient;
        const Status refused = w.recorder.recordTransition(foreign, SessionState::Qr);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().httpStatus, 404);
        QCOMPARE(w.clientRow(w.otherClient).status, QStringLiteral("initializing"));
        QCOMPARE(w.storedTypes(w.org).size(), 1);
        QVERIFY(w.storedTypes(w.otherOrg).isEmpty());
        QCOMPARE(w.published.size(), 1);
        QVERIFY(!w.recorder.saveState(foreign, true).ok());
        QVERIFY(!w.clientRow(w.otherClient).linked);
    }

    // saveState (a start that failed) and saveAccount store the row alone, without an event;
    // recordQr records client.qr with the code and its expiry.
    void stateAccountAndQr_data() { addDialectRows(); }
    void stateAccountAndQr()
    {
        WORLD(w);
        QVERIFY(w.recorder.saveState(w.snapshot(SessionState::Failed, kBase + 5, QStringLiteral("profile locked")), std::nullopt).ok());
        World::ClientRow row = w.clientRow(w.client);
        QCOMPARE(row.status, QStringLiteral("failed"));
        QCOMPARE(row.lastError, QStringLiteral("profile locked"));
        QVERIFY(!row.linked);
        QVERIFY(w.recorder.saveState(w.snapshot(SessionState::Ready, kBase + 6), true).ok());
        QVERIFY(w.clientRow(w.client).linked);

        SessionSnapshot account = w.snapshot(SessionState::Ready, kBase + 7);
        account.phoneNumber = QStringLiteral("+15550002222");
        account.deviceInfo = QJsonObject{{QStringLiteral("platform"), QStringLiteral("android")}};
        QVERIFY(w.recorder.saveAccount(account).ok());
        row = w.clientRow(w.client);
        QCOMPARE(row.phone, QStringLiteral("+15550002222"));
        QCOMPARE(QJsonDocument::fromJson(row.deviceInfo.toUtf8()).object().value(QLatin1String("platform")).toString(),
                 QStringLiteral("android"));
        QVERIFY(row.linked); // kept
        QVERIFY(w.storedTypes(w.org).isEmpty());

        QVERIFY(w.recorder.recordQr(w.org, w.client, QStringLiteral("2@abc,def"), kBase + 60000).ok());
        const auto events = w.storedEvents(w.org);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.first().first, QStringLiteral("client.qr"));
        QCOMPARE(events.first().second.value(QLatin1String("clientId")).toString(), w.client);
        QCOMPARE(events.first().second.value(QLatin1String("qr")).toString(), QStringLiteral("2@abc,def"));
        QCOMPARE(events.first().second.value(QLatin1String("expires_at")).toString(), QStringLiteral("2026-01-01T00:01:00Z"));
        QCOMPARE(w.publishedTypes(), QStringList{QStringLiteral("client.qr")});
        QCOMPARE(w.deliveries(w.allHook, QStringLiteral("client.qr")), 1);
        QCOMPARE(w.deliveries(w.connectedHook, QStringLiteral("client.qr")), 0);
    }

    // The pause: flag, reason, state, audit entry and client.paused together, or none of them.
    void pauseIsOneTransaction_data() { addDialectRows(); }
    void pauseIsOneTransaction()
    {
        WORLD(w);
        QVERIFY(w.recorder.recordTransition(w.snapshot(SessionState::Ready, kBase + 10), SessionState::Authenticating).ok());
        w.published.clear();
        const QString audits = QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE organization_id = ? AND action = 'pause_client'");

        // Nothing is kept when the audit entry cannot be written.
        QVERIFY(w.exec(QStringLiteral("ALTER TABLE audit_logs RENAME TO audit_logs_away")));
        const Status broken = w.recorder.pause(w.org, w.client, QStringLiteral("5 failures in a row"),
                                               w.snapshot(SessionState::Paused, kBase + 20, QStringLiteral("5 failures in a row")));
        QVERIFY(!broken.ok());
        QVERIFY(w.exec(QStringLiteral("ALTER TABLE audit_logs_away RENAME TO audit_logs")));
        World::ClientRow row = w.clientRow(w.client);
        QVERIFY(!row.paused);
        QCOMPARE(row.status, QStringLiteral("ready"));
        QCOMPARE(w.count(audits, {w.org}), 0);
        QCOMPARE(w.storedTypes(w.org), QStringList{QStringLiteral("client.connected")});
        QVERIFY(w.published.isEmpty());

        // A running session: all of it, together.
        QVERIFY(w.recorder.pause(w.org, w.client, QStringLiteral("5 failures in a row"),
                                 w.snapshot(SessionState::Paused, kBase + 30, QStringLiteral("5 failures in a row")))
                    .ok());
        row = w.clientRow(w.client);
        QVERIFY(row.paused);
        QCOMPARE(row.pausedReason, QStringLiteral("5 failures in a row"));
        QCOMPARE(row.status, QStringLiteral("paused"));
        QCOMPARE(row.since, kBase + 30);
        QCOMPARE(row.lastError, QStringLiteral("5 failures in a row"));
        QVERIFY(row.linked); // a pause does not unlink
        QCOMPARE(w.count(audits, {w.org}), 1);
        const QVariantList audit = w.row(QStringLiteral("SELECT resource, resource_id, details, user_id FROM audit_logs WHERE action = 'pause_client'"));
        QCOMPARE(audit.value(0).toString(), QStringLiteral("whatsapp_clients"));
        QCOMPARE(audit.value(1).toString(), w.client);
        QCOMPARE(QJsonDocument::fromJson(audit.value(2).toString().toUtf8()).object().value(QLatin1String("reason")).toString(),
                 QStringLiteral("5 failures in a row"));
        QVERIFY(audit.value(3).toString().isEmpty()); // the system, not a user
        const auto events = w.storedEvents(w.org);
        QCOMPARE(events.last().first, QStringLiteral("client.paused"));
        QCOMPARE(events.last().second, (QJsonObject{{QStringLiteral("clientId"), w.client},
                                                     {QStringLiteral("reason"), QStringLiteral("5 failures in a row")}}));
        QCOMPARE(w.publishedTypes(), QStringList{QStringLiteral("client.paused")});
        QCOMPARE(w.deliveries(w.allHook, QStringLiteral("client.paused")), 1);

        // Resume clears the flag and stores the page's state again; no event.
        QVERIFY(w.recorder.resume(w.org, w.client, w.snapshot(SessionState::Ready, kBase + 40)).ok());
        row = w.clientRow(w.client);
        QVERIFY(!row.paused);
        QVERIFY(row.pausedReason.isEmpty());
        QCOMPARE(row.status, QStringLiteral("ready"));
        QCOMPARE(row.since, kBase + 40);
        QCOMPARE(w.published.size(), 1);

        // Without a running session the row's state is left alone.
        QVERIFY(w.recorder.pause(w.org, w.client, QStringLiteral("blocked"), std::nullopt).ok());
        row = w.clientRow(w.client);
        QVERIFY(row.paused);
        QCOMPARE(row.status, QStringLiteral("ready"));
        QCOMPARE(w.count(audits, {w.org}), 2);
        QVERIFY(w.recorder.resume(w.org, w.client, std::nullopt).ok());
        QVERIFY(!w.clientRow(w.client).paused);

        // Another organization's client: not found, no audit entry, no event.
        const int before = w.count(QStringLiteral("SELECT COUNT(*) FROM events"));
        const Status foreign = w.recorder.pause(w.org, w.otherClient, QStringLiteral("blocked"), std::nullopt);
        QVERIFY(!foreign.ok());
        QCOMPARE(foreign.error().httpStatus, 404);
        QVERIFY(!w.clientRow(w.otherClient).paused);
        QCOMPARE(w.count(audits, {w.org}), 2);
        QCOMPARE(w.count(QStringLiteral("SELECT COUNT(*) FROM events")), before);
    }

    // Sends the reconciler found no trace of: those still `sending` are failed as interrupted
    // with message.failed, once; queued and sent ones are left alone. When the events cannot be
    // written nothing changes.
    void interruptedSendsAreFailed_data() { addDialectRows(); }
    void interruptedSendsAreFailed()
    {
        WORLD(w);
        const QString caught1 = w.message(QStringLiteral("sending"), QStringLiteral("+15550003001"));
        const QString caught2 = w.message(QStringLiteral("sending"), QStringLiteral("+15550003002"));
        const QString queued = w.message(QStringLiteral("queued"), QStringLiteral("+15550003003"));
        const QString sent = w.message(QStringLiteral("sent"), QStringLiteral("+15550003004"));
        QVERIFY(!caught1.isEmpty() && !caught2.isEmpty() && !queued.isEmpty() && !sent.isEmpty());
        const QString statusOf = QStringLiteral("SELECT status FROM messages WHERE id = ?");
        // As the reconciler read them; the queued and sent ones stand for rows that moved on.
        QList<MessageRecord> candidates;
        {
            SqlRunner sql(w.db);
            MessageRepository messages(sql);
            for (const QString &id : {caught1, caught2, queued, sent}) {
                Result<std::optional<MessageRecord>> m = messages.find(w.org, id, ClientScope::all());
                QVERIFY(m && m.value());
                candidates << *m.value();
            }
        }
        const auto failInterrupted = [&]() { return failSendsAsInterrupted(w.db, &w.bus, Clock::system(), candidates); };

        QVERIFY(w.exec(QStringLiteral("ALTER TABLE events RENAME TO events_away")));
        QVERIFY(!failInterrupted().ok());
        QVERIFY(w.exec(QStringLiteral("ALTER TABLE events_away RENAME TO events")));
        QCOMPARE(w.row(statusOf, {caught1}).value(0).toString(), QStringLiteral("sending"));
        QCOMPARE(w.row(statusOf, {caught2}).value(0).toString(), QStringLiteral("sending"));
        QVERIFY(w.published.isEmpty());

        const Result<int> failed = failInterrupted();
        QVERIFY(failed.ok());
        QCOMPARE(failed.value(), 2);
        for (const QString &id : {caught1, caught2}) {
            const QVariantList r = w.row(QStringLiteral("SELECT status, failure_reason, failed_at FROM messages WHERE id = ?"), {id});
            QCOMPARE(r.value(0).toString(), QStringLiteral("failed"));
            QCOMPARE(r.value(1).toString(), QStringLiteral("interrupted"));
            QVERIFY(r.value(2).toLongLong() > 0);
        }
        QCOMPARE(w.row(statusOf, {queued}).value(0).toString(), QStringLiteral("queued"));
        QCOMPARE(w.row(statusOf, {sent}).value(0).toString(), QStringLiteral("sent"));
        const auto events = w.storedEvents(w.org);
        QCOMPARE(events.size(), 2);
        QSet<QString> ids;
        for (const auto &e : events) {
            QCOMPARE(e.first, QStringLiteral("message.failed"));
            QCOMPARE(e.second.value(QLatin1String("clientId")).toString(), w.client);
            QCOMPARE(e.second.value(QLatin1String("reason")).toString(), QStringLiteral("interrupted"));
            QVERIFY(e.second.value(QLatin1String("to")).toString().startsWith(QLatin1String("+1555000300")));
            QVERIFY(!e.second.value(QLatin1String("timestamp")).toString().isEmpty());
            ids << e.second.value(QLatin1String("messageId")).toString();
        }
        QCOMPARE(ids, (QSet<QString>{caught1, caught2}));
        QCOMPARE(w.publishedTypes(), (QStringList{QStringLiteral("message.failed"), QStringLiteral("message.failed")}));
        QCOMPARE(w.deliveries(w.allHook, QStringLiteral("message.failed")), 2);

        // Twice: nothing more.
        const Result<int> again = failInterrupted();
        QVERIFY(again.ok());
        QCOMPARE(again.value(), 0);
        QCOMPARE(w.storedEvents(w.org).size(), 2);
        QCOMPARE(w.published.size(), 2);
    }

    // What the engine gives a client's sender: its own limits where set, the defaults elsewhere.
    void sendTiersOfAClient()
    {
        const RateTiers defaults{20, 100, 1000};
        ClientRecord c;
        RateTiers t = clientSendTiers(c, defaults);
        QCOMPARE(t.perMinute, 20);
        QCOMPARE(t.perHour, 100);
        QCOMPARE(t.perDay, 1000);
        c.ratePerMinute = 5;
        c.ratePerDay = 300;
        t = clientSendTiers(c, defaults);
        QCOMPARE(t.perMinute, 5);
        QCOMPARE(t.perHour, 100);
        QCOMPARE(t.perDay, 300);
        c.ratePerHour = -1; // not a limit: the default stands
        QCOMPARE(clientSendTiers(c, defaults).perHour, 100);
    }
};

QTEST_GUILESS_MAIN(TestSessionRecorder)
#include "tst_session_recorder.moc"
