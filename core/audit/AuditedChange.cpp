#include "core/audit/AuditedChange.h"

#include "core/audit/AuditLog.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventLog.h"

namespace wadesk {

Status runAudited(Database &database, EventBus *bus, const std::function<Status(AuditedWrite &write)> &change,
                  const Clock &clock)
{
    SqlRunner sql(database);
    AuditLog audit(sql, clock);
    EventLog events(sql, bus);
    AuditedWrite write{sql, audit, events, clock};
    Transaction tx(database); // rolls back on every early return
    if (Status s = tx.begin(); !s)
        return s;
    if (Status s = change(write); !s)
        return s;
    if (Status s = tx.commit(); !s)
        return s;
    events.publishRecorded();
    return {};
}

} // namespace wadesk
