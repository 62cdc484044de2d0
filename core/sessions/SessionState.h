#pragma once

#include <QString>
#include <optional>

namespace wadesk {

// The life of one WhatsApp session (docs/DESIGN.md §4): initializing → qr → authenticating → ready ⇄
// disconnected, plus logged_out, paused (account safety) and failed (with a reason).
enum class SessionState { Stopped, Initializing, Qr, Authenticating, Ready, Disconnected, LoggedOut, Paused, Failed };

namespace SessionStates {
inline QString name(SessionState s)
{
    switch (s) {
    case SessionState::Stopped: return QStringLiteral("stopped");
    case SessionState::Initializing: return QStringLiteral("initializing");
    case SessionState::Qr: return QStringLiteral("qr");
    case SessionState::Authenticating: return QStringLiteral("authenticating");
    case SessionState::Ready: return QStringLiteral("ready");
    case SessionState::Disconnected: return QStringLiteral("disconnected");
    case SessionState::LoggedOut: return QStringLiteral("logged_out");
    case SessionState::Paused: return QStringLiteral("paused");
    case SessionState::Failed: return QStringLiteral("failed");
    }
    return {};
}
// The state a stored or journaled name stands for; nothing for a name that is none.
inline std::optional<SessionState> fromName(const QString &name)
{
    for (SessionState s : {SessionState::Stopped, SessionState::Initializing, SessionState::Qr, SessionState::Authenticating,
                           SessionState::Ready, SessionState::Disconnected, SessionState::LoggedOut, SessionState::Paused,
                           SessionState::Failed}) {
        if (name == SessionStates::name(s))
            return s;
    }
    return std::nullopt;
}
} // namespace SessionStates

} // namespace wadesk
