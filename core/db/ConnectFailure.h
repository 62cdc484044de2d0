#pragma once

#include <QString>

namespace wadesk {

// Why a connection to PostgreSQL could not be opened, in terms an operator can act on. The
// driver's own text names hosts and users and is for the log; this is what a setup screen may
// turn into a sentence.
enum class ConnectFailure {
    None,
    HostUnknown,     // the host name does not resolve
    Refused,         // nothing listens at that address and port
    Timeout,         // no answer in time (firewall, wrong address)
    Authentication,  // the password was refused or none was given
    RoleMissing,     // no such user on the server
    DatabaseMissing, // no such database on the server
    HostNotAllowed,  // the server's pg_hba.conf has no entry for this client
    Other,
};

// Reads libpq's message (as QPSQL reports it); messages are English whatever the locale, since
// the client library's are not translated when lc_messages is not set on the client.
ConnectFailure classifyConnectFailure(const QString &driverText);

} // namespace wadesk
