#include "core/common/EventBus.h"

#include "core/common/Ids.h"
#include "core/common/Json.h"

#include <QDateTime>

namespace wadesk {

Event Event::make(const QString &type, const QString &organizationId, QJsonObject data)
{
    Event e;
    e.id = Ids::make("evt");
    e.type = type;
    e.organizationId = organizationId;
    e.timestamp = QDateTime::currentMSecsSinceEpoch();
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

} // namespace wadesk
