#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace wadesk {

// Shows a secret that is never shown again (an API key just created): in plain sight, selectable,
// with a Copy button, and a reminder that closing the dialog is the last chance to take it.
class OneTimeSecretDialog : public QDialog {
    Q_OBJECT
public:
    OneTimeSecretDialog(const QString &title, const QString &text, const QString &secret, QWidget *parent = nullptr);

    QString secret() const;

private:
    void copy();

    QLineEdit *m_secret = nullptr;
    QPushButton *m_copy = nullptr;
    QLabel *m_copied = nullptr;
};

} // namespace wadesk
