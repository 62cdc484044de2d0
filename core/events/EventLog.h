#pragma once

#include "core/common/DomainError.h"
#include "core/events/EventBus.h"

#include <QList>

namespace wadesk {

class SqlRunner;

// Writes events to the durable `events` table inside the caller's transaction, with one
// webhook delivery row for every active webhook of the organization that subscribes to the
// event, and publishes them on the bus only once that transaction has committed: no event is
// announced or delivered for a change that was rolled back, and none is lost for a change that
// was kept.
class EventLog {
public:
    EventLog(SqlRunner &sql, EventBus *bus) : m_sql(sql), m_bus(bus) {}
    Status record(const Event &event);
    void publishRecorded();

private:
    SqlRunner &m_sql;
    EventBus *m_bus;
    QList<Event> m_recorded;
};

} // namespace wadesk
