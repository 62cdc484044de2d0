#pragma once

#include "core/messaging/ConversationRepository.h"

#include <QAbstractListModel>
#include <QHash>
#include <QVector>
#include <memory>

namespace wadesk {

class ConversationService;
class DesktopContext;
struct Event;

// The inbox of one client: the contacts that exchanged messages with it, most recent activity
// first, each with its latest message and unread count (ConversationService, stored: the counts
// survive restarts). Loads kPageSize rows and more through fetchMore() (keyset pages) as the
// view scrolls down. Follows the message.* events of the client: the conversation concerned is
// re-read (one query) and moved to where its time puts it, or inserted.
class ConversationListModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        ContactIdRole = Qt::UserRole + 1,
        PhoneRole,
        NameRole,
        PreviewRole,   // the latest message: its text, or "Photo" and the caption for a file
        TimeRole,      // QDateTime of the latest message
        UnreadRole,    // int
        OptedOutRole,  // bool
        LastOutboundRole, // bool: the latest message was sent by the client
    };
    static constexpr int kPageSize = 200;

    explicit ConversationListModel(DesktopContext &context, QObject *parent = nullptr);
    ~ConversationListModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    void setClient(const QString &clientId);
    QString clientId() const { return m_clientId; }
    void reload();
    int rowOfPhone(const QString &phone) const;
    // Re-reads the conversation with this number and puts it where it belongs.
    void refreshConversation(const QString &phone);
    // The thread was opened: unread to 0, stored. Returns the count it had.
    int markRead(const QString &phone);
    // A word for a message type in a preview: "Photo", "Video", "Voice message", ...
    static QString mediaWord(const QString &type);
    static QString previewOf(const ConversationRecord &c);

private:
    void onEvent(const Event &event);
    void rebuildIndex();
    int rowFor(const ConversationRecord &c) const; // where a conversation with this time goes

    DesktopContext &m_context;
    std::unique_ptr<ConversationService> m_service;
    QString m_clientId;
    QVector<ConversationRecord> m_rows;
    QHash<QString, int> m_byPhone;
    bool m_hasMore = false;
};

// Messages of one client whose text matches a search (ConversationService::search).
class MessageSearchModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        MessageIdRole = Qt::UserRole + 1,
        PhoneRole,
        NameRole,
        TimeRole,
    };
    static constexpr int kLimit = 100;

    explicit MessageSearchModel(DesktopContext &context, QObject *parent = nullptr);
    ~MessageSearchModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Searches the client's messages; an empty or too short text clears. Returns the error text
    // (translated) when the search was refused, else empty.
    QString search(const QString &clientId, const QString &text);
    QString text() const { return m_text; }

private:
    DesktopContext &m_context;
    std::unique_ptr<ConversationService> m_service;
    QString m_text;
    QList<MessageHit> m_rows;
};

} // namespace wadesk
