#include "core/db/ConnectFailure.h"

namespace wadesk {

ConnectFailure classifyConnectFailure(const QString &driverText)
{
    const QString text = driverText.toLower();
    auto has = [&text](const char *needle) { return text.contains(QLatin1String(needle)); };
    if (text.trimmed().isEmpty())
        return ConnectFailure::None;
    // Order matters: a refused password also says "connection to server ... failed".
    if (has("password authentication failed") || has("no password supplied") || has("authentication failed for user"))
        return ConnectFailure::Authentication;
    if (has("role \"") && has("does not exist"))
        return ConnectFailure::RoleMissing;
    if (has("database \"") && has("does not exist"))
        return ConnectFailure::DatabaseMissing;
    if (has("no pg_hba.conf entry"))
        return ConnectFailure::HostNotAllowed;
    if (has("could not translate host name") || has("name or service not known") || has("temporary failure in name resolution"))
        return ConnectFailure::HostUnknown;
    if (has("connection refused") || has("no such file or directory"))
        return ConnectFailure::Refused;
    if (has("timeout expired") || has("timed out") || has("no route to host") || has("network is unreachable"))
        return ConnectFailure::Timeout;
    return ConnectFailure::Other;
}

} // namespace wadesk
