#include "ui/campaigns/CampaignTasks.h"

#include "core/db/Database.h"
#include "ui/desktop/DesktopContext.h"

namespace wadesk {

CampaignTasks::CampaignTasks(DesktopContext &context, QObject *parent)
    : QObject(parent)
    , m_shared(context.services().shared())
    , m_settings(context.services().settings())
{
    m_thread.setObjectName(QStringLiteral("campaigns"));
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start(QThread::LowPriority);
}

CampaignTasks::~CampaignTasks()
{
    // The graph and its connection belong to the thread: destroyed there, after a running job.
    ServiceGraph **graph = &m_graph;
    Database *database = m_shared.database;
    QMetaObject::invokeMethod(m_worker, [graph, database]() {
        delete *graph;
        *graph = nullptr;
        if (database)
            database->closeThreadConnection();
    }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void CampaignTasks::post(std::function<void(ServiceGraph &)> work)
{
    QMetaObject::invokeMethod(m_worker, [this, work]() {
        if (!m_graph)
            m_graph = new ServiceGraph(m_shared, m_settings);
        work(*m_graph);
    }, Qt::QueuedConnection);
}

} // namespace wadesk
