#pragma once

#include "core/common/DomainError.h"

#include <QObject>
#include <QString>

class QAction;
class QMenu;
class QWidget;

namespace wadesk {

class DesktopContext;
class ClientListModel;

// The operator's actions on clients: add, rename, start, stop, log out, pause and resume. Each
// one is a QAction (toolbar, menus and the list's context menu share them), shown only to roles
// that may take it (can_manage_clients) and enabled only when it makes sense for the selected
// client's state. Every action goes through the services with the signed-in actor (the session
// actions through ClientActionService, as the REST API's), which record it in the audit log.
class ClientActions final : public QObject {
    Q_OBJECT
public:
    ClientActions(DesktopContext &context, ClientListModel &model, QWidget *dialogParent);

    QAction *addAction() const { return m_add; }
    QAction *renameAction() const { return m_rename; }
    QAction *startAction() const { return m_start; }
    QAction *stopAction() const { return m_stop; }
    QAction *logoutAction() const { return m_logout; }
    QAction *pauseAction() const { return m_pause; }
    QAction *resumeAction() const { return m_resume; }
    QList<QAction *> clientActions() const; // everything but "add", in menu order (with nullptr separators)

    void setCurrentClient(const QString &clientId);
    QString currentClient() const { return m_clientId; }
    // Re-evaluates visibility (role) and enabled state (client state).
    void update();

    // The actions without their dialogs (the QActions ask first, then call these).
    Result<QString> createClient(const QString &name, const QString &phoneNumber);
    Status renameClient(const QString &clientId, const QString &name);
    Status startClient(const QString &clientId);
    Status stopClient(const QString &clientId);
    Status logoutClient(const QString &clientId);
    Status pauseClient(const QString &clientId);
    Status resumeClient(const QString &clientId);

signals:
    void clientCreated(const QString &clientId);
    void failed(const QString &message);

private:
    void onAdd();
    void onRename();
    void onLogout();
    void report(const Status &status);
    bool mayManage() const;
    // A refusal from the service, in the operator's language where it has words for it.
    DomainError translated(const DomainError &error) const;

    DesktopContext &m_context;
    ClientListModel &m_model;
    QWidget *m_dialogParent;
    QString m_clientId;
    QAction *m_add = nullptr;
    QAction *m_rename = nullptr;
    QAction *m_start = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_logout = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_resume = nullptr;
};

} // namespace wadesk
