#pragma once

#include "core/common/DomainError.h"

#include <QDialog>
#include <QPointer>

class QLabel;
class QLineEdit;
class QPushButton;
class QTimer;
class QTreeView;

namespace wadesk {

class ContactEditDialog;
class ContactImportDialog;
class ContactPageModel;
class DesktopContext;
class ErrorLabel;

// Contacts: the organization's contacts with their names, tags and opt-out state, searched by
// name or number and read a page at a time as the list scrolls. Edit… (roles that may send,
// as PATCH /api/contacts/:contactId requires) changes the name, the tags and the opt-out;
// viewers only read. With nothing to show it says why and what to do.
class ContactsDialog final : public QDialog {
    Q_OBJECT
public:
    explicit ContactsDialog(DesktopContext &context, QWidget *parent = nullptr);

    ContactPageModel *contactModel() const { return m_model; }
    QTreeView *contactView() const { return m_view; }
    QLineEdit *searchEdit() const { return m_search; }
    QPushButton *editButton() const { return m_edit; }
    QPushButton *clearSearchButton() const { return m_clearSearch; }
    QLabel *emptyHint() const { return m_empty; }
    ContactEditDialog *editDialog() const; // while open
    QString errorText() const;
    // Applies the search at once (typing waits a moment).
    void applySearch();
    void selectContact(const QString &contactId);
    QString currentContact() const;
    ContactEditDialog *openEditor();
    // Import… (admins and managers, as POST /api/contacts/import requires): a CSV file.
    QPushButton *importButton() const { return m_import; }
    ContactImportDialog *importDialog() const; // while open
    ContactImportDialog *openImport();

signals:
    void editFinished(bool saved);

private:
    void submitEdit();
    void updateControls();

    DesktopContext &m_context;
    ContactPageModel *m_model = nullptr;
    QTreeView *m_view = nullptr;
    QLineEdit *m_search = nullptr;
    QTimer *m_searchDelay = nullptr;
    QPushButton *m_edit = nullptr;
    QPushButton *m_clearSearch = nullptr;
    QLabel *m_empty = nullptr;
    ErrorLabel *m_error = nullptr;
    QPointer<ContactEditDialog> m_editDialog;
    QPushButton *m_import = nullptr;
    QPointer<ContactImportDialog> m_importDialog;
};

} // namespace wadesk
