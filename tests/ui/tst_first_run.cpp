// The first-run wizard, offscreen, driven through its real widgets: the SQLite path end to end
// (settings file and database rows afterwards), Cancel writing nothing, the fields' checks, the
// PostgreSQL page that cannot advance without a passing connection test, the API exposure
// acknowledgement, and when a start counts as a first run.

#include "tests/support/PgCluster.h"
#include "core/config/ConfigLoader.h"
#include "ui/firstrun/FirstRunPages.h"
#include "ui/firstrun/FirstRunSetup.h"
#include "ui/firstrun/FirstRunWizard.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QClipboard>
#include <QGuiApplication>
#include <QTest>
#include <memory>

using namespace wadesk;

namespace {

struct Sandbox {
    QTemporaryDir home;
    QString dataDir() const { return home.filePath(QStringLiteral("data")); }
    QString settingsFile() const { return home.filePath(QStringLiteral("config/wadesk/wadesk.conf")); }
    QString databaseFile() const { return QDir(dataDir()).filePath(QStringLiteral("wadesk.db")); }
    bool nothingWritten() const
    {
        return !QFileInfo::exists(settingsFile()) && !QFileInfo::exists(databaseFile()) && !QFileInfo::exists(dataDir());
    }
};

FirstRunWizard::Options optionsFor(const Sandbox &box, KeychainSecretStore::Availability keychain)
{
    FirstRunWizard::Options o;
    o.dataDir = box.dataDir();
    o.settingsFile = box.settingsFile();
    o.defaultDataDir = box.dataDir();
    o.passwordCost = PasswordHasher::Cost::Minimal;
    o.keychainProbe = [keychain]() {
        return KeychainSecretStore::Probe{keychain, keychain == KeychainSecretStore::Availability::Available
                                                        ? QString()
                                                        : QStringLiteral("no keychain in this test")};
    };
    return o;
}

template <typename T>
T *child(QWidget &root, const char *name)
{
    auto *found = root.findChild<T *>(QLatin1String(name));
    if (!found)
        qWarning("no child %s", name);
    return found;
}

// With WADESK_UI_SNAPSHOTS=<dir>, each page is saved as a PNG there (to look at the layout).
void snapshot(QWidget &widget, const QString &name)
{
    // CTest sets <build>/screenshots: PNGs a person can look at (and the README's pictures).
    const QString dir = qEnvironmentVariable("WADESK_SCREENSHOT_DIR");
    if (!dir.isEmpty() && QDir().mkpath(dir))
        widget.grab().save(QDir(dir).filePath(name + QStringLiteral(".png")));
}

void clickNext(FirstRunWizard &wizard)
{
    snapshot(wizard, QStringLiteral("wizard-page-%1").arg(wizard.currentId()));
    QAbstractButton *next = wizard.button(QWizard::NextButton);
    QVERIFY(next->isVisible());
    QTRY_VERIFY(next->isEnabled());
    next->click();
}

void fillOrganization(FirstRunWizard &wizard, const QString &password = QStringLiteral("correct horse battery"),
                      const QString &confirm = QString())
{
    QTest::keyClicks(child<QLineEdit>(wizard, "organizationName"), QStringLiteral("Acme Support"));
    QTest::keyClicks(child<QLineEdit>(wizard, "adminName"), QStringLiteral("Ada Admin"));
    QTest::keyClicks(child<QLineEdit>(wizard, "email"), QStringLiteral("ada@example.com"));
    QTest::keyClicks(child<QLineEdit>(wizard, "password"), password);
    QTest::keyClicks(child<QLineEdit>(wizard, "confirmPassword"), confirm.isNull() ? password : confirm);
}

// Organization → Database → Secrets → API → Summary with the defaults.
void walkToSummary(FirstRunWizard &wizard)
{
    fillOrganization(wizard);
    clickNext(wizard);
    QCOMPARE(wizard.currentId(), int(FirstRunWizard::DatabasePageId));
    QVERIFY(child<QRadioButton>(wizard, "sqliteOption")->isChecked());
    clickNext(wizard);
    QCOMPARE(wizard.currentId(), int(FirstRunWizard::SecretsPageId));
    clickNext(wizard); // enabled once the keychain probe answered
    QCOMPARE(wizard.currentId(), int(FirstRunWizard::ApiPageId));
    clickNext(wizard);
    QCOMPARE(wizard.currentId(), int(FirstRunWizard::SummaryPageId));
}

QSqlDatabase openSqlite(const QString &path, const QString &name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path);
    if (!db.open())
        qWarning("cannot open %s: %s", qPrintable(path), qPrintable(db.lastError().text()));
    return db;
}

} // namespace

