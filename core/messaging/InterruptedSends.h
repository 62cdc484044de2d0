#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QList>

namespace wadesk {

class Database;
class EventBus;
struct MessageRecord;

// After a crash: the messages that were being sent when WaDesk stopped are failed as
// "interrupted" (never resent: WhatsApp may have taken them), each with its message.failed
// event, in one transaction; the events are published once it has committed. Returns how many
// were failed (0 the second time). On any error nothing changes and the next start tries again.
// `instanceId` (several instances): see MessageRepository::failInterrupted.
Result<int> failInterruptedSends(Database &database, EventBus *events, const Clock &clock = Clock::system(),
                                 const QString &instanceId = QString());

// The same for these messages only (the reconciler found no trace of them on their page, or
// their client did not come back in time): each one still `sending` is failed as interrupted
// with its message.failed event, in one transaction; one that moved on meanwhile is left alone.
// Returns how many were failed.
Result<int> failSendsAsInterrupted(Database &database, EventBus *events, const Clock &clock, const QList<MessageRecord> &messages);

} // namespace wadesk
