#pragma once

#include <QObject>
#include <QPointer>

class QTcpSocket;

namespace wadesk {

// Copies bytes both ways between two connected sockets with bounded buffers: a side is read only
// while the other side's write buffer holds less than `highWater` bytes, and each socket's Qt read
// buffer is capped, so a fast sender facing a slow receiver is held back by TCP flow control
// instead of filling memory. When one side closes, what it sent is flushed to the other, which
// is then closed too; finished() follows once both are closed. Takes ownership of both sockets.
class SocketPipe final : public QObject {
    Q_OBJECT
public:
    static constexpr qint64 kHighWater = 1024 * 1024;
    static constexpr qint64 kReadChunk = 64 * 1024;

    SocketPipe(QTcpSocket *a, QTcpSocket *b, QObject *parent = nullptr);
    ~SocketPipe() override;

    // Bytes moved a→b and b→a so far.
    qint64 bytesAtoB() const { return m_aToB; }
    qint64 bytesBtoA() const { return m_bToA; }
    // The most bytes ever waiting in either side's write buffer (for tests and metrics).
    qint64 peakBuffered() const { return m_peakBuffered; }
    // Aborts both sides now (shutdown).
    void abort();

signals:
    void finished();

private:
    void pump(QTcpSocket *from, QTcpSocket *to);
    void onClosed(QTcpSocket *side);
    void checkFinished();

    QPointer<QTcpSocket> m_a;
    QPointer<QTcpSocket> m_b;
    qint64 m_aToB = 0;
    qint64 m_bToA = 0;
    qint64 m_peakBuffered = 0;
    bool m_finished = false;
};

} // namespace wadesk
