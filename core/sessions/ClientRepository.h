#pragma once

#include "core/access/Visibility.h"
#include "core/common/DomainError.h"

#include <QList>
#include <QSet>
#include <QString>
#include <optional>

namespace wadesk {

class SqlRunner;

struct ClientRecord {
    QString id;
    QString organizationId;
    QString name;
    QString phoneNumber; // E.164 or empty
    QString status = QStringLiteral("stopped"); // as last stored; ClientStatus says what it is now
    QString createdBy;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    qint64 stateSince = 0;
    QString lastError;
    QString deviceInfo;      // JSON text
    QString browserIdentity; // JSON text
    bool linked = false;     // reached ready and was not logged out
    // Started and not stopped or logged out by an operator since: starts again with the
    // application (whether linked or not).
    bool autostart = false;
    int ratePerMinute = 0;   // 0: the installation default
    int ratePerHour = 0;
    int ratePerDay = 0;
    bool paused = false;     // account safety: its queue does not move until resumed
    QString pausedReason;
    QString proxyId;         // the pool entry it goes out through; empty: direct
    bool proxyFailover = false; // may be moved to another healthy proxy when its own dies
    QString pinnedInstance;  // the instance it runs on when that one is alive; empty: the least busy (several instances)
};

// A state change to store on the client row.
struct ClientStateUpdate {
    QString status;
    qint64 since = 0;
    QString lastError;
    std::optional<bool> linked;
    QString phoneNumber;     // kept when empty
    QString deviceInfo;      // kept when empty
    bool forgetAccount = false; // logged out: the number and device of the account it had are cleared
};

// WhatsApp client records and who they are assigned to. Scoped by organization, and reads of
// clients by what the caller may see (`scope`): outside it a client reads as not found.
class ClientRepository {
public:
    explicit ClientRepository(SqlRunner &sql) : m_sql(sql) {}

    Status insert(const ClientRecord &client); // 409 phone_number_taken
    Result<std::optional<ClientRecord>> find(const QString &organizationId, const QString &clientId,
                                             const ClientScope &scope);
    // One page of the client list. Only the fields the list shows are read (id, organization,
    // name, phone number, status, created by/at, updated at, proxy and failover): the session
    // columns stay at their defaults. Use find() for a whole record.
    Result<QList<ClientRecord>> list(const QString &organizationId, const ClientScope &scope, int limit, int offset);
    Result<int> count(const QString &organizationId, const ClientScope &scope);
    Result<bool> remove(const QString &organizationId, const QString &clientId);
    // The organization's client other than `exceptClientId` that has `phoneNumber` (E.164), if any.
    Result<std::optional<ClientRecord>> otherWithPhone(const QString &organizationId, const QString &phoneNumber,
                                                       const QString &exceptClientId);

    // Returns false when the assignment already existed.
    Result<bool> assign(const QString &organizationId, const QString &userId, const QString &clientId,
                        const QString &assignedBy, qint64 at);
    Result<bool> unassign(const QString &organizationId, const QString &userId, const QString &clientId);
    Result<QStringList> assignedClientIds(const QString &organizationId, const QString &userId);

    // 404 when the organization has no such client (nothing is changed then).
    Status saveState(const QString &organizationId, const QString &clientId, const ClientStateUpdate &update);
    Status setBrowserIdentity(const QString &organizationId, const QString &clientId, const QString &identityJson);
    Status setAutostart(const QString &organizationId, const QString &clientId, bool autostart);
    Status setRateLimits(const QString &organizationId, const QString &clientId, int perMinute, int perHour, int perDay);
    Status setPaused(const QString &organizationId, const QString &clientId, bool paused, const QString &reason); // 404 as saveState
    // The ids of the organization's paused clients, in one query (list() leaves the flag out).
    Result<QSet<QString>> pausedIds(const QString &organizationId);
    // Installation-wide, for the engine at start: the clients that ran when the application
    // quit (autostart), to bring back by themselves.
    Result<QList<ClientRecord>> clientsToRestore();

private:
    SqlRunner &m_sql;
};

} // namespace wadesk
