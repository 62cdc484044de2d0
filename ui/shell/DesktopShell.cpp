#include "ui/shell/DesktopShell.h"

#include "core/access/Permissions.h"
#include "core/common/Version.h"
#include "core/events/EventPayloads.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/main/MainWindow.h"
#include "core/sessions/ClientActionService.h"
#include "core/sessions/ClientService.h"
#include "ui/signin/SignInDialog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QSettings>
#include <QSystemTrayIcon>
#include <memory>
#include <spdlog/spdlog.h>
#include <type_traits>

namespace wadesk {

namespace {

const QString kNotificationsKey = QStringLiteral("desktop/notifications");

// The main window comes from ui/main. Its constructor takes the context (the screens' contract);
// an older window that takes only facts is still built, so the shell builds against either.
template <typename Window>
Window *makeWindow(DesktopContext &context)
{
    if constexpr (std::is_constructible_v<Window, DesktopContext &, QWidget *>) {
        return new Window(context, nullptr);
    } else {
        typename Window::Facts facts;
        facts.apiAddress = context.facts().apiAddress;
        facts.database = context.facts().database;
        facts.secrets = context.facts().secrets;
        return new Window(facts, nullptr);
    }
}

// Whether `action` is in one of `window`'s menus (menus are windows of their own, so the
// parent chain is walked rather than asking isAncestorOf()).
bool placedIn(QAction *action, QObject *window)
{
    for (QObject *object : action->associatedObjects()) {
        if (!qobject_cast<QMenu *>(object))
            continue;
        for (QObject *p = object->parent(); p; p = p->parent()) {
            if (p == window)
                return true;
        }
    }
    return false;
}

} // namespace

DesktopShell::DesktopShell(DesktopContext &context, Options options, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_options(std::move(options))
{
    m_show = new QAction(tr("&Show WaDesk"), this);
    m_show->setObjectName(QStringLiteral("showAction"));
    connect(m_show, &QAction::triggered, this, &DesktopShell::showFront);

    m_pauseAll = new QAction(tr("&Pause all clients"), this);
    m_pauseAll->setObjectName(QStringLiteral("pauseAllAction"));
    m_pauseAll->setToolTip(tr("Stop every client's send queue until it is resumed"));
    connect(m_pauseAll, &QAction::triggered, this, &DesktopShell::confirmPauseAll);

    m_notifications = new QAction(tr("Desktop &notifications"), this);
    m_notifications->setObjectName(QStringLiteral("notificationsAction"));
    m_notifications->setCheckable(true);
    m_notifications->setToolTip(tr("Show a notification when a message arrives"));
    {
        const QSettings settings(m_options.settingsFile, QSettings::IniFormat);
        m_notifications->setChecked(m_options.settingsFile.isEmpty() || settings.value(kNotificationsKey, true).toBool());
    }
    connect(m_notifications, &QAction::toggled, this, [this](bool on) {
        if (m_options.settingsFile.isEmpty())
            return;
        QSettings settings(m_options.settingsFile, QSettings::IniFormat);
        settings.setValue(kNotificationsKey, on);
    });

    m_signOut = new QAction(tr("Sign &out"), this);
    m_signOut->setObjectName(QStringLiteral("signOutAction"));
    connect(m_signOut, &QAction::triggered, &m_context, &DesktopContext::signOut);

    m_quit = new QAction(tr("&Quit WaDesk"), this);
    m_quit->setObjectName(QStringLiteral("quitAction"));
    connect(m_quit, &QAction::triggered, this, [this]() {
        m_quitting = true;
        emit quitRequested();
    });

    m_context.setShellActions(m_signOut, m_notifications);

    if (m_options.useTray && QSystemTrayIcon::isSystemTrayAvailable()) {
        m_trayMenu = new QMenu();
        m_trayMenu->setObjectName(QStringLiteral("trayMenu"));
        m_trayMenu->addAction(m_show);
        m_trayMenu->addAction(m_pauseAll);
        m_trayMenu->addAction(m_notifications);
        m_trayMenu->addSeparator();
        m_trayMenu->addAction(m_quit);
        m_tray = new QSystemTrayIcon(trayIcon(0), this);
        m_tray->setContextMenu(m_trayMenu);
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                showFront();
        });
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, &DesktopShell::showFront);
        m_tray->show();
    }
    setUnread(0);
    updateActions();

    connect(&m_context, &DesktopContext::signedInChanged, this, &DesktopShell::onSignedInChanged);
    connect(&m_context.events(), &EventBus::published, this, &DesktopShell::onEvent, Qt::QueuedConnection);
}

