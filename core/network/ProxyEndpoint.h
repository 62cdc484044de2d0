#pragma once

#include <QString>
#include <optional>

namespace wadesk {

// An upstream proxy as WaDesk connects to it: HTTP (CONNECT) or SOCKS5, with optional
// username/password (empty username: no authentication).
struct ProxyEndpoint {
    enum class Type { Http, Socks5 };
    Type type = Type::Http;
    QString host;
    quint16 port = 0;
    QString username;
    QString password; // empty: no authentication

    // "http" | "socks5" (case-insensitive); nullopt for anything else.
    static std::optional<Type> parseType(const QString &name)
    {
        const QString lower = name.trimmed().toLower();
        if (lower == QLatin1String("http"))
            return Type::Http;
        if (lower == QLatin1String("socks5"))
            return Type::Socks5;
        return std::nullopt;
    }
    static QString typeName(Type type)
    {
        return type == Type::Socks5 ? QStringLiteral("socks5") : QStringLiteral("http");
    }
};

} // namespace wadesk
