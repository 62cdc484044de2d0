#include "ui/shell/SingleInstance.h"

#include <QCryptographicHash>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QTimer>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace wadesk {

namespace {
const QByteArray kRaise = QByteArrayLiteral("raise\n");
const QByteArray kAnswer = QByteArrayLiteral("ok\n");
// A connection that has not sent its line by then is dropped (nothing of ours takes that long).
constexpr int kLineTimeoutMs = 2000;
} // namespace

SingleInstance::SingleInstance(QString dataDir, QObject *parent)
    : QObject(parent)
    , m_name(serverName(dataDir))
{
}

SingleInstance::~SingleInstance() = default;

QString SingleInstance::serverName(const QString &dataDir)
{
    const QByteArray key = QDir::cleanPath(dataDir).toUtf8() + '\0' + QByteArray::number(qulonglong(::getuid()));
    return QStringLiteral("wadesk-") + QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(24));
}

bool SingleInstance::notifyRunning(int timeoutMs) const
{
    QLocalSocket socket;
    socket.connectToServer(m_name);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    socket.write(kRaise);
    if (!socket.waitForBytesWritten(timeoutMs))
        return false;
    QByteArray answer;
    while (!answer.contains('\n') && socket.waitForReadyRead(timeoutMs))
        answer += socket.readAll();
    return answer == kAnswer;
}

bool SingleInstance::listen()
{
    if (m_server)
        return true;
    auto *server = new QLocalServer(this);
    server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!server->listen(m_name)) {
        // A socket file left by a crashed instance (nobody answered notifyRunning): take it over.
        QLocalServer::removeServer(m_name);
        if (!server->listen(m_name)) {
            spdlog::warn("single instance: cannot listen on {}: {}", m_name.toStdString(), server->errorString().toStdString());
            delete server;
            return false;
        }
    }
    m_server = server;
    connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
    return true;
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        // Parented to the socket: it goes with it.
        auto *deadline = new QTimer(socket);
        deadline->setSingleShot(true);
        connect(deadline, &QTimer::timeout, socket, [socket]() {
            spdlog::warn("single instance: a connection sent nothing usable in {} ms; dropped", kLineTimeoutMs);
            socket->abort();
            socket->deleteLater(); // abort() of a socket that never left the connected state may not emit disconnected
        });
        deadline->start(kLineTimeoutMs);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket, deadline]() {
            if (socket->bytesAvailable() > 64) { // not one of ours
                socket->abort();
                return;
            }
            if (!socket->canReadLine())
                return;
            const QByteArray line = socket->readLine();
            deadline->stop();
            if (line == kRaise) {
                socket->write(kAnswer);
                socket->flush();
                spdlog::info("another launch asked this window to come to the front");
                emit raiseRequested();
            }
            socket->disconnectFromServer();
        });
    }
}

} // namespace wadesk
