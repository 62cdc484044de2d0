#pragma once

#include <QString>
#include <QStringList>
#include <optional>

namespace wadesk {

// Every event of the product (docs/DESIGN.md §6). The wire name ("message.sent", ...) of each is written
// once, in EventType.cpp; webhooks subscribe by these names.
enum class EventType {
    MessageSent,
    MessageDelivered,
    MessageRead,
    MessageFailed,
    MessageReceived,
    MessageReaction,
    MessageEdited,
    MessageRevoked,
    ClientQr,
    ClientConnected,
    ClientDisconnected,
    ClientLoggedOut,
    ClientPaused,
    ClientProxyFailed,
    CampaignStarted,
    CampaignCompleted,
    CampaignPaused,
    SystemStatus,
    Test,
};

// What an event is about: its payload's shape follows from it (see EventPayloads.h).
enum class EventSubject { Message, Client, Campaign, System };

namespace EventTypes {
const QString &name(EventType type);
std::optional<EventType> fromName(const QString &name);
EventSubject subject(EventType type);
// The wire names of every event, in the order above: what a webhook may subscribe to.
const QStringList &names();
} // namespace EventTypes

} // namespace wadesk
