#include "core/events/EventType.h"

#include <QHash>
#include <array>

namespace wadesk::EventTypes {

namespace {
constexpr std::array kAll = {EventType::MessageSent,        EventType::MessageDelivered, EventType::MessageRead,
                             EventType::MessageFailed,      EventType::MessageReceived,  EventType::MessageReaction,
                             EventType::MessageEdited,      EventType::MessageRevoked,   EventType::ClientQr,
                             EventType::ClientConnected,    EventType::ClientDisconnected, EventType::ClientLoggedOut,
                             EventType::ClientPaused,       EventType::ClientProxyFailed, EventType::CampaignStarted,
                             EventType::CampaignCompleted, EventType::CampaignPaused,
                             EventType::SystemStatus,       EventType::Test};

constexpr bool listedInEnumOrder()
{
    for (std::size_t i = 0; i < kAll.size(); ++i) {
        if (int(kAll[i]) != int(i))
            return false;
    }
    return kAll.size() == std::size_t(EventType::Test) + 1;
}
static_assert(listedInEnumOrder(), "kAll lists every EventType once, in the enum's order (name() indexes it)");

QString wireName(EventType type)
{
    switch (type) {
    case EventType::MessageSent: return QStringLiteral("message.sent");
    case EventType::MessageDelivered: return QStringLiteral("message.delivered");
    case EventType::MessageRead: return QStringLiteral("message.read");
    case EventType::MessageFailed: return QStringLiteral("message.failed");
    case EventType::MessageReceived: return QStringLiteral("message.received");
    case EventType::MessageReaction: return QStringLiteral("message.reaction");
    case EventType::MessageEdited: return QStringLiteral("message.edited");
    case EventType::MessageRevoked: return QStringLiteral("message.revoked");
    case EventType::ClientQr: return QStringLiteral("client.qr");
    case EventType::ClientConnected: return QStringLiteral("client.connected");
    case EventType::ClientDisconnected: return QStringLiteral("client.disconnected");
    case EventType::ClientLoggedOut: return QStringLiteral("client.logged_out");
    case EventType::ClientPaused: return QStringLiteral("client.paused");
    case EventType::ClientProxyFailed: return QStringLiteral("client.proxy_failed");
    case EventType::CampaignStarted: return QStringLiteral("campaign.started");
    case EventType::CampaignCompleted: return QStringLiteral("campaign.completed");
    case EventType::CampaignPaused: return QStringLiteral("campaign.paused");
    case EventType::SystemStatus: return QStringLiteral("system.status");
    case EventType::Test: return QStringLiteral("test");
    }
    return QString();
}
} // namespace

const QStringList &names()
{
    static const QStringList all = [] {
        QStringList out;
        for (EventType t : kAll)
            out << wireName(t);
        return out;
    }();
    return all;
}

const QString &name(EventType type)
{
    return names().at(int(type)); // kAll lists the enum in its order
}

std::optional<EventType> fromName(const QString &name)
{
    static const QHash<QString, EventType> byName = [] {
        QHash<QString, EventType> out;
        for (EventType t : kAll)
            out.insert(wireName(t), t);
        return out;
    }();
    const auto it = byName.constFind(name);
    if (it == byName.constEnd())
        return std::nullopt;
    return *it;
}

EventSubject subject(EventType type)
{
    switch (type) {
    case EventType::MessageSent:
    case EventType::MessageDelivered:
    case EventType::MessageRead:
    case EventType::MessageFailed:
    case EventType::MessageReceived:
    case EventType::MessageReaction:
    case EventType::MessageEdited:
    case EventType::MessageRevoked:
        return EventSubject::Message;
    case EventType::ClientQr:
    case EventType::ClientConnected:
    case EventType::ClientDisconnected:
    case EventType::ClientLoggedOut:
    case EventType::ClientPaused:
    case EventType::ClientProxyFailed:
        return EventSubject::Client;
    case EventType::CampaignStarted:
    case EventType::CampaignCompleted:
    case EventType::CampaignPaused:
        return EventSubject::Campaign;
    case EventType::SystemStatus:
    case EventType::Test:
        return EventSubject::System;
    }
    return EventSubject::System;
}

} // namespace wadesk::EventTypes
