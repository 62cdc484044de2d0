#pragma once

#include <QByteArray>
#include <QString>

namespace wadesk {

// Argon2id through libsodium (crypto_pwhash_str). Hashing is deliberately slow: callers on the
// API thread run it on a worker (QtConcurrent) and answer later.
class PasswordHasher {
public:
    enum class Cost { Interactive, Moderate, Minimal }; // Minimal: tests only

    explicit PasswordHasher(Cost cost = Cost::Interactive);
    static Cost parseCost(const QString &name, bool *ok = nullptr);

    QString hash(const QString &password) const;
    bool verify(const QString &password, const QString &storedHash) const;
    bool needsRehash(const QString &storedHash) const;
    // A valid hash of a random password: verifying unknown accounts against it costs the same
    // time as a real check, so response time does not reveal which emails exist.
    const QString &decoyHash() const { return m_decoy; }

    static constexpr int kMinLength = 8;
    static constexpr int kMaxLength = 256;

private:
    unsigned long long m_opsLimit;
    size_t m_memLimit;
    QString m_decoy;
};

} // namespace wadesk
