#include "common/EventLog.h"

#include "db/SqlRunner.h"

#include <QJsonDocument>

namespace wadesk {

Status EventLog::record(const Event &event)
{
    Result<int> r = m_sql.change(QStringLiteral("INSERT INTO events (id, organization_id, type, data, created_at) VALUES (?, ?, ?, ?, ?)"),
                                 {event.id, event.organizationId, event.type,
                                  QString::fromUtf8(QJsonDocument(event.data).toJson(QJsonDocument::Compact)), event.timestamp},
                                 "events.insert");
    if (!r)
        return r.error();
    m_recorded << event;
    return {};
}

void EventLog::publishRecorded()
{
    if (m_bus) {
        for (const Event &e : std::as_const(m_recorded))
            m_bus->publish(e);
    }
    m_recorded.clear();
}

} // namespace wadesk
