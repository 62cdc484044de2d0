#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QListView;
class QMenu;
class QModelIndex;
class QSplitter;

namespace wadesk {

class AttachmentFiles;
class Composer;
class MessageDelegate;
class ContactFilterProxyModel;
class ContactListModel;
class DesktopContext;
class MessageThreadModel;
class RateLimitStrip;

// Conversations of the selected client: contacts with search on the left; on the right the
// thread with the contact (live ticks), the composer and the client's rate-limit strip. Those
// whose role may not send see the thread without the composer. A message's file opens with a
// double click or from the thread's context menu (Open attachment, Save attachment as…).
class ConversationsView final : public QWidget {
    Q_OBJECT
public:
    explicit ConversationsView(DesktopContext &context, QWidget *parent = nullptr);

    void setClient(const QString &clientId);
    QString clientId() const { return m_clientId; }
    // Opens the conversation with this number (E.164), selecting the contact when listed.
    void openConversation(const QString &phone);
    void focusSearch();
    void reloadContacts();

    ContactListModel *contactModel() const { return m_contacts; }
    ContactFilterProxyModel *contactProxy() const { return m_proxy; }
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
    void onSent(const QString &clientId, const QString &messageId);
    void updateHeader();
    void showThreadMenu(const QPoint &pos);
    void openInteractively(const QModelIndex &index);

    DesktopContext &m_context;
    QString m_clientId;
    ContactListModel *m_contacts = nullptr;
    ContactFilterProxyModel *m_proxy = nullptr;
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
