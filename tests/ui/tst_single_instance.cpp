// One desktop WaDesk per data directory: the local-socket handshake in process, then the real
// binary (offscreen): a second GUI launch on the same data directory raises the first and exits
// 0, a headless one still exits 3 (the lock file), and a fresh data directory starts with the
// first-run wizard, which also answers later launches.

#include "tests/support/BinarySandbox.h"
#include "tests/support/HttpTestClient.h"
#include "ui/firstrun/FirstRunSetup.h"
#include "ui/shell/SingleInstance.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>
#include <csignal>
#include <memory>

using namespace wadesk;
using wadesk::test::HttpTestClient;

using wadesk::test::freeLoopbackPort;
using wadesk::test::isolatedEnvironment;
using wadesk::test::wadeskBinary;

namespace {

// A sandboxed HOME with a settings file and data directory of its own.
struct Sandbox {
    QTemporaryDir home;
    quint16 port = freeLoopbackPort();
    QString dataDir() const { return home.filePath(QStringLiteral("data")); }
    QString settingsFile() const { return home.filePath(QStringLiteral("config/wadesk.conf")); }

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = isolatedEnvironment(home.path());
        // config/ holds the settings file the test writes itself (WADESK_CONFIG below).
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("xdgconfig")));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("QTWEBENGINE_DISABLE_SANDBOX"), QStringLiteral("1"));
        env.insert(QStringLiteral("WADESK_CONFIG"), settingsFile());
        env.insert(QStringLiteral("WADESK_DATA_DIR"), dataDir());
        env.insert(QStringLiteral("WADESK_PORT"), QString::number(port));
        env.insert(QStringLiteral("WADESK_PASSWORD_HASH_COST"), QStringLiteral("min"));
        return env;
    }

    // What the first-run wizard would leave behind.
    bool install() const
    {
        FirstRunChoices c;
        c.organizationName = QStringLiteral("Acme");
        c.adminName = QStringLiteral("Ada");
        c.email = QStringLiteral("ada@example.com");
        c.password = QStringLiteral("correct horse battery");
        c.port = port;
        FirstRunSetup::Target target{settingsFile(), dataDir(), dataDir(), PasswordHasher::Cost::Minimal};
        return FirstRunSetup::apply(c, target).ok();
    }
};

bool healthy(quint16 port)
{
    HttpTestClient client;
    if (!client.connectTo(port, 2000))
        return false;
    client.send(HttpTestClient::request("GET", "/health"));
    return client.waitResponse(5000).status == 200;
}

void stop(QProcess &process)
{
    if (process.state() == QProcess::NotRunning)
        return;
    ::kill(pid_t(process.processId()), SIGTERM);
    if (!process.waitForFinished(20000)) {
        process.kill();
        process.waitForFinished(5000);
    }
}

} // namespace

class TestSingleInstance : public QObject {
    Q_OBJECT

private slots:
    void secondInstanceRaisesTheFirst()
    {
        QTemporaryDir dir;
        SingleInstance first(dir.path());
        QVERIFY(first.listen());
        QSignalSpy raised(&first, &SingleInstance::raiseRequested);

        SingleInstance second(dir.path());
        QCOMPARE(second.name(), first.name());
        QFuture<bool> asked = QtConcurrent::run([&second]() { return second.notifyRunning(10000); });
        QTRY_VERIFY_WITH_TIMEOUT(asked.isFinished(), 15000);
        QVERIFY(asked.result());
        QCOMPARE(raised.count(), 1);

        // Another data directory is another instance.
        QTemporaryDir other;
        SingleInstance elsewhere(other.path());
        QVERIFY(elsewhere.name() != first.name());
        QFuture<bool> none = QtConcurrent::run([&elsewhere]() { return elsewhere.notifyRunning(2000); });
        QTRY_VERIFY_WITH_TIMEOUT(none.isFinished(), 5000);
        QVERIFY(!none.result());
        QVERIFY(elsewhere.listen());
    }

