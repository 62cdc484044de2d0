#include "ui/main/MainWindow.h"

#include "ui/account/AccountDialog.h"
#include "ui/contacts/ContactsDialog.h"
#include "ui/campaigns/CampaignsDialog.h"
#include "ui/automation/AutomationDialog.h"
#include "ui/settings/SettingsDialog.h"

#include "core/common/Version.h"
#include "ui/conversations/ConversationsView.h"
#include "ui/dashboard/DashboardView.h"
#include "ui/desktop/DesktopContext.h"
#include "core/engine/EngineInfo.h"
#include "core/engine/SessionRegistry.h"
#include "ui/main/Icons.h"
#include "ui/main/MediaStorageLabel.h"
#include "core/sessions/ClientStatus.h"
#include "ui/models/ClientListModel.h"
#include "ui/clients/ClientActions.h"
#include "ui/clients/ClientListDelegate.h"
#include "ui/clients/SessionView.h"
#include "ui/instances/InstanceActions.h"
#include "ui/proxies/ProxiesView.h"
#include "ui/team/TeamDialog.h"
#include "ui/apikeys/ApiKeysDialog.h"
#include "ui/audit/AuditLogDialog.h"
#include "ui/webhooks/WebhooksDialog.h"

#include <algorithm>
#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

namespace wadesk {

namespace {
constexpr int kStatusDelayMs = 200;
constexpr int kApiProbeMs = 30000;
constexpr int kApiTimeoutMs = 3000;
const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
const QString kSplitterKey = QStringLiteral("mainWindow/splitter");
const QString kConversationsKey = QStringLiteral("mainWindow/conversationsSplitter");
const QString kTabKey = QStringLiteral("mainWindow/tab");
} // namespace

MainWindow::MainWindow(DesktopContext &context, QWidget *parent)
    : QMainWindow(parent)
    , m_context(context)
{
    // The platform adds the application's display name ("… — WaDesk") itself.
    setWindowTitle(m_context.signedIn() ? m_context.actor().email : QString());
    setObjectName(QStringLiteral("mainWindow"));
    resize(1200, 760);

    m_sessionModel = new ClientListModel(m_context, this);
    m_actions = new ClientActions(m_context, *m_sessionModel, this);
    m_instanceActions = new InstanceActions(m_context, this);

    // The screens: the clients (list and the selected one's pages), and the proxy pool.
    m_screens = new QStackedWidget(this);
    m_screens->setObjectName(QStringLiteral("screens"));
    m_splitter = new QSplitter(Qt::Horizontal, m_screens);
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_sessionList = new QListView(m_splitter);
    m_sessionList->setObjectName(QStringLiteral("sessionList"));
    m_sessionList->setAccessibleName(tr("WhatsApp clients"));
    m_sessionList->setModel(m_sessionModel);
    m_sessionList->setItemDelegate(new ClientListDelegate(m_sessionList));
    m_sessionList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_sessionList->setSelectionMode(QAbstractItemView::SingleSelection);
    m_sessionList->setContextMenuPolicy(Qt::CustomContextMenu);
    m_sessionList->setMinimumWidth(220);
    m_tabs = new QTabWidget(m_splitter);
    m_tabs->setObjectName(QStringLiteral("clientTabs"));
    m_tabs->setAccessibleName(tr("Selected client"));
    m_tabs->setDocumentMode(true);
    m_sessionView = new SessionView(m_context, m_tabs);
    m_conversations = new ConversationsView(m_context, m_tabs);
    m_tabs->addTab(m_sessionView, tr("&WhatsApp"));
    m_tabs->addTab(m_conversations, tr("C&onversations"));
    m_tabs->setTabToolTip(0, tr("The client's live WhatsApp Web page (Ctrl+1)"));
    m_tabs->setTabToolTip(1, tr("Contacts, messages and sending (Ctrl+2)"));
    m_splitter->addWidget(m_sessionList);
    m_splitter->addWidget(m_tabs);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({280, 920});
    m_screens->addWidget(m_splitter);
    setCentralWidget(m_screens);

    buildMenus();
    buildStatusBar();

    connect(m_sessionList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { onCurrentChanged(current); });
    connect(m_sessionList, &QWidget::customContextMenuRequested, this, &MainWindow::showSessionMenu);
    // Selection survives resets (a reload after adding a client).
    connect(m_sessionModel, &QAbstractItemModel::modelReset, this, [this]() {
        const QString keep = m_currentClient;
        m_currentClient.clear();
        if (!keep.isEmpty() && m_sessionModel->rowOf(keep) >= 0)
            selectClient(keep);
        else if (m_sessionModel->rowCount() > 0)
            selectClient(m_sessionModel->clientIdAt(0));
        else
            onCurrentChanged(QModelIndex());
    });
    connect(m_sessionModel, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
        const int row = m_sessionModel->rowOf(m_currentClient);
        if (row >= from.row() && row <= to.row())
            m_sessionView->setClient(m_currentClient, m_sessionModel->index(row, 0).data(ClientListModel::NameRole).toString());
    });
    connect(m_actions, &ClientActions::clientCreated, this, &MainWindow::selectClient);
    // The empty states' actions (issue 14, defect 10).
    connect(m_sessionView, &SessionView::addClientRequested, m_actions->addAction(), &QAction::trigger);
    connect(m_sessionView, &SessionView::startRequested, this, [this](const QString &clientId) {
        selectClient(clientId);
        m_actions->startAction()->trigger();
    });
    auto noClients = [this]() { m_sessionView->setNoClients(m_sessionModel->rowCount() == 0); };
    connect(m_sessionModel, &QAbstractItemModel::modelReset, m_sessionView, noClients);
    connect(m_sessionModel, &QAbstractItemModel::rowsInserted, m_sessionView, noClients);
    connect(m_sessionModel, &QAbstractItemModel::rowsRemoved, m_sessionView, noClients);
    noClients();
    connect(m_conversations, &ConversationsView::messageQueued, m_sessionModel,
            [this](const QString &clientId) { m_sessionModel->scheduleRefresh(clientId); });
    // A file sent from the composer was stored as it was queued.
    connect(m_conversations, &ConversationsView::messageQueued, m_storageLabel, &MediaStorageLabel::scheduleRefresh);

