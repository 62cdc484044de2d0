#pragma once

#include <QString>
#include <QStringList>
#include <optional>

namespace wadesk {

// Where a message stands. Outbound messages move only forward: queued → sending → sent →
// delivered → read, or to failed; inbound ones are received.
enum class MessageStatus { Queued, Sending, Sent, Delivered, Read, Failed, Received };

enum class MessageDirection { Outbound, Inbound };

// The stored and wire names ("queued", "outbound", ...), held here once.
QString messageStatusName(MessageStatus status);
std::optional<MessageStatus> parseMessageStatus(const QString &name);
QStringList messageStatusNames(); // every status, in the order of the enum
QString messageDirectionName(MessageDirection direction);
std::optional<MessageDirection> parseMessageDirection(const QString &name);

} // namespace wadesk
