#pragma once

#include "core/common/Clock.h"
#include "core/messaging/MessagingSettings.h"

#include <QJsonObject>
#include <QString>

namespace wadesk {

class Database;
class EventBus;
class MessageSender;

// Stores what a session reports, on the main thread: incoming messages (once per WhatsApp id,
// with the contact created or updated; an exact opt-out or opt-in keyword flips the contact's
// flag and is audited), messages sent from the phone itself, and acks that move outbound
// messages to delivered / read / failed. Each change and its event commit together.
class InboundProcessor {
public:
    InboundProcessor(Database &database, EventBus *events, MessagingSettings settings, const Clock &clock = Clock::system());

    // `sender` (may be null) tells which send is in flight, so its echo is not stored twice.
    void onMessage(const QString &organizationId, const QString &clientId, const QJsonObject &message, const MessageSender *sender);
    void onAck(const QString &organizationId, const QString &clientId, const QJsonObject &ack);

    enum class Keyword { None, OptOut, OptIn };
    Keyword classify(const QString &body) const;

private:
    Database &m_database;
    EventBus *m_events;
    MessagingSettings m_settings;
    const Clock &m_clock;
};

} // namespace wadesk
