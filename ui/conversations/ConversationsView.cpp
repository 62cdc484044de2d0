#include "ui/conversations/ConversationsView.h"

#include "ui/conversations/AttachmentFiles.h"
#include "ui/conversations/Composer.h"
#include "ui/conversations/MessageDelegate.h"
#include "ui/conversations/RateLimitStrip.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/main/Icons.h"
#include "core/messaging/MessageService.h"
#include "ui/models/ContactListModel.h"
#include "ui/models/MessageThreadModel.h"

#include <QAction>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QScrollBar>
#include <QStandardPaths>
#include <QUrl>
#include <QSplitter>
#include <QVBoxLayout>

namespace wadesk {

ConversationsView::ConversationsView(DesktopContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("conversationsView"));
    m_contacts = new ContactListModel(m_context, this);
    m_proxy = new ContactFilterProxyModel(this);
    m_proxy->setSourceModel(m_contacts);
    m_thread = new MessageThreadModel(m_context, this);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("conversationsSplitter"));
    m_splitter->setChildrenCollapsible(false);
    layout->addWidget(m_splitter);

    auto *left = new QWidget(m_splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_search = new QLineEdit(left);
    m_search->setObjectName(QStringLiteral("contactSearch"));
    m_search->setPlaceholderText(tr("Search contacts"));
    m_search->setAccessibleName(tr("Search contacts by name or number"));
    m_search->setClearButtonEnabled(true);
    m_search->addAction(Icons::search(), QLineEdit::LeadingPosition);
    leftLayout->addWidget(m_search);
    m_contactView = new QListView(left);
    m_contactView->setObjectName(QStringLiteral("contactList"));
    m_contactView->setAccessibleName(tr("Contacts"));
    m_contactView->setModel(m_proxy);
    m_contactView->setUniformItemSizes(true);
    m_contactView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    leftLayout->addWidget(m_contactView);

    auto *right = new QWidget(m_splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    m_threadHeader = new QLabel(right);
    m_threadHeader->setObjectName(QStringLiteral("threadHeader"));
    m_threadHeader->setTextFormat(Qt::PlainText); // contact names come from WhatsApp and from people
    m_threadHeader->setMargin(4);
    QFont bold = m_threadHeader->font();
    bold.setBold(true);
    m_threadHeader->setFont(bold);
    rightLayout->addWidget(m_threadHeader);
    m_threadView = new QListView(right);
    m_threadView->setObjectName(QStringLiteral("messageThread"));
    m_threadView->setAccessibleName(tr("Messages"));
    m_threadView->setModel(m_thread);
    m_delegate = new MessageDelegate(m_threadView);
    m_threadView->setItemDelegate(m_delegate);
    m_threadView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_files = new AttachmentFiles(m_context, this);
    m_threadView->setResizeMode(QListView::Adjust);
    m_threadView->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_threadView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_threadView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_threadView->setWordWrap(true);
    rightLayout->addWidget(m_threadView, 1);
    m_composer = new Composer(m_context, right);
    rightLayout->addWidget(m_composer);
    m_readOnlyNote = new QLabel(tr("Your role can read conversations but not send messages."), right);
    m_readOnlyNote->setObjectName(QStringLiteral("readOnlyNote"));
    m_readOnlyNote->setMargin(4);
    rightLayout->addWidget(m_readOnlyNote);
    m_rates = new RateLimitStrip(m_context, right);
    rightLayout->addWidget(m_rates);
    m_splitter->addWidget(left);
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 3);

    const bool maySend = m_context.signedIn() && m_context.actor().can(Permission::SendMessages);
    m_composer->setVisible(maySend);
    m_readOnlyNote->setVisible(!maySend);

    connect(m_search, &QLineEdit::textChanged, m_proxy, &ContactFilterProxyModel::setSearchText);
    connect(m_contactView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { onContactActivated(current); });
    connect(m_composer, &Composer::sent, this, &ConversationsView::onSent);
    // Follow the conversation: new messages scroll into view when the view was at the bottom.
    connect(m_thread, &QAbstractItemModel::rowsInserted, this, [this]() {
        QScrollBar *bar = m_threadView->verticalScrollBar();
        if (bar->value() >= bar->maximum() - 4)
            QMetaObject::invokeMethod(m_threadView, &QListView::scrollToBottom, Qt::QueuedConnection);
    });
    connect(m_thread, &QAbstractItemModel::modelReset, m_threadView, &QListView::scrollToBottom);
    // A thumbnail that arrives changes the row's height: the view lays the rows out again, and
    // one that was showing the newest message keeps showing it.
    connect(m_thread, &MessageThreadModel::thumbnailChanged, this, [this](const QModelIndex &index) {
        QScrollBar *bar = m_threadView->verticalScrollBar();
        const bool atBottom = bar->value() >= bar->maximum() - 4;
        emit m_delegate->sizeHintChanged(index);
        if (atBottom)
            QMetaObject::invokeMethod(m_threadView, &QListView::scrollToBottom, Qt::QueuedConnection);
    });
    connect(m_threadView, &QListView::doubleClicked, this, &ConversationsView::openInteractively);
    connect(m_threadView, &QWidget::customContextMenuRequested, this, &ConversationsView::showThreadMenu);
    updateHeader();
}

