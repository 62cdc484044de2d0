#pragma once

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;

namespace wadesk {

class ErrorLabel;
struct ContactRecord;

// Edit one contact: its name, its tags (separated by commas) and whether it is opted out. It
// only collects the input: submitted() asks the owner (ContactsDialog) to save through
// ContactService, which answers with accept() or showError().
class ContactEditDialog final : public QDialog {
    Q_OBJECT
public:
    ContactEditDialog(const ContactRecord &contact, QWidget *parent = nullptr);

    QString contactId() const { return m_contactId; }
    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *tagsEdit() const { return m_tags; }
    QCheckBox *optedOutBox() const { return m_optedOut; }
    QString name() const;
    QStringList tags() const;
    bool optedOut() const;
    void showError(const QString &message);
    QString errorText() const;
    void submit();

signals:
    void submitted();

private:
    QString m_contactId;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_tags = nullptr;
    QCheckBox *m_optedOut = nullptr;
    ErrorLabel *m_error = nullptr;
};

} // namespace wadesk