    void silentConnectionIsDropped()
    {
        QTemporaryDir dir;
        SingleInstance first(dir.path());
        QVERIFY(first.listen());
        QSignalSpy raised(&first, &SingleInstance::raiseRequested);
        // Connects and never sends its line: the instance drops it after about 2 s.
        QLocalSocket silent;
        QSignalSpy gone(&silent, &QLocalSocket::disconnected);
        silent.connectToServer(first.name());
        QVERIFY(silent.waitForConnected(5000));
        QElapsedTimer elapsed;
        elapsed.start();
        QTRY_VERIFY_WITH_TIMEOUT(gone.count() > 0, 10000);
        QVERIFY2(elapsed.elapsed() >= 1500, qPrintable(QString::number(elapsed.elapsed())));
        QCOMPARE(raised.count(), 0);
        // ... and still answers the next launch.
        SingleInstance second(dir.path());
        QFuture<bool> asked = QtConcurrent::run([&second]() { return second.notifyRunning(10000); });
        QTRY_VERIFY_WITH_TIMEOUT(asked.isFinished(), 15000);
        QVERIFY(asked.result());
        QCOMPARE(raised.count(), 1);
    }

    void binarySecondGuiLaunchRaisesAndExitsZero()
    {
        Sandbox box;
        QVERIFY(box.port != 0);
        QVERIFY(box.install());

        QProcess first;
        first.setProcessEnvironment(box.environment());
        first.setProcessChannelMode(QProcess::MergedChannels);
        first.start(wadeskBinary(), {});
        QVERIFY(first.waitForStarted(10000));
        QVERIFY2(QTest::qWaitFor([&]() { return first.state() == QProcess::NotRunning || healthy(box.port); }, 60000)
                     && first.state() == QProcess::Running,
                 first.readAll().constData());

        QProcess second;
        second.setProcessEnvironment(box.environment());
        second.start(wadeskBinary(), {});
        QVERIFY(second.waitForFinished(30000));
        QCOMPARE(second.exitStatus(), QProcess::NormalExit);
        QCOMPARE(second.exitCode(), 0);
        QVERIFY2(second.readAllStandardError().contains("brought to the front"), "no message");

        // Headless keeps the lock-file behaviour: exit 3.
        QProcess headless;
        QProcessEnvironment env = box.environment();
        env.insert(QStringLiteral("WADESK_PORT"), QString::number(freeLoopbackPort()));
        headless.setProcessEnvironment(env);
        headless.start(wadeskBinary(), {QStringLiteral("--headless")});
        QVERIFY(headless.waitForFinished(30000));
        QCOMPARE(headless.exitCode(), 3);

        QVERIFY(healthy(box.port)); // the first one was not disturbed
        stop(first);
        QCOMPARE(first.exitStatus(), QProcess::NormalExit);
        QCOMPARE(first.exitCode(), 0);
        const QByteArray log = first.readAll();
        QVERIFY2(log.contains("come to the front"), log.constData());
    }

    void freshDataDirectoryShowsTheWizard()
    {
        Sandbox box;
        QProcess first;
        first.setProcessEnvironment(box.environment());
        first.setProcessChannelMode(QProcess::MergedChannels);
        first.start(wadeskBinary(), {});
        QVERIFY(first.waitForStarted(10000));
        QByteArray output;
        QVERIFY2(QTest::qWaitFor(
                     [&]() {
                         output += first.readAll();
                         return output.contains("first run") || first.state() == QProcess::NotRunning;
                     },
                     30000)
                     && first.state() == QProcess::Running,
                 output.constData());

        // The wizard instance answers a second launch too.
        QProcess second;
        second.setProcessEnvironment(box.environment());
        second.start(wadeskBinary(), {});
        QVERIFY(second.waitForFinished(30000));
        QCOMPARE(second.exitCode(), 0);

        // SIGTERM leaves the wizard like Cancel: exit 0, nothing written, the data directory gone.
        stop(first);
        QCOMPARE(first.exitStatus(), QProcess::NormalExit);
        QCOMPARE(first.exitCode(), 0);
        QVERIFY(!QFileInfo::exists(box.settingsFile()));
        QVERIFY(!QFileInfo::exists(box.dataDir()));
    }
};

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    TestSingleInstance test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_single_instance.moc"
