#include "core/cluster/InstanceHeartbeat.h"

#include "core/leases/LeaseFence.h"
#include "core/db/SqlRunner.h"

#include <QFile>
#include <QSaveFile>
#include <algorithm>
#include <spdlog/spdlog.h>

namespace wadesk {

InstanceHeartbeat::InstanceHeartbeat(Database &database, Identity identity, qint64 freshMs, qint64 intervalMs,
                                     std::function<int()> sessionCount, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_identity(std::move(identity))
    , m_freshMs(freshMs)
    , m_sessionCount(std::move(sessionCount))
{
    m_timer.setInterval(int(std::max<qint64>(1, intervalMs)));
    connect(&m_timer, &QTimer::timeout, this, [this]() {
        if (Status s = beat(); !s)
            spdlog::warn("instance {}: heartbeat failed: {}", m_identity.instanceId.toStdString(), s.error().message.toStdString());
    });
}

InstanceHeartbeat::~InstanceHeartbeat() = default;

namespace {

// The started_at of the row this data directory's previous process took under `instanceId`, or
// -1 (matches no row) when it took none or the record is unreadable.
qint64 previousRowOf(const QString &file, const QString &instanceId)
{
    QFile f(file);
    if (file.isEmpty() || !f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = f.read(4096).split('\n');
    if (lines.size() < 2 || QString::fromUtf8(lines.at(0)) != instanceId)
        return -1;
    bool ok = false;
    const qint64 startedAt = lines.at(1).trimmed().toLongLong(&ok);
    return ok && startedAt > 0 ? startedAt : -1;
}

void recordRow(const QString &file, const QString &instanceId, qint64 startedAt)
{
    if (file.isEmpty())
        return;
    QSaveFile f(file);
    if (!f.open(QIODevice::WriteOnly) || f.write(instanceId.toUtf8() + '\n' + QByteArray::number(startedAt) + '\n') < 0 || !f.commit())
        spdlog::warn("instance {}: cannot write {}: after a crash, a restart waits for the old heartbeat to go stale",
                     instanceId.toStdString(), file.toStdString());
}

} // namespace

Status InstanceHeartbeat::start()
{
    const QString now = databaseNowMs();
    // Taken only when the row is new or its heartbeat is stale: a fresh one is another
    // process's under the same id.
    const QString sql =
        QStringLiteral("INSERT INTO instances (id, host, version, started_at, heartbeat_at, session_count, draining) "
                       "VALUES (?, ?, ?, %1, %1, 0, 0) "
                       "ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, version = EXCLUDED.version, "
                       "started_at = EXCLUDED.started_at, heartbeat_at = EXCLUDED.heartbeat_at, session_count = 0 "
                       "WHERE instances.heartbeat_at <= %1 - ? OR instances.started_at = ? RETURNING started_at")
            .arg(now);
    const qint64 previous = previousRowOf(m_identity.rowRecordFile, m_identity.instanceId);
    SqlRunner runner(m_database);
    Result<qint64> started = runner.query(sql, {m_identity.instanceId, m_identity.host, m_identity.version, m_freshMs, previous},
                                          "instances.start", [](QSqlQuery &q) { return q.next() ? q.value(0).toLongLong() : qint64(0); });
    if (!started)
        return started.error();
    if (started.value() == 0)
        return DomainError::conflict(
            QStringLiteral("Another running WaDesk uses the instance id \"%1\" with this database (its heartbeat is fresh). "
                           "Give each instance its own --instance-id / WADESK_INSTANCE_ID, or wait %2 s after it stopped.")
                .arg(m_identity.instanceId)
                .arg(m_freshMs / 1000),
            QStringLiteral("instance_id_in_use"));
    m_startedAt = started.value();
    recordRow(m_identity.rowRecordFile, m_identity.instanceId, m_startedAt);
    m_timer.start();
    return {};
}

Status InstanceHeartbeat::beat()
{
    if (m_startedAt == 0)
        return {};
    SqlRunner runner(m_database);
    Result<int> r = runner.change(QStringLiteral("UPDATE instances SET heartbeat_at = %1, session_count = ? WHERE id = ? AND started_at = ?")
                                      .arg(databaseNowMs()),
                                  {m_sessionCount ? m_sessionCount() : 0, m_identity.instanceId, m_startedAt}, "instances.beat");
    if (!r)
        return r.error();
    if (r.value() == 0)
        spdlog::error("instance {}: its row was taken by another process with the same id (this one was paused too long?)",
                      m_identity.instanceId.toStdString());
    return {};
}

void InstanceHeartbeat::stop()
{
    m_timer.stop();
    if (m_startedAt == 0)
        return;
    SqlRunner runner(m_database);
    if (Result<int> r = runner.change(QStringLiteral("UPDATE instances SET heartbeat_at = 0, session_count = 0 WHERE id = ? AND started_at = ?"),
                                      {m_identity.instanceId, m_startedAt}, "instances.stop");
        !r)
        spdlog::warn("instance {}: could not record its stop: {}", m_identity.instanceId.toStdString(), r.error().message.toStdString());
    m_startedAt = 0;
}

} // namespace wadesk
