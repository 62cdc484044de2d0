#pragma once

#include "core/http/ServerLimits.h"
#include "core/common/DomainError.h"

#include <QHostAddress>
#include <QThread>
#include <functional>
#include <mutex>
#include <condition_variable>
#include <optional>

namespace wadesk {

class HttpServer;

// Runs an HttpServer in its own thread (the API thread). `setup` runs inside that thread before
// listening: it registers routes and creates the controllers, which then live on this thread and
// use this thread's database connection. `teardown` runs in the thread after the server is gone
// (close the thread's database connection there).
class ApiThread final : public QThread {
    Q_OBJECT
public:
    using Setup = std::function<void(HttpServer &)>;
    using Teardown = std::function<void()>;

    ApiThread(ServerLimits limits, QHostAddress address, quint16 port, Setup setup, Teardown teardown = {});
    ~ApiThread() override;

    // Starts the thread and waits until the server listens (or failed to).
    Result<quint16> startAndListen();
    // Stops accepting, waits up to `graceMs` for in-flight requests, then ends the thread.
    void shutdown(int graceMs);
    quint16 port() const { return m_port; }

protected:
    void run() override;

private:
    ServerLimits m_limits;
    QHostAddress m_address;
    quint16 m_requestedPort;
    quint16 m_port = 0;
    Setup m_setup;
    Teardown m_teardown;
    HttpServer *m_server = nullptr; // lives on this thread
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::optional<Result<quint16>> m_listenResult;
};

} // namespace wadesk
