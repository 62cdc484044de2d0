#include "ui/proxies/AssignProxyDialog.h"

#include "ui/common/ErrorLabel.h"
#include "ui/models/ProxyListModel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace wadesk {

AssignProxyDialog::AssignProxyDialog(const QList<Client> &clients, const QList<ProxyRecord> &proxies, QWidget *parent)
    : QDialog(parent)
    , m_clients(clients)
    , m_proxies(proxies)
{
    setWindowTitle(tr("Assign proxy"));
    setObjectName(QStringLiteral("assignProxyDialog"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_client = new QComboBox(this);
    m_client->setObjectName(QStringLiteral("assignClientCombo"));
    m_client->setAccessibleName(tr("Client"));
    for (const Client &c : clients)
        m_client->addItem(c.name, c.id);
    m_now = new QLabel(this);
    m_now->setObjectName(QStringLiteral("assignCurrentProxy"));
    m_now->setTextFormat(Qt::PlainText); // labels are whatever admins typed
    m_proxy = new QComboBox(this);
    m_proxy->setObjectName(QStringLiteral("assignProxyCombo"));
    m_proxy->setAccessibleName(tr("Proxy"));
    m_proxy->addItem(tr("Automatic (the least used healthy proxy)"), automatic());
    m_proxy->addItem(tr("No proxy (connect directly)"), QString());
    for (const ProxyRecord &p : proxies) {
        QString text = tr("%1 — %2, %3 of %4 clients, %5")
                           .arg(ProxyListModel::displayName(p), ProxyListModel::addressOf(p))
                           .arg(p.clients)
                           .arg(p.maxClients)
                           .arg(ProxyListModel::healthText(p));
        m_proxy->addItem(text, p.id);
    }
    m_failover = new QCheckBox(tr("&Move to another healthy proxy when this one is down"), this);
    m_failover->setObjectName(QStringLiteral("assignFailoverBox"));
    m_failover->setAccessibleName(tr("Allow failover to another proxy"));
    m_failover->setToolTip(tr("Off: while its proxy is down the client waits, and never connects directly."));
    form->addRow(tr("C&lient:"), m_client);
    form->addRow(tr("Now:"), m_now);
    form->addRow(tr("&Proxy:"), m_proxy);
    form->addRow(QString(), m_failover);
    layout->addLayout(form);
    auto *note = new QLabel(tr("The client keeps this proxy: WaDesk does not rotate addresses, since a number that changes "
                               "address looks automated."),
                            this);
    note->setWordWrap(true);
    layout->addWidget(note);
    m_error = new ErrorLabel(QStringLiteral("assignProxyError"), tr("Error"), this);
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_assign = m_buttons->button(QDialogButtonBox::Ok);
    m_assign->setObjectName(QStringLiteral("assignProxyOkButton"));
    m_assign->setText(tr("&Assign"));
    m_assign->setAccessibleName(tr("Assign proxy"));
    m_assign->setEnabled(m_client->count() > 0);
    m_buttons->button(QDialogButtonBox::Cancel)->setAccessibleName(tr("Cancel"));
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this]() {
        if (m_assign->isEnabled())
            emit submitted();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_client, &QComboBox::currentIndexChanged, this, &AssignProxyDialog::onClientChanged);
    connect(m_proxy, &QComboBox::currentIndexChanged, this, [this]() { showError(QString()); });
    onClientChanged();
    resize(520, sizeHint().height());
}

const AssignProxyDialog::Client *AssignProxyDialog::currentClient() const
{
    const int at = m_client->currentIndex();
    return at >= 0 && at < m_clients.size() ? &m_clients.at(at) : nullptr;
}

void AssignProxyDialog::onClientChanged()
{
    showError(QString());
    const Client *c = currentClient();
    QString now = tr("No proxy");
    if (c && !c->proxyId.isEmpty()) {
        now = c->proxyId;
        for (const ProxyRecord &p : m_proxies) {
            if (p.id == c->proxyId)
                now = ProxyListModel::displayName(p);
        }
    }
    m_now->setText(c ? now : QString());
    m_failover->setChecked(c && c->failover);
}

bool AssignProxyDialog::failover() const
{
    return m_failover->isChecked();
}

QString AssignProxyDialog::clientId() const { return m_client->currentData().toString(); }
QString AssignProxyDialog::choice() const { return m_proxy->currentData().toString(); }

void AssignProxyDialog::setClient(const QString &clientId)
{
    if (const int at = m_client->findData(clientId); at >= 0)
        m_client->setCurrentIndex(at);
}

void AssignProxyDialog::setChoice(const QString &proxyIdOrAuto)
{
    if (const int at = m_proxy->findData(proxyIdOrAuto); at >= 0)
        m_proxy->setCurrentIndex(at);
}

void AssignProxyDialog::showError(const QString &message)
{
    m_error->showError(message);
}

QString AssignProxyDialog::errorText() const
{
    return m_error->text();
}

} // namespace wadesk