class TestFirstRun : public QObject {
    Q_OBJECT

private slots:
    void wizardEndToEndSqlite()
    {
        Sandbox box;
        FirstRunWizard wizard(optionsFor(box, KeychainSecretStore::Availability::NoBackend));
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::OrganizationPageId));

        fillOrganization(wizard);
        clickNext(wizard);
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::DatabasePageId));
        QVERIFY(child<QLabel>(wizard, "sqlitePath")->text().contains(box.databaseFile()));
        QVERIFY(child<QRadioButton>(wizard, "sqliteOption")->isChecked());
        QVERIFY(box.nothingWritten());
        clickNext(wizard);

        QCOMPARE(wizard.currentId(), int(FirstRunWizard::SecretsPageId));
        QTRY_VERIFY(wizard.button(QWizard::NextButton)->isEnabled());
        // No keychain here: the page says so and the key file is chosen.
        QVERIFY(!child<QRadioButton>(wizard, "keychainOption")->isEnabled());
        QVERIFY(child<QRadioButton>(wizard, "keyFileOption")->isChecked());
        QVERIFY(child<QLabel>(wizard, "keychainStatus")->text().contains(QStringLiteral("No system keychain")));
        clickNext(wizard);

        QCOMPARE(wizard.currentId(), int(FirstRunWizard::ApiPageId));
        auto *address = child<QLineEdit>(wizard, "bindAddress");
        auto *port = child<QSpinBox>(wizard, "port");
        QCOMPARE(address->text(), QStringLiteral("127.0.0.1"));
        QCOMPARE(port->value(), 3002);
        port->setValue(3105);
        clickNext(wizard);

        QCOMPARE(wizard.currentId(), int(FirstRunWizard::SummaryPageId));
        const QString summary = child<QLabel>(wizard, "summary")->text();
        QVERIFY2(summary.contains(QStringLiteral("Acme Support")) && summary.contains(QStringLiteral("3105")), qPrintable(summary));
        QVERIFY(!summary.contains(QStringLiteral("correct horse")));
        QVERIFY(box.nothingWritten());
        snapshot(wizard, QStringLiteral("wizard-summary"));

        QSignalSpy applied(&wizard, &FirstRunWizard::applyFinished);
        QSignalSpy finished(&wizard, &QDialog::finished);
        wizard.button(QWizard::FinishButton)->click();
        QVERIFY(applied.count() == 1 || applied.wait(30000));
        QVERIFY2(applied.first().at(0).toBool(), qPrintable(applied.first().at(1).toString()));
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(wizard.result(), int(QDialog::Accepted));
        QVERIFY(wizard.registration().has_value());
        QVERIFY(wizard.registration()->apiKey.startsWith(QStringLiteral("sk_")));

        // The first API key is in plain sight with a Copy button (not behind "Show Details").
        {
            std::unique_ptr<QDialog> done = FirstRunWizard::completionDialog(nullptr, *wizard.registration());
            done->show();
            QVERIFY(QTest::qWaitForWindowExposed(done.get()));
            auto *key = done->findChild<QLineEdit *>(QStringLiteral("oneTimeSecret"));
            QVERIFY(key && key->isVisible() && key->isReadOnly());
            QCOMPARE(key->text(), wizard.registration()->apiKey);
            QVERIFY(key->width() >= key->fontMetrics().horizontalAdvance(key->text())); // the whole key shows
            QGuiApplication::clipboard()->clear();
            auto *copy = done->findChild<QPushButton *>(QStringLiteral("copySecret"));
            QVERIFY(copy && copy->isVisible());
            copy->click();
            QCOMPARE(QGuiApplication::clipboard()->text(), wizard.registration()->apiKey);
            QVERIFY(!done->findChild<QLabel *>(QStringLiteral("secretCopied"))->text().isEmpty());
            snapshot(*done, QStringLiteral("first-run-api-key"));
        }

        // The settings file: what was chosen, owner-only.
        QVERIFY(QFileInfo::exists(box.settingsFile()));
        QCOMPARE(QFileInfo(box.settingsFile()).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions());
        {
            QSettings ini(box.settingsFile(), QSettings::IniFormat);
            QCOMPARE(ini.value(QStringLiteral("database")).toString(), QStringLiteral("wadesk.db"));
            QCOMPARE(ini.value(QStringLiteral("secrets/backend")).toString(), QStringLiteral("file"));
            QCOMPARE(ini.value(QStringLiteral("api/bind")).toString(), QStringLiteral("127.0.0.1"));
            QCOMPARE(ini.value(QStringLiteral("api/port")).toInt(), 3105);
            QCOMPARE(ini.value(QStringLiteral("api/allowRemote")).toBool(), false);
            QCOMPARE(ini.value(QStringLiteral("desktop/lastEmail")).toString(), QStringLiteral("ada@example.com"));
            QVERIFY(!ini.contains(QStringLiteral("dataDir"))); // the default data directory
            for (const QString &key : ini.allKeys())
                QVERIFY2(!ini.value(key).toString().contains(QStringLiteral("correct horse")), qPrintable(key));
        }
        // ... which the configuration loader accepts and resolves to this database.
        QProcessEnvironment env;
        env.insert(QStringLiteral("WADESK_DATA_DIR"), box.dataDir());
        auto loaded = ConfigLoader::load({QStringLiteral("wadesk")}, env, box.settingsFile());
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().message));
        QCOMPARE(loaded.value().config.api.port, 3105);
        QCOMPARE(loaded.value().config.secretsBackend, QStringLiteral("file"));
        QVERIFY(!FirstRunSetup::isFirstRun(loaded.value().config));

        // The database: the organization, its admin, the audit entry, migrated schema.
        QVERIFY(QFileInfo::exists(box.databaseFile()));
        {
            QSqlDatabase db = openSqlite(box.databaseFile(), QStringLiteral("check-e2e"));
            QVERIFY(db.isOpen());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT id, name FROM organizations")));
            QVERIFY(q.next());
            const QString orgId = q.value(0).toString();
            QCOMPARE(q.value(1).toString(), QStringLiteral("Acme Support"));
            QVERIFY(!q.next());
            QVERIFY(q.exec(QStringLiteral("SELECT email, name, role, organization_id, password_hash FROM users")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("ada@example.com"));
            QCOMPARE(q.value(1).toString(), QStringLiteral("Ada Admin"));
            QCOMPARE(q.value(2).toString(), QStringLiteral("admin"));
            QCOMPARE(q.value(3).toString(), orgId);
            QVERIFY(q.value(4).toString().startsWith(QStringLiteral("$argon2id$")));
            QVERIFY(PasswordHasher(PasswordHasher::Cost::Minimal).verify(QStringLiteral("correct horse battery"), q.value(4).toString()));
            QVERIFY(!q.next());
            QVERIFY(q.exec(QStringLiteral("SELECT action, resource, resource_id, ip_address FROM audit_logs WHERE organization_id = '%1'")
                               .arg(orgId)));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("register"));
            QCOMPARE(q.value(1).toString(), QStringLiteral("organizations"));
            QCOMPARE(q.value(2).toString(), orgId);
            QCOMPARE(q.value(3).toString(), QStringLiteral("desktop"));
            QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM api_keys WHERE organization_id = '%1'").arg(orgId)));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toInt(), 1);
            QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM schema_migrations")));
            QVERIFY(q.next());
            QVERIFY(q.value(0).toInt() >= 5);
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("check-e2e"));
    }

    void cancelWritesNothing()
    {
        Sandbox box;
        FirstRunWizard wizard(optionsFor(box, KeychainSecretStore::Availability::NoBackend));
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        walkToSummary(wizard);
        if (QTest::currentTestFailed())
            return;
        QSignalSpy finished(&wizard, &QDialog::finished);
        wizard.button(QWizard::CancelButton)->click();
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(wizard.result(), int(QDialog::Rejected));
        QVERIFY(!wizard.registration());
        QVERIFY(box.nothingWritten());
        QCOMPARE(QDir(box.home.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries), QStringList());
    }

    void organizationFieldsAreChecked()
    {
        Sandbox box;
        FirstRunWizard wizard(optionsFor(box, KeychainSecretStore::Availability::NoBackend));
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        auto *error = child<QLabel>(wizard, "errorLabel");
        auto *email = child<QLineEdit>(wizard, "email");
        auto *password = child<QLineEdit>(wizard, "password");
        auto *confirm = child<QLineEdit>(wizard, "confirmPassword");

        // Every input carries an accessible name.
        for (QWidget *input : wizard.findChildren<QWidget *>()) {
            const bool control = qobject_cast<QLineEdit *>(input) || qobject_cast<QAbstractButton *>(input)
                || qobject_cast<QSpinBox *>(input);
            if (control && !input->objectName().startsWith(QLatin1String("qt_")) && !input->objectName().isEmpty())
                QVERIFY2(!input->accessibleName().isEmpty(), qPrintable(input->objectName()));
        }

        wizard.button(QWizard::NextButton)->click(); // all empty
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::OrganizationPageId));
        QVERIFY(error->isVisible());

        fillOrganization(wizard, QStringLiteral("long enough pw"), QStringLiteral("something else"));
        wizard.button(QWizard::NextButton)->click();
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::OrganizationPageId));
        QVERIFY2(error->text().contains(QStringLiteral("differ")), qPrintable(error->text()));

        confirm->setText(QStringLiteral("long enough pw"));
        email->setText(QStringLiteral("not-an-email"));
        wizard.button(QWizard::NextButton)->click();
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::OrganizationPageId));
        QVERIFY2(error->text().contains(QStringLiteral("email")), qPrintable(error->text()));

        email->setText(QStringLiteral("ada@example.com"));
        password->setText(QStringLiteral("short"));
        confirm->setText(QStringLiteral("short"));
        wizard.button(QWizard::NextButton)->click();
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::OrganizationPageId));
        QVERIFY2(error->text().contains(QStringLiteral("8")), qPrintable(error->text()));

        password->setText(QStringLiteral("long enough pw"));
        confirm->setText(QStringLiteral("long enough pw"));
        wizard.button(QWizard::NextButton)->click();
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::DatabasePageId));
        QVERIFY(box.nothingWritten());
    }

    void postgresNeedsAPassingConnectionTest()
    {
        Sandbox box;
        FirstRunWizard wizard(optionsFor(box, KeychainSecretStore::Availability::Available));
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        fillOrganization(wizard);
        clickNext(wizard);
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::DatabasePageId));

        auto *next = wizard.button(QWizard::NextButton);
        auto *url = child<QLineEdit>(wizard, "postgresUrl");
        auto *testButton = child<QPushButton>(wizard, "testConnection");
        auto *status = child<QLabel>(wizard, "connectionStatus");
        auto *page = qobject_cast<FirstRunDatabasePage *>(wizard.currentPage());
        QVERIFY(page);
        child<QRadioButton>(wizard, "postgresOption")->click();
        QVERIFY(!next->isEnabled()); // no URL, no test

        // Nobody listens on port 1: the test fails and the page stays.
        url->setText(QStringLiteral("postgres://wadesk:secret@127.0.0.1:1/wadesk?connect_timeout=2"));
        QVERIFY(testButton->isEnabled());
        QSignalSpy tested(page, &FirstRunDatabasePage::connectionTested);
        testButton->click();
        QVERIFY(tested.wait(30000));
        QCOMPARE(tested.first().at(0).toBool(), false);
        QVERIFY2(status->text().contains(QStringLiteral("failed")), qPrintable(status->text()));
        // What to fix, not the driver's "QPSQL: Unable to connect".
        QVERIFY2(status->text().contains(QStringLiteral("Nothing answers at 127.0.0.1:1")), qPrintable(status->text()));
        QVERIFY2(!status->text().contains(QStringLiteral("QPSQL")), qPrintable(status->text()));
        QVERIFY(!next->isEnabled());
        QVERIFY(box.nothingWritten());

        // Back to SQLite: no test needed.
        child<QRadioButton>(wizard, "sqliteOption")->click();
        QVERIFY(next->isEnabled());

        QString whyNot;
        wadesk::test::PgCluster *cluster = wadesk::test::PgCluster::shared(&whyNot);
        if (!cluster) {
            if (wadesk::test::PgCluster::required())
                QFAIL(qPrintable(whyNot));
            QSKIP(qPrintable(QStringLiteral("the passing half needs PostgreSQL: %1").arg(whyNot)));
        }
        const QString good = cluster->createDatabase();
        child<QRadioButton>(wizard, "postgresOption")->click();
        // A server that answers but has no such database, or no such user: each says which.
        const QString port = QString::number(cluster->port());
        const QList<QPair<QString, QString>> wrong = {
            {QStringLiteral("postgres://postgres@127.0.0.1:%1/no_such_db").arg(port), QStringLiteral("no database no_such_db")},
            {QStringLiteral("postgres://nobody_here@127.0.0.1:%1/postgres").arg(port), QStringLiteral("no user nobody_here")},
        };
        for (const auto &[wrongUrl, says] : wrong) {
            url->setText(wrongUrl);
            tested.clear();
            testButton->click();
            QVERIFY(tested.wait(30000));
            QCOMPARE(tested.first().at(0).toBool(), false);
            QVERIFY2(status->text().contains(says), qPrintable(status->text()));
            QVERIFY(!next->isEnabled());
        }
        url->setText(good);
        QVERIFY(!next->isEnabled());
        tested.clear();
        testButton->click();
        QVERIFY(tested.wait(30000));
        QVERIFY2(tested.first().at(0).toBool(), qPrintable(status->text()));
        QVERIFY(next->isEnabled());
        // Editing the URL after the test asks for another one.
        url->setText(good + QStringLiteral("x"));
        QVERIFY(!next->isEnabled());
        url->setText(good);
        tested.clear();
        testButton->click();
        QVERIFY(tested.wait(30000));
        QVERIFY(next->isEnabled());

        // Through to the end: the organization lands in PostgreSQL, the keychain was offered.
        clickNext(wizard);
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::SecretsPageId));
        QTRY_VERIFY(next->isEnabled());
        QVERIFY(child<QRadioButton>(wizard, "keychainOption")->isEnabled());
        QVERIFY(child<QRadioButton>(wizard, "keychainOption")->isChecked());
        clickNext(wizard);
        clickNext(wizard);
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::SummaryPageId));
        QSignalSpy applied(&wizard, &FirstRunWizard::applyFinished);
        wizard.button(QWizard::FinishButton)->click();
        QVERIFY(applied.count() == 1 || applied.wait(60000));
        QVERIFY2(applied.first().at(0).toBool(), qPrintable(applied.first().at(1).toString()));
        QSettings ini(box.settingsFile(), QSettings::IniFormat);
        QCOMPARE(ini.value(QStringLiteral("database")).toString(), good);
        QCOMPARE(ini.value(QStringLiteral("secrets/backend")).toString(), QStringLiteral("keychain"));
        QVERIFY(!QFileInfo::exists(box.databaseFile()));
    }

    // The keychain was locked (or its prompt still open) at the first check; "Check again" after
    // unlocking it makes it the choice instead of leaving the key file selected.
    void aSuccessfulRecheckChoosesTheKeychain()
    {
        Sandbox box;
        FirstRunWizard::Options options = optionsFor(box, KeychainSecretStore::Availability::Refused);
        auto answers = std::make_shared<QList<KeychainSecretStore::Availability>>(
            QList<KeychainSecretStore::Availability>{KeychainSecretStore::Availability::Refused,
                                                     KeychainSecretStore::Availability::Available,
                                                     KeychainSecretStore::Availability::Available});
        options.keychainProbe = [answers]() {
            const auto next = answers->isEmpty() ? KeychainSecretStore::Availability::Available : answers->takeFirst();
            return KeychainSecretStore::Probe{next, next == KeychainSecretStore::Availability::Available ? QString()
                                                                                                        : QStringLiteral("locked")};
        };
        FirstRunWizard wizard(options);
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        fillOrganization(wizard);
        clickNext(wizard);
        clickNext(wizard);
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::SecretsPageId));
        auto *keychain = child<QRadioButton>(wizard, "keychainOption");
        auto *keyFile = child<QRadioButton>(wizard, "keyFileOption");
        QTRY_VERIFY(keyFile->isChecked());
        QVERIFY(!keychain->isEnabled());

        child<QPushButton>(wizard, "probeAgain")->click();
        QTRY_VERIFY(keychain->isEnabled());
        QVERIFY(keychain->isChecked());
        QVERIFY(!keyFile->isChecked());

        // A choice the user makes stands through a check that is not a "Check again".
        keyFile->click();
        QVERIFY(keyFile->isChecked());
        QVERIFY(wizard.button(QWizard::NextButton)->isEnabled());
    }

    void exposedApiNeedsAcknowledgement()
    {
        Sandbox box;
        FirstRunWizard wizard(optionsFor(box, KeychainSecretStore::Availability::NoBackend));
        wizard.show();
        QVERIFY(QTest::qWaitForWindowExposed(&wizard));
        fillOrganization(wizard);
        clickNext(wizard);
        clickNext(wizard);
        clickNext(wizard);
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::ApiPageId));
        auto *address = child<QLineEdit>(wizard, "bindAddress");
        auto *allow = child<QCheckBox>(wizard, "allowRemote");
        QVERIFY(!allow->isVisible());

        address->setText(QStringLiteral("not an address"));
        wizard.button(QWizard::NextButton)->click();
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::ApiPageId));

        address->setText(QStringLiteral("0.0.0.0"));
        QVERIFY(allow->isVisible());
        wizard.button(QWizard::NextButton)->click();
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::ApiPageId)); // not acknowledged
        allow->setChecked(true);
        wizard.button(QWizard::NextButton)->click();
        QCOMPARE(wizard.currentId(), int(FirstRunWizard::SummaryPageId));
        QVERIFY(child<QLabel>(wizard, "summary")->text().contains(QStringLiteral("exposed")));
        const FirstRunChoices c = wizard.choices();
        QCOMPARE(c.bindAddress, QStringLiteral("0.0.0.0"));
        QVERIFY(c.allowRemote);

        // The written file is one the loader accepts (api/allowRemote with a public bind).
        FirstRunSetup::Target target{box.settingsFile(), box.dataDir(), box.dataDir(), PasswordHasher::Cost::Minimal};
        QVERIFY(FirstRunSetup::writeSettings(c, target));
        auto loaded = ConfigLoader::load({QStringLiteral("wadesk")}, QProcessEnvironment(), box.settingsFile());
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().message));
        QVERIFY(loaded.value().config.api.allowRemote);
        QCOMPARE(loaded.value().config.api.bindAddress, QStringLiteral("0.0.0.0"));
    }

    void aSecondRegistrationOfTheSameEmailFailsAndWritesNoSettings()
    {
        Sandbox box;
        FirstRunChoices c;
        c.organizationName = QStringLiteral("One");
        c.adminName = QStringLiteral("Ada");
        c.email = QStringLiteral("ada@example.com");
        c.password = QStringLiteral("correct horse battery");
        FirstRunSetup::Target target{box.settingsFile(), box.dataDir(), box.dataDir(), PasswordHasher::Cost::Minimal};
        auto first = FirstRunSetup::apply(c, target);
        QVERIFY2(first.ok(), first.ok() ? "" : qPrintable(first.error().message));
        QVERIFY(QFile::remove(box.settingsFile()));
        c.organizationName = QStringLiteral("Two");
        auto second = FirstRunSetup::apply(c, target);
        QVERIFY(!second.ok());
        QVERIFY(!QFileInfo::exists(box.settingsFile()));
    }

    void firstRunDetection()
    {
        Sandbox box;
        AppConfig config;
        config.dataDir = box.dataDir();
        config.settingsFile = box.settingsFile();
        QVERIFY(FirstRunSetup::isFirstRun(config));
        config.database = QStringLiteral("postgres://u:p@localhost/db"); // given on the command line
        QVERIFY(!FirstRunSetup::isFirstRun(config));
        config.database.clear();
        QVERIFY(QDir().mkpath(box.dataDir()));
        QFile db(box.databaseFile());
        QVERIFY(db.open(QIODevice::WriteOnly));
        db.close();
        QVERIFY(!FirstRunSetup::isFirstRun(config)); // an existing installation
        QVERIFY(QFile::remove(box.databaseFile()));
        QVERIFY(QDir().mkpath(QFileInfo(box.settingsFile()).absolutePath()));
        QFile ini(box.settingsFile());
        QVERIFY(ini.open(QIODevice::WriteOnly));
        ini.close();
        QVERIFY(!FirstRunSetup::isFirstRun(config)); // configured by hand
    }
};

int main(int argc, char *argv[])
{
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QApplication app(argc, argv);
    TestFirstRun test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_first_run.moc"
