#include "core/messaging/MessageStatus.h"

#include <array>
#include <utility>

namespace wadesk {

namespace {
const std::array<std::pair<MessageStatus, const char *>, 7> kStatuses = {{
    {MessageStatus::Queued, "queued"},
    {MessageStatus::Sending, "sending"},
    {MessageStatus::Sent, "sent"},
    {MessageStatus::Delivered, "delivered"},
    {MessageStatus::Read, "read"},
    {MessageStatus::Failed, "failed"},
    {MessageStatus::Received, "received"},
}};
} // namespace

QString messageStatusName(MessageStatus status)
{
    for (const auto &[value, name] : kStatuses) {
        if (value == status)
            return QLatin1String(name);
    }
    return {};
}

std::optional<MessageStatus> parseMessageStatus(const QString &name)
{
    for (const auto &[value, text] : kStatuses) {
        if (name == QLatin1String(text))
            return value;
    }
    return std::nullopt;
}

QStringList messageStatusNames()
{
    QStringList out;
    for (const auto &entry : kStatuses)
        out << QLatin1String(entry.second);
    return out;
}

QString messageDirectionName(MessageDirection direction)
{
    return direction == MessageDirection::Outbound ? QStringLiteral("outbound") : QStringLiteral("inbound");
}

std::optional<MessageDirection> parseMessageDirection(const QString &name)
{
    if (name == QLatin1String("outbound"))
        return MessageDirection::Outbound;
    if (name == QLatin1String("inbound"))
        return MessageDirection::Inbound;
    return std::nullopt;
}

} // namespace wadesk