namespace {
bool fileAvailable(const QModelIndex &index)
{
    return index.isValid()
        && index.data(MessageThreadModel::MediaStateRole).value<MessageThreadModel::MediaState>() == MessageThreadModel::MediaState::Available
        && !index.data(MessageThreadModel::MediaIdRole).toString().isEmpty();
}

QString unavailableReason(const QModelIndex &index)
{
    switch (index.data(MessageThreadModel::MediaStateRole).value<MessageThreadModel::MediaState>()) {
    case MessageThreadModel::MediaState::Downloading: return ConversationsView::tr("The file of this message is still being downloaded.");
    case MessageThreadModel::MediaState::NotDownloaded: return ConversationsView::tr("The file of this message was not downloaded.");
    case MessageThreadModel::MediaState::Missing: return ConversationsView::tr("The file of this message is no longer stored.");
    default: return ConversationsView::tr("This message has no file.");
    }
}
} // namespace

QString ConversationsView::openAttachment(const QModelIndex &index, QString *openedPath)
{
    if (!fileAvailable(index))
        return unavailableReason(index);
    QString path;
    const QString error = m_files->writeTemporary(index.data(MessageThreadModel::MediaIdRole).toString(),
                                                  index.data(MessageThreadModel::FilenameRole).toString(),
                                                  index.data(MessageThreadModel::MediaMimeRole).toString(), &path);
    if (!error.isEmpty())
        return error;
    if (openedPath)
        *openedPath = path;
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(path)))
        return tr("No application opens %1.").arg(QDir::toNativeSeparators(path));
    return {};
}

QString ConversationsView::saveAttachment(const QModelIndex &index, const QString &path)
{
    if (!fileAvailable(index))
        return unavailableReason(index);
    return m_files->writeTo(index.data(MessageThreadModel::MediaIdRole).toString(), path);
}

void ConversationsView::promptSaveAttachment(const QModelIndex &index)
{
    if (!fileAvailable(index)) {
        QMessageBox::information(this, tr("Save attachment"), unavailableReason(index));
        return;
    }
    const QString name = AttachmentFiles::safeFileName(index.data(MessageThreadModel::FilenameRole).toString(),
                                                       index.data(MessageThreadModel::MediaMimeRole).toString());
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    if (folder.isEmpty())
        folder = QDir::homePath();
    const QString path = QFileDialog::getSaveFileName(this, tr("Save attachment"), QDir(folder).filePath(name));
    if (path.isEmpty())
        return;
    const QString error = saveAttachment(index, path);
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Save attachment"), error);
}

void ConversationsView::openInteractively(const QModelIndex &index)
{
    const QString type = index.data(MessageThreadModel::TypeRole).toString();
    if (type.isEmpty() || type == QLatin1String("text"))
        return;
    const QString error = openAttachment(index);
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Open attachment"), error);
}

