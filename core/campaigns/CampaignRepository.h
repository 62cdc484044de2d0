#pragma once

#include "core/access/Visibility.h"
#include "core/campaigns/Campaign.h"
#include "core/common/DomainError.h"

#include <QList>
#include <optional>

namespace wadesk {

class SqlRunner;

struct CampaignQuery {
    std::optional<CampaignStatus> status;
    int limit = 50;
    int offset = 0;
};

// A campaign's next recipient to queue.
struct PendingRecipient {
    QString campaignId;
    qint64 seq = 0;
    QString phoneNumber;
    QString contactId;
    QString body;
};

// Campaigns, their clients and their frozen recipients. Every read by the API takes the
// organization and the caller's client scope: a campaign is visible to a limited scope only when
// every client it sends through is assigned to that user. The scheduler's reads span
// organizations (it serves them all).
class CampaignRepository {
public:
    explicit CampaignRepository(SqlRunner &sql) : m_sql(sql) {}

    Status insert(const CampaignRecord &campaign);
    Result<std::optional<CampaignRecord>> find(const QString &organizationId, const QString &campaignId, const ClientScope &scope);
    Result<QList<CampaignRecord>> list(const QString &organizationId, const ClientScope &scope, const CampaignQuery &query);
    Result<int> count(const QString &organizationId, const ClientScope &scope, const CampaignQuery &query);
    // Running and scheduled campaigns the scope sees.
    Result<int> activeCount(const QString &organizationId, const ClientScope &scope);
    // Moves a campaign from one of `from` to `to`; false when it was in none of them (raced).
    Result<bool> transition(const QString &organizationId, const QString &campaignId, const QList<CampaignStatus> &from,
                            CampaignStatus to, qint64 at, const QString &pausedReason = QString());

    Status insertRecipients(const QString &organizationId, const QString &campaignId, const QList<CampaignRecipient> &recipients);
    Result<CampaignCounts> counts(const QString &organizationId, const QString &campaignId, qint64 startedAt, qint64 replyWindowMs);
    // Pending (and queued) recipients per client: what is left to send.
    Result<QHash<QString, int>> remainingByClient(const QString &organizationId, const QString &campaignId);
    // `status`: pending, skipped, cancelled or a message status; empty for all. By seq.
    Result<QList<CampaignRecipient>> recipients(const QString &organizationId, const QString &campaignId, const QString &status,
                                                qint64 replyWindowMs, int limit, int offset);
    Result<int> recipientCount(const QString &organizationId, const QString &campaignId, const QString &status);
    Result<QHash<QString, int>> failureReasons(const QString &organizationId, const QString &campaignId);
    Result<QHash<QString, int>> skipReasons(const QString &organizationId, const QString &campaignId);

    // The scheduler's side.
    Result<QList<CampaignRecord>> withStatus(CampaignStatus status);
    Result<QString> timeZoneOf(const QString &organizationId);
    Result<std::optional<PendingRecipient>> nextPending(const QString &campaignId, const QString &clientId);
    // pending → queued with its message; false when it was not pending any more (another
    // scheduler took it: the caller rolls back).
    Result<bool> markQueued(const QString &campaignId, qint64 seq, const QString &messageId, const QString &contactId, qint64 at);
    Result<bool> markSkipped(const QString &campaignId, qint64 seq, const QString &reason, const QString &contactId);
    // Campaign messages of a client waiting in its queue (not yet taken by the sender).
    Result<int> queuedForClient(const QString &clientId);
    Result<int> queuedSince(const QString &campaignId, qint64 since);
    // Recipients still pending plus those whose message is queued or being sent.
    Result<int> unfinished(const QString &campaignId);
    // Takes the campaign's messages that still wait in a queue back out of it (their recipients
    // become pending again): a pause or cancel then stops before the next message. A message the
    // sender has already taken is left to finish. Returns how many were taken back.
    Result<int> withdrawQueued(const QString &campaignId);
    // Pending recipients of a cancelled campaign.
    Result<int> cancelPending(const QString &campaignId);

private:
    SqlRunner &m_sql;
};

} // namespace wadesk
