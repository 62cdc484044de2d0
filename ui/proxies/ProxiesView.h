#pragma once

#include "core/common/DomainError.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QLabel;
class QPushButton;
class QStackedWidget;
class QTreeView;

namespace wadesk {

class ErrorLabel;

class AssignProxyDialog;
class DesktopContext;
class ProxyDialog;
class ProxyListModel;
struct Event;

// The Proxies screen of the main window: the organization's proxy pool with each proxy's health,
// and what may be done with it. Admins (can_manage_organization) add, edit and delete proxies;
// admins and managers (can_manage_clients) assign a proxy to a client ("Automatic" and "No proxy"
// included); agents and viewers are not offered the screen, and see nothing in it if they get
// there. Every action goes through ProxyService with the signed-in actor (RBAC, tenant scope and
// the audit log as for the REST API), and the list is read again after each action, when a
// proxy fails (`client.proxy_failed`), when the screen is shown and every half minute while it
// is (health checks run in the background).
//
// "Test now" asks the engine's ProxyHealthMonitor to check the selected proxy at once and says
// what the check found; where there is no monitor (tests of the screen alone) it stays disabled
// with the reason in its tooltip, and the screen never makes up a result.
class ProxiesView final : public QWidget {
    Q_OBJECT
public:
    explicit ProxiesView(DesktopContext &context, QWidget *parent = nullptr);
    ~ProxiesView() override;

    ProxyListModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QLabel *emptyLabel() const { return m_empty; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *editButton() const { return m_edit; }
    QPushButton *deleteButton() const { return m_delete; }
    QPushButton *testButton() const { return m_test; }
    QPushButton *assignButton() const { return m_assign; }
    ProxyDialog *proxyDialog() const;
    AssignProxyDialog *assignDialog() const;
    QString errorText() const;
    QString statusText() const;
    QString hintText() const;

    QString currentProxy() const { return m_current; }
    void selectProxy(const QString &proxyId);
    // Reads the pool again (the selection stays where it can).
    void refresh();

    // Open the dialogs (window-modal; they return at once). Null when the role may not.
    ProxyDialog *openAddProxy();
    ProxyDialog *openEditProxy(const QString &proxyId);
    // Preselects `clientId` when given, and the selected proxy.
    AssignProxyDialog *openAssign(const QString &clientId = QString());
    // The actions without their dialogs ("Delete…" asks first, then calls this).
    Status deleteProxy(const QString &proxyId);
    Status assignProxy(const QString &clientId, const QString &proxyIdOrAuto);
    Status setFailover(const QString &clientId, bool allowed);

signals:
    void proxyCreated(const QString &proxyId);
    // A client's proxy changed here (its details show the new one).
    void proxyAssigned(const QString &clientId);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void onCurrentChanged();
    void onDelete();
    void onTestNow();
    void onEvent(const Event &event);
    void submitProxy();
    void submitAssign();
    void updateControls();
    bool mayManagePool() const;
    bool mayAssign() const;
    void showError(const QString &message);
    void showStatus(const QString &message);
    Status report(const Status &status);

    DesktopContext &m_context;
    ProxyListModel *m_model = nullptr;
    QStackedWidget *m_stack = nullptr;
    QTreeView *m_view = nullptr;
    QLabel *m_empty = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_delete = nullptr;
    QPushButton *m_test = nullptr;
    QPushButton *m_assign = nullptr;
    QLabel *m_hint = nullptr;
    QLabel *m_status = nullptr;
    ErrorLabel *m_error = nullptr;
    QPointer<ProxyDialog> m_proxyDialog;
    QPointer<AssignProxyDialog> m_assignDialog;
    QString m_current;
    QString m_checking; // the proxy "Test now" waits for
    QTimer m_refreshTimer;
};

} // namespace wadesk
