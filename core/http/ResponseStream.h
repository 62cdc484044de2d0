#pragma once

#include <QObject>
#include <QPointer>
#include <memory>

class QIODevice;
class QTcpSocket;

namespace wadesk {

// Copies a response body from a device to the socket as the socket drains, so a large file
// never sits in memory whole: at most a few pieces are buffered in the socket at a time.
// A length below zero means unknown: the body is sent in HTTP/1.1 chunks until the device
// reports atEnd() (a read that comes back empty before then is a failure).
// Emits finished(true) once every byte was handed to the socket, finished(false) when the
// client left or the device could not be read; then deletes itself.
class ResponseStream final : public QObject {
    Q_OBJECT
public:
    ResponseStream(QTcpSocket *socket, std::shared_ptr<QIODevice> device, qint64 length, QObject *parent);
    void start();

signals:
    void finished(bool complete);

private:
    void pump();
    void pumpChunks();
    void finish(bool complete);

    QPointer<QTcpSocket> m_socket;
    std::shared_ptr<QIODevice> m_device;
    qint64 m_remaining;
    bool m_done = false;
};

} // namespace wadesk
