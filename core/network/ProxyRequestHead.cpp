#include "core/network/ProxyRequestHead.h"

#include <QUrl>

namespace wadesk {

namespace {
bool isToken(const QByteArray &text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                        || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

// "host:port", "[v6]:port"; the port is required.
bool splitAuthority(const QByteArray &authority, QString *host, quint16 *port)
{
    const int colon = authority.lastIndexOf(':');
    if (colon <= 0)
        return false;
    QByteArray name = authority.left(colon);
    bool ok = false;
    const QByteArray portText = authority.mid(colon + 1);
    const uint number = portText.toUInt(&ok);
    if (!ok || number == 0 || number > 65535 || portText.startsWith('+'))
        return false;
    if (name.startsWith('[')) {
        if (!name.endsWith(']'))
            return false;
        name = name.mid(1, name.size() - 2);
        if (!name.contains(':'))
            return false;
    } else if (name.contains(':')) {
        return false;
    }
    QUrl url;
    url.setHost(QString::fromUtf8(name), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return false;
    *host = url.host();
    *port = quint16(number);
    return true;
}
} // namespace

QByteArray ProxyRequestHead::header(const QByteArray &name) const
{
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    return {};
}

std::optional<ProxyRequestHead> ProxyRequestHead::parse(const QByteArray &head, QString *error)
{
    const QList<QByteArray> lines = head.split('\n');
    if (lines.isEmpty()) {
        *error = QStringLiteral("empty request");
        return std::nullopt;
    }
    auto stripCr = [](QByteArray line) {
        if (line.endsWith('\r'))
            line.chop(1);
        return line;
    };
    ProxyRequestHead parsed;
    const QByteArray requestLine = stripCr(lines.first());
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !isToken(parts.at(0)) || parts.at(1).isEmpty()
        || (parts.at(2) != "HTTP/1.1" && parts.at(2) != "HTTP/1.0")) {
        *error = QStringLiteral("bad request line");
        return std::nullopt;
    }
    parsed.method = parts.at(0);
    parsed.version = parts.at(2);
    const QByteArray target = parts.at(1);
    if (parsed.method == "CONNECT") {
        parsed.form = Form::Connect;
        if (!splitAuthority(target, &parsed.host, &parsed.port)) {
            *error = QStringLiteral("CONNECT needs host:port");
            return std::nullopt;
        }
    } else if (target.startsWith("http://")) {
        parsed.form = Form::AbsoluteHttp;
        const QUrl url(QString::fromUtf8(target), QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty()) {
            *error = QStringLiteral("bad absolute URL");
            return std::nullopt;
        }
        const int port = url.port(80);
        if (port <= 0 || port > 65535) {
            *error = QStringLiteral("bad port");
            return std::nullopt;
        }
        parsed.host = url.host();
        parsed.port = quint16(port);
        // The path and query exactly as sent (no re-encoding), after the authority.
        qsizetype rest = 7;
        while (rest < target.size() && target.at(rest) != '/' && target.at(rest) != '?' && target.at(rest) != '#')
            ++rest;
        QByteArray origin = target.mid(rest);
        const int fragment = origin.indexOf('#');
        if (fragment >= 0)
            origin.truncate(fragment);
        if (!origin.startsWith('/'))
            origin.prepend('/');
        parsed.originTarget = origin;
    } else {
        *error = QStringLiteral("only CONNECT and absolute http:// requests are proxied");
        return std::nullopt;
    }
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = stripCr(lines.at(i));
        if (line.isEmpty())
            continue;
        const int colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.left(colon))) {
            *error = QStringLiteral("bad header line");
            return std::nullopt;
        }
        parsed.headers.append({line.left(colon), line.mid(colon + 1).trimmed()});
    }
    return parsed;
}

std::optional<ProxyRequestHead::Credentials> ProxyRequestHead::basicCredentials() const
{
    const QByteArray value = header("Proxy-Authorization");
    const int space = value.indexOf(' ');
    if (space <= 0 || value.left(space).compare("Basic", Qt::CaseInsensitive) != 0)
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(value.mid(space + 1).trimmed(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return std::nullopt;
    const int colon = decoded.decoded.indexOf(':');
    if (colon <= 0)
        return std::nullopt;
    return Credentials{QString::fromUtf8(decoded.decoded.left(colon)), decoded.decoded.mid(colon + 1)};
}

QByteArray ProxyRequestHead::originFormHead() const
{
    // Headers named in Connection are hop-by-hop too.
    QList<QByteArray> dropped = {"proxy-authorization", "proxy-connection", "connection", "keep-alive",
                                 "proxy-authenticate", "te", "trailer", "upgrade"};
    for (const QByteArray &name : header("Connection").split(','))
        if (!name.trimmed().isEmpty())
            dropped.append(name.trimmed().toLower());
    QByteArray out = method + ' ' + originTarget + ' ' + version + "\r\n";
    for (const auto &h : headers) {
        if (dropped.contains(h.first.toLower()))
            continue;
        out += h.first + ": " + h.second + "\r\n";
    }
    if (header("Host").isEmpty())
        out += "Host: " + (port == 80 ? QUrl::toAce(host) : QUrl::toAce(host) + ':' + QByteArray::number(port)) + "\r\n";
    out += "Connection: close\r\n\r\n";
    return out;
}

} // namespace wadesk
