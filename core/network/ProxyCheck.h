#pragma once

#include <QMetaType>
#include <QString>

namespace wadesk {

// The result of one health check of an upstream proxy (ProxyProbe).
struct ProxyCheck {
    bool ok = false;
    int latencyMs = -1;   // time until the tunnel to the target was open; -1 when it never was
    QString exitAddress;  // the address the internet sees, when asked for and learned
    QString error;        // why it failed (empty when ok)
};

} // namespace wadesk

Q_DECLARE_METATYPE(wadesk::ProxyCheck)
