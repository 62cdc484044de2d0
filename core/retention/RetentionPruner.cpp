#include "core/retention/RetentionPruner.h"

#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "core/media/MediaService.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QSqlQuery>
#include <QThread>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace wadesk {

namespace {
constexpr qint64 kDayMs = 24LL * 3600 * 1000;
} // namespace

QString RetentionReport::summary() const
{
    if (skipped)
        return QStringLiteral("retention: skipped, another instance is pruning");
    QString line = QStringLiteral("retention: removed %1 events, %2 webhook deliveries, %3 dead letters, %4 messages, "
                                  "%5 expired sign-in failures, %9 media (%6 organizations, %7 batches, %8 ms)")
                       .arg(events)
                       .arg(deliveries)
                       .arg(deadLetters)
                       .arg(messages)
                       .arg(loginFailures)
                       .arg(organizations)
                       .arg(batches)
                       .arg(elapsedMs)
                       .arg(media);
    if (stopped)
        line += QStringLiteral("; stopped early");
    if (failed)
        line += QStringLiteral("; ended by a database error, the next run goes on");
    return line;
}

RetentionPruner::RetentionPruner(Database &database, RetentionSettings settings, const Clock &clock)
    : m_database(database)
    , m_settings(settings)
    , m_clock(clock)
{
    m_settings.batchRows = std::max(1, m_settings.batchRows);
}

qint64 RetentionPruner::cutoff(qint64 now, int days)
{
    return days > 0 ? now - days * kDayMs : 0;
}

qint64 RetentionPruner::deadLettersCutoff(qint64 now) const
{
    // Dead letters can be replayed: they stay at least as long as other finished deliveries,
    // and forever when either window is.
    if (m_settings.deliveriesDays <= 0 || m_settings.deadLettersDays <= 0)
        return 0;
    return cutoff(now, std::max(m_settings.deliveriesDays, m_settings.deadLettersDays));
}

QString RetentionPruner::skipLocked(const char *alias) const
{
    if (!m_database.isPostgres())
        return QString();
    return alias ? QStringLiteral(" FOR UPDATE OF %1 SKIP LOCKED").arg(QLatin1String(alias)) : QStringLiteral(" FOR UPDATE SKIP LOCKED");
}

RetentionReport RetentionPruner::run(const StopRequested &stopRequested)
{
    m_report = RetentionReport();
    m_stopRequested = stopRequested;
    QElapsedTimer clock;
    clock.start();
    SqlRunner sql(m_database);
    const qint64 now = m_clock.nowMs();

    bool locked = false;
    if (m_database.isPostgres()) {
        // Session-level, so it spans the run's many transactions; it goes with the connection
        // if this process dies.
        Result<bool> got = sql.query(QStringLiteral("SELECT pg_try_advisory_lock(?)"), {kAdvisoryLockKey}, "retention.lock",
                                     [](QSqlQuery &q) { return q.next() && q.value(0).toBool(); });
        if (!got) {
            m_report.failed = true;
            m_report.elapsedMs = clock.elapsed();
            return m_report;
        }
        if (!got.value()) {
            m_report.skipped = true;
            m_report.elapsedMs = clock.elapsed();
            return m_report;
        }
        locked = true;
    }

    prune(sql, now);

    if (locked) {
        Result<bool> released = sql.query(QStringLiteral("SELECT pg_advisory_unlock(?)"), {kAdvisoryLockKey}, "retention.unlock",
                                          [](QSqlQuery &q) { return q.next() && q.value(0).toBool(); });
        if (!released || !released.value())
            spdlog::warn("retention: the advisory lock was not held at the end of the run");
    }
    m_report.elapsedMs = clock.elapsed();
    return m_report;
}

