#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace wadesk {

class ErrorLabel;

// "Add client": a name (required, up to 100 characters) and an optional phone number.
class AddClientDialog final : public QDialog {
    Q_OBJECT
public:
    explicit AddClientDialog(QWidget *parent = nullptr);
    QString name() const;
    QString phoneNumber() const;
    void showError(const QString &message);

private:
    void validate();
    QLineEdit *m_name = nullptr;
    QLineEdit *m_phone = nullptr;
    ErrorLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

// "Rename client".
class RenameClientDialog final : public QDialog {
    Q_OBJECT
public:
    explicit RenameClientDialog(const QString &current, QWidget *parent = nullptr);
    QString name() const;

private:
    QLineEdit *m_name = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace wadesk
