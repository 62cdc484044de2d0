#pragma once

#include "core/common/DomainError.h"

#include <QString>

namespace wadesk {

class SqlRunner;

// Failed sign-ins, counted per account (email) and per address in the database, so several
// WaDesk instances on one PostgreSQL throttle together. After `maxFailures` within `windowMs`
// further attempts are refused until the oldest failure leaves the window. Only a network
// address is throttled as an address: the desktop signs in as "desktop", and counting that
// would let five wrong sign-ins with any email lock every desktop user out.
class LoginThrottle {
public:
    LoginThrottle(SqlRunner &sql, int maxFailures = 5, qint64 windowMs = 15 * 60 * 1000);

    // 0 when allowed, else the seconds to wait.
    Result<int> retryAfterSeconds(const QString &email, const QString &ipAddress, qint64 now);
    Status recordFailure(const QString &email, const QString &ipAddress, qint64 now);
    // A successful sign-in clears the account's failures (not the address's).
    Status clearAccount(const QString &email);

    // True for an IPv4 or IPv6 address (a peer of the API), false for "desktop" and the like.
    static bool isNetworkAddress(const QString &address);

private:
    Result<int> waitFor(const char *column, const QString &value, qint64 now);
    SqlRunner &m_sql;
    int m_maxFailures;
    qint64 m_windowMs;
};

} // namespace wadesk
