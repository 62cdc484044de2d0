#include "core/cluster/SessionCommandQueue.h"

#include "core/cluster/SessionOwners.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QJsonDocument>
#include <QSqlQuery>
#include <QVariant>

namespace wadesk {

namespace {
QString text(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject object(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}
} // namespace

Result<QString> SessionCommandQueue::enqueue(const QString &clientId, const QString &targetInstance, const QString &command,
                                             const QJsonObject &payload)
{
    const QString id = Ids::make("cmd");
    SqlRunner sql(m_database);
    Result<int> inserted = sql.change(QStringLiteral("INSERT INTO session_commands (id, client_id, instance_id, command, payload, created_at) "
                                                     "VALUES (?, ?, ?, ?, ?, ")
                                          + SessionOwners::nowSql(m_database) + QStringLiteral(")"),
                                      {id, clientId, targetInstance, command, text(payload)}, "enqueue session command");
    if (!inserted)
        return inserted.error();
    return id;
}

Result<QList<SessionCommandQueue::Command>> SessionCommandQueue::pendingFor(const QString &instance, int limit)
{
    SqlRunner sql(m_database);
    return sql.query(QStringLiteral("SELECT id, client_id, command, payload, ") + SessionOwners::nowSql(m_database)
                         + QStringLiteral(" - created_at FROM session_commands WHERE instance_id = ? AND done_at IS NULL "
                                          "ORDER BY created_at, id LIMIT ?"),
                     {instance, limit}, "pending session commands", [](QSqlQuery &q) {
                         QList<Command> commands;
                         while (q.next()) {
                             Command c;
                             c.id = q.value(0).toString();
                             c.clientId = q.value(1).toString();
                             c.command = q.value(2).toString();
                             c.payload = object(q.value(3).toString());
                             c.ageMs = q.value(4).toLongLong();
                             commands.append(c);
                         }
                         return commands;
                     });
}

Status SessionCommandQueue::complete(const QString &commandId, const QJsonObject &result)
{
    SqlRunner sql(m_database);
    Result<int> changed = sql.change(QStringLiteral("UPDATE session_commands SET done_at = ") + SessionOwners::nowSql(m_database)
                                         + QStringLiteral(", result = ? WHERE id = ? AND done_at IS NULL"),
                                     {text(result), commandId}, "complete session command");
    if (!changed)
        return changed.error();
    return {};
}

Result<QHash<QString, QJsonObject>> SessionCommandQueue::results(const QStringList &commandIds)
{
    QHash<QString, QJsonObject> done;
    if (commandIds.isEmpty())
        return done;
    SqlRunner sql(m_database);
    // One statement per call with as many placeholders as ids: the waiting requests are few
    // (pairing codes being asked for), and their ids are our own.
    QStringList marks;
    QVariantList bindings;
    for (const QString &id : commandIds) {
        marks << QStringLiteral("?");
        bindings << id;
    }
    Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT id, result FROM session_commands WHERE done_at IS NOT NULL AND id IN (%1)")
                                      .arg(marks.join(QLatin1Char(','))),
                                  bindings, "session command results");
    if (!q)
        return q.error();
    while (q.value().next())
        done.insert(q.value().value(0).toString(), object(q.value().value(1).toString()));
    return done;
}

Result<int> SessionCommandQueue::prune(qint64 doneMs, qint64 askedMs)
{
    SqlRunner sql(m_database);
    const QString now = SessionOwners::nowSql(m_database);
    return sql.change(QStringLiteral("DELETE FROM session_commands WHERE (done_at IS NOT NULL AND done_at < %1 - ?) OR created_at < %1 - ?").arg(now),
                      {doneMs, askedMs}, "prune session commands");
}

} // namespace wadesk
