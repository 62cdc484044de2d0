#include "core/cluster/SessionLeases.h"

#include "core/cluster/ClusterSettings.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "core/leases/LeaseOwners.h"

#include <QSet>
#include <algorithm>
#include <spdlog/spdlog.h>

namespace wadesk {

SessionLeases::Timing SessionLeases::timingOf(const ClusterSettings &settings)
{
    Timing t;
    t.leaseMs = qint64(settings.leaseSeconds) * 1000;
    t.renewMs = qint64(settings.renewSeconds) * 1000;
    // Room for one renewal that is late by a round trip and a busy event loop, but the deadline
    // must stay after the next renewal or leases would be dropped while all is well.
    t.marginMs = std::min<qint64>(3000, std::max<qint64>(0, t.leaseMs - 2 * t.renewMs));
    return t;
}

SessionLeases::SessionLeases(Database &database, QString instanceId, Timing timing, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_instanceId(std::move(instanceId))
    , m_timing(timing)
{
    m_renewTimer.setInterval(int(std::max<qint64>(1, m_timing.renewMs)));
    connect(&m_renewTimer, &QTimer::timeout, this, [this]() {
        if (Status s = renewAll(); !s)
            spdlog::warn("leases: renewal failed: {}", s.error().message.toStdString());
    });
    m_deadlineTimer.setSingleShot(true);
    m_deadlineTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_deadlineTimer, &QTimer::timeout, this, [this]() { enforceDeadline(); });
}

SessionLeases::~SessionLeases() = default;

void SessionLeases::start()
{
    m_renewTimer.start();
}

void SessionLeases::stop()
{
    m_renewTimer.stop();
    m_deadlineTimer.stop();
}

void SessionLeases::armDeadline()
{
    if (m_held.isEmpty()) {
        m_deadlineTimer.stop();
        return;
    }
    const qint64 left = m_timing.leaseMs - m_timing.marginMs - m_sinceRenewal.elapsed();
    m_deadlineTimer.start(int(std::max<qint64>(0, left)));
}

bool SessionLeases::enforceDeadline()
{
    if (m_held.isEmpty() || !m_sinceRenewal.isValid())
        return false;
    if (m_sinceRenewal.elapsed() < m_timing.leaseMs - m_timing.marginMs)
        return false;
    giveUp(m_held.keys(), "not renewed in time (the process was paused or the database was out of reach)");
    return true;
}

void SessionLeases::giveUp(const QStringList &clientIds, const char *why)
{
    if (clientIds.isEmpty())
        return;
    for (const QString &id : clientIds) {
        m_held.remove(id);
        spdlog::error("leases: client {} is no longer this instance's ({}): its session stops", id.toStdString(), why);
    }
    armDeadline();
    emit lost(clientIds);
}

Result<std::optional<LeaseFence>> SessionLeases::acquire(const QString &clientId)
{
    // A lease that ran out locally is not acquired again on the strength of the stored row:
    // the sessions it covered must have been stopped first.
    enforceDeadline();
    const QString now = databaseNowMs();
    const QString sql =
        QStringLiteral("INSERT INTO client_leases (client_id, owner, token, acquired_at, expires_at) VALUES (?, ?, 1, %1, %1 + ?) "
                       "ON CONFLICT (client_id) DO UPDATE SET owner = EXCLUDED.owner, "
                       "token = CASE WHEN client_leases.owner = EXCLUDED.owner AND client_leases.expires_at > %1 "
                       "THEN client_leases.token ELSE client_leases.token + 1 END, "
                       "acquired_at = CASE WHEN client_leases.owner = EXCLUDED.owner AND client_leases.expires_at > %1 "
                       "THEN client_leases.acquired_at ELSE EXCLUDED.acquired_at END, "
                       "expires_at = EXCLUDED.expires_at "
                       "WHERE client_leases.owner IS NULL OR client_leases.owner = EXCLUDED.owner OR client_leases.expires_at <= %1 "
                       "RETURNING token")
            .arg(now);
    SqlRunner runner(m_database);
    QElapsedTimer asked;
    asked.start();
    Result<std::optional<qint64>> token = runner.query(sql, {clientId, m_instanceId, m_timing.leaseMs}, "client_leases.acquire",
                                                       [](QSqlQuery &q) {
                                                           return q.next() ? std::optional<qint64>(q.value(0).toLongLong())
                                                                           : std::optional<qint64>();
                                                       });
    if (!token)
        return token.error();
    if (!token.value())
        return std::optional<LeaseFence>();
    if (m_held.isEmpty() || !m_sinceRenewal.isValid()) {
        // The deadline counts from before the statement was sent: the database's expiry is later.
        m_sinceRenewal = asked;
    }
    m_held.insert(clientId, *token.value());
    armDeadline();
    return std::optional<LeaseFence>(LeaseFence{m_instanceId, *token.value()});
}

Status SessionLeases::renewAll()
{
    // Before anything else: a process woken after its leases ran out stops its sessions first.
    enforceDeadline();
    if (m_held.isEmpty())
        return {};
    const QStringList ids = m_held.keys();
    const QString now = databaseNowMs();
    // One statement for all of them; ids are checked by Ids (no commas).
    const QString sql = QStringLiteral("UPDATE client_leases SET expires_at = %1 + ? WHERE owner = ? AND expires_at > %1 "
                                       "AND client_id = ANY(string_to_array(?, ',')) RETURNING client_id, token")
                            .arg(now);
    QElapsedTimer asked;
    asked.start();
    SqlRunner runner(m_database);
    Result<QHash<QString, qint64>> renewed =
        runner.query(sql, {m_timing.leaseMs, m_instanceId, ids.join(QLatin1Char(','))}, "client_leases.renew", [](QSqlQuery &q) {
            QHash<QString, qint64> out;
            while (q.next())
                out.insert(q.value(0).toString(), q.value(1).toLongLong());
            return out;
        });
    if (!renewed) {
        armDeadline();
        return renewed.error();
    }
    QStringList gone;
    for (const QString &id : ids) {
        auto it = renewed.value().constFind(id);
        if (it == renewed.value().constEnd() || it.value() != m_held.value(id))
            gone << id;
    }
    m_sinceRenewal = asked;
    giveUp(gone, "taken over or expired in the database");
    armDeadline();
    return {};
}

Status SessionLeases::release(const QString &clientId)
{
    auto it = m_held.find(clientId);
    if (it == m_held.end())
        return {};
    const qint64 token = it.value();
    m_held.erase(it);
    armDeadline();
    SqlRunner runner(m_database);
    Result<int> r = runner.change(
        QStringLiteral("UPDATE client_leases SET owner = NULL, expires_at = 0 WHERE client_id = ? AND owner = ? AND token = ?"),
        {clientId, m_instanceId, token}, "client_leases.release");
    if (!r)
        return r.error();
    return {};
}

void SessionLeases::releaseAll()
{
    for (const QString &id : m_held.keys()) {
        if (Status s = release(id); !s)
            spdlog::warn("leases: client {}: not released ({}); it is taken over once it expires", id.toStdString(),
                         s.error().message.toStdString());
    }
}

std::optional<LeaseFence> SessionLeases::fence(const QString &clientId) const
{
    auto it = m_held.constFind(clientId);
    if (it == m_held.constEnd())
        return std::nullopt;
    if (m_sinceRenewal.isValid() && m_sinceRenewal.elapsed() >= m_timing.leaseMs - m_timing.marginMs)
        return std::nullopt;
    return LeaseFence{m_instanceId, it.value()};
}

Result<QString> SessionLeases::liveOwner(const QString &clientId)
{
    Result<QHash<QString, QString>> owners = liveLeaseOwners(m_database, {clientId});
    if (!owners)
        return owners.error();
    return owners.value().value(clientId);
}

} // namespace wadesk