DesktopShell::~DesktopShell()
{
    m_quitting = true;
    m_context.setShellActions(nullptr, nullptr);
    delete m_window.data();
    delete m_dialog.data();
    delete m_tray; // before its menu
    m_tray = nullptr;
    delete m_trayMenu;
}

QMainWindow *DesktopShell::window() const
{
    return m_window.data();
}

SignInDialog *DesktopShell::signInDialog() const
{
    return m_dialog.data();
}

bool DesktopShell::notificationsEnabled() const
{
    return m_notifications->isChecked();
}

void DesktopShell::start()
{
    if (m_context.signedIn())
        showWindow();
    else
        showSignIn();
}

void DesktopShell::showFront()
{
    setUnread(0);
    QWidget *front = m_window ? static_cast<QWidget *>(m_window.data()) : static_cast<QWidget *>(m_dialog.data());
    if (!front) {
        start();
        return;
    }
    if (front->isMinimized())
        front->showNormal();
    else
        front->show();
    front->raise();
    front->activateWindow();
}

void DesktopShell::onSignedInChanged()
{
    updateActions();
    setUnread(0);
    if (m_context.signedIn()) {
        spdlog::info("desktop: {} signed in", m_context.actor().email.toStdString());
        showWindow();
    } else {
        spdlog::info("desktop: signed out");
        closeWindow();
        showSignIn();
    }
}

void DesktopShell::showSignIn()
{
    if (m_dialog) {
        showFront();
        return;
    }
    m_dialog = new SignInDialog(m_context, m_options.settingsFile);
    m_dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog->setWindowIcon(trayIcon(0));
    connect(m_dialog, &QDialog::rejected, this, [this]() {
        if (!m_context.signedIn() && !m_quitting) {
            m_quitting = true;
            emit quitRequested();
        }
    });
    m_dialog->show();
    m_dialog->raise();
    m_dialog->activateWindow();
}

void DesktopShell::showWindow()
{
    if (m_dialog) {
        // Signed in (the dialog is finishing, or the sign-in came from elsewhere): it goes.
        SignInDialog *dialog = m_dialog.data();
        m_dialog.clear();
        dialog->disconnect(this);
        dialog->hide();
        dialog->deleteLater();
    }
    if (!m_window) {
        m_window = makeWindow<MainWindow>(m_context);
        m_window->setAttribute(Qt::WA_DeleteOnClose, false);
        if (m_window->windowIcon().isNull())
            m_window->setWindowIcon(trayIcon(0));
        m_window->installEventFilter(this);
        placeActions();
    }
    m_window->show();
    m_window->raise();
    m_window->activateWindow();
}

void DesktopShell::closeWindow()
{
    if (!m_window)
        return;
    QMainWindow *window = m_window.data();
    m_window.clear();
    window->removeEventFilter(this);
    window->hide();
    // Sign out may come from the window's own menu: it goes once that call has returned.
    window->deleteLater();
}

void DesktopShell::placeActions()
{
    // The window's File menu should hold "Sign out" and its View menu "Desktop notifications"
    // (DesktopContext::signOutAction / notificationsAction); what it did not place goes here.
    if (!placedIn(m_signOut, m_window)) {
        const QList<QAction *> top = m_window->menuBar()->actions();
        QMenu *file = top.isEmpty() ? nullptr : top.first()->menu();
        if (!file)
            file = m_window->menuBar()->addMenu(tr("&File"));
        const QList<QAction *> items = file->actions();
        QAction *before = items.isEmpty() ? nullptr : items.last(); // usually Quit
        if (before) {
            file->insertAction(before, m_signOut);
            file->insertSeparator(before);
        } else {
            file->addAction(m_signOut);
        }
    }
    if (!placedIn(m_notifications, m_window)) {
        for (QAction *top : m_window->menuBar()->actions()) {
            if (top->menu() && top->menu()->objectName() == QLatin1String("viewMenu")) {
                top->menu()->addSeparator();
                top->menu()->addAction(m_notifications);
                break;
            }
        }
    }
}

