#pragma once

#include "core/common/Clock.h"
#include "core/events/EventType.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <optional>

namespace wadesk {

// One event of the product (docs/DESIGN.md §6) with a stable id. Product code builds events through
// EventPayloads.h (one function per kind); make() is for events whose data comes from outside
// (an operator's broadcast) and for tests.
struct Event {
    QString id;             // evt_…
    QString type;           // the wire name, EventTypes::name()
    QString organizationId;
    qint64 timestamp = 0;   // epoch ms
    QJsonObject data;

    static Event make(EventType type, const QString &organizationId, QJsonObject data, const Clock &clock = Clock::system());
    bool is(EventType kind) const { return type == EventTypes::name(kind); }
    std::optional<EventType> kind() const { return EventTypes::fromName(type); }
    QJsonObject toJson() const; // {id, event, timestamp (ISO), organization_id, data}
    // The event a webhook body (toJson()) describes; nullopt unless it names a known event.
    static std::optional<Event> fromJson(const QJsonObject &json);
};

} // namespace wadesk

Q_DECLARE_METATYPE(wadesk::Event)