    m_statusTimer.setSingleShot(true);
    m_statusTimer.setInterval(kStatusDelayMs);
    connect(&m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    auto statusSoon = [this]() {
        if (!m_statusTimer.isActive())
            m_statusTimer.start();
    };
    connect(&m_context.sessions(), &SessionRegistry::snapshotChanged, this, statusSoon);
    connect(&m_context.sessions(), &SessionRegistry::sessionStopped, this, statusSoon);
    // Sessions another instance runs change only in the list (the registry never hears of them):
    // the count follows the list, not the next API probe.
    connect(m_sessionModel, &QAbstractItemModel::dataChanged, this, statusSoon);
    connect(m_sessionModel, &QAbstractItemModel::modelReset, this, statusSoon);

    m_network = new QNetworkAccessManager(this);
    m_network->setProxy(QNetworkProxy::NoProxy); // our own API on this machine, never via a proxy
    m_apiTimer.setInterval(kApiProbeMs);
    connect(&m_apiTimer, &QTimer::timeout, this, &MainWindow::probeApi);
    m_apiTimer.start();
    probeApi();

    restoreSettings();
    if (m_sessionModel->rowCount() > 0)
        selectClient(m_sessionModel->clientIdAt(0));
    else
        onCurrentChanged(QModelIndex());
    updateStatus();
    // The first screen after sign-in for roles that may view analytics.
    if (m_dashboardAction->isEnabled())
        showDashboard();
    else
        m_clientsShown = true;
}

MainWindow::~MainWindow()
{
    saveSettings();
}

void MainWindow::buildMenus()
{
    m_fileMenu = menuBar()->addMenu(tr("&File"));
    m_fileMenu->setObjectName(QStringLiteral("fileMenu"));
    m_fileMenu->addAction(m_actions->addAction());
    m_fileMenu->addSeparator();
    if (QAction *signOut = m_context.signOutAction()) {
        m_fileMenu->addAction(signOut);
        m_fileMenu->addSeparator();
    }
    QAction *quit = m_fileMenu->addAction(Icons::quit(), tr("&Quit"), qApp, &QApplication::quit);
    quit->setObjectName(QStringLiteral("quitAction"));
    // The platform's Quit keys; Ctrl+Q where the platform names none (a bare window manager).
    const QList<QKeySequence> quitKeys = QKeySequence::keyBindings(QKeySequence::Quit);
    quit->setShortcuts(quitKeys.isEmpty() ? QList<QKeySequence>{QKeySequence(Qt::CTRL | Qt::Key_Q)} : quitKeys);
    quit->setMenuRole(QAction::QuitRole);

    m_editMenu = menuBar()->addMenu(tr("&Edit"));
    m_editMenu->setObjectName(QStringLiteral("editMenu"));
    m_editMenu->addAction(m_actions->renameAction());
    m_editMenu->addSeparator();
    QAction *find = m_editMenu->addAction(Icons::search(), tr("&Find Contact"), this, [this]() {
        showPage(1);
        m_conversations->focusSearch();
    });
    find->setObjectName(QStringLiteral("findContactAction"));
    find->setShortcut(QKeySequence::Find);
    buildTeamAction();

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->setObjectName(QStringLiteral("viewMenu"));
    QAction *live = m_viewMenu->addAction(tr("&WhatsApp Page"), this, [this]() { showPage(0); });
    live->setObjectName(QStringLiteral("showSessionAction"));
    live->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction *chats = m_viewMenu->addAction(tr("&Conversations"), this, [this]() { showPage(1); });
    chats->setObjectName(QStringLiteral("showConversationsAction"));
    chats->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    QAction *focusList = m_viewMenu->addAction(tr("Client &List"), this, [this]() {
        showClients();
        m_sessionList->setFocus(Qt::ShortcutFocusReason);
    });
    focusList->setObjectName(QStringLiteral("focusClientsAction"));
    focusList->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    buildProxiesAction();
    buildDashboardAction();
    m_viewMenu->addSeparator();
    QAction *refreshAction = m_viewMenu->addAction(Icons::refresh(), tr("&Refresh"), this, &MainWindow::refresh);
    refreshAction->setObjectName(QStringLiteral("refreshAction"));
    refreshAction->setShortcut(QKeySequence::Refresh);
    m_viewMenu->addSeparator();
    m_toolBar = new QToolBar(tr("Main Toolbar"), this);
    m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    addToolBar(Qt::TopToolBarArea, m_toolBar);
    m_viewMenu->addAction(m_toolBar->toggleViewAction());
    if (QAction *notifications = m_context.notificationsAction()) {
        m_viewMenu->addSeparator();
        m_viewMenu->addAction(notifications);
    }

    m_clientMenu = menuBar()->addMenu(tr("&Client"));
    m_clientMenu->setObjectName(QStringLiteral("clientMenu"));
    for (QAction *a : m_actions->clientActions()) {
        if (a)
            m_clientMenu->addAction(a);
        else
            m_clientMenu->addSeparator();
    }
    m_clientMenu->addSeparator();
    m_clientMenu->addAction(m_assignProxyAction);
    m_clientMenu->addAction(m_instanceActions->pinAction());
    // Nothing in it for roles that may not manage clients: then it is not shown at all.
    m_clientMenu->menuAction()->setVisible(m_actions->startAction()->isVisible());

    buildAdminMenu();
    buildAccountActions();
    buildCampaignsAction();
    buildAutomationAction();

    m_helpMenu = menuBar()->addMenu(tr("&Help"));
    m_helpMenu->setObjectName(QStringLiteral("helpMenu"));
    QAction *aboutAction = m_helpMenu->addAction(Icons::about(), tr("&About WaDesk"), this, &MainWindow::showAbout);
    aboutAction->setObjectName(QStringLiteral("aboutAction"));
    aboutAction->setMenuRole(QAction::AboutRole);
    QAction *aboutQt = m_helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);

