#include "core/sessions/ClientStatus.h"

#include "core/sessions/ClientRepository.h"
#include "core/sessions/SessionControl.h"

namespace wadesk {

namespace {

// The stored states that outlive the session that reached them.
SessionState lastingState(const QString &stored)
{
    if (stored == SessionStates::name(SessionState::Failed))
        return SessionState::Failed;
    if (stored == SessionStates::name(SessionState::LoggedOut))
        return SessionState::LoggedOut;
    return SessionState::Stopped;
}

} // namespace

ClientStatus ClientStatus::of(const ClientRecord &stored, const std::optional<SessionSnapshot> &live)
{
    ClientStatus status;
    if (live) {
        status.state = live->state;
        status.since = live->stateSince;
        status.lastError = live->lastError;
        if (!live->phoneNumber.isEmpty())
            status.phoneNumber = live->phoneNumber;
        else if (live->state != SessionState::LoggedOut)
            status.phoneNumber = stored.phoneNumber;
        return status;
    }
    status.state = lastingState(stored.status);
    status.since = stored.stateSince;
    if (status.state != SessionState::Stopped)
        status.lastError = stored.lastError;
    if (status.state != SessionState::LoggedOut)
        status.phoneNumber = stored.phoneNumber;
    return status;
}

} // namespace wadesk
