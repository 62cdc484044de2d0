#include "core/events/EventLog.h"

#include "core/db/SqlRunner.h"

#include "core/common/Ids.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

namespace wadesk {

Status EventLog::record(const Event &event)
{
    Result<int> r = m_sql.change(QStringLiteral("INSERT INTO events (id, organization_id, type, data, created_at) VALUES (?, ?, ?, ?, ?)"),
                                 {event.id, event.organizationId, event.type,
                                  QString::fromUtf8(QJsonDocument(event.data).toJson(QJsonDocument::Compact)), event.timestamp},
                                 "events.insert");
    if (!r)
        return r.error();
    // Fan out to the subscribed webhooks. The payload is fixed now, so every retry sends the
    // same bytes with the same webhook-id.
    Result<QSqlQuery> hooks = m_sql.run(QStringLiteral("SELECT id, events FROM webhooks WHERE organization_id = ? AND active = 1"),
                                        {event.organizationId}, "webhooks.subscribers");
    if (!hooks)
        return hooks.error();
    QStringList subscribers;
    while (hooks.value().next()) {
        const QJsonArray events = QJsonDocument::fromJson(hooks.value().value(1).toString().toUtf8()).array();
        if (events.contains(QJsonValue(QStringLiteral("*"))) || events.contains(QJsonValue(event.type)))
            subscribers << hooks.value().value(0).toString();
    }
    if (!subscribers.isEmpty()) {
        const QString payload = QString::fromUtf8(QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact));
        for (const QString &webhookId : std::as_const(subscribers)) {
            Result<int> d = m_sql.change(
                QStringLiteral("INSERT INTO webhook_deliveries (id, organization_id, webhook_id, event_id, event_type, payload, status, "
                               "attempts, next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)"),
                {Ids::make("dlv"), event.organizationId, webhookId, event.id, event.type, payload, event.timestamp, event.timestamp,
                 event.timestamp},
                "webhook_deliveries.insert");
            if (!d)
                return d.error();
        }
    }
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
