#pragma once

#include "core/webhooks/WebhookRepository.h"

#include <QNetworkRequest>
#include <QStringList>

namespace wadesk {

class AesGcm;

// Builds the signed HTTP request of one delivery: the guide's (docs/integration-guide.md) headers and Standard Webhooks
// headers, custom headers, no redirects, a bounded transfer time. During a secret rotation both
// the new and the previous secret sign (webhook-signature carries two signatures).
namespace WebhookRequest {
QNetworkRequest build(const WebhookRecord &webhook, const QStringList &secrets, const QString &eventId, const QString &eventType,
                      const QByteArray &body, qint64 timestampSeconds, int timeoutMs);
// The secrets that currently sign for a webhook: the current one, and the previous one during
// the rotation grace period. Empty when the stored secret does not open.
QStringList activeSecrets(const WebhookRecord &webhook, const AesGcm &cipher, qint64 now);
QByteArray sealingContext(const QString &webhookId);
} // namespace WebhookRequest

} // namespace wadesk
