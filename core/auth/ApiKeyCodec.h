#pragma once

#include <QByteArray>
#include <QString>

namespace wadesk {

// API keys: "sk_" + 43 base64url characters (32 random bytes). Only the SHA-256 of a key is
// stored, with a short visible prefix and the last four characters so people can tell keys apart.
namespace ApiKeyCodec {
struct NewKey {
    QString plaintext; // shown once
    QString hash;      // hex SHA-256, what the database keeps
    QString prefix;    // "sk_" + 6 characters
    QString lastFour;
};
NewKey generate();
QString hashOf(const QString &plaintext);
bool looksLikeKey(const QString &text);
// Constant-time comparison of two hex hashes.
bool sameHash(const QString &a, const QString &b);
} // namespace ApiKeyCodec

} // namespace wadesk
