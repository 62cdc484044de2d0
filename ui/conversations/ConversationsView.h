#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QListView;
class QMenu;
class QModelIndex;
class QSplitter;
class QTimer;
class QToolButton;

namespace wadesk {

class AttachmentFiles;
class Composer;
class MessageDelegate;
class ContactFilterProxyModel;
class ConversationListModel;
class DesktopContext;
class MessageSearchModel;
class MessageThreadModel;
class RateLimitStrip;

// The inbox of the selected client. On the left its conversations (ConversationListModel: the
// contacts that exchanged messages with it, most recent first, with a preview and an unread
// badge; filtered by name or number as you type) and, for a search of two characters or more,
// the client's messages that contain it (MessageSearchModel); choosing one opens its thread at
// that message. On the right the thread (live ticks, date separators, older pages loaded when
// scrolled to the top), a header with the contact's name (editable by those who may send), the
// contact's opt-out state, the composer and the client's rate-limit strip. Opening a thread
// clears its unread count (stored) and, when "Send read receipts" is on (off by default), marks
// the chat read on WhatsApp through the client's page. Those whose role may not send see the
// thread without the composer. A message's file opens with a double click or from the thread's
// context menu (Open attachment, Save attachment as…).
class ConversationsView final : public QWidget {
    Q_OBJECT
public:
    explicit ConversationsView(DesktopContext &context, QWidget *parent = nullptr);

    void setClient(const QString &clientId);
    QString clientId() const { return m_clientId; }
    // Opens the conversation with this number (E.164), selecting the contact when listed.
    void openConversation(const QString &phone);
    // Opens it with the message in view (older pages loaded as needed); false when not found.
    bool openAtMessage(const QString &phone, const QString &messageId);
    void focusSearch();
    void reloadContacts();
    // Runs the message search for what the search field holds now (it also runs shortly after typing).
    void runSearch();
    // Loads the page of messages before the oldest shown, keeping the view where it was.
    int loadOlderMessages();
    // Renames the open conversation's contact; returns the error (translated), empty on success.
    QString renameContact(const QString &name);
    // The read-receipt setting (QSettings "inbox/sendReadReceipts", default off).
    static bool sendsReadReceipts();
    static void setSendsReadReceipts(bool on);

    ConversationListModel *contactModel() const { return m_contacts; }
    ContactFilterProxyModel *contactProxy() const { return m_proxy; }
    MessageSearchModel *searchModel() const { return m_searchResults; }
    QListView *searchView() const { return m_searchView; }
    QLineEdit *searchEdit() const { return m_search; }
    QLabel *optOutNote() const { return m_optOutNote; }
    QToolButton *renameButton() const { return m_renameButton; }
    QLineEdit *nameEdit() const { return m_nameEdit; }
    MessageThreadModel *threadModel() const { return m_thread; }
    Composer *composer() const { return m_composer; }
    RateLimitStrip *rateLimits() const { return m_rates; }
    QListView *threadView() const { return m_threadView; }
    QListView *contactView() const { return m_contactView; }
    QSplitter *splitter() const { return m_splitter; }
    MessageDelegate *messageDelegate() const { return m_delegate; }
    AttachmentFiles *attachmentFiles() const { return m_files; }

    // The file of the message at `index` (of threadModel()): opened with the desktop's
    // application from a temporary copy (`*openedPath` gets it), or copied to `path`. They return
    // why not (translated), empty on success; no dialog.
    QString openAttachment(const QModelIndex &index, QString *openedPath = nullptr);
    QString saveAttachment(const QModelIndex &index, const QString &path);
    // The same with the desktop's dialogs: the save-file dialog, and a message box for errors.
    void promptSaveAttachment(const QModelIndex &index);
    // The context menu for a message (null for none); the caller executes and deletes it.
    QMenu *contextMenuFor(const QModelIndex &index);

signals:
    void messageQueued(const QString &clientId, const QString &messageId);

private:
    void onContactActivated(const QModelIndex &proxyIndex);
    void onSearchActivated(const QModelIndex &index);
    void threadOpened(const QString &phone);
    void sendReadReceipt(const QString &phone);
    void startRename();
    void finishRename();
    void onSent(const QString &clientId, const QString &messageId);
    void updateHeader();
    void showThreadMenu(const QPoint &pos);
    void openInteractively(const QModelIndex &index);

    DesktopContext &m_context;
    QString m_clientId;
    ConversationListModel *m_contacts = nullptr;
    ContactFilterProxyModel *m_proxy = nullptr;
    MessageSearchModel *m_searchResults = nullptr;
    QListView *m_searchView = nullptr;
    QLabel *m_searchNote = nullptr;
    QTimer *m_searchTimer = nullptr;
    QCheckBox *m_receipts = nullptr;
    QToolButton *m_renameButton = nullptr;
    QLineEdit *m_nameEdit = nullptr;
    QLabel *m_optOutNote = nullptr;
    bool m_maySend = false;
    bool m_loadingOlder = false;
    MessageThreadModel *m_thread = nullptr;
    QSplitter *m_splitter = nullptr;
    QLineEdit *m_search = nullptr;
    QListView *m_contactView = nullptr;
    QLabel *m_threadHeader = nullptr;
    QListView *m_threadView = nullptr;
    Composer *m_composer = nullptr;
    QLabel *m_readOnlyNote = nullptr;
    RateLimitStrip *m_rates = nullptr;
    MessageDelegate *m_delegate = nullptr;
    AttachmentFiles *m_files = nullptr;
};

} // namespace wadesk
