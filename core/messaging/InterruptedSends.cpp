#include "core/messaging/InterruptedSends.h"

#include "core/common/EventBus.h"
#include "core/common/Json.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/MessageRepository.h"
#include "core/webhooks/EventLog.h"

#include <QDateTime>
#include <spdlog/spdlog.h>

namespace wadesk {

Result<int> failInterruptedSends(Database &database, EventBus *bus)
{
    SqlRunner sql(database);
    MessageRepository messages(sql);
    EventLog events(sql, bus);
    Transaction tx(database);
    if (Status s = tx.begin(); !s) {
        spdlog::error("cannot fail the sends a crash interrupted: {}", s.error().message.toStdString());
        return s.error();
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Result<QList<MessageRecord>> failed = messages.failInterrupted(now);
    if (!failed) {
        spdlog::error("cannot fail the sends a crash interrupted: {}", failed.error().message.toStdString());
        return failed.error();
    }
    for (const MessageRecord &m : failed.value()) {
        spdlog::warn("message {} was being sent when WaDesk stopped: failed as interrupted (not resent)", m.id.toStdString());
        const Status recorded = events.record(Event::make(QStringLiteral("message.failed"), m.organizationId,
                                                          {{QStringLiteral("messageId"), m.id},
                                                           {QStringLiteral("clientId"), m.clientId},
                                                           {QStringLiteral("to"), m.contactPhone},
                                                           {QStringLiteral("reason"), QStringLiteral("interrupted")},
                                                           {QStringLiteral("timestamp"), Json::isoTime(now)}}));
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
