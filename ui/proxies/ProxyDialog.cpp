#include "ui/proxies/ProxyDialog.h"

#include "ui/common/ErrorLabel.h"
#include "ui/models/ProxyListModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace wadesk {

namespace {
constexpr int kDefaultMaxClients = 5;
constexpr int kMaxClientsLimit = 1000;
constexpr int kCredentialMaxLength = 255; // SOCKS5 carries at most 255 bytes of each
} // namespace

ProxyDialog::ProxyDialog(QWidget *parent)
    : QDialog(parent)
{
    build();
    setWindowTitle(tr("Add proxy"));
    setObjectName(QStringLiteral("addProxyDialog"));
    m_save->setText(tr("&Add"));
    m_save->setAccessibleName(tr("Add proxy"));
    m_password->setPlaceholderText(tr("none"));
    updateControls();
}

ProxyDialog::ProxyDialog(const ProxyRecord &existing, QWidget *parent)
    : QDialog(parent)
    , m_original(existing)
{
    build();
    setWindowTitle(tr("Edit proxy"));
    setObjectName(QStringLiteral("editProxyDialog"));
    m_save->setText(tr("&Save"));
    m_save->setAccessibleName(tr("Save proxy"));
    m_type->setCurrentIndex(m_type->findData(int(existing.type)));
    m_host->setText(existing.host);
    m_port->setValue(existing.port);
    m_username->setText(existing.username);
    m_label->setText(existing.label);
    m_country->setText(existing.country);
    m_maxClients->setValue(existing.maxClients);
    m_password->setPlaceholderText(m_original.hasPassword ? tr("leave empty to keep") : tr("none"));
    m_removePassword->setVisible(m_original.hasPassword);
    updateControls();
}

void ProxyDialog::build()
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_type = new QComboBox(this);
    m_type->setObjectName(QStringLiteral("proxyTypeCombo"));
    m_type->setAccessibleName(tr("Proxy type"));
    for (ProxyEndpoint::Type t : {ProxyEndpoint::Type::Http, ProxyEndpoint::Type::Socks5})
        m_type->addItem(ProxyListModel::typeText(t), int(t));
    m_host = new QLineEdit(this);
    m_host->setObjectName(QStringLiteral("proxyHostEdit"));
    m_host->setAccessibleName(tr("Host"));
    m_host->setMaxLength(253);
    m_host->setPlaceholderText(tr("proxy.example.com or 203.0.113.7"));
    m_port = new QSpinBox(this);
    m_port->setObjectName(QStringLiteral("proxyPortSpin"));
    m_port->setAccessibleName(tr("Port"));
    // 0 shows as an empty field: nothing chosen yet (the service refuses it with its own words).
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(QStringLiteral(" "));
    m_port->setGroupSeparatorShown(false);
    m_username = new QLineEdit(this);
    m_username->setObjectName(QStringLiteral("proxyUsernameEdit"));
    m_username->setAccessibleName(tr("Username"));
    m_username->setMaxLength(kCredentialMaxLength);
    m_username->setPlaceholderText(tr("none"));
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("proxyPasswordEdit"));
    m_password->setAccessibleName(tr("Password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setMaxLength(kCredentialMaxLength);
    m_removePassword = new QCheckBox(tr("Remo&ve the stored password"), this);
    m_removePassword->setObjectName(QStringLiteral("proxyRemovePasswordBox"));
    m_removePassword->setAccessibleName(tr("Remove the stored password"));
    m_removePassword->setVisible(false);
    m_label = new QLineEdit(this);
    m_label->setObjectName(QStringLiteral("proxyLabelEdit"));
    m_label->setAccessibleName(tr("Label"));
    m_label->setMaxLength(100);
    m_label->setPlaceholderText(tr("host:port when empty"));
    m_country = new QLineEdit(this);
    m_country->setObjectName(QStringLiteral("proxyCountryEdit"));
    m_country->setAccessibleName(tr("Country"));
    m_country->setMaxLength(2);
    m_country->setPlaceholderText(tr("DE, US, … (optional)"));
    m_country->setToolTip(tr("The two-letter country code of the proxy's exit. A client's browser takes its time zone and "
                             "languages from it when its identity sets none."));
    m_maxClients = new QSpinBox(this);
    m_maxClients->setObjectName(QStringLiteral("proxyMaxClientsSpin"));
    m_maxClients->setAccessibleName(tr("Most clients"));
    m_maxClients->setRange(1, kMaxClientsLimit);
    m_maxClients->setValue(kDefaultMaxClients);
    m_maxClients->setToolTip(tr("How many clients may use this proxy at most"));
    form->addRow(tr("&Type:"), m_type);
    form->addRow(tr("&Host:"), m_host);
    form->addRow(tr("&Port:"), m_port);
    form->addRow(tr("&Username:"), m_username);
    form->addRow(tr("Pass&word:"), m_password);
    form->addRow(QString(), m_removePassword);
    form->addRow(tr("&Label:"), m_label);
    form->addRow(tr("&Country:"), m_country);
    form->addRow(tr("&Most clients:"), m_maxClients);
    layout->addLayout(form);
    auto *note = new QLabel(tr("Each client keeps its proxy; WaDesk never rotates addresses. The password is stored encrypted "
                               "and never shown again."),
                            this);
    note->setWordWrap(true);
    layout->addWidget(note);
    m_error = new ErrorLabel(QStringLiteral("proxyDialogError"), tr("Error"), this);
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_save = m_buttons->button(QDialogButtonBox::Ok);
    m_save->setObjectName(QStringLiteral("proxySaveButton"));
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this]() {
        if (m_save->isEnabled())
            emit submitted();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_host, &QLineEdit::textChanged, this, &ProxyDialog::updateControls);
    connect(m_password, &QLineEdit::textChanged, this, &ProxyDialog::updateControls);
    connect(m_removePassword, &QCheckBox::toggled, this, &ProxyDialog::updateControls);
    resize(440, sizeHint().height());
}

void ProxyDialog::updateControls()
{
    // A new password and "remove it" exclude each other.
    m_password->setEnabled(!m_removePassword->isChecked());
    m_removePassword->setEnabled(m_password->text().isEmpty());
    m_save->setEnabled(!host().isEmpty());
}

ProxyEndpoint::Type ProxyDialog::type() const { return ProxyEndpoint::Type(m_type->currentData().toInt()); }
QString ProxyDialog::host() const { return m_host->text().trimmed(); }
int ProxyDialog::port() const { return m_port->value(); }
QString ProxyDialog::username() const { return m_username->text(); }
QString ProxyDialog::password() const { return m_password->text(); }
bool ProxyDialog::removePassword() const { return m_original.hasPassword && m_removePassword->isChecked(); }
QString ProxyDialog::label() const { return m_label->text().trimmed(); }
QString ProxyDialog::country() const { return m_country->text().trimmed(); }
int ProxyDialog::maxClients() const { return m_maxClients->value(); }

void ProxyDialog::showError(const QString &message)
{
    m_error->showError(message);
}

QString ProxyDialog::errorText() const
{
    return m_error->text();
}

} // namespace wadesk
