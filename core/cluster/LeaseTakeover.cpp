#include "core/cluster/LeaseTakeover.h"

#include "core/leases/LeaseFence.h"
#include "core/cluster/SessionLeases.h"
#include "core/db/SqlRunner.h"

#include <QHash>
#include <algorithm>
#include <utility>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {

struct LiveInstance {
    QString id;
    int sessions = 0;
    bool draining = false;
};

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
    SqlRunner sql(m_database);
    Result<QList<LiveInstance>> live = sql.query(
        QStringLiteral("SELECT id, session_count, draining FROM instances WHERE heartbeat_at > %1 - ? ORDER BY id").arg(now),
        {m_leases.timing().leaseMs}, "instances.live", [](QSqlQuery &q) {
            QList<LiveInstance> out;
            while (q.next())
                out << LiveInstance{q.value(0).toString(), q.value(1).toInt(), q.value(2).toInt() != 0};
            return out;
        });
    if (!live)
        return live.error();
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

    QHash<QString, LiveInstance> byId;
    for (const LiveInstance &i : live.value())
        byId.insert(i.id, i);
    if (byId.value(me).draining)
        return QStringList();
    // This instance's own count is its own (fresher than its last heartbeat).
    const int mine = m_leases.heldCount();
    bool fewest = true;
    for (const LiveInstance &i : std::as_const(byId)) {
        if (i.id == me || i.draining)
            continue;
        if (i.sessions < mine || (i.sessions == mine && i.id < me))
            fewest = false;
    }

    QStringList asked;
    bool tookUnpinned = false;
    for (const FreeClient &c : free.value()) {
        const bool pinnedHere = c.pinned == me;
        if (!pinnedHere) {
            if (!c.pinned.isEmpty() && byId.contains(c.pinned))
                continue; // its own instance is alive and takes it
            if (!fewest || tookUnpinned)
                continue;
        }
        spdlog::info("takeover: client {} has no live owner; starting it here{}", c.clientId.toStdString(),
                     pinnedHere ? " (pinned here)" : "");
        if (m_start(c.organizationId, c.clientId)) {
            asked << c.clientId;
            if (!pinnedHere)
                tookUnpinned = true;
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
