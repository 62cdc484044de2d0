#include "core/messaging/InterruptedSends.h"

#include "core/db/SqlRunner.h"
#include "core/events/EventBus.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/messaging/MessageRepository.h"

#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
Status recordInterrupted(EventLog &events, const MessageRecord &m, qint64 now, const Clock &clock)
{
    MessageEventData failure = messageEventData(m, now);
    failure.reason = QStringLiteral("interrupted");
    const Status recorded = events.record(MessageEvents::failed(m.organizationId, failure, clock));
    if (!recorded)
        spdlog::error("message {}: cannot record its message.failed event, left for the next try: {}", m.id.toStdString(),
                      recorded.error().message.toStdString());
    return recorded;
}
} // namespace

Result<int> failSendsAsInterrupted(Database &database, EventBus *bus, const Clock &clock, const QList<MessageRecord> &toFail)
{
    if (toFail.isEmpty())
        return 0;
    SqlRunner sql(database);
    MessageRepository messages(sql);
    EventLog events(sql, bus);
    Transaction tx(database);
    if (Status s = tx.begin(); !s)
        return s.error();
    const qint64 now = clock.nowMs();
    int failed = 0;
    for (const MessageRecord &candidate : toFail) {
        // Read again inside the transaction: a late outcome may have been stored meanwhile.
        Result<std::optional<MessageRecord>> found = messages.find(candidate.organizationId, candidate.id, ClientScope::all());
        if (!found)
            return found.error();
        if (!found.value() || found.value()->status != MessageStatus::Sending)
            continue;
        if (Status s = messages.markFailed(candidate.id, QStringLiteral("interrupted"), now); !s)
            return s.error();
        MessageRecord m = *found.value();
        m.status = MessageStatus::Failed;
        m.failureReason = QStringLiteral("interrupted");
        if (Status recorded = recordInterrupted(events, m, now, clock); !recorded)
            return recorded.error();
        ++failed;
    }
    if (Status s = tx.commit(); !s)
        return s.error();
    events.publishRecorded();
    return failed;
}

} // namespace wadesk