    // A separator only between groups that show something: an agent sees no client actions and
    // must not get separators around nothing.
    const QList<QList<QAction *>> groups = {
        {m_actions->addAction()},
        {m_actions->startAction(), m_actions->stopAction(), m_actions->pauseAction(), m_actions->resumeAction(),
         m_actions->logoutAction()},
        {refreshAction, m_dashboardAction, m_proxiesAction},
    };
    bool shown = false;
    for (const QList<QAction *> &group : groups) {
        const bool visible = std::any_of(group.begin(), group.end(), [](const QAction *a) { return a->isVisible(); });
        if (visible && shown)
            m_toolBar->addSeparator();
        for (QAction *a : group)
            m_toolBar->addAction(a);
        shown = shown || visible;
    }
}

void MainWindow::buildProxiesAction()
{
    m_proxiesAction = m_viewMenu->addAction(QIcon::fromTheme(QStringLiteral("network-server")), tr("&Proxies"));
    m_proxiesAction->setObjectName(QStringLiteral("proxiesAction"));
    m_proxiesAction->setCheckable(true);
    m_proxiesAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    m_proxiesAction->setStatusTip(tr("The proxy pool: each client's own address, its health, and which client uses which"));
    m_proxiesAction->setToolTip(tr("Proxies (Ctrl+3)"));
    connect(m_proxiesAction, &QAction::triggered, this, [this](bool checked) {
        if (checked)
            showProxies();
        else
            showClients();
    });
    m_assignProxyAction = new QAction(tr("Assign Pro&xy…"), this);
    m_assignProxyAction->setObjectName(QStringLiteral("assignProxyAction"));
    m_assignProxyAction->setStatusTip(tr("Choose the proxy the selected client uses"));
    connect(m_assignProxyAction, &QAction::triggered, this, [this]() {
        const QString clientId = m_currentClient;
        showProxies();
        if (m_proxiesView)
            m_proxiesView->openAssign(clientId);
    });
    // The permission of the assignment (PATCH /api/clients/:id {proxy_id}): admins and managers.
    auto update = [this]() {
        const bool allowed = m_context.signedIn() && m_context.actor().can(Permission::ManageClients);
        for (QAction *a : {m_proxiesAction, m_assignProxyAction}) {
            a->setVisible(allowed);
            a->setEnabled(allowed);
        }
        m_assignProxyAction->setEnabled(allowed && !m_currentClient.isEmpty());
        if (!allowed)
            showClients();
    };
    update();
    connect(&m_context, &DesktopContext::signedInChanged, m_proxiesAction, update);
}

