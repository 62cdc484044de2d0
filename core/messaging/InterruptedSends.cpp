#include "core/messaging/InterruptedSends.h"

#include "core/messaging/LeasedQueue.h"

#include "core/db/SqlRunner.h"
#include "core/events/EventBus.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/messaging/MessageRepository.h"

#include <spdlog/spdlog.h>

namespace wadesk {

Result<int> failInterruptedSends(Database &database, EventBus *bus, const Clock &clock, const QString &instanceId)
{
    SqlRunner sql(database);
    MessageRepository messages(sql);
    EventLog events(sql, bus);
    Transaction tx(database);
    if (Status s = tx.begin(); !s) {
        spdlog::error("cannot fail the sends a crash interrupted: {}", s.error().message.toStdString());
        return s.error();
    }
    const qint64 now = clock.nowMs();
    Result<QList<MessageRecord>> failed = instanceId.isEmpty() ? messages.failInterrupted(now)
                                                                        : failInterruptedNotLeasedElsewhere(sql, now, instanceId);
    if (!failed) {
        spdlog::error("cannot fail the sends a crash interrupted: {}", failed.error().message.toStdString());
        return failed.error();
    }
    for (const MessageRecord &m : failed.value()) {
        spdlog::warn("message {} was being sent when WaDesk stopped: failed as interrupted (not resent)", m.id.toStdString());
        MessageEventData failure = messageEventData(m, now);
        failure.reason = QStringLiteral("interrupted");
        const Status recorded = events.record(MessageEvents::failed(m.organizationId, failure, clock));
        if (!recorded) {
            spdlog::error("message {}: cannot record its message.failed event, left for the next start: {}", m.id.toStdString(),
                          recorded.error().message.toStdString());
            return recorded.error();
        }
    }
    if (Status s = tx.commit(); !s) {
        spdlog::error("cannot fail the sends a crash interrupted: {}", s.error().message.toStdString());
        return s.error();
    }
    events.publishRecorded();
    return int(failed.value().size());
}

} // namespace wadesk
