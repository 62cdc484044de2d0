#pragma once

#include "core/services/ServiceGraph.h"

#include <QObject>
#include <QThread>
#include <functional>

namespace wadesk {

class DesktopContext;

// Runs the Campaigns screen's slow work (the start of a big campaign, which freezes its
// audience, and exports) off the GUI thread, as DashboardLoader does its reads: a thread of its
// own with its own ServiceGraph (built there from the desktop's shared services and settings,
// like the API thread's, so it has its own database connection) and the same signed-in actor.
// Jobs run one after another; each one's `done` runs back on the GUI thread, and is dropped
// when this object is gone by then.
class CampaignTasks final : public QObject {
    Q_OBJECT
public:
    explicit CampaignTasks(DesktopContext &context, QObject *parent = nullptr);
    ~CampaignTasks() override; // waits for a running job, destroys the graph on its thread

    // `job` runs on the tasks' thread with its graph; its result goes to `done` on this thread.
    template <class T>
    void run(std::function<T(ServiceGraph &)> job, std::function<void(const T &)> done)
    {
        ++m_running;
        emit busyChanged(true);
        post([this, job, done](ServiceGraph &graph) {
            T result = job(graph);
            QMetaObject::invokeMethod(this, [this, result, done]() {
                --m_running;
                done(result);
                emit busyChanged(m_running > 0);
            }, Qt::QueuedConnection);
        });
    }
    bool busy() const { return m_running > 0; }

signals:
    void busyChanged(bool busy);

private:
    void post(std::function<void(ServiceGraph &)> work);

    SharedServices m_shared;
    ServiceSettings m_settings;
    QThread m_thread;
    QObject *m_worker = nullptr;   // lives on m_thread
    ServiceGraph *m_graph = nullptr; // made and destroyed on m_thread
    int m_running = 0;
};

} // namespace wadesk
