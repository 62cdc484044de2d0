#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"

#include <functional>

namespace wadesk {

class AuditLog;
class Database;
class EventBus;
class EventLog;
class SqlRunner;

// What an audited change writes through, all in its one transaction on the calling thread's
// connection: the statements of the change, its audit entries and its events.
struct AuditedWrite {
    SqlRunner &sql;
    AuditLog &audit;
    EventLog &events;
    const Clock &clock; // the service's clock: repositories opened inside the change take it too
};

// The one shape of a use case's write (docs/DESIGN.md §2): begins the transaction, runs `change` (which
// makes the change, appends its audit entry and records its events through `write`), commits,
// and only then publishes the recorded events on `bus` (may be null: then they are only stored).
// When any step fails, the transaction is rolled back, nothing is published and the failure is
// returned: a change is never kept without its audit entry and events, nor announced without
// being kept. `change` returns an error also to refuse (not found, conflict): nothing is kept.
Status runAudited(Database &database, EventBus *bus, const std::function<Status(AuditedWrite &write)> &change,
                  const Clock &clock = Clock::system());

} // namespace wadesk
