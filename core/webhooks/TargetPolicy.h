#pragma once

#include "core/common/DomainError.h"

#include <QHostAddress>
#include <QList>
#include <QUrl>

namespace wadesk {

// Where webhooks may point. Refuses URLs that are not http(s) and, unless the installation
// allows private targets, addresses in loopback, private, link-local, carrier-grade NAT,
// multicast or unspecified ranges: a webhook must not become a way into the machine's network.
namespace TargetPolicy {
Status checkUrl(const QUrl &url);
bool isPrivate(const QHostAddress &address);
// Checks every address a host name resolved to.
Status checkAddresses(const QString &host, const QList<QHostAddress> &addresses, bool allowPrivate);
// At registration or a URL change: as checkAddresses, except that a name which does not resolve
// yet (DNS lagging a deployment) is accepted, since every delivery resolves and checks it again.
// A literal address always resolves to itself, so literal private addresses stay refused.
Status checkRegistration(const QString &host, const QList<QHostAddress> &addresses, bool allowPrivate);
} // namespace TargetPolicy

} // namespace wadesk
