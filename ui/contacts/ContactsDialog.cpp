#include "ui/contacts/ContactsDialog.h"

#include "core/messaging/ContactService.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/common/RowListView.h"
#include "ui/contacts/ContactEditDialog.h"
#include "ui/contacts/ContactImportDialog.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/ContactPageModel.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace wadesk {

ContactsDialog::ContactsDialog(DesktopContext &context, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("contactsDialog"));
    setWindowTitle(tr("Contacts"));
    m_model = new ContactPageModel(m_context, this);
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    auto *searchLabel = new QLabel(tr("&Search:"), this);
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("contactSearch"));
    m_search->setAccessibleName(tr("Search contacts"));
    m_search->setPlaceholderText(tr("Name or number"));
    m_search->setClearButtonEnabled(true);
    searchLabel->setBuddy(m_search);
    top->addWidget(searchLabel);
    top->addWidget(m_search, 1);
    m_edit = new QPushButton(tr("&Edit…"), this);
    m_edit->setObjectName(QStringLiteral("editContactButton"));
    m_edit->setAccessibleName(tr("Edit contact"));
    m_edit->setToolTip(tr("Change the name, tags and opt-out of the selected contact"));
    top->addWidget(m_edit);
    m_import = new QPushButton(tr("&Import…"), this);
    m_import->setObjectName(QStringLiteral("importContactsButton"));
    m_import->setToolTip(tr("Add or update contacts from a CSV file"));
    top->addWidget(m_import);
    layout->addLayout(top);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("contactList"));
    m_view->setAccessibleName(tr("Contacts"));
    m_view->setModel(m_model);
    configureRowList(m_view, ContactPageModel::NameColumn);
    layout->addWidget(m_view, 1);
    auto *emptyRow = new QHBoxLayout;
    m_empty = new QLabel(this);
    m_empty->setObjectName(QStringLiteral("contactsEmptyHint"));
    m_empty->setTextFormat(Qt::PlainText);
    m_empty->setWordWrap(true);
    m_clearSearch = new QPushButton(tr("&Clear Search"), this);
    m_clearSearch->setObjectName(QStringLiteral("clearContactSearchButton"));
    m_clearSearch->setAccessibleName(tr("Clear the search"));
    emptyRow->addWidget(m_empty, 1);
    emptyRow->addWidget(m_clearSearch);
    layout->addLayout(emptyRow);
    m_error = new ErrorLabel(QStringLiteral("contactsError"), tr("Contacts error"), this);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
    layout->addWidget(buttons);
    setTabOrder(m_search, m_edit);
    setTabOrder(m_edit, m_view);

    m_searchDelay = new QTimer(this);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(250);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_searchDelay, &QTimer::timeout, this, &ContactsDialog::applySearch);
    connect(m_search, &QLineEdit::returnPressed, this, &ContactsDialog::applySearch);
    connect(m_clearSearch, &QPushButton::clicked, m_search, &QLineEdit::clear);
    connect(m_clearSearch, &QPushButton::clicked, this, &ContactsDialog::applySearch);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_edit, &QPushButton::clicked, this, [this]() { openEditor(); });
    connect(m_import, &QPushButton::clicked, this, [this]() { openImport(); });
    connect(m_view, &QTreeView::activated, this, [this]() { openEditor(); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &ContactsDialog::updateControls);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ContactsDialog::updateControls);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &ContactsDialog::updateControls);
    if (!m_model->lastError().isEmpty())
        m_error->showError(m_model->lastError());
    updateControls();
    resize(820, 520);
}

ContactEditDialog *ContactsDialog::editDialog() const
{
    return m_editDialog;
}

QString ContactsDialog::errorText() const
{
    return m_error->text();
}

void ContactsDialog::applySearch()
{
    m_searchDelay->stop();
    if (m_search->text().trimmed() == m_model->search() && m_model->pagesRead() > 0)
        return;
    if (!m_model->setSearch(m_search->text()))
        m_error->showError(m_model->lastError());
    else
        m_error->showError(QString());
    if (m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(0, 0));
    updateControls();
}

void ContactsDialog::selectContact(const QString &contactId)
{
    const int row = m_model->rowOf(contactId);
    if (row >= 0)
        m_view->setCurrentIndex(m_model->index(row, 0));
}

QString ContactsDialog::currentContact() const
{
    const QModelIndex at = m_view->currentIndex();
    return at.isValid() ? at.data(ContactPageModel::ContactIdRole).toString() : QString();
}

void ContactsDialog::updateControls()
{
    const bool mayEdit = m_context.signedIn() && m_context.actor().can(Permission::SendMessages);
    m_edit->setVisible(mayEdit);
    m_edit->setEnabled(mayEdit && !currentContact().isEmpty());
    m_import->setVisible(m_context.signedIn() && m_context.actor().can(Permission::ManageClients));
    const bool empty = m_model->rowCount() == 0 && m_model->lastError().isEmpty() && m_context.signedIn();
    const bool searching = !m_model->search().isEmpty();
    m_empty->setText(!empty ? QString()
                     : searching ? tr("No contact matches \"%1\". Try part of the name or a few digits of the number.").arg(m_model->search())
                                 : tr("No contacts yet. A contact appears here when a client sends to or hears from a number, "
                                      "or when contacts are imported (Import…, or through the API)."));
    m_empty->setVisible(empty);
    m_clearSearch->setVisible(empty && searching);
}

ContactEditDialog *ContactsDialog::openEditor()
{
    if (!m_context.signedIn() || !m_context.actor().can(Permission::SendMessages))
        return nullptr;
    const ContactRecord *contact = m_model->contact(m_view->currentIndex().row());
    if (!contact)
        return nullptr;
    if (m_editDialog)
        m_editDialog->close();
    auto *dialog = new ContactEditDialog(*contact, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ContactEditDialog::submitted, this, &ContactsDialog::submitEdit);
    m_editDialog = dialog;
    dialog->open();
    return dialog;
}

ContactImportDialog *ContactsDialog::importDialog() const
{
    return m_importDialog;
}

ContactImportDialog *ContactsDialog::openImport()
{
    if (!m_context.signedIn() || !m_context.actor().can(Permission::ManageClients))
        return nullptr;
    if (!m_importDialog) {
        m_importDialog = new ContactImportDialog(m_context, this);
        m_importDialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_importDialog, &ContactImportDialog::importFinished, this, [this](bool changed) {
            if (changed && !m_model->reload())
                m_error->showError(m_model->lastError());
            updateControls();
        });
    }
    m_importDialog->show();
    m_importDialog->raise();
    return m_importDialog;
}

void ContactsDialog::submitEdit()
{
    ContactEditDialog *dialog = m_editDialog;
    if (!dialog)
        return;
    ContactService::Change change;
    change.name = dialog->name();
    change.tags = dialog->tags();
    change.optedOut = dialog->optedOut();
    const Result<ContactRecord> saved = m_context.contacts().update(m_context.actor(), dialog->contactId(), change);
    if (!saved) {
        dialog->showError(errorMessageFor(saved.error()));
        emit editFinished(false);
        return;
    }
    m_model->replace(saved.value());
    dialog->accept();
    m_error->showError(QString());
    emit editFinished(true);
}

} // namespace wadesk
