// Contacts → Import… (issue 13) against the real ContactImport the API runs, on SQLite and
// PostgreSQL: the preview reads a byte order mark, semicolons and quoted fields and guesses each
// column's role as the API does; a column mapped as an attribute lands in the contact's
// attributes and one set to Ignore does not; bad numbers are skipped and listed with their line
// in the report, which is copied and saved as CSV; without a phone column nothing starts. A
// 100,000-row file imports on the dialog's own thread while the window keeps answering, and a
// cancelled import changes nothing. Only admins and managers see Import…. Screenshots, light
// and dark, go to <build>/screenshots.

#include "tests/support/PgCluster.h"
#include "tests/support/TestDatabases.h"
#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"

#include "core/db/Migrator.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/services/ServiceGraph.h"
#include "ui/contacts/ContactImportDialog.h"
#include "ui/contacts/ContactsDialog.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTableWidget>

using namespace wadesk;
using wadesk::test::addDialectRows;
using wadesk::test::kUiWaitMs;
using wadesk::test::UiHarness;

namespace {

// A DesktopContext over a database of either dialect, with an organization and its admin (the
// parts of UiHarness this test needs, without the engine's pages).
struct ImportHarness {
    wadesk::test::TestDatabase t;
    EventBus bus;
    std::unique_ptr<SessionRegistry> registry;
    std::unique_ptr<DesktopContext> context;
    AuthContext admin;

    explicit ImportHarness(wadesk::test::TestDatabase database) : t(std::move(database)) {}

    bool setUp(const QString &dialect, QString *why)
    {
        const Result<int> migrated = Migrator(*t.database, Migrator::embeddedDirectory(dialect)).migrate();
        if (!migrated) {
            *why = migrated.error().message;
            return false;
        }
        EngineSettings engine;
        engine.dataDir = t.dir ? t.dir->path() : QDir::tempPath();
        ServiceSettings services;
        services.auth.passwordCost = PasswordHasher::Cost::Minimal;
        registry = std::make_unique<SessionRegistry>(*t.database, bus, engine, services.messaging);
        SharedServices shared;
        shared.database = t.database.get();
        shared.jwtKey = QByteArrayLiteral("import-ui-test-jwt-key-0123456789abcdef0123456789");
        shared.events = &bus;
        shared.sessions = registry.get();
        context = std::make_unique<DesktopContext>(shared, services, *registry, DesktopContext::Facts{});
        AccountService::RegisterInput input;
        input.email = QStringLiteral("admin@import.test");
        input.name = QStringLiteral("Ida Import");
        input.organizationName = QStringLiteral("Import Org");
        input.passwordHash = PasswordHasher(PasswordHasher::Cost::Minimal).hash(QStringLiteral("correct horse battery"));
        input.ipAddress = QStringLiteral("desktop");
        Result<AccountService::Registration> reg = context->accounts().registerOrganization(input);
        if (!reg) {
            *why = reg.error().message;
            return false;
        }
        admin = UiHarness::actorOf(reg.value().admin);
        context->signIn(admin);
        return true;
    }
    ~ImportHarness()
    {
        context.reset();
        registry.reset();
        if (t.database)
            t.database->closeThreadConnection();
    }

    std::optional<ContactRecord> contact(const QString &phone)
    {
        SqlRunner sql(*t.database);
        Result<std::optional<ContactRecord>> c = ContactRepository(sql).findByPhone(admin.organizationId, phone);
        return c ? c.value() : std::nullopt;
    }
    qint64 contactCount()
    {
        SqlRunner sql(*t.database);
        Result<QSqlQuery> q = sql.run(QStringLiteral("SELECT COUNT(*) FROM contacts WHERE organization_id = ?"), {admin.organizationId},
                                      "test.countContacts");
        return q && q.value().next() ? q.value().value(0).toLongLong() : -1;
    }
};

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        return {};
    return path;
}

// BOM, semicolons, a quoted name holding the delimiter and a doubled quote, a custom column,
// one to ignore, two bad numbers and a number without +country (region DE).
const QByteArray kSample = QByteArrayLiteral("\xEF\xBB\xBF"
                                             "Phone;Name;Tags;Customer ID;Notes\r\n"
                                             "+4915123456789;\"Meyer; Anna\";vip|de;C-1;call back\r\n"
                                             "015123456780;\"Bob \"\"the builder\"\"\";;C-2;\r\n"
                                             "not a number;Nobody;;C-3;\r\n"
                                             "+1 555;Short;;C-4;\r\n"
                                             "+4915123456789;;berlin;;\r\n");

} // namespace

