#include "core/proxies/ProxyRules.h"

#include <QHostAddress>
#include <QLocale>
#include <QRegularExpression>

namespace wadesk::ProxyRules {

namespace {
bool hasControlCharacter(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.category() == QChar::Other_Control)
            return true;
    }
    return false;
}
} // namespace

Result<ProxyEndpoint::Type> type(const QString &name)
{
    const std::optional<ProxyEndpoint::Type> parsed = ProxyEndpoint::parseType(name);
    if (!parsed)
        return DomainError::validation(QStringLiteral("type"), QStringLiteral("type must be http or socks5"));
    return *parsed;
}

Result<QString> host(const QString &given)
{
    const DomainError bad = DomainError::validation(
        QStringLiteral("host"), QStringLiteral("host must be a host name or an IP address (at most %1 characters, no spaces)").arg(kMaxHostLength));
    if (given.isEmpty() || given.size() > kMaxHostLength + 2 || hasControlCharacter(given) || given.contains(QLatin1Char(' ')))
        return bad;
    QString text = given;
    if (text.startsWith(QLatin1Char('[')) && text.endsWith(QLatin1Char(']')))
        text = text.mid(1, text.size() - 2);
    QHostAddress address;
    if (address.setAddress(text)) {
        // Only plain literals: no IPv6 scope ("%eth0"), which a hostname column cannot round-trip.
        if (text.contains(QLatin1Char('%')))
            return bad;
        return address.protocol() == QAbstractSocket::IPv6Protocol ? address.toString() : text;
    }
    text = text.toLower();
    if (text.endsWith(QLatin1Char('.')))
        text.chop(1); // the root label
    if (text.isEmpty() || text.size() > kMaxHostLength)
        return bad;
    static const QRegularExpression label(QStringLiteral("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"));
    const QStringList labels = text.split(QLatin1Char('.'));
    for (const QString &l : labels) {
        if (!label.match(l).hasMatch())
            return bad;
    }
    // "300.1.1.1" or "1.2.3": not a valid address, and an all-numeric top label is no host name.
    static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
    if (digits.match(labels.last()).hasMatch())
        return bad;
    return text;
}

Status port(int port)
{
    if (port < 1 || port > 65535)
        return DomainError::validation(QStringLiteral("port"), QStringLiteral("port must be a whole number from 1 to 65535"));
    return {};
}

Status credentials(ProxyEndpoint::Type type, const QString &username, bool hasPassword, const QString &newPassword)
{
    if (username.toUtf8().size() > kMaxCredentialBytes || hasControlCharacter(username))
        return DomainError::validation(QStringLiteral("username"),
                                       QStringLiteral("username must be at most %1 bytes without control characters").arg(kMaxCredentialBytes));
    if (type == ProxyEndpoint::Type::Http && username.contains(QLatin1Char(':')))
        return DomainError::validation(QStringLiteral("username"), QStringLiteral("an HTTP proxy's username cannot contain ':'"));
    if (newPassword.toUtf8().size() > kMaxCredentialBytes || hasControlCharacter(newPassword))
        return DomainError::validation(QStringLiteral("password"),
                                       QStringLiteral("password must be at most %1 bytes without control characters").arg(kMaxCredentialBytes));
    if (hasPassword && username.isEmpty())
        return DomainError::validation(QStringLiteral("password"), QStringLiteral("a password needs a username"));
    return {};
}

Result<QString> label(const QString &given)
{
    const QString text = given.trimmed();
    if (text.isEmpty() || text.size() > kMaxLabelLength || hasControlCharacter(text))
        return DomainError::validation(QStringLiteral("label"),
                                       QStringLiteral("label must be 1 to %1 characters without control characters").arg(kMaxLabelLength));
    return text;
}

Result<QString> country(const QString &given)
{
    if (given.isEmpty())
        return QString();
    const QString code = given.toUpper();
    static const QRegularExpression alpha2(QStringLiteral("^[A-Z]{2}$"));
    if (!alpha2.match(code).hasMatch() || QLocale::codeToTerritory(code) == QLocale::AnyTerritory)
        return DomainError::validation(QStringLiteral("country"), QStringLiteral("country must be an ISO 3166 two-letter code such as DE or US"));
    return code;
}

Status maxClients(int maxClients)
{
    if (maxClients < kMinClients || maxClients > kMaxClients)
        return DomainError::validation(QStringLiteral("max_clients"),
                                       QStringLiteral("max_clients must be a whole number from %1 to %2").arg(kMinClients).arg(kMaxClients));
    return {};
}

QString defaultLabel(const QString &host, quint16 port)
{
    return (host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host) + QLatin1Char(':') + QString::number(port);
}

} // namespace wadesk::ProxyRules
