#pragma once

#include "core/network/EgressRoute.h"

#include <QByteArray>
#include <QHash>
#include <QReadWriteLock>
#include <QString>
#include <optional>

namespace wadesk {

// Who may use the forwarding proxy and how each client's traffic leaves. Thread-safe: the engine
// (main thread) writes, the forwarder thread reads. A client proves who it is with its per-run
// token (Basic credentials clientId:token), so one client can never ride another's route.
class EgressRouteTable {
public:
    // Issues (or re-issues) the credentials of `clientId`: returns the new random token (32 bytes,
    // base64url). Replaces any earlier token and route of the client.
    QByteArray issue(const QString &clientId, const EgressRoute &route);
    // Changes the route and keeps the token; does nothing for a client without credentials.
    void setRoute(const QString &clientId, const EgressRoute &route);
    void remove(const QString &clientId);
    // Constant-time token check; nullopt when unknown user or wrong token.
    std::optional<EgressRoute> authenticate(const QString &clientId, const QByteArray &token) const;
    bool contains(const QString &clientId) const;

private:
    struct Entry {
        QByteArray token;
        EgressRoute route;
    };
    mutable QReadWriteLock m_lock;
    QHash<QString, Entry> m_entries;
};

} // namespace wadesk
