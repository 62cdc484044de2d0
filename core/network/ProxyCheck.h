#pragma once

#include <QString>

namespace wadesk {

// The outcome of one health check of an upstream proxy (ProxyProbe).
struct ProxyCheck {
    bool ok = false;
    int latencyMs = -1;  // connect-through time; -1 when not measured
    QString exitAddress; // the address the proxy's traffic leaves from; empty when unknown
    QString error;       // why it failed (ok == false)
};

} // namespace wadesk
