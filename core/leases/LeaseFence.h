#pragma once

#include <QString>
#include <QVariantList>

namespace wadesk {

// The database's own clock in epoch milliseconds, as SQL (PostgreSQL): lease expiry and
// heartbeats are compared with it, never with an instance's clock.
inline QString databaseNowMs()
{
    return QStringLiteral("(extract(epoch from clock_timestamp())*1000)::bigint");
}

// What a write made for a session carries so that only the lease's current holder may make it:
// the instance and the fencing token it acquired the lease with. A former owner (paused,
// split from the network) still holds its old token and its writes match no lease row.
struct LeaseFence {
    QString owner;
    // The token the lease was acquired with. 0: no lease held here (a client being stopped,
    // refused, ...): the write is allowed only while no other instance holds a live lease.
    qint64 token = 0;

    // " AND [NOT] EXISTS (...)": appended to the WHERE of a statement on one client's rows,
    // checked in that same statement: true only while this fence's lease is held and unexpired
    // (token > 0), or while no other owner's is (token 0). Binds bindings(clientId).
    QString condition() const
    {
        if (token > 0)
            return QStringLiteral(" AND EXISTS (SELECT 1 FROM client_leases fence WHERE fence.client_id = ? AND fence.owner = ?"
                                  " AND fence.token = ? AND fence.expires_at > ")
                + databaseNowMs() + QStringLiteral(")");
        return QStringLiteral(" AND NOT EXISTS (SELECT 1 FROM client_leases fence WHERE fence.client_id = ? AND fence.owner <> ?"
                              " AND fence.expires_at > ")
            + databaseNowMs() + QStringLiteral(")");
    }
    QVariantList bindings(const QString &clientId) const
    {
        if (token > 0)
            return {clientId, owner, token};
        return {clientId, owner};
    }
};

} // namespace wadesk
