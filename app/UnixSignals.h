#pragma once

#include <QObject>

class QSocketNotifier;

namespace wadesk {

// Turns SIGINT and SIGTERM into a Qt signal on the main thread (self-pipe), so shutdown runs
// as ordinary event-loop code rather than inside a signal handler.
class UnixSignals final : public QObject {
    Q_OBJECT
public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

signals:
    void terminationRequested(int signalNumber);

private:
    static void handler(int signalNumber);
    static int s_fds[2];
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace wadesk
