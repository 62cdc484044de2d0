#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>

namespace wadesk::test {

// One run of the real `wadesk` binary, headless, for the end-to-end tests: data in
// `<home>/data`, a free loopback port for the API, stdout and stderr in `<home>/output-<n>.txt`.
// The environment is isolatedEnvironment(home) (BinarySandbox) plus `extra`.
class WadeskInstance {
public:
    WadeskInstance(const QString &home, const QProcessEnvironment &extra, int startTimeoutMs = 60000);
    ~WadeskInstance();
    WadeskInstance(const WadeskInstance &) = delete;
    WadeskInstance &operator=(const WadeskInstance &) = delete;

    // Starts it and waits until /health answers 200; false when it ended or never answered.
    bool start();
    // SIGTERM; true when it ended by itself with exit code 0 (else it is killed).
    bool stop(int timeoutMs = 30000);
    // SIGKILL; waits until it and every process it had started (Chromium's) are gone, killing
    // those that linger. True when it died of the signal.
    bool killHard();

    qint64 pid() const { return m_process.processId(); }
    quint16 port() const { return m_port; }
    bool running() const { return m_process.state() == QProcess::Running; }
    QString dataDir() const { return m_dataDir; }
    QString output() const;  // what it printed
    QString logFile() const; // <data>/logs/wadesk.log

private:
    static inline int s_runs = 0;
    QProcess m_process;
    QString m_dataDir;
    QString m_output;
    int m_startTimeoutMs;
    quint16 m_port = 0;
};

} // namespace wadesk::test
