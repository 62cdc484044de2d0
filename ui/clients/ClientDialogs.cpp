#include "ui/clients/ClientDialogs.h"

#include "ui/common/ErrorLabel.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>

namespace wadesk {

namespace {
constexpr int kMaxName = 100;

// Wide enough for the title in the window manager's bar (with its buttons) and for wrapped
// hints to keep their height: a dialog sized to its fields alone cut both off.
void keepTextWhole(QDialog *dialog)
{
    const int titleRoom = dialog->fontMetrics().horizontalAdvance(dialog->windowTitle()) + 160;
    dialog->setMinimumWidth(std::max(400, titleRoom));
    dialog->layout()->setSizeConstraint(QLayout::SetMinimumSize);
}
} // namespace

AddClientDialog::AddClientDialog(QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Add client"));
    setObjectName(QStringLiteral("addClientDialog"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("clientNameEdit"));
    m_name->setMaxLength(kMaxName);
    m_name->setPlaceholderText(tr("Front desk"));
    m_name->setAccessibleName(tr("Client name"));
    m_phone = new QLineEdit(this);
    m_phone->setObjectName(QStringLiteral("clientPhoneEdit"));
    m_phone->setMaxLength(40);
    m_phone->setPlaceholderText(tr("+14155552671 (optional)"));
    m_phone->setAccessibleName(tr("Phone number"));
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Phone number:"), m_phone);
    layout->addLayout(form);
    auto *note = new QLabel(tr("After adding, start the client and scan its QR code with the phone."), this);
    note->setObjectName(QStringLiteral("addClientHint"));
    note->setWordWrap(true);
    layout->addWidget(note);
    m_error = new ErrorLabel(QStringLiteral("addClientError"), tr("Error"), this);
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Add"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, &AddClientDialog::validate);
    validate();
    keepTextWhole(this);
}

QString AddClientDialog::name() const { return m_name->text().trimmed(); }
QString AddClientDialog::phoneNumber() const { return m_phone->text().trimmed(); }

void AddClientDialog::showError(const QString &message)
{
    m_error->showError(message);
}

void AddClientDialog::validate()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!name().isEmpty());
}

RenameClientDialog::RenameClientDialog(const QString &current, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Rename client"));
    setObjectName(QStringLiteral("renameClientDialog"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_name = new QLineEdit(current, this);
    m_name->setMaxLength(kMaxName);
    m_name->setAccessibleName(tr("New name"));
    m_name->selectAll();
    form->addRow(tr("&Name:"), m_name);
    layout->addLayout(form);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Rename"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this,
            [this]() { m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!name().isEmpty()); });
    keepTextWhole(this);
}

QString RenameClientDialog::name() const { return m_name->text().trimmed(); }

} // namespace wadesk
