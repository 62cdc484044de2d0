#include "tests/support/WadeskInstance.h"

#include "tests/support/BinarySandbox.h"
#include "tests/support/HttpTestClient.h"

#include <QDir>
#include <QFile>
#include <QTest>
#include <csignal>
#include <sys/types.h>

namespace wadesk::test {

namespace {

// Every process below `pid` (children of all its threads, recursively).
QList<qint64> descendants(qint64 pid)
{
    QList<qint64> out;
    const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(tid + QStringLiteral("/children")));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &child : f.readAll().split(' ')) {
            const qint64 c = child.trimmed().toLongLong();
            if (c > 0 && !out.contains(c)) {
                out << c;
                out << descendants(c);
            }
        }
    }
    return out;
}

bool alive(qint64 pid)
{
    if (::kill(pid_t(pid), 0) != 0)
        return false;
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    const QByteArray stat = f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    const int close = stat.lastIndexOf(')');
    return close < 0 || stat.mid(close + 2, 1) != "Z";
}

} // namespace

WadeskInstance::WadeskInstance(const QString &home, const QProcessEnvironment &extra, int startTimeoutMs)
    : m_startTimeoutMs(startTimeoutMs)
{
    QProcessEnvironment env = isolatedEnvironment(home);
    for (const QString &key : extra.keys())
        env.insert(key, extra.value(key));
    m_process.setProcessEnvironment(env);
    m_dataDir = home + QStringLiteral("/data");
    m_output = home + QStringLiteral("/output-%1.txt").arg(++s_runs);
    m_process.setStandardOutputFile(m_output);
    m_process.setStandardErrorFile(m_output, QIODevice::Append);
}

WadeskInstance::~WadeskInstance() { stop(); }

bool WadeskInstance::start()
{
    m_port = freeLoopbackPort();
    m_process.start(wadeskBinary(), {QStringLiteral("--headless"), QStringLiteral("--data-dir"), m_dataDir, QStringLiteral("--port"),
                                     QString::number(m_port)});
    if (!m_process.waitForStarted(10000))
        return false;
    return QTest::qWaitFor(
               [&] {
                   if (m_process.state() != QProcess::Running)
                       return true;
                   HttpTestClient c;
                   if (!c.connectTo(m_port, 1000))
                       return false;
                   c.send(HttpTestClient::request("GET", "/health"));
                   return c.waitResponse(2000).status == 200;
               },
               m_startTimeoutMs)
        && m_process.state() == QProcess::Running;
}

bool WadeskInstance::stop(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return m_process.exitStatus() == QProcess::NormalExit && m_process.exitCode() == 0;
    ::kill(pid_t(m_process.processId()), SIGTERM);
    if (!QTest::qWaitFor([&] { return m_process.state() == QProcess::NotRunning; }, timeoutMs)) {
        m_process.kill();
        m_process.waitForFinished(5000);
        return false;
    }
    return m_process.exitStatus() == QProcess::NormalExit && m_process.exitCode() == 0;
}

bool WadeskInstance::killHard()
{
    const QList<qint64> children = descendants(m_process.processId());
    if (::kill(pid_t(m_process.processId()), SIGKILL) != 0)
        return false;
    if (!m_process.waitForFinished(10000))
        return false;
    if (!QTest::qWaitFor([&] { for (qint64 p : children) if (alive(p)) return false; return true; }, 10000)) {
        for (qint64 p : children) {
            if (alive(p)) {
                qWarning("process %lld outlived its parent: killed", p);
                ::kill(pid_t(p), SIGKILL);
            }
        }
    }
    return m_process.exitStatus() == QProcess::CrashExit;
}

QString WadeskInstance::output() const
{
    QFile f(m_output);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QString WadeskInstance::logFile() const
{
    QFile f(QDir(m_dataDir).filePath(QStringLiteral("logs/wadesk.log")));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace wadesk::test
