#include "core/cluster/LeaseTakeover.h"

#include "core/leases/LeaseFence.h"
#include "core/cluster/SessionLeases.h"
#include "core/cluster/SessionPlacement.h"
#include "core/db/SqlRunner.h"

#include <algorithm>
#include <utility>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {

struct FreeClient {
    QString organizationId;
    QString clientId;
    QString pinned;
};

} // namespace

LeaseTakeover::LeaseTakeover(Database &database, SessionLeases &leases, StartClient start, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_leases(leases)
    , m_start(std::move(start))
{
    m_timer.setInterval(int(std::max<qint64>(1, leases.timing().renewMs)));
    connect(&m_timer, &QTimer::timeout, this, [this]() {
        if (Result<QStringList> r = tick(); !r)
            spdlog::warn("takeover: {}", r.error().message.toStdString());
    });
}

LeaseTakeover::~LeaseTakeover() = default;

void LeaseTakeover::start()
{
    m_timer.start();
}

void LeaseTakeover::stop()
{
    m_timer.stop();
}

Result<QStringList> LeaseTakeover::tick()
{
    const QString me = m_leases.instanceId();
    const QString now = databaseNowMs();
    Result<QList<InstanceLoad>> live = liveInstances(m_database, m_leases.timing().leaseMs);
    if (!live)
        return live.error();
    SqlRunner sql(m_database);
    Result<QList<FreeClient>> free = sql.query(
        QStringLiteral("SELECT c.organization_id, c.id, COALESCE(c.pinned_instance, '') FROM clients c "
                       "LEFT JOIN client_leases l ON l.client_id = c.id "
                       "WHERE c.autostart = 1 AND (l.client_id IS NULL OR l.owner IS NULL OR l.expires_at <= %1) "
                       "ORDER BY c.created_at, c.id")
            .arg(now),
        {}, "client_leases.free", [](QSqlQuery &q) {
            QList<FreeClient> out;
            while (q.next())
                out << FreeClient{q.value(0).toString(), q.value(1).toString(), q.value(2).toString()};
            return out;
        });
    if (!free)
        return free.error();

    QList<InstanceLoad> loads = live.value();
    auto self = std::find_if(loads.begin(), loads.end(), [&me](const InstanceLoad &i) { return i.id == me; });
    if (self == loads.end()) {
        // Its heartbeat is late (a slow database): it runs, so it counts (the lease's
        // compare-and-set settles a client two instances both take).
        loads.append(InstanceLoad{me, 0, false});
        self = loads.end() - 1;
    }
    if (self->draining)
        return QStringList(); // handing its sessions over
    // This instance's own count is its own (fresher than its last heartbeat), and grows with each
    // client it takes in this round; the others' are as of their last heartbeat.
    self->sessions = m_leases.heldCount();

    QStringList asked;
    for (const FreeClient &c : free.value()) {
        const bool pinnedHere = c.pinned == me;
        if (!pinnedHere && placeSession(c.pinned, loads) != me)
            continue; // its pinned instance is alive, or another is less busy: theirs to take
        spdlog::info("takeover: client {} has no live owner; starting it here{}", c.clientId.toStdString(),
                     pinnedHere ? " (pinned here)" : "");
        if (m_start(c.organizationId, c.clientId)) {
            asked << c.clientId;
            ++self->sessions;
        }
    }
    return asked;
}

Result<QList<QPair<QString, QString>>> LeaseTakeover::ownClientsAtStart(Database &database, const QString &me)
{
    SqlRunner sql(database);
    return sql.query(QStringLiteral("SELECT c.organization_id, c.id FROM clients c LEFT JOIN client_leases l ON l.client_id = c.id "
                                    "WHERE c.autostart = 1 AND (l.owner = ? OR (c.pinned_instance = ? AND (l.owner IS NULL OR l.expires_at <= %1))) "
                                    "ORDER BY c.created_at, c.id")
                         .arg(databaseNowMs()),
                     {me, me}, "client_leases.mine", [](QSqlQuery &q) {
                         QList<QPair<QString, QString>> out;
                         while (q.next())
                             out << qMakePair(q.value(0).toString(), q.value(1).toString());
                         return out;
                     });
}

} // namespace wadesk
