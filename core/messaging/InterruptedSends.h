#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"

namespace wadesk {

class Database;
class EventBus;

// After a crash: the messages that were being sent when WaDesk stopped are failed as
// "interrupted" (never resent: WhatsApp may have taken them), each with its message.failed
// event, in one transaction; the events are published once it has committed. Returns how many
// were failed (0 the second time). On any error nothing changes and the next start tries again.
// `instanceId` (several instances): see MessageRepository::failInterrupted.
Result<int> failInterruptedSends(Database &database, EventBus *events, const Clock &clock = Clock::system(),
                                 const QString &instanceId = QString());

} // namespace wadesk
