#pragma once

#include "core/proxies/ProxyRecord.h"

#include <QDialog>
#include <optional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace wadesk {

class ErrorLabel;

// "Add proxy" and "Edit proxy": type (HTTP or SOCKS5), host, port, username, password, label,
// country and the most clients it may carry. When editing, the stored password is never shown:
// an empty password field keeps it, and "Remove the stored password" drops it. The dialog
// checks nothing itself: "Save" emits submitted() and the Proxies screen runs the change through
// ProxyService, then accepts this dialog or shows the service's error here (a port of 0, a host
// with spaces, a country that is not two letters...).
class ProxyDialog final : public QDialog {
    Q_OBJECT
public:
    // Add: empty fields (HTTP, no port, at most 5 clients).
    explicit ProxyDialog(QWidget *parent = nullptr);
    // Edit: the fields of `existing` (without its password).
    explicit ProxyDialog(const ProxyRecord &existing, QWidget *parent = nullptr);

    bool isEdit() const { return !m_original.id.isEmpty(); }
    QString proxyId() const { return m_original.id; }
    // Edit: the proxy as it was when the dialog opened (what a change is compared with).
    const ProxyRecord &original() const { return m_original; }

    ProxyEndpoint::Type type() const;
    QString host() const;
    int port() const; // 0 when the field is empty
    QString username() const;
    QString password() const;
    bool removePassword() const; // edit only: drop the stored password
    QString label() const;
    QString country() const;
    int maxClients() const;

    QComboBox *typeCombo() const { return m_type; }
    QLineEdit *hostField() const { return m_host; }
    QSpinBox *portField() const { return m_port; }
    QLineEdit *usernameField() const { return m_username; }
    QLineEdit *passwordField() const { return m_password; }
    QCheckBox *removePasswordBox() const { return m_removePassword; }
    QLineEdit *labelField() const { return m_label; }
    QLineEdit *countryField() const { return m_country; }
    QSpinBox *maxClientsField() const { return m_maxClients; }
    QPushButton *saveButton() const { return m_save; }

    void showError(const QString &message);
    QString errorText() const;

signals:
    void submitted();

private:
    void build();
    void updateControls();

    ProxyRecord m_original;
    QComboBox *m_type = nullptr;
    QLineEdit *m_host = nullptr;
    QSpinBox *m_port = nullptr;
    QLineEdit *m_username = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_removePassword = nullptr;
    QLineEdit *m_label = nullptr;
    QLineEdit *m_country = nullptr;
    QSpinBox *m_maxClients = nullptr;
    ErrorLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_save = nullptr;
};

} // namespace wadesk