bool MainWindow::proxiesShown() const
{
    return m_proxiesView && m_screens->currentWidget() == m_proxiesView;
}

void MainWindow::showProxies()
{
    if (!m_proxiesAction->isEnabled()) {
        m_proxiesAction->setChecked(false);
        return;
    }
    if (!m_proxiesView) {
        m_proxiesView = new ProxiesView(m_context, m_screens);
        m_screens->addWidget(m_proxiesView);
        // The client's details show its proxy: read again when it changed here.
        connect(m_proxiesView, &ProxiesView::proxyAssigned, m_sessionView, &SessionView::refreshProxy);
    }
    m_screens->setCurrentWidget(m_proxiesView);
    m_proxiesAction->setChecked(true);
    m_dashboardAction->setChecked(false);
}

void MainWindow::showClients()
{
    m_clientsShown = true;
    m_screens->setCurrentWidget(m_splitter);
    m_proxiesAction->setChecked(false);
    if (m_dashboardAction)
        m_dashboardAction->setChecked(false);
}

void MainWindow::buildDashboardAction()
{
    m_dashboardAction = m_viewMenu->addAction(QIcon::fromTheme(QStringLiteral("office-chart-bar")), tr("&Dashboard"));
    m_dashboardAction->setObjectName(QStringLiteral("dashboardAction"));
    m_dashboardAction->setCheckable(true);
    m_dashboardAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    m_dashboardAction->setStatusTip(tr("Messages, delivery and read rates, response times and busiest hours, with exports"));
    m_dashboardAction->setToolTip(tr("Dashboard (Ctrl+4)"));
    connect(m_dashboardAction, &QAction::triggered, this, [this](bool checked) {
        if (checked)
            showDashboard();
        else
            showClients();
    });
    // The permission of /api/analytics/*: admins, managers and viewers.
    auto update = [this]() {
        const bool allowed = m_context.signedIn() && m_context.actor().can(Permission::ViewAnalytics);
        m_dashboardAction->setVisible(allowed);
        m_dashboardAction->setEnabled(allowed);
        if (!allowed && dashboardShown())
            showClients();
    };
    update();
    connect(&m_context, &DesktopContext::signedInChanged, m_dashboardAction, update);
}

bool MainWindow::dashboardShown() const
{
    return m_dashboardView && m_screens->currentWidget() == m_dashboardView;
}

void MainWindow::showDashboard()
{
    if (!m_dashboardAction->isEnabled()) {
        m_dashboardAction->setChecked(false);
        return;
    }
    if (!m_dashboardView) {
        m_dashboardView = new DashboardView(m_context, *m_sessionModel, m_screens);
        m_screens->addWidget(m_dashboardView);
    }
    m_screens->setCurrentWidget(m_dashboardView);
    m_dashboardAction->setChecked(true);
    m_proxiesAction->setChecked(false);
}

void MainWindow::buildTeamAction()
{
    m_editMenu->addSeparator();
    m_teamAction = m_editMenu->addAction(QIcon::fromTheme(QStringLiteral("system-users")), tr("&Team…"), this, &MainWindow::showTeam);
    m_teamAction->setObjectName(QStringLiteral("teamAction"));
    m_teamAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_teamAction->setStatusTip(tr("Add team members, change their roles and assign clients"));
    // The permission of the REST team routes: admins and managers only.
    auto update = [this]() {
        const bool allowed = m_context.signedIn() && m_context.actor().can(Permission::ManageTeam);
        m_teamAction->setVisible(allowed);
        m_teamAction->setEnabled(allowed);
    };
    update();
    connect(&m_context, &DesktopContext::signedInChanged, m_teamAction, update);
}

