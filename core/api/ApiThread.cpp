#include "core/api/ApiThread.h"

#include "core/http/HttpServer.h"

#include <QEventLoop>
#include <QTimer>
#include <spdlog/spdlog.h>

namespace wadesk {

ApiThread::ApiThread(ServerLimits limits, QHostAddress address, quint16 port, Setup setup, Teardown teardown)
    : m_limits(limits)
    , m_address(std::move(address))
    , m_requestedPort(port)
    , m_setup(std::move(setup))
    , m_teardown(std::move(teardown))
{
    setObjectName(QStringLiteral("api"));
}

ApiThread::~ApiThread()
{
    if (isRunning())
        shutdown(0);
}

Result<quint16> ApiThread::startAndListen()
{
    start();
    std::unique_lock<std::mutex> lock(m_mutex);
    m_ready.wait(lock, [this]() { return m_listenResult.has_value(); });
    if (m_listenResult->ok())
        m_port = m_listenResult->value();
    return *m_listenResult;
}

void ApiThread::run()
{
    auto server = std::make_unique<HttpServer>(m_limits);
    if (m_setup)
        m_setup(*server);
    Result<quint16> listened = server->listen(m_address, m_requestedPort);
    const bool ok = listened.ok();
    m_server = ok ? server.get() : nullptr;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_listenResult = listened;
    }
    m_ready.notify_all();
    if (ok)
        exec();
    m_server = nullptr;
    server.reset();
    if (m_teardown)
        m_teardown();
}

void ApiThread::shutdown(int graceMs)
{
    if (!isRunning())
        return;
    if (m_server) {
        // Runs on the API thread: stop accepting, then quit once drained or when grace runs out.
        QMetaObject::invokeMethod(
            m_server,
            [this, graceMs]() {
                HttpServer *server = m_server;
                QObject::connect(server, &HttpServer::drained, server, [this]() { quit(); });
                QTimer::singleShot(graceMs, server, [this, server]() {
                    if (server->inFlight() > 0)
                        spdlog::warn("http: shutting down with {} request(s) still in flight", server->inFlight());
                    quit();
                });
                server->stopAccepting();
            },
            Qt::QueuedConnection);
    } else {
        quit();
    }
    wait();
}

} // namespace wadesk
