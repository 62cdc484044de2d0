#include "core/sessions/SessionControl.h"

namespace wadesk {

Result<QrCode> currentQrCode(SessionControl &sessions, const QString &clientId)
{
    const std::optional<SessionSnapshot> live = sessions.snapshot(clientId);
    if (live && live->state == SessionState::Qr && live->qrText.isEmpty() && live->qrIdle) {
        sessions.requestRefreshQr(clientId);
        return DomainError::tooManyRequests(QStringLiteral("The QR code expired; a new one is being requested"), 2,
                                            QStringLiteral("qr_refreshing"));
    }
    if (!live || live->state != SessionState::Qr || live->qrText.isEmpty()) {
        DomainError e = DomainError::conflict(
            QStringLiteral("No QR code to show: the client is %1").arg(live ? SessionStates::name(live->state) : QStringLiteral("not running")),
            QStringLiteral("client_not_in_qr_state"));
        e.details.insert(QStringLiteral("status"), live ? SessionStates::name(live->state) : QStringLiteral("stopped"));
        return e;
    }
    return QrCode{live->qrText, live->qrExpiresAt};
}

} // namespace wadesk