TeamDialog *MainWindow::teamDialog() const
{
    return m_teamDialog;
}

void MainWindow::showTeam()
{
    if (!m_teamAction->isEnabled())
        return;
    if (!m_teamDialog) {
        m_teamDialog = new TeamDialog(m_context, this);
        m_teamDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_teamDialog->show();
    m_teamDialog->raise();
    m_teamDialog->activateWindow();
}

void MainWindow::buildStatusBar()
{
    m_apiLabel = new QLabel(this);
    m_apiLabel->setObjectName(QStringLiteral("apiStatusLabel"));
    m_readyLabel = new QLabel(this);
    m_readyLabel->setObjectName(QStringLiteral("readyStatusLabel"));
    m_databaseLabel = new QLabel(tr("Database: %1").arg(m_context.facts().database), this);
    m_databaseLabel->setObjectName(QStringLiteral("databaseStatusLabel"));
    m_databaseLabel->setToolTip(m_context.facts().secrets.isEmpty() ? QString() : tr("Secrets: %1").arg(m_context.facts().secrets));
    m_databaseLabel->setAccessibleName(m_databaseLabel->text());
    m_storageLabel = new MediaStorageLabel(m_context, this);
    statusBar()->addWidget(m_apiLabel, 1);
    statusBar()->addPermanentWidget(m_storageLabel);
    statusBar()->addPermanentWidget(m_readyLabel);
    statusBar()->addPermanentWidget(m_databaseLabel);
}

void MainWindow::probeApi()
{
    const QString address = m_context.facts().apiAddress;
    if (address.isEmpty()) {
        m_apiState = tr("off");
        updateStatus();
        return;
    }
    if (m_apiState.isEmpty())
        m_apiState = tr("checking");
    QNetworkRequest request(QUrl(address + QStringLiteral("/health")));
    request.setTransferTimeout(kApiTimeoutMs);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply]() {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200)
            m_apiState = tr("running");
        else if (status > 0)
            m_apiState = tr("degraded (HTTP %1)").arg(status);
        else
            m_apiState = tr("not answering");
        updateStatus();
    });
}

void MainWindow::updateStatus()
{
    const QString address = m_context.facts().apiAddress;
    m_apiLabel->setText(address.isEmpty() ? tr("API: off") : tr("API: %1 (%2)").arg(address, m_apiState));
    m_apiLabel->setAccessibleName(m_apiLabel->text());
    // Linked, running sessions among the clients this user sees: a paused one is still linked
    // and ready (only its queue waits), so it counts, and the label says how many are paused.
    int ready = 0;
    int paused = 0;
    const int total = m_sessionModel->rowCount();
    for (int row = 0; row < total; ++row) {
        const SessionState state = SessionState(m_sessionModel->index(row, 0).data(ClientListModel::StateRole).toInt());
        ready += ClientStatus::isReady(state) ? 1 : 0;
        paused += state == SessionState::Paused ? 1 : 0;
    }
    m_readyLabel->setText(paused > 0 ? tr("Ready: %1 of %2 (%3 paused)").arg(ready).arg(total).arg(paused)
                                     : tr("Ready: %1 of %2").arg(ready).arg(total));
    m_readyLabel->setToolTip(tr("Clients whose WhatsApp session is linked and running, of the clients you see "
                                "(paused ones included: their queue waits)"));
    m_readyLabel->setAccessibleName(m_readyLabel->text());
}

void MainWindow::selectClient(const QString &clientId)
{
    const int row = m_sessionModel->rowOf(clientId);
    if (row < 0)
        return;
    const QModelIndex at = m_sessionModel->index(row, 0);
    if (m_sessionList->currentIndex() != at)
        m_sessionList->setCurrentIndex(at); // → onCurrentChanged
    else
        onCurrentChanged(at);
}

void MainWindow::onCurrentChanged(const QModelIndex &current)
{
    const QString clientId = current.isValid() ? current.data(ClientListModel::ClientIdRole).toString() : QString();
    m_currentClient = clientId;
    m_sessionModel->setCurrentClient(clientId);
    m_actions->setCurrentClient(clientId);
    m_instanceActions->setCurrentClient(clientId);
    if (m_assignProxyAction)
        m_assignProxyAction->setEnabled(m_assignProxyAction->isVisible() && !clientId.isEmpty());
    m_sessionView->setClient(clientId, current.data(ClientListModel::NameRole).toString());
    m_conversations->setClient(clientId);
    updateStatus();
}

