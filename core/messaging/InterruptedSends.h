#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QList>

namespace wadesk {

class Database;
class EventBus;
struct MessageRecord;

// Messages left `sending` that the reconciler found no trace of on their page (or whose client
// did not come back in time) are failed as "interrupted", never resent: WhatsApp may have taken
// them. Each one still `sending` gets its message.failed event, in one transaction whose events
// are published once it has committed; one that moved on meanwhile is left alone. Returns how
// many were failed (0 the second time). On any error nothing changes and the caller tries again.
Result<int> failSendsAsInterrupted(Database &database, EventBus *events, const Clock &clock, const QList<MessageRecord> &messages);

} // namespace wadesk
