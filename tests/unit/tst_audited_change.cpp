// runAudited(), the one shape of a use case's write, on SQLite and PostgreSQL: the change, its
// audit entry and its event commit together, and the event is published only after the commit;
// when any step fails (the change, the audit entry, the event) or the change refuses, nothing of
// it is kept, nothing is published, the failure is returned, and the connection is left ready
// for the next change.

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "core/audit/AuditLog.h"
#include "core/audit/AuditedChange.h"
#include "core/auth/UserRepository.h"
#include "core/events/EventBus.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventLog.h"

#include <QSqlQuery>
#include <QTest>

using namespace wadesk;
using namespace wadesk::test;

namespace {

bool migrate(Database &db)
{
    const Result<int> r = Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate();
    if (!r)
        qWarning("migration failed: %s", qPrintable(r.error().message));
    return r.ok();
}

int countOf(Database &db, const QString &sql, const QVariantList &bindings)
{
    SqlRunner runner(db);
    Result<QSqlQuery> q = runner.run(sql, bindings, "test.count");
    if (!q || !q.value().next())
        return -1;
    return q.value().value(0).toInt();
}

struct Counts {
    int organizations = 0;
    int audit = 0;
    int events = 0;
    bool operator==(const Counts &o) const { return organizations == o.organizations && audit == o.audit && events == o.events; }
};

Counts counts(Database &db, const QString &organizationId)
{
    return Counts{countOf(db, QStringLiteral("SELECT COUNT(*) FROM organizations WHERE id = ?"), {organizationId}),
                  countOf(db, QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE organization_id = ?"), {organizationId}),
                  countOf(db, QStringLiteral("SELECT COUNT(*) FROM events WHERE organization_id = ?"), {organizationId})};
}

AuditEntry entryFor(const QString &organizationId, const QString &id = QString())
{
    AuditEntry e;
    e.id = id;
    e.organizationId = organizationId;
    e.userId = QStringLiteral("user_tester");
    e.action = QStringLiteral("create_organization");
    e.resource = QStringLiteral("organizations");
    e.resourceId = organizationId;
    return e;
}

} // namespace

class TstAuditedChange : public QObject {
    Q_OBJECT

private slots:
    void commitsChangeAuditAndEventTogether_data() { addDialectRows(); }
    void commitsChangeAuditAndEventTogether()
    {
        WADESK_FRESH_DATABASE(db);
        Database &database = *db.database;
        QVERIFY(migrate(database));
        EventBus bus;
        QList<Event> published;
        connect(&bus, &EventBus::published, this, [&](const Event &e) { published << e; });

        const QString org = Ids::make("org");
        int publishedInside = -1;
        const Status s = runAudited(database, &bus, [&](AuditedWrite &write) -> Status {
            if (Status r = UserRepository(write.sql).insertOrganization(OrganizationRecord{org, QStringLiteral("Acme"), 1}); !r)
                return r;
            if (Status r = write.audit.append(entryFor(org)); !r)
                return r;
            if (Status r = write.events.record(Event::make(EventType::Test, org, {{QStringLiteral("n"), 1}})); !r)
                return r;
            publishedInside = int(published.size());
            return {};
        });
        QVERIFY2(s.ok(), s.ok() ? "" : qPrintable(s.error().message));
        QCOMPARE(publishedInside, 0); // recorded, not yet announced
        QVERIFY((counts(database, org) == Counts{1, 1, 1}));
        QCOMPARE(published.size(), 1);
        QCOMPARE(published.first().type, QStringLiteral("test"));
        QCOMPARE(published.first().organizationId, org);
        // The entry is part of an intact chain.
        SqlRunner sql(database);
        Result<AuditLog::Verification> v = AuditLog(sql).verify();
        QVERIFY(v.ok());
        QVERIFY2(v.value().intact, qPrintable(v.value().reason));
    }

