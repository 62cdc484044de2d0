// `wadesk import-v1` with the real binary, on SQLite and PostgreSQL: a dry run writes nothing; an
// import creates the organization, its clients (unlinked, phones in E.164) and an admin who signs
// in with the printed password, as a registration would (audit entries, first API key); running it
// again changes nothing; a malformed file is refused naming the entry, and nothing is imported.

#include "tests/support/BinarySandbox.h"
#include "tests/support/PgCluster.h"
#include "core/audit/AuditLog.h"
#include "core/auth/AccountService.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/PasswordHasher.h"
#include "core/db/Database.h"
#include "core/db/DatabaseUrl.h"
#include "core/db/SqlRunner.h"
#include "core/secrets/AesGcm.h"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

using namespace wadesk;
using wadesk::test::PgCluster;

namespace {

struct Run {
    bool finished = false;
    int exitCode = -1;
    QString out;
    QString err;
    QString all() const { return QStringLiteral("exit %1\nstdout:\n%2\nstderr:\n%3").arg(exitCode).arg(out, err); }
};

const QByteArray kExport = R"({
  "exported_at": "2024-05-01T10:00:00Z",
  "clients": [
    {"name": "Front desk", "phone": "+1 (415) 555-0101", "status": "ready", "sessionPath": "/v1/sessions/a"},
    {"name": "Sales", "phone_number": "14155550102", "status": "disconnected"},
    {"name": "  Support  ", "status": "qr"}
  ]
})";

struct Site {
    std::unique_ptr<QTemporaryDir> home = std::make_unique<QTemporaryDir>();
    QString dataDir = home->filePath(QStringLiteral("data"));
    QString postgresUrl;
    QProcessEnvironment env = [this] {
        QProcessEnvironment e = wadesk::test::isolatedEnvironment(home->path());
        e.insert(QStringLiteral("WADESK_PASSWORD_HASH_COST"), QStringLiteral("min"));
        return e;
    }();

    QString write(const QString &name, const QByteArray &content) const
    {
        QFile f(home->filePath(name));
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(f.fileName()));
        f.write(content);
        return f.fileName();
    }
    Run importV1(const QStringList &options, const QString &file) const
    {
        QStringList args{QStringLiteral("import-v1"), QStringLiteral("--data-dir"), dataDir};
        if (!postgresUrl.isEmpty())
            args << QStringLiteral("--db") << postgresUrl;
        QProcess process;
        process.setProcessEnvironment(env);
        process.start(wadesk::test::wadeskBinary(), args + options + QStringList{file});
        Run run;
        run.finished = process.waitForStarted(10000) && process.waitForFinished(120000);
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.out = QString::fromLocal8Bit(process.readAllStandardOutput());
        run.err = QString::fromLocal8Bit(process.readAllStandardError());
        return run;
    }
    DatabaseUrl url() const
    {
        return DatabaseUrl::parse(postgresUrl.isEmpty() ? QStringLiteral("wadesk.db") : postgresUrl, dataDir).value();
    }
};

std::unique_ptr<Site> makeSite(const QString &dialect, QString *skip)
{
    auto site = std::make_unique<Site>();
    if (dialect == QLatin1String("postgres")) {
        PgCluster *cluster = PgCluster::shared(skip);
        if (!cluster)
            return nullptr;
        site->postgresUrl = cluster->createDatabase();
    }
    return site;
}

qint64 scalar(Database &db, const QString &sqlText, const QVariantList &bind = {})
{
    SqlRunner sql(db);
    Result<QSqlQuery> q = sql.run(sqlText, bind);
    return q && q.value().next() ? q.value().value(0).toLongLong() : -1;
}

// Rows in the tables an import writes to: "nothing changed" is this, unchanged.
QList<qint64> footprint(Database &db)
{
    QList<qint64> out;
    for (const char *table : {"organizations", "users", "api_keys", "clients", "audit_logs", "settings"})
        out << scalar(db, QStringLiteral("SELECT COUNT(*) FROM %1").arg(QLatin1String(table)));
    return out;
}

QString printed(const QString &output, const QString &label)
{
    const QRegularExpression line(QStringLiteral("^%1: (\\S+)$").arg(QRegularExpression::escape(label)),
                                  QRegularExpression::MultilineOption);
    return line.match(output).captured(1);
}

} // namespace

