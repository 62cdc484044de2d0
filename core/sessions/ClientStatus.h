#pragma once

#include "core/sessions/SessionState.h"

#include <QString>
#include <optional>

namespace wadesk {

struct ClientRecord;
struct SessionSnapshot;

// A client's state as everyone shows it: the desktop's client list, the API's client views and
// /status take it from here, so they cannot disagree. A session known to this process speaks
// for itself; a client with none here is stopped, unless what stopped it is worth saying
// (failed, with its reason, or logged out).
struct ClientStatus {
    SessionState state = SessionState::Stopped;
    qint64 since = 0;
    QString lastError;
    QString phoneNumber; // the linked account's number (or the one typed at creation); empty once logged out

    static ClientStatus of(const ClientRecord &stored, const std::optional<SessionSnapshot> &live);
    // Linked and running: ready, or paused by account safety (its page is ready; only its queue
    // waits). What "ready" counts mean everywhere (the status bar, the dashboard, /health).
    static bool isReady(SessionState state) { return state == SessionState::Ready || state == SessionState::Paused; }
};

} // namespace wadesk
