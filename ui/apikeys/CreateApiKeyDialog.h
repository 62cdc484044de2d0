#pragma once

#include <QDialog>

class QCheckBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QLineEdit;

namespace wadesk {

class ErrorLabel;

// "Create API key": a name and, optionally, when the key expires. It only collects and shows:
// ApiKeysDialog creates the key on submitted() and calls showError() or accept().
class CreateApiKeyDialog final : public QDialog {
    Q_OBJECT
public:
    // `now` (ms since the epoch) seeds the expiry field a month ahead.
    CreateApiKeyDialog(qint64 now, QWidget *parent = nullptr);

    QString name() const;
    // 0 when the key never expires.
    qint64 expiresAt() const;
    void setName(const QString &name);
    void setExpiresAt(qint64 ms); // 0: never
    QLineEdit *nameEdit() const { return m_name; }
    QCheckBox *expiresCheck() const { return m_expires; }
    QDateTimeEdit *expiryEdit() const { return m_expiry; }
    QString errorText() const;
    void showError(const QString &message);
    void submit();

signals:
    void submitted();

private:
    QLineEdit *m_name = nullptr;
    QCheckBox *m_expires = nullptr;
    QDateTimeEdit *m_expiry = nullptr;
    ErrorLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace wadesk
