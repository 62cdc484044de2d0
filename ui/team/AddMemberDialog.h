#pragma once

#include "core/access/Permissions.h"

#include <QDialog>
#include <QList>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace wadesk {

class ErrorLabel;

// "Add member": email, name, role and an initial password. The role list holds only the roles
// the signed-in actor may create (admins: all four; managers: agents and viewers). The dialog
// checks nothing itself: "Add" emits submitted() and the Team dialog runs the creation through
// TeamService, then accepts this dialog or shows the service's error here.
class AddMemberDialog final : public QDialog {
    Q_OBJECT
public:
    AddMemberDialog(const QList<Role> &roles, QWidget *parent = nullptr);

    QString email() const;
    QString name() const;
    QString password() const;
    Role role() const;
    void setRole(Role role);
    QList<Role> offeredRoles() const;

    QLineEdit *emailField() const { return m_email; }
    QLineEdit *nameField() const { return m_name; }
    QLineEdit *passwordField() const { return m_password; }
    QComboBox *roleCombo() const { return m_role; }
    QPushButton *addButton() const { return m_add; }

    void showError(const QString &message);
    QString errorText() const;
    // While the password is hashed and the member created: the fields are read-only.
    void setBusy(bool busy);
    bool busy() const { return m_busy; }

signals:
    void submitted();

private:
    void validate();

    QLineEdit *m_email = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_role = nullptr;
    QLineEdit *m_password = nullptr;
    ErrorLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_add = nullptr;
    bool m_busy = false;
};

} // namespace wadesk
