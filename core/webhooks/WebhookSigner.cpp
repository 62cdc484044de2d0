#include "core/webhooks/WebhookSigner.h"

#include "core/secrets/AesGcm.h"

#include <QMessageAuthenticationCode>

namespace wadesk::WebhookSigner {

QString newSecret()
{
    return QStringLiteral("whsec_") + QString::fromLatin1(AesGcm::randomBytes(24).toBase64());
}

QByteArray guideSignature(const QString &secret, const QByteArray &body)
{
    return "sha256=" + QMessageAuthenticationCode::hash(body, secret.toUtf8(), QCryptographicHash::Sha256).toHex();
}

QByteArray standardSignature(const QString &secret, const QString &messageId, qint64 timestampSeconds, const QByteArray &body)
{
    const QString encoded = secret.startsWith(QLatin1String("whsec_")) ? secret.mid(6) : secret;
    const QByteArray key = QByteArray::fromBase64(encoded.toLatin1());
    const QByteArray content = messageId.toUtf8() + '.' + QByteArray::number(timestampSeconds) + '.' + body;
    return "v1," + QMessageAuthenticationCode::hash(content, key, QCryptographicHash::Sha256).toBase64();
}

} // namespace wadesk::WebhookSigner