QMenu *ConversationsView::contextMenuFor(const QModelIndex &index)
{
    const QString type = index.data(MessageThreadModel::TypeRole).toString();
    if (!index.isValid() || type.isEmpty() || type == QLatin1String("text"))
        return nullptr;
    auto *menu = new QMenu(this);
    menu->setObjectName(QStringLiteral("attachmentMenu"));
    const bool available = fileAvailable(index);
    const QPersistentModelIndex at(index);
    QAction *open = menu->addAction(Icons::openFile(), tr("&Open attachment"));
    connect(open, &QAction::triggered, this, [this, at]() { openInteractively(at); });
    open->setObjectName(QStringLiteral("openAttachmentAction"));
    open->setEnabled(available);
    QAction *save = menu->addAction(Icons::saveFile(), tr("&Save attachment as…"));
    connect(save, &QAction::triggered, this, [this, at]() { promptSaveAttachment(at); });
    save->setObjectName(QStringLiteral("saveAttachmentAction"));
    save->setEnabled(available);
    if (!available) {
        menu->addSeparator();
        menu->addAction(unavailableReason(index))->setEnabled(false);
    }
    return menu;
}

void ConversationsView::showThreadMenu(const QPoint &pos)
{
    QMenu *menu = contextMenuFor(m_threadView->indexAt(pos));
    if (!menu)
        return;
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(m_threadView->viewport()->mapToGlobal(pos));
}

void ConversationsView::setClient(const QString &clientId)
{
    if (clientId == m_clientId)
        return;
    m_clientId = clientId;
    m_composer->setClient(clientId);
    m_rates->setClient(clientId);
    const QString phone = m_thread->contactPhone();
    m_thread->setThread(clientId, phone);
    updateHeader();
}

void ConversationsView::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void ConversationsView::reloadContacts()
{
    m_contacts->reload();
}

void ConversationsView::onContactActivated(const QModelIndex &proxyIndex)
{
    if (!proxyIndex.isValid())
        return;
    const QString phone = proxyIndex.data(ContactListModel::PhoneRole).toString();
    m_composer->setRecipient(phone);
    if (phone != m_thread->contactPhone() || m_thread->clientId() != m_clientId)
        m_thread->setThread(m_clientId, phone);
    updateHeader();
}

void ConversationsView::openConversation(const QString &phone)
{
    m_contacts->ensurePhone(phone);
    const int row = m_contacts->rowOfPhone(phone);
    if (row >= 0) {
        const QModelIndex proxyIndex = m_proxy->mapFromSource(m_contacts->index(row, 0));
        if (proxyIndex.isValid()) {
            m_contactView->setCurrentIndex(proxyIndex);
            m_contactView->scrollTo(proxyIndex);
        }
    }
    if (m_thread->contactPhone() != phone || m_thread->clientId() != m_clientId)
        m_thread->setThread(m_clientId, phone);
    m_composer->setRecipient(phone);
    updateHeader();
}

void ConversationsView::onSent(const QString &clientId, const QString &messageId)
{
    m_rates->scheduleRefresh();
    if (!m_thread->refreshMessage(messageId)) {
        // A number other than the open conversation: open that one.
        Result<MessageRecord> message = m_context.messages().get(m_context.actor(), messageId);
        if (message && clientId == m_clientId)
            openConversation(message.value().contactPhone);
    }
    emit messageQueued(clientId, messageId);
}

void ConversationsView::updateHeader()
{
    if (m_clientId.isEmpty()) {
        m_threadHeader->setText(tr("Select a client to see its conversations."));
        return;
    }
    const QString phone = m_thread->contactPhone();
    if (phone.isEmpty()) {
        m_threadHeader->setText(tr("Select a contact, or write to a new number below."));
        return;
    }
    const int row = m_contacts->rowOfPhone(phone);
    const QString name = row >= 0 ? m_contacts->index(row, 0).data(ContactListModel::NameRole).toString() : QString();
    m_threadHeader->setText(name.isEmpty() ? phone : tr("%1 — %2").arg(name, phone));
}

} // namespace wadesk
