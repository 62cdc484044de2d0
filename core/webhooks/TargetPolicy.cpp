#include "core/webhooks/TargetPolicy.h"

namespace wadesk::TargetPolicy {

Status checkUrl(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty())
        return DomainError::validation(QStringLiteral("url"), QStringLiteral("url must be an absolute http or https URL"));
    if (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http"))
        return DomainError::validation(QStringLiteral("url"), QStringLiteral("url must use http or https"));
    if (!url.userInfo().isEmpty())
        return DomainError::validation(QStringLiteral("url"), QStringLiteral("url must not carry credentials; use custom headers"));
    if (url.toString().size() > 2048)
        return DomainError::validation(QStringLiteral("url"), QStringLiteral("url must be at most 2048 characters"));
    return {};
}

bool isPrivate(const QHostAddress &raw)
{
    QHostAddress address = raw;
    bool mapped = false;
    const quint32 v4 = raw.toIPv4Address(&mapped); // also unwraps ::ffff:a.b.c.d
    if (mapped)
        address = QHostAddress(v4);
    if (address.isLoopback() || address.isNull() || address.isMulticast() || address.isLinkLocal() || address.isUniqueLocalUnicast()
        || address.isSiteLocal() || address.isBroadcast())
        return true;
    if (address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6)
        return true;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        static const QList<QPair<QHostAddress, int>> ranges = {
            QHostAddress::parseSubnet(QStringLiteral("0.0.0.0/8")),     QHostAddress::parseSubnet(QStringLiteral("10.0.0.0/8")),
            QHostAddress::parseSubnet(QStringLiteral("100.64.0.0/10")), QHostAddress::parseSubnet(QStringLiteral("127.0.0.0/8")),
            QHostAddress::parseSubnet(QStringLiteral("169.254.0.0/16")), QHostAddress::parseSubnet(QStringLiteral("172.16.0.0/12")),
            QHostAddress::parseSubnet(QStringLiteral("192.0.0.0/24")),  QHostAddress::parseSubnet(QStringLiteral("192.168.0.0/16")),
            QHostAddress::parseSubnet(QStringLiteral("198.18.0.0/15")), QHostAddress::parseSubnet(QStringLiteral("224.0.0.0/3")),
        };
        for (const auto &range : ranges) {
            if (address.isInSubnet(range))
                return true;
        }
    }
    return false;
}

Status checkAddresses(const QString &host, const QList<QHostAddress> &addresses, bool allowPrivate)
{
    if (addresses.isEmpty())
        return DomainError::validation(QStringLiteral("url"), QStringLiteral("the host %1 does not resolve").arg(host));
    if (allowPrivate)
        return {};
    for (const QHostAddress &a : addresses) {
        if (isPrivate(a)) {
            DomainError e = DomainError::validation(
                QStringLiteral("url"), QStringLiteral("the host %1 resolves to a private or local address (%2); such targets are refused")
                                           .arg(host, a.toString()));
            e.code = QStringLiteral("target_not_allowed");
            return e;
        }
    }
    return {};
}

Status checkRegistration(const QString &host, const QList<QHostAddress> &addresses, bool allowPrivate)
{
    if (addresses.isEmpty())
        return {};
    return checkAddresses(host, addresses, allowPrivate);
}

} // namespace wadesk::TargetPolicy
