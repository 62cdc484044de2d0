#pragma once

#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/retention/RetentionSettings.h"

#include <QString>
#include <QStringList>
#include <QVariantList>
#include <functional>

namespace wadesk {

class Database;
class SqlRunner;

// What one run removed, and how.
struct RetentionReport {
    qint64 events = 0;
    qint64 deliveries = 0;  // succeeded ones
    qint64 deadLetters = 0;
    qint64 messages = 0;
    qint64 media = 0;
    qint64 loginFailures = 0;
    int organizations = 0;
    int batches = 0;        // transactions that deleted something or found nothing more
    int largestBatch = 0;   // the most rows one transaction deleted
    qint64 elapsedMs = 0;
    bool skipped = false;   // another instance (same PostgreSQL) was pruning: nothing done
    bool stopped = false;   // asked to stop between batches
    bool failed = false;    // a statement failed (logged); the next run starts over

    qint64 removed() const { return events + deliveries + deadLetters + messages + media + loginFailures; }
    QString summary() const; // one line for the log
};

// Deletes what has outlived its retention window, for every organization, in batches of at
// most `batchRows` rows, each in its own transaction: a writer waits at most one batch for
// SQLite's writer lock, and on PostgreSQL rows that a writer holds are skipped (SKIP LOCKED)
// rather than waited for. Each organization's rows are reached through its own webhooks and
// clients, with the organization bound in every statement. The audit log is never pruned (its
// hash chain is the point of it); contacts, clients and settings are not either.
//
// On PostgreSQL one instance prunes at a time: a run starts only when it gets a session-level
// advisory lock, and is skipped otherwise (on SQLite one process owns the data directory).
class RetentionPruner {
public:
    using StopRequested = std::function<bool()>;

    // The same for every instance, and unlike the migrations' key (pg_try_advisory_lock).
    static constexpr qint64 kAdvisoryLockKey = 7301205521;

    RetentionPruner(Database &database, RetentionSettings settings, const Clock &clock = Clock::system());

    // One run on the calling thread (and its connection). `stopRequested` is asked before every
    // batch: when it says yes, the run ends at once, having committed whole batches only.
    RetentionReport run(const StopRequested &stopRequested = {});

    // The cutoffs of a run at `now` (epoch ms); 0 means "keep forever".
    qint64 eventsCutoff(qint64 now) const { return cutoff(now, m_settings.eventsDays); }
    qint64 deliveriesCutoff(qint64 now) const { return cutoff(now, m_settings.deliveriesDays); }
    qint64 deadLettersCutoff(qint64 now) const;
    qint64 messagesCutoff(qint64 now) const { return cutoff(now, m_settings.messagesDays); }

private:
    static qint64 cutoff(qint64 now, int days);
    void prune(SqlRunner &sql, qint64 now);
    Result<QStringList> ids(SqlRunner &sql, const QString &select, const QVariantList &bindings, const char *context);
    // Runs `deleteSql` (its last placeholder is the batch size) batch after batch until a batch
    // comes back short. False when the run must end (stop asked, or a failure).
    bool drain(SqlRunner &sql, const QString &deleteSql, const QVariantList &bindings, qint64 *counter, const char *context);
    // On PostgreSQL: " FOR UPDATE SKIP LOCKED" (of `alias`), so a batch never waits on a writer.
    QString skipLocked(const char *alias = nullptr) const;

    Database &m_database;
    RetentionSettings m_settings;
    const Clock &m_clock;
    StopRequested m_stopRequested;
    RetentionReport m_report;
};

} // namespace wadesk
