// `wadesk backup` and `wadesk restore` with the real binary, on SQLite and PostgreSQL: a round
// trip brings the organization, its users, clients, secrets and media back and WaDesk starts on
// it; a backup taken while rows are being written is consistent; a restore refuses a non-empty
// target, a wrong master key and a damaged or altered archive, and changes nothing then.

#include "tests/support/BinarySandbox.h"
#include "tests/support/HttpTestClient.h"
#include "tests/support/PgCluster.h"
#include "core/auth/AccountService.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/JwtKeyStore.h"
#include "core/auth/PasswordHasher.h"
#include "core/auth/UserRepository.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/Migrator.h"
#include "core/db/SettingsRepository.h"
#include "core/db/SqlRunner.h"
#include "core/maintenance/BackupArchive.h"
#include "core/secrets/AesGcm.h"
#include "core/secrets/FileSecretStore.h"
#include "core/secrets/MasterKeyCheck.h"
#include "core/secrets/SecretStoreSelector.h"
#include "core/sessions/ClientRepository.h"
#include "core/sessions/ClientService.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <functional>
#include <memory>
#include <thread>

using namespace wadesk;
using wadesk::test::HttpTestClient;
using wadesk::test::PgCluster;

namespace {

constexpr int kRunMs = 120000;

struct Run {
    bool finished = false;
    int exitCode = -1;
    QString out;
    QString err;
    QString all() const { return QStringLiteral("exit %1\nstdout:\n%2\nstderr:\n%3").arg(exitCode).arg(out, err); }
};

Run runWadesk(const QStringList &arguments, const QProcessEnvironment &env)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(wadesk::test::wadeskBinary(), arguments);
    Run run;
    run.finished = process.waitForStarted(10000) && process.waitForFinished(kRunMs);
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromLocal8Bit(process.readAllStandardOutput());
    run.err = QString::fromLocal8Bit(process.readAllStandardError());
    return run;
}

// One installation: its own HOME, data directory and database.
struct Site {
    std::unique_ptr<QTemporaryDir> home = std::make_unique<QTemporaryDir>();
    QString dataDir = home->filePath(QStringLiteral("data"));
    QString postgresUrl; // empty: SQLite in the data directory
    QProcessEnvironment env = wadesk::test::isolatedEnvironment(home->path());

    QStringList where() const
    {
        QStringList args{QStringLiteral("--data-dir"), dataDir};
        if (!postgresUrl.isEmpty())
            args << QStringLiteral("--db") << postgresUrl;
        return args;
    }
    DatabaseUrl url() const
    {
        return DatabaseUrl::parse(postgresUrl.isEmpty() ? QStringLiteral("wadesk.db") : postgresUrl, dataDir).value();
    }
    QString sqlitePath() const { return QDir(dataDir).filePath(QStringLiteral("wadesk.db")); }
};

// A site of the dialect, or a reason to skip.
std::unique_ptr<Site> makeSite(const QString &dialect, QString *skip)
{
    auto site = std::make_unique<Site>();
    if (dialect == QLatin1String("postgres")) {
        PgCluster *cluster = PgCluster::shared(skip);
        if (!cluster)
            return nullptr;
        // A password in the URL: the commands must never print it (the test cluster trusts anyway).
        site->postgresUrl = cluster->createDatabase().replace(QStringLiteral("postgres@"), QStringLiteral("postgres:s3cretpw@"));
    }
    return site;
}

qint64 countRows(Database &db, const QString &table)
{
    SqlRunner sql(db);
    Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table));
    return q && q.value().next() ? q.value().value(0).toLongLong() : -1;
}

QStringList clientNames(Database &db)
{
    SqlRunner sql(db);
    Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT name FROM clients ORDER BY name"));
    QStringList out;
    while (q && q.value().next())
        out << q.value().value(0).toString();
    return out;
}

struct Seeded {
    QString organizationId;
    QString email = QStringLiteral("owner@example.com");
    QString password = QStringLiteral("correct horse battery");
    QStringList clients{QStringLiteral("Front desk"), QStringLiteral("Sales"), QStringLiteral("Support")};
    QByteArray masterKey;
    QByteArray jwtKey;
};

