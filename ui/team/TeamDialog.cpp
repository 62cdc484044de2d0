#include "ui/team/TeamDialog.h"

#include "ui/common/ErrorLabel.h"
#include "core/auth/TeamService.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/TeamMemberModel.h"
#include "core/sessions/ClientService.h"
#include "ui/team/AddMemberDialog.h"
#include "ui/common/ErrorText.h"
#include "ui/common/RowListView.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHideEvent>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSet>
#include <QSignalBlocker>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace wadesk {

namespace {
constexpr int kClientPageSize = 500;
const QList<Role> kAllRoles = {Role::Admin, Role::Manager, Role::Agent, Role::Viewer};

DomainError forbidden()
{
    return DomainError::forbidden(TeamDialog::tr("Your role may not manage the team."));
}

bool hasOwnClients(Role role)
{
    return !Permissions::seesAllClients(role);
}
} // namespace

TeamDialog::TeamDialog(DesktopContext &context, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("teamDialog"));
    setWindowTitle(tr("Team"));
    m_model = new TeamMemberModel(m_context, this);

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("The members of your organization. Admins manage everyone; managers manage agents and viewers. "
                                "Agents and viewers see only the clients assigned to them."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *body = new QHBoxLayout;
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("memberList"));
    m_view->setAccessibleName(tr("Team members"));
    m_view->setModel(m_model);
    configureRowList(m_view, TeamMemberModel::EmailColumn);
    body->addWidget(m_view, 1);

    auto *side = new QVBoxLayout;
    m_add = new QPushButton(tr("&Add Member…"), this);
    m_add->setObjectName(QStringLiteral("addMemberButton"));
    m_add->setAccessibleName(tr("Add member"));
    m_add->setToolTip(tr("Create an account for a new team member"));
    side->addWidget(m_add);
    side->addSpacing(8);
    auto *roleRow = new QFormLayout;
    m_role = new QComboBox(this);
    m_role->setObjectName(QStringLiteral("roleCombo"));
    m_role->setAccessibleName(tr("New role for the selected member"));
    for (Role r : kAllRoles) {
        if (Permissions::mayManageRole(m_context.actor().role, r))
            m_role->addItem(TeamMemberModel::roleText(r), int(r));
    }
    roleRow->addRow(tr("R&ole:"), m_role);
    side->addLayout(roleRow);
    m_changeRole = new QPushButton(tr("&Change Role"), this);
    m_changeRole->setObjectName(QStringLiteral("changeRoleButton"));
    m_changeRole->setAccessibleName(tr("Change role"));
    m_changeRole->setToolTip(tr("Give the selected member the role chosen above"));
    side->addWidget(m_changeRole);
    m_active = new QPushButton(tr("&Deactivate"), this);
    m_active->setObjectName(QStringLiteral("activeButton"));
    m_active->setAccessibleName(tr("Deactivate member"));
    side->addWidget(m_active);
    m_remove = new QPushButton(tr("&Remove…"), this);
    m_remove->setObjectName(QStringLiteral("removeMemberButton"));
    m_remove->setAccessibleName(tr("Remove member"));
    m_remove->setToolTip(tr("Delete the selected member's account"));
    side->addWidget(m_remove);
    m_hint = new QLabel(this);
    m_hint->setObjectName(QStringLiteral("teamHint"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::PlainText);
    m_hint->setVisible(false);
    side->addWidget(m_hint);

    m_clientBox = new QGroupBox(tr("Assigned c&lients"), this);
    m_clientBox->setObjectName(QStringLiteral("assignedClientsBox"));
    auto *clientLayout = new QVBoxLayout(m_clientBox);
    m_clientNote = new QLabel(m_clientBox);
    m_clientNote->setObjectName(QStringLiteral("assignedClientsNote"));
    m_clientNote->setWordWrap(true);
    m_clientNote->setTextFormat(Qt::PlainText); // shows member names
    clientLayout->addWidget(m_clientNote);
    m_clients = new QListWidget(m_clientBox);
    m_clients->setObjectName(QStringLiteral("assignedClients"));
    m_clients->setAccessibleName(tr("Assigned clients"));
    m_clients->setToolTip(tr("Tick the clients this member may see"));
    m_clients->setSelectionMode(QAbstractItemView::SingleSelection);
    clientLayout->addWidget(m_clients, 1);
    m_clientBox->setMinimumWidth(260);
    side->addWidget(m_clientBox, 1);
    body->addLayout(side);
    layout->addLayout(body, 1);

    m_error = new ErrorLabel(QStringLiteral("teamError"), tr("Team error"), this);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_add, &QPushButton::clicked, this, [this]() { openAddMember(); });
    connect(m_changeRole, &QPushButton::clicked, this, [this]() {
        if (m_role->currentIndex() >= 0)
            discardOutcome(changeRole(m_current, Role(m_role->currentData().toInt()))); // shown in the dialog
    });
    connect(m_role, &QComboBox::currentIndexChanged, this, &TeamDialog::updateControls);
    connect(m_active, &QPushButton::clicked, this, [this]() {
        if (const UserRecord *m = m_model->member(m_current))
            discardOutcome(setActive(m_current, !m->active)); // shown in the dialog
    });
    connect(m_remove, &QPushButton::clicked, this, &TeamDialog::onRemove);
    connect(m_clients, &QListWidget::itemChanged, this, &TeamDialog::onClientToggled);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &TeamDialog::onCurrentChanged);
    // The selection survives a reload (after each change).
    connect(m_model, &QAbstractItemModel::modelReset, this, [this]() {
        const QString keep = m_current;
        m_current.clear();
        if (m_model->rowOf(keep) >= 0)
            selectMember(keep);
        else if (m_model->rowCount() > 0)
            selectMember(m_model->userIdAt(0));
        else
            onCurrentChanged();
    });

    if (!m_model->lastError().isEmpty())
        showText(m_model->lastError());
    if (m_model->rowCount() > 0)
        selectMember(m_model->userIdAt(0));
    else
        onCurrentChanged();
    resize(860, 520);
}

