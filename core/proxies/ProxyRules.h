#pragma once

#include "core/common/DomainError.h"
#include "core/network/ProxyEndpoint.h"

#include <QString>

namespace wadesk {

// What a pool entry's fields may hold. Each check answers 400 validation_failed naming its
// field; the normalizing ones return the value as it is stored.
namespace ProxyRules {
constexpr int kMaxHostLength = 253;
constexpr int kMaxCredentialBytes = 255; // SOCKS5 (RFC 1929) carries each in one length byte
constexpr int kMaxLabelLength = 100;
constexpr int kMinClients = 1;
constexpr int kMaxClients = 1000;
constexpr int kDefaultMaxClients = 5;

Result<ProxyEndpoint::Type> type(const QString &name);
// A hostname (LDH labels, lower-cased) or an IPv4/IPv6 literal (an IPv6 one without brackets).
// Loopback and private addresses are allowed: proxies are managed by admins and often on the LAN.
Result<QString> host(const QString &host);
Status port(int port);
// Both at most 255 bytes of UTF-8 without control characters; a password only with a username;
// an HTTP proxy's username without ':' (Basic authentication splits on the first one).
Status credentials(ProxyEndpoint::Type type, const QString &username, bool hasPassword, const QString &newPassword);
Result<QString> label(const QString &label);
// ISO 3166-1 alpha-2, upper-cased; empty stays empty (no country).
Result<QString> country(const QString &country);
Status maxClients(int maxClients);
// The label an entry gets when none is given.
QString defaultLabel(const QString &host, quint16 port);
} // namespace ProxyRules

} // namespace wadesk
