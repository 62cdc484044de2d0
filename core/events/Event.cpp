#include "core/events/Event.h"

#include "core/common/Ids.h"
#include "core/common/Json.h"

namespace wadesk {

Event Event::make(EventType type, const QString &organizationId, QJsonObject data, const Clock &clock)
{
    Event e;
    e.id = Ids::make("evt");
    e.type = EventTypes::name(type);
    e.organizationId = organizationId;
    e.timestamp = clock.nowMs();
    e.data = std::move(data);
    return e;
}

QJsonObject Event::toJson() const
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("event"), type},
                       {QStringLiteral("timestamp"), Json::isoTime(timestamp)},
                       {QStringLiteral("organization_id"), organizationId},
                       {QStringLiteral("data"), data}};
}

std::optional<Event> Event::fromJson(const QJsonObject &json)
{
    Event e;
    e.id = json.value(QStringLiteral("id")).toString();
    e.type = json.value(QStringLiteral("event")).toString();
    e.organizationId = json.value(QStringLiteral("organization_id")).toString();
    e.timestamp = Json::parseIsoTime(json.value(QStringLiteral("timestamp")).toString()).value_or(0);
    e.data = json.value(QStringLiteral("data")).toObject();
    if (e.id.isEmpty() || !e.kind() || e.timestamp <= 0)
        return std::nullopt;
    return e;
}

} // namespace wadesk
