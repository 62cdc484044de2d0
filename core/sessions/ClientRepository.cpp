#include "core/sessions/ClientRepository.h"

#include "core/db/SqlRunner.h"

#include "core/db/Database.h"

#include <unordered_map>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <memory>

namespace wadesk {

namespace {
const QString kColumns = QStringLiteral("c.id, c.organization_id, c.name, c.phone_number, c.status, c.created_by, "
                                       "c.created_at, c.updated_at, c.state_since, c.last_error, c.device_info, "
                                       "c.browser_identity, c.linked, c.autostart, c.rate_per_minute, c.rate_per_hour, c.rate_per_day, "
                                       "c.paused, c.paused_reason, c.proxy_id, c.proxy_failover, c.pinned_instance");

ClientRecord fromRow(const QSqlQuery &q)
{
    ClientRecord c;
    c.id = q.value(0).toString();
    c.organizationId = q.value(1).toString();
    c.name = q.value(2).toString();
    c.phoneNumber = q.value(3).toString();
    c.status = q.value(4).toString();
    c.createdBy = q.value(5).toString();
    c.createdAt = q.value(6).toLongLong();
    c.updatedAt = q.value(7).toLongLong();
    c.stateSince = q.value(8).toLongLong();
    c.lastError = q.value(9).toString();
    c.deviceInfo = q.value(10).toString();
    c.browserIdentity = q.value(11).toString();
    c.linked = q.value(12).toInt() != 0;
    c.autostart = q.value(13).toInt() != 0;
    c.ratePerMinute = q.value(14).toInt();
    c.ratePerHour = q.value(15).toInt();
    c.ratePerDay = q.value(16).toInt();
    c.paused = q.value(17).toInt() != 0;
    c.pausedReason = q.value(18).toString();
    c.proxyId = q.value(19).toString();
    c.proxyFailover = q.value(20).toInt() != 0;
    c.pinnedInstance = q.value(21).toString();
    return c;
}

// "FROM clients c" limited to one organization, and to one user's assignments unless the scope
// is all of them. A scope that sees nothing is answered before any query (see callers).
QString scopedFrom(const ClientScope &scope, QVariantList &bind, const QString &organizationId)
{
    if (scope.seesAll()) {
        bind << organizationId;
        return QStringLiteral(" FROM clients c WHERE c.organization_id = ?");
    }
    bind << scope.userId() << organizationId;
    return QStringLiteral(" FROM clients c JOIN client_assignments a ON a.client_id = c.id AND a.user_id = ?"
                          " WHERE c.organization_id = ?");
}
// The client list is the API's busiest read: its two statements are prepared once per thread
// and connection and then only re-bound (on SQLite, parsing them cost as much as running them).
QSqlQuery *preparedQuery(const QSqlDatabase &db, const QString &text, bool refresh, QSqlError *error)
{
    struct Prepared {
        QString connection;
        std::unique_ptr<QSqlQuery> query;
    };
    thread_local std::unordered_map<QString, Prepared> cache; // by statement text
    Prepared &p = cache[text];
    if (refresh || !p.query || p.connection != db.connectionName() || p.query->driver() != db.driver()) {
        p.query.reset();
        auto q = std::make_unique<QSqlQuery>(db);
        q->setForwardOnly(true);
        if (!q->prepare(text)) {
            *error = q->lastError();
            return nullptr;
        }
        p.query = std::move(q);
        p.connection = db.connectionName();
    }
    return p.query.get();
}

// Runs a cached statement; `use` reads what it needs from it, after which the statement is reset
// so that no read transaction stays open on the connection.
template <typename Use>
auto runPrepared(SqlRunner &sql, const QString &text, const QVariantList &bindings, const char *context, Use use)
    -> decltype(use(std::declval<QSqlQuery &>()))
{
    Result<QSqlDatabase> db = sql.database().connection();
    if (!db)
        return db.error();
    QSqlError error;
    // A statement prepared on a connection that has since broken fails once: then it is
    // prepared afresh and run again.
    for (int attempt = 0; attempt < 2; ++attempt) {
        QSqlQuery *q = preparedQuery(db.value(), text, attempt > 0, &error);
        if (!q)
            break;
        for (int i = 0; i < bindings.size(); ++i)
            q->bindValue(i, bindings.at(i));
        if (!q->exec()) {
            error = q->lastError();
            q->finish();
            continue;
        }
        auto result = use(*q);
        q->finish();
        return result;
    }
    return Database::sqlFailure(error, context);
}
} // namespace

Status ClientRepository::insert(const ClientRecord &c)
{
    if (!c.phoneNumber.isEmpty()) {
        Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT 1 FROM clients WHERE organization_id = ? AND phone_number = ?"),
                                        {c.organizationId, c.phoneNumber}, "clients.phoneTaken");
        if (!q)
            return q.error();
        if (q.value().next())
            return DomainError::conflict(QStringLiteral("A client with this phone number already exists"),
                                         QStringLiteral("phone_number_taken"));
    }
    Result<int> r = m_sql.change(
        QStringLiteral("INSERT INTO clients (id, organization_id, name, phone_number, status, created_by, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
        {c.id, c.organizationId, c.name, c.phoneNumber.isEmpty() ? nullText() : QVariant(c.phoneNumber), c.status,
         c.createdBy.isEmpty() ? nullText() : QVariant(c.createdBy), c.createdAt, c.updatedAt},
        "clients.insert");
    if (!r)
        return r.error();
    return {};
}

Result<std::optional<ClientRecord>> ClientRepository::find(const QString &organizationId, const QString &clientId,
                                                           const ClientScope &scope)
{
    if (scope.seesNothing())
        return std::optional<ClientRecord>();
    QVariantList bind;
    const QString from = scopedFrom(scope, bind, organizationId);
    bind << clientId;
    // Every authorized request on a client runs this: a statement prepared once per thread.
    return m_sql.query(QStringLiteral("SELECT ") + kColumns + from + QStringLiteral(" AND c.id = ?"), bind, "clients.find",
                       [](QSqlQuery &q) { return q.next() ? std::optional<ClientRecord>(fromRow(q)) : std::nullopt; });
}

Result<QList<ClientRecord>> ClientRepository::list(const QString &organizationId, const ClientScope &scope, int limit, int offset)
{
    if (scope.seesNothing())
        return QList<ClientRecord>();
    QVariantList bind;
    const QString from = scopedFrom(scope, bind, organizationId);
    bind << limit << offset;
    // What the list shows.
    static const QString listColumns = QStringLiteral("c.id, c.organization_id, c.name, c.phone_number, c.status, c.created_by, "
                                                      "c.created_at, c.updated_at, c.proxy_id, c.proxy_failover");
    return runPrepared(m_sql, QStringLiteral("SELECT ") + listColumns + from + QStringLiteral(" ORDER BY c.created_at, c.id LIMIT ? OFFSET ?"),
                       bind, "clients.list", [](QSqlQuery &q) -> Result<QList<ClientRecord>> {
                           QList<ClientRecord> out;
                           while (q.next()) {
                               ClientRecord c;
                               c.id = q.value(0).toString();
                               c.organizationId = q.value(1).toString();
                               c.name = q.value(2).toString();
                               c.phoneNumber = q.value(3).toString();
                               c.status = q.value(4).toString();
                               c.createdBy = q.value(5).toString();
                               c.createdAt = q.value(6).toLongLong();
                               c.updatedAt = q.value(7).toLongLong();
                               c.proxyId = q.value(8).toString();
                               c.proxyFailover = q.value(9).toInt() != 0;
                               out << c;
                           }
                           return out;
                       });
}

Result<int> ClientRepository::count(const QString &organizationId, const ClientScope &scope)
{
    if (scope.seesNothing())
        return 0;
    QVariantList bind;
    const QString from = scopedFrom(scope, bind, organizationId);
    return runPrepared(m_sql, QStringLiteral("SELECT COUNT(*)") + from, bind, "clients.count", [](QSqlQuery &q) -> Result<int> {
        q.next();
        return q.value(0).toInt();
    });
}

Result<bool> ClientRepository::remove(const QString &organizationId, const QString &clientId)
{
    Result<int> r = m_sql.change(QStringLiteral("DELETE FROM clients WHERE organization_id = ? AND id = ?"),
                                 {organizationId, clientId}, "clients.remove");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Result<bool> ClientRepository::assign(const QString &organizationId, const QString &userId, const QString &clientId,
                                      const QString &assignedBy, qint64 at)
{
    Result<int> r = m_sql.change(
        QStringLiteral("INSERT INTO client_assignments (organization_id, user_id, client_id, assigned_by, created_at) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, client_id) DO NOTHING"),
        {organizationId, userId, clientId, assignedBy, at}, "client_assignments.insert");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Result<bool> ClientRepository::unassign(const QString &organizationId, const QString &userId, const QString &clientId)
{
    Result<int> r = m_sql.change(
        QStringLiteral("DELETE FROM client_assignments WHERE organization_id = ? AND user_id = ? AND client_id = ?"),
        {organizationId, userId, clientId}, "client_assignments.remove");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Result<QStringList> ClientRepository::assignedClientIds(const QString &organizationId, const QString &userId)
{
    Result<QSqlQuery> q = m_sql.run(
        QStringLiteral("SELECT client_id FROM client_assignments WHERE organization_id = ? AND user_id = ? ORDER BY created_at"),
        {organizationId, userId}, "client_assignments.list");
    if (!q)
        return q.error();
    QStringList out;
    while (q.value().next())
        out << q.value().value(0).toString();
    return out;
}

Status ClientRepository::saveState(const QString &organizationId, const QString &clientId, const ClientStateUpdate &u)
{
    QString sql = QStringLiteral("UPDATE clients SET status = ?, state_since = ?, last_error = ?, updated_at = ?");
    QVariantList bind{u.status, u.since, u.lastError.isEmpty() ? nullText() : QVariant(u.lastError), u.since};
    if (u.linked) {
        sql += QStringLiteral(", linked = ?");
        bind << (*u.linked ? 1 : 0);
    }
    if (u.forgetAccount) {
        sql += QStringLiteral(", phone_number = NULL, device_info = NULL");
    } else if (!u.phoneNumber.isEmpty()) {
        sql += QStringLiteral(", phone_number = ?");
        bind << u.phoneNumber;
    }
    if (!u.forgetAccount && !u.deviceInfo.isEmpty()) {
        sql += QStringLiteral(", device_info = ?");
        bind << u.deviceInfo;
    }
    sql += QStringLiteral(" WHERE organization_id = ? AND id = ?");
    bind << organizationId << clientId;
    Result<int> r = m_sql.change(sql, bind, "clients.saveState");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return DomainError::notFound(QStringLiteral("Client"));
    return {};
}

Status ClientRepository::setBrowserIdentity(const QString &organizationId, const QString &clientId, const QString &identityJson)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE clients SET browser_identity = ? WHERE organization_id = ? AND id = ?"),
                                 {identityJson, organizationId, clientId}, "clients.setIdentity");
    if (!r)
        return r.error();
    return {};
}

Status ClientRepository::setAutostart(const QString &organizationId, const QString &clientId, bool autostart)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE clients SET autostart = ? WHERE organization_id = ? AND id = ?"),
                                 {autostart ? 1 : 0, organizationId, clientId}, "clients.setAutostart");
    if (!r)
        return r.error();
    return {};
}

