#pragma once

#include "core/leases/LeaseFence.h"
#include "core/messaging/MessageRepository.h"

#include <optional>

namespace wadesk {

// Several instances on one PostgreSQL (DESIGN §9): the send queue's statements that depend on
// which instance holds a client's lease. (Implemented beside MessageRepository's own.)

// MessageRepository::claimNext, made only while `fence`'s lease is held, checked by the
// database in the statement that marks the message `sending`. Otherwise a conflict
// `client_runs_elsewhere`: roll the transaction back, and the message stays queued for the
// lease's holder (a former owner woken after losing it cannot send it).
Result<std::optional<MessageRecord>> claimNextUnderLease(SqlRunner &sql, const QString &clientId, qint64 now,
                                                         const LeaseFence &fence);

// Messages left `sending` since before `sendingBefore` (the reconciler's candidates), oldest
// first, up to `limit`; with an `instanceId`, not those of clients another live instance holds.
Result<QList<MessageRecord>> stuckSendsNotLeasedElsewhere(SqlRunner &sql, qint64 sendingBefore, const QString &instanceId,
                                                          int limit = 1000);

} // namespace wadesk
