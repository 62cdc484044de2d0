#include "core/auth/JwtCodec.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <jwt.h>
#include <cstdlib>
#include <memory>

namespace wadesk {

namespace {
using JwtPtr = std::unique_ptr<jwt_t, decltype(&jwt_free)>;

DomainError invalidToken(const QString &why = QStringLiteral("Invalid token"))
{
    return DomainError::unauthorized(why, QStringLiteral("invalid_token"));
}
} // namespace

JwtCodec::JwtCodec(QByteArray key, qint64 lifetimeSeconds)
    : m_key(std::move(key))
    , m_lifetime(lifetimeSeconds)
{
}

bool JwtCodec::looksLikeJwt(const QString &text)
{
    return text.count(QLatin1Char('.')) == 2 && text.size() < 4096;
}

QString JwtCodec::issue(const QString &userId, const QString &organizationId, qint64 nowSeconds) const
{
    jwt_t *raw = nullptr;
    if (jwt_new(&raw) != 0)
        return {};
    JwtPtr jwt(raw, jwt_free);
    jwt_add_grant(jwt.get(), "sub", userId.toUtf8().constData());
    jwt_add_grant(jwt.get(), "org", organizationId.toUtf8().constData());
    jwt_add_grant(jwt.get(), "iss", "wadesk");
    jwt_add_grant_int(jwt.get(), "iat", long(nowSeconds));
    jwt_add_grant_int(jwt.get(), "exp", long(nowSeconds + m_lifetime));
    jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char *>(m_key.constData()), int(m_key.size()));
    char *encoded = jwt_encode_str(jwt.get());
    if (!encoded)
        return {};
    const QString token = QString::fromLatin1(encoded);
    std::free(encoded);
    return token;
}

Result<JwtCodec::Claims> JwtCodec::verify(const QString &token, qint64 nowSeconds) const
{
    if (!looksLikeJwt(token))
        return invalidToken();
    // Pin the algorithm before libjwt sees the token.
    const QByteArray headerPart = token.section(QLatin1Char('.'), 0, 0).toLatin1();
    const QJsonObject header = QJsonDocument::fromJson(
                                   QByteArray::fromBase64(headerPart, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals))
                                   .object();
    if (header.value(QStringLiteral("alg")).toString() != QLatin1String("HS256"))
        return invalidToken(QStringLiteral("Token algorithm not accepted"));

    jwt_t *raw = nullptr;
    const QByteArray utf8 = token.toLatin1();
    if (jwt_decode(&raw, utf8.constData(), reinterpret_cast<const unsigned char *>(m_key.constData()), int(m_key.size())) != 0
        || !raw)
        return invalidToken();
    JwtPtr jwt(raw, jwt_free);
    if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256)
        return invalidToken(QStringLiteral("Token algorithm not accepted"));

    Claims claims;
    const char *sub = jwt_get_grant(jwt.get(), "sub");
    const char *org = jwt_get_grant(jwt.get(), "org");
    if (!sub || !org)
        return invalidToken();
    claims.userId = QString::fromUtf8(sub);
    claims.organizationId = QString::fromUtf8(org);
    claims.issuedAt = jwt_get_grant_int(jwt.get(), "iat");
    claims.expiresAt = jwt_get_grant_int(jwt.get(), "exp");
    if (claims.expiresAt <= 0)
        return invalidToken();
    if (claims.expiresAt <= nowSeconds)
        return DomainError::unauthorized(QStringLiteral("Token expired"), QStringLiteral("token_expired"));
    return claims;
}

} // namespace wadesk