void MainWindow::showPage(int page)
{
    showClients();
    m_tabs->setCurrentIndex(qBound(0, page, m_tabs->count() - 1));
}

void MainWindow::refresh()
{
    m_sessionModel->reload();
    m_conversations->reloadContacts();
    if (m_proxiesView)
        m_proxiesView->refresh();
    if (m_dashboardView)
        m_dashboardView->refresh();
    probeApi();
}

void MainWindow::showSessionMenu(const QPoint &pos)
{
    const QModelIndex at = m_sessionList->indexAt(pos);
    if (at.isValid())
        selectClient(at.data(ClientListModel::ClientIdRole).toString());
    QMenu menu(this);
    menu.setObjectName(QStringLiteral("sessionContextMenu"));
    if (at.isValid()) {
        menu.addAction(tr("Show &WhatsApp Page"), this, [this]() { showPage(0); });
        menu.addAction(tr("Show &Conversations"), this, [this]() { showPage(1); });
        menu.addSeparator();
        for (QAction *a : m_actions->clientActions()) {
            if (!a)
                menu.addSeparator();
            else if (a->isVisible())
                menu.addAction(a);
        }
        QAction *pin = m_instanceActions->pinAction();
        if (m_assignProxyAction->isVisible() || pin->isVisible())
            menu.addSeparator();
        if (m_assignProxyAction->isVisible())
            menu.addAction(m_assignProxyAction);
        if (pin->isVisible())
            menu.addAction(pin);
    }
    if (m_actions->addAction()->isVisible()) {
        menu.addSeparator();
        menu.addAction(m_actions->addAction());
    }
    if (!menu.isEmpty())
        menu.exec(m_sessionList->viewport()->mapToGlobal(pos));
}

QString MainWindow::aboutText(const QString &waJsVersion)
{
    return tr("<h3>WaDesk %1</h3><p>Runs a team's WhatsApp sessions, with a REST API and signed webhooks.</p>"
              "<p>Qt %2 (built with %3)<br>Chromium %4 (Qt WebEngine %5)<br>wa-js %6</p>")
        .arg(QLatin1String(kVersion), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
             EngineInfo::chromiumVersion(), EngineInfo::qtWebEngineVersion(),
             waJsVersion.isEmpty() ? tr("(not loaded)") : waJsVersion.toHtmlEscaped());
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About WaDesk"), aboutText(m_context.sessions().waJsVersion()));
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (const QByteArray geometry = settings.value(kGeometryKey).toByteArray(); !geometry.isEmpty())
        restoreGeometry(geometry);
    if (const QByteArray state = settings.value(kStateKey).toByteArray(); !state.isEmpty())
        restoreState(state);
    m_restoredSplitter = settings.value(kSplitterKey).toByteArray();
    m_restoredConversations = settings.value(kConversationsKey).toByteArray();
    if (!m_restoredSplitter.isEmpty())
        m_splitter->restoreState(m_restoredSplitter);
    if (!m_restoredConversations.isEmpty())
        m_conversations->splitter()->restoreState(m_restoredConversations);
    showPage(settings.value(kTabKey, 0).toInt());
}

void MainWindow::saveSettings()
{
    if (m_saved)
        return;
    m_saved = true;
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    // A page the stack never showed (the Dashboard came first and stayed) was never laid out: its
    // splitters hold no sizes of their own, so the restored ones are kept.
    settings.setValue(kSplitterKey, m_clientsShown || m_restoredSplitter.isEmpty() ? m_splitter->saveState() : m_restoredSplitter);
    settings.setValue(kConversationsKey, m_clientsShown || m_restoredConversations.isEmpty() ? m_conversations->splitter()->saveState()
                                                                                              : m_restoredConversations);
    settings.setValue(kTabKey, m_tabs->currentIndex());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_saved = false;
    saveSettings();
    QMainWindow::closeEvent(event);
}

