#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QObject>
#include <QString>

namespace wadesk {

// One event of the product (DESIGN 6): "client.qr", "message.sent", ... with a stable id.
struct Event {
    QString id;             // evt_…
    QString type;
    QString organizationId;
    qint64 timestamp = 0;   // epoch ms
    QJsonObject data;

    static Event make(const QString &type, const QString &organizationId, QJsonObject data);
    QJsonObject toJson() const; // {id, event, timestamp (ISO), organization_id, data}
};

// The in-process event bus. publish() may be called from any thread; receivers connect to
// published() (queued across threads). Durable delivery (webhooks) subscribes here.
class EventBus final : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    void publish(const Event &event) { emit published(event); }

signals:
    void published(const wadesk::Event &event);
};

} // namespace wadesk

Q_DECLARE_METATYPE(wadesk::Event)
