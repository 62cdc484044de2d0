// The data layer on both dialects: embedded migrations, all-or-nothing application, refusal of a
// changed or newer schema, the SQL script splitter, settings, reconnecting after a server
// restart, and one connection per thread.

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SettingsRepository.h"
#include "core/db/SqlRunner.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <map>

using namespace wadesk;
using wadesk::test::PgCluster;

namespace {

QSqlDatabase connectionOf(Database &db)
{
    // The helpers warn and return nothing on failure, so that the checks that use their result
    // fail (qFatal would abort the process and leave the PostgreSQL cluster running).
    Result<QSqlDatabase> c = db.connection();
    if (!c) {
        qWarning("no connection: %s", qPrintable(c.error().message));
        return QSqlDatabase();
    }
    return c.value();
}

// The user tables of the database, sorted, lower-case.
QStringList tablesOf(Database &db)
{
    QSqlQuery q(connectionOf(db));
    const QString sql = db.isPostgres()
        ? QStringLiteral("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                         "AND table_type = 'BASE TABLE' ORDER BY table_name")
        : QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                         "ORDER BY name");
    QStringList out;
    if (!q.exec(sql)) {
        qWarning("cannot list tables: %s", qPrintable(q.lastError().text()));
        return {QStringLiteral("<error>")};
    }
    while (q.next())
        out << q.value(0).toString().toLower();
    return out;
}

// The rows of schema_migrations as "version|name|checksum|applied_at", or empty when the
// table does not exist.
QStringList migrationRows(Database &db)
{
    if (!tablesOf(db).contains(QStringLiteral("schema_migrations")))
        return {};
    QSqlQuery q(connectionOf(db));
    QStringList out;
    if (!q.exec(QStringLiteral("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"))) {
        qWarning("cannot read schema_migrations: %s", qPrintable(q.lastError().text()));
        return {QStringLiteral("<error>")};
    }
    while (q.next())
        out << QStringLiteral("%1|%2|%3|%4")
                   .arg(q.value(0).toInt())
                   .arg(q.value(1).toString(), q.value(2).toString())
                   .arg(q.value(3).toLongLong());
    return out;
}

QVariant scalar(Database &db, const QString &sql)
{
    QSqlQuery q(connectionOf(db));
    if (!q.exec(sql) || !q.next()) {
        qWarning("%s failed: %s", qPrintable(sql), qPrintable(q.lastError().text()));
        return QVariant();
    }
    return q.value(0);
}

bool writeMigration(const QString &dir, const QString &fileName, const QByteArray &sql)
{
    QFile f(dir + QLatin1Char('/') + fileName);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(sql) == sql.size();
}

QString errorText(const Result<int> &r)
{
    return r.ok() ? QStringLiteral("ok: %1").arg(r.value()) : r.error().message;
}

} // namespace

