#include "ui/instances/InstanceActions.h"

#include "core/cluster/ForwardedSessions.h"
#include "core/cluster/InstanceService.h"
#include "core/sessions/ClientService.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/instances/InstancesDialog.h"
#include "ui/instances/PinInstanceDialog.h"

#include <QAction>
#include <QMessageBox>
#include <QWidget>

namespace wadesk {

InstanceActions::InstanceActions(DesktopContext &context, QWidget *dialogParent)
    : QObject(dialogParent)
    , m_context(context)
    , m_dialogParent(dialogParent)
{
    m_instances = new QAction(tr("&Instances…"), this);
    m_instances->setObjectName(QStringLiteral("instancesAction"));
    m_instances->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I));
    m_instances->setStatusTip(tr("The instances sharing this database, their sessions; drain one"));
    connect(m_instances, &QAction::triggered, this, [this]() { openInstances(); });
    m_pin = new QAction(tr("Run on &Instance…"), this);
    m_pin->setObjectName(QStringLiteral("pinInstanceAction"));
    m_pin->setStatusTip(tr("Choose the instance the selected client runs on"));
    connect(m_pin, &QAction::triggered, this, [this]() { openPin(); });
    update();
    connect(&m_context, &DesktopContext::signedInChanged, this, &InstanceActions::update);
}

void InstanceActions::update()
{
    // On SQLite there is only this instance: nothing to list or pin to.
    const bool cluster = m_context.cluster() && m_context.signedIn();
    const bool admin = cluster && m_context.actor().can(Permission::ManageOrganization);
    const bool manager = cluster && m_context.actor().can(Permission::ManageClients);
    m_instances->setVisible(admin);
    m_instances->setEnabled(admin);
    m_pin->setVisible(manager);
    m_pin->setEnabled(manager && !m_clientId.isEmpty());
    if (!admin && m_instancesDialog)
        m_instancesDialog->close();
    if (!manager && m_pinDialog)
        m_pinDialog->close();
}

void InstanceActions::setCurrentClient(const QString &clientId)
{
    m_clientId = clientId;
    update();
}

InstancesDialog *InstanceActions::instancesDialog() const
{
    return m_instancesDialog;
}

PinInstanceDialog *InstanceActions::pinDialog() const
{
    return m_pinDialog;
}

InstancesDialog *InstanceActions::openInstances()
{
    if (!m_instances->isEnabled())
        return nullptr;
    if (!m_instancesDialog) {
        m_instancesDialog = new InstancesDialog(m_context, m_dialogParent);
        m_instancesDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    m_instancesDialog->show();
    m_instancesDialog->raise();
    m_instancesDialog->activateWindow();
    return m_instancesDialog;
}

PinInstanceDialog *InstanceActions::openPin()
{
    if (!m_pin->isEnabled())
        return nullptr;
    if (m_pinDialog)
        m_pinDialog->close();
    Result<ClientRecord> client = m_context.clients().get(m_context.actor(), m_clientId);
    Result<QList<InstanceService::Instance>> targets =
        client ? m_context.instances().pinTargets(m_context.actor()) : Result<QList<InstanceService::Instance>>(client.error());
    if (!targets) {
        // Plain text: messages may quote names people typed.
        QMessageBox box(QMessageBox::Warning, tr("Run on instance"), errorMessageFor(targets.error()), QMessageBox::Ok, m_dialogParent);
        box.setTextFormat(Qt::PlainText);
        box.exec();
        return nullptr;
    }
    auto *dialog = new PinInstanceDialog(client.value().name, client.value().pinnedInstance, targets.value(),
                                         m_context.cluster()->instanceId(), m_dialogParent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_pinClientId = client.value().id;
    m_pinBefore = client.value().pinnedInstance;
    m_pinDialog = dialog;
    connect(dialog, &PinInstanceDialog::submitted, this, &InstanceActions::submitPin);
    dialog->open();
    return dialog;
}

void InstanceActions::submitPin()
{
    PinInstanceDialog *dialog = m_pinDialog;
    if (!dialog)
        return;
    // Unchanged: nothing to hand over, nothing to audit.
    if (dialog->choice() == m_pinBefore) {
        dialog->accept();
        return;
    }
    if (Status s = m_context.instances().pin(m_context.actor(), m_pinClientId, dialog->choice()); !s) {
        dialog->showError(errorMessageFor(s.error()));
        return;
    }
    dialog->accept();
}

} // namespace wadesk
