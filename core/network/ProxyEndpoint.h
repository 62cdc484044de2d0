#pragma once

#include <QString>
#include <QtGlobal>
#include <optional>

namespace wadesk {

// One upstream proxy as the network layer dials it: an HTTP proxy (CONNECT) or a SOCKS5 proxy,
// with its own credentials (the password already unsealed; never logged).
struct ProxyEndpoint {
    enum class Type { Http, Socks5 };
    Type type = Type::Http;
    QString host;
    quint16 port = 0;
    QString username; // empty: no authentication
    QString password;

    // "http" | "socks5" (exactly, lower case); nullopt for anything else.
    static std::optional<Type> parseType(const QString &name)
    {
        if (name == QLatin1String("http"))
            return Type::Http;
        if (name == QLatin1String("socks5"))
            return Type::Socks5;
        return std::nullopt;
    }
    static QString typeName(Type type) { return type == Type::Socks5 ? QStringLiteral("socks5") : QStringLiteral("http"); }
};

} // namespace wadesk
