#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/sessions/ClientService.h"
#include "core/sessions/SessionControl.h"
#include "core/sessions/SessionState.h"

#include <QString>
#include <functional>

class QObject;

namespace wadesk {

class Database;

// What an operator does to a client's live session: start, stop, log out, pause and resume its
// send queue, and pause every client at once. Each action exists here once, for the REST API
// and the desktop alike: it takes the actor, requires can_manage_clients, finds the client
// within what the actor sees (another organization's or an unassigned client reads as not
// found), writes the audit entry and hands the request to the engine through SessionControl
// (null where the engine does not run in this process: every action then fails with
// engine_unavailable).
class ClientActionService {
public:
    ClientActionService(Database &database, ClientService &clients, SessionControl *sessions,
                        const Clock &clock = Clock::system());

    struct Started {
        bool alreadyRunning = false; // nothing was started (and nothing audited)
        SessionState state = SessionState::Initializing; // the session's state right after the request
        QString lastError;           // why it failed, when `state` is Failed
    };
    Result<Started> start(const AuthContext &actor, const QString &clientId);
    // A session that does not run is left alone (no audit entry).
    Status stop(const AuthContext &actor, const QString &clientId);
    // Returns the session's state when the logout was asked; 409 client_not_running when it does not run.
    Result<SessionState> logout(const AuthContext &actor, const QString &clientId);
    Status pause(const AuthContext &actor, const QString &clientId);
    Status resume(const AuthContext &actor, const QString &clientId);
    // Pauses every client the actor sees that is not paused yet; returns how many.
    Result<int> pauseAll(const AuthContext &actor);

    // ClientService's change and delete, followed through in the engine where it runs: a running
    // session takes its new rate tiers; a deleted client's session stops and its browser profile
    // goes. (Without an engine the record changes all the same.)
    Result<ClientRecord> update(const AuthContext &actor, const QString &clientId, const ClientService::Change &change);
    Status remove(const AuthContext &actor, const QString &clientId);

    // The QR code a client shows while it waits to be linked. Whoever sees it can link the
    // WhatsApp account: only those who manage clients, or who send through it (agents see only
    // their assigned clients), may. 429 qr_refreshing (a new code is asked for) when the shown
    // one expired, 409 client_not_in_qr_state (details.status) when there is none to show.
    // A client that another instance runs: its code comes from that instance (504
    // instance_timeout when it does not answer); `done` then runs on `context`'s thread, or on
    // the engine's when context is null. Otherwise `done` runs at once.
    using QrCode = wadesk::QrCode;
    void qrCode(const AuthContext &actor, const QString &clientId, QObject *context, std::function<void(Result<QrCode>)> done);
    // The same for a session of this process only (the desktop's, and tests').
    Result<QrCode> qrCode(const AuthContext &actor, const QString &clientId);

    // Linking by phone number instead of the QR code: the 8-character code WhatsApp gives for
    // that number (wa-js conn.genLinkDeviceCodeForPhoneNumber), which the user types on the
    // phone (Linked devices → Link a device → Link with phone number instead). Linking is
    // managing the client (as init): can_manage_clients. 404 for a client the actor does not
    // see, 400 invalid_phone_number, 503 engine_unavailable, 409 client_not_linkable
    // (details.status) unless the session shows its QR code; audited (request_pairing_code,
    // with the number) once asked of the page; then SessionControl::requestPairingCode's answers.
    // `done` runs exactly once: on `context`'s thread (not at all once `context` is gone; with
    // no context, on the engine's thread), or at once on the caller's thread for an answer known
    // without the page.
    struct PairingCode {
        QString code;
        QString phoneNumber; // E.164
    };
    void pairingCode(const AuthContext &actor, const QString &clientId, const QString &phone, QObject *context,
                     std::function<void(Result<PairingCode>)> done);

private:
    Status mayAct(const AuthContext &actor) const;
    Status needEngine() const; // 503 engine_unavailable where sessions do not run in this process
    // The client id when the actor may see its QR code and sessions run here.
    Result<QString> qrAccess(const AuthContext &actor, const QString &clientId);
    Status manageable(const AuthContext &actor, const QString &clientId);
    Status audit(const AuthContext &actor, const QString &action, const QString &clientId);
    static QString pauseReason(const AuthContext &actor);

    Database &m_database;
    ClientService &m_clients;
    SessionControl *m_sessions;
    const Clock &m_clock;
};

} // namespace wadesk