// Admin: Webhooks… (Ctrl+Shift+H, can_manage_webhooks), API Keys… (Ctrl+Shift+K, everyone
// signed in: the REST key routes need no permission; admins see every key), Audit Log…
// (Ctrl+Shift+G, can_view_audit_logs) and, with several instances, Instances… (Ctrl+Shift+I,
// InstanceActions). Each opens its dialog, or raises it when open.
void MainWindow::buildAdminMenu()
{
    m_adminMenu = menuBar()->addMenu(tr("&Admin"));
    m_adminMenu->setObjectName(QStringLiteral("adminMenu"));
    m_webhooksAction = m_adminMenu->addAction(tr("&Webhooks…"), this, &MainWindow::showWebhooks);
    m_webhooksAction->setObjectName(QStringLiteral("webhooksAction"));
    m_webhooksAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
    m_webhooksAction->setStatusTip(tr("The endpoints that receive events, their deliveries and dead letters"));
    m_apiKeysAction = m_adminMenu->addAction(tr("API &Keys…"), this, &MainWindow::showApiKeys);
    m_apiKeysAction->setObjectName(QStringLiteral("apiKeysAction"));
    m_apiKeysAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    m_apiKeysAction->setStatusTip(tr("Create and revoke keys for the REST API"));
    m_auditAction = m_adminMenu->addAction(tr("A&udit Log…"), this, &MainWindow::showAuditLog);
    m_auditAction->setObjectName(QStringLiteral("auditLogAction"));
    m_auditAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    m_auditAction->setStatusTip(tr("Who did what, when; verify the log's hash chain; export it"));
    m_adminMenu->addAction(m_instanceActions->instancesAction());
    auto update = [this]() {
        const bool in = m_context.signedIn();
        const bool webhooks = in && m_context.actor().can(Permission::ManageWebhooks) && m_context.services().webhooks();
        m_webhooksAction->setVisible(webhooks);
        m_webhooksAction->setEnabled(webhooks);
        m_apiKeysAction->setVisible(in);
        m_apiKeysAction->setEnabled(in);
        const bool audit = in && m_context.actor().can(Permission::ViewAuditLogs);
        m_auditAction->setVisible(audit);
        m_auditAction->setEnabled(audit);
    };
    update();
    connect(&m_context, &DesktopContext::signedInChanged, m_adminMenu, update);
}

WebhooksDialog *MainWindow::webhooksDialog() const
{
    return m_webhooksDialog;
}

ApiKeysDialog *MainWindow::apiKeysDialog() const
{
    return m_apiKeysDialog;
}

