#pragma once

#include "core/auth/PasswordHasher.h"
#include "core/access/Permissions.h"
#include "core/common/DomainError.h"

#include <QDialog>
#include <QFuture>
#include <QList>
#include <QPointer>
#include <memory>

class QComboBox;
class QGroupBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QTreeView;

namespace wadesk {

class ErrorLabel;

class AddMemberDialog;
class DesktopContext;
class TeamMemberModel;

// The organization's team for admins and managers (can_manage_team, as the REST team routes):
// the members; Add member…, Change role, Deactivate/Activate and Remove; and, for a selected
// agent or viewer, the clients assigned to them as a checklist. Every action goes through
// TeamService with the signed-in actor, so the guide's (docs/integration-guide.md) rules (managers manage only agents and
// viewers; nobody changes their own role, disables or removes themselves or the last admin)
// and the audit log apply as they do for the API. Buttons are disabled for members the actor
// may not manage, with the reason shown; a refusal from the service is shown inline.
class TeamDialog final : public QDialog {
    Q_OBJECT
public:
    explicit TeamDialog(DesktopContext &context, QWidget *parent = nullptr);
    ~TeamDialog() override;

    TeamMemberModel *memberModel() const { return m_model; }
    QTreeView *memberView() const { return m_view; }
    QPushButton *addButton() const { return m_add; }
    QComboBox *roleCombo() const { return m_role; }
    QPushButton *changeRoleButton() const { return m_changeRole; }
    QPushButton *activeButton() const { return m_active; }
    QPushButton *removeButton() const { return m_remove; }
    QListWidget *clientList() const { return m_clients; }
    QGroupBox *clientBox() const { return m_clientBox; }
    // The "Add member" dialog while it is open.
    AddMemberDialog *addMemberDialog() const;
    QString errorText() const;
    QString hintText() const;

    QString currentMember() const { return m_current; }
    void selectMember(const QString &userId);
    // Reads members and clients again.
    void refresh();

    // Opens "Add member" (window-modal; returns at once).
    AddMemberDialog *openAddMember();
    // The actions without their dialogs (the buttons ask first where needed, then call these).
    Status changeRole(const QString &userId, Role role);
    Status setActive(const QString &userId, bool active);
    Status removeMember(const QString &userId);
    Status setAssigned(const QString &userId, const QString &clientId, bool assigned);

signals:
    void memberAdded(const QString &userId);
    // An attempt to add a member ended (success or not).
    void addFinished(bool added);

protected:
    void hideEvent(QHideEvent *event) override;

private:
    struct ClientEntry {
        QString id;
        QString text;
    };
    void onCurrentChanged();
    void submitNewMember();
    void finishNewMember(const QString &email, const QString &name, Role role, const QString &hash);
    void onRemove();
    void onClientToggled(QListWidgetItem *item);
    void updateControls();
    void loadClients();
    // The organization's clients for the checklist, listed once per opening of the dialog (and
    // again on refresh()), not on each member selection.
    bool ensureClientCache();
    void updateClientNote();
    Status applyAssignment(const QString &userId, const QString &clientId, bool assigned);
    bool mayManageTeam() const;
    // Shows the outcome under the list (a failure's text, or nothing); report() also returns it.
    void showStatus(const Status &status);
    // The team model's own (already translated) text, or nothing.
    void showText(const QString &text);
    Status report(const Status &status);

    DesktopContext &m_context;
    TeamMemberModel *m_model = nullptr;
    QTreeView *m_view = nullptr;
    QPushButton *m_add = nullptr;
    QComboBox *m_role = nullptr;
    QPushButton *m_changeRole = nullptr;
    QPushButton *m_active = nullptr;
    QPushButton *m_remove = nullptr;
    QLabel *m_hint = nullptr;
    QGroupBox *m_clientBox = nullptr;
    QListWidget *m_clients = nullptr;
    QLabel *m_clientNote = nullptr;
    ErrorLabel *m_error = nullptr;
    QPointer<AddMemberDialog> m_addDialog;
    QFuture<std::shared_ptr<const PasswordHasher>> m_hasher; // made on first use, off the UI thread
    bool m_hasherStarted = false;
    QString m_current;
    bool m_loadingClients = false;
    QList<ClientEntry> m_clientCache;
    bool m_clientCacheValid = false;
};

} // namespace wadesk
