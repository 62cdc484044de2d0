#include "core/messaging/SendOutcomes.h"

#include "core/db/SqlRunner.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/messaging/MessageRepository.h"

#include <optional>

namespace wadesk {

Status recordSendOutcome(Database &database, EventBus *bus, const Clock &clock, const QString &organizationId,
                         const QString &clientId, const SendOutcome &outcome, bool replayed)
{
    const QString &messageId = outcome.messageId;
    const QString &waId = outcome.waId;
    const QString &error = outcome.error;
    const qint64 now = outcome.at;
    SqlRunner sql(database);
    MessageRepository messages(sql);
    EventLog events(sql, bus);
    const bool ok = error.isEmpty();
    Transaction tx(database);
    if (Status s = tx.begin(); !s)
        return s;
    Result<std::optional<MessageRecord>> found = messages.find(organizationId, messageId, ClientScope::all());
    if (!found)
        return found.error();
    if (replayed && (!found.value() || found.value()->status != MessageStatus::Sending))
        return {};
    // The page's echo of this send, if it was stored before the id was known, gives its id back.
    std::optional<MessageRecord> echo;
    if (!waId.isEmpty()) {
        Result<std::optional<MessageRecord>> taken = messages.takeEchoOf(clientId, waId, messageId);
        if (!taken)
            return taken.error();
        echo = taken.value();
    }
    if (Status s = ok ? messages.markSent(messageId, waId, now) : messages.markFailed(messageId, error, now, waId); !s)
        return s;
    if (found.value()) {
        MessageRecord m = *found.value();
        m.status = ok ? MessageStatus::Sent : MessageStatus::Failed;
        m.failureReason = error;
        MessageEventData data = messageEventData(m, now);
        data.reason = error;
        if (Status s = events.record(ok ? MessageEvents::sent(organizationId, data, clock) : MessageEvents::failed(organizationId, data, clock)); !s)
            return s;
        // What the echo's row had learnt from acks meanwhile moves to the send's own row.
        if (ok && echo && (echo->status == MessageStatus::Delivered || echo->status == MessageStatus::Read)) {
            Result<std::optional<MessageRecord>> moved = messages.applyAck(clientId, waId, echo->status == MessageStatus::Read ? 3 : 2, now);
            if (!moved)
                return moved.error();
            if (moved.value()) {
                const MessageEventData progress = messageEventData(*moved.value(), now);
                const Event event = moved.value()->status == MessageStatus::Read ? MessageEvents::read(organizationId, progress, clock)
                                                                                 : MessageEvents::delivered(organizationId, progress, clock);
                if (Status s = events.record(event); !s)
                    return s;
            }
        }
    }
    if (Status s = tx.commit(); !s)
        return s;
    events.publishRecorded();
    return {};
}

} // namespace wadesk