class TestContactsImportUi : public QObject {
    Q_OBJECT

private slots:
    void previewGuessesTheColumnsAsTheApiDoes()
    {
        WADESK_DATABASE_OR_SKIP(t, QStringLiteral("sqlite"));
        ImportHarness h(std::move(t));
        QString why;
        QVERIFY2(h.setUp(QStringLiteral("sqlite"), &why), qPrintable(why));
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("contacts.csv"), kSample);
        ContactImportDialog dialog(*h.context);
        QVERIFY(dialog.openFile(path));
        QCOMPARE(dialog.headers(), (QStringList{QStringLiteral("Phone"), QStringLiteral("Name"), QStringLiteral("Tags"),
                                                QStringLiteral("Customer ID"), QStringLiteral("Notes")}));
        QVERIFY2(dialog.delimiterLabel()->text().contains(QStringLiteral("semicolon")), qPrintable(dialog.delimiterLabel()->text()));
        QCOMPARE(dialog.role(0), ContactImport::ColumnRole::Phone);
        QCOMPARE(dialog.role(1), ContactImport::ColumnRole::Name);
        QCOMPARE(dialog.role(2), ContactImport::ColumnRole::Tags);
        QCOMPARE(dialog.role(3), ContactImport::ColumnRole::Attribute);
        QCOMPARE(dialog.role(4), ContactImport::ColumnRole::Attribute);
        QVERIFY(dialog.roleChooser(3)->currentText().contains(QStringLiteral("customer_id")));
        // Row 0 holds the choices; the five records follow, the quoted fields whole.
        QCOMPARE(dialog.previewTable()->rowCount(), 6);
        QCOMPARE(dialog.previewTable()->item(1, 1)->text(), QStringLiteral("Meyer; Anna"));
        QCOMPARE(dialog.previewTable()->item(2, 1)->text(), QStringLiteral("Bob \"the builder\""));
        // One phone column at a time: choosing another moves the role; "phone" is a contact's own
        // field, never an attribute, so that column is then ignored.
        dialog.setRole(3, ContactImport::ColumnRole::Phone);
        QCOMPARE(dialog.role(3), ContactImport::ColumnRole::Phone);
        QCOMPARE(dialog.role(0), ContactImport::ColumnRole::Ignore);
        dialog.setRole(4, ContactImport::ColumnRole::Name);
        QCOMPARE(dialog.role(1), ContactImport::ColumnRole::Ignore); // "name" is the contact's own too
        dialog.setRole(2, ContactImport::ColumnRole::Phone);
        QCOMPARE(dialog.role(3), ContactImport::ColumnRole::Attribute); // customer_id may be an attribute
        // The export's own columns are ignored, as the API ignores them.
        // A header the import takes as the name (or the tags) is that or nothing, never an attribute.
        QCOMPARE(dialog.roleChooser(1)->findData(int(ContactImport::ColumnRole::Attribute)), -1);
        QCOMPARE(ContactImport::guessRoles({QStringLiteral("id"), QStringLiteral("mobile"), QStringLiteral("full name"), QStringLiteral("")}),
                 (QList<ContactImport::ColumnRole>{ContactImport::ColumnRole::Ignore, ContactImport::ColumnRole::Phone,
                                                   ContactImport::ColumnRole::Name, ContactImport::ColumnRole::Ignore}));
        // A delimiter chosen by hand reads the file again with it.
        dialog.delimiterChooser()->setCurrentIndex(dialog.delimiterChooser()->findData(int(',')));
        QCOMPARE(dialog.headers().size(), 1);
    }

    void importsThroughTheService_data() { addDialectRows(); }
    void importsThroughTheService()
    {
        WADESK_FRESH_DATABASE(t);
        ImportHarness h(std::move(t));
        QString why;
        QVERIFY2(h.setUp(dialect, &why), qPrintable(why));
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("contacts.csv"), kSample);
        ContactImportDialog dialog(*h.context);
        QVERIFY(dialog.openFile(path));
        dialog.setRole(4, ContactImport::ColumnRole::Ignore);
        dialog.regionEdit()->setText(QStringLiteral("de"));
        QSignalSpy finished(&dialog, &ContactImportDialog::importFinished);
        QVERIFY(dialog.startImport());
        QVERIFY(dialog.running());
        QVERIFY(!dialog.importButton()->isEnabled());
        QVERIFY(finished.wait(kUiWaitMs));
        QCOMPARE(finished.takeFirst().at(0).toBool(), true);
        QVERIFY(!dialog.running());
        QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
        QVERIFY(dialog.report().has_value());
        const ContactImport::Report &r = *dialog.report();
        QCOMPARE(r.rows, 5);
        QCOMPARE(r.imported, 2);
        QCOMPARE(r.updated, 1); // the last row merges into the first
        QCOMPARE(r.skipped, 2);
        QVERIFY2(dialog.summaryLabel()->text().contains(QStringLiteral("2 contact(s) created, 1 updated, 2 skipped")),
                 qPrintable(dialog.summaryLabel()->text()));
        QCOMPARE(dialog.errorTable()->rowCount(), 2);
        QCOMPARE(dialog.errorTable()->item(0, 0)->text(), QStringLiteral("4"));
        QCOMPARE(dialog.errorTable()->item(0, 1)->text(), QStringLiteral("invalid_number"));
        QCOMPARE(dialog.errorTable()->item(1, 0)->text(), QStringLiteral("5"));

        const std::optional<ContactRecord> anna = h.contact(QStringLiteral("+4915123456789"));
        QVERIFY(anna);
        QCOMPARE(anna->name, QStringLiteral("Meyer; Anna"));
        QCOMPARE(anna->attributes.value(QStringLiteral("customer_id")).toString(), QStringLiteral("C-1"));
        QVERIFY(!anna->attributes.contains(QStringLiteral("notes"))); // set to Ignore
        QVERIFY(anna->tags.contains(QStringLiteral("vip")) && anna->tags.contains(QStringLiteral("berlin")));
        const std::optional<ContactRecord> bob = h.contact(QStringLiteral("+4915123456780")); // made E.164 with region DE
        QVERIFY(bob);
        QCOMPARE(bob->name, QStringLiteral("Bob \"the builder\""));
        QCOMPARE(h.contactCount(), 2);

        // The report as copied and saved: the summary, then one CSV row per skipped line.
        const QString text = dialog.reportText();
        QVERIFY(text.contains(QStringLiteral("line,code,message\n4,invalid_number,")));
        const QString saved = dir.filePath(QStringLiteral("report.csv"));
        QVERIFY(dialog.saveReport(saved));
        QFile f(saved);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(f.readAll()), text);
    }

    void refusesWithoutAPhoneColumnOrWithABadRegion()
    {
        WADESK_DATABASE_OR_SKIP(t, QStringLiteral("sqlite"));
        ImportHarness h(std::move(t));
        QString why;
        QVERIFY2(h.setUp(QStringLiteral("sqlite"), &why), qPrintable(why));
        QTemporaryDir dir;
        ContactImportDialog dialog(*h.context);
        QVERIFY(dialog.openFile(writeFile(dir, QStringLiteral("c.csv"), kSample)));
        dialog.setRole(0, ContactImport::ColumnRole::Ignore);
        QVERIFY(!dialog.startImport());
        QVERIFY(!dialog.running());
        QVERIFY(dialog.errorText().contains(QStringLiteral("phone")));
        dialog.setRole(0, ContactImport::ColumnRole::Phone);
        dialog.regionEdit()->setText(QStringLiteral("1x"));
        QVERIFY(!dialog.startImport());
        QVERIFY(dialog.errorText().contains(QStringLiteral("region")));
        QCOMPARE(h.contactCount(), 0);
        // An empty file has no header to map.
        QVERIFY(!dialog.openFile(writeFile(dir, QStringLiteral("empty.csv"), QByteArrayLiteral("\xEF\xBB\xBF\r\n"))));
        QVERIFY(!dialog.importButton()->isEnabled());
        QVERIFY(!dialog.errorText().isEmpty());
    }

    // 100,000 rows on the dialog's thread: the window keeps answering (a 20 ms timer keeps
    // firing) and the progress bar moves; then the same file cancelled changes nothing.
    void largeFileKeepsTheWindowAnswering()
    {
        WADESK_DATABASE_OR_SKIP(t, QStringLiteral("sqlite"));
        ImportHarness h(std::move(t));
        QString why;
        QVERIFY2(h.setUp(QStringLiteral("sqlite"), &why), qPrintable(why));
        QTemporaryDir dir;
        QByteArray csv = "phone,name,city\n";
        csv.reserve(100000 * 40);
        for (int i = 0; i < 100000; ++i)
            csv += "+1415" + QByteArray::number(2000000 + i) + ",Person " + QByteArray::number(i) + ",City " + QByteArray::number(i % 50) + '\n';
        const QString path = writeFile(dir, QStringLiteral("big.csv"), csv);

        ContactImportDialog dialog(*h.context);
        dialog.show();
        QVERIFY(dialog.openFile(path));
        QCOMPARE(dialog.previewTable()->rowCount(), ContactImportDialog::kPreviewRows + 1);
        // Cancelled at the first batch: one transaction, so nothing is written.
        QSignalSpy finished(&dialog, &ContactImportDialog::importFinished);
        QVERIFY(dialog.startImport());
        QVERIFY(dialog.cancelButton()->isVisible());
        dialog.cancelImport();
        QVERIFY(finished.wait(kUiWaitMs * 4));
        QCOMPARE(finished.takeFirst().at(0).toBool(), false);
        QVERIFY2(dialog.errorText().contains(QStringLiteral("Cancelled")), qPrintable(dialog.errorText()));
        QCOMPARE(h.contactCount(), 0);

        QElapsedTimer clock;
        qint64 last = 0;
        qint64 longestGap = 0;
        int maxProgress = 0;
        QTimer tick;
        tick.setInterval(20);
        clock.start();
        connect(&tick, &QTimer::timeout, &dialog, [&]() {
            longestGap = qMax(longestGap, clock.elapsed() - last);
            last = clock.elapsed();
            maxProgress = qMax(maxProgress, dialog.progressBar()->value());
        });
        tick.start();
        QVERIFY(dialog.startImport());
        QVERIFY(finished.wait(kUiWaitMs * 8));
        tick.stop();
        QCOMPARE(finished.takeFirst().at(0).toBool(), true);
        QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
        QCOMPARE(dialog.report()->imported, 100000);
        QCOMPARE(h.contactCount(), 100000);
        qInfo("100,000 rows in %lld ms; the longest pause of the window's event loop: %lld ms", clock.elapsed(), longestGap);
        QVERIFY2(longestGap < 1500, qPrintable(QString::number(longestGap)));
        QVERIFY(maxProgress > 0);
    }

    void onlyManagersImport()
    {
        WADESK_DATABASE_OR_SKIP(t, QStringLiteral("sqlite"));
        ImportHarness h(std::move(t));
        QString why;
        QVERIFY2(h.setUp(QStringLiteral("sqlite"), &why), qPrintable(why));
        ContactsDialog contacts(*h.context);
        QVERIFY(!contacts.importButton()->isHidden());
        for (Role role : {Role::Manager, Role::Agent, Role::Viewer}) {
            TeamService::NewMember m;
            m.email = QStringLiteral("member%1@import.test").arg(int(role));
            m.name = QStringLiteral("Member");
            m.role = role;
            m.passwordHash = PasswordHasher(PasswordHasher::Cost::Minimal).hash(QStringLiteral("correct horse battery"));
            Result<UserRecord> user = h.context->team().createMember(h.admin, m);
            QVERIFY(user.ok());
            h.context->signIn(UiHarness::actorOf(user.value()));
            ContactsDialog dialog(*h.context);
            const bool manager = role == Role::Manager;
            QCOMPARE(!dialog.importButton()->isHidden(), manager);
            ContactImportDialog *import = dialog.openImport();
            QCOMPARE(import != nullptr, manager);
            if (!manager) {
                // The service refuses them too, whatever a screen offers.
                ContactImport importer(*h.t.database);
                Result<ContactImport::Report> r = importer.run(h.context->actor(), kSample, ContactImport::Options());
                QVERIFY(!r.ok());
                QCOMPARE(r.error().httpStatus, 403);
            }
        }
        h.context->signIn(h.admin);
    }

    void screenshots()
    {
        WADESK_DATABASE_OR_SKIP(t, QStringLiteral("sqlite"));
        ImportHarness h(std::move(t));
        QString why;
        QVERIFY2(h.setUp(QStringLiteral("sqlite"), &why), qPrintable(why));
        QTemporaryDir dir;
        const QString path = writeFile(dir, QStringLiteral("contacts.csv"), kSample);
        const QString shots = wadesk::test::screenshotDir();
        const QPalette light = QApplication::palette();
        for (const bool dark : {false, true}) {
            if (dark)
                QApplication::setPalette(wadesk::test::darkPalette());
            const QString suffix = dark ? QStringLiteral("-dark") : QString();
            ContactImportDialog dialog(*h.context);
            dialog.resize(900, 640);
            QVERIFY(dialog.openFile(path));
            dialog.regionEdit()->setText(QStringLiteral("DE"));
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            QImage image = dialog.grab().toImage();
            QVERIFY(wadesk::test::hasContent(image));
            QVERIFY(image.save(QDir(shots).filePath(QStringLiteral("contacts-import-preview%1.png").arg(suffix))));
            QSignalSpy finished(&dialog, &ContactImportDialog::importFinished);
            QVERIFY(dialog.startImport());
            QVERIFY(finished.wait(kUiWaitMs));
            QCoreApplication::processEvents();
            image = dialog.grab().toImage();
            QVERIFY(wadesk::test::hasContent(image));
            QVERIFY(image.save(QDir(shots).filePath(QStringLiteral("contacts-import-report%1.png").arg(suffix))));
        }
        QApplication::setPalette(light);
    }
};

WADESK_UI_TEST_MAIN(TestContactsImportUi)
#include "tst_contacts_import_ui.moc"
