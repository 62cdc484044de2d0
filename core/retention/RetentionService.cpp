#include "core/retention/RetentionService.h"

#include "core/db/Database.h"

#include <QTimer>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

namespace wadesk {

RetentionWorker::RetentionWorker(Database &database, RetentionSettings settings, const Clock &clock)
    : m_database(database)
    , m_settings(settings)
    , m_pruner(database, settings, clock)
{
}

void RetentionWorker::start()
{
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &RetentionWorker::runNow);
    m_timer->start(int(std::min<qint64>(m_settings.startDelayMs, std::numeric_limits<int>::max())));
}

void RetentionWorker::runNow()
{
    if (m_stopRequested.load())
        return;
    const RetentionReport report = m_pruner.run([this]() { return m_stopRequested.load(); });
    if (report.skipped)
        spdlog::debug("{}", report.summary().toStdString());
    else if (report.failed)
        spdlog::warn("{}", report.summary().toStdString());
    else
        spdlog::info("{}", report.summary().toStdString());
    if (m_timer && !m_stopRequested.load()) // the interval counts from the end of a run
        m_timer->start(int(std::min<qint64>(m_settings.intervalMs, std::numeric_limits<int>::max())));
}

void RetentionWorker::stop()
{
    m_stopRequested.store(true);
    if (m_timer)
        m_timer->stop();
    m_database.closeThreadConnection();
}

RetentionService::RetentionService(Database &database, RetentionSettings settings, const Clock &clock)
{
    m_thread.setObjectName(QStringLiteral("retention"));
    m_worker = new RetentionWorker(database, settings, clock);
    m_worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
}

RetentionService::~RetentionService()
{
    stop();
    if (!m_thread.isFinished())
        delete m_worker; // never started: the thread's end does not delete it
}

void RetentionService::start()
{
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, &RetentionWorker::start, Qt::QueuedConnection);
}

void RetentionService::stop()
{
    if (!m_thread.isRunning())
        return;
    m_worker->requestStop(); // a run in progress notices before its next batch
    QMetaObject::invokeMethod(m_worker, &RetentionWorker::stop, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

} // namespace wadesk
