#pragma once

#include <QByteArray>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QLabel;
class QListView;
class QMenu;
class QNetworkAccessManager;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QToolBar;

namespace wadesk {

class ClientActions;
class InstanceActions;
class ConversationsView;
class DashboardView;
class DesktopContext;
class ClientListModel;
class MediaStorageLabel;
class ProxiesView;
class SessionView;
class TeamDialog;
class ApiKeysDialog;
class AuditLogDialog;
class WebhooksDialog;
class AccountDialog;
class ContactsDialog;
class SettingsDialog;
class CampaignsDialog;
class AutomationDialog;

// The application window for a signed-in user: the clients they may see on the left (live
// state, unread, queue, paused), and on the right the selected client's live WhatsApp Web page
// (where a number is linked by scanning its QR code) and its conversations. View → Proxies swaps
// all of that for the proxy pool's screen (ui/proxies), View → Dashboard for the analytics
// screen (ui/dashboard), the first screen of roles that may view analytics. Actions are shown only to roles that may
// take them. Geometry, toolbar and splitters are kept in QSettings.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(DesktopContext &context, QWidget *parent = nullptr);
    ~MainWindow() override;

    // The versions in use: WaDesk, Qt, Chromium (Qt WebEngine) and wa-js.
    static QString aboutText(const QString &waJsVersion = QString());

    // For the desktop shell: "Sign out" goes to the File menu, "Notifications" to View.
    QMenu *fileMenu() const { return m_fileMenu; }
    QMenu *viewMenu() const { return m_viewMenu; }

    ClientListModel *sessionModel() const { return m_sessionModel; }
    QListView *sessionList() const { return m_sessionList; }
    SessionView *sessionView() const { return m_sessionView; }
    ConversationsView *conversationsView() const { return m_conversations; }
    ClientActions *clientActions() const { return m_actions; }
    QTabWidget *tabs() const { return m_tabs; }
    // Edit → Team… (Ctrl+T): only for roles that may manage the team (can_manage_team).
    QAction *teamAction() const { return m_teamAction; }
    // The status bar's media storage use (shown to admins only).
    MediaStorageLabel *mediaStorageLabel() const { return m_storageLabel; }
    TeamDialog *teamDialog() const; // while open
    // View → Proxies (Ctrl+3), checkable: the Proxies screen in place of the clients, for roles
    // that may assign proxies (can_manage_clients: admins and managers). Unchecked: the clients.
    QAction *proxiesAction() const { return m_proxiesAction; }
    // Client → Assign Proxy…: the Proxies screen's assign dialog for the selected client.
    QAction *assignProxyAction() const { return m_assignProxyAction; }
    // Admin → Instances… and Client → Run on Instance… (several instances on one database only).
    InstanceActions *instanceActions() const { return m_instanceActions; }
    // View → Dashboard (Ctrl+4), checkable: the analytics screen in place of the clients, for
    // roles that may view analytics (can_view_analytics: admins, managers, viewers; never agents).
    // It is the first screen those roles see after sign-in.
    QAction *dashboardAction() const { return m_dashboardAction; }
    // Admin → Webhooks… (Ctrl+Shift+H; can_manage_webhooks), API Keys… (Ctrl+Shift+K; everyone)
    // and Audit Log… (Ctrl+Shift+G; can_view_audit_logs).
    QMenu *adminMenu() const { return m_adminMenu; }
    QAction *webhooksAction() const { return m_webhooksAction; }
    QAction *apiKeysAction() const { return m_apiKeysAction; }
    QAction *auditLogAction() const { return m_auditAction; }
    // Edit → Contacts… (Ctrl+Shift+O) and Settings… (Ctrl+,), File → My Account… (Ctrl+Shift+M):
    // every signed-in member (what each may change inside follows their role).
    QAction *contactsAction() const { return m_contactsAction; }
    QAction *settingsAction() const { return m_settingsAction; }
    QAction *accountAction() const { return m_accountAction; }
    ContactsDialog *contactsDialog() const; // while open
    SettingsDialog *settingsDialog() const; // while open
    AccountDialog *accountDialog() const;   // while open
    void showContacts();
    void showSettings();
    void showAccount();
    // Edit → Templates and Replies… (Ctrl+Shift+R): admins and managers manage templates, quick
    // replies and auto-reply rules; agents read the quick replies they use.
    QAction *automationAction() const { return m_automationAction; }
    AutomationDialog *automationDialog() const; // while open
    void showAutomation();
    AuditLogDialog *auditLogDialog() const; // while open
    void showAuditLog();
    WebhooksDialog *webhooksDialog() const; // while open
    ApiKeysDialog *apiKeysDialog() const;   // while open
    void showWebhooks();
    void showApiKeys();
    // The Dashboard, made on first use (null before, and always for agents).
    DashboardView *dashboardView() const { return m_dashboardView; }
    bool dashboardShown() const;
    void showDashboard();
    // Edit → Campaigns… (Ctrl+Shift+B): roles that may read campaigns (admins and managers
    // manage them; viewers read those on their assigned clients; agents do not see it).
    QAction *campaignsAction() const { return m_campaignsAction; }
    CampaignsDialog *campaignsDialog() const; // while open
    void showCampaigns();
    // The Proxies screen, made on first use (null before).
    ProxiesView *proxiesView() const { return m_proxiesView; }
    bool proxiesShown() const;
    QString currentClient() const { return m_currentClient; }
    void selectClient(const QString &clientId);
    // Shows the clients with the live page (0) or the conversations (1).
    void showPage(int page);
    // The Proxies screen (when the role may see it) or the clients.
    void showProxies();
    void showClients();
    // Re-reads the client list, the contacts and (once shown) the proxy pool.
    void refresh();

public slots:
    void showAbout();
    // Opens the Team dialog (or raises it when open).
    void showTeam();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void buildStatusBar();
    void buildTeamAction();
    void buildAdminMenu();
    void buildAccountActions();
    void buildProxiesAction();
    void buildDashboardAction();
    void buildCampaignsAction();
    void onCurrentChanged(const QModelIndex &current);
    void showSessionMenu(const QPoint &pos);
    void updateStatus();
    void probeApi();
    void restoreSettings();
    void saveSettings();

