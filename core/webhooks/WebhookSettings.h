#pragma once

#include <QString>
#include <QtGlobal>

namespace wadesk {

// How webhook deliveries are sent (core/webhooks/DeliveryWorker).
struct DeliverySettings {
    int timeoutMs = 15000;
    int maxAttempts = 10;
    qint64 maxBackoffMs = 3600 * 1000;
    int maxInFlight = 32;
    int maxInFlightPerEndpoint = 4;
    qint64 disableAfterFailingMs = 3LL * 24 * 3600 * 1000; // a webhook failing this long is disabled
    bool allowPrivateTargets = false;
    int pollMs = 1000;
};

// Everything configurable about webhooks (the `webhooks/...` settings).
struct WebhookSettings {
    // May broadcast system events to every organization (the installation's operator).
    QString operatorOrganization;
    // delivery.allowPrivateTargets also decides whether a webhook may be registered with a
    // loopback or private target: one switch for both.
    DeliverySettings delivery;
};

} // namespace wadesk
