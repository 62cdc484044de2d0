#pragma once

#include "core/events/EventBus.h"

#include <QIcon>
#include <QObject>
#include <QPointer>
#include <QString>

class QAction;
class QMainWindow;
class QMenu;
class QSystemTrayIcon;

namespace wadesk {

class DesktopContext;
class SignInDialog;

// The desktop around the screens: the sign-in dialog, then the main window for the signed-in
// user; sign-out back to the dialog; the tray icon (unread total, Show, Pause all, Quit) and
// desktop notifications for incoming messages (`desktop/notifications`, on by default).
class DesktopShell final : public QObject {
    Q_OBJECT
public:
    struct Options {
        QString settingsFile; // desktop/lastEmail, desktop/notifications
        bool useTray = true;  // false: no tray icon even where one is available (tests)
    };
    DesktopShell(DesktopContext &context, Options options, QObject *parent = nullptr);
    ~DesktopShell() override;

    // Shows the sign-in dialog (or the window, when already signed in).
    void start();
    // Brings WaDesk to the front (tray "Show", a second launch): the window or the dialog.
    void showFront();

    int unreadCount() const { return m_unread; }
    bool notificationsEnabled() const;
    QMainWindow *window() const;
    SignInDialog *signInDialog() const;
    QSystemTrayIcon *tray() const { return m_tray; }
    QAction *signOutAction() const { return m_signOut; }
    QAction *notificationsAction() const { return m_notifications; }
    QAction *pauseAllAction() const { return m_pauseAll; }

    // Pauses every client the signed-in user may manage; returns how many were paused.
    int pauseAll();
    static QIcon trayIcon(int unread);

signals:
    void quitRequested();
    // A desktop notification was shown (title, text): for tests and logs.
    void notified(const QString &title, const QString &text);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onSignedInChanged();
    void onEvent(const wadesk::Event &event);
    void showSignIn();
    void showWindow();
    void closeWindow();
    void placeActions();
    void setUnread(int unread);
    void updateActions();
    void confirmPauseAll();

    DesktopContext &m_context;
    Options m_options;
    QPointer<QMainWindow> m_window;
    QPointer<SignInDialog> m_dialog;
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_trayMenu = nullptr;
    QAction *m_show = nullptr;
    QAction *m_pauseAll = nullptr;
    QAction *m_notifications = nullptr;
    QAction *m_signOut = nullptr;
    QAction *m_quit = nullptr;
    int m_unread = 0;
    bool m_quitting = false;
    bool m_toldAboutTray = false;
};

} // namespace wadesk
