#pragma once

#include "core/common/Clock.h"

#include <atomic>

namespace wadesk {

// A clock that moves only when the test moves it. Safe to read from a service's own thread
// while the test thread sets it.
class ManualClock final : public Clock {
public:
    explicit ManualClock(qint64 nowMs = 1900000000000LL) : m_now(nowMs) {} // 2030-03-17, far from the wall clock
    qint64 nowMs() const override { return m_now.load(); }
    void set(qint64 nowMs) { m_now.store(nowMs); }
    void advance(qint64 ms) { m_now.fetch_add(ms); }

private:
    std::atomic<qint64> m_now;
};

// The wall clock plus an offset the test moves forward: for services that also wait on real
// I/O (a local HTTP receiver), where a clock standing still would stall them.
class ShiftedClock final : public Clock {
public:
    qint64 nowMs() const override { return Clock::system().nowMs() + m_offset.load(); }
    void advance(qint64 ms) { m_offset.fetch_add(ms); }

private:
    std::atomic<qint64> m_offset{0};
};

} // namespace wadesk