TeamDialog::~TeamDialog() = default;

void TeamDialog::hideEvent(QHideEvent *event)
{
    // Shown again later, the dialog lists the clients afresh.
    if (!event->spontaneous())
        m_clientCacheValid = false;
    QDialog::hideEvent(event);
}

bool TeamDialog::mayManageTeam() const
{
    return m_context.signedIn() && m_context.actor().can(Permission::ManageTeam);
}

AddMemberDialog *TeamDialog::addMemberDialog() const
{
    return m_addDialog;
}

QString TeamDialog::errorText() const
{
    return m_error->text();
}

QString TeamDialog::hintText() const
{
    return m_hint->text();
}

void TeamDialog::selectMember(const QString &userId)
{
    const int row = m_model->rowOf(userId);
    if (row < 0)
        return;
    const QModelIndex at = m_model->index(row, 0);
    if (m_view->currentIndex() != at)
        m_view->setCurrentIndex(at); // → onCurrentChanged
    else
        onCurrentChanged();
}

void TeamDialog::refresh()
{
    m_clientCacheValid = false;
    if (!m_model->reload())
        showText(m_model->lastError());
}

void TeamDialog::onCurrentChanged()
{
    const QModelIndex current = m_view->currentIndex();
    m_current = current.isValid() ? current.data(TeamMemberModel::UserIdRole).toString() : QString();
    if (const UserRecord *m = m_model->member(m_current)) {
        const QSignalBlocker block(m_role);
        m_role->setCurrentIndex(m_role->findData(int(m->role))); // -1 when the actor may not give that role
    }
    updateControls();
    loadClients();
}

void TeamDialog::updateControls()
{
    const bool team = mayManageTeam();
    const UserRecord *m = m_model->member(m_current);
    const bool manageable = team && m && m_model->isManageable(*m);
    m_add->setEnabled(team && m_role->count() > 0);
    m_role->setEnabled(manageable);
    m_changeRole->setEnabled(manageable && m_role->currentIndex() >= 0 && Role(m_role->currentData().toInt()) != m->role);
    m_active->setEnabled(manageable);
    const bool active = !m || m->active;
    m_active->setText(active ? tr("&Deactivate") : tr("Ac&tivate"));
    m_active->setAccessibleName(active ? tr("Deactivate member") : tr("Activate member"));
    m_active->setToolTip(active ? tr("Stop the selected member from signing in (reversible)")
                                : tr("Let the selected member sign in again"));
    m_remove->setEnabled(manageable);

    QString hint;
    if (!team)
        hint = tr("Your role may not manage the team.");
    else if (m && m->id == m_context.actor().userId)
        hint = tr("This is you: you cannot change your own role, deactivate or remove yourself.");
    else if (m && !manageable)
        hint = tr("Managers can only manage agents and viewers.");
    m_hint->setText(hint);
    m_hint->setVisible(!hint.isEmpty());
}

