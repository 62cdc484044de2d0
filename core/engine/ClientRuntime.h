#pragma once

#include "core/leases/LeaseFence.h"
#include "core/engine/WaSession.h"
#include "core/messaging/MessagingSettings.h"

#include <memory>
#include <optional>

namespace wadesk {

class Database;
class EventBus;
class MessageSender;
class MessageTransport;
class WaSessionTransport;

// One running client in the engine: its page (WaSession), the transport its sender speaks
// through, and the sender of its queue. Built in that order and taken down in the reverse one
// (sender → transport → session): the sender holds the transport, the transport the page.
// Main thread only, owned by the session registry. (The media downloader and the client's proxy
// belong here too when they come.)
class ClientRuntime {
public:
    struct Setup {
        WaSession::Config page;
        QString organizationId;
        MessagingSettings messaging;
        RateTiers tiers;     // the client's own or the installation's
        bool paused = false; // account safety: the queue starts stopped
        std::optional<LeaseFence> fence; // several instances: the lease its sends are claimed under
    };
    ClientRuntime(Database &database, EventBus &events, const Setup &setup);
    ~ClientRuntime();
    ClientRuntime(const ClientRuntime &) = delete;
    ClientRuntime &operator=(const ClientRuntime &) = delete;

    WaSession &session() const { return *m_session; }
    // Null once stop() has run.
    MessageSender *sender() const { return m_sender.get(); }
    MessageTransport &transport() const;
    // Ends the queue, then detaches `listener` from the page's signals (so the page's last
    // state changes are not taken for the client's: its stored state stays as it was), then
    // stops the page.
    void stop(QObject *listener);

private:
    std::unique_ptr<WaSession> m_session;
    std::unique_ptr<WaSessionTransport> m_transport;
    std::unique_ptr<MessageSender> m_sender;
};

} // namespace wadesk
