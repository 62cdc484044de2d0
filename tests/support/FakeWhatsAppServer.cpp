#include "tests/support/FakeWhatsAppServer.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QUrlQuery>

namespace wadesk::test {

namespace {
constexpr qsizetype kMaxRequestBytes = 1 << 20;
}

FakeWhatsAppServer::FakeWhatsAppServer(QString fixtureDirectory, QObject *parent)
    : QObject(parent)
    , m_directory(fixtureDirectory.isEmpty() ? defaultFixtureDirectory() : std::move(fixtureDirectory))
{
    connect(&m_server, &QTcpServer::newConnection, this, [this]() {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, this, [this, socket]() { onReadyRead(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
}

FakeWhatsAppServer::~FakeWhatsAppServer()
{
    stop();
}

QString FakeWhatsAppServer::defaultFixtureDirectory()
{
    QString source = qEnvironmentVariable("WADESK_SOURCE_DIR");
    if (source.isEmpty()) // <src>/tests/support/FakeWhatsAppServer.cpp -> <src>
        source = QFileInfo(QStringLiteral(__FILE__)).absoluteDir().filePath(QStringLiteral("../.."));
    return QDir::cleanPath(QDir(source).filePath(QStringLiteral("tests/fixtures/fake-whatsapp")));
}

bool FakeWhatsAppServer::start(quint16 port, const QHostAddress &address)
{
    if (m_server.isListening())
        return true;
    if (!QFileInfo::exists(QDir(m_directory).filePath(QStringLiteral("index.html")))) {
        qWarning("FakeWhatsAppServer: no index.html in %s", qPrintable(m_directory));
        return false;
    }
    return m_server.listen(address, port);
}

void FakeWhatsAppServer::stop()
{
    m_server.close();
}

QString FakeWhatsAppServer::baseUrl() const
{
    return QStringLiteral("http://%1:%2").arg(m_server.serverAddress().toString()).arg(port());
}

QUrl FakeWhatsAppServer::pageUrl(const QString &session, const QList<QPair<QString, QString>> &options) const
{
    QUrl url(baseUrl() + QStringLiteral("/index.html"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("control"), baseUrl());
    query.addQueryItem(QStringLiteral("session"), session);
    for (const auto &[key, value] : options)
        query.addQueryItem(key, value);
    url.setQuery(query);
    return url;
}

void FakeWhatsAppServer::enqueue(const QString &session, const QString &cmd, const QJsonArray &args)
{
    m_queues[session].append(QJsonObject{{QStringLiteral("cmd"), cmd}, {QStringLiteral("args"), args}});
}

int FakeWhatsAppServer::count(const QString &prefix) const
{
    int n = 0;
    for (const QString &line : m_log)
        n += line.startsWith(prefix) ? 1 : 0;
    return n;
}

void FakeWhatsAppServer::onReadyRead(QTcpSocket *socket)
{
    QByteArray buffer = socket->property("wadeskBuffer").toByteArray() + socket->readAll();
    if (buffer.size() > kMaxRequestBytes) {
        socket->abort();
        return;
    }
    const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        socket->setProperty("wadeskBuffer", buffer);
        return;
    }
    const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
    qsizetype length = 0;
    for (const QByteArray &line : lines) {
        if (line.toLower().startsWith("content-length:"))
            length = line.mid(15).trimmed().toLongLong();
    }
    if (buffer.size() < headerEnd + 4 + length) {
        socket->setProperty("wadeskBuffer", buffer);
        return;
    }
    socket->setProperty("wadeskBuffer", QByteArray());
    socket->disconnect(this); // one request per connection (we answer with Connection: close)

    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    const QByteArray method = requestLine.value(0);
    const QByteArray target = requestLine.value(1);
    const QByteArray body = buffer.mid(headerEnd + 4, length);
    m_log << QString::fromLatin1(method + ' ' + target);

    const QUrl url(QStringLiteral("http://127.0.0.1") + QString::fromLatin1(target));
    const QString path = url.path();
    const QString session = QUrlQuery(url).queryItemValue(QStringLiteral("session"), QUrl::FullyDecoded);

    if (method == "OPTIONS") {
        respond(socket, "204 No Content", "text/plain", {});
    } else if (method == "GET" && path == QLatin1String("/next")) {
        m_polls[session] += 1;
        const QJsonArray commands = m_queues.take(session);
        respond(socket, "200 OK", "application/json", QJsonDocument(commands).toJson(QJsonDocument::Compact));
    } else if (method == "POST" && path == QLatin1String("/result")) {
        const QJsonArray results = QJsonDocument::fromJson(body).array();
        respond(socket, "204 No Content", "text/plain", {});
        for (const QJsonValue &r : results) {
            m_results[session].append(r.toObject());
            emit resultPosted(session, r.toObject());
        }
    } else if (method == "POST" && path == QLatin1String("/received")) {
        respond(socket, "204 No Content", "text/plain", {});
        m_received[session].append(QJsonDocument::fromJson(body).object());
    } else if (method == "GET" || method == "HEAD") {
        QString file = path == QLatin1String("/") ? QStringLiteral("index.html") : path.mid(1);
        // Only the fixture's own files, no sub-directories, nothing hidden.
        const bool plainName = !file.isEmpty() && !file.contains(QLatin1Char('/')) && !file.startsWith(QLatin1Char('.'));
        QFile f(QDir(m_directory).filePath(file));
        if (plainName && f.open(QIODevice::ReadOnly)) {
            const QByteArray type = file.endsWith(QLatin1String(".html")) ? "text/html; charset=utf-8"
                : file.endsWith(QLatin1String(".js"))                     ? "text/javascript; charset=utf-8"
                                                                          : "application/octet-stream";
            respond(socket, "200 OK", type, method == "HEAD" ? QByteArray() : f.readAll());
        } else {
            respond(socket, "404 Not Found", "text/plain", "not found");
        }
    } else {
        respond(socket, "405 Method Not Allowed", "text/plain", "method not allowed");
    }
}

void FakeWhatsAppServer::respond(QTcpSocket *socket, const QByteArray &status, const QByteArray &contentType,
                                 const QByteArray &body)
{
    const QByteArray head = "HTTP/1.1 " + status + "\r\n"
                            "Content-Type: " + contentType + "\r\n"
                            "Cache-Control: no-store\r\n"
                            "Access-Control-Allow-Origin: *\r\n"
                            "Access-Control-Allow-Methods: GET, POST\r\n"
                            "Access-Control-Allow-Headers: Content-Type\r\n"
                            "Connection: close\r\n"
                            "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    socket->write(head + body);
    socket->disconnectFromHost();
}

} // namespace wadesk::test
