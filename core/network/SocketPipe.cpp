#include "core/network/SocketPipe.h"

#include <QTcpSocket>
#include <QTimer>

namespace wadesk {

SocketPipe::SocketPipe(QTcpSocket *a, QTcpSocket *b, QObject *parent) : QObject(parent), m_a(a), m_b(b)
{
    for (QTcpSocket *side : {a, b}) {
        side->setParent(this);
        side->setReadBufferSize(kReadChunk);
        connect(side, &QTcpSocket::disconnected, this, [this, side] { onClosed(side); });
        connect(side, &QTcpSocket::errorOccurred, this, [this, side](QAbstractSocket::SocketError error) {
            if (error == QAbstractSocket::RemoteHostClosedError)
                onClosed(side);
            else
                abort();
        });
    }
    connect(a, &QTcpSocket::readyRead, this, [this] { pump(m_a, m_b); });
    connect(b, &QTcpSocket::readyRead, this, [this] { pump(m_b, m_a); });
    // When a side's write buffer drains, the other side may be read again.
    connect(b, &QTcpSocket::bytesWritten, this, [this] { pump(m_a, m_b); });
    connect(a, &QTcpSocket::bytesWritten, this, [this] { pump(m_b, m_a); });
    // Bytes that arrived before the pipe existed (a pipelined request, a TLS hello).
    QTimer::singleShot(0, this, [this] {
        pump(m_a, m_b);
        pump(m_b, m_a);
        if (m_a && m_a->state() == QAbstractSocket::UnconnectedState)
            onClosed(m_a);
        if (m_b && m_b->state() == QAbstractSocket::UnconnectedState)
            onClosed(m_b);
    });
}

SocketPipe::~SocketPipe()
{
    m_finished = true; // no signal from a half-destroyed object
    abort();
}

void SocketPipe::pump(QTcpSocket *from, QTcpSocket *to)
{
    if (!from || !to)
        return;
    const bool toOpen = to->state() == QAbstractSocket::ConnectedState;
    while (from->bytesAvailable() > 0 && toOpen && to->bytesToWrite() < kHighWater) {
        const QByteArray chunk = from->read(kReadChunk);
        if (chunk.isEmpty())
            break;
        to->write(chunk);
        (from == m_a ? m_aToB : m_bToA) += chunk.size();
        m_peakBuffered = qMax(m_peakBuffered, to->bytesToWrite());
    }
    if (!toOpen && to->state() == QAbstractSocket::UnconnectedState)
        from->readAll(); // nobody left to receive it
}

void SocketPipe::onClosed(QTcpSocket *side)
{
    if (!side)
        return;
    QTcpSocket *other = side == m_a ? m_b.data() : m_a.data();
    if (other && other->state() == QAbstractSocket::ConnectedState) {
        // Flush what the closed side still had buffered, then close the other once written.
        while (side->bytesAvailable() > 0) {
            const QByteArray chunk = side->read(kReadChunk);
            if (chunk.isEmpty())
                break;
            other->write(chunk);
            (side == m_a ? m_aToB : m_bToA) += chunk.size();
        }
        m_peakBuffered = qMax(m_peakBuffered, other->bytesToWrite());
        other->disconnectFromHost();
    }
    checkFinished();
}

void SocketPipe::checkFinished()
{
    const bool aDone = !m_a || m_a->state() == QAbstractSocket::UnconnectedState;
    const bool bDone = !m_b || m_b->state() == QAbstractSocket::UnconnectedState;
    if (aDone && bDone && !m_finished) {
        m_finished = true;
        emit finished();
    }
}

void SocketPipe::abort()
{
    for (QTcpSocket *side : {m_a.data(), m_b.data()}) {
        if (side) {
            side->disconnect(this);
            side->abort();
        }
    }
    if (!m_finished) {
        m_finished = true;
        emit finished();
    }
}

} // namespace wadesk