Status ClientRepository::setRateLimits(const QString &organizationId, const QString &clientId, int perMinute, int perHour, int perDay)
{
    auto orNull = [](int v) { return v > 0 ? QVariant(v) : nullInt(); };
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE clients SET rate_per_minute = ?, rate_per_hour = ?, rate_per_day = ? WHERE organization_id = ? AND id = ?"),
        {orNull(perMinute), orNull(perHour), orNull(perDay), organizationId, clientId}, "clients.setRateLimits");
    if (!r)
        return r.error();
    return {};
}

Result<QSet<QString>> ClientRepository::pausedIds(const QString &organizationId)
{
    return m_sql.query(QStringLiteral("SELECT id FROM clients WHERE organization_id = ? AND paused = 1"), {organizationId},
                       "clients.pausedIds", [](QSqlQuery &q) {
                           QSet<QString> ids;
                           while (q.next())
                               ids.insert(q.value(0).toString());
                           return ids;
                       });
}

Status ClientRepository::setPaused(const QString &organizationId, const QString &clientId, bool paused, const QString &reason)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE clients SET paused = ?, paused_reason = ? WHERE organization_id = ? AND id = ?"),
                                 {paused ? 1 : 0, paused ? QVariant(reason) : nullText(), organizationId, clientId}, "clients.setPaused");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return DomainError::notFound(QStringLiteral("Client"));
    return {};
}

Result<std::optional<ClientRecord>> ClientRepository::otherWithPhone(const QString &organizationId, const QString &phoneNumber,
                                                                   const QString &exceptClientId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + kColumns
                                        + QStringLiteral(" FROM clients c WHERE c.organization_id = ? AND c.phone_number = ? AND c.id <> ?"),
                                    {organizationId, phoneNumber, exceptClientId}, "clients.otherWithPhone");
    if (!q)
        return q.error();
    if (!q.value().next())
        return std::optional<ClientRecord>();
    return std::optional<ClientRecord>(fromRow(q.value()));
}

Result<QList<ClientRecord>> ClientRepository::clientsToRestore()
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + kColumns
                                        + QStringLiteral(" FROM clients c WHERE c.autostart = 1 ORDER BY c.created_at"),
                                    {}, "clients.toRestore");
    if (!q)
        return q.error();
    QList<ClientRecord> out;
    while (q.value().next())
        out << fromRow(q.value());
    return out;
}

} // namespace wadesk
