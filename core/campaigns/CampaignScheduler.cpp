#include "core/campaigns/CampaignScheduler.h"

#include "core/campaigns/CampaignRepository.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/MessageRepository.h"
#include "core/sessions/ClientRepository.h"
#include "core/sessions/ClientSendTiers.h"
#include "core/sessions/SessionControl.h"

#include <QDateTime>
#include <QTimeZone>
#include <spdlog/spdlog.h>

namespace wadesk {

CampaignScheduler::CampaignScheduler(Database &database, EventBus *events, SessionControl *sessions, MessagingSettings messaging,
                                     CampaignSettings settings, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_events(events)
    , m_sessions(sessions)
    , m_messaging(std::move(messaging))
    , m_settings(settings)
    , m_clock(clock)
{
    m_timer.setInterval(std::max(10, m_settings.tickMs));
    connect(&m_timer, &QTimer::timeout, this, [this]() { runOnce(); });
}

void CampaignScheduler::start()
{
    m_timer.start();
}

void CampaignScheduler::stop()
{
    m_timer.stop();
}

int CampaignScheduler::runOnce()
{
    const qint64 now = m_clock.nowMs();
    activateDue(now);
    SqlRunner sql(m_database);
    Result<QList<CampaignRecord>> running = CampaignRepository(sql).withStatus(CampaignStatus::Running);
    if (!running) {
        spdlog::warn("campaigns: cannot read the running campaigns: {}", running.error().message.toStdString());
        return 0;
    }
    int queued = 0;
    for (const CampaignRecord &c : running.value())
        queued += feed(c, now);
    return queued;
}

namespace {
// Moves a campaign and records its event in one transaction; false when it had moved already.
bool moveWithEvent(Database &database, EventBus *bus, const CampaignRecord &c, const QList<CampaignStatus> &from, CampaignStatus to,
                   EventType type, const QString &reason, bool withdraw, qint64 now, const Clock &clock)
{
    SqlRunner sql(database);
    CampaignRepository campaigns(sql);
    EventLog events(sql, bus);
    Transaction tx(database);
    if (!tx.begin())
        return false;
    Result<bool> moved = campaigns.transition(c.organizationId, c.id, from, to, now, reason);
    if (!moved || !moved.value())
        return false;
    if (withdraw && !campaigns.withdrawQueued(c.id))
        return false;
    Result<CampaignCounts> counts = campaigns.counts(c.organizationId, c.id, c.startedAt > 0 ? c.startedAt : now, 24LL * 3600 * 1000);
    if (!counts)
        return false;
    CampaignEventData d;
    d.campaignId = c.id;
    d.name = c.name;
    d.status = CampaignStatuses::name(to);
    d.clientIds = c.clientIds;
    d.total = counts.value().total;
    d.sent = counts.value().sent;
    d.failed = counts.value().failed;
    d.skipped = counts.value().skipped;
    d.reason = reason;
    d.at = now;
    if (!events.record(CampaignEvents::make(type, c.organizationId, d, clock)))
        return false;
    if (!tx.commit())
        return false;
    events.publishRecorded();
    return true;
}
} // namespace

void CampaignScheduler::activateDue(qint64 now)
{
    SqlRunner sql(m_database);
    Result<QList<CampaignRecord>> scheduled = CampaignRepository(sql).withStatus(CampaignStatus::Scheduled);
    if (!scheduled)
        return;
    for (const CampaignRecord &c : scheduled.value()) {
        if (c.scheduleAt > now)
            continue;
        if (moveWithEvent(m_database, m_events, c, {CampaignStatus::Scheduled}, CampaignStatus::Running, EventType::CampaignStarted, QString(),
                          false, now, m_clock))
            spdlog::info("campaign {}: started (scheduled)", c.id.toStdString());
    }
}

void CampaignScheduler::pauseCampaign(const CampaignRecord &c, const QString &reason, qint64 now)
{
    if (moveWithEvent(m_database, m_events, c, {CampaignStatus::Running}, CampaignStatus::Paused, EventType::CampaignPaused, reason, true, now,
                      m_clock))
        spdlog::warn("campaign {}: paused: {}", c.id.toStdString(), reason.toStdString());
}

void CampaignScheduler::completeIfDone(const CampaignRecord &c, qint64 now)
{
    SqlRunner sql(m_database);
    Result<int> left = CampaignRepository(sql).unfinished(c.id);
    if (!left || left.value() > 0)
        return;
    if (moveWithEvent(m_database, m_events, c, {CampaignStatus::Running}, CampaignStatus::Completed, EventType::CampaignCompleted, QString(),
                      false, now, m_clock))
        spdlog::info("campaign {}: completed", c.id.toStdString());
}

int CampaignScheduler::feed(const CampaignRecord &c, qint64 now)
{
    SqlRunner sql(m_database);
    CampaignRepository campaigns(sql);
    ClientRepository clients(sql);
    MessageRepository messages(sql);
    if (c.clientIds.isEmpty()) {
        pauseCampaign(c, QStringLiteral("its clients no longer exist"), now);
        return 0;
    }
    QList<ClientRecord> records;
    for (const QString &clientId : c.clientIds) {
        Result<std::optional<ClientRecord>> client = clients.find(c.organizationId, clientId, ClientScope::all());
        if (!client)
            return 0;
        if (!client.value()) {
            pauseCampaign(c, QStringLiteral("the client %1 no longer exists").arg(clientId), now);
            return 0;
        }
        if (client.value()->paused) {
            pauseCampaign(c, QStringLiteral("the client %1 is paused: %2").arg(clientId, client.value()->pausedReason), now);
            return 0;
        }
        if (!client.value()->linked) {
            pauseCampaign(c, QStringLiteral("the client %1 is not linked").arg(clientId), now);
            return 0;
        }
        records << *client.value();
    }
    if (c.window || c.dailyCap > 0) {
        Result<QString> zoneName = campaigns.timeZoneOf(c.organizationId);
        QTimeZone zone(zoneName ? zoneName.value().toLatin1() : QByteArrayLiteral("UTC"));
        if (!zone.isValid())
            zone = QTimeZone(QByteArrayLiteral("UTC"));
        if (c.window && !c.window->allows(now, zone))
            return 0;
        if (c.dailyCap > 0) {
            const qint64 dayStart = QDateTime::fromMSecsSinceEpoch(now, zone).date().startOfDay(zone).toMSecsSinceEpoch();
            Result<int> today = campaigns.queuedSince(c.id, dayStart);
            if (!today || today.value() >= c.dailyCap)
                return 0;
        }
    }
    int queued = 0;
    for (const ClientRecord &client : std::as_const(records)) {
        Result<int> inQueue = campaigns.queuedForClient(client.id);
        if (!inQueue || inQueue.value() >= m_settings.maxQueuedPerClient)
            continue;
        // The day's tier keeps room for replies and the team's own messages.
        const RateTiers tiers = clientSendTiers(client, m_messaging.defaultTiers);
        const int reserve = std::max(1, tiers.perDay * m_settings.replyReservePercent / 100);
        Result<int> used = messages.budgetUsed(client.id, now - RateLimiter::kDay, tiers.perDay);
        if (!used || used.value() >= tiers.perDay - reserve)
            continue;
        if (c.dailyCap > 0 && queued > 0)
            break; // one per pass keeps the cap exact across clients
        const int r = queueNext(c, client.id, now);
        if (r > 0) {
            ++queued;
            if (m_sessions)
                m_sessions->requestWake(client.id);
        }
    }
    if (queued == 0)
        completeIfDone(c, now);
    return queued;
}

int CampaignScheduler::queueNext(const CampaignRecord &c, const QString &clientId, qint64 now)
{
    for (int attempt = 0; attempt < 100; ++attempt) {
        SqlRunner sql(m_database);
        CampaignRepository campaigns(sql);
        ContactRepository contacts(sql, m_clock);
        MessageRepository messages(sql);
        Transaction tx(m_database);
        if (!tx.begin())
            return -1;
        Result<std::optional<PendingRecipient>> next = campaigns.nextPending(c.id, clientId);
        if (!next)
            return -1;
        if (!next.value())
            return 0;
        const PendingRecipient &r = *next.value();
        Result<std::optional<ContactRecord>> known = contacts.findByPhone(c.organizationId, r.phoneNumber);
        if (!known)
            return -1;
        // Opted out since the audience was frozen: skipped, never queued.
        if (known.value() && known.value()->optedOut) {
            Result<bool> skipped = campaigns.markSkipped(c.id, r.seq, QStringLiteral("opted_out"), known.value()->id);
            if (!skipped || !tx.commit())
                return -1;
            continue;
        }
        QString contactId;
        if (known.value()) {
            contactId = known.value()->id;
        } else {
            Result<ContactRecord> created = contacts.upsert(c.organizationId, r.phoneNumber);
            if (!created)
                return -1;
            contactId = created.value().id;
        }
        MessageRecord m;
        m.id = Ids::make("msg");
        m.organizationId = c.organizationId;
        m.clientId = clientId;
        m.contactId = contactId;
        m.direction = MessageDirection::Outbound;
        m.body = r.body;
        if (!c.mediaId.isEmpty()) {
            m.type = c.mediaType;
            m.mediaId = c.mediaId;
            m.caption = r.body;
            m.filename = c.mediaFilename;
        }
        m.status = MessageStatus::Queued;
        m.createdBy = c.createdBy;
        m.createdAt = m.updatedAt = now;
        if (!messages.insertMany({m}) || !messages.enqueueMany({m}, 1))
            return -1;
        Result<bool> marked = campaigns.markQueued(c.id, r.seq, m.id, contactId, now);
        if (!marked)
            return -1;
        if (!marked.value())
            return 0; // another scheduler took it: this transaction rolls back
        if (!tx.commit())
            return -1;
        return 1;
    }
    return 0;
}

} // namespace wadesk
