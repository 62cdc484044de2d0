#include "core/messaging/MessageTransport.h"

#include "core/messaging/OutboundAcks.h"

namespace wadesk {

QString refusalOfSendResult(int ack, const QString &messageSendResult)
{
    const bool resultRefused = !messageSendResult.isEmpty() && messageSendResult != QLatin1String("OK");
    if (ack >= 0 && !resultRefused)
        return {};
    if (resultRefused && ack >= 0)
        return QStringLiteral("WhatsApp refused the message (%1)").arg(messageSendResult);
    if (resultRefused)
        return QStringLiteral("%1 (%2)").arg(ackFailureReason(ack), messageSendResult);
    return ackFailureReason(ack);
}

} // namespace wadesk
