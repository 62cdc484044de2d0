#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <QString>

namespace wadesk {

class Database;
class EventBus;

// What the page answered for one send.
struct SendOutcome {
    QString messageId;
    QString waId;
    QString error; // empty: sent
    qint64 at = 0;
};

// Stores one send's outcome (status, WhatsApp id, its message.sent / message.failed event, and
// what an echo of it stored before learnt from acks) in one transaction, on the calling thread's
// connection; the events are published once committed. `replayed` (from the outage journal,
// perhaps a second time after a crash): a message no longer `sending` was stored already, and
// nothing is written again. On failure nothing changed.
Status recordSendOutcome(Database &database, EventBus *bus, const Clock &clock, const QString &organizationId,
                         const QString &clientId, const SendOutcome &outcome, bool replayed = false);

} // namespace wadesk
