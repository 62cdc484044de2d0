#pragma once

#include "core/access/AuthContext.h"
#include "core/auth/PasswordHasher.h"
#include "core/services/ServiceGraph.h"

#include <QObject>
#include <QString>
#include <QTimer>
#include <memory>

class QAction;

namespace wadesk {

class ProxyHealthMonitor;
class SessionRegistry;
class ForwardedSessions;

// What the desktop screens share for one run of the GUI: the main thread's ServiceGraph (built
// like the API thread's, never sharing its instances), the engine, and who is signed in. The Application owns it; windows and models receive a reference. The screens hold
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
        QString settingsFile; // wadesk.ini: where Settings… writes the installation's settings (empty: none)
    };
    // `shared.events` must be set: the screens follow changes through it.
    DesktopContext(const SharedServices &shared, const ServiceSettings &settings, SessionRegistry &sessions,
                   Facts facts, QObject *parent = nullptr);
    ~DesktopContext() override;

    ServiceGraph &services() { return m_services; }
    EventBus &events() { return *m_services.shared().events; } // published(): connect with Qt::QueuedConnection
    SessionRegistry &sessions() { return m_sessions; } // main thread: start/stop/pause/session(id)->page
    ClientService &clients() { return m_services.clients(); }
    ClientActionService &clientActions() { return m_services.clientActions(); } // start/stop/log out/pause/resume
    MessageService &messages() { return m_services.messages(); } // use send() (synchronous) on the main thread
    ContactService &contacts() { return m_services.contacts(); }
    MediaService &media() { return m_services.media(); } // files of messages, storage use (with actor())
    TeamService &team() { return m_services.team(); }
    AccountService &accounts() { return m_services.accounts(); }
    // The engine's proxy health checks ("Test now"); null when this run has none (tests).
    ProxyHealthMonitor *proxyMonitor() const { return m_proxyMonitor; }
    void setProxyMonitor(ProxyHealthMonitor *monitor) { m_proxyMonitor = monitor; }
    // Several instances on one PostgreSQL: the sessions other instances drive (their state, where
    // they run); null on SQLite. Set before the windows are made.
    ForwardedSessions *cluster() const { return m_cluster; }
    void setCluster(ForwardedSessions *cluster) { m_cluster = cluster; }
    // The instances sharing the database: the list and draining (admins), pinning (client managers).
    InstanceService &instances() { return m_services.instances(); }
    ProxyService *proxies() { return m_services.proxies(); } // null without the secret store (cipher)
    PasswordHasher::Cost passwordCost() const { return m_services.settings().auth.passwordCost; }
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
    // them (ClientListModel) read again.
    void assignmentsMayHaveChanged();

private:
    ProxyHealthMonitor *m_proxyMonitor = nullptr;
    ForwardedSessions *m_cluster = nullptr;
    ServiceGraph m_services;
    SessionRegistry &m_sessions;
    Facts m_facts;
    AuthContext m_actor;
    QAction *m_signOutAction = nullptr;
    QAction *m_notificationsAction = nullptr;
    QTimer m_revalidateTimer;
};

} // namespace wadesk
