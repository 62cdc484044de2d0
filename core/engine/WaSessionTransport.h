#pragma once

#include "core/messaging/MessageTransport.h"

namespace wadesk {

class WaSession;

// The messaging side's view of a live session: wa-js calls through the bridge.
class WaSessionTransport final : public MessageTransport {
public:
    explicit WaSessionTransport(WaSession &session) : m_session(session) {}
    bool isReady() const override;
    void markComposing(const QString &chatId, int durationMs) override;
    void sendText(const QString &chatId, const QString &text, SendDone done) override;
    void sendFile(const QString &chatId, const OutgoingFile &file, SendDone done) override;
    void queryExists(const QString &chatId, std::function<void(bool ok, bool exists, const QString &error)> done) override;
    void recentMessages(const QString &chatId, int count, RecentMessagesDone done) override;

private:
    WaSession &m_session;
};

} // namespace wadesk
