#include "core/http/ResponseStream.h"

#include <QIODevice>
#include <QTcpSocket>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
// Pieces large enough that loopback runs at memory speed, few enough that a slow client holds
// little: the socket is refilled when less than kHighWater bytes wait in it.
constexpr qint64 kPiece = 256 * 1024;
constexpr qint64 kHighWater = 1024 * 1024;
} // namespace

ResponseStream::ResponseStream(QTcpSocket *socket, std::shared_ptr<QIODevice> device, qint64 length, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_device(std::move(device))
    , m_remaining(length)
{
}

void ResponseStream::start()
{
    if (!m_socket) {
        finish(false);
        return;
    }
    connect(m_socket, &QTcpSocket::bytesWritten, this, &ResponseStream::pump);
    connect(m_socket, &QTcpSocket::disconnected, this, [this]() { finish(false); });
    connect(m_socket, &QObject::destroyed, this, [this]() { finish(false); });
    pump();
}

void ResponseStream::pump()
{
    if (m_done)
        return;
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        finish(false);
        return;
    }
    if (m_remaining < 0) {
        pumpChunks();
        return;
    }
    while (m_remaining > 0 && m_socket->bytesToWrite() < kHighWater) {
        const QByteArray piece = m_device->read(std::min(kPiece, m_remaining));
        if (piece.isEmpty()) {
            spdlog::error("http: a streamed body ended {} bytes early: {}", m_remaining, m_device->errorString().toStdString());
            finish(false);
            return;
        }
        m_socket->write(piece);
        m_remaining -= piece.size();
    }
    if (m_remaining == 0)
        finish(true);
}

void ResponseStream::pumpChunks()
{
    while (m_socket->bytesToWrite() < kHighWater) {
        const QByteArray piece = m_device->read(kPiece);
        if (piece.isEmpty()) {
            if (!m_device->atEnd()) {
                spdlog::error("http: a chunked body failed: {}", m_device->errorString().toStdString());
                finish(false);
                return;
            }
            m_socket->write("0\r\n\r\n");
            finish(true);
            return;
        }
        m_socket->write(QByteArray::number(piece.size(), 16) + "\r\n");
        m_socket->write(piece);
        m_socket->write("\r\n");
    }
}

void ResponseStream::finish(bool complete)
{
    if (m_done)
        return;
    m_done = true;
    if (m_socket)
        disconnect(m_socket, nullptr, this, nullptr);
    emit finished(complete);
    m_device.reset();
    deleteLater();
}

} // namespace wadesk
