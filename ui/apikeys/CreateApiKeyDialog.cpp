#include "ui/apikeys/CreateApiKeyDialog.h"

#include "ui/common/ErrorLabel.h"

#include <QCheckBox>
#include <QDateTime>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace wadesk {

CreateApiKeyDialog::CreateApiKeyDialog(qint64 now, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("createApiKeyDialog"));
    setWindowTitle(tr("Create API Key"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("The key acts with your role. It is shown once, after it is created."), this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("apiKeyName"));
    m_name->setAccessibleName(tr("Key name"));
    m_name->setPlaceholderText(tr("What uses the key, e.g. CRM sync"));
    m_name->setMaxLength(100);
    form->addRow(tr("&Name:"), m_name);
    m_expires = new QCheckBox(tr("E&xpires on:"), this);
    m_expires->setObjectName(QStringLiteral("apiKeyExpires"));
    m_expires->setAccessibleName(tr("The key expires"));
    m_expiry = new QDateTimeEdit(QDateTime::fromMSecsSinceEpoch(now).toLocalTime().addDays(30), this);
    m_expiry->setObjectName(QStringLiteral("apiKeyExpiry"));
    m_expiry->setAccessibleName(tr("Expiry date and time"));
    m_expiry->setCalendarPopup(true);
    m_expiry->setEnabled(false);
    form->addRow(m_expires, m_expiry);
    layout->addLayout(form);
    connect(m_expires, &QCheckBox::toggled, m_expiry, &QWidget::setEnabled);
    m_error = new ErrorLabel(QStringLiteral("createApiKeyError"), tr("Create API key error"), this);
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Create"));
    m_buttons->button(QDialogButtonBox::Ok)->setAccessibleName(tr("Create API key"));
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &CreateApiKeyDialog::submit);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setTabOrder(m_name, m_expires);
    setTabOrder(m_expires, m_expiry);
    setTabOrder(m_expiry, m_buttons);
    resize(440, sizeHint().height());
}

QString CreateApiKeyDialog::name() const
{
    return m_name->text().trimmed();
}

qint64 CreateApiKeyDialog::expiresAt() const
{
    return m_expires->isChecked() ? m_expiry->dateTime().toMSecsSinceEpoch() : 0;
}

void CreateApiKeyDialog::setName(const QString &name)
{
    m_name->setText(name);
}

void CreateApiKeyDialog::setExpiresAt(qint64 ms)
{
    m_expires->setChecked(ms > 0);
    if (ms > 0)
        m_expiry->setDateTime(QDateTime::fromMSecsSinceEpoch(ms).toLocalTime());
}

QString CreateApiKeyDialog::errorText() const
{
    return m_error->text();
}

void CreateApiKeyDialog::showError(const QString &message)
{
    m_error->showError(message);
}

void CreateApiKeyDialog::submit()
{
    emit submitted();
}

} // namespace wadesk
