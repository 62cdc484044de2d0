#include "ui/conversations/ConversationsView.h"

#include "ui/conversations/AttachmentFiles.h"
#include "ui/conversations/Composer.h"
#include "ui/conversations/ConversationDelegate.h"
#include "ui/conversations/MessageDelegate.h"
#include "ui/conversations/RateLimitStrip.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/main/Icons.h"
#include "core/engine/SessionRegistry.h"
#include "core/engine/WaSession.h"
#include "core/messaging/ContactService.h"
#include "core/messaging/MessageService.h"
#include "ui/common/ErrorText.h"
#include "ui/models/ContactListModel.h"
#include "ui/models/ConversationListModel.h"
#include "ui/models/MessageThreadModel.h"

#include <QAction>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QSettings>
#include <QTimer>
#include <QToolButton>
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
    // The proxy filters by ContactListModel's roles; the inbox keeps their numbers.
    static_assert(int(ConversationListModel::PhoneRole) == int(ContactListModel::PhoneRole)
                  && int(ConversationListModel::NameRole) == int(ContactListModel::NameRole));
    m_contacts = new ConversationListModel(m_context, this);
    m_proxy = new ContactFilterProxyModel(this);
    m_proxy->setSourceModel(m_contacts);
    m_searchResults = new MessageSearchModel(m_context, this);
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
    m_search->setPlaceholderText(tr("Search conversations and messages"));
    m_search->setAccessibleName(tr("Search conversations by name or number, and messages by their text"));
    m_search->setClearButtonEnabled(true);
    m_search->addAction(Icons::search(), QLineEdit::LeadingPosition);
    leftLayout->addWidget(m_search);
    m_contactView = new QListView(left);
    m_contactView->setObjectName(QStringLiteral("contactList"));
    m_contactView->setAccessibleName(tr("Conversations"));
    m_contactView->setModel(m_proxy);
    m_contactView->setItemDelegate(new ConversationDelegate(m_contactView));
    m_contactView->setUniformItemSizes(true);
    m_contactView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    leftLayout->addWidget(m_contactView, 2);
    m_searchNote = new QLabel(left);
    m_searchNote->setObjectName(QStringLiteral("messageSearchNote"));
    m_searchNote->setTextFormat(Qt::PlainText);
    m_searchNote->setWordWrap(true);
    m_searchNote->setMargin(4);
    m_searchNote->hide();
    leftLayout->addWidget(m_searchNote);
    m_searchView = new QListView(left);
    m_searchView->setObjectName(QStringLiteral("messageSearchResults"));
    m_searchView->setAccessibleName(tr("Messages that match the search"));
    m_searchView->setModel(m_searchResults);
    m_searchView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_searchView->setWordWrap(true);
    m_searchView->hide();
    leftLayout->addWidget(m_searchView, 1);
    m_receipts = new QCheckBox(tr("Send &read receipts"), left);
    m_receipts->setObjectName(QStringLiteral("readReceiptsCheck"));
    m_receipts->setAccessibleName(tr("Send read receipts to WhatsApp when a conversation is opened"));
    m_receipts->setToolTip(tr("When on, opening a conversation with unread messages marks it read on WhatsApp too (the contact sees blue ticks)."));
    m_receipts->setChecked(sendsReadReceipts());
    leftLayout->addWidget(m_receipts);
    m_searchTimer = new QTimer(this);
    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(250);

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
    m_threadHeader->setAccessibleName(tr("Conversation"));
    auto *headerRow = new QHBoxLayout;
    headerRow->setContentsMargins(0, 0, 0, 0);
    headerRow->addWidget(m_threadHeader, 1);
    m_nameEdit = new QLineEdit(right);
    m_nameEdit->setObjectName(QStringLiteral("contactNameEdit"));
    m_nameEdit->setAccessibleName(tr("Contact name"));
    m_nameEdit->setPlaceholderText(tr("Name (Enter saves, Esc cancels)"));
    m_nameEdit->setMaxLength(100);
    m_nameEdit->hide();
    headerRow->addWidget(m_nameEdit, 1);
    m_renameButton = new QToolButton(right);
    m_renameButton->setObjectName(QStringLiteral("renameContactButton"));
    m_renameButton->setText(tr("Re&name…"));
    m_renameButton->setAccessibleName(tr("Rename contact"));
    m_renameButton->setToolTip(tr("Change the contact's name"));
    m_renameButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    headerRow->addWidget(m_renameButton);
    rightLayout->addLayout(headerRow);
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
    m_optOutNote = new QLabel(right);
    m_optOutNote->setObjectName(QStringLiteral("optOutNote"));
    m_optOutNote->setAccessibleName(tr("Opt-out state"));
    m_optOutNote->setWordWrap(true);
    m_optOutNote->setMargin(4);
    m_optOutNote->setText(tr("This contact opted out: messages to them are refused until they opt in again (or the opt-out is lifted in Contacts)."));
    m_optOutNote->hide();
    rightLayout->addWidget(m_optOutNote);
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
    m_maySend = maySend;
    m_composer->setVisible(maySend);
    m_readOnlyNote->setVisible(!maySend);

    connect(m_search, &QLineEdit::textChanged, m_proxy, &ContactFilterProxyModel::setSearchText);
    connect(m_search, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_searchTimer, &QTimer::timeout, this, &ConversationsView::runSearch);
    connect(m_searchView, &QListView::activated, this, &ConversationsView::onSearchActivated);
    connect(m_searchView, &QListView::clicked, this, &ConversationsView::onSearchActivated);
    connect(m_receipts, &QCheckBox::toggled, this, &ConversationsView::setSendsReadReceipts);
    connect(m_renameButton, &QToolButton::clicked, this, &ConversationsView::startRename);
    connect(m_nameEdit, &QLineEdit::returnPressed, this, &ConversationsView::finishRename);
    auto *cancelRename = new QAction(m_nameEdit);
    cancelRename->setShortcut(Qt::Key_Escape);
    cancelRename->setShortcutContext(Qt::WidgetShortcut);
    m_nameEdit->addAction(cancelRename);
    connect(cancelRename, &QAction::triggered, this, [this]() {
        m_nameEdit->hide();
        m_threadHeader->show();
        m_renameButton->show();
    });
    // Older messages when scrolled to the top.
    connect(m_threadView->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        if (value == m_threadView->verticalScrollBar()->minimum() && m_threadView->verticalScrollBar()->maximum() > 0 && m_thread->hasOlder()
            && !m_loadingOlder)
            QMetaObject::invokeMethod(this, &ConversationsView::loadOlderMessages, Qt::QueuedConnection);
    });
    // A message that arrives in the open thread while it is on screen is read there.
    connect(m_contacts, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
        const int row = m_contacts->rowOfPhone(m_thread->contactPhone());
        if (row >= from.row() && row <= to.row() && isVisible() && m_contacts->index(row, 0).data(ConversationListModel::UnreadRole).toInt() > 0)
            QMetaObject::invokeMethod(this, [this]() { threadOpened(m_thread->contactPhone()); }, Qt::QueuedConnection);
    });
    connect(m_contactView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { onContactActivated(current); });
    connect(m_composer, &Composer::sent, this, &ConversationsView::onSent);
    // Follow the conversation: new messages scroll into view when the view was at the bottom.
    connect(m_thread, &QAbstractItemModel::rowsInserted, this, [this]() {
        if (m_loadingOlder)
            return;
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
    m_contacts->setClient(clientId);
    const QString phone = m_thread->contactPhone();
    m_thread->setThread(clientId, phone);
    if (!m_search->text().trimmed().isEmpty())
        runSearch();
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

bool ConversationsView::sendsReadReceipts()
{
    return QSettings().value(QStringLiteral("inbox/sendReadReceipts"), false).toBool();
}

void ConversationsView::setSendsReadReceipts(bool on)
{
    QSettings().setValue(QStringLiteral("inbox/sendReadReceipts"), on);
}

void ConversationsView::runSearch()
{
    m_searchTimer->stop();
    const QString text = m_search->text().trimmed();
    if (text.size() < 2 || m_clientId.isEmpty()) {
        m_searchResults->search(QString(), QString());
        m_searchView->hide();
        m_searchNote->hide();
        return;
    }
    const QString error = m_searchResults->search(m_clientId, text);
    m_searchView->setVisible(error.isEmpty() && m_searchResults->rowCount() > 0);
    m_searchNote->show();
    if (!error.isEmpty())
        m_searchNote->setText(error);
    else if (m_searchResults->rowCount() == 0)
        m_searchNote->setText(tr("No message contains “%1”.").arg(text));
    else if (m_searchResults->rowCount() >= MessageSearchModel::kLimit)
        m_searchNote->setText(tr("Matching messages: the newest %1").arg(m_searchResults->rowCount()));
    else
        m_searchNote->setText(tr("Matching messages: %1").arg(m_searchResults->rowCount()));
}

void ConversationsView::onSearchActivated(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    openAtMessage(index.data(MessageSearchModel::PhoneRole).toString(), index.data(MessageSearchModel::MessageIdRole).toString());
}

int ConversationsView::loadOlderMessages()
{
    if (!m_thread->hasOlder() || m_loadingOlder)
        return 0;
    QScrollBar *bar = m_threadView->verticalScrollBar();
    const int fromBottom = bar->maximum() - bar->value();
    m_loadingOlder = true;
    const int added = m_thread->loadOlder();
    if (added > 0) {
        // Lay the rows out now, so that what was on screen stays there.
        m_threadView->doItemsLayout();
        bar->setValue(bar->maximum() - fromBottom);
    }
    m_loadingOlder = false;
    return added;
}

void ConversationsView::onContactActivated(const QModelIndex &proxyIndex)
{
    if (!proxyIndex.isValid())
        return;
    const QString phone = proxyIndex.data(ConversationListModel::PhoneRole).toString();
    m_composer->setRecipient(phone);
    if (phone != m_thread->contactPhone() || m_thread->clientId() != m_clientId)
        m_thread->setThread(m_clientId, phone);
    threadOpened(phone);
    updateHeader();
}

void ConversationsView::threadOpened(const QString &phone)
{
    if (phone.isEmpty() || m_clientId.isEmpty())
        return;
    // A conversation beyond the pages read so far is cleared too (one query).
    const int row = m_contacts->rowOfPhone(phone);
    if (row >= 0 && m_contacts->index(row, 0).data(ConversationListModel::UnreadRole).toInt() == 0)
        return;
    if (m_contacts->markRead(phone) > 0 && sendsReadReceipts())
        sendReadReceipt(phone);
}

void ConversationsView::sendReadReceipt(const QString &phone)
{
    // wa-js WPP.chat.markIsRead(chatId) through the bridge's markRead; only a running page can.
    WaSession *session = m_context.sessions().session(m_clientId);
    if (!session || session->state() != SessionState::Ready)
        return;
    const QString chat = phone.mid(1) + QStringLiteral("@c.us");
    session->call(QStringLiteral("markRead"), QJsonArray{chat}, [](bool ok, const QJsonValue &, const QString &error) {
        if (!ok)
            qWarning("Read receipt not sent: %s", qPrintable(error));
    });
}

void ConversationsView::openConversation(const QString &phone)
{
    m_contacts->refreshConversation(phone);
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
    threadOpened(phone);
    updateHeader();
}

bool ConversationsView::openAtMessage(const QString &phone, const QString &messageId)
{
    openConversation(phone);
    m_loadingOlder = true;
    const int row = m_thread->loadUntil(messageId);
    m_loadingOlder = false;
    if (row < 0)
        return false;
    const QModelIndex at = m_thread->index(row, 0);
    m_threadView->doItemsLayout();
    m_threadView->setCurrentIndex(at);
    m_threadView->scrollTo(at, QAbstractItemView::PositionAtCenter);
    return true;
}

void ConversationsView::onSent(const QString &clientId, const QString &messageId)
{
    m_rates->scheduleRefresh();
    if (!m_thread->refreshMessage(messageId)) {
        // A number other than the open conversation: open that one.
        Result<MessageRecord> message = m_context.messages().get(m_context.actor(), messageId);
        if (message && clientId == m_clientId)
            openConversation(message.value().contactPhone);
    } else {
        m_contacts->refreshConversation(m_thread->contactPhone());
    }
    emit messageQueued(clientId, messageId);
}

void ConversationsView::startRename()
{
    const QString phone = m_thread->contactPhone();
    if (phone.isEmpty() || !m_maySend)
        return;
    const int row = m_contacts->rowOfPhone(phone);
    m_nameEdit->setText(row >= 0 ? m_contacts->index(row, 0).data(ConversationListModel::NameRole).toString() : QString());
    m_threadHeader->hide();
    m_renameButton->hide();
    m_nameEdit->show();
    m_nameEdit->setFocus(Qt::OtherFocusReason);
    m_nameEdit->selectAll();
}

void ConversationsView::finishRename()
{
    const QString error = renameContact(m_nameEdit->text());
    if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Rename contact"), error);
        return;
    }
    m_nameEdit->hide();
    m_threadHeader->show();
    m_renameButton->show();
}

QString ConversationsView::renameContact(const QString &name)
{
    const QString phone = m_thread->contactPhone();
    if (phone.isEmpty())
        return tr("Open a conversation first.");
    const int row = m_contacts->rowOfPhone(phone);
    if (row < 0)
        return tr("This number has no conversation with the client yet.");
    ContactService::Change change;
    change.name = name.trimmed();
    Result<ContactRecord> updated =
        m_context.contacts().update(m_context.actor(), m_contacts->index(row, 0).data(ConversationListModel::ContactIdRole).toString(), change);
    if (!updated)
        return errorMessageFor(updated.error());
    m_contacts->refreshConversation(phone);
    updateHeader();
    return {};
}

void ConversationsView::updateHeader()
{
    m_optOutNote->hide();
    m_renameButton->setVisible(false);
    if (m_clientId.isEmpty()) {
        m_threadHeader->setText(tr("Select a client to see its conversations."));
        return;
    }
    const QString phone = m_thread->contactPhone();
    if (phone.isEmpty()) {
        m_threadHeader->setText(m_contacts->rowCount() == 0 ? tr("No conversations yet: write to a number below.")
                                                            : tr("Select a conversation, or write to a new number below."));
        return;
    }
    const int row = m_contacts->rowOfPhone(phone);
    const QModelIndex at = row >= 0 ? m_contacts->index(row, 0) : QModelIndex();
    const QString name = at.data(ConversationListModel::NameRole).toString();
    m_threadHeader->setText(name.isEmpty() ? phone : tr("%1 — %2").arg(name, phone));
    m_renameButton->setVisible(m_maySend && at.isValid() && !m_nameEdit->isVisible());
    m_optOutNote->setVisible(at.data(ConversationListModel::OptedOutRole).toBool());
}

} // namespace wadesk
