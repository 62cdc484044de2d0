#pragma once

#include "core/network/ProxyEndpoint.h"

#include <QString>

namespace wadesk {

// How the forwarding proxy sends one client's connections out.
struct EgressRoute {
    enum class Kind {
        Direct,   // the client has no proxy: straight to the target
        Upstream, // through the client's upstream proxy
        Blocked,  // the client's proxy is dead: refuse (fail closed, never direct)
    };
    Kind kind = Kind::Direct;
    ProxyEndpoint upstream; // Kind::Upstream
    QString proxyId;        // the pool entry (Upstream/Blocked), for reports
    QString blockedReason;  // Kind::Blocked: said in the 502 body and the logs
};

} // namespace wadesk
