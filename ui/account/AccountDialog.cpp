#include "ui/account/AccountDialog.h"

#include "core/auth/AccountService.h"
#include "core/auth/PasswordHasher.h"
#include "core/engine/SessionRegistry.h"
#include "core/messaging/MessageService.h"
#include "core/sessions/ClientActionService.h"
#include "core/sessions/ClientService.h"
#include "ui/account/DeleteClientDialog.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace wadesk {

namespace {
QLineEdit *passwordEdit(QWidget *parent, const QString &objectName, const QString &accessibleName)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setEchoMode(QLineEdit::Password);
    edit->setMaxLength(PasswordHasher::kMaxLength + 1); // one more, so that too long is said, not cut
    return edit;
}

struct PasswordWork {
    bool currentMatched = false;
    QString newHash;
};
} // namespace

AccountDialog::AccountDialog(DesktopContext &context, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("accountDialog"));
    setWindowTitle(tr("My Account"));
    auto *layout = new QVBoxLayout(this);
    const AuthContext &actor = m_context.actor();
    auto *who = new QLabel(m_context.signedIn() ? tr("Signed in as %1 <%2>, %3.").arg(actor.name, actor.email, Permissions::roleName(actor.role))
                                                : tr("Not signed in."),
                           this);
    who->setObjectName(QStringLiteral("accountWho"));
    who->setTextFormat(Qt::PlainText);
    who->setWordWrap(true);
    layout->addWidget(who);

    auto *password = new QGroupBox(tr("Change your password"), this);
    auto *form = new QFormLayout(password);
    m_current = passwordEdit(password, QStringLiteral("currentPasswordEdit"), tr("Current password"));
    m_new = passwordEdit(password, QStringLiteral("newPasswordEdit"), tr("New password"));
    m_repeat = passwordEdit(password, QStringLiteral("repeatPasswordEdit"), tr("New password again"));
    form->addRow(tr("&Current password:"), m_current);
    form->addRow(tr("&New password:"), m_new);
    form->addRow(tr("&Repeat it:"), m_repeat);
    auto *rules = new QLabel(tr("%1 to %2 characters.").arg(PasswordHasher::kMinLength).arg(PasswordHasher::kMaxLength), password);
    rules->setObjectName(QStringLiteral("passwordRules"));
    form->addRow(rules);
    m_change = new QPushButton(tr("C&hange Password"), password);
    m_change->setObjectName(QStringLiteral("changePasswordButton"));
    m_change->setAccessibleName(tr("Change password"));
    m_change->setEnabled(m_context.signedIn());
    form->addRow(QString(), m_change);
    m_passwordNotice = new QLabel(password);
    m_passwordNotice->setObjectName(QStringLiteral("passwordNotice"));
    m_passwordNotice->hide();
    form->addRow(m_passwordNotice);
    m_passwordError = new ErrorLabel(QStringLiteral("passwordError"), tr("Password error"), password);
    form->addRow(m_passwordError);
    layout->addWidget(password);
    connect(m_change, &QPushButton::clicked, this, &AccountDialog::changePassword);
    connect(m_repeat, &QLineEdit::returnPressed, this, &AccountDialog::changePassword);

    if (m_context.signedIn() && actor.can(Permission::ManageClients)) {
        m_deleteGroup = new QGroupBox(tr("Delete a client"), this);
        m_deleteGroup->setObjectName(QStringLiteral("deleteClientGroup"));
        auto *deleteForm = new QFormLayout(m_deleteGroup);
        auto *warning = new QLabel(tr("Deletes the client with its session, messages and queue. You are asked to confirm."), m_deleteGroup);
        warning->setWordWrap(true);
        deleteForm->addRow(warning);
        m_deleteClient = new QComboBox(m_deleteGroup);
        m_deleteClient->setObjectName(QStringLiteral("deleteClientBox"));
        m_deleteClient->setAccessibleName(tr("Client to delete"));
        deleteForm->addRow(tr("C&lient:"), m_deleteClient);
        m_deleteButton = new QPushButton(tr("&Delete Client…"), m_deleteGroup);
        m_deleteButton->setObjectName(QStringLiteral("deleteClientButton"));
        m_deleteButton->setAccessibleName(tr("Delete client"));
        deleteForm->addRow(QString(), m_deleteButton);
        m_deleteError = new ErrorLabel(QStringLiteral("deleteClientError"), tr("Delete client error"), m_deleteGroup);
        deleteForm->addRow(m_deleteError);
        layout->addWidget(m_deleteGroup);
        connect(m_deleteButton, &QPushButton::clicked, this, [this]() { openDeleteClient(); });
        reloadClients();
    }
    layout->addStretch(1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(520, sizeHint().height());
}

DeleteClientDialog *AccountDialog::deleteDialog() const
{
    return m_deleteDialog;
}

QString AccountDialog::passwordError() const
{
    return m_passwordError->text();
}

