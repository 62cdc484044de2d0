#pragma once

#include "core/access/AuthContext.h"
#include "core/campaigns/Campaign.h"
#include "core/campaigns/CampaignRepository.h"
#include "core/campaigns/CampaignSettings.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/messaging/MessagingSettings.h"

#include <QHash>
#include <QJsonObject>
#include <optional>

namespace wadesk {

class ClientService;
class Database;
class EventBus;
class MediaLibrary;

// A campaign with what became of its recipients.
struct CampaignView {
    CampaignRecord campaign;
    CampaignCounts counts;
    std::optional<qint64> estimatedFinish; // epoch ms; none for drafts and finished campaigns
};

struct CampaignAnalytics {
    CampaignRecord campaign;
    CampaignCounts counts;
    QHash<QString, int> failedByReason;
    QHash<QString, int> skippedByReason;
};

// The campaign use cases (docs/DESIGN.md §2), on the API thread: each checks the permission,
// writes its audit entry and its events in one transaction. Managing (create, start, pause,
// resume, cancel) needs can_manage_clients (admins, managers); reading needs can_view_analytics,
// and viewers see only campaigns whose clients are all assigned to them. Sending is the
// scheduler's (CampaignScheduler), next to the senders.
class CampaignService {
public:
    CampaignService(Database &database, ClientService &clients, EventBus *events, MessagingSettings messaging, CampaignSettings settings,
                    const Clock &clock = Clock::system());

    void setMediaLibrary(MediaLibrary *media) { m_media = media; }

    struct Draft {
        QString name;
        QStringList clientIds;
        QString message;
        QString templateId; // instead of message: its text (rendered per recipient) and media
        QString mediaId;
        QStringList numbers;
        QStringList contactIds;
        QStringList tags;
        QString segmentId; // evaluated when the campaign starts, like tags
        qint64 scheduleAt = 0;
        std::optional<SendWindow> window;
        int dailyCap = 0;
    };
    Result<CampaignView> create(const AuthContext &ctx, const Draft &draft);
    struct Page {
        QList<CampaignView> campaigns;
        int total = 0;
    };
    Result<Page> list(const AuthContext &ctx, const CampaignQuery &query);
    Result<CampaignView> get(const AuthContext &ctx, const QString &campaignId);
    // Freezes the audience and runs the campaign (or schedules it for schedule_at).
    Result<CampaignView> start(const AuthContext &ctx, const QString &campaignId);
    Result<CampaignView> pause(const AuthContext &ctx, const QString &campaignId);
    Result<CampaignView> resume(const AuthContext &ctx, const QString &campaignId);
    Result<CampaignView> cancel(const AuthContext &ctx, const QString &campaignId);
    struct RecipientPage {
        QList<CampaignRecipient> recipients;
        int total = 0;
    };
    Result<RecipientPage> recipients(const AuthContext &ctx, const QString &campaignId, const QString &status, int limit, int offset);
    Result<CampaignAnalytics> analytics(const AuthContext &ctx, const QString &campaignId);
    // Every recipient, for the export.
    Result<QList<CampaignRecipient>> exportRecipients(const AuthContext &ctx, const QString &campaignId);
    // Running and scheduled campaigns the actor sees (stats.active_campaigns).
    Result<int> activeCount(const AuthContext &ctx);

    // When a campaign made from `draft` with `recipients` recipients would finish if it started
    // now (or at its schedule_at), under the clients' current tiers, pacing, window and cap: what
    // the desktop's wizard shows before anything is stored. Managers only, like create().
    Result<qint64> estimate(const AuthContext &ctx, const Draft &draft, qint64 recipients);

    const CampaignSettings &settings() const { return m_settings; }

private:
    Result<CampaignRecord> visible(const AuthContext &ctx, const QString &campaignId);
    Result<CampaignView> view(const CampaignRecord &campaign);
    std::optional<qint64> estimateFinish(const CampaignRecord &campaign, const CampaignCounts &counts);
    // `remaining` recipients per client, `left` in all, from max(now, schedule_at).
    std::optional<qint64> estimateFrom(const CampaignRecord &campaign, const QHash<QString, int> &remaining, qint64 left);
    // Resolves and freezes the audience inside the start's transaction; returns the recipients.
    Result<QList<CampaignRecipient>> freeze(SqlRunner &sql, const CampaignRecord &campaign);
    Result<CampaignView> pauseOrCancel(const AuthContext &ctx, const QString &campaignId, bool cancel);

    Database &m_database;
    ClientService &m_clients;
    EventBus *m_events;
    MediaLibrary *m_media = nullptr;
    MessagingSettings m_messaging;
    CampaignSettings m_settings;
    const Clock &m_clock;
};

} // namespace wadesk
