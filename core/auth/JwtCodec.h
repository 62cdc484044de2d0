#pragma once

#include "core/common/DomainError.h"

#include <QByteArray>
#include <QString>

namespace wadesk {

// HS256 tokens through libjwt. The algorithm is pinned: a token whose header names anything
// else (including "none") is refused before and after libjwt looks at it; `exp` is enforced.
class JwtCodec {
public:
    struct Claims {
        QString userId;         // sub
        QString organizationId; // org
        qint64 issuedAt = 0;    // iat, seconds
        qint64 expiresAt = 0;   // exp, seconds
    };

    JwtCodec(QByteArray key, qint64 lifetimeSeconds);
    QString issue(const QString &userId, const QString &organizationId, qint64 nowSeconds) const;
    Result<Claims> verify(const QString &token, qint64 nowSeconds) const;
    qint64 lifetimeSeconds() const { return m_lifetime; }
    static bool looksLikeJwt(const QString &text);

private:
    QByteArray m_key;
    qint64 m_lifetime;
};

} // namespace wadesk
