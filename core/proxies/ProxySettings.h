#pragma once

#include <QString>
#include <QUrl>

namespace wadesk {

// How the pool's proxies are checked (proxies/... settings). A check opens a tunnel through the
// proxy to `checkHost:checkPort`, the address WhatsApp Web itself is reached at, and, when
// `exitAddressUrl` is set, asks that plain-http service for the address the proxy comes out from.
struct ProxySettings {
    static constexpr int kMinIntervalMs = 1000;
    int checkIntervalMs = 60 * 1000;
    int checkTimeoutMs = 10 * 1000;
    QString checkHost = QStringLiteral("web.whatsapp.com");
    quint16 checkPort = 443;
    QUrl exitAddressUrl; // empty: the exit address is not learned
};

} // namespace wadesk
