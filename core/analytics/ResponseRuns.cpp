#include "core/analytics/ResponseRuns.h"

#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QHash>
#include <QSqlError>
#include <QSqlQuery>
#include <map>
#include <tuple>

namespace wadesk {

namespace {

// The pairing order: created_at, outbound before inbound in one millisecond ('outbound' sorts
// after 'inbound'), id. Failed sends and automatic replies are read too and skipped by pair().
const QString kPairingColumns = QStringLiteral("id, direction, status, created_at, created_by, auto_reply_rule_id");
const QString kPairingOrder = QStringLiteral("created_at, direction DESC, id");

PairingMessage pairingMessage(QSqlQuery &q, int at)
{
    PairingMessage m;
    m.id = q.value(at).toString();
    m.inbound = q.value(at + 1).toString() == QLatin1String("inbound");
    // An automatic reply (core/autoreplies) answers nobody: it is no response and does not end a run.
    m.countsAsResponse = q.value(at + 2).toString() != QLatin1String("failed") && q.value(at + 5).isNull();
    m.createdAt = q.value(at + 3).toLongLong();
    m.createdBy = q.value(at + 4).toString();
    return m;
}

// Serialises refreshers of several threads or instances on PostgreSQL (SQLite's write
// transaction already does): two recomputing one conversation at once would interleave their
// DELETE and INSERT.
Status lockRefreshers(Database &database)
{
    if (!database.isPostgres())
        return {};
    Result<QSqlDatabase> connection = database.connection();
    if (!connection)
        return connection.error();
    QSqlQuery lock(connection.value());
    if (!lock.exec(QStringLiteral("SELECT pg_advisory_xact_lock(72430020)")))
        return Database::sqlFailure(lock.lastError(), "responses.lock");
    return {};
}

struct ConversationKey {
    QString clientId;
    QString contactId;
    bool operator==(const ConversationKey &o) const { return clientId == o.clientId && contactId == o.contactId; }
};

size_t qHash(const ConversationKey &k, size_t seed = 0) noexcept
{
    return qHashMulti(seed, k.clientId, k.contactId);
}

struct RunWriter {
    SqlRunner &sql;
    QVariantList values;
    int rows = 0;