    DesktopContext &m_context;
    ClientListModel *m_sessionModel = nullptr;
    ClientActions *m_actions = nullptr;
    InstanceActions *m_instanceActions = nullptr;
    QStackedWidget *m_screens = nullptr;
    QSplitter *m_splitter = nullptr;
    ProxiesView *m_proxiesView = nullptr;
    DashboardView *m_dashboardView = nullptr;
    QAction *m_dashboardAction = nullptr;
    QListView *m_sessionList = nullptr;
    QTabWidget *m_tabs = nullptr;
    SessionView *m_sessionView = nullptr;
    ConversationsView *m_conversations = nullptr;
    QToolBar *m_toolBar = nullptr;
    QMenu *m_fileMenu = nullptr;
    QMenu *m_editMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_clientMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QAction *m_teamAction = nullptr;
    QPointer<TeamDialog> m_teamDialog;
    QMenu *m_adminMenu = nullptr;
    QAction *m_webhooksAction = nullptr;
    QAction *m_apiKeysAction = nullptr;
    QPointer<WebhooksDialog> m_webhooksDialog;
    QPointer<ApiKeysDialog> m_apiKeysDialog;
    QAction *m_auditAction = nullptr;
    QPointer<AuditLogDialog> m_auditDialog;
    QAction *m_contactsAction = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_accountAction = nullptr;
    QPointer<ContactsDialog> m_contactsDialog;
    QPointer<SettingsDialog> m_settingsDialog;
    QPointer<AccountDialog> m_accountDialog;
    QAction *m_campaignsAction = nullptr;
    QPointer<CampaignsDialog> m_campaignsDialog;
    QAction *m_proxiesAction = nullptr;
    QAction *m_assignProxyAction = nullptr;
    QLabel *m_apiLabel = nullptr;
    QLabel *m_readyLabel = nullptr;
    QLabel *m_databaseLabel = nullptr;
    MediaStorageLabel *m_storageLabel = nullptr;
    QString m_currentClient;
    QString m_apiState;
    QTimer m_statusTimer;
    QTimer m_apiTimer;
    QNetworkAccessManager *m_network = nullptr;
    bool m_saved = false;
    bool m_clientsShown = false; // the clients' page was shown (laid out) at least once
    QByteArray m_restoredSplitter;
    QByteArray m_restoredConversations;
    void buildAutomationAction();
    QAction *m_automationAction = nullptr;
    QPointer<AutomationDialog> m_automationDialog;
};

} // namespace wadesk
