// The sign-in dialog, offscreen, against a real migrated database and the same AccountService as
// the API: success (the context's actor, the audit entry, the remembered email), a wrong
// password and an unknown email (one message for both), throttling after the API's threshold;
// then the desktop shell: sign-in shows the main window, sign-out returns to the dialog, the
// unread count and notifications for incoming messages, and "Pause all"; rights re-checked while
// signed in (a member deactivated or demoted by an admin elsewhere is signed out).

#include "core/auth/AccountService.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/PasswordHasher.h"
#include "core/auth/TeamService.h"
#include "core/events/EventBus.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "ui/desktop/DesktopContext.h"
#include "core/engine/SessionRegistry.h"
#include "core/secrets/AesGcm.h"
#include "core/sessions/ClientService.h"
#include "ui/settings/SettingsDialog.h"
#include "ui/shell/DesktopShell.h"
#include "ui/signin/SignInDialog.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace wadesk;

namespace {
const QString kEmail = QStringLiteral("ada@example.com");
const QString kPassword = QStringLiteral("correct horse battery");
constexpr int kThrottleThreshold = 5; // LoginThrottle's default: failures per account (and network address) in 15 minutes
} // namespace

class TestSignIn : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<EventBus> m_events;
    std::unique_ptr<SessionRegistry> m_sessions;
    std::unique_ptr<DesktopContext> m_context;
    SharedServices m_shared;           // what every DesktopContext of this test is built over
    ServiceSettings m_serviceSettings;
    QString m_orgId;
    QString m_userId;

    QString settingsFile() const { return m_dir->filePath(QStringLiteral("wadesk.conf")); }

    int count(const QString &sql)
    {
        QSqlQuery q(m_db->connection().value());
        if (!q.exec(sql) || !q.next())
            return -1;
        return q.value(0).toInt();
    }

    // Types into the dialog, presses Sign in and waits for the answer.
    bool attempt(SignInDialog &dialog, const QString &email, const QString &password)
    {
        QSignalSpy finished(&dialog, &SignInDialog::attemptFinished);
        dialog.emailField()->setText(email);
        dialog.passwordField()->setText(password);
        QTest::mouseClick(dialog.signInButton(), Qt::LeftButton);
        if (finished.isEmpty() && !finished.wait(30000))
            return false;
        return finished.first().at(0).toBool();
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        const Result<DatabaseUrl> url = DatabaseUrl::parse(m_dir->filePath(QStringLiteral("wadesk.db")), m_dir->path());
        QVERIFY(url.ok());
        m_db = std::make_unique<Database>(url.value());
        QVERIFY(Migrator(*m_db, Migrator::embeddedDirectory(QStringLiteral("sqlite"))).migrate().ok());
        const JwtCodec jwt(AesGcm::randomBytes(32), 3600);
        AccountService accounts(*m_db, jwt);
        const QString hash = PasswordHasher(PasswordHasher::Cost::Minimal).hash(kPassword);
        auto reg = accounts.registerOrganization({kEmail, QStringLiteral("Ada Admin"), QStringLiteral("Acme"), hash, QStringLiteral("test")});
        QVERIFY(reg.ok());
        m_orgId = reg.value().organization.id;
        m_userId = reg.value().admin.id;

        m_events = std::make_unique<EventBus>();
        EngineSettings engine;
        engine.dataDir = m_dir->path();
        engine.injectWaJs = false;
        m_sessions = std::make_unique<SessionRegistry>(*m_db, *m_events, engine);
        DesktopContext::Facts facts{QStringLiteral("http://127.0.0.1:3002"), m_db->url().describe(), QStringLiteral("test"), m_dir->path(), QString()};
        m_shared.database = m_db.get();
        m_shared.jwtKey = AesGcm::randomBytes(32);
        m_shared.events = m_events.get();
        m_shared.sessions = m_sessions.get();
        m_serviceSettings.auth.passwordCost = PasswordHasher::Cost::Minimal;
        m_context = std::make_unique<DesktopContext>(m_shared, m_serviceSettings, *m_sessions, facts);
    }

    void cleanup()
    {
        m_context.reset();
        if (m_sessions)
            m_sessions->stopAll();
        m_sessions.reset();
        m_events.reset();
        if (m_db)
            m_db->closeThreadConnection();
        m_db.reset();
        m_dir.reset();
    }

    void successSignsInAndRemembersTheEmail()
    {
        SignInDialog dialog(*m_context, settingsFile());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(dialog.emailField()->text().isEmpty()); // nothing remembered yet
        QVERIFY(!dialog.emailField()->accessibleName().isEmpty());
        QVERIFY(!dialog.passwordField()->accessibleName().isEmpty());
        QCOMPARE(dialog.passwordField()->echoMode(), QLineEdit::Password);
        if (const QString dir = qEnvironmentVariable("WADESK_SCREENSHOT_DIR"); !dir.isEmpty() && QDir().mkpath(dir)) {
            dialog.emailField()->setText(kEmail);
            dialog.grab().save(QDir(dir).filePath(QStringLiteral("sign-in.png")));
            dialog.emailField()->clear();
        }

        QSignalSpy changed(m_context.get(), &DesktopContext::signedInChanged);
        QVERIFY(attempt(dialog, QStringLiteral("  ADA@example.com "), kPassword));
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(changed.count(), 1);
        QVERIFY(m_context->signedIn());
        const AuthContext &actor = m_context->actor();
        QCOMPARE(actor.userId, m_userId);
        QCOMPARE(actor.organizationId, m_orgId);
        QCOMPARE(actor.email, kEmail);
        QCOMPARE(actor.name, QStringLiteral("Ada Admin"));
        QCOMPARE(actor.role, Role::Admin);
        QCOMPARE(actor.ipAddress, QStringLiteral("desktop"));
        QVERIFY(actor.apiKeyId.isEmpty());
        QVERIFY(dialog.passwordField()->text().isEmpty());
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'login' AND ip_address = 'desktop'")), 1);

        // The email is remembered (the password never is).
        QSettings ini(settingsFile(), QSettings::IniFormat);
        QCOMPARE(ini.value(QStringLiteral("desktop/lastEmail")).toString(), kEmail);
        for (const QString &key : ini.allKeys())
            QVERIFY(!ini.value(key).toString().contains(kPassword));
        SignInDialog again(*m_context, settingsFile());
        QCOMPARE(again.emailField()->text(), kEmail);
        QVERIFY(again.passwordField()->text().isEmpty());

        m_context->signOut();
        QVERIFY(!m_context->signedIn());
        QVERIFY(m_context->actor().userId.isEmpty());
        QCOMPARE(changed.count(), 2);
    }

    void wrongPasswordAndUnknownEmailFailAlike()
    {
        SignInDialog dialog(*m_context, settingsFile());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY(!attempt(dialog, kEmail, QStringLiteral("wrong password")));
        QCOMPARE(dialog.errorText(), QStringLiteral("Invalid email or password"));
        if (!qEnvironmentVariableIsEmpty("WADESK_UI_SNAPSHOTS"))
            dialog.grab().save(QDir(qEnvironmentVariable("WADESK_UI_SNAPSHOTS")).filePath(QStringLiteral("sign-in-error.png")));
        QVERIFY(!m_context->signedIn());
        QVERIFY(dialog.isVisible());
        QVERIFY(dialog.passwordField()->text().isEmpty());
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'login_failed'")), 1);

        QVERIFY(!attempt(dialog, QStringLiteral("nobody@example.com"), kPassword));
        QCOMPARE(dialog.errorText(), QStringLiteral("Invalid email or password"));
        QVERIFY(!m_context->signedIn());
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM login_failures WHERE ip_address = 'desktop'")), 2);

        QVERIFY(!attempt(dialog, kEmail, QString()));
        QVERIFY(dialog.errorText().contains(QStringLiteral("password")));
        QVERIFY(!QFile::exists(settingsFile())); // nothing remembered from failures
    }

    void throttledAfterTheApiThreshold()
    {
        SignInDialog dialog(*m_context, settingsFile());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        for (int i = 0; i < kThrottleThreshold; ++i) {
            QVERIFY(!attempt(dialog, kEmail, QStringLiteral("wrong %1").arg(i)));
            QCOMPARE(dialog.errorText(), QStringLiteral("Invalid email or password"));
        }
        // Now even the right password is refused, with the time to wait.
        QVERIFY(!attempt(dialog, kEmail, kPassword));
        const QString error = dialog.errorText();
        QVERIFY2(error.startsWith(QStringLiteral("Too many attempts, try again in ")) && error.endsWith(QStringLiteral(" s")),
                 qPrintable(error));
        const int seconds = error.section(QLatin1Char(' '), -2, -2).toInt();
        QVERIFY2(seconds > 0 && seconds <= 15 * 60, qPrintable(error));
        QVERIFY(!m_context->signedIn());
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'login_throttled'")), 1);
    }

    // The desktop's address is always "desktop": failures with other emails must not lock the
    // real user out (the throttle counts them per account; only network addresses count as such).
    void wrongSignInsWithOtherEmailsDoNotLockOthersOut()
    {
        SignInDialog dialog(*m_context, settingsFile());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        for (int i = 0; i <= kThrottleThreshold; ++i) {
            QVERIFY(!attempt(dialog, QStringLiteral("typo%1@example.com").arg(i), QStringLiteral("wrong")));
            QCOMPARE(dialog.errorText(), QStringLiteral("Invalid email or password"));
        }
        QVERIFY(attempt(dialog, kEmail, kPassword));
        QVERIFY(m_context->signedIn());
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'login_throttled'")), 0);
    }

    void shellSignInShowsTheWindowAndSignOutReturns()
    {
        DesktopShell::Options options;
        options.settingsFile = settingsFile();
        options.useTray = false;
        DesktopShell shell(*m_context, options);
        QSignalSpy quit(&shell, &DesktopShell::quitRequested);
        QCOMPARE(m_context->signOutAction(), shell.signOutAction());
        QCOMPARE(m_context->notificationsAction(), shell.notificationsAction());
        QVERIFY(shell.notificationsEnabled()); // on by default
        shell.start();
        QVERIFY(shell.signInDialog());
        QVERIFY(!shell.window());
        QVERIFY(!shell.signOutAction()->isEnabled());

        QVERIFY(attempt(*shell.signInDialog(), kEmail, kPassword));
        QTRY_VERIFY(shell.window() && shell.window()->isVisible());
        QTRY_VERIFY(!shell.signInDialog());
        QVERIFY(shell.signOutAction()->isEnabled());
        QVERIFY(shell.pauseAllAction()->isEnabled()); // an admin may pause
        // "Sign out" is reachable from the window's menus.
        int inMenus = 0;
        for (QObject *o : shell.signOutAction()->associatedObjects()) {
            for (QObject *p = o->parent(); qobject_cast<QMenu *>(o) && p; p = p->parent())
                inMenus += p == shell.window() ? 1 : 0;
        }
        QCOMPARE(inMenus, 1); // once, not twice

        // Incoming messages while the window is hidden: counted and notified; others' are not.
        shell.window()->hide();
        QSignalSpy notified(&shell, &DesktopShell::notified);
        m_events->publish(Event::make(EventType::MessageReceived, m_orgId,
                                      {{QStringLiteral("clientId"), QStringLiteral("client_x")},
                                       {QStringLiteral("from"), QStringLiteral("+15550001")},
                                       {QStringLiteral("body"), QStringLiteral("hello")}}));
        m_events->publish(Event::make(EventType::MessageReceived, QStringLiteral("org_other"),
                                      {{QStringLiteral("clientId"), QStringLiteral("client_y")}}));
        m_events->publish(Event::make(EventType::MessageSent, m_orgId, {}));
        QTRY_COMPARE(shell.unreadCount(), 1);
        QCOMPARE(notified.count(), 1);
        QVERIFY(notified.first().at(0).toString().contains(QStringLiteral("+15550001")));
        QCOMPARE(notified.first().at(1).toString(), QStringLiteral("hello"));

        // The Settings dialog's Notifications tab is the same switch, both ways.
        {
            SettingsDialog settings(*m_context);
            QCheckBox *box = settings.messageNotificationsBox();
            QVERIFY(box && box->isEnabled());
            QVERIFY(settings.tabs()->indexOf(settings.notificationsPage()) >= 0);
            QVERIFY(box->isChecked());
            box->click();
            QVERIFY(!shell.notificationsEnabled());
            QCOMPARE(QSettings(settingsFile(), QSettings::IniFormat).value(QStringLiteral("desktop/notifications")).toBool(), false);
            shell.notificationsAction()->setChecked(true);
            QVERIFY(box->isChecked());
        }
        shell.notificationsAction()->setChecked(false);
        QCOMPARE(QSettings(settingsFile(), QSettings::IniFormat).value(QStringLiteral("desktop/notifications")).toBool(), false);
        m_events->publish(Event::make(EventType::MessageReceived, m_orgId,
                                      {{QStringLiteral("clientId"), QStringLiteral("client_x")}}));
        QTRY_COMPARE(shell.unreadCount(), 2);
        QCOMPARE(notified.count(), 1);
        shell.showFront();
        QCOMPARE(shell.unreadCount(), 0);
        QVERIFY(shell.window()->isVisible());

        // Sign out (from the window's File menu): back to the dialog, the window goes.
        QPointer<QMainWindow> window = shell.window();
        shell.signOutAction()->trigger();
        QVERIFY(!m_context->signedIn());
        QTRY_VERIFY(shell.signInDialog() && shell.signInDialog()->isVisible());
        QTRY_VERIFY(!window);
        QCOMPARE(shell.signInDialog()->emailField()->text(), kEmail);
        QCOMPARE(quit.count(), 0);

        // Quit from the dialog quits.
        QTest::mouseClick(shell.signInDialog()->findChild<QPushButton *>(QStringLiteral("quitButton")), Qt::LeftButton);
        QTRY_COMPARE(quit.count(), 1);
    }

    void pauseAllPausesEveryClient()
    {
        DesktopShell::Options options;
        options.settingsFile = settingsFile();
        options.useTray = false;
        DesktopShell shell(*m_context, options);
        QCOMPARE(shell.pauseAll(), 0); // signed out: nothing
        AuthContext actor;
        actor.userId = m_userId;
        actor.organizationId = m_orgId;
        actor.email = kEmail;
        actor.role = Role::Admin;
        m_context->signIn(actor);
        QVERIFY(m_context->clients().create(m_context->actor(), QStringLiteral("Sales"), QString()).ok());
        QVERIFY(m_context->clients().create(m_context->actor(), QStringLiteral("Support"), QString()).ok());
        QCOMPARE(shell.pauseAll(), 2);
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM clients WHERE paused = 1")), 2);
        QCOMPARE(count(QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'pause_client_requested' AND ip_address = 'desktop'")), 2);
        QCOMPARE(shell.pauseAll(), 0); // already paused

        // A viewer may not pause.
        actor.role = Role::Viewer;
        m_context->signIn(actor);
        QVERIFY(!shell.pauseAllAction()->isEnabled());
        QCOMPARE(shell.pauseAll(), 0);
    }

    void rightsAreRecheckedWhileSignedIn()
    {
        // The admin works in another desktop context (as another window or instance would).
        DesktopContext::Facts facts{QStringLiteral("http://127.0.0.1:3002"), m_db->url().describe(), QStringLiteral("test"), m_dir->path(), QString()};
        DesktopContext adminSide(m_shared, m_serviceSettings, *m_sessions, facts);
        AuthContext admin;
        admin.userId = m_userId;
        admin.organizationId = m_orgId;
        admin.email = kEmail;
        admin.role = Role::Admin;
        adminSide.signIn(admin);
        const QString hash = PasswordHasher(PasswordHasher::Cost::Minimal).hash(kPassword);
        const auto member = [&](const QString &email, Role role) {
            TeamService::NewMember m;
            m.email = email;
            m.name = QStringLiteral("Member");
            m.role = role;
            m.passwordHash = hash;
            return adminSide.team().createMember(adminSide.actor(), m);
        };
        const auto actorOf = [](const UserRecord &u) { return u.actingFrom(QString()); };
        const Result<UserRecord> agent = member(QStringLiteral("agent@example.com"), Role::Agent);
        const Result<UserRecord> manager = member(QStringLiteral("manager@example.com"), Role::Manager);
        QVERIFY(agent.ok() && manager.ok());

        // Signed in: the periodic check runs; unchanged, the user stays signed in. A new name is
        // taken over without signing out.
        QSignalSpy changed(m_context.get(), &DesktopContext::signedInChanged);
        m_context->signIn(actorOf(agent.value()));
        QVERIFY(m_context->revalidateTimer()->isActive());
        QCOMPARE(m_context->revalidateTimer()->interval(), 5000);
        QVERIFY(m_context->revalidate());
        QVERIFY(m_context->signedIn());
        TeamService::Change rename;
        rename.name = QStringLiteral("Renamed");
        QVERIFY(adminSide.team().updateMember(adminSide.actor(), agent.value().id, rename).ok());
        QVERIFY(m_context->revalidate());
        QVERIFY(m_context->signedIn());
        QCOMPARE(m_context->actor().name, QStringLiteral("Renamed"));
        QCOMPARE(changed.count(), 1);

        // Each tick tells agents and viewers that their assignments may have changed.
        QSignalSpy assignments(m_context.get(), &DesktopContext::assignmentsMayHaveChanged);
        m_context->revalidateTimer()->setInterval(20);
        QVERIFY(assignments.wait(5000));
        QVERIFY(m_context->signedIn());
        m_context->revalidateTimer()->setInterval(DesktopContext::kRevalidateIntervalMs);

        // Deactivated by the admin → signed out at the next check (the shell then shows the
        // sign-in dialog on signedInChanged).
        TeamService::Change deactivate;
        deactivate.active = false;
        QVERIFY(adminSide.team().updateMember(adminSide.actor(), agent.value().id, deactivate).ok());
        QVERIFY(!m_context->revalidate());
        QVERIFY(!m_context->signedIn());
        QVERIFY(!m_context->revalidateTimer()->isActive());
        QCOMPARE(changed.count(), 2);

        // Demoted → signed out.
        m_context->signIn(actorOf(manager.value()));
        QVERIFY(m_context->revalidate());
        TeamService::Change demote;
        demote.role = Role::Agent;
        QVERIFY(adminSide.team().updateMember(adminSide.actor(), manager.value().id, demote).ok());
        QVERIFY(!m_context->revalidate());
        QVERIFY(!m_context->signedIn());

        // Removed → signed out.
        Result<UserRecord> again = adminSide.team().getMember(adminSide.actor(), manager.value().id);
        QVERIFY(again.ok());
        m_context->signIn(actorOf(again.value()));
        QVERIFY(m_context->revalidate());
        QVERIFY(adminSide.team().removeMember(adminSide.actor(), manager.value().id).ok());
        QVERIFY(!m_context->revalidate());
        QVERIFY(!m_context->signedIn());

        // The admin, unchanged, stays signed in.
        QVERIFY(adminSide.revalidate());
        QVERIFY(adminSide.signedIn());
    }
};

int main(int argc, char *argv[])
{
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QApplication app(argc, argv);
    TestSignIn test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_sign_in.moc"
