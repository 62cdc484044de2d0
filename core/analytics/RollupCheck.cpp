#include "core/analytics/RollupCheck.h"

#include "core/common/UtcTime.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <algorithm>
#include <map>
#include <tuple>

namespace wadesk {

namespace {

// The cells as the raw rows give them: the same expressions as the triggers of migration 0012.
const QString kRecount = QStringLiteral(
    "SELECT organization_id, client_id, created_at - created_at % 3600000, COUNT(*), "
    "SUM(CASE WHEN direction = 'outbound' AND status IN ('sent', 'delivered', 'read') THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN direction = 'outbound' AND status IN ('delivered', 'read') THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN direction = 'outbound' AND status = 'read' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN direction = 'outbound' AND status = 'failed' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN direction = 'inbound' THEN 1 ELSE 0 END) "
    "FROM messages GROUP BY organization_id, client_id, created_at - created_at % 3600000");

using Key = std::tuple<QString, QString, qint64>;
using Counts = std::array<qint64, 6>;

Status readCells(SqlRunner &sql, const QString &text, const char *context, std::map<Key, Counts> &out)
{
    Result<bool> read = sql.query(text, {}, context, [&out](QSqlQuery &q) {
        while (q.next()) {
            Counts c{};
            for (int i = 0; i < 6; ++i)
                c[size_t(i)] = q.value(3 + i).toLongLong();
            out[Key{q.value(0).toString(), q.value(1).toString(), q.value(2).toLongLong()}] = c;
        }
        return true;
    });
    if (!read)
        return read.error();
    return {};
}

} // namespace

Result<QList<RollupDifference>> RollupCheck::verify()
{
    SqlRunner sql(m_database);
    std::map<Key, Counts> actual;
    std::map<Key, Counts> stored;
    if (Status s = readCells(sql, kRecount, "rollups.recount", actual); !s)
        return s.error();
    if (Status s = readCells(sql,
                             QStringLiteral("SELECT organization_id, client_id, hour_start, total, sent, delivered, read, failed, received "
                                            "FROM message_rollups"),
                             "rollups.stored", stored);
        !s)
        return s.error();
    QList<RollupDifference> differences;
    auto compare = [&differences](const Key &key, const Counts &stored, const Counts &actual) {
        if (stored == actual)
            return;
        RollupDifference d;
        d.organizationId = std::get<0>(key);
        d.clientId = std::get<1>(key);
        d.hourStart = std::get<2>(key);
        d.stored = stored;
        d.actual = actual;
        differences.append(d);
    };
    for (const auto &[key, counts] : actual) {
        const auto found = stored.find(key);
        compare(key, found == stored.end() ? Counts{} : found->second, counts);
    }
    // A cell whose messages are all gone stays at zeros: that is no difference.
    for (const auto &[key, counts] : stored)
        if (actual.find(key) == actual.end())
            compare(key, counts, Counts{});
    std::sort(differences.begin(), differences.end(), [](const RollupDifference &a, const RollupDifference &b) {
        return std::tie(a.organizationId, a.clientId, a.hourStart) < std::tie(b.organizationId, b.clientId, b.hourStart);
    });
    return differences;
}

Result<qint64> RollupCheck::repair()
{
    Transaction transaction(m_database);
    if (Status s = transaction.begin(); !s)
        return s.error();
    SqlRunner sql(m_database);
    // PostgreSQL: writers of messages wait until the rewrite commits, so none is lost between
    // the DELETE and the INSERT (SQLite's BEGIN IMMEDIATE already holds every writer off).
    if (m_database.isPostgres()) {
        // Not a statement PostgreSQL prepares: run as it is, on the transaction's connection.
        Result<QSqlDatabase> connection = m_database.connection();
        if (!connection)
            return connection.error();
        QSqlQuery lock(connection.value());
        if (!lock.exec(QStringLiteral("LOCK TABLE messages IN SHARE MODE")))
            return Database::sqlFailure(lock.lastError(), "rollups.lock");
    }
    if (Result<int> cleared = sql.change(QStringLiteral("DELETE FROM message_rollups"), {}, "rollups.clear"); !cleared)
        return cleared.error();
    Result<int> written = sql.change(
        QStringLiteral("INSERT INTO message_rollups (organization_id, client_id, hour_start, total, sent, delivered, read, failed, received) ")
            + kRecount,
        {}, "rollups.rewrite");
    if (!written)
        return written.error();
    if (Status s = transaction.commit(); !s)
        return s.error();
    return qint64(written.value());
}

QString RollupCheck::describe(const RollupDifference &d)
{
    static const char *const names[] = {"total", "sent", "delivered", "read", "failed", "received"};
    QStringList parts;
    for (size_t i = 0; i < 6; ++i)
        if (d.stored[i] != d.actual[i])
            parts << QStringLiteral("%1 %2 (messages say %3)").arg(QLatin1String(names[i])).arg(d.stored[i]).arg(d.actual[i]);
    return QStringLiteral("organization %1, client %2, hour %3: %4")
        .arg(d.organizationId, d.clientId,
             UtcTime::fromMSecs(d.hourStart).toString(Qt::ISODate), parts.join(QStringLiteral(", ")));
}

} // namespace wadesk
