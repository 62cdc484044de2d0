#pragma once

#include "core/auth/AuthSettings.h"
#include "core/campaigns/CampaignSettings.h"
#include "core/media/MediaSettings.h"
#include "core/messaging/MessagingSettings.h"
#include "core/webhooks/WebhookSettings.h"

namespace wadesk {

// The settings the services of a thread are built from, one struct per domain, filled by
// ConfigLoader directly (AppConfig::services) and handed unchanged to every ServiceGraph.
struct ServiceSettings {
    AuthSettings auth;
    MessagingSettings messaging;
    WebhookSettings webhooks;
    MediaSettings media;
    CampaignSettings campaigns;
    // cluster/leaseSeconds (copied from AppConfig::cluster at start): an instance whose heartbeat
    // is older is listed as not alive.
    int instanceLeaseSeconds = 30;
};

} // namespace wadesk
