#pragma once

#include "core/common/Clock.h"
#include "core/webhooks/WebhookSettings.h"

#include <QThread>

namespace wadesk {

class AesGcm;
class Database;
class DeliveryWorker;

// Runs the webhook DeliveryWorker on a thread of its own and owns that thread.
class DeliveryService {
public:
    DeliveryService(Database &database, const AesGcm &cipher, DeliverySettings settings, const Clock &clock = Clock::system());
    ~DeliveryService();
    void start();
    void stop();
    DeliveryWorker *worker() const { return m_worker; }

private:
    Database &m_database;
    QThread m_thread;
    DeliveryWorker *m_worker = nullptr;
};

} // namespace wadesk
