#include "core/auth/LoginThrottle.h"

#include "core/auth/UserRepository.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"

#include <QHostAddress>
#include <QSqlQuery>

namespace wadesk {

LoginThrottle::LoginThrottle(SqlRunner &sql, int maxFailures, qint64 windowMs)
    : m_sql(sql)
    , m_maxFailures(maxFailures)
    , m_windowMs(windowMs)
{
}

Result<int> LoginThrottle::waitFor(const char *column, const QString &value, qint64 now)
{
    // The newest `maxFailures` failures inside the window: when there are that many, the
    // attempt must wait until the oldest of them leaves the window.
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT created_at FROM login_failures WHERE %1 = ? AND created_at > ? "
                                                   "ORDER BY created_at DESC LIMIT ?")
                                        .arg(QLatin1String(column)),
                                    {value, now - m_windowMs, m_maxFailures}, "login_failures.window");
    if (!q)
        return q.error();
    int n = 0;
    qint64 oldest = 0;
    while (q.value().next()) {
        ++n;
        oldest = q.value().value(0).toLongLong();
    }
    if (n < m_maxFailures)
        return 0;
    return int(std::max<qint64>(1, (oldest + m_windowMs - now + 999) / 1000));
}

bool LoginThrottle::isNetworkAddress(const QString &address)
{
    return !QHostAddress(address).isNull();
}

Result<int> LoginThrottle::retryAfterSeconds(const QString &email, const QString &ipAddress, qint64 now)
{
    Result<int> byAccount = waitFor("email_normalized", UserRepository::normalizeEmail(email), now);
    if (!byAccount)
        return byAccount;
    if (!isNetworkAddress(ipAddress))
        return byAccount;
    Result<int> byAddress = waitFor("ip_address", ipAddress, now);
    if (!byAddress)
        return byAddress;
    return std::max(byAccount.value(), byAddress.value());
}

Status LoginThrottle::recordFailure(const QString &email, const QString &ipAddress, qint64 now)
{
    Result<int> r = m_sql.change(
        QStringLiteral("INSERT INTO login_failures (id, email_normalized, ip_address, created_at) VALUES (?, ?, ?, ?)"),
        {Ids::make("lf"), UserRepository::normalizeEmail(email), ipAddress, now}, "login_failures.insert");
    if (!r)
        return r.error();
    // Old rows are of no use: keep the table small.
    Result<int> pruned = m_sql.change(QStringLiteral("DELETE FROM login_failures WHERE created_at < ?"),
                                      {now - 2 * m_windowMs}, "login_failures.prune");
    if (!pruned)
        return pruned.error();
    return {};
}

Status LoginThrottle::clearAccount(const QString &email)
{
    Result<int> r = m_sql.change(QStringLiteral("DELETE FROM login_failures WHERE email_normalized = ?"),
                                 {UserRepository::normalizeEmail(email)}, "login_failures.clear");
    if (!r)
        return r.error();
    return {};
}

} // namespace wadesk
