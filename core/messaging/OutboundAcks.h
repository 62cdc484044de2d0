#pragma once

#include "core/common/Clock.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>
#include <deque>

namespace wadesk {

class Database;
class EventBus;
class OutageJournal;

// Why WhatsApp failed a message, from its negative ack (wa-js's ACK enum: -1 FAILED, -2 EXPIRED,
// -3 CONTENT_GONE, -4 CONTENT_TOO_BIG, -5 CONTENT_UNUPLOADABLE, -6 INACTIVE, -7 MD_DOWNGRADE).
QString ackFailureReason(int ack);

struct JournalRecord;
// The journal's record of one ack the database could not take ({ack, ids: [waId]}).
JournalRecord ackRecord(const QString &organizationId, const QString &clientId, const QString &waId, int ack, qint64 at);

// How many acks OutboundAcks holds for messages whose id is not known yet, and how long.
struct HeldAckLimits {
    int maxHeldPerClient = 500; // beyond this the oldest held ack is dropped
    qint64 holdMs = 5 * 60 * 1000;
    int retryMs = 1000;         // how often held acks look for their message
};

// Applies the page's acks (wa-js `chat.msg_ack_change`: {ack, chat, ids[]}) to the outbound
// messages they are about, on the main thread: 2 delivered, 3 and 4 (played) read, negative
// failed; each move with its message.* event in one transaction. A status never goes back
// (read stays read; only a message not yet delivered can fail).
//
// An ack may arrive before the sender has recorded the message's WhatsApp id: WhatsApp reports
// a refusal (ack -1) and sometimes a quick delivery before the send's own promise resolves. Such
// an ack is held, per client and bounded, and applied in arrival order as soon as the id is
// recorded (onRecorded, or found on a periodic look for ids recorded by another path such as a
// message sent from the phone); one still unknown after `holdMs` is dropped.
class OutboundAcks final : public QObject {
    Q_OBJECT
public:
    using Limits = HeldAckLimits;
    OutboundAcks(Database &database, EventBus *events, const Clock &clock = Clock::system(), Limits limits = Limits(),
                 QObject *parent = nullptr);

    void onAck(const QString &organizationId, const QString &clientId, const QJsonObject &ack);
    // Where an ack the database failed goes (instead of the memory hold, which a crash loses);
    // null: held in memory as before. Not owned.
    void setJournal(OutageJournal *journal) { m_journal = journal; }
    enum class Replayed { Applied, DatabaseDown };
    // An ack from the journal ({ack, ids[]}), applied again in order: an id not known yet is held
    // as onAck holds it; a database still away answers DatabaseDown (ids before it may be
    // applied twice later: a status never goes back, so that changes nothing).
    Replayed replay(const QString &organizationId, const QString &clientId, const QJsonObject &ack);
    // The sender stored `waMessageId` for one of the client's messages.
    void onRecorded(const QString &clientId, const QString &waMessageId);
    // The client is gone: what was held for it is dropped.
    void forget(const QString &clientId);
    // Held acks of one client, or of all when `clientId` is empty.
    int heldCount(const QString &clientId = QString()) const;

private:
    struct Held {
        QString organizationId;
        QString waId;
        int ack = 0;
        qint64 heldAt = 0;
    };
    enum class Outcome { Applied, Unknown, Error };
    Outcome apply(const QString &organizationId, const QString &clientId, const QString &waId, int ack);
    void hold(const QString &organizationId, const QString &clientId, const QString &waId, int ack);
    // Applies what is held for `clientId` (only for `waId` when given) whose message is known
    // now, in arrival order; drops what has expired.
    void drain(const QString &clientId, const QString &waId);
    void retry();

    Database &m_database;
    EventBus *m_events;
    const Clock &m_clock;
    Limits m_limits;
    QHash<QString, std::deque<Held>> m_held; // client id → held acks, oldest first
    QTimer m_retry;
    OutageJournal *m_journal = nullptr;
};

} // namespace wadesk
