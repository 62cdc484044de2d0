#include "ui/team/AddMemberDialog.h"

#include "ui/common/ErrorLabel.h"
#include "core/auth/PasswordHasher.h"
#include "ui/models/TeamMemberModel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace wadesk {

AddMemberDialog::AddMemberDialog(const QList<Role> &roles, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Add team member"));
    setObjectName(QStringLiteral("addMemberDialog"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_email = new QLineEdit(this);
    m_email->setObjectName(QStringLiteral("memberEmailEdit"));
    m_email->setAccessibleName(tr("Email address"));
    m_email->setMaxLength(254);
    m_email->setInputMethodHints(Qt::ImhEmailCharactersOnly);
    m_email->setPlaceholderText(tr("name@example.com"));
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("memberNameEdit"));
    m_name->setAccessibleName(tr("Name"));
    m_name->setMaxLength(100);
    m_role = new QComboBox(this);
    m_role->setObjectName(QStringLiteral("memberRoleCombo"));
    m_role->setAccessibleName(tr("Role"));
    for (Role r : roles)
        m_role->addItem(TeamMemberModel::roleText(r), int(r));
    // Agents are the common case; otherwise the least privileged role offered comes first.
    if (const int agent = m_role->findData(int(Role::Agent)); agent >= 0)
        m_role->setCurrentIndex(agent);
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("memberPasswordEdit"));
    m_password->setAccessibleName(tr("Initial password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setMaxLength(PasswordHasher::kMaxLength);
    m_password->setPlaceholderText(tr("at least %n characters", nullptr, PasswordHasher::kMinLength));
    form->addRow(tr("&Email:"), m_email);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(tr("&Role:"), m_role);
    form->addRow(tr("Initial &password:"), m_password);
    layout->addLayout(form);
    auto *note = new QLabel(tr("The new member signs in with this email and password; pass the password on to them safely."), this);
    note->setWordWrap(true);
    layout->addWidget(note);
    m_error = new ErrorLabel(QStringLiteral("addMemberError"), tr("Error"), this);
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_add = m_buttons->button(QDialogButtonBox::Ok);
    m_add->setText(tr("&Add"));
    m_add->setObjectName(QStringLiteral("addMemberOkButton"));
    m_add->setAccessibleName(tr("Add member"));
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this]() {
        if (!m_busy && m_add->isEnabled())
            emit submitted();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    for (QLineEdit *edit : {m_email, m_name, m_password})
        connect(edit, &QLineEdit::textChanged, this, &AddMemberDialog::validate);
    validate();
    resize(420, sizeHint().height());
}

QString AddMemberDialog::email() const { return m_email->text().trimmed(); }
QString AddMemberDialog::name() const { return m_name->text().trimmed(); }
QString AddMemberDialog::password() const { return m_password->text(); }
Role AddMemberDialog::role() const { return Role(m_role->currentData().toInt()); }

void AddMemberDialog::setRole(Role role)
{
    if (const int at = m_role->findData(int(role)); at >= 0)
        m_role->setCurrentIndex(at);
}

QList<Role> AddMemberDialog::offeredRoles() const
{
    QList<Role> out;
    for (int i = 0; i < m_role->count(); ++i)
        out << Role(m_role->itemData(i).toInt());
    return out;
}

void AddMemberDialog::showError(const QString &message)
{
    m_error->showError(message);
}

QString AddMemberDialog::errorText() const
{
    return m_error->text();
}

void AddMemberDialog::setBusy(bool busy)
{
    m_busy = busy;
    for (QLineEdit *edit : {m_email, m_name, m_password})
        edit->setReadOnly(busy);
    m_role->setEnabled(!busy);
    if (busy)
        showError(QString());
    validate();
}

void AddMemberDialog::validate()
{
    m_add->setEnabled(!m_busy && m_role->count() > 0 && !email().isEmpty() && !name().isEmpty() && !password().isEmpty());
}

} // namespace wadesk
