// ClientActionService, the one place the operator's session actions (start, stop, log out,
// pause, resume, pause all) live for the REST API and the desktop: on a real migrated SQLite
// database, with a SessionControl that records what it is asked. For each action: roles without
// can_manage_clients are refused and nothing reaches the engine or the audit log; another
// organization's client and an unknown id read as not found; without an engine, 503; and when
// allowed, the audit entry (action, actor, client, address) and the engine request.

#include "core/auth/AccountService.h"
#include "core/auth/Authenticator.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/PasswordHasher.h"
#include "core/auth/TeamService.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/secrets/AesGcm.h"
#include "core/sessions/ClientActionService.h"
#include "core/sessions/ClientRepository.h"
#include "core/sessions/ClientService.h"
#include "core/sessions/SessionControl.h"
#include "tests/support/ManualClock.h"
#include "tests/support/RecordingSessions.h"

#include <QHash>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <functional>
#include <memory>

using namespace wadesk;

namespace {

AuthContext actorOf(const UserRecord &user)
{
    return user.actingFrom(QStringLiteral("198.51.100.7"));
}

const QStringList kActions = {QStringLiteral("start"), QStringLiteral("stop"), QStringLiteral("logout"),
                              QStringLiteral("pause"), QStringLiteral("resume")};

} // namespace

