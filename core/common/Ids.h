#pragma once

#include <QString>

namespace wadesk {

// Opaque, time-sortable, prefixed identifiers: "<prefix>_" followed by 26 lowercase Crockford
// base32 characters (48-bit millisecond timestamp, then 80 random bits, ULID layout). Within one
// millisecond the random part is incremented, so ids made by one process sort in creation order.
namespace Ids {
QString make(const char *prefix);
QString makeAt(const char *prefix, qint64 msecsSinceEpoch);
bool looksValid(const QString &id, const char *prefix);
} // namespace Ids

} // namespace wadesk
