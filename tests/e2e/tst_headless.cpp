// The real `wadesk` binary, started with QProcess: command-line handling and exit codes, the
// headless start on an empty data directory, /health over real HTTP (SQLite and PostgreSQL,
// including the database going away and coming back), the single-instance lock, the body limit,
// and graceful shutdown on SIGTERM / SIGINT. Each run gets its own HOME and XDG directories so a
// developer's settings file is never read, and no DISPLAY.

#include "tests/support/BinarySandbox.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/PgCluster.h"
#include "core/common/Version.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <memory>

using namespace wadesk;
using wadesk::test::HttpTestClient;
using wadesk::test::HttpTestResponse;
using wadesk::test::PgCluster;

using wadesk::test::freeLoopbackPort;
using wadesk::test::isolatedEnvironment;
using wadesk::test::wadeskBinary;

namespace {

HttpTestResponse httpRequest(quint16 port, const QByteArray &raw, int timeoutMs = 5000)
{
    HttpTestClient client;
    if (!client.connectTo(port, std::min(timeoutMs, 2000)))
        return {};
    client.send(raw);
    return client.waitResponse(timeoutMs);
}

HttpTestResponse getHealth(quint16 port, int timeoutMs = 5000)
{
    return httpRequest(port, HttpTestClient::request("GET", "/health"), timeoutMs);
}

// One run of the binary in a sandbox of its own (HOME, XDG dirs, data directory).
class Instance {
public:
    Instance()
        : m_home(std::make_unique<QTemporaryDir>())
    {
        m_dataDir = m_home->filePath(QStringLiteral("data")); // does not exist yet: "empty data directory"
        m_process.setProcessEnvironment(isolatedEnvironment(m_home->path()));
    }

    ~Instance()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(10000)) {
                m_process.kill();
                m_process.waitForFinished(5000);
            }
        }
    }

    void setEnv(const QString &name, const QString &value)
    {
        QProcessEnvironment env = m_process.processEnvironment();
        env.insert(name, value);
        m_process.setProcessEnvironment(env);
    }
    void setDataDir(const QString &dir) { m_dataDir = dir; }
    QString dataDir() const { return m_dataDir; }

    // Starts `wadesk <arguments>`; with `server` set, adds --data-dir and --port (a free one).
    bool start(const QStringList &arguments, bool server = true)
    {
        QStringList args = arguments;
        if (server) {
            m_port = freeLoopbackPort();
            args << QStringLiteral("--data-dir") << m_dataDir << QStringLiteral("--port") << QString::number(m_port);
        }
        m_process.start(wadeskBinary(), args);
        return m_process.waitForStarted(10000);
    }

    // Runs to completion (for the option checks); false when it did not end in time.
    bool run(const QStringList &arguments, int timeoutMs = 30000)
    {
        m_process.start(wadeskBinary(), arguments);
        return m_process.waitForStarted(10000) && m_process.waitForFinished(timeoutMs);
    }

    // Waits until /health answers with `status` (any answer when 0); false if the process ended.
    bool waitForHealth(int status = 200, int timeoutMs = 30000)
    {
        return QTest::qWaitFor(
            [&]() {
                if (m_process.state() == QProcess::NotRunning)
                    return true;
                const HttpTestResponse r = getHealth(m_port, 2000);
                m_lastHealth = r;
                return r.valid() && (status == 0 || r.status == status);
            },
            timeoutMs)
            && m_process.state() == QProcess::Running && m_lastHealth.valid()
            && (status == 0 || m_lastHealth.status == status);
    }

    bool signalAndWait(int signalNumber, int timeoutMs = 20000)
    {
        ::kill(pid_t(m_process.processId()), signalNumber);
        return waitForExit(timeoutMs);
    }
    bool waitForExit(int timeoutMs = 20000)
    {
        return QTest::qWaitFor([&]() { return m_process.state() == QProcess::NotRunning; }, timeoutMs);
    }

    QString output()
    {
        m_stdout += QString::fromLocal8Bit(m_process.readAllStandardOutput());
        m_stderr += QString::fromLocal8Bit(m_process.readAllStandardError());
        return m_stdout + m_stderr;
    }
    QString standardOutput()
    {
        output();
        return m_stdout;
    }
    QString standardError()
    {
        output();
        return m_stderr;
    }
    QString logFile() const
    {
        QFile f(QDir(m_dataDir).filePath(QStringLiteral("logs/wadesk.log")));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    QProcess &process() { return m_process; }
    quint16 port() const { return m_port; }
    const HttpTestResponse &lastHealth() const { return m_lastHealth; }
    QString diagnostics() { return QStringLiteral("exit %1, output:\n%2").arg(m_process.exitCode()).arg(output()); }

private:
    std::unique_ptr<QTemporaryDir> m_home;
    QString m_dataDir;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_stdout;
    QString m_stderr;
    HttpTestResponse m_lastHealth;
};