class TestClientActions : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<JwtCodec> m_jwt;
    std::unique_ptr<Authenticator> m_authenticator;
    std::unique_ptr<ClientService> m_clients;
    RecordingSessions m_sessions;
    std::unique_ptr<ClientActionService> m_actions;

    AuthContext m_admin, m_manager, m_agent, m_viewer, m_otherAdmin;
    QString m_assigned;   // assigned to the agent
    QString m_unassigned; // assigned to nobody
    QString m_foreign;    // another organization's

    int count(const QString &sql, const QVariantList &bind = {})
    {
        QSqlQuery q(m_db->connection().value());
        q.prepare(sql);
        for (const QVariant &v : bind)
            q.addBindValue(v);
        if (!q.exec() || !q.next())
            return -1;
        return q.value(0).toInt();
    }
    int auditCount() { return count(QStringLiteral("SELECT COUNT(*) FROM audit_logs")); }
    // Entries for `action` on `clientId` made by `actor`, in the actor's organization, from their address.
    int auditBy(const AuthContext &actor, const QString &action, const QString &clientId)
    {
        return count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE organization_id = ? AND user_id = ? AND action = ? "
                                    "AND resource = 'whatsapp_clients' AND resource_id = ? AND ip_address = ?"),
                     {actor.organizationId, actor.userId, action, clientId, actor.ipAddress});
    }

    // Runs one of kActions; the outcome as a Status.
    static Status run(ClientActionService &service, const QString &action, const AuthContext &actor, const QString &clientId)
    {
        if (action == QLatin1String("start")) {
            Result<ClientActionService::Started> r = service.start(actor, clientId);
            return r ? Status() : Status(r.error());
        }
        if (action == QLatin1String("stop"))
            return service.stop(actor, clientId);
        if (action == QLatin1String("logout")) {
            Result<SessionState> r = service.logout(actor, clientId);
            return r ? Status() : Status(r.error());
        }
        if (action == QLatin1String("pause"))
            return service.pause(actor, clientId);
        if (action == QLatin1String("resume"))
            return service.resume(actor, clientId);
        Result<int> r = service.pauseAll(actor);
        return r ? Status() : Status(r.error());
    }

    static void addActionRows()
    {
        QTest::addColumn<QString>("action");
        for (const QString &a : kActions)
            QTest::newRow(qPrintable(a)) << a;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const Result<DatabaseUrl> url = DatabaseUrl::parse(m_dir.filePath(QStringLiteral("wadesk.db")), m_dir.path());
        QVERIFY(url.ok());
        m_db = std::make_unique<Database>(url.value());
        QVERIFY(Migrator(*m_db, Migrator::embeddedDirectory(QStringLiteral("sqlite"))).migrate().ok());
        m_jwt = std::make_unique<JwtCodec>(AesGcm::randomBytes(32), 3600);
        m_authenticator = std::make_unique<Authenticator>(*m_db, *m_jwt);
        m_clients = std::make_unique<ClientService>(*m_db);
        m_actions = std::make_unique<ClientActionService>(*m_db, *m_clients, &m_sessions);

        AccountService accounts(*m_db, *m_jwt);
        TeamService team(*m_db, *m_authenticator);
        const QString hash = PasswordHasher(PasswordHasher::Cost::Minimal).hash(QStringLiteral("correct horse battery"));
        auto acme = accounts.registerOrganization({QStringLiteral("ada@acme.test"), QStringLiteral("Ada"), QStringLiteral("Acme"), hash,
                                                   QStringLiteral("test")});
        QVERIFY(acme.ok());
        m_admin = actorOf(acme.value().admin);
        auto other = accounts.registerOrganization({QStringLiteral("olga@other.test"), QStringLiteral("Olga"), QStringLiteral("Other"),
                                                    hash, QStringLiteral("test")});
        QVERIFY(other.ok());
        m_otherAdmin = actorOf(other.value().admin);
        auto member = [&](const QString &email, Role role) {
            Result<UserRecord> u = team.createMember(m_admin, {email, email.section(QLatin1Char('@'), 0, 0), role, hash});
            return u ? actorOf(u.value()) : AuthContext();
        };
        m_manager = member(QStringLiteral("max@acme.test"), Role::Manager);
        m_agent = member(QStringLiteral("ann@acme.test"), Role::Agent);
        m_viewer = member(QStringLiteral("vic@acme.test"), Role::Viewer);
        QVERIFY(!m_manager.userId.isEmpty() && !m_agent.userId.isEmpty() && !m_viewer.userId.isEmpty());

        Result<ClientRecord> assigned = m_clients->create(m_admin, QStringLiteral("Sales"), QString());
        Result<ClientRecord> unassigned = m_clients->create(m_admin, QStringLiteral("Support"), QString());
        Result<ClientRecord> foreign = m_clients->create(m_otherAdmin, QStringLiteral("Theirs"), QString());
        QVERIFY(assigned.ok() && unassigned.ok() && foreign.ok());
        m_assigned = assigned.value().id;
        m_unassigned = unassigned.value().id;
        m_foreign = foreign.value().id;
        QVERIFY(team.assignClient(m_admin, m_agent.userId, m_assigned).ok());
        // The agent sees its client, not the other one: the scope the service looks clients up in.
        QVERIFY(m_clients->get(m_agent, m_assigned).ok());
        QVERIFY(!m_clients->get(m_agent, m_unassigned).ok());
    }

    void init()
    {
        m_sessions.calls.clear();
        m_sessions.snapshots.clear();
        QVERIFY(SqlRunner(*m_db).change(QStringLiteral("UPDATE clients SET paused = 0, paused_reason = NULL"), {}, "test.unpause").ok());
    }

    void refusedWithoutManageClients_data() { addActionRows(); QTest::newRow("pauseAll") << QStringLiteral("pauseAll"); }
    void refusedWithoutManageClients()
    {
        QFETCH(QString, action);
        m_sessions.setState(m_assigned, SessionState::Ready); // would be acted on, were it allowed
        const int before = auditCount();
        for (const AuthContext &actor : {m_agent, m_viewer}) {
            // Assigned or not, the same refusal: it tells nothing of the client.
            for (const QString &clientId : {m_assigned, m_unassigned}) {
                const Status s = run(*m_actions, action, actor, clientId);
                QVERIFY(!s);
                QCOMPARE(s.error().code, QStringLiteral("forbidden"));
                QCOMPARE(s.error().httpStatus, 403);
                QCOMPARE(s.error().message, QStringLiteral("Permission denied: can_manage_clients required"));
            }
        }
        QCOMPARE(m_sessions.calls, QStringList());
        QCOMPARE(auditCount(), before);
    }

    void anotherOrganizationsClientIsNotFound_data() { addActionRows(); }
    void anotherOrganizationsClientIsNotFound()
    {
        QFETCH(QString, action);
        if (action != QLatin1String("start")) // a session to stop or log out; start wants none (else it is not audited)
            m_sessions.setState(m_foreign, SessionState::Ready);
        const int before = auditCount();
        for (const QString &clientId : {m_foreign, QStringLiteral("client_doesnotexist")}) {
            const Status s = run(*m_actions, action, m_admin, clientId);
            QVERIFY(!s);
            QCOMPARE(s.error().code, QStringLiteral("not_found"));
            QCOMPARE(s.error().httpStatus, 404);
        }
        // Its own admin may: the refusal above is about the organization, not the client.
        QVERIFY(run(*m_actions, action, m_otherAdmin, m_foreign).ok());
        QCOMPARE(m_sessions.calls.size(), 1);
        QVERIFY(m_sessions.calls.first().contains(m_foreign));
        QCOMPARE(auditCount(), before + 1);
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE resource_id = ? AND organization_id <> ?"),
                       {m_foreign, m_otherAdmin.organizationId}),
                 0);
    }

    void withoutEngineEveryActionIsUnavailable_data() { addActionRows(); QTest::newRow("pauseAll") << QStringLiteral("pauseAll"); }
    void withoutEngineEveryActionIsUnavailable()
    {
        QFETCH(QString, action);
        ClientActionService headless(*m_db, *m_clients, nullptr);
        const int before = auditCount();
        const Status s = run(headless, action, m_admin, m_assigned);
        QVERIFY(!s);
        QCOMPARE(s.error().code, QStringLiteral("engine_unavailable"));
        QCOMPARE(s.error().httpStatus, 503);
        // The permission is checked first, as the API's route gate does.
        QCOMPARE(run(headless, action, m_viewer, m_assigned).error().code, QStringLiteral("forbidden"));
        QCOMPARE(auditCount(), before);
    }

    void startAuditsAndRequestsOnce()
    {
        // Not running: started, audited.
        Result<ClientActionService::Started> started = m_actions->start(m_manager, m_unassigned);
        QVERIFY(started.ok());
        QVERIFY(!started.value().alreadyRunning);
        QCOMPARE(started.value().state, SessionState::Initializing);
        QCOMPARE(m_sessions.calls, QStringList{QStringLiteral("start %1 %2").arg(m_manager.organizationId, m_unassigned)});
        QCOMPARE(auditBy(m_manager, QStringLiteral("init_client"), m_unassigned), 1);

        // Running: asked again (a stale QR is refreshed) but not audited again.
        m_sessions.setState(m_unassigned, SessionState::Qr);
        started = m_actions->start(m_manager, m_unassigned);
        QVERIFY(started.ok());
        QVERIFY(started.value().alreadyRunning);
        QCOMPARE(started.value().state, SessionState::Qr);
        QCOMPARE(m_sessions.calls.size(), 2);
        QCOMPARE(auditBy(m_manager, QStringLiteral("init_client"), m_unassigned), 1);

        // Failed: started afresh, audited.
        m_sessions.setState(m_unassigned, SessionState::Failed, QStringLiteral("boom"));
        started = m_actions->start(m_admin, m_unassigned);
        QVERIFY(started.ok());
        QVERIFY(!started.value().alreadyRunning);
        QCOMPARE(auditBy(m_admin, QStringLiteral("init_client"), m_unassigned), 1);
    }

    void startReportsAFailedStart()
    {
        // An engine whose start fails at once (as the registry's on the main thread): the state says so.
        struct FailingStart final : RecordingSessions {
            void requestStart(const QString &organizationId, const QString &clientId) override
            {
                RecordingSessions::requestStart(organizationId, clientId);
                setState(clientId, SessionState::Failed, QStringLiteral("no profile directory"));
            }
        } failing;
        ClientActionService service(*m_db, *m_clients, &failing);
        Result<ClientActionService::Started> started = service.start(m_admin, m_assigned);
        QVERIFY(started.ok());
        QCOMPARE(started.value().state, SessionState::Failed);
        QCOMPARE(started.value().lastError, QStringLiteral("no profile directory"));
        QCOMPARE(auditBy(m_admin, QStringLiteral("init_client"), m_assigned), 1); // asked, hence audited
    }

    void stopOnlyWhatRuns()
    {
        const int before = auditCount();
        QVERIFY(m_actions->stop(m_admin, m_assigned).ok()); // no session: nothing to do
        m_sessions.setState(m_assigned, SessionState::Stopped);
        QVERIFY(m_actions->stop(m_admin, m_assigned).ok());
        QCOMPARE(m_sessions.calls, QStringList());
        QCOMPARE(auditCount(), before);

        m_sessions.setState(m_assigned, SessionState::Ready);
        QVERIFY(m_actions->stop(m_manager, m_assigned).ok());
        QCOMPARE(m_sessions.calls, QStringList{QStringLiteral("stop %1").arg(m_assigned)});
        QCOMPARE(auditBy(m_manager, QStringLiteral("stop_client"), m_assigned), 1);
        QCOMPARE(auditCount(), before + 1);
    }

    void logoutNeedsARunningSession()
    {
        const int before = auditCount();
        for (std::optional<SessionState> state : {std::optional<SessionState>(), std::optional<SessionState>(SessionState::Stopped)}) {
            if (state)
                m_sessions.setState(m_assigned, *state);
            Result<SessionState> r = m_actions->logout(m_admin, m_assigned);
            QVERIFY(!r);
            QCOMPARE(r.error().code, QStringLiteral("client_not_running"));
            QCOMPARE(r.error().httpStatus, 409);
            QCOMPARE(r.error().message, QStringLiteral("The client is not running"));
        }
        QCOMPARE(m_sessions.calls, QStringList());
        QCOMPARE(auditCount(), before);

        m_sessions.setState(m_assigned, SessionState::Ready);
        Result<SessionState> r = m_actions->logout(m_admin, m_assigned);
        QVERIFY(r.ok());
        QCOMPARE(r.value(), SessionState::Ready);
        QCOMPARE(m_sessions.calls, QStringList{QStringLiteral("logout %1").arg(m_assigned)});
        QCOMPARE(auditBy(m_admin, QStringLiteral("logout_client"), m_assigned), 1);
    }

    void pauseAndResume()
    {
        QVERIFY(m_actions->pause(m_manager, m_assigned).ok());
        QCOMPARE(m_sessions.calls, QStringList{QStringLiteral("pause %1 %2 paused by max@acme.test").arg(m_manager.organizationId, m_assigned)});
        QCOMPARE(auditBy(m_manager, QStringLiteral("pause_client_requested"), m_assigned), 1);

        QVERIFY(m_actions->resume(m_admin, m_assigned).ok());
        QCOMPARE(m_sessions.calls.last(), QStringLiteral("resume %1 %2").arg(m_admin.organizationId, m_assigned));
        QCOMPARE(auditBy(m_admin, QStringLiteral("resume_client"), m_assigned), 1);
        QCOMPARE(m_sessions.calls.size(), 2);
    }

    void pauseAllPausesWhatIsNotPausedInTheActorsOrganization()
    {
        // One of the two is paused already (by the engine, as a health trip would).
        SqlRunner sql(*m_db);
        QVERIFY(ClientRepository(sql).setPaused(m_admin.organizationId, m_unassigned, true, QStringLiteral("health")).ok());
        const int before = auditCount();
        const int byManager = auditBy(m_manager, QStringLiteral("pause_client_requested"), m_assigned);
        Result<int> paused = m_actions->pauseAll(m_manager);
        QVERIFY(paused.ok());
        QCOMPARE(paused.value(), 1);
        QCOMPARE(m_sessions.calls, QStringList{QStringLiteral("pause %1 %2 paused by max@acme.test").arg(m_manager.organizationId, m_assigned)});
        QCOMPARE(auditBy(m_manager, QStringLiteral("pause_client_requested"), m_assigned), byManager + 1);
        QCOMPARE(auditCount(), before + 1); // nothing for the paused one, nothing in the other organization

        // The other organization's admin pauses only theirs.
        m_sessions.calls.clear();
        paused = m_actions->pauseAll(m_otherAdmin);
        QVERIFY(paused.ok());
        QCOMPARE(paused.value(), 1);
        QCOMPARE(m_sessions.calls, QStringList{QStringLiteral("pause %1 %2 paused by olga@other.test").arg(m_otherAdmin.organizationId, m_foreign)});
    }

    void pauseAllCoversMoreThanOneBatch()
    {
        // More clients than one page of the list (500): every one is paused, none twice.
        SqlRunner sql(*m_db);
        ClientRepository repo(sql);
        const int extra = 505;
        Transaction tx(*m_db);
        QVERIFY(tx.begin().ok());
        for (int i = 0; i < extra; ++i) {
            ClientRecord c;
            c.id = QStringLiteral("client_bulk%1").arg(i, 4, 10, QLatin1Char('0'));
            c.organizationId = m_admin.organizationId;
            c.name = QStringLiteral("Bulk %1").arg(i);
            c.createdBy = m_admin.userId;
            c.createdAt = c.updatedAt = 1000 + i;
            QVERIFY(repo.insert(c).ok());
        }
        QVERIFY(tx.commit().ok());
        const QString pausesByAdmin = QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'pause_client_requested' AND user_id = ?");
        const int before = count(pausesByAdmin, {m_admin.userId});
        Result<int> paused = m_actions->pauseAll(m_admin);
        QVERIFY(paused.ok());
        QCOMPARE(paused.value(), extra + 2);
        QCOMPARE(m_sessions.calls.size(), extra + 2);
        QCOMPARE(QSet<QString>(m_sessions.calls.begin(), m_sessions.calls.end()).size(), extra + 2);
        QCOMPARE(count(pausesByAdmin, {m_admin.userId}), before + extra + 2);
    }

    // Creating, renaming and deleting clients need can_manage_clients in the service itself (the
    // desktop calls it without the REST routes' gate): refused for agents and viewers, nothing
    // written, no audit entry.
    void clientManagementNeedsTheRight()
    {
        const int clientsBefore = count(QStringLiteral("SELECT COUNT(*) FROM clients"));
        const int auditBefore = auditCount();
        for (const AuthContext &actor : {m_agent, m_viewer}) {
            Result<ClientRecord> created = m_clients->create(actor, QStringLiteral("Nope"), QString());
            QVERIFY(!created.ok());
            QCOMPARE(created.error().httpStatus, 403);
            ClientService::Change rename;
            rename.name = QStringLiteral("Renamed");
            Result<ClientRecord> renamed = m_clients->update(actor, m_assigned, rename);
            QVERIFY(!renamed.ok());
            QCOMPARE(renamed.error().httpStatus, 403);
            Status removed = m_clients->remove(actor, m_assigned);
            QVERIFY(!removed.ok());
            QCOMPARE(removed.error().httpStatus, 403);
        }
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM clients")), clientsBefore);
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM clients WHERE id = ? AND name = 'Sales'"), {m_assigned}), 1);
        QCOMPARE(auditCount(), auditBefore);
        // A manager may.
        ClientService::Change rename;
        rename.name = QStringLiteral("Sales");
        QVERIFY(m_clients->update(m_manager, m_assigned, rename).ok());
    }

    // The QR code: managers, and agents for their own clients; never viewers. A code that
    // expired asks the engine for a new one; no code showing is 409 with the session's status.
    void qrCodeUseCase()
    {
        SessionSnapshot &showing = m_sessions.snapshots[m_assigned];
        showing.clientId = m_assigned;
        showing.state = SessionState::Qr;
        showing.qrText = QStringLiteral("2@qr-text");
        showing.qrExpiresAt = 1'900'000'000'000;

        Result<ClientActionService::QrCode> byViewer = m_actions->qrCode(m_viewer, m_assigned);
        QVERIFY(!byViewer.ok());
        QCOMPARE(byViewer.error().httpStatus, 403);
        Result<ClientActionService::QrCode> byAgent = m_actions->qrCode(m_agent, m_assigned);
        QVERIFY2(byAgent.ok(), byAgent.ok() ? "" : qPrintable(byAgent.error().message));
        QCOMPARE(byAgent->text, QStringLiteral("2@qr-text"));
        QCOMPARE(byAgent->expiresAt, qint64(1'900'000'000'000));
        QCOMPARE(m_actions->qrCode(m_agent, m_unassigned).error().httpStatus, 404); // not assigned to them
        QCOMPARE(m_actions->qrCode(m_admin, m_foreign).error().httpStatus, 404);    // another organization's
        QVERIFY(m_sessions.calls.isEmpty());

        showing.qrText.clear();
        showing.qrIdle = true;
        Result<ClientActionService::QrCode> expired = m_actions->qrCode(m_manager, m_assigned);
        QCOMPARE(expired.error().httpStatus, 429);
        QCOMPARE(expired.error().code, QStringLiteral("qr_refreshing"));
        QCOMPARE(m_sessions.calls, QStringList{QStringLiteral("refreshQr %1").arg(m_assigned)});

        m_sessions.setState(m_assigned, SessionState::Ready);
        Result<ClientActionService::QrCode> linked = m_actions->qrCode(m_manager, m_assigned);
        QCOMPARE(linked.error().httpStatus, 409);
        QCOMPARE(linked.error().code, QStringLiteral("client_not_in_qr_state"));
        QCOMPARE(linked.error().details.value(QStringLiteral("status")).toString(), QStringLiteral("ready"));

        ClientActionService noEngine(*m_db, *m_clients, nullptr);
        QCOMPARE(noEngine.qrCode(m_manager, m_assigned).error().httpStatus, 503);
    }

    // Linking by phone number: who may (as init), which client, which number, which state; one
    // audit entry per code asked of the engine, with the number in E.164; the engine's answer
    // (a code, or its refusal) comes back as it is.
    void pairingCodeUseCase()
    {
        auto ask = [&](ClientActionService &service, const AuthContext &actor, const QString &clientId, const QString &phone) {
            std::optional<Result<ClientActionService::PairingCode>> answer;
            int calls = 0;
            service.pairingCode(actor, clientId, phone, nullptr, [&](Result<ClientActionService::PairingCode> r) {
                ++calls;
                answer = r;
            });
            if (calls != 1)
                qWarning("done ran %d times", calls);
            return answer.value_or(Result<ClientActionService::PairingCode>(DomainError::internal(QStringLiteral("no answer"))));
        };
        const QString phone = QStringLiteral("+14155552671");
        const int before = auditCount();
        QCOMPARE(ask(*m_actions, m_admin, m_assigned, phone).error().code, QStringLiteral("client_not_linkable")); // not running
        m_sessions.setState(m_assigned, SessionState::Initializing);
        Result<ClientActionService::PairingCode> starting = ask(*m_actions, m_admin, m_assigned, phone);
        QCOMPARE(starting.error().httpStatus, 409);
        QCOMPARE(starting.error().details.value(QStringLiteral("status")).toString(), QStringLiteral("initializing"));
        m_sessions.setState(m_assigned, SessionState::Qr);
        QCOMPARE(ask(*m_actions, m_agent, m_assigned, phone).error().httpStatus, 403);
        QCOMPARE(ask(*m_actions, m_viewer, m_assigned, phone).error().httpStatus, 403);
        QCOMPARE(ask(*m_actions, m_admin, m_foreign, phone).error().httpStatus, 404);
        QCOMPARE(ask(*m_actions, m_admin, QStringLiteral("client_nope"), phone).error().httpStatus, 404);
        for (const QString &bad : {QString(), QStringLiteral("phone"), QStringLiteral("+1 415"), QStringLiteral("+999 123456789")}) {
            Result<ClientActionService::PairingCode> r = ask(*m_actions, m_admin, m_assigned, bad);
            QCOMPARE(r.error().code, QStringLiteral("invalid_phone_number"));
            QCOMPARE(r.error().details.value(QStringLiteral("field")).toString(), QStringLiteral("phone"));
        }
        ClientActionService noEngine(*m_db, *m_clients, nullptr);
        QCOMPARE(ask(noEngine, m_admin, m_assigned, phone).error().httpStatus, 503);
        QVERIFY(m_sessions.calls.isEmpty());
        QCOMPARE(auditCount(), before);

        Result<ClientActionService::PairingCode> given = ask(*m_actions, m_manager, m_assigned, QStringLiteral("1 (415) 555-2671"));
        QVERIFY2(given.ok(), given.ok() ? "" : qPrintable(given.error().message));
        QCOMPARE(given->code, QStringLiteral("ABCD2345"));
        QCOMPARE(given->phoneNumber, phone);
        QCOMPARE(m_sessions.calls, QStringList{QStringLiteral("pairingCode %1 %2").arg(m_assigned, phone)});
        QCOMPARE(auditBy(m_manager, QStringLiteral("request_pairing_code"), m_assigned), 1);

        m_sessions.pairingAnswer = DomainError::unprocessable(QStringLiteral("refused"), QStringLiteral("phone_number_refused"));
        QCOMPARE(ask(*m_actions, m_admin, m_assigned, phone).error().code, QStringLiteral("phone_number_refused"));
        QCOMPARE(auditBy(m_admin, QStringLiteral("request_pairing_code"), m_assigned), 1); // asked of the page: audited
        m_sessions.pairingAnswer = QStringLiteral("ABCD2345");
    }

    // Changing a client's rate tiers reaches its running session; a new name alone does not.
    // Deleting a client stops its session and removes its profile; a refused delete asks nothing.
    void changeAndDeleteReachTheEngine()
    {
        ClientService::Change name;
        name.name = QStringLiteral("Sales");
        QVERIFY(m_actions->update(m_manager, m_assigned, name).ok());
        QVERIFY(m_sessions.calls.isEmpty());
        ClientService::Change tiers;
        tiers.perMinute = 5;
        QVERIFY(m_actions->update(m_manager, m_assigned, tiers).ok());
        QCOMPARE(m_sessions.calls, QStringList{QStringLiteral("reload %1").arg(m_assigned)});
        tiers.perMinute = 0; // back to the installation's default
        QVERIFY(m_actions->update(m_manager, m_assigned, tiers).ok());

        Result<ClientRecord> doomed = m_clients->create(m_admin, QStringLiteral("Doomed"), QString());
        QVERIFY(doomed.ok());
        m_sessions.calls.clear();
        QCOMPARE(m_actions->remove(m_agent, doomed->id).error().httpStatus, 403);
        QVERIFY(m_sessions.calls.isEmpty());
        QVERIFY(m_actions->remove(m_admin, doomed->id).ok());
        QCOMPARE(m_sessions.calls, QStringList{QStringLiteral("remove %1").arg(doomed->id)});
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM clients WHERE id = ?"), {doomed->id}), 0);
    }

    // The audit entries of the actions carry the service's clock, not the wall clock.
    void auditEntriesUseTheServicesClock()
    {
        const ManualClock clock(1'900'000'123'000);
        ClientActionService actions(*m_db, *m_clients, &m_sessions, clock);
        QVERIFY(actions.pause(m_admin, m_assigned).ok());
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'pause_client_requested' AND resource_id = ? "
                                      "AND created_at = ?"),
                       {m_assigned, qint64(1'900'000'123'000)}),
                 1);
    }

    // What the client list reads for a whole organization stays within what the actor sees.
    void listReadsStayWithinTheActorsScope()
    {
        QVERIFY(SqlRunner(*m_db).change(QStringLiteral("UPDATE clients SET paused = 1 WHERE id IN (?, ?)"), {m_assigned, m_unassigned},
                                        "test.pause").ok());
        Result<QSet<QString>> forAdmin = m_clients->pausedIds(m_admin);
        QVERIFY(forAdmin.ok());
        QCOMPARE(forAdmin.value(), (QSet<QString>{m_assigned, m_unassigned}));
        Result<QSet<QString>> forAgent = m_clients->pausedIds(m_agent);
        QVERIFY(forAgent.ok());
        QCOMPARE(forAgent.value(), QSet<QString>{m_assigned});
        Result<QSet<QString>> forViewer = m_clients->pausedIds(m_viewer); // nothing assigned to them
        QVERIFY(forViewer.ok());
        QVERIFY(forViewer.value().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestClientActions)
#include "tst_client_actions.moc"
