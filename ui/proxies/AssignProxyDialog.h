#pragma once

#include "core/proxies/ProxyRecord.h"
#include "core/proxies/ProxyService.h"

#include <QDialog>
#include <QList>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QPushButton;

namespace wadesk {

class ErrorLabel;

// "Assign proxy": which client, which proxy it uses from now on (one of the pool, "Automatic":
// the healthy or not yet checked proxy with the fewest clients under its maximum, or "No proxy":
// the client connects directly), and whether WaDesk may move it to another healthy proxy when
// its own is down (failover; off by default, since a number that changes address looks
// automated). The client keeps the proxy until someone changes it here or through the API.
// Like the other dialogs it checks nothing itself: "Assign" emits submitted() and the Proxies
// screen calls ProxyService, then accepts this dialog or shows the refusal here (the proxy is
// full, no proxy is available, ...).
class AssignProxyDialog final : public QDialog {
    Q_OBJECT
public:
    struct Client {
        QString id;
        QString name;
        QString proxyId; // now; empty: none
        bool failover = false;
    };
    // `clients`: the clients the actor may see; `proxies`: the pool.
    AssignProxyDialog(const QList<Client> &clients, const QList<ProxyRecord> &proxies, QWidget *parent = nullptr);

    // What ProxyService::assign takes: a proxy id, "auto", or empty for no proxy.
    static QString automatic() { return ProxyService::kAuto; }

    QString clientId() const;
    QString choice() const;
    bool failover() const;
    // The client's settings when the dialog opened.
    const Client *currentClient() const;
    void setClient(const QString &clientId);
    // A proxy id, automatic() or an empty string.
    void setChoice(const QString &proxyIdOrAuto);

    QComboBox *clientCombo() const { return m_client; }
    QComboBox *proxyCombo() const { return m_proxy; }
    QCheckBox *failoverBox() const { return m_failover; }
    QLabel *currentLabel() const { return m_now; }
    QPushButton *assignButton() const { return m_assign; }

    void showError(const QString &message);
    QString errorText() const;

signals:
    void submitted();

private:
    void onClientChanged();

    QList<Client> m_clients;
    QList<ProxyRecord> m_proxies;
    QComboBox *m_client = nullptr;
    QLabel *m_now = nullptr;
    QComboBox *m_proxy = nullptr;
    QCheckBox *m_failover = nullptr;
    ErrorLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_assign = nullptr;
};

} // namespace wadesk
