#pragma once

#include "core/campaigns/Campaign.h"
#include "core/campaigns/CampaignSettings.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/messaging/MessagingSettings.h"

#include <QObject>
#include <QTimer>

namespace wadesk {

class Database;
class EventBus;
class SessionControl;

// Feeds running campaigns into their clients' durable queues, one process-wide, on the thread
// where the senders run. Each tick: scheduled campaigns that are due start; a campaign of a
// client that is paused (health monitor) or unlinked pauses (campaign.paused); then each client
// of each running campaign gets its next recipient as a queued message, when the client holds
// fewer than maxQueuedPerClient campaign messages, the window is open, the daily cap and the
// client's daily tier (less the share kept for replies) leave room. A recipient becomes its
// message and outbox row in the same transaction that marks it queued, guarded by its pending
// status: exactly once across kill -9, restarts and several instances. A campaign with nothing
// left to send completes (campaign.completed).
class CampaignScheduler final : public QObject {
    Q_OBJECT
public:
    CampaignScheduler(Database &database, EventBus *events, SessionControl *sessions, MessagingSettings messaging, CampaignSettings settings,
                      const Clock &clock = Clock::system(), QObject *parent = nullptr);

    void start();
    void stop();
    // One pass; returns how many messages it queued (tests call it directly).
    int runOnce();

private:
    void activateDue(qint64 now);
    // Queues the campaign's next messages (how many), pausing or completing it when due.
    int feed(const CampaignRecord &campaign, qint64 now);
    // One recipient of `clientId`: 1 queued, 0 nothing to do, -1 error. Opted-out recipients met
    // on the way are skipped (and the next one is tried).
    int queueNext(const CampaignRecord &campaign, const QString &clientId, qint64 now);
    void pauseCampaign(const CampaignRecord &campaign, const QString &reason, qint64 now);
    void completeIfDone(const CampaignRecord &campaign, qint64 now);

    Database &m_database;
    EventBus *m_events;
    SessionControl *m_sessions;
    MessagingSettings m_messaging;
    CampaignSettings m_settings;
    const Clock &m_clock;
    QTimer m_timer;
};

} // namespace wadesk
