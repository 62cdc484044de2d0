#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace wadesk {

// Asks before a client is deleted: what goes with it (its session and link on this computer,
// every message including the queued ones that will never be sent, its conversations, limits and
// assignments) spelled out, and its name typed to confirm. Delete stays disabled until the typed
// text is the client's name exactly.
class DeleteClientDialog final : public QDialog {
    Q_OBJECT
public:
    DeleteClientDialog(const QString &clientName, const QString &phoneNumber, int queuedMessages, bool running,
                       QWidget *parent = nullptr);

    QLabel *consequencesLabel() const { return m_consequences; }
    QLineEdit *confirmationEdit() const { return m_confirm; }
    QPushButton *deleteButton() const { return m_delete; }
    bool confirmed() const;

private:
    QString m_name;
    QLabel *m_consequences = nullptr;
    QLineEdit *m_confirm = nullptr;
    QPushButton *m_delete = nullptr;
};

} // namespace wadesk