QStringList nonEmptyLines(const QString &text)
{
    return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

class TestHeadless : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(wadeskBinary()), qPrintable(wadeskBinary()));
    }

    void versionExitsZero()
    {
        Instance app;
        QVERIFY(app.run({QStringLiteral("--version")}));
        QCOMPARE(app.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.process().exitCode(), 0);
        QVERIFY2(app.standardOutput().contains(QStringLiteral("WaDesk %1").arg(QLatin1String(kVersion))),
                 qPrintable(app.output()));
        // The Qt the binary runs on (the same libraries as this test's), and the browser it carries.
        QVERIFY2(app.standardOutput().contains(QStringLiteral("Qt %1,").arg(QLatin1String(qVersion()))), qPrintable(app.output()));
        QVERIFY2(QRegularExpression(QStringLiteral("Chromium \\d+\\.")).match(app.standardOutput()).hasMatch(), qPrintable(app.output()));
    }

    void invalidOptionExitsTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("named");
        QTest::newRow("--port abc") << QStringList{QStringLiteral("--port"), QStringLiteral("abc")} << QStringLiteral("--port");
        QTest::newRow("--port 70000") << QStringList{QStringLiteral("--port"), QStringLiteral("70000")} << QStringLiteral("--port");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("--no-such-option")} << QStringLiteral("no-such-option");
        QTest::newRow("--log-level loud") << QStringList{QStringLiteral("--log-level"), QStringLiteral("loud")}
                                          << QStringLiteral("--log-level");
    }

    void invalidOptionExitsTwo()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, named);
        Instance app;
        QVERIFY(app.run(arguments + QStringList{QStringLiteral("--headless"), QStringLiteral("--data-dir"), app.dataDir()}));
        QCOMPARE(app.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.process().exitCode(), 2);
        const QStringList lines = nonEmptyLines(app.standardError());
        QVERIFY2(lines.size() == 1, qPrintable(app.standardError()));
        QVERIFY2(lines.constFirst().contains(named), qPrintable(lines.constFirst()));
        QVERIFY(app.standardOutput().isEmpty());
        QVERIFY2(!QFileInfo::exists(app.dataDir()), "nothing is created before the options are valid");
    }

    void invalidEnvironmentVariableExitsTwo()
    {
        Instance app;
        app.setEnv(QStringLiteral("WADESK_PORT"), QStringLiteral("abc"));
        QVERIFY(app.run({QStringLiteral("--headless"), QStringLiteral("--data-dir"), app.dataDir()}));
        QCOMPARE(app.process().exitCode(), 2);
        const QStringList lines = nonEmptyLines(app.standardError());
        QVERIFY2(lines.size() == 1 && lines.constFirst().contains(QStringLiteral("WADESK_PORT")), qPrintable(app.standardError()));
    }

    void headlessOnEmptyDataDirIsHealthy()
    {
        Instance app;
        QVERIFY(!QFileInfo::exists(app.dataDir()));
        QVERIFY(app.start({QStringLiteral("--headless")}));
        QVERIFY2(app.waitForHealth(200), qPrintable(app.diagnostics()));

        const HttpTestResponse &r = app.lastHealth();
        QCOMPARE(r.header("content-type"), QByteArray("application/json"));
        const QJsonObject body = r.json();
        for (const char *field : {"status", "timestamp", "uptime", "database", "active_clients", "environment", "version"})
            QVERIFY2(body.contains(QLatin1String(field)), field);
        QCOMPARE(body.value(QStringLiteral("status")).toString(), QStringLiteral("healthy"));
        const QDateTime timestamp = QDateTime::fromString(body.value(QStringLiteral("timestamp")).toString(), Qt::ISODateWithMs);
        QVERIFY(timestamp.isValid());
        QVERIFY(qAbs(timestamp.msecsTo(QDateTime::currentDateTimeUtc())) < 60000);
        QVERIFY(body.value(QStringLiteral("uptime")).isDouble());
        QVERIFY(body.value(QStringLiteral("uptime")).toDouble() >= 0);
        QCOMPARE(body.value(QStringLiteral("database")).toString(), QStringLiteral("connected"));
        QVERIFY(body.value(QStringLiteral("active_clients")).isDouble());
        QCOMPARE(body.value(QStringLiteral("active_clients")).toInt(), 0);
        QVERIFY(!body.value(QStringLiteral("environment")).toString().isEmpty());
        QCOMPARE(body.value(QStringLiteral("version")).toString(), QLatin1String(kVersion));

        QVERIFY(QFileInfo::exists(QDir(app.dataDir()).filePath(QStringLiteral("wadesk.db"))));
        QVERIFY(app.signalAndWait(SIGTERM));
        QCOMPARE(app.process().exitCode(), 0);
    }

    void secondInstanceOnSameDataDirExitsThree()
    {
        Instance first;
        QVERIFY(first.start({QStringLiteral("--headless")}));
        QVERIFY2(first.waitForHealth(200), qPrintable(first.diagnostics()));

        Instance second;
        second.setDataDir(first.dataDir());
        QVERIFY(second.start({QStringLiteral("--headless")}));
        QVERIFY(second.waitForExit(30000));
        QCOMPARE(second.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(second.process().exitCode(), 3);
        const QString message = second.standardError();
        QVERIFY2(message.contains(QStringLiteral("already running")) && message.contains(first.dataDir()), qPrintable(message));
        QVERIFY2(message.contains(QString::number(first.process().processId())), qPrintable(message));

        // The first one was not disturbed.
        QCOMPARE(getHealth(first.port()).status, 200);
        QVERIFY(first.signalAndWait(SIGTERM));
        QCOMPARE(first.process().exitCode(), 0);
    }

    void oversizedBodyGets413AndHealthStillAnswers()
    {
        Instance app;
        app.setEnv(QStringLiteral("WADESK_HTTP_MAX_BODY_BYTES"), QStringLiteral("2048"));
        QVERIFY(app.start({QStringLiteral("--headless")}));
        QVERIFY2(app.waitForHealth(200), qPrintable(app.diagnostics()));

        HttpTestClient client;
        QVERIFY(client.connectTo(app.port()));
        client.send("POST /api/messages/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    "Content-Length: 1048576\r\n\r\n"); // the head only: the answer must not wait for the body
        const HttpTestResponse r = client.waitResponse(10000);
        QCOMPARE(r.status, 413);
        QCOMPARE(r.json().value(QStringLiteral("code")).toString(), QStringLiteral("payload_too_large"));
        QVERIFY(client.waitClosed());

        // A body over the limit that is actually sent in full gets the same answer.
        HttpTestClient sender;
        QVERIFY(sender.connectTo(app.port()));
        sender.send(HttpTestClient::request("POST", "/health", "Content-Type: application/json\r\n", QByteArray(4096, 'x')));
        QCOMPARE(sender.waitResponse(10000).status, 413);

        QCOMPARE(getHealth(app.port()).status, 200);
        QVERIFY(app.process().state() == QProcess::Running);
    }

    void terminationSignalStopsGracefully_data()
    {
        QTest::addColumn<int>("signalNumber");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }

    void terminationSignalStopsGracefully()
    {
        QFETCH(int, signalNumber);
        Instance app;
        QVERIFY(app.start({QStringLiteral("--headless")}));
        QVERIFY2(app.waitForHealth(200), qPrintable(app.diagnostics()));
        // A keep-alive connection is open while the signal arrives.
        HttpTestClient open;
        QVERIFY(open.connectTo(app.port()));
        open.send(HttpTestClient::request("GET", "/health"));
        QCOMPARE(open.waitResponse().status, 200);

        QVERIFY(app.signalAndWait(signalNumber));
        QCOMPARE(app.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.process().exitCode(), 0);
        QVERIFY2(app.output().contains(QStringLiteral("stopped")), qPrintable(app.output()));
        QVERIFY2(app.logFile().contains(QStringLiteral("stopped")), qPrintable(app.logFile()));
        QVERIFY(open.waitClosed());
        QVERIFY(!HttpTestClient().connectTo(app.port(), 1000));

        // The lock was released: the same data directory starts again.
        Instance again;
        again.setDataDir(app.dataDir());
        QVERIFY(again.start({QStringLiteral("--headless")}));
        QVERIFY2(again.waitForHealth(200), qPrintable(again.diagnostics()));
    }

    void postgresHealthFollowsTheDatabase()
    {
        QString why;
        PgCluster *cluster = PgCluster::shared(&why);
        if (!cluster) {
            if (PgCluster::required())
                QFAIL(qPrintable(why));
            QSKIP(qPrintable(why));
        }
        const QString url = cluster->createDatabase();
        Instance app;
        app.setEnv(QStringLiteral("WADESK_HEALTH_CACHE_MS"), QStringLiteral("0"));
        QVERIFY(app.start({QStringLiteral("--headless"), QStringLiteral("--db"), url}));
        QVERIFY2(app.waitForHealth(200), qPrintable(app.diagnostics()));
        QCOMPARE(app.lastHealth().json().value(QStringLiteral("database_type")).toString(), QStringLiteral("postgres"));

        QVERIFY(cluster->stopServer());
        // Restart the cluster even if a check below fails, for the tests that follow.
        bool restarted = false;
        const auto restart = qScopeGuard([&]() {
            if (!restarted)
                cluster->startServer();
        });
        HttpTestResponse down = getHealth(app.port(), 15000);
        QCOMPARE(down.status, 503);
        QCOMPARE(down.json().value(QStringLiteral("status")).toString(), QStringLiteral("unhealthy"));
        QCOMPARE(down.json().value(QStringLiteral("database")).toString(), QStringLiteral("disconnected"));
        QVERIFY2(!down.body.contains("SELECT") && !down.body.contains("connect to"), down.body.constData()); // no driver text
        down = getHealth(app.port(), 15000); // and again: a failed reconnect does not wedge anything
        QCOMPARE(down.status, 503);

        QVERIFY(cluster->startServer());
        restarted = true;
        QVERIFY2(app.waitForHealth(200, 30000), qPrintable(app.diagnostics()));
        QCOMPARE(app.lastHealth().json().value(QStringLiteral("status")).toString(), QStringLiteral("healthy"));

        QVERIFY(app.signalAndWait(SIGTERM));
        QCOMPARE(app.process().exitCode(), 0);
    }

    void noDisplayWithoutHeadlessStartsHeadless()
    {
        Instance app; // DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM are unset
        QVERIFY(app.start({}));
        QVERIFY2(app.waitForHealth(200), qPrintable(app.diagnostics()));
        QVERIFY2(app.standardError().contains(QStringLiteral("no display found")), qPrintable(app.output()));
        QVERIFY2(app.output().contains(QStringLiteral("headless mode")), qPrintable(app.output()));
        QVERIFY(app.signalAndWait(SIGTERM));
        QCOMPARE(app.process().exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestHeadless)
#include "tst_headless.moc"
