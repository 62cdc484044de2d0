#pragma once

#include "core/events/Event.h"

#include <QObject>

namespace wadesk {

// The in-process event bus. publish() may be called from any thread; receivers connect to
// published() (queued across threads). Durable delivery (webhooks) goes through EventLog.
class EventBus final : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    void publish(const Event &event) { emit published(event); }

signals:
    void published(const wadesk::Event &event);
};

} // namespace wadesk
