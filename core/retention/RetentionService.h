#pragma once

#include "core/retention/RetentionPruner.h"

#include <QObject>
#include <QThread>
#include <atomic>

class QTimer;

namespace wadesk {

class Database;

// Runs the pruner on its own thread with its own database connection: once `startDelayMs`
// after start, then every `intervalMs`. A run in progress ends between two batches when
// stop() is called.
class RetentionWorker final : public QObject {
    Q_OBJECT
public:
    RetentionWorker(Database &database, RetentionSettings settings, const Clock &clock = Clock::system());

    // Set from any thread; the run in progress sees it before its next batch.
    void requestStop() { m_stopRequested.store(true); }

public slots:
    void start(); // on the worker thread
    void stop();  // on the worker thread (blocking-queued from RetentionService::stop)
    void runNow();

private:
    Database &m_database;
    RetentionSettings m_settings;
    RetentionPruner m_pruner;
    QTimer *m_timer = nullptr;
    std::atomic<bool> m_stopRequested{false};
};

// Owns the worker's thread.
class RetentionService {
public:
    RetentionService(Database &database, RetentionSettings settings, const Clock &clock = Clock::system());
    ~RetentionService();
    RetentionService(const RetentionService &) = delete;
    RetentionService &operator=(const RetentionService &) = delete;

    void start();
    // Returns once the worker has let go of the database: a run in progress ends after the
    // batch it is in.
    void stop();
    RetentionWorker *worker() const { return m_worker; }

private:
    QThread m_thread;
    RetentionWorker *m_worker = nullptr;
};

} // namespace wadesk
