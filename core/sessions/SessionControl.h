#pragma once

#include "core/common/DomainError.h"
#include "core/sessions/SessionState.h"

#include <QJsonObject>
#include <QString>
#include <functional>
#include <optional>

namespace wadesk {

// What the API knows of a live session: a copy taken under a lock, never a pointer into the
// engine (which lives on the main thread).
struct SessionSnapshot {
    QString clientId;
    QString organizationId;
    SessionState state = SessionState::Stopped;
    qint64 stateSince = 0;
    QString qrText;          // empty unless state is qr and a code is showing
    qint64 qrExpiresAt = 0;
    bool qrIdle = false;     // the page stopped rotating codes; a refresh is needed
    QString lastError;
    QString phoneNumber;     // E.164 of the linked account, once known
    QString replacedPhoneNumber; // the client's number before this link, when the link changed it
    QJsonObject deviceInfo;
    QString waJsVersion;
    // The instance that drives the session when it is another one (several instances on one
    // PostgreSQL); empty when it runs here. Such a snapshot is the state that instance stored.
    QString instance;
};

// A QR code a session shows while it waits to be linked.
struct QrCode {
    QString text;
    qint64 expiresAt = 0; // epoch ms
};

class SessionControl;

// The code the client's session shows now, from what `sessions` knows of it: 429 qr_refreshing
// (and a new code is asked for) when the page stopped rotating codes, 409
// client_not_in_qr_state (details.status) when there is none to show.
Result<QrCode> currentQrCode(SessionControl &sessions, const QString &clientId);

// The engine as the API thread sees it. Reads are thread-safe snapshots; requests are handed
// to the engine's thread and return at once (the API never waits for the main thread). Start,
// stop, pause and resume asked on the engine's own thread (the desktop) take effect before they
// return, so the screen that asked shows the result at once.
class SessionControl {
public:
    virtual ~SessionControl() = default;
    virtual std::optional<SessionSnapshot> snapshot(const QString &clientId) const = 0;
    virtual void requestStart(const QString &organizationId, const QString &clientId) = 0;
    // An operator's stop: the session stops and the client no longer starts with the
    // application (until it is started again); it stays linked.
    virtual void requestStop(const QString &organizationId, const QString &clientId) = 0;
    // An operator's logout: unlinks the account; the client no longer starts with the application.
    virtual void requestLogout(const QString &organizationId, const QString &clientId) = 0;
    virtual void requestRefreshQr(const QString &clientId) = 0;
    // Linking by phone number: asks the page for the code the user types on that phone (wa-js
    // conn.genLinkDeviceCodeForPhoneNumber). `done` runs once, on the engine's (main) thread,
    // with the code; 409 client_not_linkable when the session is not on its linking screen (or
    // already linked), 422 phone_number_refused when WhatsApp gives no code for the number, 503
    // page_not_answering when the page does not answer.
    using PairingCodeDone = std::function<void(Result<QString>)>;
    virtual void requestPairingCode(const QString &clientId, const QString &phoneE164, PairingCodeDone done) = 0;
    // The QR code the session shows now (currentQrCode). `done` runs once: at once, on the calling
    // thread, for a session this process runs; for one another instance runs, on the engine's
    // thread once that instance answered, or with 504 instance_timeout.
    using QrCodeDone = std::function<void(Result<QrCode>)>;
    virtual void requestQrCode(const QString &clientId, QrCodeDone done) { done(currentQrCode(*this, clientId)); }
    // Stops the session and deletes its browser profile (the client record is being deleted).
    virtual void requestRemove(const QString &clientId) = 0;
    // Messaging: a message was queued, or the client's settings changed.
    virtual void requestWake(const QString &clientId) = 0;
    virtual void requestReloadSettings(const QString &clientId) = 0;
    // Account safety: stop or restart a client's queue (the page keeps running).
    virtual void requestPause(const QString &organizationId, const QString &clientId, const QString &reason) = 0;
    virtual void requestResume(const QString &organizationId, const QString &clientId) = 0;
    virtual int readyCount() const = 0;
    virtual QString waJsVersion() const = 0;
};

} // namespace wadesk
