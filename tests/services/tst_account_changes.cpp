// The service changes behind the desktop's Settings, Contacts and My account screens, on SQLite
// and PostgreSQL: renaming the organization (admins only, 1 to 200 characters, audited), changing
// one's own password (only over the hash that was verified: a change made meanwhile wins) and
// editing a contact, which needs can_send_messages as PATCH /api/contacts/:contactId does.

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"

#include "core/auth/AccountService.h"
#include "core/auth/JwtCodec.h"
#include "core/auth/OrganizationService.h"
#include "core/auth/PasswordHasher.h"
#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/ContactService.h"

#include <QCoreApplication>
#include <QSqlQuery>
#include <QTest>

using namespace wadesk;
using wadesk::test::addDialectRows;

namespace {
int count(Database &db, const QString &sql, const QVariantList &values)
{
    QSqlQuery q(db.connection().value());
    q.prepare(sql);
    for (const QVariant &v : values)
        q.addBindValue(v);
    return q.exec() && q.next() ? q.value(0).toInt() : -1;
}
} // namespace

class TestAccountChanges : public QObject {
    Q_OBJECT

private slots:
    void renamePasswordAndContact_data() { addDialectRows(); }
    void renamePasswordAndContact()
    {
        WADESK_FRESH_DATABASE(t);
        Database &db = *t.database;
        QVERIFY(Migrator(db, Migrator::embeddedDirectory(db.url().dialectName())).migrate().ok());
        const JwtCodec jwt(QByteArrayLiteral("account-changes-jwt-key-0123456789abcdef0123456789"), 3600);
        AccountService accounts(db, jwt);
        const PasswordHasher hasher(PasswordHasher::Cost::Minimal);
        AccountService::RegisterInput input;
        input.email = QStringLiteral("admin@changes.test");
        input.name = QStringLiteral("Admin");
        input.organizationName = QStringLiteral("Before");
        input.passwordHash = hasher.hash(QStringLiteral("first password"));
        input.ipAddress = QStringLiteral("127.0.0.1");
        Result<AccountService::Registration> reg = accounts.registerOrganization(input);
        QVERIFY(reg.ok());
        const AuthContext admin = reg.value().admin.actingFrom(QStringLiteral("desktop"));
        AuthContext viewer = admin;
        viewer.role = Role::Viewer;

        OrganizationService organizations(db);
        QCOMPARE(organizations.rename(viewer, QStringLiteral("Taken")).error().httpStatus, 403);
        QCOMPARE(organizations.rename(admin, QStringLiteral("   ")).error().httpStatus, 400);
        QCOMPARE(organizations.rename(admin, QString(201, QLatin1Char('x'))).error().httpStatus, 400);
        QCOMPARE(organizations.rename(admin, QStringLiteral("Bad\nname")).error().httpStatus, 400);
        QCOMPARE(organizations.get(admin).value().name, QStringLiteral("Before"));
        const Result<OrganizationInfo> renamed = organizations.rename(admin, QStringLiteral("  After  "));
        QVERIFY(renamed.ok());
        QCOMPARE(renamed.value().name, QStringLiteral("After"));
        QCOMPARE(organizations.get(admin).value().name, QStringLiteral("After"));
        QCOMPARE(count(db, QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE organization_id = ? AND action = 'update_organization'"),
                       {admin.organizationId}),
                 1);

        const QString first = accounts.currentUser(admin).value()->passwordHash;
        const QString second = hasher.hash(QStringLiteral("second password"));
        QVERIFY(accounts.changePassword(admin, first, second).ok());
        QCOMPARE(accounts.currentUser(admin).value()->passwordHash, second);
        // Over a hash that is no longer stored: refused, nothing changes.
        QCOMPARE(accounts.changePassword(admin, first, hasher.hash(QStringLiteral("third password"))).error().code,
                 QStringLiteral("password_changed"));
        QCOMPARE(accounts.currentUser(admin).value()->passwordHash, second);
        AuthContext stranger = admin;
        stranger.organizationId = QStringLiteral("org_00000000000000000000000000");
        QCOMPARE(accounts.changePassword(stranger, second, first).error().code, QStringLiteral("password_changed"));
        QCOMPARE(count(db, QStringLiteral("SELECT COUNT(*) FROM audit_logs WHERE organization_id = ? AND action = 'change_password'"),
                       {admin.organizationId}),
                 1);

        SqlRunner sql(db);
        const Result<ContactRecord> contact = ContactRepository(sql).upsert(admin.organizationId, QStringLiteral("+14155550123"));
        QVERIFY(contact.ok());
        ContactService contacts(db);
        ContactService::Change change;
        change.name = QStringLiteral("Renamed");
        QCOMPARE(contacts.update(viewer, contact.value().id, change).error().httpStatus, 403);
        QCOMPARE(contacts.get(admin, contact.value().id).value().name, QString());
        QVERIFY(contacts.update(admin, contact.value().id, change).ok());
        QCOMPARE(contacts.get(admin, contact.value().id).value().name, QStringLiteral("Renamed"));
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    TestAccountChanges test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_account_changes.moc"
