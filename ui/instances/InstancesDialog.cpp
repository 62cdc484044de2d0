#include "ui/instances/InstancesDialog.h"

#include "core/cluster/InstanceService.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/common/RowListView.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/InstanceListModel.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace wadesk {

InstancesDialog::InstancesDialog(DesktopContext &context, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("instancesDialog"));
    setWindowTitle(tr("Instances"));
    m_model = new InstanceListModel(m_context, this);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("The WaDesk instances sharing this database. Each session runs on one of them; a draining "
                                "instance hands its sessions over to the others and takes no new ones. Sessions are counted "
                                "for your organization's clients."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *body = new QHBoxLayout;
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("instanceList"));
    m_view->setAccessibleName(tr("Instances"));
    m_view->setModel(m_model);
    configureRowList(m_view, InstanceListModel::HostColumn);
    body->addWidget(m_view, 1);
    auto *side = new QVBoxLayout;
    m_drain = new QPushButton(tr("&Drain…"), this);
    m_drain->setObjectName(QStringLiteral("drainInstanceButton"));
    m_drain->setAccessibleName(tr("Drain instance"));
    m_drain->setToolTip(tr("Move the selected instance's sessions to the other instances, one by one"));
    m_undrain = new QPushButton(tr("&Undrain"), this);
    m_undrain->setObjectName(QStringLiteral("undrainInstanceButton"));
    m_undrain->setAccessibleName(tr("Undrain instance"));
    m_undrain->setToolTip(tr("Let the selected instance take sessions again"));
    m_refresh = new QPushButton(tr("&Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("refreshInstancesButton"));
    m_refresh->setAccessibleName(tr("Refresh instances"));
    side->addWidget(m_drain);
    side->addWidget(m_undrain);
    side->addWidget(m_refresh);
    m_hint = new QLabel(this);
    m_hint->setObjectName(QStringLiteral("instancesHint"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::PlainText);
    m_hint->setMaximumWidth(200);
    side->addWidget(m_hint);
    side->addStretch(1);
    body->addLayout(side);
    layout->addLayout(body, 1);
    m_error = new ErrorLabel(QStringLiteral("instancesError"), tr("Instances error"), this);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
    layout->addWidget(buttons);
    setTabOrder(m_view, m_drain);
    setTabOrder(m_drain, m_undrain);
    setTabOrder(m_undrain, m_refresh);

    m_timer.setInterval(kRefreshIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &InstancesDialog::refresh);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_drain, &QPushButton::clicked, this, &InstancesDialog::onDrain);
    connect(m_undrain, &QPushButton::clicked, this, [this]() { discardOutcome(setDraining(currentInstance(), false)); });
    connect(m_refresh, &QPushButton::clicked, this, &InstancesDialog::refresh);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &InstancesDialog::updateControls);
    connect(m_model, &QAbstractItemModel::modelReset, this, &InstancesDialog::updateControls);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &InstancesDialog::updateControls);
    if (!m_model->lastError().isEmpty())
        m_error->showError(m_model->lastError());
    if (m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(0, 0));
    updateControls();
    resize(900, 360);
}

void InstancesDialog::showEvent(QShowEvent *event)
{
    QDialog::showEvent(event);
    m_timer.start();
}

void InstancesDialog::hideEvent(QHideEvent *event)
{
    m_timer.stop();
    QDialog::hideEvent(event);
}

QString InstancesDialog::errorText() const
{
    return m_error->text();
}

QString InstancesDialog::currentInstance() const
{
    const QModelIndex at = m_view->currentIndex();
    return at.isValid() ? at.data(InstanceListModel::InstanceIdRole).toString() : QString();
}

void InstancesDialog::selectInstance(const QString &instanceId)
{
    const int row = m_model->rowOf(instanceId);
    if (row >= 0)
        m_view->setCurrentIndex(m_model->index(row, 0));
}

void InstancesDialog::refresh()
{
    const QString keep = currentInstance();
    // A failed read is shown until a read succeeds; a refused drain stays until the next action.
    const bool listFailed = !m_model->lastError().isEmpty() && m_error->text() == m_model->lastError();
    if (!m_model->reload())
        m_error->showError(m_model->lastError());
    else if (listFailed)
        m_error->showError(QString());
    selectInstance(keep);
    updateControls();
}

void InstancesDialog::updateControls()
{
    const InstanceService::Instance *selected = m_model->instance(currentInstance());
    m_drain->setEnabled(selected && !selected->draining);
    m_undrain->setEnabled(selected && selected->draining);
    m_hint->setText(m_model->rowCount() == 0 && m_model->lastError().isEmpty()
                        ? tr("No instance has registered in this database yet.")
                        : QString());
    m_hint->setVisible(!m_hint->text().isEmpty());
}

void InstancesDialog::showStatus(const Status &status)
{
    m_error->showError(status ? QString() : errorMessageFor(status.error()));
}

Status InstancesDialog::setDraining(const QString &instanceId, bool draining)
{
    if (instanceId.isEmpty())
        return {};
    Result<InstanceService::Instance> changed = m_context.instances().setDraining(m_context.actor(), instanceId, draining);
    const Status s = changed ? Status() : Status(changed.error());
    showStatus(s);
    refresh();
    return s;
}

void InstancesDialog::onDrain()
{
    const QString id = currentInstance();
    if (id.isEmpty())
        return;
    QMessageBox box(QMessageBox::Question, tr("Drain instance"),
                    tr("Drain the instance \"%1\"? Its sessions move to the other instances one by one, and it takes no "
                       "new ones until you undrain it.")
                        .arg(id),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("drainInstanceConfirmation"));
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(QMessageBox::Cancel);
    box.button(QMessageBox::Yes)->setText(tr("Drain"));
    const QPointer<InstancesDialog> alive(this);
    const int answer = box.exec();
    if (alive && answer == QMessageBox::Yes)
        discardOutcome(setDraining(id, true)); // shown in the dialog
}

} // namespace wadesk
