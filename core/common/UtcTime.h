#pragma once

#include <QDateTime>

namespace wadesk::UtcTime {

// A UTC QDateTime whose ISO form ends in "Z" on every Qt version. Qt 6.9 deprecates the
// Qt::UTC overloads, and on Qt 6.8 a QDateTime in QTimeZone::utc() (the zone "UTC") is written
// "+00:00": the API's timestamps must not change with the Qt it runs on.
QDateTime fromMSecs(qint64 msecsSinceEpoch);
// The same date and time of day, taken as UTC (for a time read without a zone).
QDateTime treatAsUtc(const QDateTime &wallTime);

} // namespace wadesk::UtcTime