// What WaDesk's start and a registration leave behind: schema, the master key (key file) and its
// fingerprint, the sealed JWT key, an organization with two users and three clients, media files.
Seeded seed(const Site &site)
{
    Seeded s;
    QDir().mkpath(site.dataDir);
    Database db(site.url());
    Migrator migrator(db, Migrator::embeddedDirectory(db.url().dialectName()));
    if (!migrator.migrate())
        qFatal("migration failed");
    FileSecretStore store(SecretStoreSelector::keyFilePath(site.dataDir));
    s.masterKey = store.loadOrCreateMasterKey().value();
    SettingsRepository settings(db);
    if (!MasterKeyCheck::verifyOrRecord(settings, s.masterKey, store.description()))
        qFatal("fingerprint");
    const AesGcm cipher(s.masterKey);
    s.jwtKey = JwtKeyStore::loadOrCreate(settings, cipher).value();
    const JwtCodec jwt(s.jwtKey, 60);
    AccountService accounts(db, jwt);
    const AccountService::Registration reg =
        accounts
            .registerOrganization({s.email, QStringLiteral("Owner"), QStringLiteral("Acme Backup"),
                                   PasswordHasher(PasswordHasher::Cost::Minimal).hash(s.password), QStringLiteral("test")})
            .value();
    s.organizationId = reg.organization.id;
    SqlRunner sql(db);
    UserRepository users(sql);
    UserRecord agent;
    agent.id = Ids::make("user");
    agent.organizationId = reg.organization.id;
    agent.email = QStringLiteral("agent@example.com");
    agent.passwordHash = PasswordHasher(PasswordHasher::Cost::Minimal).hash(QStringLiteral("agent password"));
    agent.name = QStringLiteral("Agent");
    agent.role = Role::Agent;
    agent.createdAt = agent.updatedAt = QDateTime::currentMSecsSinceEpoch();
    if (!users.insert(agent))
        qFatal("agent");
    AuthContext actor;
    actor.userId = reg.admin.id;
    actor.organizationId = reg.organization.id;
    actor.role = Role::Admin;
    ClientService clients(db);
    const QStringList phones{QStringLiteral("+14155550101"), QStringLiteral("+14155550102"), QStringLiteral("+14155550103")};
    for (int i = 0; i < s.clients.size(); ++i) {
        if (!clients.create(actor, s.clients.at(i), phones.at(i)))
            qFatal("client");
    }
    db.closeThreadConnection();
    QDir(site.dataDir).mkpath(QStringLiteral("media/2024"));
    QFile a(QDir(site.dataDir).filePath(QStringLiteral("media/2024/photo.jpg")));
    if (!a.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(a.fileName()));
    a.write(QByteArray(70000, 'x') + "end");
    QFile b(QDir(site.dataDir).filePath(QStringLiteral("media/note.txt")));
    if (!b.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(b.fileName()));
    b.write("a note");
    return s;
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Every file under `dir` with the SHA-256 of its content: "nothing changed" is this, unchanged.
QMap<QString, QByteArray> snapshotOf(const QString &dir)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        out.insert(QDir(dir).relativeFilePath(path), QCryptographicHash::hash(fileBytes(path), QCryptographicHash::Sha256));
    }
    return out;
}

bool ownerOnly(const QString &path)
{
    const QFileDevice::Permissions p = QFile::permissions(path);
    return (p & (QFileDevice::ReadOwner | QFileDevice::WriteOwner)) == (QFileDevice::ReadOwner | QFileDevice::WriteOwner)
        && !(p & (QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ReadOther | QFileDevice::WriteOther));
}