class TestMigrations : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (PgCluster::required()) {
            QString why;
            QVERIFY2(PgCluster::shared(&why), qPrintable(why));
        }
    }

    // ---- the embedded migrations ----

    void dialectsHaveTheSameMigrations()
    {
        QTemporaryDir dir;
        Database sqlite(DatabaseUrl::parse(QStringLiteral("unused.db"), dir.path()).value());
        const Result<std::vector<Migrator::Migration>> lite = Migrator(sqlite, Migrator::embeddedDirectory(QStringLiteral("sqlite"))).available();
        const Result<std::vector<Migrator::Migration>> pg = Migrator(sqlite, Migrator::embeddedDirectory(QStringLiteral("postgres"))).available();
        QVERIFY(lite.ok());
        QVERIFY(pg.ok());
        QVERIFY(!lite.value().empty());
        QCOMPARE(lite.value().size(), pg.value().size());
        for (size_t i = 0; i < lite.value().size(); ++i) {
            QCOMPARE(pg.value()[i].version, lite.value()[i].version);
            QCOMPARE(pg.value()[i].name, lite.value()[i].name);
        }
    }

    void embeddedMigrationsApply_data() { wadesk::test::addDialectRows(); }

    void embeddedMigrationsApply()
    {
        WADESK_FRESH_DATABASE(fresh);
        Database &db = *fresh.database;
        const QString directory = Migrator::embeddedDirectory(db.url().dialectName());
        Migrator migrator(db, directory);
        const Result<std::vector<Migrator::Migration>> files = migrator.available();
        QVERIFY(files.ok());
        const QStringList fileNames = QDir(directory).entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
        QCOMPARE(int(files.value().size()), fileNames.size());
        QVERIFY(tablesOf(db).isEmpty());

        const Result<int> applied = migrator.migrate();
        QVERIFY2(applied.ok(), qPrintable(errorText(applied)));
        QCOMPARE(applied.value(), fileNames.size());

        const QStringList tables = tablesOf(db);
        for (const char *table : {"organizations", "users", "api_keys", "audit_logs", "settings", "schema_migrations"})
            QVERIFY2(tables.contains(QLatin1String(table)), table);

        // One row per file, with the file's name and SHA-256.
        const QStringList rows = migrationRows(db);
        QCOMPARE(rows.size(), fileNames.size());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < rows.size(); ++i) {
            const QStringList parts = rows.at(i).split(QLatin1Char('|'));
            QFile f(directory + QLatin1Char('/') + fileNames.at(i));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(parts.at(0).toInt(), fileNames.at(i).left(4).toInt());
            QCOMPARE(parts.at(1) + QStringLiteral(".sql"), fileNames.at(i).mid(5));
            QCOMPARE(parts.at(2), QString::fromLatin1(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex()));
            QVERIFY(parts.at(3).toLongLong() > now - 600000 && parts.at(3).toLongLong() <= now);
        }

        // Re-running is a no-op: 0 applied, nothing changed (applied_at included).
        const Result<int> again = migrator.migrate();
        QVERIFY2(again.ok(), qPrintable(errorText(again)));
        QCOMPARE(again.value(), 0);
        QCOMPARE(migrationRows(db), rows);
        QCOMPARE(tablesOf(db), tables);

        // So is a second instance starting on the same database.
        Database second(db.url());
        const Result<int> fromSecond = Migrator(second, directory).migrate();
        QVERIFY2(fromSecond.ok(), qPrintable(errorText(fromSecond)));
        QCOMPARE(fromSecond.value(), 0);
        QCOMPARE(migrationRows(second), rows);
        second.closeThreadConnection();

        // The schema is usable: the foreign keys hold (SQLite enforces them too).
        QSqlQuery q(connectionOf(db));
        QVERIFY(!q.exec(QStringLiteral("INSERT INTO users (id, organization_id, email, email_normalized, password_hash, "
                                       "name, role, created_at, updated_at) VALUES ('u1', 'org_missing', 'a@b', 'a@b', "
                                       "'x', 'A', 'admin', 1, 1)")));
        QVERIFY(q.exec(QStringLiteral("INSERT INTO organizations (id, name, created_at, updated_at) VALUES ('org_1', 'O', 1, 1)")));
        QVERIFY2(q.exec(QStringLiteral("INSERT INTO users (id, organization_id, email, email_normalized, password_hash, "
                                       "name, role, created_at, updated_at) VALUES ('u1', 'org_1', 'a@b', 'a@b', "
                                       "'x', 'A', 'admin', 1, 1)")),
                 qPrintable(q.lastError().text()));
    }

    // ---- all or nothing ----

    void failingMigrationChangesNothing_data() { wadesk::test::addDialectRows(); }

    void failingMigrationChangesNothing()
    {
        WADESK_FRESH_DATABASE(fresh);
        Database &db = *fresh.database;
        QTemporaryDir dir;
        QVERIFY(writeMigration(dir.path(), QStringLiteral("0001_alpha.sql"),
                               "CREATE TABLE alpha (id INTEGER PRIMARY KEY, note TEXT NOT NULL);\n"
                               "INSERT INTO alpha (id, note) VALUES (1, 'first; with a semicolon');\n"));
        QVERIFY(writeMigration(dir.path(), QStringLiteral("0002_broken.sql"),
                               "CREATE TABLE beta (id INTEGER PRIMARY KEY);\n"
                               "THIS IS NOT SQL;\n"));
        const Result<int> failed = Migrator(db, dir.path()).migrate();
        QVERIFY(!failed.ok());
        QVERIFY2(failed.error().message.contains(QStringLiteral("0002_broken")), qPrintable(failed.error().message));
        // Exactly as before: no table from 0001 or 0002, not even schema_migrations.
        QCOMPARE(tablesOf(db), QStringList());
        QCOMPARE(migrationRows(db), QStringList());

        // The connection is not left inside a failed transaction: once fixed, it applies.
        QVERIFY(writeMigration(dir.path(), QStringLiteral("0002_broken.sql"), "CREATE TABLE beta (id INTEGER PRIMARY KEY);\n"));
        const Result<int> fixed = Migrator(db, dir.path()).migrate();
        QVERIFY2(fixed.ok(), qPrintable(errorText(fixed)));
        QCOMPARE(fixed.value(), 2);
        QCOMPARE(tablesOf(db), (QStringList{QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("schema_migrations")}));
        QCOMPARE(scalar(db, QStringLiteral("SELECT note FROM alpha WHERE id = 1")).toString(),
                 QStringLiteral("first; with a semicolon"));

        // A later failing set leaves what was applied before untouched: 0003 creates a table and
        // changes a row, 0004 fails.
        const QStringList before = migrationRows(db);
        QVERIFY(writeMigration(dir.path(), QStringLiteral("0003_gamma.sql"),
                               "CREATE TABLE gamma (id INTEGER PRIMARY KEY);\n"
                               "UPDATE alpha SET note = 'changed' WHERE id = 1;\n"
                               "INSERT INTO alpha (id, note) VALUES (2, 'second');\n"));
        QVERIFY(writeMigration(dir.path(), QStringLiteral("0004_fails.sql"),
                               "INSERT INTO alpha (id, note) VALUES (1, 'duplicate key');\n"));
        const Result<int> partial = Migrator(db, dir.path()).migrate();
        QVERIFY(!partial.ok());
        QVERIFY2(partial.error().message.contains(QStringLiteral("0004_fails")), qPrintable(partial.error().message));
        QCOMPARE(tablesOf(db), (QStringList{QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("schema_migrations")}));
        QCOMPARE(migrationRows(db), before);
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM alpha")).toInt(), 1);
        QCOMPARE(scalar(db, QStringLiteral("SELECT note FROM alpha WHERE id = 1")).toString(),
                 QStringLiteral("first; with a semicolon"));
    }

    void changedMigrationIsRefused_data() { wadesk::test::addDialectRows(); }

    void changedMigrationIsRefused()
    {
        WADESK_FRESH_DATABASE(fresh);
        Database &db = *fresh.database;
        QTemporaryDir dir;
        QVERIFY(writeMigration(dir.path(), QStringLiteral("0001_alpha.sql"), "CREATE TABLE alpha (id INTEGER PRIMARY KEY);\n"));
        QCOMPARE(Migrator(db, dir.path()).migrate().value(), 1);
        const QStringList rows = migrationRows(db);

        // Edited after it was applied (even a comment counts), and a new file next to it.
        QVERIFY(writeMigration(dir.path(), QStringLiteral("0001_alpha.sql"),
                               "-- tidied up\nCREATE TABLE alpha (id INTEGER PRIMARY KEY);\n"));
        QVERIFY(writeMigration(dir.path(), QStringLiteral("0002_beta.sql"), "CREATE TABLE beta (id INTEGER);\n"));
        const Result<int> r = Migrator(db, dir.path()).migrate();
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QStringLiteral("0001_alpha")) && r.error().message.contains(QStringLiteral("changed")),
                 qPrintable(r.error().message));
        QCOMPARE(migrationRows(db), rows);
        QVERIFY(!tablesOf(db).contains(QStringLiteral("beta")));

        // Putting the file back makes it apply again (the failure left no lock or transaction).
        QVERIFY(writeMigration(dir.path(), QStringLiteral("0001_alpha.sql"), "CREATE TABLE alpha (id INTEGER PRIMARY KEY);\n"));
        const Result<int> restored = Migrator(db, dir.path()).migrate();
        QVERIFY2(restored.ok(), qPrintable(errorText(restored)));
        QCOMPARE(restored.value(), 1);
    }

    void newerDatabaseIsRefused_data() { wadesk::test::addDialectRows(); }

    void newerDatabaseIsRefused()
    {
        WADESK_FRESH_DATABASE(fresh);
        Database &db = *fresh.database;
        QTemporaryDir newer;
        QVERIFY(writeMigration(newer.path(), QStringLiteral("0001_alpha.sql"), "CREATE TABLE alpha (id INTEGER);\n"));
        QVERIFY(writeMigration(newer.path(), QStringLiteral("0002_beta.sql"), "CREATE TABLE beta (id INTEGER);\n"));
        QCOMPARE(Migrator(db, newer.path()).migrate().value(), 2);
        const QStringList rows = migrationRows(db);

        // An older WaDesk knows only 0001.
        QTemporaryDir older;
        QVERIFY(writeMigration(older.path(), QStringLiteral("0001_alpha.sql"), "CREATE TABLE alpha (id INTEGER);\n"));
        const Result<int> r = Migrator(db, older.path()).migrate();
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QStringLiteral("newer")), qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(QStringLiteral("version 2")), qPrintable(r.error().message));
        QCOMPARE(migrationRows(db), rows);
        QCOMPARE(tablesOf(db), (QStringList{QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("schema_migrations")}));
        // The newer code still runs fine afterwards.
        QCOMPARE(Migrator(db, newer.path()).migrate().value(), 0);
    }

    void migrationFilesAreChecked()
    {
        QTemporaryDir dbDir;
        Database db(DatabaseUrl::parse(QStringLiteral("unused.db"), dbDir.path()).value());
        {
            QTemporaryDir empty;
            QVERIFY(!Migrator(db, empty.path()).available().ok());
            QVERIFY(!Migrator(db, empty.path()).migrate().ok());
        }
        {
            QTemporaryDir dir;
            QVERIFY(writeMigration(dir.path(), QStringLiteral("1_short.sql"), "SELECT 1;"));
            const auto r = Migrator(db, dir.path()).available();
            QVERIFY(!r.ok());
            QVERIFY(r.error().message.contains(QStringLiteral("1_short.sql")));
        }
        {
            QTemporaryDir dir;
            QVERIFY(writeMigration(dir.path(), QStringLiteral("0001_Upper-Case.sql"), "SELECT 1;"));
            QVERIFY(!Migrator(db, dir.path()).available().ok());
        }
        {
            QTemporaryDir dir;
            QVERIFY(writeMigration(dir.path(), QStringLiteral("0001_a.sql"), "SELECT 1;"));
            QVERIFY(writeMigration(dir.path(), QStringLiteral("0001_b.sql"), "SELECT 1;"));
            const auto r = Migrator(db, dir.path()).available();
            QVERIFY(!r.ok());
            QVERIFY(r.error().message.contains(QStringLiteral("version 1")));
        }
        {
            // Other files (notes) are ignored; the order is numeric.
            QTemporaryDir dir;
            QVERIFY(writeMigration(dir.path(), QStringLiteral("0010_ten.sql"), "SELECT 10;"));
            QVERIFY(writeMigration(dir.path(), QStringLiteral("0002_two.sql"), "SELECT 2;"));
            QVERIFY(writeMigration(dir.path(), QStringLiteral("README.md"), "notes"));
            const auto r = Migrator(db, dir.path()).available();
            QVERIFY(r.ok());
            QCOMPARE(int(r.value().size()), 2);
            QCOMPARE(r.value()[0].version, 2);
            QCOMPARE(r.value()[1].version, 10);
            QCOMPARE(r.value()[1].name, QStringLiteral("ten"));
            QCOMPARE(r.value()[1].sql, QStringLiteral("SELECT 10;"));
        }
    }

    // ---- the script splitter ----

    void splitStatements_data()
    {
        QTest::addColumn<QString>("script");
        QTest::addColumn<QStringList>("statements");
        QTest::newRow("plain") << QStringLiteral("CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n")
                               << QStringList{QStringLiteral("CREATE TABLE a (x INT)"), QStringLiteral("CREATE TABLE b (y INT)")};
        QTest::newRow("no final semicolon") << QStringLiteral("SELECT 1;SELECT 2")
                                            << QStringList{QStringLiteral("SELECT 1"), QStringLiteral("SELECT 2")};
        QTest::newRow("empty statements") << QStringLiteral(" ;\n;; SELECT 1;;\n") << QStringList{QStringLiteral("SELECT 1")};
        QTest::newRow("empty script") << QString() << QStringList();
        QTest::newRow("only comments") << QStringLiteral("-- nothing; here\n/* nor; here */\n") << QStringList();
        QTest::newRow("semicolon in string")
            << QStringLiteral("INSERT INTO a VALUES ('x;y'); SELECT 2;")
            << QStringList{QStringLiteral("INSERT INTO a VALUES ('x;y')"), QStringLiteral("SELECT 2")};
        QTest::newRow("doubled quote in string")
            << QStringLiteral("INSERT INTO a VALUES ('it''s; fine'); SELECT 2")
            << QStringList{QStringLiteral("INSERT INTO a VALUES ('it''s; fine')"), QStringLiteral("SELECT 2")};
        QTest::newRow("comment markers in string")
            << QStringLiteral("INSERT INTO a VALUES ('-- not a comment; /* nor this */'); SELECT 2")
            << QStringList{QStringLiteral("INSERT INTO a VALUES ('-- not a comment; /* nor this */')"), QStringLiteral("SELECT 2")};
        QTest::newRow("quoted identifier") << QStringLiteral("CREATE TABLE \"we;ird\" (\"a\"\"b;\" INT); SELECT 2")
                                           << QStringList{QStringLiteral("CREATE TABLE \"we;ird\" (\"a\"\"b;\" INT)"),
                                                          QStringLiteral("SELECT 2")};
        QTest::newRow("line comments")
            << QStringLiteral("-- header; with semicolon\nSELECT 1; -- trailing; comment\nSELECT 2 -- no end\n;")
            << QStringList{QStringLiteral("SELECT 1"), QStringLiteral("SELECT 2")};
        QTest::newRow("block comments")
            << QStringLiteral("/* a; b */ SELECT 1; /* multi\nline; */ SELECT/* inline;*/2;")
            << QStringList{QStringLiteral("SELECT 1"), QStringLiteral("SELECT 2")};
        const QString function = QStringLiteral(
            "CREATE FUNCTION touch() RETURNS trigger AS $$\nBEGIN\n  NEW.updated_at := 1;\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql");
        QTest::newRow("dollar-quoted body") << function + QStringLiteral(";\nSELECT 2;")
                                            << QStringList{function, QStringLiteral("SELECT 2")};
        const QString tagged = QStringLiteral("CREATE FUNCTION f() RETURNS text AS $body$ SELECT '$$;'; $x$ $body$ LANGUAGE sql");
        QTest::newRow("tagged dollar body with $$ inside") << tagged + QStringLiteral("; SELECT 2")
                                                           << QStringList{tagged, QStringLiteral("SELECT 2")};
        QTest::newRow("dollar in identifiers and parameters")
            << QStringLiteral("CREATE TABLE a$b (x INT); SELECT $1, $2; SELECT 3")
            << QStringList{QStringLiteral("CREATE TABLE a$b (x INT)"), QStringLiteral("SELECT $1, $2"), QStringLiteral("SELECT 3")};
        const QString trigger = QStringLiteral(
            "CREATE TRIGGER clients_touch AFTER UPDATE ON clients BEGIN\n"
            "  UPDATE clients SET updated_at = 1 WHERE id = NEW.id;\n"
            "  INSERT INTO log VALUES ('end;');\n"
            "END");
        QTest::newRow("trigger") << trigger + QStringLiteral(";\nSELECT 2;") << QStringList{trigger, QStringLiteral("SELECT 2")};
        const QString lowerTrigger = QStringLiteral("create trigger t after insert on a begin delete from b; end");
        QTest::newRow("lower-case trigger") << lowerTrigger + QStringLiteral("; select 2")
                                            << QStringList{lowerTrigger, QStringLiteral("select 2")};
        const QString caseTrigger = QStringLiteral(
            "CREATE TRIGGER IF NOT EXISTS t AFTER INSERT ON a BEGIN\n"
            "  UPDATE b SET n = CASE WHEN NEW.x > 0 THEN 1 ELSE 0 END;\n"
            "  UPDATE b SET m = 2;\n"
            "END");
        QTest::newRow("trigger with CASE ... END inside") << caseTrigger + QStringLiteral("; SELECT 2")
                                                          << QStringList{caseTrigger, QStringLiteral("SELECT 2")};
        const QString tempTrigger = QStringLiteral("CREATE TEMP TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM b; DELETE FROM c; END");
        QTest::newRow("temp trigger") << tempTrigger + QStringLiteral(";SELECT 2")
                                      << QStringList{tempTrigger, QStringLiteral("SELECT 2")};
        QTest::newRow("comment before a trigger")
            << QStringLiteral("-- keeps b clean; really\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  DELETE FROM b; -- why; because\nEND; SELECT 2")
            << QStringList{QStringLiteral("CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  DELETE FROM b; \nEND"), QStringLiteral("SELECT 2")};
        QTest::newRow("column named ends is no END")
            << QStringLiteral("CREATE TABLE spans (begins INT, ends INT); SELECT ends FROM spans;")
            << QStringList{QStringLiteral("CREATE TABLE spans (begins INT, ends INT)"), QStringLiteral("SELECT ends FROM spans")};
        QTest::newRow("postgres trigger (no body)")
            << QStringLiteral("CREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW EXECUTE FUNCTION touch(); SELECT 2")
            << QStringList{QStringLiteral("CREATE TRIGGER t BEFORE UPDATE ON a FOR EACH ROW EXECUTE FUNCTION touch()"),
                           QStringLiteral("SELECT 2")};
    }

    void splitStatements()
    {
        QFETCH(QString, script);
        QFETCH(QStringList, statements);
        QCOMPARE(Migrator::splitStatements(script), statements);
    }

    void splitStatementsRunOnSqlite()
    {
        // The split trigger really is one statement SQLite accepts, and it works.
        QTemporaryDir dir;
        Database db(DatabaseUrl::parse(QStringLiteral("split.db"), dir.path()).value());
        QSqlQuery q(connectionOf(db));
        const QStringList statements = Migrator::splitStatements(QStringLiteral(
            "CREATE TABLE a (x INT); CREATE TABLE b (n INT); INSERT INTO b VALUES (0);\n"
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
            "  UPDATE b SET n = n + CASE WHEN NEW.x > 0 THEN 1 ELSE 100 END; -- count; positives\n"
            "  UPDATE b SET n = n + 0;\n"
            "END;\n"
            "INSERT INTO a VALUES (5); INSERT INTO a VALUES (-5);"));
        QCOMPARE(statements.size(), 6);
        for (const QString &s : statements)
            QVERIFY2(q.exec(s), qPrintable(s + QStringLiteral(": ") + q.lastError().text()));
        QCOMPARE(scalar(db, QStringLiteral("SELECT n FROM b")).toInt(), 101);
    }

    // ---- settings ----

    void settingsRepository_data() { wadesk::test::addDialectRows(); }

    void settingsRepository()
    {
        WADESK_FRESH_DATABASE(fresh);
        Database &db = *fresh.database;
        const Result<int> migrated = Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate();
        QVERIFY2(migrated.ok(), qPrintable(errorText(migrated)));
        SettingsRepository settings(db);
        const QString key = QStringLiteral("webhooks.timeout_ms");

        Result<std::optional<QString>> missing = settings.get(SettingsRepository::kInstallation, key);
        QVERIFY(missing.ok());
        QVERIFY(!missing.value().has_value());

        QVERIFY(settings.set(SettingsRepository::kInstallation, key, QStringLiteral("5000")).ok());
        QCOMPARE(settings.get(SettingsRepository::kInstallation, key).value(), std::optional<QString>(QStringLiteral("5000")));
        // The installation is organization id '' (null and empty strings alike).
        QCOMPARE(settings.get(QStringLiteral(""), key).value(), std::optional<QString>(QStringLiteral("5000")));
        QCOMPARE(scalar(db, QStringLiteral("SELECT organization_id FROM settings")).toString(), QString());
        QVERIFY(!scalar(db, QStringLiteral("SELECT organization_id FROM settings")).isNull());

        // Upsert: a second set replaces the value, still one row, and moves updated_at.
        const qint64 firstUpdate = scalar(db, QStringLiteral("SELECT updated_at FROM settings")).toLongLong();
        QTRY_VERIFY(QDateTime::currentMSecsSinceEpoch() > firstUpdate); // the clock has moved on
        QVERIFY(settings.set(SettingsRepository::kInstallation, key, QStringLiteral("7000")).ok());
        QCOMPARE(settings.get(SettingsRepository::kInstallation, key).value(), std::optional<QString>(QStringLiteral("7000")));
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM settings")).toInt(), 1);
        QVERIFY(scalar(db, QStringLiteral("SELECT updated_at FROM settings")).toLongLong() > firstUpdate);

        // Per organization: each sees its own value; the installation's is not inherited.
        QVERIFY(settings.set(QStringLiteral("org_a"), key, QStringLiteral("1000")).ok());
        QVERIFY(settings.set(QStringLiteral("org_b"), key, QStringLiteral("2000")).ok());
        QCOMPARE(settings.get(QStringLiteral("org_a"), key).value(), std::optional<QString>(QStringLiteral("1000")));
        QCOMPARE(settings.get(QStringLiteral("org_b"), key).value(), std::optional<QString>(QStringLiteral("2000")));
        QVERIFY(!settings.get(QStringLiteral("org_c"), key).value().has_value());
        QCOMPARE(settings.get(SettingsRepository::kInstallation, key).value(), std::optional<QString>(QStringLiteral("7000")));
        QVERIFY(!settings.get(QStringLiteral("org_a"), QStringLiteral("other.key")).value().has_value());

        // Values are stored as given: empty (present, not missing), quotes, unicode, long.
        const QString tricky = QStringLiteral("'; DROP TABLE settings; -- \u00e9\u4e2d\U0001F600");
        const QString longValue(100000, QLatin1Char('x'));
        QVERIFY(settings.set(QStringLiteral("org_a"), QStringLiteral("empty"), QString()).ok());
        QVERIFY(settings.set(QStringLiteral("org_a"), QStringLiteral("tricky"), tricky).ok());
        QVERIFY(settings.set(QStringLiteral("org_a"), QStringLiteral("long"), longValue).ok());
        const auto empty = settings.get(QStringLiteral("org_a"), QStringLiteral("empty")).value();
        QVERIFY(empty.has_value());
        QCOMPARE(*empty, QString());
        QCOMPARE(settings.get(QStringLiteral("org_a"), QStringLiteral("tricky")).value(), std::optional<QString>(tricky));
        QCOMPARE(settings.get(QStringLiteral("org_a"), QStringLiteral("long")).value(), std::optional<QString>(longValue));
        QCOMPARE(scalar(db, QStringLiteral("SELECT COUNT(*) FROM settings")).toInt(), 6);

        // insertIfAbsent: stores once, never overwrites.
        const Result<bool> firstInsert = settings.insertIfAbsent(QStringLiteral("org_a"), QStringLiteral("once"), QStringLiteral("1"));
        QVERIFY(firstInsert.ok());
        QVERIFY(firstInsert.value());
        const Result<bool> secondInsert = settings.insertIfAbsent(QStringLiteral("org_a"), QStringLiteral("once"), QStringLiteral("2"));
        QVERIFY(secondInsert.ok());
        QVERIFY(!secondInsert.value());
        QCOMPARE(settings.get(QStringLiteral("org_a"), QStringLiteral("once")).value(), std::optional<QString>(QStringLiteral("1")));
        QVERIFY(settings.insertIfAbsent(QStringLiteral("org_b"), QStringLiteral("once"), QStringLiteral("3")).value());
        QVERIFY(!settings.insertIfAbsent(QStringLiteral("org_a"), key, QStringLiteral("9")).value());
        QCOMPARE(settings.get(QStringLiteral("org_a"), key).value(), std::optional<QString>(QStringLiteral("1000")));

        // Another thread (its own connection) reads the same.
        std::optional<QString> fromThread;
        QThread *thread = QThread::create([&]() {
            SettingsRepository mine(db);
            fromThread = mine.get(QStringLiteral("org_b"), key).value();
            db.closeThreadConnection();
        });
        thread->start();
        QVERIFY(thread->wait(30000));
        delete thread;
        QCOMPARE(fromThread, std::optional<QString>(QStringLiteral("2000")));
    }

    // ---- connections ----

    void sqliteConnectionSettings()
    {
        QTemporaryDir dir;
        Database db(DatabaseUrl::parse(QStringLiteral("sub/dir/w.db"), dir.path()).value());
        QVERIFY(db.ping().ok()); // creates the missing directories
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("sub/dir/w.db"))));
        QCOMPARE(scalar(db, QStringLiteral("PRAGMA journal_mode")).toString().toLower(), QStringLiteral("wal"));
        QCOMPARE(scalar(db, QStringLiteral("PRAGMA foreign_keys")).toInt(), 1);
        QCOMPARE(scalar(db, QStringLiteral("PRAGMA busy_timeout")).toInt(), 10000);
    }

    void sqliteFilesAreReadableByTheOwnerOnly()
    {
        // The umask of a desktop session usually lets other users read new files (0644).
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("wadesk.db"));
        const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup
            | QFileDevice::ReadOther | QFileDevice::WriteOther;
        {
            Database db(DatabaseUrl::parse(path, dir.path()).value());
            QSqlQuery q(connectionOf(db));
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE t (x INTEGER)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO t VALUES (1)")));
            for (const QString &file : {path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm")}) {
                QVERIFY2(QFile::exists(file), qPrintable(file));
                QVERIFY2(!(QFile::permissions(file) & others), qPrintable(file));
                QVERIFY(QFile::permissions(file) & QFileDevice::ReadOwner);
            }
        }
        // A database file an older version left readable by everyone is tightened when opened.
        QVERIFY(QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ReadGroup | QFileDevice::ReadOther));
        Database reopened(DatabaseUrl::parse(path, dir.path()).value());
        QVERIFY(reopened.ping().ok());
        QVERIFY(!(QFile::permissions(path) & others));
        QCOMPARE(scalar(reopened, QStringLiteral("SELECT x FROM t")).toInt(), 1);
    }

    void oneConnectionPerThread_data() { wadesk::test::addDialectRows(); }

    void oneConnectionPerThread()
    {
        WADESK_FRESH_DATABASE(fresh);
        Database &db = *fresh.database;
        QSqlQuery q(connectionOf(db));
        QVERIFY(q.exec(QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")));
        QVERIFY(q.exec(QStringLiteral("INSERT INTO notes (id, body) VALUES (1, 'from main')")));
        const QString mainName = connectionOf(db).connectionName();
        QCOMPARE(connectionOf(db).connectionName(), mainName); // the same one on every call

        // Main holds an open write transaction while the thread reads: the reader neither blocks
        // nor sees uncommitted rows (WAL on SQLite, MVCC on PostgreSQL).
        QVERIFY(q.exec(db.isPostgres() ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE")));
        QVERIFY(q.exec(QStringLiteral("INSERT INTO notes (id, body) VALUES (2, 'uncommitted')")));

        QString threadName;
        QString threadError;
        QStringList seenBeforeCommit;
        QElapsedTimer readTime;
        readTime.start();
        QThread *reader = QThread::create([&]() {
            {
                Result<QSqlDatabase> c = db.connection();
                if (!c) {
                    threadError = c.error().message;
                    return;
                }
                threadName = c.value().connectionName();
                QSqlQuery tq(c.value());
                if (!tq.exec(QStringLiteral("SELECT body FROM notes ORDER BY id")))
                    threadError = tq.lastError().text();
                while (tq.next())
                    seenBeforeCommit << tq.value(0).toString();
            }
            db.closeThreadConnection();
        });
        reader->start();
        QVERIFY(reader->wait(30000));
        delete reader;
        QVERIFY2(threadError.isEmpty(), qPrintable(threadError));
        QVERIFY2(readTime.elapsed() < 5000, "the reader waited for the writer");
        QVERIFY(!threadName.isEmpty());
        QVERIFY(threadName != mainName);
        QCOMPARE(seenBeforeCommit, QStringList{QStringLiteral("from main")});
        QVERIFY(q.exec(QStringLiteral("COMMIT")));

        // After the commit a new thread sees both rows, and what it writes, main reads.
        QStringList seenAfterCommit;
        QThread *writer = QThread::create([&]() {
            Result<QSqlDatabase> c = db.connection();
            if (!c) {
                threadError = c.error().message;
                return;
            }
            QSqlQuery tq(c.value());
            if (!tq.exec(QStringLiteral("SELECT body FROM notes ORDER BY id")))
                threadError = tq.lastError().text();
            while (tq.next())
                seenAfterCommit << tq.value(0).toString();
            if (!tq.exec(QStringLiteral("INSERT INTO notes (id, body) VALUES (3, 'from thread')")))
                threadError = tq.lastError().text();
            // No closeThreadConnection(): the connection is closed when the thread finishes.
        });
        writer->start();
        QVERIFY(writer->wait(30000));
        delete writer;
        QVERIFY2(threadError.isEmpty(), qPrintable(threadError));
        QCOMPARE(seenAfterCommit, (QStringList{QStringLiteral("from main"), QStringLiteral("uncommitted")}));
        QCOMPARE(scalar(db, QStringLiteral("SELECT body FROM notes WHERE id = 3")).toString(), QStringLiteral("from thread"));

        // Connections of finished threads are gone; only main's remains for this database.
        const QString prefix = mainName.left(mainName.lastIndexOf(QLatin1Char('-')) + 1);
        QStringList ours;
        for (const QString &name : QSqlDatabase::connectionNames()) {
            if (name.startsWith(prefix))
                ours << name;
        }
        QCOMPARE(ours, QStringList{mainName});
        if (db.isPostgres()) {
            // ... and on the server: one backend for this database (main's).
            QTRY_COMPARE_WITH_TIMEOUT(
                scalar(db, QStringLiteral("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                                     "AND backend_type = 'client backend'")).toInt(),
                1, 10000);
        }
    }

    void pingRecoversAfterServerRestart()
    {
        // Last: it stops the shared PostgreSQL cluster for a moment.
        QString why;
        PgCluster *cluster = PgCluster::shared(&why);
        if (!cluster) {
            if (PgCluster::required())
                QFAIL(qPrintable(why));
            QSKIP(qPrintable(why));
        }
        Database db(DatabaseUrl::parse(cluster->createDatabase(), QDir::tempPath()).value());
        QVERIFY(db.ping().ok());
        QSqlQuery q(connectionOf(db));
        // The test cluster runs with synchronous_commit=off and is stopped with -m immediate:
        // make this session's commits reach the WAL before returning, so they survive the stop.
        QVERIFY(q.exec(QStringLiteral("SET synchronous_commit = on")));
        QVERIFY(q.exec(QStringLiteral("CREATE TABLE kept (id INTEGER)")));
        QVERIFY(q.exec(QStringLiteral("INSERT INTO kept VALUES (42)")));
        q = QSqlQuery();

        QVERIFY(cluster->stopServer());
        QElapsedTimer timer;
        timer.start();
        const Status down = db.ping();
        QVERIFY(!down.ok());
        QCOMPARE(down.error().code, QStringLiteral("database_unavailable"));
        QCOMPARE(down.error().httpStatus, 503);
        QVERIFY2(timer.elapsed() < 20000, "ping took too long against a stopped server");
        // While it is down, every call fails the same way (no crash, no stale "open" connection).
        QVERIFY(!db.ping().ok());
        QVERIFY(!db.connection().ok());

        QVERIFY(cluster->startServer());
        const Status up = db.ping();
        QVERIFY2(up.ok(), up.ok() ? "" : qPrintable(up.error().message));
        QCOMPARE(scalar(db, QStringLiteral("SELECT id FROM kept")).toInt(), 42);
    }

    void pingRecoversFromAConnectionBrokenUnderIt()
    {
        // The server is up but our session was killed (failover, idle timeout, admin).
        QString why;
        PgCluster *cluster = PgCluster::shared(&why);
        if (!cluster) {
            if (PgCluster::required())
                QFAIL(qPrintable(why));
            QSKIP(qPrintable(why));
        }
        Database db(DatabaseUrl::parse(cluster->createDatabase(), QDir::tempPath()).value());
        QVERIFY(db.ping().ok());
        const int pid = scalar(db, QStringLiteral("SELECT pg_backend_pid()")).toInt();
        Database admin(db.url());
        QVERIFY(scalar(admin, QStringLiteral("SELECT pg_terminate_backend(%1)").arg(pid)).toBool());
        admin.closeThreadConnection();
        QVERIFY(db.ping().ok());
        QVERIFY(scalar(db, QStringLiteral("SELECT pg_backend_pid()")).toInt() != pid);
    }

    // Statements (not only the health ping) survive a broken connection and a server restart:
    // while the database is away they fail as 503 database_unavailable with Retry-After, never
    // 500, and the same thread's next statement after its return runs on a new connection.
    void statementsRecoverFromOutages()
    {
        QString why;
        PgCluster *cluster = PgCluster::shared(&why);
        if (!cluster) {
            if (PgCluster::required())
                QFAIL(qPrintable(why));
            QSKIP(qPrintable(why));
        }
        Database db(DatabaseUrl::parse(cluster->createDatabase(), QDir::tempPath()).value());
        SqlRunner sql(db);
        {
            // DDL cannot be a PostgreSQL prepared statement. The test cluster commits without
            // waiting and is stopped with -m immediate: this commit must reach the WAL first.
            QSqlQuery ddl(connectionOf(db));
            QVERIFY(ddl.exec(QStringLiteral("SET synchronous_commit = on")));
            QVERIFY(ddl.exec(QStringLiteral("CREATE TABLE seen (id INTEGER)")));
        }
        QVERIFY(sql.change(QStringLiteral("INSERT INTO seen VALUES (?)"), {1}).ok()); // prepared and kept
        auto expectOutage = [](const DomainError &e) {
            QCOMPARE(e.httpStatus, 503);
            QCOMPARE(e.code, QStringLiteral("database_unavailable"));
            QVERIFY(e.retryAfterSeconds > 0);
            QVERIFY2(!e.message.contains(QLatin1String("server")) && !e.message.contains(QLatin1String("SELECT")), qPrintable(e.message));
        };

        // 1. The session is killed under us (failover, idle timeout, an administrator).
        const int pid = scalar(db, QStringLiteral("SELECT pg_backend_pid()")).toInt();
        {
            Database admin(db.url());
            QVERIFY(scalar(admin, QStringLiteral("SELECT pg_terminate_backend(%1)").arg(pid)).toBool());
            admin.closeThreadConnection();
        }
        const Result<int> broken = sql.change(QStringLiteral("INSERT INTO seen VALUES (?)"), {2});
        if (!broken)
            expectOutage(broken.error());
        const Result<int> after = sql.change(QStringLiteral("INSERT INTO seen VALUES (?)"), {3});
        QVERIFY2(after.ok(), after.ok() ? "" : qPrintable(after.error().message));

        // 2. The server goes away and comes back.
        QVERIFY(cluster->stopServer());
        bool restarted = false;
        const auto restart = qScopeGuard([&]() {
            if (!restarted)
                cluster->startServer();
        });
        for (int i = 0; i < 2; ++i) {
            const Result<int> down = sql.change(QStringLiteral("INSERT INTO seen VALUES (?)"), {4});
            QVERIFY(!down.ok());
            expectOutage(down.error());
            const Result<QSqlQuery> read = sql.run(QStringLiteral("SELECT COUNT(*) FROM seen"));
            QVERIFY(!read.ok());
            expectOutage(read.error());
        }
        QVERIFY(cluster->startServer());
        restarted = true;
        QElapsedTimer back;
        back.start();
        Result<int> resumed = sql.change(QStringLiteral("INSERT INTO seen VALUES (?)"), {5});
        while (!resumed.ok() && back.elapsed() < 5000) {
            QTest::qWait(100);
            resumed = sql.change(QStringLiteral("INSERT INTO seen VALUES (?)"), {5});
        }
        QVERIFY2(resumed.ok(), resumed.ok() ? "" : qPrintable(resumed.error().message));
    }
};

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
