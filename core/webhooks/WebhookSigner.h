#pragma once

#include <QByteArray>
#include <QString>

namespace wadesk {

// The two signatures every delivery carries:
// - the guide's (docs/integration-guide.md) `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, body)>`, keyed with the
//   secret string exactly as returned at registration;
// - Standard Webhooks `webhook-signature: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`,
//   keyed with the base64-decoded part of the secret after "whsec_".
namespace WebhookSigner {
QString newSecret(); // "whsec_" + base64 of 24 random bytes
QByteArray guideSignature(const QString &secret, const QByteArray &body);
QByteArray standardSignature(const QString &secret, const QString &messageId, qint64 timestampSeconds, const QByteArray &body);
} // namespace WebhookSigner

} // namespace wadesk
