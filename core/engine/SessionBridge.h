#pragma once

#include <QObject>

namespace wadesk {

// The object the page sees as `channel.objects.wadesk`. Payloads are JSON strings.
class SessionBridge final : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

public slots:
    void event(const QString &json) { emit eventReceived(json); }
    void reply(const QString &id, const QString &json) { emit replyReceived(id, json); }

signals:
    void eventReceived(const QString &json);
    void replyReceived(const QString &id, const QString &json);
};

} // namespace wadesk
