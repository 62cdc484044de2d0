#include "tests/support/PgCluster.h"

#include <QCoreApplication>
#include <QDir>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QUuid>
#include <cstdlib>
#include <pwd.h>
#include <unistd.h>

namespace wadesk::test {

namespace {
QString findBinDir()
{
    const QDir root(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    std::sort(versions.begin(), versions.end(), [](const QString &a, const QString &b) { return a.toInt() > b.toInt(); });
    for (const QString &v : versions) {
        const QString bin = root.filePath(v + QStringLiteral("/bin"));
        if (QFile::exists(bin + QStringLiteral("/initdb")) && QFile::exists(bin + QStringLiteral("/pg_ctl")))
            return bin;
    }
    return {};
}

int freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

std::unique_ptr<PgCluster> &instance()
{
    static std::unique_ptr<PgCluster> cluster;
    return cluster;
}
} // namespace

bool PgCluster::required()
{
    return qEnvironmentVariable("WADESK_REQUIRE_POSTGRES") == QLatin1String("1");
}

PgCluster *PgCluster::shared(QString *whyNot)
{
    static bool attempted = false;
    static QString failure;
    if (!attempted) {
        attempted = true;
        std::unique_ptr<PgCluster> cluster(new PgCluster);
        if (cluster->init(&failure)) {
            instance() = std::move(cluster);
            // Stop and remove the cluster when the test process ends.
            std::atexit([]() { instance().reset(); });
        }
    }
    if (!instance() && whyNot)
        *whyNot = failure;
    return instance().get();
}

bool PgCluster::runAsOwner(const QStringList &command, QString *output, int timeoutMs) const
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setWorkingDirectory(QDir::tempPath()); // the data directory does not exist before initdb
    if (m_asPostgresUser)
        p.start(QStringLiteral("runuser"), QStringList{QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--")} + command);
    else
        p.start(command.first(), command.mid(1));
    const bool finished = p.waitForFinished(timeoutMs);
    if (output)
        *output = QString::fromLocal8Bit(p.readAll());
    return finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

bool PgCluster::init(QString *error)
{
    m_binDir = findBinDir();
    if (m_binDir.isEmpty()) {
        *error = QStringLiteral("PostgreSQL server binaries not found under /usr/lib/postgresql");
        return false;
    }
    m_asPostgresUser = ::geteuid() == 0;
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/wadesk-pg-XXXXXX"));
    if (!m_dir->isValid()) {
        *error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    if (m_asPostgresUser) {
        const passwd *pw = ::getpwnam("postgres");
        if (!pw) {
            *error = QStringLiteral("running as root but there is no 'postgres' user");
            return false;
        }
        if (::chown(QFile::encodeName(m_dir->path()).constData(), pw->pw_uid, pw->pw_gid) != 0) {
            *error = QStringLiteral("cannot hand the cluster directory to the postgres user");
            return false;
        }
    }
    m_dataDir = m_dir->path() + QStringLiteral("/data");
    QString out;
    if (!runAsOwner({m_binDir + QStringLiteral("/initdb"), QStringLiteral("-D"), m_dataDir, QStringLiteral("-U"),
                     QStringLiteral("postgres"), QStringLiteral("--auth=trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                     QStringLiteral("--no-sync"), QStringLiteral("--no-instructions")},
                    &out)) {
        *error = QStringLiteral("initdb failed: ") + out.left(2000);
        return false;
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freePort();
        if (startServer())
            return true;
    }
    *error = QStringLiteral("the PostgreSQL server did not start");
    return false;
}

bool PgCluster::startServer()
{
    QString out;
    // fsync off (speed) but synchronous_commit on: a commit reaches the kernel before it is
    // acknowledged, so the crash stop below (a killed server, not a lost machine) loses none, as
    // a production server's would not.
    const QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off "
                                           "-c synchronous_commit=on -c full_page_writes=off -c max_connections=200")
                                .arg(m_port)
                                .arg(m_dir->path());
    const bool ok = runAsOwner({m_binDir + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), m_dataDir, QStringLiteral("-l"),
                                m_dir->path() + QStringLiteral("/server.log"), QStringLiteral("-o"), options, QStringLiteral("-w"),
                                QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("start")},
                               &out);
    if (!ok)
        qWarning("pg_ctl start failed: %s", qPrintable(out));
    return ok;
}

bool PgCluster::stopServer()
{
    return runAsOwner({m_binDir + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), m_dataDir, QStringLiteral("-m"),
                       QStringLiteral("immediate"), QStringLiteral("-w"), QStringLiteral("stop")});
}

PgCluster::~PgCluster()
{
    if (!m_dataDir.isEmpty())
        stopServer();
}

QString PgCluster::urlFor(const QString &database) const
{
    return QStringLiteral("postgres://postgres@127.0.0.1:%1/%2").arg(m_port).arg(database);
}

QString PgCluster::createDatabase()
{
    const QString name = QStringLiteral("t%1_%2").arg(::getpid()).arg(++m_databases);
    const QString connection = QStringLiteral("pgcluster-admin-") + QUuid::createUuid().toString(QUuid::Id128);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
        db.setHostName(QStringLiteral("127.0.0.1"));
        db.setPort(m_port);
        db.setUserName(QStringLiteral("postgres"));
        db.setDatabaseName(QStringLiteral("postgres"));
        if (!db.open())
            qFatal("cannot connect to the test cluster: %s", qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("CREATE DATABASE %1").arg(name)))
            qFatal("CREATE DATABASE failed: %s", qPrintable(q.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return urlFor(name);
}

} // namespace wadesk::test