QString AccountDialog::passwordNotice() const
{
    return m_passwordNotice->isVisibleTo(this) ? m_passwordNotice->text() : QString();
}

QString AccountDialog::deleteError() const
{
    return m_deleteError ? m_deleteError->text() : QString();
}

void AccountDialog::changePassword()
{
    if (m_busy || !m_context.signedIn())
        return;
    m_passwordNotice->hide();
    const QString current = m_current->text();
    const QString next = m_new->text();
    const auto refuse = [this](const QString &message) {
        m_passwordError->showError(message);
        emit passwordChangeFinished(false);
    };
    if (current.isEmpty())
        return refuse(tr("Enter your current password."));
    if (next != m_repeat->text())
        return refuse(tr("The new password and its repetition differ."));
    if (const Status rules = AccountRules::checkPassword(next); !rules)
        return refuse(errorMessageFor(rules.error()));
    if (next == current)
        return refuse(tr("The new password is the current one."));
    const Result<std::optional<UserRecord>> me = m_context.accounts().currentUser(m_context.actor());
    if (!me)
        return refuse(errorMessageFor(me.error()));
    if (!me.value())
        return refuse(tr("Your account no longer exists."));
    const QString stored = me.value()->passwordHash;
    const PasswordHasher::Cost cost = m_context.passwordCost();
    m_busy = true;
    m_change->setEnabled(false);
    m_passwordError->showError(QString());
    auto *watcher = new QFutureWatcher<PasswordWork>(this);
    connect(watcher, &QFutureWatcher<PasswordWork>::finished, this, [this, watcher, stored]() {
        const PasswordWork work = watcher->result();
        watcher->deleteLater();
        finishPasswordChange(work.currentMatched, stored, work.newHash);
    });
    watcher->setFuture(QtConcurrent::run([cost, current, next, stored]() {
        const PasswordHasher hasher(cost);
        PasswordWork work;
        work.currentMatched = hasher.verify(current, stored);
        if (work.currentMatched)
            work.newHash = hasher.hash(next);
        return work;
    }));
}

void AccountDialog::finishPasswordChange(bool currentMatched, const QString &storedHash, const QString &newHash)
{
    m_busy = false;
    m_change->setEnabled(m_context.signedIn());
    if (!currentMatched) {
        m_passwordError->showError(tr("The current password is wrong."));
        m_current->selectAll();
        m_current->setFocus();
        emit passwordChangeFinished(false);
        return;
    }
    const Status changed = m_context.accounts().changePassword(m_context.actor(), storedHash, newHash);
    if (!changed) {
        m_passwordError->showError(errorMessageFor(changed.error()));
        emit passwordChangeFinished(false);
        return;
    }
    m_current->clear();
    m_new->clear();
    m_repeat->clear();
    m_passwordError->showError(QString());
    m_passwordNotice->setText(tr("Password changed. Use the new one the next time you sign in."));
    m_passwordNotice->show();
    emit passwordChangeFinished(true);
}

void AccountDialog::reloadClients()
{
    if (!m_deleteClient)
        return;
    m_deleteClient->clear();
    const Result<ClientService::Page> page = m_context.clients().list(m_context.actor(), 1000, 0);
    if (!page) {
        m_deleteError->showError(errorMessageFor(page.error()));
        return;
    }
    for (const ClientRecord &c : page.value().clients)
        m_deleteClient->addItem(c.phoneNumber.isEmpty() ? c.name : tr("%1 (%2)").arg(c.name, c.phoneNumber), c.id);
    m_deleteButton->setEnabled(m_deleteClient->count() > 0);
    if (m_deleteClient->count() == 0)
        m_deleteClient->setPlaceholderText(tr("No clients"));
}

DeleteClientDialog *AccountDialog::openDeleteClient()
{
    if (!m_deleteClient || m_deleteClient->currentIndex() < 0)
        return nullptr;
    const QString id = m_deleteClient->currentData().toString();
    const Result<ClientRecord> client = m_context.clients().get(m_context.actor(), id);
    if (!client) {
        m_deleteError->showError(errorMessageFor(client.error()));
        return nullptr;
    }
    const Result<int> queued = m_context.messages().queueDepth(m_context.actor(), id);
    const bool running = m_context.sessions().session(id) != nullptr;
    if (m_deleteDialog)
        m_deleteDialog->close();
    auto *dialog = new DeleteClientDialog(client.value().name, client.value().phoneNumber, queued ? queued.value() : 0, running, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, id]() { deleteConfirmed(id); });
    m_deleteDialog = dialog;
    dialog->open();
    return dialog;
}

void AccountDialog::deleteConfirmed(const QString &clientId)
{
    const Status removed = m_context.clientActions().remove(m_context.actor(), clientId);
    m_deleteError->showError(removed ? QString() : errorMessageFor(removed.error()));
    if (!removed)
        return;
    reloadClients();
    emit clientDeleted(clientId);
}

} // namespace wadesk