#define WADESK_SITE(var)                                                                                                   \
    QFETCH(QString, dialect);                                                                                              \
    QString var##Skip;                                                                                                     \
    std::unique_ptr<Site> var = makeSite(dialect, &var##Skip);                                                             \
    if (!var) {                                                                                                            \
        if (PgCluster::required())                                                                                         \
            QFAIL(qPrintable(var##Skip));                                                                                  \
        QSKIP(qPrintable(var##Skip));                                                                                      \
    }

class TestImportV1 : public QObject {
    Q_OBJECT
private slots:
    void dryRunWritesNothing_data() { dialects(); }
    void dryRunWritesNothing()
    {
        WADESK_SITE(site);
        const QString file = site->write(QStringLiteral("clients-backup.json"), kExport);
        const Run run = site->importV1({QStringLiteral("--dry-run")}, file);
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.all()));
        QVERIFY2(run.out.contains(QStringLiteral("would create organization \"Migrated Org\" with 3 client(s) (2 with a phone"))
                     && run.out.contains(QStringLiteral("admin@example.com")) && run.out.contains(QStringLiteral("nothing was written")),
                 qPrintable(run.all()));
        QVERIFY(!run.out.contains(QStringLiteral("password")));
        if (dialect == QLatin1String("sqlite")) {
            QVERIFY(!QFileInfo::exists(site->dataDir));
        } else {
            Database db(site->url());
            QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()")), 0);
            db.closeThreadConnection();
        }
    }

    void importCreatesOrganizationClientsAndAdmin_data() { dialects(); }
    void importCreatesOrganizationClientsAndAdmin()
    {
        WADESK_SITE(site);
        const QString file = site->write(QStringLiteral("clients-backup.json"), kExport);
        const QString email = dialect == QLatin1String("sqlite") ? QStringLiteral("admin@example.com") : QStringLiteral("boss@shop.example");
        const QString orgName = dialect == QLatin1String("sqlite") ? QStringLiteral("Migrated Org") : QStringLiteral("Shop & Co");
        QStringList options;
        if (dialect == QLatin1String("postgres"))
            options << QStringLiteral("--org-name") << orgName << QStringLiteral("--admin-email") << email;
        const Run run = site->importV1(options, file);
        QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.all()));
        const QString password = printed(run.out, QStringLiteral("admin password"));
        const QString apiKey = printed(run.out, QStringLiteral("API key"));
        QVERIFY2(password.size() == 20, qPrintable(run.all()));
        QVERIFY2(apiKey.startsWith(QStringLiteral("sk_")), qPrintable(run.all()));
        QCOMPARE(run.out.count(password), 1); // printed once

        Database db(site->url());
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM organizations WHERE name = ?"), {orgName}), 1);
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM users WHERE role = 'admin' AND email = ?"), {email}), 1);
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM api_keys")), 1);
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM clients")), 3);
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM clients WHERE name = 'Front desk' AND phone_number = '+14155550101'")), 1);
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM clients WHERE name = 'Sales' AND phone_number = '+14155550102'")), 1);
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM clients WHERE name = 'Support' AND phone_number IS NULL")), 1);
        // v1's "ready" is not carried over: every client is in the never-started state.
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM clients WHERE status = 'stopped' AND linked = 0 AND autostart = 0")), 3);
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'register'")), 1);
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'create_client'")), 3);
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE action = 'import_v1'")), 1);
        {
            SqlRunner sql(db);
            const Result<AuditLog::Verification> chain = AuditLog(sql).verify();
            QVERIFY(chain && chain.value().intact);
        }

        // The admin signs in with the printed password, through the same path as the API's login.
        const JwtCodec jwt(AesGcm::randomBytes(32), 60);
        AccountService accounts(db, jwt);
        const Result<AccountService::LoginAttempt> attempt = accounts.beginLogin(email, QStringLiteral("127.0.0.1"));
        QVERIFY(attempt && attempt.value().user);
        const PasswordHasher hasher(PasswordHasher::Cost::Minimal);
        QVERIFY(hasher.verify(password, attempt.value().user->passwordHash));
        QVERIFY(!hasher.verify(password + QLatin1Char('x'), attempt.value().user->passwordHash));
        QVERIFY(accounts.finishLogin(email, attempt.value(), true, QStringLiteral("127.0.0.1")));

        // Again: nothing changes, and it says so.
        const QList<qint64> before = footprint(db);
        const Run again = site->importV1(options, file);
        QVERIFY2(again.exitCode == 0 && again.out.contains(QStringLiteral("already imported")), qPrintable(again.all()));
        QVERIFY(!again.out.contains(QStringLiteral("password")));
        QCOMPARE(footprint(db), before);
        const Run dryAgain = site->importV1(options + QStringList{QStringLiteral("--dry-run")}, file);
        QVERIFY2(dryAgain.exitCode == 0 && dryAgain.out.contains(QStringLiteral("already imported")), qPrintable(dryAgain.all()));

        // Under another name the same admin email is taken: refused, nothing imported.
        const Run other = site->importV1({QStringLiteral("--org-name"), QStringLiteral("Another"), QStringLiteral("--admin-email"), email}, file);
        QCOMPARE(other.exitCode, 4);
        QVERIFY2(other.err.contains(QStringLiteral("exists already")), qPrintable(other.all()));
        QCOMPARE(footprint(db), before);
        db.closeThreadConnection();
    }

    void malformedExportIsRefused_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("not JSON") << QByteArray("{\"clients\": [") << QStringList{QStringLiteral("it is not JSON")};
        QTest::newRow("no clients") << QByteArray("{\"clients\": []}") << QStringList{QStringLiteral("lists no clients")};
        QTest::newRow("wrong shape") << QByteArray("{\"users\": [1]}") << QStringList{QStringLiteral("expected {\"clients\": [...]}")};
        QTest::newRow("invalid phone")
            << QByteArray(R"([{"name": "Good", "phone": "+14155550101"}, {"name": "Bad", "phone": "12"}])")
            << QStringList{QStringLiteral("clients[1] (\"Bad\")"), QStringLiteral("'12'")};
        QTest::newRow("duplicate phones")
            << QByteArray(R"({"clients": [{"name": "A", "phone": "+14155550101"}, {"name": "B", "phone": "1 415 555 0101"}]})")
            << QStringList{QStringLiteral("clients[1] (\"B\")"), QStringLiteral("also the phone of clients[0]")};
        QTest::newRow("empty name") << QByteArray(R"({"clients": [{"name": "  ", "phone": "+14155550101"}]})")
                                    << QStringList{QStringLiteral("clients[0]: the name is missing or empty")};
        QTest::newRow("not an object") << QByteArray(R"({"clients": [{"name": "A"}, "B"]})")
                                       << QStringList{QStringLiteral("clients[1]: not an object")};
        QTest::newRow("several problems")
            << QByteArray(R"([{"name": ""}, {"name": "X", "phone": true}, {"name": "Y", "phone": "+999"}])")
            << QStringList{QStringLiteral("3 problem(s)"), QStringLiteral("clients[0]"), QStringLiteral("clients[1] (\"X\")"),
                           QStringLiteral("clients[2] (\"Y\")")};
        QByteArray huge = "{\"clients\": [";
        while (huge.size() < 9 * 1024 * 1024)
            huge += "{\"name\": \"padding padding padding padding\"},";
        huge += "{\"name\": \"last\"}]}";
        QTest::newRow("huge file") << huge << QStringList{QStringLiteral("more than the 8388608 bytes")};
    }

    void malformedExportIsRefused()
    {
        QFETCH(QByteArray, content);
        QFETCH(QStringList, expected);
        Site site;
        const QString file = site.write(QStringLiteral("clients-backup.json"), content);
        for (const bool dryRun : {true, false}) {
            const Run run = site.importV1(dryRun ? QStringList{QStringLiteral("--dry-run")} : QStringList{}, file);
            QCOMPARE(run.exitCode, 4);
            for (const QString &fragment : expected)
                QVERIFY2(run.err.contains(fragment), qPrintable(run.all()));
            QVERIFY2(run.err.contains(QStringLiteral("nothing was imported")), qPrintable(run.all()));
            QVERIFY(!QFileInfo::exists(site.dataDir));
        }
    }

    void badOptionsAreRefused()
    {
        Site site;
        const QString file = site.write(QStringLiteral("clients-backup.json"), kExport);
        const Run email = site.importV1({QStringLiteral("--admin-email"), QStringLiteral("not-an-email")}, file);
        QCOMPARE(email.exitCode, 4);
        QVERIFY2(email.err.contains(QStringLiteral("--admin-email 'not-an-email'")), qPrintable(email.all()));
        const Run name = site.importV1({QStringLiteral("--org-name"), QStringLiteral("   ")}, file);
        QCOMPARE(name.exitCode, 4);
        QVERIFY2(name.err.contains(QStringLiteral("--org-name")), qPrintable(name.all()));
        const Run missing = site.importV1({}, site.home->filePath(QStringLiteral("nope.json")));
        QCOMPARE(missing.exitCode, 4);
        QVERIFY2(missing.err.contains(QStringLiteral("does not exist")), qPrintable(missing.all()));
        QVERIFY(!QFileInfo::exists(site.dataDir));
    }

private:
    void dialects()
    {
        QTest::addColumn<QString>("dialect");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgres") << QStringLiteral("postgres");
    }
};

QTEST_GUILESS_MAIN(TestImportV1)
#include "tst_import_v1.moc"
