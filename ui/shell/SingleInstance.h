#pragma once

#include <QObject>
#include <QString>

class QLocalServer;

namespace wadesk {

// One desktop WaDesk per data directory: the first one listens on a local socket named after
// the data directory (and the user); a second launch asks it to come to the front and ends.
// Headless runs do not take part (the data directory's lock file keeps them apart).
class SingleInstance final : public QObject {
    Q_OBJECT
public:
    explicit SingleInstance(QString dataDir, QObject *parent = nullptr);
    ~SingleInstance() override;

    static QString serverName(const QString &dataDir);
    // Asks a running instance to raise its window; true when it answered.
    bool notifyRunning(int timeoutMs = 2000) const;
    // Starts answering later launches; false (logged) when the name cannot be taken.
    bool listen();
    QString name() const { return m_name; }

signals:
    void raiseRequested();

private:
    void onNewConnection();

    QString m_name;
    QLocalServer *m_server = nullptr;
};

} // namespace wadesk
