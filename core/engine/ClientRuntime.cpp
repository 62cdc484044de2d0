#include "core/engine/ClientRuntime.h"

#include "core/engine/WaSessionTransport.h"
#include "core/messaging/MessageSender.h"

namespace wadesk {

ClientRuntime::ClientRuntime(Database &database, EventBus &events, const Setup &setup)
    : m_session(std::make_unique<WaSession>(setup.page))
    , m_transport(std::make_unique<WaSessionTransport>(*m_session))
    , m_sender(std::make_unique<MessageSender>(database, &events, setup.organizationId, setup.page.clientId, *m_transport,
                                               setup.messaging, setup.page.clock ? *setup.page.clock : Clock::system()))
{
    m_sender->setTiers(setup.tiers);
    m_sender->setPaused(setup.paused);
    m_sender->setFence(setup.fence);
}

MessageTransport &ClientRuntime::transport() const
{
    return *m_transport;
}

ClientRuntime::~ClientRuntime()
{
    m_sender.reset();
    m_transport.reset();
    m_session.reset();
}

void ClientRuntime::stop(QObject *listener)
{
    m_sender.reset();
    m_session->disconnect(listener);
    m_session->stop();
}

} // namespace wadesk