void TeamDialog::loadClients()
{
    const QSignalBlocker block(m_clients);
    m_clients->clear();
    const UserRecord *m = m_model->member(m_current);
    if (!mayManageTeam() || !m) {
        m_clientNote->setText(tr("Select an agent or viewer to choose the clients they see."));
        m_clients->setVisible(false);
        return;
    }
    if (!hasOwnClients(m->role)) {
        m_clientNote->setText(m->role == Role::Admin ? tr("%1 is an admin: admins see every client of the organization.").arg(m->name)
                                                     : tr("%1 is a manager: managers see every client of the organization.").arg(m->name));
        m_clients->setVisible(false);
        return;
    }
    Result<QStringList> assigned = m_context.team().assignedClients(m_context.actor(), m->id);
    if (!assigned) {
        showStatus(assigned.error());
        m_clientNote->setText(tr("The assignments could not be read."));
        m_clients->setVisible(false);
        return;
    }
    if (!ensureClientCache()) {
        m_clientNote->setText(tr("The clients could not be read."));
        m_clients->setVisible(false);
        return;
    }
    const QSet<QString> ticked(assigned.value().cbegin(), assigned.value().cend());
    const bool manageable = m_model->isManageable(*m);
    for (const ClientEntry &c : std::as_const(m_clientCache)) {
        auto *item = new QListWidgetItem(c.text, m_clients);
        item->setData(Qt::UserRole, c.id);
        item->setFlags(manageable ? Qt::ItemIsUserCheckable | Qt::ItemIsEnabled | Qt::ItemIsSelectable : Qt::ItemIsSelectable);
        item->setCheckState(ticked.contains(c.id) ? Qt::Checked : Qt::Unchecked);
    }
    updateClientNote();
    m_clients->setVisible(!m_clientCache.isEmpty());
    m_clients->setEnabled(manageable);
}

bool TeamDialog::ensureClientCache()
{
    if (m_clientCacheValid)
        return true;
    QList<ClientEntry> entries;
    for (int offset = 0;; offset += kClientPageSize) {
        Result<ClientService::Page> page = m_context.clients().list(m_context.actor(), kClientPageSize, offset);
        if (!page) {
            showStatus(page.error());
            return false;
        }
        for (const ClientRecord &c : page.value().clients)
            entries << ClientEntry{c.id, c.phoneNumber.isEmpty() ? c.name : tr("%1 (%2)").arg(c.name, c.phoneNumber)};
        if (page.value().clients.size() < kClientPageSize || offset + kClientPageSize >= page.value().total)
            break;
    }
    m_clientCache = std::move(entries);
    m_clientCacheValid = true;
    return true;
}

void TeamDialog::updateClientNote()
{
    const UserRecord *m = m_model->member(m_current);
    if (!m)
        return;
    const int total = m_clients->count();
    int ticked = 0;
    for (int i = 0; i < total; ++i) {
        if (m_clients->item(i)->checkState() == Qt::Checked)
            ++ticked;
    }
    m_clientNote->setText(total == 0 ? tr("The organization has no clients yet.")
                                     : tr("The clients %1 sees (%2 of %n):", nullptr, total).arg(m->name).arg(ticked));
}

void TeamDialog::showStatus(const Status &status)
{
    showText(status ? QString() : errorMessageFor(status.error()));
}

void TeamDialog::showText(const QString &text)
{
    m_error->showError(text);
}

Status TeamDialog::report(const Status &status)
{
    showStatus(status);
    return status;
}

Status TeamDialog::changeRole(const QString &userId, Role role)
{
    if (!mayManageTeam())
        return report(forbidden());
    TeamService::Change change;
    change.role = role;
    Result<UserRecord> updated = m_context.team().updateMember(m_context.actor(), userId, change);
    if (!updated)
        return report(updated.error());
    showStatus({});
    refresh(); // the selection stays on the member
    return {};
}

Status TeamDialog::setActive(const QString &userId, bool active)
{
    if (!mayManageTeam())
        return report(forbidden());
    TeamService::Change change;
    change.active = active;
    Result<UserRecord> updated = m_context.team().updateMember(m_context.actor(), userId, change);
    if (!updated)
        return report(updated.error());
    showStatus({});
    refresh(); // the selection stays on the member
    return {};
}

Status TeamDialog::removeMember(const QString &userId)
{
    if (!mayManageTeam())
        return report(forbidden());
    if (Status s = m_context.team().removeMember(m_context.actor(), userId); !s)
        return report(s);
    showStatus({});
    refresh();
    return {};
}

Status TeamDialog::applyAssignment(const QString &userId, const QString &clientId, bool assigned)
{
    if (!mayManageTeam())
        return report(forbidden());
    const Status s = assigned ? m_context.team().assignClient(m_context.actor(), userId, clientId)
                              : m_context.team().unassignClient(m_context.actor(), userId, clientId);
    return report(s);
}

Status TeamDialog::setAssigned(const QString &userId, const QString &clientId, bool assigned)
{
    const Status s = applyAssignment(userId, clientId, assigned);
    if (userId == m_current)
        loadClients(); // the checklist shows what is stored
    return s;
}

