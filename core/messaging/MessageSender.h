#pragma once

#include "core/leases/LeaseFence.h"
#include "core/common/Clock.h"
#include "core/messaging/MessagingSettings.h"
#include "core/messaging/SendOutcomes.h"
#include "core/safety/HealthMonitor.h"
#include "core/safety/Pacing.h"

#include <QList>
#include <QObject>
#include <QTimer>
#include <optional>

namespace wadesk {

class Database;
class EventBus;
class MediaLibrary;
class MessageTransport;
struct MessageRecord;
class OutageJournal;
struct JournalRecord;

// Takes one client's queued messages out one at a time, on the main thread, when the rate tiers
// allow and after human pacing: typing presence for a time that grows with the text, then the
// send, then a pause before the next. Never blocks: every wait is a timer. A burst of failures
// trips the health monitor (the owner pauses the client).
class MessageSender final : public QObject {
    Q_OBJECT
public:
    MessageSender(Database &database, EventBus *events, QString organizationId, QString clientId, MessageTransport &transport,
                  MessagingSettings settings, const Clock &clock = Clock::system(), QObject *parent = nullptr);
    ~MessageSender() override;

    // New tiers take effect at once, also for a send already waiting for the old ones.
    void setTiers(const RateTiers &tiers);
    const RateTiers &tiers() const { return m_tiers; }
    // Where file messages read their bytes; without one they fail ("media storage unavailable").
    void setMediaLibrary(MediaLibrary *media) { m_media = media; }
    // Where an outcome the database cannot take goes (kept in order behind what it holds
    // already, and replayed by the owner: PageReportJournal); without one, or when it refuses,
    // the outcome is kept in memory. Not owned.
    void setJournal(OutageJournal *journal) { m_journal = journal; }
    void setPaused(bool paused);
    // Several instances: messages are claimed only while this lease is held (checked by the
    // database in the claim itself), so a former owner cannot send what the new one will.
    void setFence(std::optional<LeaseFence> fence) { m_fence = std::move(fence); }
    bool isPaused() const { return m_paused; }
    bool isBusy() const { return m_busy; }
    // Something may have changed (a message was queued, the session became ready). Cheap while
    // a wait for the tiers or the pacing is already scheduled: that wait stands.
    void wake();
    // Looks again at once even while waiting for the tiers or the pacing (the tiers or the clock
    // changed); the pacing gap is still kept.
    void recheck();
    // The message currently being sent (to recognize its echo from the page), if any.
    QString inFlightChat() const { return m_inFlightChat; }
    QString inFlightBody() const { return m_inFlightBody; }
    // This sender still answers for the message: it is being sent, or its outcome waits for the
    // database. Such a `sending` row is not reconciled behind its back.
    bool answersFor(const QString &messageId) const;

signals:
    void healthTripped(const QString &reason);
    void messageFinished(const QString &messageId, const QString &status);
    // The WhatsApp id of one of this client's messages is stored (sent or refused): acks that
    // came before it can be applied now (OutboundAcks::onRecorded).
    void waMessageIdRecorded(const QString &waMessageId);

private:
    void next();
    void sendClaimed(const MessageRecord &message);
    // Hands the message to the page: its text, or its file read from the media library.
    void transmit(const MessageRecord &message, const QString &chat);
    // `attempted` false: a refusal of our own (an opted-out contact) that never reached
    // WhatsApp; it says nothing of the account's health and needs no pause after it.
    void finish(const QString &messageId, const QString &waId, const QString &error, bool attempted = true);
    void scheduleAt(qint64 when);
    // What the page answered for one send, kept while the database cannot take it.
    using Outcome = SendOutcome;
    JournalRecord sendOutcomeRecord(const Outcome &outcome) const;
    // Stores one outcome (status, event, acks held for it) in one transaction; false if the
    // database failed it (nothing changed).
    bool record(const Outcome &outcome);
    // Stores the kept outcomes, oldest first; false while the database still fails.
    bool recordPending();

    Database &m_database;
    EventBus *m_events;
    QString m_organizationId;
    QString m_clientId;
    MessageTransport &m_transport;
    MediaLibrary *m_media = nullptr;
    MessagingSettings m_settings;
    RateTiers m_tiers;
    Pacing m_pacing;
    HealthMonitor m_health;
    const Clock &m_clock;
    QTimer m_timer;
    qint64 m_notBefore = 0;
    bool m_busy = false;
    bool m_paused = false;
    QString m_inFlightChat;
    QString m_inFlightBody;
    QString m_inFlightId; // claimed, not finished
    QList<Outcome> m_unrecorded;
    OutageJournal *m_journal = nullptr;
    std::optional<LeaseFence> m_fence;
};

} // namespace wadesk
