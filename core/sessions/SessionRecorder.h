#pragma once

#include "core/leases/LeaseFence.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/sessions/SessionControl.h"

#include <QString>
#include <functional>
#include <optional>

namespace wadesk {

class Database;
class SqlRunner;
struct Event;
class EventBus;

// What a session's life leaves in the database, kept apart from the engine that drives the page:
// its state on the client row, the client.* events (durable, with their webhook deliveries, and
// published on the bus only once committed), and the pause of its queue with its audit entry.
// No WebEngine here: the session registry calls it on the main thread, tests call it directly.
// Each call uses the calling thread's connection and its own transaction; a failure is returned
// (the caller logs it with its context) and leaves nothing half-written.
class SessionRecorder {
public:
    SessionRecorder(Database &database, EventBus *events, const Clock &clock = Clock::system());

    // Whether the account is linked once a session shows `state`: yes when ready, no once logged
    // out, and unknown (the stored flag is kept) otherwise.
    static std::optional<bool> linkedAfter(SessionState state);

    // The page moved (or re-reported) its state: `snapshot` is what the session shows now,
    // `previous` what it showed before. Stores the state on the client row with the linked flag
    // and, when the state changed, records the client.* event it means (connected, disconnected,
    // logged_out; failed after ready reads as disconnected), all in one transaction.
    Status recordTransition(const SessionSnapshot &snapshot, SessionState previous);
    // Stores the state alone, for changes that are not the page's (a start that failed).
    Status saveState(const SessionSnapshot &snapshot, std::optional<bool> linked);
    // The linked account became known: its phone number and device, with the session's state.
    // When it replaces another number the client had (typed when it was added, or linked
    // before), the change is audited (client_phone_changed) and the replaced number returned;
    // else the result is empty.
    Result<QString> saveAccount(const SessionSnapshot &snapshot);
    // A new QR code is showing: client.qr with the code and when it expires.
    Status recordQr(const QString &organizationId, const QString &clientId, const QString &text, qint64 expiresAt);

    // Account safety: the client's queue stops for `reason`. The paused flag, the audit entry
    // (pause_client) and client.paused are written in one transaction, with the session's state
    // (`running`) when its page is running.
    Status pause(const QString &organizationId, const QString &clientId, const QString &reason,
                 const std::optional<SessionSnapshot> &running);
    // The queue moves again: the paused flag cleared (when the organization is known) and the
    // session's state (`running`) stored, in one transaction.
    Status resume(const QString &organizationId, const QString &clientId, const std::optional<SessionSnapshot> &running);

    // Records one event durably, in its own transaction, and publishes it once committed.
    Status recordEvent(const Event &event);

    // Several instances: the lease each client's state is written under (LeaseFence; token 0
    // when none is held here: then the write is refused, `client_runs_elsewhere`, while another
    // instance holds a live lease, the row being its owner's). Unset (SQLite, one instance):
    // writes are not fenced. The state on the client row is fenced; events and pauses are not.
    using FenceLookup = std::function<std::optional<LeaseFence>(const QString &clientId)>;
    void setFences(FenceLookup fences) { m_fences = std::move(fences); }

private:
    // Inside the write's transaction: refused (`client_runs_elsewhere`) unless the fence allows
    // the write; the lease row stays locked (FOR SHARE) until the transaction ends, so a
    // takeover waits for the write instead of passing it.
    Status checkFence(SqlRunner &sql, const QString &clientId) const;

    Database &m_database;
    EventBus *m_events;
    const Clock &m_clock;
    FenceLookup m_fences;
};

} // namespace wadesk
