#include "core/sessions/ClientSendTiers.h"

#include "core/sessions/ClientRepository.h"

namespace wadesk {

RateTiers clientSendTiers(const ClientRecord &client, const RateTiers &defaults)
{
    RateTiers t = defaults;
    if (client.ratePerMinute > 0)
        t.perMinute = client.ratePerMinute;
    if (client.ratePerHour > 0)
        t.perHour = client.ratePerHour;
    if (client.ratePerDay > 0)
        t.perDay = client.ratePerDay;
    return t;
}

} // namespace wadesk
