#include "core/webhooks/DeliveryService.h"

#include "core/webhooks/DeliveryWorker.h"

namespace wadesk {

DeliveryService::DeliveryService(Database &database, const AesGcm &cipher, DeliverySettings settings, const Clock &clock)
    : m_database(database)
{
    m_thread.setObjectName(QStringLiteral("webhooks"));
    m_worker = new DeliveryWorker(database, cipher, settings, clock);
    m_worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
}

DeliveryService::~DeliveryService()
{
    stop();
}

void DeliveryService::start()
{
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, &DeliveryWorker::start, Qt::QueuedConnection);
}

void DeliveryService::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(m_worker, &DeliveryWorker::stop, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

} // namespace wadesk
