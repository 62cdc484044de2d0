#pragma once

#include "core/campaigns/Campaign.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

namespace wadesk {

// One row per recipient of a campaign, as GET /api/analytics/campaigns/:campaignId/export
// sends it and the desktop's Campaigns screen saves it: the same bytes from both.
namespace CampaignExport {

enum class Format { Csv, Json };

// A recipient as the API shows it (GET /api/campaigns/:id/recipients and the JSON export).
QJsonObject recipientJson(const CampaignRecipient &recipient);
// CSV: a header and one row per recipient; JSON: {campaign_id, recipients: [...]}.
QByteArray render(const QString &campaignId, const QList<CampaignRecipient> &recipients, Format format);

} // namespace CampaignExport

} // namespace wadesk
