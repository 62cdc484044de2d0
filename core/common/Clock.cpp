#include "core/common/Clock.h"

#include "core/common/UtcTime.h"

namespace wadesk {

namespace {
class SystemClock final : public Clock {
public:
    qint64 nowMs() const override { return QDateTime::currentMSecsSinceEpoch(); }
};
} // namespace

QDateTime Clock::nowUtc() const
{
    return UtcTime::fromMSecs(nowMs());
}

const Clock &Clock::system()
{
    static const SystemClock clock;
    return clock;
}

} // namespace wadesk