// Runs the pg_dump / pg_restore line a command printed (after "with: " or ": ") with the test
// cluster's own programs.
bool runPrintedPgCommand(const QString &output, const QString &program, QString *log)
{
    const int at = output.indexOf(program + QLatin1Char(' '));
    if (at < 0) {
        *log = QStringLiteral("no %1 line in: %2").arg(program, output);
        return false;
    }
    QStringList args = QProcess::splitCommand(output.mid(at).section(QLatin1Char('\n'), 0, 0));
    args.removeFirst();
    QProcess p;
    p.start(PgCluster::shared()->binDir() + QLatin1Char('/') + program, args);
    const bool ok = p.waitForFinished(60000) && p.exitCode() == 0;
    *log = QString::fromLocal8Bit(p.readAllStandardError());
    return ok;
}

// Copies an archive entry by entry through `edit` (false drops the entry), then adds `extra`.
void rewriteArchive(const QString &from, const QString &to, const std::function<bool(const QString &, QByteArray &)> &edit,
                    const QList<QPair<QString, QByteArray>> &extra = {})
{
    BackupArchiveReader reader(from);
    QVERIFY(reader.open());
    BackupArchiveWriter writer(to);
    QVERIFY(writer.open());
    QList<QPair<QString, QByteArray>> entries;
    for (;;) {
        auto next = reader.next();
        QVERIFY(next);
        if (!next.value())
            break;
        QByteArray data = reader.readAll(1 << 30).value();
        if (edit(next.value()->path, data))
            entries.append({next.value()->path, data});
    }
    entries += extra;
    for (const auto &e : entries)
        QVERIFY(writer.addData(e.first, e.second));
    QVERIFY(writer.commit());
}

QByteArray editedManifest(const QByteArray &json, const std::function<void(QJsonObject &)> &edit)
{
    QJsonObject o = QJsonDocument::fromJson(json).object();
    edit(o);
    return QJsonDocument(o).toJson();
}

} // namespace

