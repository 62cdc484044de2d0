#pragma once

#include "core/safety/RateLimiter.h"

#include <QtGlobal>

namespace wadesk {

// A client's sending budget as of now: what GET /api/clients/:id/rate-limits answers (its JSON
// view is JsonViews::rateLimits) and what the desktop's rate strip shows.
struct RateLimitStatus {
    RateState rate;                    // usage of each tier, and when the next send may start
    bool allowed = true;               // the tiers allow a send now and the client is not paused
    bool paused = false;               // account safety stopped the client's queue
    static constexpr int kQueueDepthCap = 10000;
    int queueDepth = 0;                // messages accepted and not yet sent, counted up to kQueueDepthCap
    bool queueDepthExact = true;       // false: the queue holds queueDepth messages or more
    qint64 estimatedLastDeparture = 0; // epoch ms the last queued message should leave; 0: queue empty
};

} // namespace wadesk
