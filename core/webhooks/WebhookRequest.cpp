#include "core/webhooks/WebhookRequest.h"

#include "core/common/Version.h"
#include "core/secrets/AesGcm.h"
#include "core/webhooks/WebhookSigner.h"

#include <QUrl>

namespace wadesk::WebhookRequest {

QByteArray sealingContext(const QString &webhookId)
{
    return "webhooks.secret:" + webhookId.toUtf8();
}

QStringList activeSecrets(const WebhookRecord &webhook, const AesGcm &cipher, qint64 now)
{
    QStringList out;
    const std::optional<QByteArray> current = cipher.open(webhook.secretSealed.toLatin1(), sealingContext(webhook.id));
    if (!current)
        return out;
    out << QString::fromLatin1(*current);
    if (!webhook.previousSecretSealed.isEmpty() && webhook.previousSecretExpiresAt > now) {
        const std::optional<QByteArray> previous = cipher.open(webhook.previousSecretSealed.toLatin1(), sealingContext(webhook.id));
        if (previous)
            out << QString::fromLatin1(*previous);
    }
    return out;
}

QNetworkRequest build(const WebhookRecord &webhook, const QStringList &secrets, const QString &eventId, const QString &eventType,
                      const QByteArray &body, qint64 timestampSeconds, int timeoutMs)
{
    QNetworkRequest request{QUrl(webhook.url)};
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("WaDesk/") + kVersion);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(timeoutMs);
    // Custom headers first, so they can never replace the signature headers below.
    for (auto it = webhook.headers.begin(); it != webhook.headers.end(); ++it)
        request.setRawHeader(it.key().toUtf8(), it.value().toString().toUtf8());
    request.setRawHeader("X-Webhook-Event", eventType.toUtf8());
    if (!secrets.isEmpty())
        request.setRawHeader("X-Webhook-Signature", WebhookSigner::guideSignature(secrets.first(), body));
    request.setRawHeader("webhook-id", eventId.toUtf8());
    request.setRawHeader("webhook-timestamp", QByteArray::number(timestampSeconds));
    QList<QByteArray> signatures;
    for (const QString &secret : secrets)
        signatures << WebhookSigner::standardSignature(secret, eventId, timestampSeconds, body);
    request.setRawHeader("webhook-signature", signatures.join(' '));
    return request;
}

} // namespace wadesk::WebhookRequest
