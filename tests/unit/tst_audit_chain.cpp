// The audit log's hash chain on SQLite and PostgreSQL: entries of two organizations verify
// intact; each kind of tampering done directly in the database (an edited field, an edited
// entry with its hash recomputed, a deleted entry in the middle, at the start or at the end, a
// whole organization's entries or its head row removed, an entry appended behind the log's back)
// is detected and the first bad entry is named, both by AuditLog::verify() and by the real
// binary's `wadesk --verify-audit --db <url>` (exit code 0 intact, 1 broken, the entry id printed).
// Concurrent writers of one organization keep one unbroken chain. One organization's chain is
// checked alone (the desktop's Verify Chain, AuditService::verify for its admins only): another
// organization's tampering is not reported as its own, its own is.

#include "tests/support/BinarySandbox.h"
#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditService.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <atomic>

using namespace wadesk;
using namespace wadesk::test;

namespace {

struct Written {
    QStringList a; // ids of organization A's entries, in order
    QStringList b;
};

const QString kOrgA = QStringLiteral("org_aaaaaaaaaaaaaaaaaaaaaaaaaa");
const QString kOrgB = QStringLiteral("org_bbbbbbbbbbbbbbbbbbbbbbbbbb");

bool migrate(Database &db)
{
    const Result<int> r = Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate();
    if (!r)
        qWarning("migration failed: %s", qPrintable(r.error().message));
    return r.ok();
}

// One entry, in its own transaction (as the services write them).
QString append(Database &db, const QString &org, const QString &action, const QJsonObject &details)
{
    SqlRunner sql(db);
    AuditLog audit(sql);
    AuditEntry e;
    e.id = Ids::make("log");
    e.organizationId = org;
    e.userId = QStringLiteral("user_%1").arg(action);
    e.action = action;
    e.resource = QStringLiteral("tests");
    e.resourceId = QStringLiteral("res_1");
    e.details = details;
    e.ipAddress = QStringLiteral("127.0.0.1");
    Transaction tx(db);
    if (!tx.begin() || !audit.append(e) || !tx.commit())
        return {};
    return e.id;
}

Written writeBoth(Database &db)
{
    Written w;
    // Interleaved, so each organization's chain is not simply "the table in order".
    for (int i = 0; i < 5; ++i) {
        w.a << append(db, kOrgA, QStringLiteral("action_a%1").arg(i),
                      QJsonObject{{QStringLiteral("n"), i}, {QStringLiteral("text"), QStringLiteral("héllo \"quoted\" %1").arg(i)},
                                  {QStringLiteral("nested"), QJsonObject{{QStringLiteral("z"), 1}, {QStringLiteral("a"), 2.5}}}});
        if (i < 3)
            w.b << append(db, kOrgB, QStringLiteral("action_b%1").arg(i), QJsonObject{{QStringLiteral("i"), i}});
    }
    return w;
}

bool exec(Database &db, const QString &statement, const QVariantList &bindings)
{
    SqlRunner sql(db);
    const Result<int> r = sql.change(statement, bindings, "test.tamper");
    return r.ok();
}

struct CliResult {
    int exitCode = -1;
    QString out;
    QString err;
};

CliResult runVerifier(const QString &url)
{
    QTemporaryDir home;
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys()) {
        if (key.startsWith(QLatin1String("WADESK_")))
            env.remove(key);
    }
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.start(wadesk::test::wadeskBinary(), {QStringLiteral("--verify-audit"), QStringLiteral("--db"), url});
    CliResult r;
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("did not finish: ") + p.errorString();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace

class TestAuditChain : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(wadesk::test::wadeskBinary()).isExecutable(), qPrintable(QStringLiteral("wadesk binary not found at ") + wadesk::test::wadeskBinary()));
    }

    void tampering_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<QString>("kind");
        for (const char *dialect : {"sqlite", "postgres"}) {
            for (const char *kind : {"intact", "edited details", "edited action", "edited time", "edited user", "edited and rehashed",
                                     "deleted middle", "deleted first", "deleted last", "deleted all of B", "deleted head of B",
                                     "appended behind the log", "swapped seq"})
                QTest::newRow(QByteArray(dialect) + " | " + kind) << QString::fromLatin1(dialect) << QString::fromLatin1(kind);
        }
    }

    void tampering()
    {
        WADESK_FRESH_DATABASE(db);
        QFETCH(QString, kind);
        Database &database = *db.database;
        QVERIFY(migrate(database));
        const Written w = writeBoth(database);
        QCOMPARE(w.a.size(), 5);
        QCOMPARE(w.b.size(), 3);
        QVERIFY(!w.a.contains(QString()) && !w.b.contains(QString()));

        SqlRunner sql(database);
        AuditLog audit(sql);
        {
            const Result<AuditLog::Verification> v = audit.verify();
            QVERIFY(v.ok());
            QVERIFY2(v.value().intact, qPrintable(v.value().reason));
            QCOMPARE(v.value().entries, 8);
            QCOMPARE(v.value().organizations, 2);
        }

        // What the verifier must name: the entry, its organization, and words of the reason.
        QString badEntry;
        QString badOrg = kOrgA;
        QString reasonWord;
        const QString update = QStringLiteral("UPDATE audit_logs SET %1 WHERE id = ?");
        if (kind == QLatin1String("intact")) {
            badOrg.clear();
        } else if (kind == QLatin1String("edited details")) {
            QVERIFY(exec(database, update.arg(QStringLiteral("details = ?")), {QStringLiteral("{\"n\":2,\"text\":\"nothing to see\"}"), w.a[2]}));
            badEntry = w.a[2];
            reasonWord = QStringLiteral("edited");
        } else if (kind == QLatin1String("edited action")) {
            QVERIFY(exec(database, update.arg(QStringLiteral("action = ?")), {QStringLiteral("harmless"), w.b[1]}));
            badEntry = w.b[1];
            badOrg = kOrgB;
            reasonWord = QStringLiteral("edited");
        } else if (kind == QLatin1String("edited time")) {
            QVERIFY(exec(database, update.arg(QStringLiteral("created_at = created_at - 86400000")), {w.a[0]}));
            badEntry = w.a[0];
            reasonWord = QStringLiteral("edited");
        } else if (kind == QLatin1String("edited user")) {
            QVERIFY(exec(database, update.arg(QStringLiteral("user_id = NULL")), {w.a[4]}));
            badEntry = w.a[4];
            reasonWord = QStringLiteral("edited");
        } else if (kind == QLatin1String("edited and rehashed")) {
            // A careful forger recomputes the edited entry's own hash: the next entry no longer links.
            Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT id, organization_id, seq, user_id, action, resource, resource_id, details, "
                                                         "ip_address, created_at, prev_hash FROM audit_logs WHERE id = ?"),
                                          {w.a[1]});
            QVERIFY(q.ok() && q.value().next());
            AuditEntry e;
            e.id = q.value().value(0).toString();
            e.organizationId = q.value().value(1).toString();
            e.seq = q.value().value(2).toLongLong();
            e.userId = q.value().value(3).toString();
            e.action = QStringLiteral("nothing_happened");
            e.resource = q.value().value(5).toString();
            e.resourceId = q.value().value(6).toString();
            e.details = QJsonDocument::fromJson(q.value().value(7).toString().toUtf8()).object();
            e.ipAddress = q.value().value(8).toString();
            e.createdAt = q.value().value(9).toLongLong();
            e.prevHash = q.value().value(10).toString();
            QVERIFY(exec(database, update.arg(QStringLiteral("action = ?, hash = ?")), {e.action, AuditLog::computeHash(e), w.a[1]}));
            badEntry = w.a[2];
            reasonWord = QStringLiteral("link");
        } else if (kind == QLatin1String("deleted middle")) {
            QVERIFY(exec(database, QStringLiteral("DELETE FROM audit_logs WHERE id = ?"), {w.a[2]}));
            badEntry = w.a[3]; // the entry after the gap
            reasonWord = QStringLiteral("missing");
        } else if (kind == QLatin1String("deleted first")) {
            QVERIFY(exec(database, QStringLiteral("DELETE FROM audit_logs WHERE id = ?"), {w.b[0]}));
            badEntry = w.b[1];
            badOrg = kOrgB;
            reasonWord = QStringLiteral("missing");
        } else if (kind == QLatin1String("deleted last")) {
            QVERIFY(exec(database, QStringLiteral("DELETE FROM audit_logs WHERE id = ?"), {w.a[4]}));
            reasonWord = QStringLiteral("truncated");
        } else if (kind == QLatin1String("deleted all of B")) {
            QVERIFY(exec(database, QStringLiteral("DELETE FROM audit_logs WHERE organization_id = ?"), {kOrgB}));
            badOrg = kOrgB;
            reasonWord = QStringLiteral("truncated");
        } else if (kind == QLatin1String("deleted head of B")) {
            // Without its head row a chain could be cut short unnoticed: a missing head is itself damage.
            QVERIFY(exec(database, QStringLiteral("DELETE FROM audit_heads WHERE organization_id = ?"), {kOrgB}));
            QVERIFY(exec(database, QStringLiteral("DELETE FROM audit_logs WHERE id = ?"), {w.b[2]}));
            badOrg = kOrgB;
            reasonWord = QStringLiteral("head");
        } else if (kind == QLatin1String("appended behind the log")) {
            // A well-formed sixth entry inserted directly: the head still says five.
            Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT hash, created_at FROM audit_logs WHERE id = ?"), {w.a[4]});
            QVERIFY(q.ok() && q.value().next());
            AuditEntry e;
            e.id = Ids::make("log");
            e.organizationId = kOrgA;
            e.seq = 6;
            e.userId = QStringLiteral("user_forger");
            e.action = QStringLiteral("planted");
            e.resource = QStringLiteral("tests");
            e.createdAt = q.value().value(1).toLongLong() + 1;
            e.prevHash = q.value().value(0).toString();
            QVERIFY(exec(database,
                         QStringLiteral("INSERT INTO audit_logs (id, organization_id, seq, user_id, action, resource, details, created_at, "
                                        "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?, ?)"),
                         {e.id, e.organizationId, e.seq, e.userId, e.action, e.resource, e.createdAt, e.prevHash, AuditLog::computeHash(e)}));
            badEntry = e.id;
        } else if (kind == QLatin1String("swapped seq")) {
            // Two entries trade places.
            QVERIFY(exec(database, update.arg(QStringLiteral("seq = 100")), {w.a[1]}));
            QVERIFY(exec(database, update.arg(QStringLiteral("seq = 2")), {w.a[2]}));
            QVERIFY(exec(database, update.arg(QStringLiteral("seq = 3")), {w.a[1]}));
            badEntry = w.a[2]; // now second in the chain, it does not link to the first
        } else {
            QFAIL("unknown kind");
        }

        const Result<AuditLog::Verification> v = audit.verify();
        QVERIFY(v.ok());
        if (badOrg.isEmpty()) {
            QVERIFY2(v.value().intact, qPrintable(v.value().reason));
        } else {
            QVERIFY2(!v.value().intact, "tampering went unnoticed");
            QCOMPARE(v.value().organizationId, badOrg);
            if (!badEntry.isEmpty())
                QCOMPARE(v.value().firstBadEntryId, badEntry);
            if (!reasonWord.isEmpty())
                QVERIFY2(v.value().reason.contains(reasonWord), qPrintable(v.value().reason));
        }

        // The same verdict from the real binary.
        database.closeThreadConnection(); // let the verifier see a quiet database
        const CliResult cli = runVerifier(db.url);
        if (badOrg.isEmpty()) {
            QVERIFY2(cli.exitCode == 0, qPrintable(cli.out + cli.err));
            QVERIFY2(cli.out.contains(QStringLiteral("audit log intact: 8 entries in 2 organization(s)")), qPrintable(cli.out + cli.err));
        } else {
            QVERIFY2(cli.exitCode == 1, qPrintable(QString::number(cli.exitCode) + QLatin1Char(' ') + cli.out + cli.err));
            QVERIFY2(cli.out.contains(QStringLiteral("audit log BROKEN")), qPrintable(cli.out + cli.err));
            QVERIFY2(cli.out.contains(badOrg), qPrintable(cli.out));
            if (!badEntry.isEmpty())
                QVERIFY2(cli.out.contains(QStringLiteral("at entry ") + badEntry), qPrintable(cli.out));
        }
    }

    void listIsScopedAndFiltered_data() { addDialectRows(); }
    void listIsScopedAndFiltered()
    {
        WADESK_FRESH_DATABASE(db);
        Database &database = *db.database;
        QVERIFY(migrate(database));
        const Written w = writeBoth(database);
        SqlRunner sql(database);
        AuditLog audit(sql);
        AuditQuery all;
        all.limit = 100;
        Result<QList<AuditEntry>> a = audit.list(kOrgA, all);
        QVERIFY(a.ok());
        QCOMPARE(a.value().size(), 5);
        QStringList newestFirst;
        for (const AuditEntry &e : a.value()) {
            QCOMPARE(e.organizationId, kOrgA);
            newestFirst.prepend(e.id);
        }
        QCOMPARE(newestFirst, w.a);
        QCOMPARE(a.value().first().details.value(QStringLiteral("text")).toString(), QStringLiteral("héllo \"quoted\" 4"));
        AuditQuery byAction = all;
        byAction.action = QStringLiteral("action_b1");
        QCOMPARE(audit.list(kOrgA, byAction).value().size(), 0); // B's action, asked for in A
        QCOMPARE(audit.list(kOrgB, byAction).value().size(), 1);
        AuditQuery paged = all;
        paged.limit = 2;
        paged.offset = 1;
        const QList<AuditEntry> page = audit.list(kOrgA, paged).value();
        QCOMPARE(page.size(), 2);
        QCOMPARE(page.at(0).id, w.a[3]);
        QCOMPARE(page.at(1).id, w.a[2]);
    }

    void verifyOneOrganization_data() { addDialectRows(); }
    void verifyOneOrganization()
    {
        WADESK_FRESH_DATABASE(db);
        Database &database = *db.database;
        QVERIFY(migrate(database));
        const Written w = writeBoth(database);
        {
            SqlRunner sql(database);
            QVERIFY(sql.change(QStringLiteral("UPDATE audit_logs SET action = 'forged' WHERE id = ?"), {w.b[1]}, "test.tamper").ok());
        }
        SqlRunner sql(database);
        AuditLog audit(sql);
        Result<AuditLog::Verification> a = audit.verify(kOrgA);
        QVERIFY(a.ok());
        QVERIFY2(a.value().intact, qPrintable(a.value().reason));
        QCOMPARE(a.value().entries, 5);
        QCOMPARE(a.value().organizations, 1);
        Result<AuditLog::Verification> b = audit.verify(kOrgB);
        QVERIFY(b.ok());
        QVERIFY(!b.value().intact);
        QCOMPARE(b.value().firstBadEntryId, w.b[1]);
        QCOMPARE(audit.verify().value().firstBadEntryId, w.b[1]);
        QCOMPARE(audit.verify(QStringLiteral("org_cccccccccccccccccccccccccc")).value().entries, 0);

        AuditService service(database);
        AuthContext admin;
        admin.userId = QStringLiteral("user_a");
        admin.organizationId = kOrgA;
        admin.role = Role::Admin;
        Result<AuditLog::Verification> byAdmin = service.verify(admin);
        QVERIFY(byAdmin.ok());
        QVERIFY(byAdmin.value().intact);
        admin.organizationId = kOrgB;
        QCOMPARE(service.verify(admin).value().firstBadEntryId, w.b[1]);
        for (Role role : {Role::Manager, Role::Agent, Role::Viewer}) {
            AuthContext other = admin;
            other.role = role;
            Result<AuditLog::Verification> refused = service.verify(other);
            QVERIFY(!refused);
            QCOMPARE(refused.error().httpStatus, 403);
        }
    }

    // A group of sends writes its entries with appendMany: two organizations interleaved, more
    // rows than one multi-row INSERT takes (64), after entries written one by one.
    void appendManyContinuesEachChain_data() { addDialectRows(); }
    void appendManyContinuesEachChain()
    {
        WADESK_FRESH_DATABASE(db);
        Database &database = *db.database;
        QVERIFY(migrate(database));
        const Written before = writeBoth(database);
        QList<AuditEntry> group;
        for (int i = 0; i < 150; ++i) {
            AuditEntry e;
            e.organizationId = i % 3 == 0 ? kOrgB : kOrgA;
            e.userId = QStringLiteral("user_group");
            e.action = QStringLiteral("send_message");
            e.resource = QStringLiteral("messages");
            e.resourceId = QStringLiteral("msg_%1").arg(i);
            e.details = QJsonObject{{QStringLiteral("n"), i}};
            group << e;
        }
        SqlRunner sql(database);
        AuditLog audit(sql);
        {
            Transaction tx(database);
            QVERIFY(tx.begin().ok());
            QVERIFY(audit.appendMany(group).ok());
            QVERIFY(tx.commit().ok());
        }
        Result<AuditLog::Verification> v = audit.verify();
        QVERIFY(v.ok());
        QVERIFY2(v.value().intact, qPrintable(v.value().reason));
        QCOMPARE(v.value().entries, before.a.size() + before.b.size() + 150);
        AuditQuery all;
        all.limit = 500;
        const QList<AuditEntry> a = audit.list(kOrgA, all).value();
        QCOMPARE(a.size(), before.a.size() + 100);
        // Newest first: seq runs down without gaps and the group kept its order.
        for (int i = 0; i < a.size(); ++i)
            QCOMPARE(a.at(i).seq, qint64(a.size() - i));
        QCOMPARE(a.first().resourceId, QStringLiteral("msg_149"));
        QCOMPARE(audit.list(kOrgB, all).value().first().resourceId, QStringLiteral("msg_147"));
    }

    void concurrentAppendsKeepTheChain_data() { addDialectRows(); }
    void concurrentAppendsKeepTheChain()
    {
        WADESK_FRESH_DATABASE(db);
        Database &database = *db.database;
        QVERIFY(migrate(database));
        constexpr int kThreads = 3;
        constexpr int kEach = 15;
        std::atomic<int> failures{0};
        QList<QThread *> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads << QThread::create([&database, &failures, t]() {
                for (int i = 0; i < kEach; ++i) {
                    if (append(database, kOrgA, QStringLiteral("t%1_%2").arg(t).arg(i), {}).isEmpty())
                        ++failures;
                }
                database.closeThreadConnection();
            });
        }
        for (QThread *t : threads)
            t->start();
        for (QThread *t : threads) {
            QVERIFY(t->wait(120000));
            delete t;
        }
        QCOMPARE(failures.load(), 0);
        SqlRunner sql(database);
        AuditLog audit(sql);
        const Result<AuditLog::Verification> v = audit.verify();
        QVERIFY(v.ok());
        QVERIFY2(v.value().intact, qPrintable(v.value().reason));
        QCOMPARE(v.value().entries, kThreads * kEach);
    }
};

QTEST_GUILESS_MAIN(TestAuditChain)
#include "tst_audit_chain.moc"
