#pragma once

#include <QByteArray>
#include <QtGlobal>
#include <functional>

namespace wadesk {

// What the HTTP server enforces on its own, because QHttpServer 6.4 enforces none of it.
struct ServerLimits {
    qint64 maxBodyBytes = 16 * 1024 * 1024; // 413 as soon as a Content-Length (or chunks) exceed it
    int maxHeaderBytes = 16 * 1024;         // 431 for a larger request line + header block
    int maxConnections = 256;               // at the limit the longest-idle connection is closed
    int idleTimeoutMs = 15000;              // keep-alive connections with no traffic are closed
    int headerTimeoutMs = 10000;            // a request must arrive whole this long after it starts
    int drainMs = 2000;                     // after an error answer, how long unread input is discarded
    // Larger bodies for a few routes (media upload, send-message with a file): given a request's
    // method and path (no query string), its body limit; unset or answering <= 0 means
    // maxBodyBytes. Checked when the header block is complete, so 413 comes before the body.
    std::function<qint64(const QByteArray &method, const QByteArray &path)> bodyLimitFor;
    // The largest answer bodyLimitFor gives: Qt 6.11+ enforces a body limit of its own (32 MiB by
    // default) behind WaDesk's, which is raised to this so the per-route limits decide.
    qint64 largestRouteBodyBytes = 0;
};

} // namespace wadesk
