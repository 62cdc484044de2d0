#include "core/auth/PasswordHasher.h"

#include <sodium.h>
#include <stdexcept>

namespace wadesk {

PasswordHasher::PasswordHasher(Cost cost)
{
    if (sodium_init() < 0)
        throw std::runtime_error("libsodium failed to initialize");
    switch (cost) {
    case Cost::Interactive:
        m_opsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
        m_memLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
        break;
    case Cost::Moderate:
        m_opsLimit = crypto_pwhash_OPSLIMIT_MODERATE;
        m_memLimit = crypto_pwhash_MEMLIMIT_MODERATE;
        break;
    case Cost::Minimal:
        m_opsLimit = crypto_pwhash_OPSLIMIT_MIN;
        m_memLimit = crypto_pwhash_MEMLIMIT_MIN;
        break;
    }
    unsigned char random[24];
    randombytes_buf(random, sizeof random);
    m_decoy = hash(QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(random), sizeof random).toBase64()));
}

PasswordHasher::Cost PasswordHasher::parseCost(const QString &name, bool *ok)
{
    if (ok)
        *ok = true;
    if (name == QLatin1String("moderate"))
        return Cost::Moderate;
    if (name == QLatin1String("min"))
        return Cost::Minimal;
    if (ok && name != QLatin1String("interactive"))
        *ok = false;
    return Cost::Interactive;
}

QString PasswordHasher::hash(const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, utf8.constData(), size_t(utf8.size()), m_opsLimit, m_memLimit,
                              crypto_pwhash_ALG_ARGON2ID13)
        != 0)
        throw std::runtime_error("argon2id hashing ran out of memory");
    return QString::fromLatin1(out);
}

bool PasswordHasher::verify(const QString &password, const QString &storedHash) const
{
    const QByteArray utf8 = password.toUtf8();
    const QByteArray stored = storedHash.toLatin1();
    return crypto_pwhash_str_verify(stored.constData(), utf8.constData(), size_t(utf8.size())) == 0;
}

bool PasswordHasher::needsRehash(const QString &storedHash) const
{
    const QByteArray stored = storedHash.toLatin1();
    return crypto_pwhash_str_needs_rehash(stored.constData(), m_opsLimit, m_memLimit) != 0;
}

} // namespace wadesk
