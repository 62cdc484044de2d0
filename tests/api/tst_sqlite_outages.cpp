// The REST API on SQLite while another process holds the database's write lock for longer than
// the busy timeout (10 s): a write answers 503 database_unavailable with Retry-After, never 500
// and never the driver's text, and changes nothing; once the lock is released the same request
// succeeds at once.

#include "tests/support/ApiTestHarness.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace wadesk;
using namespace wadesk::test;

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
};

QTEST_GUILESS_MAIN(TestSqliteOutages)
#include "tst_sqlite_outages.moc"
