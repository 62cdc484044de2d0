#pragma once

#include "core/access/AuthContext.h"
#include "core/auth/PasswordHasher.h"
#include "core/messaging/MessagingSettings.h"

#include <QObject>
#include <QString>
#include <QTimer>
#include <memory>

class QAction;

namespace wadesk {

class AccountService;
class Authenticator;
class ClientActionService;
class ClientService;
class ContactService;
class Database;
class EventBus;
class JwtCodec;
class MessageService;
class SessionRegistry;
class TeamService;

// What the desktop screens share for one run of the GUI: the core services, instantiated for the
// main thread (the same classes the API uses, never the API thread's instances), and who is
// signed in. The Application owns it; windows and models receive a reference. The screens hold
// no business rule: every action goes through these services with `actor()`, so RBAC, tenant
// scoping and the audit log apply exactly as they do for the REST API.
class DesktopContext final : public QObject {
    Q_OBJECT
public:
    struct Facts {
        QString apiAddress; // "http://127.0.0.1:3002"
        QString database;   // Database::url().describe()
        QString secrets;    // SecretStore::description()
        QString dataDir;
    };
    DesktopContext(Database &database, EventBus &events, SessionRegistry &sessions, QByteArray jwtKey,
                   MessagingSettings messaging, PasswordHasher::Cost passwordCost, Facts facts, QObject *parent = nullptr);
    ~DesktopContext() override;

    Database &database() { return m_database; }
    EventBus &events() { return m_events; }          // published(): connect with Qt::QueuedConnection
    SessionRegistry &sessions() { return m_sessions; } // main thread: start/stop/pause/session(id)->page
    ClientService &clients() { return *m_clients; }
    ClientActionService &clientActions() { return *m_clientActions; } // start/stop/log out/pause/resume
    MessageService &messages() { return *m_messages; } // use send() (synchronous) on the main thread
    ContactService &contacts() { return *m_contacts; }
    TeamService &team() { return *m_team; }
    AccountService &accounts() { return *m_accounts; }
    PasswordHasher::Cost passwordCost() const { return m_passwordCost; }
    const Facts &facts() const { return m_facts; }

    bool signedIn() const { return !m_actor.userId.isEmpty(); }
    // The signed-in user as an AuthContext (ipAddress "desktop"); empty when signed out.
    const AuthContext &actor() const { return m_actor; }
    void signIn(const AuthContext &actor);
    void signOut();
    // Re-reads the signed-in user, as the API does for every token within its 5 s cache: the user
    // removed or deactivated, or their organization or role changed → signOut(). Name and email
    // changes are taken over silently. A database error leaves the session as it is (the next
    // check retries). Returns whether someone is still signed in. Runs every
    // kRevalidateIntervalMs while signed in (and emits assignmentsMayHaveChanged() for agents and
    // viewers after a check that kept them signed in).
    bool revalidate();
    static constexpr int kRevalidateIntervalMs = 5000;
    // The timer behind the periodic revalidate() (active while signed in); for tests.
    QTimer *revalidateTimer() { return &m_revalidateTimer; }

    // Actions of the desktop shell (ui/shell) for the main window's menus; null until the shell
    // sets them (and in tests that build a window without the shell). The shell owns them.
    //   signOutAction(): File menu, "Sign out" (it calls signOut(); the shell then closes the
    //                    window and shows the sign-in dialog);
    //   notificationsAction(): View menu, checkable "Desktop notifications".
    // An action the window does not place in a menu is added by the shell to the window's first
    // menu (sign out) or only to the tray menu (notifications).
    QAction *signOutAction() const { return m_signOutAction; }
    QAction *notificationsAction() const { return m_notificationsAction; }
    void setShellActions(QAction *signOut, QAction *notifications);

signals:
    void signedInChanged();
    // Emitted on each periodic check while an agent or viewer is signed in: their client
    // assignments may have been changed (by an admin here or through the API), so lists scoped to
    // them (SessionListModel) read again.
    void assignmentsMayHaveChanged();

private:
    Database &m_database;
    EventBus &m_events;
    SessionRegistry &m_sessions;
    std::unique_ptr<JwtCodec> m_jwt;
    std::unique_ptr<Authenticator> m_authenticator; // TeamService forgets changed users in it
    std::unique_ptr<ClientService> m_clients;
    std::unique_ptr<ClientActionService> m_clientActions;
    std::unique_ptr<MessageService> m_messages;
    std::unique_ptr<ContactService> m_contacts;
    std::unique_ptr<TeamService> m_team;
    std::unique_ptr<AccountService> m_accounts;
    PasswordHasher::Cost m_passwordCost;
    Facts m_facts;
    AuthContext m_actor;
    QAction *m_signOutAction = nullptr;
    QAction *m_notificationsAction = nullptr;
    QTimer m_revalidateTimer;
};

} // namespace wadesk
