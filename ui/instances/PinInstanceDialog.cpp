#include "ui/instances/PinInstanceDialog.h"

#include "ui/common/ErrorLabel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace wadesk {

PinInstanceDialog::PinInstanceDialog(const QString &clientName, const QString &currentPin,
                                     const QList<InstanceService::Instance> &instances, const QString &thisInstanceId,
                                     QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Run on instance"));
    setObjectName(QStringLiteral("pinInstanceDialog"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    auto *client = new QLabel(clientName, this);
    client->setObjectName(QStringLiteral("pinInstanceClient"));
    client->setTextFormat(Qt::PlainText); // names are whatever members typed
    m_instance = new QComboBox(this);
    m_instance->setObjectName(QStringLiteral("pinInstanceCombo"));
    m_instance->setAccessibleName(tr("Instance"));
    m_instance->addItem(tr("Any instance (not pinned)"), QString());
    bool pinListed = currentPin.isEmpty();
    for (const InstanceService::Instance &i : instances) {
        QStringList marks;
        if (i.id == thisInstanceId)
            marks << tr("this desktop");
        if (!i.alive)
            marks << tr("offline");
        if (i.draining)
            marks << tr("draining");
        m_instance->addItem(marks.isEmpty() ? i.id : tr("%1 (%2)").arg(i.id, marks.join(QStringLiteral(", "))), i.id);
        pinListed = pinListed || i.id == currentPin;
    }
    // A pin whose instance row is gone still says what it is (choosing it again is refused).
    if (!pinListed)
        m_instance->addItem(tr("%1 (unknown)").arg(currentPin), currentPin);
    setChoice(currentPin);
    form->addRow(tr("Client:"), client);
    form->addRow(tr("&Instance:"), m_instance);
    layout->addLayout(form);
    auto *note = new QLabel(tr("A pinned client runs on its instance while that one is alive. A client running elsewhere "
                               "is handed over: it stops there and starts on its instance."),
                            this);
    note->setWordWrap(true);
    layout->addWidget(note);
    m_error = new ErrorLabel(QStringLiteral("pinInstanceError"), tr("Error"), this);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setObjectName(QStringLiteral("pinInstanceOkButton"));
    m_ok->setAccessibleName(tr("Run on this instance"));
    buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &PinInstanceDialog::submitted);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_instance, &QComboBox::currentIndexChanged, this, [this]() { showError(QString()); });
    resize(480, sizeHint().height());
}

QString PinInstanceDialog::choice() const
{
    return m_instance->currentData().toString();
}

void PinInstanceDialog::setChoice(const QString &instanceId)
{
    if (const int at = m_instance->findData(instanceId); at >= 0)
        m_instance->setCurrentIndex(at);
}

void PinInstanceDialog::showError(const QString &message)
{
    m_error->showError(message);
}

QString PinInstanceDialog::errorText() const
{
    return m_error->text();
}

} // namespace wadesk
