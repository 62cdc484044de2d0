#pragma once

#include "core/http/ServerLimits.h"

#include <QHostAddress>
#include <QString>

namespace wadesk {

// The `api/...`, `http/...` and `health/...` settings: where the REST API listens and its limits.
struct ApiSettings {
    QString bindAddress = QStringLiteral("127.0.0.1"); // "localhost" is accepted as loopback
    int port = 3002;                                   // 0: any free port
    bool allowRemote = false;  // binding beyond loopback must be asked for explicitly
    ServerLimits limits;       // see core/http/ServerLimits.h for what each protects against
    int shutdownGraceMs = 5000;
    int healthCacheMs = 1000;
    QString environment = QStringLiteral("production"); // reported by /health
    // GET /metrics (MetricsController): loopback clients only unless a token is set.
    bool metricsEnabled = true;
    QString metricsToken;

    QHostAddress listenAddress() const
    {
        return bindAddress.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0
            ? QHostAddress(QHostAddress::LocalHost)
            : QHostAddress(bindAddress);
    }
};

} // namespace wadesk
