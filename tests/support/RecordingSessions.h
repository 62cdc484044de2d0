#pragma once

#include "core/sessions/SessionControl.h"

#include <QHash>
#include <QStringList>

namespace wadesk {

// The engine as the service sees it: snapshots set by the test, every request recorded.
class RecordingSessions : public SessionControl {
public:
    QHash<QString, SessionSnapshot> snapshots;
    QStringList calls;

    void setState(const QString &clientId, SessionState state, const QString &lastError = QString())
    {
        SessionSnapshot &s = snapshots[clientId];
        s.clientId = clientId;
        s.state = state;
        s.lastError = lastError;
    }

    std::optional<SessionSnapshot> snapshot(const QString &clientId) const override
    {
        auto it = snapshots.constFind(clientId);
        if (it == snapshots.constEnd())
            return std::nullopt;
        return it.value();
    }
    void requestStart(const QString &organizationId, const QString &clientId) override
    {
        calls << QStringLiteral("start %1 %2").arg(organizationId, clientId);
        // As the registry does: a stopped or failed session shows as initializing at once.
        SessionSnapshot &s = snapshots[clientId];
        if (s.state == SessionState::Stopped || s.state == SessionState::Failed) {
            s.clientId = clientId;
            s.state = SessionState::Initializing;
        }
    }
    void requestStop(const QString &, const QString &clientId) override { calls << QStringLiteral("stop %1").arg(clientId); }
    void requestLogout(const QString &, const QString &clientId) override { calls << QStringLiteral("logout %1").arg(clientId); }
    void requestRefreshQr(const QString &clientId) override { calls << QStringLiteral("refreshQr %1").arg(clientId); }
    // Answers with `pairingAnswer` at once (a test sets it).
    Result<QString> pairingAnswer = QStringLiteral("ABCD2345");
    void requestPairingCode(const QString &clientId, const QString &phoneE164, PairingCodeDone done) override
    {
        calls << QStringLiteral("pairingCode %1 %2").arg(clientId, phoneE164);
        done(pairingAnswer);
    }
    void requestRemove(const QString &clientId) override { calls << QStringLiteral("remove %1").arg(clientId); }
    void requestWake(const QString &clientId) override { calls << QStringLiteral("wake %1").arg(clientId); }
    void requestReloadSettings(const QString &clientId) override { calls << QStringLiteral("reload %1").arg(clientId); }
    void requestPause(const QString &organizationId, const QString &clientId, const QString &reason) override
    {
        calls << QStringLiteral("pause %1 %2 %3").arg(organizationId, clientId, reason);
    }
    void requestResume(const QString &organizationId, const QString &clientId) override
    {
        calls << QStringLiteral("resume %1 %2").arg(organizationId, clientId);
    }
    int readyCount() const override { return 0; }
    QString waJsVersion() const override { return {}; }
};

} // namespace wadesk
