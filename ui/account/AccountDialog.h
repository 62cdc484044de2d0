#pragma once

#include "core/common/DomainError.h"

#include <QDialog>
#include <QPointer>

class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace wadesk {

class DeleteClientDialog;
class DesktopContext;
class ErrorLabel;

// My account: who is signed in, changing one's own password (the current one, then the new
// one twice, under the API's password rules; hashing runs on a worker thread), and, for roles
// that manage clients, deleting a client after DeleteClientDialog has spelled out what goes with
// it and the name was typed. Everything goes through the services with the signed-in actor and
// is audited.
class AccountDialog final : public QDialog {
    Q_OBJECT
public:
    explicit AccountDialog(DesktopContext &context, QWidget *parent = nullptr);

    QLineEdit *currentPasswordEdit() const { return m_current; }
    QLineEdit *newPasswordEdit() const { return m_new; }
    QLineEdit *repeatPasswordEdit() const { return m_repeat; }
    QPushButton *changePasswordButton() const { return m_change; }
    QGroupBox *deleteClientGroup() const { return m_deleteGroup; } // null for agents and viewers
    QComboBox *deleteClientBox() const { return m_deleteClient; }
    QPushButton *deleteClientButton() const { return m_deleteButton; }
    DeleteClientDialog *deleteDialog() const; // while open
    QString passwordError() const;
    QString passwordNotice() const;
    QString deleteError() const;

    // Checks the input, then verifies and hashes on a worker; passwordChangeFinished() tells the end.
    void changePassword();
    // Opens the confirmation for the selected client (non-modal: open()); on accept it deletes.
    DeleteClientDialog *openDeleteClient();
    void reloadClients();

signals:
    void passwordChangeFinished(bool changed);
    void clientDeleted(const QString &clientId);

private:
    void finishPasswordChange(bool currentMatched, const QString &storedHash, const QString &newHash);
    void deleteConfirmed(const QString &clientId);

    DesktopContext &m_context;
    QLineEdit *m_current = nullptr;
    QLineEdit *m_new = nullptr;
    QLineEdit *m_repeat = nullptr;
    QPushButton *m_change = nullptr;
    QLabel *m_passwordNotice = nullptr;
    ErrorLabel *m_passwordError = nullptr;
    QGroupBox *m_deleteGroup = nullptr;
    QComboBox *m_deleteClient = nullptr;
    QPushButton *m_deleteButton = nullptr;
    ErrorLabel *m_deleteError = nullptr;
    QPointer<DeleteClientDialog> m_deleteDialog;
    bool m_busy = false;
};

} // namespace wadesk
