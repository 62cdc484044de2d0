#pragma once

#include <QList>

namespace wadesk {

// The three rate tiers of one client (docs/DESIGN.md §7): defaults 20/minute, 100/hour, 1000/day.
struct RateTiers {
    int perMinute = 20;
    int perHour = 100;
    int perDay = 1000;
};

struct TierUsage {
    int used = 0;
    int limit = 0;
    int remaining = 0;
};

struct RateState {
    bool allowed = true;
    TierUsage minute, hour, day;
    qint64 nextAllowedAt = 0; // epoch ms when the next send may start (now when allowed)
};

// Sliding-window accounting over the start times of recent sends (ascending, epoch ms).
namespace RateLimiter {
constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;

RateState evaluate(const RateTiers &tiers, const QList<qint64> &sendTimes, qint64 now);
// When the last of `queued` further messages would start, if each waits for the tiers and then
// for `meanGapMs` of pacing after the previous one.
qint64 estimateLastDeparture(const RateTiers &tiers, QList<qint64> sendTimes, int queued, qint64 now, qint64 meanGapMs);
} // namespace RateLimiter

} // namespace wadesk