void TeamDialog::onClientToggled(QListWidgetItem *item)
{
    if (!item || m_current.isEmpty())
        return;
    // Called while the list emits itemChanged for this item: the list is not rebuilt here. On
    // success the tick stays as the operator set it; on a refusal it goes back.
    const bool assigned = item->checkState() == Qt::Checked;
    if (applyAssignment(m_current, item->data(Qt::UserRole).toString(), assigned)) {
        updateClientNote();
        return;
    }
    const QSignalBlocker block(m_clients);
    item->setCheckState(assigned ? Qt::Unchecked : Qt::Checked);
}

void TeamDialog::onRemove()
{
    const UserRecord *m = m_model->member(m_current);
    if (!m)
        return;
    const QString userId = m->id;
    // Plain text: the name is whatever the member was given, never markup.
    QMessageBox box(QMessageBox::Question, tr("Remove team member"),
                    tr("Remove %1 (%2) from the team? They will no longer be able to sign in.").arg(m->name, m->email),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("removeMemberConfirmation"));
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(QMessageBox::Cancel);
    const QPointer<TeamDialog> alive(this);
    const int answer = box.exec();
    if (alive && answer == QMessageBox::Yes)
        discardOutcome(removeMember(userId)); // shown in the dialog
}

AddMemberDialog *TeamDialog::openAddMember()
{
    if (!mayManageTeam()) {
        showStatus(forbidden());
        return nullptr;
    }
    if (m_addDialog) {
        m_addDialog->raise();
        m_addDialog->activateWindow();
        return m_addDialog;
    }
    QList<Role> roles;
    for (Role r : kAllRoles) {
        if (Permissions::mayManageRole(m_context.actor().role, r))
            roles << r;
    }
    auto *dialog = new AddMemberDialog(roles, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &AddMemberDialog::submitted, this, &TeamDialog::submitNewMember);
    m_addDialog = dialog;
    dialog->open();
    return dialog;
}

void TeamDialog::submitNewMember()
{
    AddMemberDialog *dialog = m_addDialog;
    if (!dialog || dialog->busy())
        return;
    if (!mayManageTeam()) {
        dialog->showError(forbidden().message);
        emit addFinished(false);
        return;
    }
    const QString email = dialog->email();
    const QString name = dialog->name();
    const QString password = dialog->password();
    const Role role = dialog->role();
    // What needs no hashing is checked first, exactly as POST /api/team/members does.
    if (Status s = TeamService::validateNewMember(m_context.actor(), email, password, name, Permissions::roleName(role)); !s) {
        dialog->showError(errorMessageFor(s.error()));
        emit addFinished(false);
        return;
    }
    if (!m_hasherStarted) {
        m_hasherStarted = true;
        const PasswordHasher::Cost cost = m_context.passwordCost();
        m_hasher = QtConcurrent::run([cost]() { return std::shared_ptr<const PasswordHasher>(std::make_shared<PasswordHasher>(cost)); });
    }
    const QFuture<std::shared_ptr<const PasswordHasher>> hasher = m_hasher;
    dialog->setBusy(true);
    // Owned by the "Add member" dialog: if it goes away meanwhile, the result is dropped.
    auto *watcher = new QFutureWatcher<QString>(dialog);
    connect(watcher, &QFutureWatcher<QString>::finished, dialog, [this, watcher, email, name, role]() {
        const QString hash = watcher->result();
        watcher->deleteLater();
        finishNewMember(email, name, role, hash);
    });
    watcher->setFuture(QtConcurrent::run([hasher, password]() -> QString {
        try {
            return hasher.result()->hash(password);
        } catch (...) {
            return QString();
        }
    }));
}

void TeamDialog::finishNewMember(const QString &email, const QString &name, Role role, const QString &hash)
{
    AddMemberDialog *dialog = m_addDialog;
    if (!dialog)
        return;
    dialog->setBusy(false);
    if (hash.isEmpty()) {
        dialog->showError(tr("The password could not be hashed."));
        emit addFinished(false);
        return;
    }
    if (!mayManageTeam()) {
        dialog->showError(forbidden().message);
        emit addFinished(false);
        return;
    }
    TeamService::NewMember member;
    member.email = email;
    member.name = name;
    member.role = role;
    member.passwordHash = hash;
    Result<UserRecord> created = m_context.team().createMember(m_context.actor(), member);
    if (!created) {
        dialog->showError(errorMessageFor(created.error()));
        emit addFinished(false);
        return;
    }
    const QString userId = created.value().id;
    dialog->accept();
    showStatus({});
    refresh();
    selectMember(userId);
    emit memberAdded(userId);
    emit addFinished(true);
}

} // namespace wadesk
