#pragma once

#include "core/auth/PasswordHasher.h"

#include <QDialog>
#include <QFuture>
#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;

namespace wadesk {

class ErrorLabel;

class DesktopContext;

// Email and password, checked exactly as POST /api/auth/login does: AccountService's throttling
// (per account and per address; the desktop's address is "desktop"), the password verified off
// the UI thread (against a decoy for unknown accounts), failures audited. On success the
// context is signed in and the dialog is accepted; Quit rejects it. The last email that signed
// in is remembered in the settings file (`desktop/lastEmail`), never the password.
class SignInDialog final : public QDialog {
    Q_OBJECT
public:
    SignInDialog(DesktopContext &context, QString settingsFile, QWidget *parent = nullptr);
    ~SignInDialog() override;

    static QString lastEmail(const QString &settingsFile);
    QString errorText() const;
    bool busy() const { return m_busy; }

    QLineEdit *emailField() const { return m_email; }
    QLineEdit *passwordField() const { return m_password; }
    QPushButton *signInButton() const { return m_signIn; }

signals:
    // One attempt ended (after the context was signed in, on success).
    void attemptFinished(bool signedIn);

private:
    void submit();
    void finish(const QString &email, bool matched, const QString &rehash);
    void fail(const QString &message);
    void setBusy(bool busy);

    DesktopContext &m_context;
    QString m_settingsFile;
    QFuture<std::shared_ptr<const PasswordHasher>> m_hasher; // made once, off the UI thread (its decoy is slow)
    QLineEdit *m_email = nullptr;
    QLineEdit *m_password = nullptr;
    ErrorLabel *m_error = nullptr;
    QPushButton *m_signIn = nullptr;
    QPushButton *m_quit = nullptr;
    bool m_busy = false;
    struct Pending;
    std::unique_ptr<Pending> m_pending;
};

} // namespace wadesk
