#pragma once

namespace wadesk {

// Bounds of the forwarding proxy per client connection.
struct ProxyLimits {
    int maxHeadBytes = 16 * 1024;    // a longer request head gets 431
    int headTimeoutMs = 10000;       // a client that has not sent its head by then gets 408
    int upstreamTimeoutMs = 15000;   // opening the tunnel (upstream handshake included)
    int refusalLingerMs = 5000;      // how long a refused client may take to read the answer
};

} // namespace wadesk
