#include "core/safety/RateLimiter.h"

#include <algorithm>

namespace wadesk::RateLimiter {

namespace {
TierUsage usage(const QList<qint64> &times, qint64 now, qint64 window, int limit, qint64 *freeAt)
{
    // times ascending: those inside the window are a suffix.
    const auto first = std::lower_bound(times.begin(), times.end(), now - window + 1);
    const int used = int(times.end() - first);
    TierUsage u{used, limit, std::max(0, limit - used)};
    if (used >= limit && limit > 0) {
        // The window frees a slot when its (used - limit + 1)-th oldest send leaves it.
        *freeAt = std::max(*freeAt, *(first + (used - limit)) + window);
    }
    return u;
}
} // namespace

RateState evaluate(const RateTiers &tiers, const QList<qint64> &sendTimes, qint64 now)
{
    RateState s;
    qint64 freeAt = now;
    s.minute = usage(sendTimes, now, kMinute, tiers.perMinute, &freeAt);
    s.hour = usage(sendTimes, now, kHour, tiers.perHour, &freeAt);
    s.day = usage(sendTimes, now, kDay, tiers.perDay, &freeAt);
    s.allowed = s.minute.remaining > 0 && s.hour.remaining > 0 && s.day.remaining > 0;
    s.nextAllowedAt = s.allowed ? now : freeAt;
    return s;
}

qint64 estimateLastDeparture(const RateTiers &tiers, QList<qint64> sendTimes, int queued, qint64 now, qint64 meanGapMs)
{
    qint64 t = now;
    // Bounded: a queue longer than a few days' budget is not simulated message by message.
    const int steps = std::min(queued, 5000);
    for (int i = 0; i < steps; ++i) {
        const RateState s = evaluate(tiers, sendTimes, t);
        t = std::max(t, s.nextAllowedAt);
        sendTimes.append(t);
        if (i + 1 < steps)
            t += meanGapMs;
    }
    if (queued > steps && tiers.perDay > 0)
        t += qint64(queued - steps) / tiers.perDay * kDay;
    return t;
}

} // namespace wadesk::RateLimiter
