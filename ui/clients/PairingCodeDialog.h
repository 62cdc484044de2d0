#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace wadesk {

class DesktopContext;
class ErrorLabel;

// "Link with phone number instead": the operator types the number of the phone to link, WaDesk
// asks WhatsApp for its 8-character pairing code (ClientActionService::pairingCode, the same
// rule and audit entry as POST /api/clients/:id/pairing-code) and shows it large and copyable
// with what to do on the phone. Closes by itself once the client is linked.
class PairingCodeDialog final : public QDialog {
    Q_OBJECT
public:
    PairingCodeDialog(DesktopContext &context, const QString &clientId, const QString &clientName, QWidget *parent = nullptr);

    QLineEdit *phoneEdit() const { return m_phone; }
    QPushButton *requestButton() const { return m_request; }
    QPushButton *copyButton() const { return m_copy; }
    ErrorLabel *errorLabel() const { return m_error; }
    // The code as WhatsApp gave it (empty until then), and as shown ("ABCD-EFGH").
    QString code() const { return m_code; }
    QString shownCode() const;
    void requestCode();

    // "ABCDEFGH" → "ABCD-EFGH", as the phone shows its own code.
    static QString grouped(const QString &code);

private:
    void onSnapshotChanged(const QString &clientId);

    DesktopContext &m_context;
    QString m_clientId;
    QString m_code;
    QLineEdit *m_phone = nullptr;
    QPushButton *m_request = nullptr;
    ErrorLabel *m_error = nullptr;
    QLabel *m_codeLabel = nullptr;
    QLabel *m_steps = nullptr;
    QPushButton *m_copy = nullptr;
    bool m_waiting = false;
};

} // namespace wadesk
