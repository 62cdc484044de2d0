#include "ui/clients/ClientActions.h"

#include "ui/desktop/DesktopContext.h"
#include "ui/main/Icons.h"
#include "ui/models/ClientListModel.h"
#include "core/sessions/ClientActionService.h"
#include "ui/clients/ClientDialogs.h"
#include "core/sessions/ClientService.h"
#include "ui/common/ErrorText.h"

#include <QAction>
#include <QMessageBox>
#include <QPointer>

namespace wadesk {

namespace {
QAction *makeAction(QObject *parent, const QString &objectName, const QString &text, const QIcon &icon,
                    const QKeySequence &shortcut, const QString &tip)
{
    auto *action = new QAction(icon, text, parent);
    action->setObjectName(objectName);
    if (!shortcut.isEmpty())
        action->setShortcut(shortcut);
    action->setStatusTip(tip);
    action->setToolTip(shortcut.isEmpty() ? tip : QStringLiteral("%1 (%2)").arg(tip, shortcut.toString(QKeySequence::NativeText)));
    return action;
}

DomainError forbidden()
{
    return DomainError::forbidden(ClientActions::tr("Your role may not manage clients."));
}
} // namespace

ClientActions::ClientActions(DesktopContext &context, ClientListModel &model, QWidget *dialogParent)
    : QObject(dialogParent)
    , m_context(context)
    , m_model(model)
    , m_dialogParent(dialogParent)
{
    m_add = makeAction(this, QStringLiteral("addClientAction"), tr("&Add Client…"), Icons::addClient(), QKeySequence::New,
                       tr("Add a WhatsApp client"));
    m_rename = makeAction(this, QStringLiteral("renameClientAction"), tr("Re&name Client…"), Icons::rename(), QKeySequence(Qt::Key_F2),
                          tr("Rename the selected client"));
    m_start = makeAction(this, QStringLiteral("startClientAction"), tr("&Start"), Icons::start(),
                         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S), tr("Start the selected client's session"));
    m_stop = makeAction(this, QStringLiteral("stopClientAction"), tr("S&top"), Icons::stop(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X),
                        tr("Stop the selected client's session (it stays linked)"));
    m_logout = makeAction(this, QStringLiteral("logoutClientAction"), tr("&Log Out of WhatsApp…"), Icons::logout(),
                          QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L), tr("Unlink the selected client's phone"));
    m_pause = makeAction(this, QStringLiteral("pauseClientAction"), tr("&Pause Sending"), Icons::pause(),
                         QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P), tr("Hold the selected client's send queue"));
    m_resume = makeAction(this, QStringLiteral("resumeClientAction"), tr("&Resume Sending"), Icons::resume(),
                          QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U), tr("Let the selected client's send queue move again"));

    connect(m_add, &QAction::triggered, this, &ClientActions::onAdd);
    connect(m_rename, &QAction::triggered, this, &ClientActions::onRename);
    connect(m_start, &QAction::triggered, this, [this]() { report(startClient(m_clientId)); });
    connect(m_stop, &QAction::triggered, this, [this]() { report(stopClient(m_clientId)); });
    connect(m_logout, &QAction::triggered, this, &ClientActions::onLogout);
    connect(m_pause, &QAction::triggered, this, [this]() { report(pauseClient(m_clientId)); });
    connect(m_resume, &QAction::triggered, this, [this]() { report(resumeClient(m_clientId)); });

    // The selected client's row changes state: enable what fits.
    connect(&m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
        const int row = m_model.rowOf(m_clientId);
        if (row >= from.row() && row <= to.row())
            update();
    });
    connect(&m_model, &QAbstractItemModel::modelReset, this, &ClientActions::update);
    update();
}

QList<QAction *> ClientActions::clientActions() const
{
    return {m_start, m_stop, nullptr, m_pause, m_resume, nullptr, m_rename, m_logout};
}

bool ClientActions::mayManage() const
{
    return m_context.signedIn() && m_context.actor().can(Permission::ManageClients);
}

DomainError ClientActions::translated(const DomainError &error) const
{
    DomainError out = error;
    out.message = error.code == QLatin1String("forbidden") ? forbidden().message : errorMessageFor(error);
    return out;
}

void ClientActions::setCurrentClient(const QString &clientId)
{
    m_clientId = clientId;
    update();
}