bool DesktopShell::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_window.data()) {
        if (event->type() == QEvent::WindowActivate) {
            setUnread(0);
        } else if (event->type() == QEvent::Close && !m_quitting) {
            if (m_tray && m_tray->isVisible()) {
                // Sessions keep running: closing the window leaves WaDesk in the tray.
                event->ignore();
                m_window->hide();
                if (!m_toldAboutTray) {
                    m_toldAboutTray = true;
                    m_tray->showMessage(QLatin1String(kDisplayName),
                                        tr("WaDesk keeps running in the tray. Use Quit in its menu to stop it."),
                                        QSystemTrayIcon::Information, 5000);
                }
                return true;
            }
            m_quitting = true;
            emit quitRequested();
        }
    }
    return QObject::eventFilter(watched, event);
}

void DesktopShell::onEvent(const Event &event)
{
    if (!m_context.signedIn() || !event.is(EventType::MessageReceived))
        return;
    const std::optional<MessageEventData> message = MessageEvents::parse(event);
    const AuthContext &actor = m_context.actor();
    if (event.organizationId != actor.organizationId)
        return;
    if (!message || (!Permissions::seesAllClients(actor.role) && !m_context.clients().get(actor, message->clientId)))
        return; // a client this user is not assigned to
    const bool looking = m_window && m_window->isVisible() && m_window->isActiveWindow();
    if (looking)
        return;
    setUnread(m_unread + 1);
    if (!notificationsEnabled())
        return;
    const QString from = message->counterpart;
    QString body = message->body.simplified();
    if (body.size() > 140)
        body = body.left(139) + QChar(0x2026);
    const QString title = tr("New message from %1").arg(from);
    if (m_tray && m_tray->isVisible())
        m_tray->showMessage(title, body, QSystemTrayIcon::Information, 8000);
    emit notified(title, body);
}

void DesktopShell::setUnread(int unread)
{
    m_unread = unread;
    const QString tip = unread > 0 ? tr("WaDesk: %n unread message(s)", nullptr, unread) : tr("WaDesk: no unread messages");
    if (m_tray) {
        m_tray->setToolTip(tip);
        m_tray->setIcon(trayIcon(unread));
    }
}

void DesktopShell::updateActions()
{
    const bool in = m_context.signedIn();
    m_signOut->setEnabled(in);
    m_pauseAll->setEnabled(in && m_context.actor().can(Permission::ManageClients));
    m_pauseAll->setVisible(!in || m_context.actor().can(Permission::ManageClients));
}

void DesktopShell::confirmPauseAll()
{
    if (!m_pauseAll->isEnabled())
        return;
    QWidget *parent = m_window ? static_cast<QWidget *>(m_window.data()) : nullptr;
    const auto answer = QMessageBox::question(parent, tr("Pause all clients"),
                                              tr("Stop sending on every client of your organization? Queued messages "
                                                 "stay queued until each client is resumed."));
    if (answer != QMessageBox::Yes)
        return;
    const int paused = pauseAll();
    const QString text = tr("%n client(s) paused.", nullptr, paused);
    if (m_tray && m_tray->isVisible())
        m_tray->showMessage(QLatin1String(kDisplayName), text, QSystemTrayIcon::Information, 5000);
    else
        QMessageBox::information(parent, tr("Pause all clients"), text);
}

int DesktopShell::pauseAll()
{
    // Signed out, the actor is empty: refused like any role that may not manage clients.
    Result<int> paused = m_context.clientActions().pauseAll(m_context.actor());
    if (!paused) {
        if (paused.error().code != QLatin1String("forbidden"))
            spdlog::error("pause all: {}", paused.error().message.toStdString());
        return 0;
    }
    return paused.value();
}

QIcon DesktopShell::trayIcon(int unread)
{
    QPixmap pixmap(64, 64);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0x25, 0xd3, 0x66));
    p.drawEllipse(QRectF(2, 2, 60, 60));
    p.setPen(Qt::white);
    QFont font = p.font();
    font.setBold(true);
    font.setPixelSize(34);
    p.setFont(font);
    p.drawText(QRectF(2, 2, 60, 60), Qt::AlignCenter, QStringLiteral("W"));
    if (unread > 0) {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0xd9, 0x30, 0x25));
        p.drawEllipse(QRectF(30, 0, 34, 34));
        p.setPen(Qt::white);
        font.setPixelSize(unread > 99 ? 14 : 20);
        p.setFont(font);
        p.drawText(QRectF(30, 0, 34, 34), Qt::AlignCenter, unread > 99 ? QStringLiteral("99+") : QString::number(unread));
    }
    p.end();
    return QIcon(pixmap);
}

} // namespace wadesk