class TestBackupRestore : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY2(QFile::exists(wadesk::test::wadeskBinary()), qPrintable(wadesk::test::wadeskBinary())); }

    void helpListsTheCommands()
    {
        Site site;
        const Run help = runWadesk({QStringLiteral("--help")}, site.env);
        QCOMPARE(help.exitCode, 0);
        for (const char *word : {"backup", "restore", "import-v1", "--include-key"})
            QVERIFY2(help.out.contains(QLatin1String(word)), qPrintable(help.all()));
        const Run backupHelp = runWadesk({QStringLiteral("backup"), QStringLiteral("--help")}, site.env);
        QCOMPARE(backupHelp.exitCode, 0);
        QVERIFY2(backupHelp.out.contains(QStringLiteral("--include-key")) && backupHelp.out.contains(QStringLiteral("FILE")),
                 qPrintable(backupHelp.all()));
        const Run noFile = runWadesk({QStringLiteral("backup")}, site.env);
        QCOMPARE(noFile.exitCode, 2);
        QVERIFY2(noFile.err.contains(QStringLiteral("needs a FILE")), qPrintable(noFile.all()));
        const Run wrongOption = runWadesk({QStringLiteral("restore"), QStringLiteral("--include-key"), QStringLiteral("x")}, site.env);
        QCOMPARE(wrongOption.exitCode, 2);
        QVERIFY2(wrongOption.err.contains(QStringLiteral("--include-key")), qPrintable(wrongOption.all()));
        const Run unknown = runWadesk({QStringLiteral("frobnicate")}, site.env);
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(!QFileInfo::exists(site.dataDir));
    }

    void roundTrip_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

    void roundTrip()
    {
        QFETCH(QString, dialect);
        QString skip;
        std::unique_ptr<Site> a = makeSite(dialect, &skip);
        std::unique_ptr<Site> b = makeSite(dialect, &skip);
        if (!a || !b) {
            if (PgCluster::required())
                QFAIL(qPrintable(skip));
            QSKIP(qPrintable(skip));
        }
        const Seeded seeded = seed(*a);
        // The backup runs while "WaDesk" holds the data directory's lock: it neither needs nor takes it.
        QLockFile running(QDir(a->dataDir).filePath(QStringLiteral("wadesk.lock")));
        QVERIFY(running.tryLock(0));

        const QString archive = a->home->filePath(QStringLiteral("backup.tar.gz"));
        const Run backup = runWadesk(QStringList{QStringLiteral("backup")} + a->where() + QStringList{QStringLiteral("--include-key"), archive}, a->env);
        QVERIFY2(backup.finished && backup.exitCode == 0, qPrintable(backup.all()));
        QVERIFY2(backup.out.contains(QStringLiteral("0600")) && backup.out.contains(QStringLiteral("master key")), qPrintable(backup.all()));
        QVERIFY(ownerOnly(archive));
        QVERIFY(!QFileInfo::exists(archive + QStringLiteral(".part")));
        QVERIFY2(!backup.all().contains(QStringLiteral("s3cretpw")), qPrintable(backup.all()));
        QVERIFY(running.isLocked());
        if (dialect == QLatin1String("postgres")) {
            QVERIFY2(backup.out.contains(QStringLiteral("pg_dump --format=custom")), qPrintable(backup.all()));
            QVERIFY2(backup.out.contains(QStringLiteral("--port %1").arg(PgCluster::shared()->port())), qPrintable(backup.all()));
            QVERIFY2(backup.out.contains(a->url().databaseName), qPrintable(backup.all()));
            QString log;
            QVERIFY2(runPrintedPgCommand(backup.out, QStringLiteral("pg_dump"), &log), qPrintable(log));
        } else {
            QVERIFY2(backup.out.contains(QStringLiteral("1 organization(s), 2 user(s), 3 client(s)")), qPrintable(backup.all()));
        }

        const Run restore = runWadesk(QStringList{QStringLiteral("restore")} + b->where() + QStringList{archive}, b->env);
        QVERIFY2(restore.finished && restore.exitCode == 0, qPrintable(restore.all()));
        QVERIFY2(!restore.all().contains(QStringLiteral("s3cretpw")), qPrintable(restore.all()));
        const QString keyFile = SecretStoreSelector::keyFilePath(b->dataDir);
        QVERIFY(ownerOnly(keyFile));
        QCOMPARE(fileBytes(keyFile), fileBytes(SecretStoreSelector::keyFilePath(a->dataDir)));
        QCOMPARE(fileBytes(QDir(b->dataDir).filePath(QStringLiteral("media/2024/photo.jpg"))),
                 fileBytes(QDir(a->dataDir).filePath(QStringLiteral("media/2024/photo.jpg"))));
        QCOMPARE(fileBytes(QDir(b->dataDir).filePath(QStringLiteral("media/note.txt"))), QByteArray("a note"));
        QVERIFY(!QFileInfo::exists(QDir(b->dataDir).filePath(QStringLiteral("wadesk.lock"))));
        if (dialect == QLatin1String("postgres")) {
            QVERIFY2(restore.out.contains(QStringLiteral("pg_restore")), qPrintable(restore.all()));
            QString log;
            QVERIFY2(runPrintedPgCommand(restore.out, QStringLiteral("pg_restore"), &log), qPrintable(log));
        } else {
            QVERIFY(ownerOnly(b->sqlitePath()));
        }

        {
            Database db(b->url());
            QCOMPARE(countRows(db, QStringLiteral("organizations")), 1);
            QCOMPARE(countRows(db, QStringLiteral("users")), 2);
            QCOMPARE(clientNames(db), seeded.clients);
            SettingsRepository settings(db);
            const QByteArray key = FileSecretStore(keyFile).loadOrCreateMasterKey().value();
            QVERIFY(MasterKeyCheck::verifyOrRecord(settings, key, QStringLiteral("restored")));
            const Result<QByteArray> jwtKey = JwtKeyStore::loadOrCreate(settings, AesGcm(key));
            QVERIFY(jwtKey);
            QCOMPARE(jwtKey.value(), seeded.jwtKey); // the sealed secret opens with the restored key
            db.closeThreadConnection();
        }

        // WaDesk itself starts on what was restored: the admin signs in and sees the clients.
        QProcess wadesk;
        QProcessEnvironment env = b->env;
        env.insert(QStringLiteral("WADESK_PASSWORD_HASH_COST"), QStringLiteral("min"));
        wadesk.setProcessEnvironment(env);
        wadesk.setProcessChannelMode(QProcess::MergedChannels);
        const quint16 port = wadesk::test::freeLoopbackPort();
        wadesk.start(wadesk::test::wadeskBinary(),
                     QStringList{QStringLiteral("--headless"), QStringLiteral("--port"), QString::number(port)} + b->where());
        auto stop = qScopeGuard([&wadesk] {
            wadesk.terminate();
            if (!wadesk.waitForFinished(20000))
                wadesk.kill();
            wadesk.waitForFinished(5000);
        });
        QVERIFY(wadesk.waitForStarted(10000));
        auto request = [port](const QByteArray &raw) {
            HttpTestClient client;
            if (!client.connectTo(port, 1000))
                return wadesk::test::HttpTestResponse{};
            client.send(raw);
            return client.waitResponse(5000);
        };
        QVERIFY2(QTest::qWaitFor([&] { return wadesk.state() != QProcess::Running || request(HttpTestClient::request("GET", "/health")).status == 200; },
                                 60000)
                     && wadesk.state() == QProcess::Running,
                 qPrintable(QString::fromLocal8Bit(wadesk.readAll())));
        const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("email"), seeded.email},
                                                          {QStringLiteral("password"), seeded.password}})
                                    .toJson(QJsonDocument::Compact);
        const auto login = request(HttpTestClient::request("POST", "/api/auth/login", "Content-Type: application/json\r\n", body));
        QVERIFY2(login.status == 200, login.body.constData());
        const QString token = login.json().value(QStringLiteral("token")).toString();
        QVERIFY(!token.isEmpty());
        const auto list = request(HttpTestClient::request("GET", "/api/clients", "Authorization: Bearer " + token.toUtf8() + "\r\n"));
        QVERIFY2(list.status == 200, list.body.constData());
        QStringList names;
        for (const QJsonValue &c : list.json().value(QStringLiteral("clients")).toArray())
            names << c.toObject().value(QStringLiteral("name")).toString();
        names.sort();
        QCOMPARE(names, seeded.clients);
    }

    // A background thread inserts clients the whole time; the backup is one moment of it.
    void backupWhileWritingIsConsistent()
    {
        Site a;
        Site b;
        const Seeded seeded = seed(a);
        std::atomic<bool> stop{false};
        std::atomic<int> inserted{0};
        std::thread writer([&] {
            Database db(a.url());
            SqlRunner sql(db);
            ClientRepository clients(sql);
            while (!stop.load()) {
                ClientRecord c;
                c.id = Ids::make("client");
                c.organizationId = seeded.organizationId;
                c.name = QStringLiteral("load %1").arg(inserted.load());
                c.createdAt = c.updatedAt = QDateTime::currentMSecsSinceEpoch();
                if (clients.insert(c))
                    ++inserted;
            }
            db.closeThreadConnection();
        });
        auto joined = qScopeGuard([&] {
            stop = true;
            writer.join();
        });
        QVERIFY(QTest::qWaitFor([&] { return inserted.load() >= 200; }, 30000));
        const int before = 3 + inserted.load();
        const QString archive = a.home->filePath(QStringLiteral("busy.tar.gz"));
        const Run backup = runWadesk(QStringList{QStringLiteral("backup")} + a.where() + QStringList{QStringLiteral("--include-key"), archive}, a.env);
        const int after = 3 + inserted.load();
        QVERIFY2(backup.finished && backup.exitCode == 0, qPrintable(backup.all()));
        QVERIFY(QTest::qWaitFor([&] { return 3 + inserted.load() > after + 50; }, 30000)); // still writing afterwards
        joined.dismiss();
        stop = true;
        writer.join();
        QVERIFY2(after > before, "the writer made no progress during the backup");

        const Run restore = runWadesk(QStringList{QStringLiteral("restore")} + b.where() + QStringList{archive}, b.env);
        QVERIFY2(restore.exitCode == 0, qPrintable(restore.all()));
        Database db(b.url());
        const qint64 restored = countRows(db, QStringLiteral("clients"));
        db.closeThreadConnection();
        QVERIFY2(restored >= before && restored <= after,
                 qPrintable(QStringLiteral("restored %1 clients, expected %2..%3").arg(restored).arg(before).arg(after)));
        QVERIFY2(restore.out.contains(QStringLiteral("%1 client(s)").arg(restored)), qPrintable(restore.all()));
    }

    void restoreIntoNonEmptyIsRefused_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }

    void restoreIntoNonEmptyIsRefused()
    {
        QFETCH(QString, dialect);
        QString skip;
        std::unique_ptr<Site> a = makeSite(dialect, &skip);
        if (!a) {
            if (PgCluster::required())
                QFAIL(qPrintable(skip));
            QSKIP(qPrintable(skip));
        }
        seed(*a);
        const QString archive = a->home->filePath(QStringLiteral("b.tar.gz"));
        QCOMPARE(runWadesk(QStringList{QStringLiteral("backup")} + a->where() + QStringList{QStringLiteral("--include-key"), archive}, a->env).exitCode, 0);
        const auto before = snapshotOf(a->dataDir);
        const Run restore = runWadesk(QStringList{QStringLiteral("restore")} + a->where() + QStringList{archive}, a->env);
        QCOMPARE(restore.exitCode, 4);
        QVERIFY2(restore.err.contains(dialect == QLatin1String("sqlite") ? QStringLiteral("already holds a database")
                                                                         : QStringLiteral("is not empty")),
                 qPrintable(restore.all()));
        QVERIFY2(restore.err.contains(QStringLiteral("nothing was changed")), qPrintable(restore.all()));
        QCOMPARE(snapshotOf(a->dataDir), before);
        Database db(a->url());
        QCOMPARE(countRows(db, QStringLiteral("clients")), 3);
        QCOMPARE(countRows(db, QStringLiteral("organizations")), 1);
        db.closeThreadConnection();
    }

    void wrongOrMissingMasterKeyIsRefused()
    {
        Site a;
        const Seeded seeded = seed(a);
        const QString withoutKey = a.home->filePath(QStringLiteral("nokey.tar.gz"));
        const Run backup = runWadesk(QStringList{QStringLiteral("backup")} + a.where() + QStringList{withoutKey}, a.env);
        QVERIFY2(backup.exitCode == 0 && !backup.out.contains(QStringLiteral("0600")), qPrintable(backup.all()));
        const QString withKey = a.home->filePath(QStringLiteral("key.tar.gz"));
        QCOMPARE(runWadesk(QStringList{QStringLiteral("backup")} + a.where() + QStringList{QStringLiteral("--include-key"), withKey}, a.env).exitCode, 0);

        const QString otherKey = QString::fromLatin1(AesGcm::randomBytes(32).toHex());
        {
            Site b;
            b.env.insert(QStringLiteral("WADESK_SECRETS_BACKEND"), QStringLiteral("auto"));
            b.env.insert(QStringLiteral("WADESK_MASTER_KEY"), otherKey);
            const Run restore = runWadesk(QStringList{QStringLiteral("restore")} + b.where() + QStringList{withoutKey}, b.env);
            QCOMPARE(restore.exitCode, 4);
            QVERIFY2(restore.err.contains(QStringLiteral("is not the key this backup's secrets were sealed with")), qPrintable(restore.all()));
            QVERIFY(!QFileInfo::exists(b.dataDir));
            // The archive's right key does not override a key WaDesk would use instead.
            const Run again = runWadesk(QStringList{QStringLiteral("restore")} + b.where() + QStringList{withKey}, b.env);
            QCOMPARE(again.exitCode, 4);
            QVERIFY2(again.err.contains(QStringLiteral("the archive holds the right key")), qPrintable(again.all()));
            QVERIFY(!QFileInfo::exists(b.dataDir));
        }
        {
            Site b; // the file store, and no key file: the archive has no key either
            const Run restore = runWadesk(QStringList{QStringLiteral("restore")} + b.where() + QStringList{withoutKey}, b.env);
            QCOMPARE(restore.exitCode, 4);
            QVERIFY2(restore.err.contains(QStringLiteral("does not include the master key")), qPrintable(restore.all()));
            QVERIFY(!QFileInfo::exists(b.dataDir));
        }
        {
            Site b; // the right key from the environment: restored, and no key file written
            b.env.insert(QStringLiteral("WADESK_SECRETS_BACKEND"), QStringLiteral("auto"));
            b.env.insert(QStringLiteral("WADESK_MASTER_KEY"), QString::fromLatin1(seeded.masterKey.toHex()));
            const Run restore = runWadesk(QStringList{QStringLiteral("restore")} + b.where() + QStringList{withoutKey}, b.env);
            QVERIFY2(restore.exitCode == 0, qPrintable(restore.all()));
            QVERIFY(QFileInfo::exists(b.sqlitePath()));
            QVERIFY(!QFileInfo::exists(SecretStoreSelector::keyFilePath(b.dataDir)));
        }
    }

    // A database WaDesk never started on (only migrated, as `import-v1` leaves it) has no key
    // fingerprint: it restores without a key, and WaDesk makes one at its first start.
    void neverStartedDatabaseRestoresWithoutAKey()
    {
        Site a;
        QDir().mkpath(a.dataDir);
        {
            Database db(a.url());
            QVERIFY(Migrator(db, Migrator::embeddedDirectory(QStringLiteral("sqlite"))).migrate());
            db.closeThreadConnection();
        }
        const QString archive = a.home->filePath(QStringLiteral("fresh.tar.gz"));
        QCOMPARE(runWadesk(QStringList{QStringLiteral("backup")} + a.where() + QStringList{archive}, a.env).exitCode, 0);
        Site b;
        const Run restore = runWadesk(QStringList{QStringLiteral("restore")} + b.where() + QStringList{archive}, b.env);
        QVERIFY2(restore.exitCode == 0, qPrintable(restore.all()));
        QVERIFY(QFileInfo::exists(b.sqlitePath()));
        QVERIFY(!QFileInfo::exists(SecretStoreSelector::keyFilePath(b.dataDir)));
    }

    void damagedArchiveIsRefused_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected");
        QTest::newRow("byte flipped") << QStringLiteral("flip") << QStringLiteral("backup.tar.gz");
        QTest::newRow("truncated") << QStringLiteral("truncate") << QStringLiteral("backup.tar.gz");
        QTest::newRow("not an archive") << QStringLiteral("text") << QStringLiteral("not a readable WaDesk backup");
        QTest::newRow("media altered") << QStringLiteral("alter") << QStringLiteral("the checksum of media/note.txt does not match");
        QTest::newRow("database altered") << QStringLiteral("alter-db") << QStringLiteral("the checksum of database/wadesk.db does not match");
        QTest::newRow("no manifest") << QStringLiteral("no-manifest") << QStringLiteral("has no manifest");
        QTest::newRow("unlisted entry") << QStringLiteral("extra") << QStringLiteral("media/extra.bin is not listed");
        QTest::newRow("path escape") << QStringLiteral("escape") << QStringLiteral("unexpected entry '../escape'");
        QTest::newRow("newer schema") << QStringLiteral("schema") << QStringLiteral("newer than this WaDesk knows");
        QTest::newRow("newer format") << QStringLiteral("format") << QStringLiteral("newer than this WaDesk understands");
    }

    void damagedArchiveIsRefused()
    {
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        Site a;
        seed(a);
        const QString good = a.home->filePath(QStringLiteral("good.tar.gz"));
        QCOMPARE(runWadesk(QStringList{QStringLiteral("backup")} + a.where() + QStringList{QStringLiteral("--include-key"), good}, a.env).exitCode, 0);
        const QString bad = a.home->filePath(QStringLiteral("backup.tar.gz"));
        QByteArray bytes = fileBytes(good);
        auto keep = [](const QString &, QByteArray &) { return true; };
        if (damage == QLatin1String("flip") || damage == QLatin1String("truncate") || damage == QLatin1String("text")) {
            if (damage == QLatin1String("flip"))
                bytes[bytes.size() / 2] = char(bytes.at(bytes.size() / 2) ^ 0x5a);
            else if (damage == QLatin1String("truncate"))
                bytes.truncate(bytes.size() / 2);
            else
                bytes = "just some text, not a tar.gz\n";
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        } else if (damage == QLatin1String("alter")) {
            rewriteArchive(good, bad, [](const QString &path, QByteArray &data) {
                if (path == QLatin1String("media/note.txt"))
                    data = "a forged note";
                return true;
            });
        } else if (damage == QLatin1String("alter-db")) {
            rewriteArchive(good, bad, [](const QString &path, QByteArray &data) {
                if (path == QLatin1String("database/wadesk.db"))
                    data[data.size() - 10] = char(data.at(data.size() - 10) ^ 1);
                return true;
            });
        } else if (damage == QLatin1String("no-manifest")) {
            rewriteArchive(good, bad, [](const QString &path, QByteArray &) { return path != QLatin1String("manifest.json"); });
        } else if (damage == QLatin1String("extra")) {
            rewriteArchive(good, bad, keep, {{QStringLiteral("media/extra.bin"), QByteArray("smuggled")}});
        } else if (damage == QLatin1String("escape")) {
            rewriteArchive(good, bad, keep, {{QStringLiteral("../escape"), QByteArray("outside")}});
        } else if (damage == QLatin1String("schema") || damage == QLatin1String("format")) {
            const bool schema = damage == QLatin1String("schema");
            rewriteArchive(good, bad, [schema](const QString &path, QByteArray &data) {
                if (path == QLatin1String("manifest.json"))
                    data = editedManifest(data, [schema](QJsonObject &o) {
                        if (schema) {
                            QJsonObject db = o.value(QStringLiteral("database")).toObject();
                            db.insert(QStringLiteral("schema_version"), 9999);
                            o.insert(QStringLiteral("database"), db);
                        } else {
                            o.insert(QStringLiteral("format_version"), 2);
                        }
                    });
                return true;
            });
        }
        Site b;
        const Run restore = runWadesk(QStringList{QStringLiteral("restore")} + b.where() + QStringList{bad}, b.env);
        QCOMPARE(restore.exitCode, 4);
        QVERIFY2(restore.err.contains(expected), qPrintable(restore.all()));
        QVERIFY(!QFileInfo::exists(b.dataDir));
        QVERIFY(!QFileInfo::exists(bad + QStringLiteral(".restore")));
    }

    void backupNeverLeavesAHalfFile()
    {
        Site a;
        seed(a);
        const QString archive = a.home->filePath(QStringLiteral("taken.tar.gz"));
        QFile existing(archive);
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("an earlier backup");
        existing.close();
        const Run overwrite = runWadesk(QStringList{QStringLiteral("backup")} + a.where() + QStringList{archive}, a.env);
        QCOMPARE(overwrite.exitCode, 4);
        QVERIFY2(overwrite.err.contains(QStringLiteral("exists already")), qPrintable(overwrite.all()));
        QCOMPARE(fileBytes(archive), QByteArray("an earlier backup"));

        Site empty; // no database at all: an error, and neither FILE nor FILE.part
        const QString nothing = empty.home->filePath(QStringLiteral("nothing.tar.gz"));
        const Run failed = runWadesk(QStringList{QStringLiteral("backup")} + empty.where() + QStringList{nothing}, empty.env);
        QCOMPARE(failed.exitCode, 4);
        QVERIFY2(failed.err.contains(QStringLiteral("there is no database")), qPrintable(failed.all()));
        QVERIFY(!QFileInfo::exists(nothing));
        QVERIFY(!QFileInfo::exists(nothing + QStringLiteral(".part")));
        QVERIFY(!QFileInfo::exists(empty.dataDir));
        QCOMPARE(QDir(empty.home->path()).entryList(QStringList{QStringLiteral(".wadesk-backup-*")}, QDir::AllEntries | QDir::Hidden).size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestBackupRestore)
#include "tst_backup_restore.moc"
