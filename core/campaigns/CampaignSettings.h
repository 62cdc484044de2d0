#pragma once

#include <QtGlobal>

namespace wadesk {

struct CampaignSettings {
    // A reply from a recipient this long after its message was sent counts as a reply.
    qint64 replyWindowMs = 24LL * 60 * 60 * 1000;
    // The most recipients one campaign freezes (numbers, contacts and tagged contacts together).
    int maxAudience = 10000;
    // The share of each client's daily tier a campaign leaves for replies and other messages.
    int replyReservePercent = 10;
    // Campaign messages one client's queue holds at a time: the scheduler adds the next one
    // when the sender has taken the last, so a pause stops before the next message and an
    // interactive message never waits behind a campaign.
    int maxQueuedPerClient = 1;
    // How often the scheduler looks at the running campaigns.
    int tickMs = 1000;
};

} // namespace wadesk
