// The REST API on SQLite when it cannot write, under real conditions, each answered 503 with
// Retry-After and a code that says what is wrong, never 500 and never the driver's text, with
// the refused request changing nothing and reads still answered; then recovery without a
// restart:
// - another process holds the write lock beyond the busy timeout (10 s): database_unavailable;
// - the disk is full (the database on a small tmpfs, filled up by a file): database_full, and
//   /health says "degraded" / disk_full; deleting the file lets the same request succeed;
// - the database file is read-only (a read-only bind mount over it): database_read_only;
//   unmounting it (detached) makes the file writable again and the same server's next write succeeds
//   (SQLite keeps a connection opened on a read-only file read-only: it must be reopened).
//   The server starts on the read-only file: Linux refuses to make a file system read-only
//   (EBUSY) while files on it are open for writing, as SQLite's are.
// The mounts need root (CI runs the tests as root in a container); elsewhere those tests skip.

#include "tests/support/ApiTestHarness.h"
#include "tests/support/Tmpfs.h"

#include <QFile>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <cerrno>
#include <cstring>
#include <sys/mount.h>

using namespace wadesk;
using namespace wadesk::test;

namespace {

HeaderList keyOf(const Account &a)
{
    return ApiTestHarness::apiKey(a.apiKey);
}

QJsonObject named(const QString &name)
{
    return QJsonObject{{QStringLiteral("name"), name}};
}

// The refusal a write meets: 503 with Retry-After and `code`, the driver's text nowhere.
QByteArray checkRefusal(const ApiResponse &r, const QString &code)
{
    if (!r.isError(503, code))
        return "not a 503 " + code.toUtf8() + ": " + r.describe();
    if (r.header("retry-after").toInt() <= 0)
        return "no Retry-After: " + r.describe();
    for (const char *driver : {"SQL", "sqlite", "disk I/O", "readonly database", "database or disk"}) {
        if (r.body.contains(driver))
            return "the driver's text leaked: " + r.describe();
    }
    return {};
}

} // namespace

class TestSqliteOutages : public QObject {
    Q_OBJECT

private slots:
    void longLockAnswers503AndRecovers()
    {
        ApiTestHarness h;
        QString why;
        QVERIFY2(h.start(QStringLiteral("sqlite"), &why), qPrintable(why));
        const Account owner = h.registerOrganization(QStringLiteral("lock@example.com"), QStringLiteral("Lock Org"));
        QVERIFY(!owner.apiKey.isEmpty());
        const QString before = h.snapshot(owner.organizationId);

        // Another writer (as a second process would be) takes SQLite's write lock and keeps it.
        const QString path = h.database().url().sqlitePath;
        {
            QSqlDatabase other = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other-writer"));
            other.setDatabaseName(path);
            QVERIFY(other.open());
            QSqlQuery lock(other);
            QVERIFY2(lock.exec(QStringLiteral("BEGIN EXCLUSIVE")), qPrintable(lock.lastError().text()));
            QVERIFY(lock.exec(QStringLiteral("UPDATE organizations SET name = name")));

            const ApiResponse blocked = h.request("POST", QStringLiteral("/api/clients"),
                                                  QJsonObject{{QStringLiteral("name"), QStringLiteral("Blocked")}},
                                                  ApiTestHarness::apiKey(owner.apiKey));
            QVERIFY2(blocked.status == 503, blocked.describe().constData());
            QCOMPARE(blocked.json.value(QStringLiteral("code")).toString(), QStringLiteral("database_unavailable"));
            QVERIFY(blocked.headers.contains("retry-after"));
            QVERIFY(!blocked.body.contains("locked"));
            QVERIFY(!blocked.body.contains("SQL"));

            QVERIFY(lock.exec(QStringLiteral("ROLLBACK")));
            other.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("other-writer"));
        QCOMPARE(h.snapshot(owner.organizationId), before); // nothing changed

        const ApiResponse after = h.request("POST", QStringLiteral("/api/clients"),
                                            QJsonObject{{QStringLiteral("name"), QStringLiteral("After")}},
                                            ApiTestHarness::apiKey(owner.apiKey));
        QVERIFY2(after.status == 201, after.describe().constData());
    }