void ClientActions::update()
{
    const bool manage = mayManage();
    for (QAction *a : {m_add, m_rename, m_start, m_stop, m_logout, m_pause, m_resume})
        a->setVisible(manage);
    const int row = m_model.rowOf(m_clientId);
    const QModelIndex at = m_model.index(row, 0);
    const bool selected = manage && row >= 0;
    const auto state = SessionState(at.data(ClientListModel::StateRole).toInt());
    // A session another instance runs is running too: Stop and Log Out go to that instance
    // (through the session commands), and Start would only ask it for a new QR code.
    const bool running = at.data(ClientListModel::RunningRole).toBool() || !at.data(ClientListModel::InstanceRole).toString().isEmpty();
    const bool paused = at.data(ClientListModel::PausedRole).toBool();
    m_add->setEnabled(manage);
    m_rename->setEnabled(selected);
    m_start->setEnabled(selected && !running);
    m_stop->setEnabled(selected && running);
    m_logout->setEnabled(selected && running
                         && (state == SessionState::Ready || state == SessionState::Disconnected || state == SessionState::Paused
                             || state == SessionState::Authenticating));
    m_pause->setEnabled(selected && !paused);
    m_resume->setEnabled(selected && paused);
}

Result<QString> ClientActions::createClient(const QString &name, const QString &phoneNumber)
{
    // The rules (who may, what a name may be) are ClientService's; its errors come back translated.
    Result<ClientRecord> created = m_context.clients().create(m_context.actor(), name.trimmed(), phoneNumber.trimmed());
    if (!created)
        return translated(created.error());
    m_model.reload();
    emit clientCreated(created.value().id);
    return created.value().id;
}

Status ClientActions::renameClient(const QString &clientId, const QString &name)
{
    ClientService::Change change;
    change.name = name.trimmed();
    Result<ClientRecord> updated = m_context.clientActions().update(m_context.actor(), clientId, change);
    if (!updated)
        return translated(updated.error());
    m_model.refreshClient(clientId);
    return {};
}

Status ClientActions::startClient(const QString &clientId)
{
    Result<ClientActionService::Started> started = m_context.clientActions().start(m_context.actor(), clientId);
    if (!started)
        return translated(started.error());
    m_model.refreshClient(clientId);
    if (started.value().state == SessionState::Failed)
        return DomainError::unavailable(tr("The session could not start: %1").arg(started.value().lastError), QStringLiteral("start_failed"));
    return {};
}

Status ClientActions::stopClient(const QString &clientId)
{
    // The registry announces the stop (sessionAboutToStop): the session view lets the page go.
    if (Status s = m_context.clientActions().stop(m_context.actor(), clientId); !s)
        return translated(s.error());
    m_model.refreshClient(clientId);
    return {};
}

Status ClientActions::logoutClient(const QString &clientId)
{
    Result<SessionState> was = m_context.clientActions().logout(m_context.actor(), clientId);
    if (!was)
        return translated(was.error());
    return {};
}

Status ClientActions::pauseClient(const QString &clientId)
{
    if (Status s = m_context.clientActions().pause(m_context.actor(), clientId); !s)
        return translated(s.error());
    m_model.refreshClient(clientId);
    return {};
}

Status ClientActions::resumeClient(const QString &clientId)
{
    if (Status s = m_context.clientActions().resume(m_context.actor(), clientId); !s)
        return translated(s.error());
    m_model.refreshClient(clientId);
    return {};
}

void ClientActions::report(const Status &status)
{
    if (status)
        return;
    emit failed(status.error().message);
    // Plain text: messages may quote names people typed.
    QMessageBox box(QMessageBox::Warning, tr("WaDesk"), status.error().message, QMessageBox::Ok, m_dialogParent);
    box.setTextFormat(Qt::PlainText);
    box.exec();
}

void ClientActions::onAdd()
{
    AddClientDialog dialog(m_dialogParent);
    while (dialog.exec() == QDialog::Accepted) {
        Result<QString> created = createClient(dialog.name(), dialog.phoneNumber());
        if (created)
            return;
        dialog.showError(created.error().message);
    }
}

void ClientActions::onRename()
{
    const int row = m_model.rowOf(m_clientId);
    if (row < 0)
        return;
    const QString clientId = m_clientId;
    RenameClientDialog dialog(m_model.index(row, 0).data(ClientListModel::NameRole).toString(), m_dialogParent);
    if (dialog.exec() == QDialog::Accepted)
        report(renameClient(clientId, dialog.name()));
}

void ClientActions::onLogout()
{
    const int row = m_model.rowOf(m_clientId);
    if (row < 0)
        return;
    const QString clientId = m_clientId;
    const QString name = m_model.index(row, 0).data(ClientListModel::NameRole).toString();
    // Plain text: the client's name is whatever an operator typed, never markup.
    QMessageBox box(QMessageBox::Question, tr("Log out of WhatsApp"),
                    tr("Unlink \"%1\" from its phone? Linking it again needs a new QR scan with the phone.").arg(name),
                    QMessageBox::Yes | QMessageBox::Cancel, m_dialogParent);
    box.setObjectName(QStringLiteral("logoutConfirmation"));
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(QMessageBox::Cancel);
    const QPointer<ClientActions> alive(this);
    const int answer = box.exec();
    if (alive && answer == QMessageBox::Yes)
        report(logoutClient(clientId));
}

} // namespace wadesk