void MainWindow::showWebhooks()
{
    if (!m_webhooksAction->isEnabled())
        return;
    if (!m_webhooksDialog) {
        m_webhooksDialog = new WebhooksDialog(m_context, this);
        m_webhooksDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_webhooksDialog->show();
    m_webhooksDialog->raise();
    m_webhooksDialog->activateWindow();
}

AuditLogDialog *MainWindow::auditLogDialog() const
{
    return m_auditDialog;
}

void MainWindow::showAuditLog()
{
    if (!m_auditAction->isEnabled())
        return;
    if (!m_auditDialog) {
        m_auditDialog = new AuditLogDialog(m_context, this);
        m_auditDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_auditDialog->show();
    m_auditDialog->raise();
    m_auditDialog->activateWindow();
}

void MainWindow::showApiKeys()
{
    if (!m_apiKeysAction->isEnabled())
        return;
    if (!m_apiKeysDialog) {
        m_apiKeysDialog = new ApiKeysDialog(m_context, this);
        m_apiKeysDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_apiKeysDialog->show();
    m_apiKeysDialog->raise();
    m_apiKeysDialog->activateWindow();
}

// Issue 14's remaining screens: Edit → Contacts… (Ctrl+Shift+O) and Settings… (Ctrl+,; every
// member reads the organization, admins and managers also set client limits, admins change
// everything), File → My Account… (Ctrl+Shift+M). Each opens its dialog, or raises it when open.
void MainWindow::buildAccountActions()
{
    m_editMenu->addSeparator();
    m_contactsAction = m_editMenu->addAction(tr("&Contacts…"), this, &MainWindow::showContacts);
    m_contactsAction->setObjectName(QStringLiteral("contactsAction"));
    m_contactsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_contactsAction->setStatusTip(tr("Every contact with its tags and opt-out; search and edit"));
    m_settingsAction = m_editMenu->addAction(tr("&Settings…"), this, &MainWindow::showSettings);
    m_settingsAction->setObjectName(QStringLiteral("settingsAction"));
    m_settingsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    m_settingsAction->setStatusTip(tr("Organization, client limits and this installation's settings"));
    m_accountAction = new QAction(tr("My Acc&ount…"), this);
    m_accountAction->setObjectName(QStringLiteral("accountAction"));
    m_accountAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    m_accountAction->setStatusTip(tr("Change your password; delete a client"));
    connect(m_accountAction, &QAction::triggered, this, &MainWindow::showAccount);
    const QList<QAction *> fileActions = m_fileMenu->actions();
    m_fileMenu->insertAction(fileActions.size() > 1 ? fileActions.at(1) : nullptr, m_accountAction);
    auto update = [this]() {
        const bool in = m_context.signedIn();
        for (QAction *a : {m_contactsAction, m_settingsAction, m_accountAction}) {
            a->setVisible(in);
            a->setEnabled(in);
        }
    };
    update();
    connect(&m_context, &DesktopContext::signedInChanged, m_editMenu, update);
}

namespace {
template <class Dialog>
Dialog *raiseOrOpen(QPointer<Dialog> &slot, DesktopContext &context, QWidget *parent)
{
    if (!slot) {
        slot = new Dialog(context, parent);
        slot->setAttribute(Qt::WA_DeleteOnClose);
    }
    slot->show();
    slot->raise();
    slot->activateWindow();
    return slot;
}
} // namespace

ContactsDialog *MainWindow::contactsDialog() const
{
    return m_contactsDialog;
}

SettingsDialog *MainWindow::settingsDialog() const
{
    return m_settingsDialog;
}

AccountDialog *MainWindow::accountDialog() const
{
    return m_accountDialog;
}

void MainWindow::showContacts()
{
    if (m_contactsAction->isEnabled())
        raiseOrOpen(m_contactsDialog, m_context, this);
}

void MainWindow::showSettings()
{
    if (m_settingsAction->isEnabled())
        raiseOrOpen(m_settingsDialog, m_context, this);
}

void MainWindow::showAccount()
{
    if (!m_accountAction->isEnabled())
        return;
    const bool opened = !m_accountDialog;
    AccountDialog *dialog = raiseOrOpen(m_accountDialog, m_context, this);
    if (opened)
        connect(dialog, &AccountDialog::clientDeleted, this, &MainWindow::refresh);
}

// Issue 13's Campaigns screen: Edit → Campaigns… (Ctrl+Shift+B), for the roles that may read
// campaigns (can_view_analytics, as GET /api/campaigns requires).
void MainWindow::buildCampaignsAction()
{
    m_campaignsAction = m_editMenu->addAction(tr("Ca&mpaigns…"), this, &MainWindow::showCampaigns);
    m_campaignsAction->setObjectName(QStringLiteral("campaignsAction"));
    m_campaignsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
    m_campaignsAction->setStatusTip(tr("Bulk sending: campaigns with their progress; create, start, pause, resume, cancel"));
    auto update = [this]() {
        const bool allowed = m_context.signedIn() && m_context.actor().can(Permission::ViewAnalytics);
        m_campaignsAction->setVisible(allowed);
        m_campaignsAction->setEnabled(allowed);
        if (!allowed && m_campaignsDialog)
            m_campaignsDialog->close();
    };
    update();
    connect(&m_context, &DesktopContext::signedInChanged, m_editMenu, update);
}

CampaignsDialog *MainWindow::campaignsDialog() const
{
    return m_campaignsDialog;
}

void MainWindow::showCampaigns()
{
    if (m_campaignsAction->isEnabled())
        raiseOrOpen(m_campaignsDialog, m_context, this);
}

// Issue 13's editors: Edit → Templates and Replies… for those who manage them or use quick replies.
void MainWindow::buildAutomationAction()
{
    m_automationAction = m_editMenu->addAction(tr("Templates and &Replies…"), this, &MainWindow::showAutomation);
    m_automationAction->setObjectName(QStringLiteral("automationAction"));
    m_automationAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_automationAction->setStatusTip(tr("Message templates, quick replies and auto-reply rules"));
    auto update = [this]() {
        const bool may = m_context.signedIn()
                         && (m_context.actor().can(Permission::ManageClients) || m_context.actor().can(Permission::SendMessages));
        m_automationAction->setVisible(may);
        m_automationAction->setEnabled(may);
        if (!may && m_automationDialog)
            m_automationDialog->close();
    };
    update();
    connect(&m_context, &DesktopContext::signedInChanged, m_editMenu, update);
}

AutomationDialog *MainWindow::automationDialog() const
{
    return m_automationDialog;
}

void MainWindow::showAutomation()
{
    if (m_automationAction->isEnabled())
        raiseOrOpen(m_automationDialog, m_context, this);
}

} // namespace wadesk
