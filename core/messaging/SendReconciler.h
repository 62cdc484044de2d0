#pragma once

#include "core/common/Clock.h"
#include "core/messaging/MessageRepository.h"
#include "core/messaging/PageMessage.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <functional>
#include <memory>

namespace wadesk {

class Database;
class EventBus;
class MessageTransport;
class OutboundAcks;

// Settles messages left `sending` because their send's outcome was never recorded (WaDesk or the
// page stopped before the page answered, or the database was away): the page of their client,
// ready on this instance, is asked for the recent messages of each chat involved and every such
// message is matched to one of the page's own messages (SendMatching). A match is what WhatsApp
// took: stored as sent with its WhatsApp id (recordSendOutcome; a negative ack: failed with its
// id), then its ack applied as acks always are (OutboundAcks: 2 delivered, 3+ read). No match:
// failed as interrupted, never resent (it may still have gone out in a way the page does not
// show). A chat the page could not list is left for the next round. Main thread.
class SendReconciler final : public QObject {
    Q_OBJECT
public:
    // A row younger than this may still be waiting for an answer that is on its way (a text
    // waits up to 60 s for the page, the page up to 20 s for WhatsApp's result).
    static constexpr qint64 kGraceMs = 2 * 60 * 1000;
    // The page's clock (`t`, seconds) and this one may disagree a little.
    static constexpr qint64 kSkewMs = 60 * 1000;
    // How far back a chat is read: its latest messages, plus one per message looked for.
    static constexpr int kPageMessages = 50;

    SendReconciler(Database &database, EventBus *events, OutboundAcks &acks, const Clock &clock = Clock::system(),
                   QObject *parent = nullptr);

    struct Tally {
        int sent = 0;   // matched (stored as sent, or failed with the page's refusal)
        int failed = 0; // failed as interrupted
        int left = 0;   // their chat could not be read: next round
    };
    using Done = std::function<void(const Tally &)>;
    // Reconciles `stuck` (messages of one client, no longer awaited by its sender) through that
    // client's page. `stillOwned` is asked before anything is written (the session may have
    // stopped or moved to another instance meanwhile: then nothing is). One round per client at a
    // time: false (nothing done) while one runs. `done` runs once, on the main thread.
    bool reconcile(const QString &clientId, const QList<MessageRecord> &stuck, MessageTransport &transport,
                   std::function<bool()> stillOwned, Done done = {});
    bool isRunning(const QString &clientId) const { return m_rounds.contains(clientId); }

private:
    struct Round {
        QString clientId;
        QHash<QString, QList<MessageRecord>> byChat;
        QHash<QString, QList<PageMessage>> answers; // chats the page listed
        int waiting = 0;
        std::function<bool()> stillOwned;
        Done done;
    };
    void settle(const std::shared_ptr<Round> &round);
    // Page ids a message of this client holds already as its own send (a recorded one, not an
    // echo of the page's report): they are other messages, not the ones looked for.
    QSet<QString> idsOfOtherSends(SqlRunner &sql, const QString &clientId, const QStringList &ids);

    Database &m_database;
    EventBus *m_events;
    OutboundAcks &m_acks;
    const Clock &m_clock;
    QHash<QString, std::shared_ptr<Round>> m_rounds; // clientId → the round under way
};

} // namespace wadesk