    void add(const QString &organizationId, const QString &clientId, const QString &contactId, const ResponseRun &run)
    {
        values << organizationId << clientId << contactId << run.startedAt << run.startedId
               << (run.responseMs ? QVariant(*run.responseMs) : nullInt()) << textOrNull(run.responder);
        ++rows;
    }
    Status flush(bool always)
    {
        if (rows == 0 || (!always && rows < 2048))
            return {};
        Result<int> written = sql.insertRows(
            QStringLiteral("INSERT INTO response_runs (organization_id, client_id, contact_id, started_at, started_id, response_ms, responder) VALUES"),
            7, values, "responses.write");
        values.clear();
        rows = 0;
        if (!written)
            return written.error();
        return {};
    }
};

} // namespace

QList<ResponseRun> ResponseRuns::pair(const QList<PairingMessage> &messages)
{
    QList<ResponseRun> runs;
    qint64 lastOutbound = -1;               // created_at of the last counted outbound message
    std::optional<qint64> lastInbound;      // created_at of the last inbound message
    qsizetype pending = -1;                 // the run waiting for its response
    for (const PairingMessage &m : messages) {
        if (!m.inbound) {
            if (!m.countsAsResponse)
                continue;
            if (pending >= 0 && m.createdAt > runs.at(pending).startedAt) {
                ResponseRun &run = runs[pending];
                run.responseMs = m.createdAt - run.startedAt;
                run.responder = m.createdBy;
                pending = -1;
            }
            lastOutbound = m.createdAt;
            continue;
        }
        // An inbound message starts a run unless an inbound one came at or after the last
        // outbound message (then it belongs to that inbound message's run).
        if (!lastInbound || *lastInbound < lastOutbound) {
            ResponseRun run;
            run.startedAt = m.createdAt;
            run.startedId = m.id;
            runs.append(run);
            pending = runs.size() - 1;
        }
        lastInbound = m.createdAt;
    }
    return runs;
}

Result<qint64> ResponseRuns::refresh()
{
    qint64 total = 0;
    bool more = true;
    while (more) {
        Result<qint64> round = refreshRound(&more);
        if (!round)
            return round;
        total += round.value();
    }
    return total;
}

Result<qint64> ResponseRuns::refreshRound(bool *more)
{
    *more = false;
    SqlRunner sql(m_database);
    // Nothing noted (the common case of a read): no transaction, no lock.
    Result<bool> pending = sql.query(QStringLiteral("SELECT seq FROM response_changes ORDER BY seq LIMIT 1"), {}, "responses.pending",
                                     [](QSqlQuery &q) { return q.next(); });
    if (!pending)
        return pending.error();
    if (!pending.value())
        return qint64(0);

    Transaction transaction(m_database);
    if (Status s = transaction.begin(); !s)
        return s.error();
    if (Status s = lockRefreshers(m_database); !s)
        return s.error();
    Result<bool> backlog = sql.query(QStringLiteral("SELECT 1 FROM response_changes ORDER BY seq LIMIT 1 OFFSET %1").arg(kRebuildBacklog), {},
                                     "responses.backlog", [](QSqlQuery &q) { return q.next(); });
    if (!backlog)
        return backlog.error();
    if (backlog.value()) {
        Result<qint64> rebuilt = rebuildLocked();
        if (!rebuilt)
            return rebuilt;
        if (Status s = transaction.commit(); !s)
            return s.error();
        return rebuilt;
    }

    // Taken and removed in one statement: a change another transaction commits meanwhile is
    // neither seen nor removed, and stays for the next round.
    struct Change {
        QString organizationId;
        qint64 fromMs = 0;
    };
    QHash<ConversationKey, Change> changed;
    int taken = 0;
    Result<bool> took = sql.query(
        QStringLiteral("DELETE FROM response_changes WHERE seq IN (SELECT seq FROM response_changes ORDER BY seq LIMIT %1) "
                       "RETURNING organization_id, client_id, contact_id, at_ms")
            .arg(kChangesPerRound),
        {}, "responses.take", [&changed, &taken](QSqlQuery &q) {
            while (q.next()) {
                ++taken;
                const ConversationKey key{q.value(1).toString(), q.value(2).toString()};
                const qint64 at = q.value(3).toLongLong();
                auto found = changed.find(key);
                if (found == changed.end())
                    changed.insert(key, Change{q.value(0).toString(), at});
                else
                    found->fromMs = std::min(found->fromMs, at);
            }
            return true;
        });
    if (!took)
        return took.error();

    RunWriter writer{sql, {}, 0};
    for (auto it = changed.cbegin(); it != changed.cend(); ++it) {
        const ConversationKey &key = it.key();
        // Runs that began before the change cannot move, except the last of them, whose
        // response may come after it: recompute from that run's start (from the beginning when
        // none began before the change).
        Result<qint64> from = sql.query(
            QStringLiteral("SELECT MAX(started_at) FROM response_runs WHERE client_id = ? AND contact_id = ? AND started_at < ?"),
            {key.clientId, key.contactId, it->fromMs}, "responses.from",
            [](QSqlQuery &q) { return q.next() && !q.value(0).isNull() ? q.value(0).toLongLong() : qint64(-1); });
        if (!from)
            return from.error();
        if (Result<int> cleared = sql.change(QStringLiteral("DELETE FROM response_runs WHERE client_id = ? AND contact_id = ? AND started_at >= ?"),
                                             {key.clientId, key.contactId, from.value()}, "responses.clear");
            !cleared)
            return cleared.error();
        Result<QList<PairingMessage>> messages = sql.query(
            QStringLiteral("SELECT ") + kPairingColumns
                + QStringLiteral(" FROM messages WHERE contact_id = ? AND client_id = ? AND created_at >= ? ORDER BY ") + kPairingOrder,
            {key.contactId, key.clientId, from.value()}, "responses.messages", [](QSqlQuery &q) {
                QList<PairingMessage> out;
                while (q.next())
                    out.append(pairingMessage(q, 0));
                return out;
            });
        if (!messages)
            return messages.error();
        for (const ResponseRun &run : pair(messages.value()))
            writer.add(it->organizationId, key.clientId, key.contactId, run);
        if (Status s = writer.flush(false); !s)
            return s.error();
    }
    if (Status s = writer.flush(true); !s)
        return s.error();
    if (Status s = transaction.commit(); !s)
        return s.error();
    *more = taken == kChangesPerRound;
    return qint64(changed.size());
}

Result<qint64> ResponseRuns::rebuild()
{
    Transaction transaction(m_database);
    if (Status s = transaction.begin(); !s)
        return s.error();
    if (Status s = lockRefreshers(m_database); !s)
        return s.error();
    Result<qint64> rebuilt = rebuildLocked();
    if (!rebuilt)
        return rebuilt;
    if (Status s = transaction.commit(); !s)
        return s.error();
    return rebuilt;
}

Result<qint64> ResponseRuns::rebuildLocked()
{
    SqlRunner sql(m_database);
    // A change committed by another transaction after this DELETE stays noted and is applied
    // again later: recomputing a conversation twice gives the same runs.
    if (Result<int> cleared = sql.change(QStringLiteral("DELETE FROM response_changes"), {}, "responses.forget"); !cleared)
        return cleared.error();
    // The roll-ups first (the runs' delete trigger then finds no cell to update), so that a
    // roll-up cell edited by hand is rewritten too.
    if (Result<int> cleared = sql.change(QStringLiteral("DELETE FROM response_rollups"), {}, "responses.clearRollups"); !cleared)
        return cleared.error();
    if (Result<int> cleared = sql.change(QStringLiteral("DELETE FROM response_runs"), {}, "responses.clearAll"); !cleared)
        return cleared.error();
    RunWriter writer{sql, {}, 0};
    qint64 conversations = 0;
    Status failed;
    Result<bool> read = sql.query(
        QStringLiteral("SELECT organization_id, client_id, contact_id, ") + kPairingColumns
            + QStringLiteral(" FROM messages ORDER BY client_id, contact_id, ") + kPairingOrder,
        {}, "responses.rebuild", [&](QSqlQuery &q) {
            QString organizationId;
            ConversationKey current;
            QList<PairingMessage> messages;
            auto finish = [&]() -> Status {
                if (messages.isEmpty())
                    return {};
                ++conversations;
                for (const ResponseRun &run : pair(messages))
                    writer.add(organizationId, current.clientId, current.contactId, run);
                messages.clear();
                return writer.flush(false);
            };
            while (q.next()) {
                const ConversationKey key{q.value(1).toString(), q.value(2).toString()};
                if (!(key == current)) {
                    if (Status s = finish(); !s) {
                        failed = s;
                        return false;
                    }
                    current = key;
                    organizationId = q.value(0).toString();
                }
                messages.append(pairingMessage(q, 3));
            }
            if (Status s = finish(); !s) {
                failed = s;
                return false;
            }
            return true;
        });
    if (!read)
        return read.error();
    if (!read.value())
        return failed.error();
    if (Status s = writer.flush(true); !s)
        return s.error();
    return conversations;
}

Result<QStringList> ResponseRuns::verify()
{
    if (Result<qint64> refreshed = refresh(); !refreshed)
        return refreshed.error();
    SqlRunner sql(m_database);
    using Key = std::tuple<QString, QString>;
    std::map<Key, QList<ResponseRun>> stored;
    Result<bool> read = sql.query(
        QStringLiteral("SELECT client_id, contact_id, started_at, started_id, response_ms, responder FROM response_runs "
                       "ORDER BY client_id, contact_id, started_at, started_id"),
        {}, "responses.stored", [&stored](QSqlQuery &q) {
            while (q.next()) {
                ResponseRun run;
                run.startedAt = q.value(2).toLongLong();
                run.startedId = q.value(3).toString();
                if (!q.value(4).isNull())
                    run.responseMs = q.value(4).toLongLong();
                run.responder = q.value(5).toString();
                stored[Key{q.value(0).toString(), q.value(1).toString()}].append(run);
            }
            return true;
        });
    if (!read)
        return read.error();
    QStringList differences;
    auto describe = [](const Key &key, qsizetype storedRuns, qsizetype actualRuns) {
        return QStringLiteral("client %1, contact %2: %3 response runs stored, the messages give %4%5")
            .arg(std::get<0>(key), std::get<1>(key))
            .arg(storedRuns)
            .arg(actualRuns)
            .arg(storedRuns == actualRuns ? QStringLiteral(" with other times or responders") : QString());
    };
    Result<bool> recount = sql.query(
        QStringLiteral("SELECT client_id, contact_id, ") + kPairingColumns + QStringLiteral(" FROM messages ORDER BY client_id, contact_id, ")
            + kPairingOrder,
        {}, "responses.recount", [&](QSqlQuery &q) {
            Key current;
            QList<PairingMessage> messages;
            auto finish = [&]() {
                if (messages.isEmpty())
                    return;
                const QList<ResponseRun> actual = pair(messages);
                const auto found = stored.find(current);
                const QList<ResponseRun> kept = found == stored.end() ? QList<ResponseRun>() : found->second;
                if (found != stored.end())
                    stored.erase(found);
                if (!(kept == actual))
                    differences << describe(current, kept.size(), actual.size());
                messages.clear();
            };
            while (q.next()) {
                const Key key{q.value(0).toString(), q.value(1).toString()};
                if (key != current) {
                    finish();
                    current = key;
                }
                messages.append(pairingMessage(q, 2));
            }
            finish();
            return true;
        });
    if (!recount)
        return recount.error();
    // Runs of a conversation that has no messages left.
    for (const auto &[key, runs] : stored)
        differences << describe(key, runs.size(), 0);
    // The hourly sums of the runs (response_rollups), cells emptied to zeros aside.
    const QString sums = QStringLiteral(
        "SELECT organization_id, client_id, started_at - started_at % 3600000 AS hour_start, COUNT(*) AS runs, COUNT(response_ms) AS answered, "
        "COALESCE(SUM(response_ms), 0) AS total_ms, SUM(CASE WHEN response_ms < 3600000 THEN 1 ELSE 0 END) AS under_1h, "
        "SUM(CASE WHEN response_ms >= 3600000 AND response_ms < 14400000 THEN 1 ELSE 0 END) AS under_4h, "
        "SUM(CASE WHEN response_ms >= 14400000 AND response_ms < 28800000 THEN 1 ELSE 0 END) AS under_8h, "
        "SUM(CASE WHEN response_ms >= 28800000 AND response_ms < 86400000 THEN 1 ELSE 0 END) AS under_24h, "
        "SUM(CASE WHEN response_ms >= 86400000 THEN 1 ELSE 0 END) AS over_24h "
        "FROM response_runs GROUP BY organization_id, client_id, started_at - started_at % 3600000");
    const QString kept = QStringLiteral(
        "SELECT organization_id, client_id, hour_start, runs, answered, total_ms, under_1h, under_4h, under_8h, under_24h, over_24h "
        "FROM response_rollups WHERE runs <> 0 OR answered <> 0 OR total_ms <> 0 OR under_1h <> 0 OR under_4h <> 0 OR under_8h <> 0 "
        "OR under_24h <> 0 OR over_24h <> 0");
    for (const auto &[left, right, what] : {std::tuple{kept, sums, "stored but not what the runs give"},
                                            std::tuple{sums, kept, "given by the runs but not stored"}}) {
        const char *label = what;
        Result<bool> compared = sql.query(QStringLiteral("SELECT client_id, hour_start FROM (") + left + QStringLiteral(" EXCEPT ") + right
                                              + QStringLiteral(") d ORDER BY client_id, hour_start"),
                                          {}, "responses.rollups", [&differences, label](QSqlQuery &q) {
                                              while (q.next())
                                                  differences << QStringLiteral("client %1, response roll-up hour %2: %3")
                                                                     .arg(q.value(0).toString())
                                                                     .arg(q.value(1).toLongLong())
                                                                     .arg(QLatin1String(label));
                                              return true;
                                          });
        if (!compared)
            return compared.error();
    }
    return differences;
}

} // namespace wadesk
