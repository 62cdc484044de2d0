#pragma once

#include "core/safety/RateLimiter.h"

namespace wadesk {

struct ClientRecord;

// The rate tiers a client's sends are held to: its own limits where it sets them (a limit of 0
// means "the installation default"), the installation's defaults for the rest.
RateTiers clientSendTiers(const ClientRecord &client, const RateTiers &defaults);

} // namespace wadesk
