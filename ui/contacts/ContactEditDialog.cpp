#include "ui/contacts/ContactEditDialog.h"

#include "core/messaging/ContactRepository.h"
#include "ui/common/ErrorLabel.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace wadesk {

ContactEditDialog::ContactEditDialog(const ContactRecord &contact, QWidget *parent)
    : QDialog(parent)
    , m_contactId(contact.id)
{
    setObjectName(QStringLiteral("contactEditDialog"));
    setWindowTitle(tr("Edit Contact"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    auto *number = new QLabel(contact.phoneNumber, this);
    number->setObjectName(QStringLiteral("contactNumber"));
    number->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Number:"), number);
    m_name = new QLineEdit(contact.name, this);
    m_name->setObjectName(QStringLiteral("contactNameEdit"));
    m_name->setAccessibleName(tr("Contact name"));
    m_name->setPlaceholderText(tr("No name"));
    form->addRow(tr("&Name:"), m_name);
    m_tags = new QLineEdit(contact.tags.join(QStringLiteral(", ")), this);
    m_tags->setObjectName(QStringLiteral("contactTagsEdit"));
    m_tags->setAccessibleName(tr("Contact tags"));
    m_tags->setPlaceholderText(tr("vip, spain"));
    m_tags->setToolTip(tr("Separated by commas; each 1 to 50 characters, without quotes"));
    form->addRow(tr("&Tags:"), m_tags);
    m_optedOut = new QCheckBox(tr("&Opted out: send this contact nothing"), this);
    m_optedOut->setObjectName(QStringLiteral("contactOptedOutBox"));
    m_optedOut->setAccessibleName(tr("Opted out"));
    m_optedOut->setChecked(contact.optedOut);
    form->addRow(m_optedOut);
    layout->addLayout(form);
    m_error = new ErrorLabel(QStringLiteral("contactEditError"), tr("Contact error"), this);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Save)->setAccessibleName(tr("Save contact"));
    buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ContactEditDialog::submit);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(420, sizeHint().height());
}

QString ContactEditDialog::name() const
{
    return m_name->text().trimmed();
}

QStringList ContactEditDialog::tags() const
{
    QStringList out;
    for (const QString &part : m_tags->text().split(QLatin1Char(','))) {
        if (!part.trimmed().isEmpty())
            out << part.trimmed();
    }
    return out;
}

bool ContactEditDialog::optedOut() const
{
    return m_optedOut->isChecked();
}

void ContactEditDialog::showError(const QString &message)
{
    m_error->showError(message);
}

QString ContactEditDialog::errorText() const
{
    return m_error->text();
}

void ContactEditDialog::submit()
{
    m_error->showError(QString());
    emit submitted();
}

} // namespace wadesk