    // Each way a change can fail after writing something: everything it wrote is rolled back,
    // no event is published, and the failure comes back unchanged.
    void failureKeepsNothing_data()
    {
        QTest::addColumn<QString>("dialect");
        QTest::addColumn<QString>("failing");
        for (const char *dialect : {"sqlite", "postgres"}) {
            for (const char *step : {"change", "audit", "event", "refusal"})
                QTest::newRow(qPrintable(QStringLiteral("%1/%2").arg(QLatin1String(dialect), QLatin1String(step))))
                    << QString::fromLatin1(dialect) << QString::fromLatin1(step);
        }
    }
    void failureKeepsNothing()
    {
        QFETCH(QString, failing);
        WADESK_FRESH_DATABASE(db);
        Database &database = *db.database;
        QVERIFY(migrate(database));
        EventBus bus;
        int published = 0;
        connect(&bus, &EventBus::published, this, [&](const Event &) { ++published; });

        // What exists beforehand, so that the failing writes collide with it for real.
        const QString existingOrg = Ids::make("org");
        const QString existingEntry = Ids::make("log");
        const Event existingEvent = Event::make(EventType::Test, existingOrg, {});
        QVERIFY(runAudited(database, nullptr, [&](AuditedWrite &write) -> Status {
                    if (Status r = UserRepository(write.sql).insertOrganization(OrganizationRecord{existingOrg, QStringLiteral("Old"), 1}); !r)
                        return r;
                    if (Status r = write.audit.append(entryFor(existingOrg, existingEntry)); !r)
                        return r;
                    return write.events.record(existingEvent);
                }).ok());
        const Counts before = counts(database, existingOrg);

        const QString org = Ids::make("org");
        const Status s = runAudited(database, &bus, [&](AuditedWrite &write) -> Status {
            if (Status r = UserRepository(write.sql).insertOrganization(OrganizationRecord{org, QStringLiteral("New"), 2}); !r)
                return r;
            if (Status r = write.events.record(Event::make(EventType::Test, org, {})); !r)
                return r;
            if (failing == QLatin1String("change")) {
                // A second organization with an id that exists: the database refuses it.
                if (Status r = UserRepository(write.sql).insertOrganization(OrganizationRecord{existingOrg, QStringLiteral("Dup"), 3}); !r)
                    return r;
            }
            if (Status r = write.audit.append(entryFor(org, failing == QLatin1String("audit") ? existingEntry : QString())); !r)
                return r; // "audit": the entry's id is taken
            if (failing == QLatin1String("event")) {
                if (Status r = write.events.record(existingEvent); !r) // the event id is taken
                    return r;
            }
            if (failing == QLatin1String("refusal"))
                return DomainError::conflict(QStringLiteral("refused after writing"), QStringLiteral("refused"));
            return {};
        });
        QVERIFY2(!s.ok(), "the change must fail");
        if (failing == QLatin1String("refusal"))
            QCOMPARE(s.error().code, QStringLiteral("refused"));
        else
            QCOMPARE(s.error().httpStatus, 500); // a database failure, without its SQL text
        QVERIFY((counts(database, org) == Counts{0, 0, 0}));
        QVERIFY((counts(database, existingOrg) == before));
        QCOMPARE(published, 0);

        // The transaction is gone: the next change commits and publishes normally, and the
        // organization's audit chain is still intact.
        const QString next = Ids::make("org");
        QVERIFY(runAudited(database, &bus, [&](AuditedWrite &write) -> Status {
                    if (Status r = UserRepository(write.sql).insertOrganization(OrganizationRecord{next, QStringLiteral("Next"), 4}); !r)
                        return r;
                    if (Status r = write.audit.append(entryFor(next)); !r)
                        return r;
                    return write.events.record(Event::make(EventType::Test, next, {}));
                }).ok());
        QVERIFY((counts(database, next) == Counts{1, 1, 1}));
        QCOMPARE(published, 1);
        SqlRunner sql(database);
        Result<AuditLog::Verification> v = AuditLog(sql).verify();
        QVERIFY(v.ok());
        QVERIFY2(v.value().intact, qPrintable(v.value().reason));
    }

    // Without a bus the events are stored (for webhook delivery) and simply not announced.
    void storesEventsWithoutBus_data() { addDialectRows(); }
    void storesEventsWithoutBus()
    {
        WADESK_FRESH_DATABASE(db);
        Database &database = *db.database;
        QVERIFY(migrate(database));
        const QString org = Ids::make("org");
        QVERIFY(runAudited(database, nullptr, [&](AuditedWrite &write) -> Status {
                    if (Status r = write.audit.append(entryFor(org)); !r)
                        return r;
                    return write.events.record(Event::make(EventType::Test, org, {}));
                }).ok());
        QVERIFY((counts(database, org) == Counts{0, 1, 1}));
    }
};

QTEST_GUILESS_MAIN(TstAuditedChange)
#include "tst_audited_change.moc"