    void diskFullAnswers503AndRecovers()
    {
        Tmpfs disk("24m");
        if (!disk.valid())
            QSKIP(qPrintable(disk.why()));
        ApiTestHarness h;
        ApiTestHarness::Options options;
        options.sqliteFile = disk.filePath(QStringLiteral("wadesk.db"));
        QString why;
        QVERIFY2(h.start(QStringLiteral("sqlite"), &why, options), qPrintable(why));
        const Account owner = h.registerOrganization(QStringLiteral("full@example.com"), QStringLiteral("Full Org"));
        QVERIFY(owner.valid());
        const QString existing = h.createClient(owner, QStringLiteral("Existing"));
        QVERIFY(!existing.isEmpty());

        // An empty write-ahead log: the next commit has to grow it (a log already as long as
        // the commit is rewritten in place, which a full disk does not stop).
        QTRY_COMPARE(h.rows(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"), {}, 3), QStringList{QStringLiteral("0|0|0")});
        const QString filler = disk.filePath(QStringLiteral("filler"));
        const auto freeSpace = qScopeGuard([&]() { QFile::remove(filler); });
        QVERIFY(Tmpfs::fillUp(filler) > 0);
        const QString before = h.snapshot(owner.organizationId);

        for (int i = 0; i < 3; ++i) { // again and again, as clients retry (logged once)
            const ApiResponse refused = h.request("POST", QStringLiteral("/api/clients"), named(QStringLiteral("Refused")), keyOf(owner));
            const QByteArray problem = checkRefusal(refused, QStringLiteral("database_full"));
            QVERIFY2(problem.isEmpty(), problem.constData());
            QVERIFY2(refused.json.value(QStringLiteral("error")).toString().contains(QLatin1String("disk is full")),
                     refused.describe().constData());
        }
        QCOMPARE(h.snapshot(owner.organizationId), before); // nothing half-written

        const ApiResponse read = h.request("GET", QStringLiteral("/api/clients/") + existing, QJsonValue(QJsonValue::Undefined), keyOf(owner));
        QVERIFY2(read.status == 200, read.describe().constData());
        const ApiResponse health = h.request("GET", QStringLiteral("/health"));
        QVERIFY2(health.status == 200, health.describe().constData());
        QCOMPARE(health.json.value(QStringLiteral("status")).toString(), QStringLiteral("degraded"));
        QCOMPARE(health.json.value(QStringLiteral("database_problem")).toString(), QStringLiteral("disk_full"));

        QVERIFY(QFile::remove(filler));
        const ApiResponse after = h.request("POST", QStringLiteral("/api/clients"), named(QStringLiteral("After")), keyOf(owner));
        QVERIFY2(after.status == 201, after.describe().constData());
        const ApiResponse healthy = h.request("GET", QStringLiteral("/health"));
        QCOMPARE(healthy.json.value(QStringLiteral("status")).toString(), QStringLiteral("healthy"));
        QVERIFY(!healthy.json.contains(QStringLiteral("database_problem")));
        const ApiResponse listed = h.request("GET", QStringLiteral("/api/clients"), QJsonValue(QJsonValue::Undefined), keyOf(owner));
        QVERIFY2(listed.status == 200, listed.describe().constData());
        QVERIFY(!listed.body.contains("Refused"));
        QVERIFY(listed.body.contains("After"));
    }

    void readOnlyFileAnswers503AndRecovers()
    {
        Tmpfs disk("24m");
        if (!disk.valid())
            QSKIP(qPrintable(disk.why()));
        const QString file = disk.filePath(QStringLiteral("wadesk.db"));
        ApiTestHarness::Options options;
        options.sqliteFile = file;
        QString why;
        Account owner;
        QString existing;
        {
            ApiTestHarness first;
            QVERIFY2(first.start(QStringLiteral("sqlite"), &why, options), qPrintable(why));
            owner = first.registerOrganization(QStringLiteral("ro@example.com"), QStringLiteral("Read-only Org"));
            QVERIFY(owner.valid());
            existing = first.createClient(owner, QStringLiteral("Existing"));
            QVERIFY(!existing.isEmpty());
        }

        // The file read-only for everyone, root included: a read-only bind mount over it.
        const QByteArray nativeFile = QFile::encodeName(file);
        QVERIFY2(::mount(nativeFile.constData(), nativeFile.constData(), nullptr, MS_BIND, nullptr) == 0, std::strerror(errno));
        bool bound = true;
        const auto unbind = qScopeGuard([&]() {
            if (bound)
                ::umount2(nativeFile.constData(), MNT_DETACH);
        });
        QVERIFY2(::mount(nullptr, nativeFile.constData(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) == 0,
                 std::strerror(errno));

        ApiTestHarness h;
        QVERIFY2(h.start(QStringLiteral("sqlite"), &why, options), qPrintable(why));
        const QString before = h.snapshot(owner.organizationId);
        for (int i = 0; i < 3; ++i) {
            const ApiResponse refused = h.request("POST", QStringLiteral("/api/clients"), named(QStringLiteral("Refused")), keyOf(owner));
            const QByteArray problem = checkRefusal(refused, QStringLiteral("database_read_only"));
            QVERIFY2(problem.isEmpty(), problem.constData());
        }
        QCOMPARE(h.snapshot(owner.organizationId), before);
        const ApiResponse read = h.request("GET", QStringLiteral("/api/clients/") + existing, QJsonValue(QJsonValue::Undefined), keyOf(owner));
        QVERIFY2(read.status == 200, read.describe().constData());
        const ApiResponse health = h.request("GET", QStringLiteral("/health"));
        QCOMPARE(health.json.value(QStringLiteral("database_problem")).toString(), QStringLiteral("read_only"));

        // Detached: the server's connections keep the read-only mount open; what opens the path
        // from now on finds the writable file.
        QVERIFY2(::umount2(nativeFile.constData(), MNT_DETACH) == 0, std::strerror(errno));
        bound = false;
        const ApiResponse after = h.request("POST", QStringLiteral("/api/clients"), named(QStringLiteral("After")), keyOf(owner));
        QVERIFY2(after.status == 201, after.describe().constData());
        const ApiResponse again = h.request("POST", QStringLiteral("/api/clients"), named(QStringLiteral("Again")), keyOf(owner));
        QVERIFY2(again.status == 201, again.describe().constData());
        QCOMPARE(h.request("GET", QStringLiteral("/health")).json.value(QStringLiteral("status")).toString(), QStringLiteral("healthy"));
    }
};

QTEST_GUILESS_MAIN(TestSqliteOutages)
#include "tst_sqlite_outages.moc"
