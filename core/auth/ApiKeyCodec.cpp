#include "core/auth/ApiKeyCodec.h"

#include "core/secrets/AesGcm.h"

#include <QCryptographicHash>
#include <openssl/crypto.h>

namespace wadesk::ApiKeyCodec {

NewKey generate()
{
    NewKey key;
    key.plaintext = QStringLiteral("sk_")
        + QString::fromLatin1(AesGcm::randomBytes(32).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    key.hash = hashOf(key.plaintext);
    key.prefix = key.plaintext.left(9);
    key.lastFour = key.plaintext.right(4);
    return key;
}

QString hashOf(const QString &plaintext)
{
    return QString::fromLatin1(QCryptographicHash::hash(plaintext.toUtf8(), QCryptographicHash::Sha256).toHex());
}

bool looksLikeKey(const QString &text)
{
    return text.startsWith(QLatin1String("sk_")) && text.size() >= 20 && text.size() <= 200;
}

bool sameHash(const QString &a, const QString &b)
{
    const QByteArray x = a.toLatin1();
    const QByteArray y = b.toLatin1();
    return x.size() == y.size() && CRYPTO_memcmp(x.constData(), y.constData(), size_t(x.size())) == 0;
}

} // namespace wadesk::ApiKeyCodec
