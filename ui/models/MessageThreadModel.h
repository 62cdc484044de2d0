#pragma once

#include "core/messaging/MessageRepository.h"

#include <QAbstractListModel>
#include <QHash>
#include <QVector>

namespace wadesk {

class DesktopContext;
struct Event;

// One conversation: the messages between a client and a contact number, oldest first. Loads
// the last page (kPageSize) through MessageService::history and then follows the message.*
// events: a known message is re-read and its row updated (statuses only move forward in the
// database), a new one for this conversation is appended.
class MessageThreadModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        MessageIdRole = Qt::UserRole + 1,
        BodyRole,
        DirectionRole,     // "outbound" | "inbound"
        OutboundRole,      // bool
        StatusRole,        // queued, sending, sent, delivered, read, failed, received
        TimeRole,          // QDateTime (local) of creation
        StatusTimeRole,    // QDateTime of the latest status change
        FailureReasonRole,
        ContactPhoneRole,
    };
    static constexpr int kPageSize = 200;

    explicit MessageThreadModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Shows the conversation of `clientId` with `contactPhone` (E.164); empty clears.
    void setThread(const QString &clientId, const QString &contactPhone);
    void clear() { setThread(QString(), QString()); }
    QString clientId() const { return m_clientId; }
    QString contactPhone() const { return m_phone; }
    // Reads one message and adds or updates its row when it belongs to this conversation.
    // Returns whether it does.
    bool refreshMessage(const QString &messageId);
    int rowOf(const QString &messageId) const { return m_index.value(messageId, -1); }

    static QString statusText(MessageStatus status);

private:
    void onEvent(const Event &event);

    DesktopContext &m_context;
    QString m_clientId;
    QString m_phone;
    QVector<MessageRecord> m_rows;
    QHash<QString, int> m_index;
};

} // namespace wadesk