void RetentionPruner::prune(SqlRunner &sql, qint64 now)
{
    const int limit = m_settings.batchRows;
    const qint64 events = eventsCutoff(now);
    const qint64 delivered = deliveriesCutoff(now);
    const qint64 dead = deadLettersCutoff(now);
    const qint64 messages = messagesCutoff(now);

    Result<QStringList> organizations = ids(sql, QStringLiteral("SELECT id FROM organizations ORDER BY id"), {}, "retention.organizations");
    if (!organizations)
        return;
    m_report.organizations = int(organizations.value().size());

    // Finished deliveries, reached through the organization's webhooks (the (webhook_id,
    // created_at) index; a delivery finishes after it was created, so created_at bounds the
    // range and updated_at, when it finished, decides).
    const QString deliveriesSql = QStringLiteral(
        "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = ? AND organization_id = ? "
        "AND created_at < ? AND status = ? AND updated_at < ? LIMIT ?%1)").arg(skipLocked());
    // Events none of whose deliveries is still to be sent (pending, being sent or waiting to be
    // retried). Dead and succeeded deliveries carry their own payload, so replays do not need
    // the event row.
    const QString eventsSql = QStringLiteral(
        "DELETE FROM events WHERE id IN (SELECT e.id FROM events e WHERE e.organization_id = ? AND e.created_at < ? "
        "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id "
        "AND d.status IN ('pending', 'delivering', 'retrying')) LIMIT ?%1)").arg(skipLocked("e"));
    // Messages in a final or settled state only: never queued or being sent (nor anything in
    // the send queue, nor a state added later). Their outbox row, if any, goes with them
    // (ON DELETE CASCADE); status history and idempotency keys are columns of the row itself.
    const QString messagesSql = QStringLiteral(
        "DELETE FROM messages WHERE id IN (SELECT m.id FROM messages m WHERE m.client_id = ? AND m.organization_id = ? "
        "AND m.created_at < ? AND m.updated_at < ? AND m.status IN ('sent', 'delivered', 'read', 'failed', 'received') "
        "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id) LIMIT ?%1)").arg(skipLocked("m"));

    for (const QString &org : std::as_const(organizations.value())) {
        if (delivered > 0) {
            Result<QStringList> webhooks = ids(sql, QStringLiteral("SELECT id FROM webhooks WHERE organization_id = ? ORDER BY id"), {org},
                                               "retention.webhooks");
            if (!webhooks)
                return;
            for (const QString &webhook : std::as_const(webhooks.value())) {
                if (!drain(sql, deliveriesSql, {webhook, org, delivered, QStringLiteral("succeeded"), delivered, limit},
                           &m_report.deliveries, "retention.deliveries"))
                    return;
                if (dead > 0
                    && !drain(sql, deliveriesSql, {webhook, org, dead, QStringLiteral("dead"), dead, limit}, &m_report.deadLetters,
                              "retention.dead_letters"))
                    return;
            }
        }
        if (events > 0 && !drain(sql, eventsSql, {org, events, limit}, &m_report.events, "retention.events"))
            return;
        if (m_settings.media.retentionDays > 0) {
            // Each removal in its own short transaction (a file's unlink follows its commit).
            MediaService media(m_database, m_settings.media, nullptr, m_clock);
            Result<qint64> removed = media.removeExpired(org, cutoff(now, m_settings.media.retentionDays), limit, [this]() {
                return m_stopRequested && m_stopRequested();
            });
            if (!removed) {
                m_report.failed = true;
                return;
            }
            m_report.media += removed.value();
        }
        if (messages > 0) {
            Result<QStringList> clients = ids(sql, QStringLiteral("SELECT id FROM clients WHERE organization_id = ? ORDER BY id"), {org},
                                              "retention.clients");
            if (!clients)
                return;
            for (const QString &client : std::as_const(clients.value())) {
                if (!drain(sql, messagesSql, {client, org, messages, messages, limit}, &m_report.messages, "retention.messages"))
                    return;
            }
        }
    }

    // Not organization data: failed sign-ins of an address or account, long past the window
    // in which they count.
    const QString loginFailuresSql = QStringLiteral(
        "DELETE FROM login_failures WHERE id IN (SELECT id FROM login_failures WHERE created_at < ? LIMIT ?%1)").arg(skipLocked());
    drain(sql, loginFailuresSql, {now - m_settings.loginFailuresKeepMs, limit}, &m_report.loginFailures, "retention.login_failures");
}

Result<QStringList> RetentionPruner::ids(SqlRunner &sql, const QString &select, const QVariantList &bindings, const char *context)
{
    Result<QStringList> out = sql.query(select, bindings, context, [](QSqlQuery &q) {
        QStringList list;
        while (q.next())
            list << q.value(0).toString();
        return list;
    });
    if (!out)
        m_report.failed = true;
    return out;
}

bool RetentionPruner::drain(SqlRunner &sql, const QString &deleteSql, const QVariantList &bindings, qint64 *counter, const char *context)
{
    const int limit = m_settings.batchRows;
    for (;;) {
        if (m_stopRequested && m_stopRequested()) {
            m_report.stopped = true;
            return false;
        }
        int deleted = 0;
        {
            Transaction tx(m_database);
            if (!tx.begin()) {
                m_report.failed = true;
                return false;
            }
            Result<int> changed = sql.change(deleteSql, bindings, context);
            if (!changed || !tx.commit()) {
                m_report.failed = true;
                return false;
            }
            deleted = changed.value();
        }
        ++m_report.batches;
        m_report.largestBatch = std::max(m_report.largestBatch, deleted);
        *counter += deleted;
        if (deleted < limit)
            return true;
        // The writer lock is free now: let whoever waited for it in before the next batch.
        if (m_settings.pauseBetweenBatchesMs > 0)
            QThread::msleep(static_cast<unsigned long>(m_settings.pauseBetweenBatchesMs));
    }
}

} // namespace wadesk
