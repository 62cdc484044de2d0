#include "core/secrets/AesGcm.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <memory>
#include <stdexcept>

namespace wadesk {

namespace {
constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;
const QByteArray kVersionPrefix = QByteArrayLiteral("v1:");

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
} // namespace

AesGcm::AesGcm(QByteArray key)
    : m_key(std::move(key))
{
    if (m_key.size() != kKeyBytes)
        throw std::invalid_argument("AES-256-GCM needs a 32-byte key");
}

AesGcm::~AesGcm()
{
    OPENSSL_cleanse(m_key.data(), size_t(m_key.size()));
}

QByteArray AesGcm::randomBytes(int count)
{
    QByteArray out(count, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), count) != 1)
        throw std::runtime_error("the system random generator failed");
    return out;
}

QByteArray AesGcm::seal(const QByteArray &plaintext, const QByteArray &associatedData) const
{
    const QByteArray nonce = randomBytes(kNonceBytes);
    CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    QByteArray ciphertext(plaintext.size(), Qt::Uninitialized);
    QByteArray tag(kTagBytes, Qt::Uninitialized);
    int len = 0;
    const auto *key = reinterpret_cast<const unsigned char *>(m_key.constData());
    const auto *iv = reinterpret_cast<const unsigned char *>(nonce.constData());
    bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1
        && EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key, iv) == 1;
    if (ok && !associatedData.isEmpty())
        ok = EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char *>(associatedData.constData()),
                               int(associatedData.size())) == 1;
    if (ok && !plaintext.isEmpty())
        ok = EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(ciphertext.data()), &len,
                               reinterpret_cast<const unsigned char *>(plaintext.constData()), int(plaintext.size())) == 1;
    ok = ok && EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(ciphertext.data()) + len, &len) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) == 1;
    if (!ok)
        throw std::runtime_error("AES-256-GCM encryption failed");
    return kVersionPrefix + (nonce + ciphertext + tag).toBase64();
}

std::optional<QByteArray> AesGcm::open(const QByteArray &sealed, const QByteArray &associatedData) const
{
    if (!sealed.startsWith(kVersionPrefix))
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(sealed.mid(kVersionPrefix.size()),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() < kNonceBytes + kTagBytes)
        return std::nullopt;
    const QByteArray &raw = decoded.decoded;
    const QByteArray nonce = raw.left(kNonceBytes);
    const QByteArray tag = raw.right(kTagBytes);
    const QByteArray ciphertext = raw.mid(kNonceBytes, raw.size() - kNonceBytes - kTagBytes);

    CipherContext ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    QByteArray plaintext(ciphertext.size(), Qt::Uninitialized);
    int len = 0;
    bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1
        && EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, reinterpret_cast<const unsigned char *>(m_key.constData()),
                              reinterpret_cast<const unsigned char *>(nonce.constData())) == 1;
    if (ok && !associatedData.isEmpty())
        ok = EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char *>(associatedData.constData()),
                               int(associatedData.size())) == 1;
    if (ok && !ciphertext.isEmpty())
        ok = EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(plaintext.data()), &len,
                               reinterpret_cast<const unsigned char *>(ciphertext.constData()), int(ciphertext.size())) == 1;
    QByteArray tagCopy = tag;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tagCopy.data()) == 1
        && EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(plaintext.data()) + len, &len) == 1;
    if (!ok)
        return std::nullopt;
    return plaintext;
}

} // namespace wadesk
