#pragma once

#include <QDateTime>

namespace wadesk {

// The time of the product's business: when a message was sent, when a ban or a key expires,
// what retention removes, when a webhook is retried. Services receive a Clock in their
// constructor (Clock::system() by default) so tests can move time instead of waiting for it.
// Measurements of elapsed time (timeouts, durations) use QElapsedTimer, not this.
class Clock {
public:
    virtual ~Clock() = default;
    // Epoch milliseconds.
    virtual qint64 nowMs() const = 0;
    // The same instant as a UTC QDateTime whose ISO form ends in "Z" (see UtcTime).
    QDateTime nowUtc() const;

    // The process's real clock (QDateTime::currentMSecsSinceEpoch); lives as long as the process.
    static const Clock &system();
};

} // namespace wadesk
