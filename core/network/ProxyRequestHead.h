#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <optional>

namespace wadesk {

// The head of one request to the forwarding proxy, parsed strictly: a CONNECT host:port or an
// absolute-form http:// request (what Chromium sends for plain-http targets), its headers, and the
// Basic proxy credentials. Anything else is a clear error, never a guess.
struct ProxyRequestHead {
    enum class Form { Connect, AbsoluteHttp };
    Form form = Form::Connect;
    QByteArray method;
    QString host;  // without brackets for IPv6
    quint16 port = 0;
    QByteArray originTarget; // AbsoluteHttp: path and query ("/x?y")
    QByteArray version;      // "HTTP/1.1"
    QList<QPair<QByteArray, QByteArray>> headers; // as received, in order

    // The value of the first header of that name (case-insensitive), or empty.
    QByteArray header(const QByteArray &name) const;

    // Parses the bytes up to (not including) the blank line. On failure, `error` says why.
    static std::optional<ProxyRequestHead> parse(const QByteArray &head, QString *error);

    struct Credentials {
        QString user;
        QByteArray password;
    };
    // Proxy-Authorization: Basic base64(user:password); nullopt when missing, not Basic, not
    // valid base64, or without a colon.
    std::optional<Credentials> basicCredentials() const;

    // AbsoluteHttp: the request in origin-form, without Proxy-* headers and hop-by-hop connection
    // headers, with `Connection: close`, ending with the blank line.
    QByteArray originFormHead() const;
};

} // namespace wadesk
