// Issue 14's remaining desktop screens against a real SQLite database and the real services:
//  - Empty states: no client ("Add Your First Client…" opens the add dialog; an agent without
//    clients is told to ask for one), a client whose session does not run (Start Session starts
//    the real session on the fake WhatsApp Web page).
//  - Settings: every member reads the organization, only admins change it (an agent's or a
//    viewer's screen is read-only and the service refuses them anyway); a bad time zone or an
//    empty name shows the error and changes nothing (neither field); client limits (admins,
//    managers) reach the client; the installation settings (admins) are written to the settings
//    file that ConfigLoader reads at the next start, and bad input (a bad keyword, an address
//    beyond loopback without remote access) shows the error and leaves the file as it was.
//  - Contacts: the model passes QAbstractItemModelTester and reads keyset pages as the view asks
//    (never all rows); search, the "no match" state with Clear Search; Edit changes name, tags and
//    opt-out through ContactService; a bad tag shows the error and changes nothing; viewers read only.
//  - My account: the password rules, a wrong current password and a mismatched repetition are
//    refused without a change; a good change stores a hash of the new password. Delete a client
//    spells out the consequences and deletes only after the exact name was typed.
// Screenshots of every new screen, light and dark, go to <build>/screenshots.

#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"

#include "core/auth/OrganizationService.h"
#include "core/config/ConfigLoader.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/ContactService.h"
#include "core/sessions/ClientService.h"
#include "ui/account/AccountDialog.h"
#include "ui/account/DeleteClientDialog.h"
#include "ui/clients/ClientActions.h"
#include "ui/clients/ClientDialogs.h"
#include "ui/clients/SessionView.h"
#include "core/common/Ids.h"
#include "ui/contacts/ContactEditDialog.h"
#include "ui/contacts/ContactsDialog.h"
#include "ui/main/MainWindow.h"
#include "ui/models/ClientListModel.h"
#include "ui/models/ContactPageModel.h"
#include "ui/settings/InstallationSettings.h"
#include "ui/settings/SettingsDialog.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>

using namespace wadesk;
using wadesk::test::kUiWaitMs;
using wadesk::test::UiHarness;

namespace {

void checkAccessibleNames(QWidget &w)
{
    QList<QWidget *> controls;
    for (auto *b : w.findChildren<QPushButton *>())
        controls << b;
    for (auto *c : w.findChildren<QComboBox *>())
        controls << c;
    for (auto *c : w.findChildren<QCheckBox *>())
        controls << c;
    for (auto *s : w.findChildren<QSpinBox *>())
        controls << s;
    for (auto *e : w.findChildren<QLineEdit *>()) {
        if (!qobject_cast<QAbstractSpinBox *>(e->parentWidget()) && !qobject_cast<QComboBox *>(e->parentWidget()))
            controls << e;
    }
    for (auto *v : w.findChildren<QAbstractItemView *>()) {
        if (!qobject_cast<QHeaderView *>(v) && v->window() == &w)
            controls << v;
    }
    for (QWidget *c : controls) {
        // A push button's text is its accessible name when none is set; the others need one.
        const bool named = !c->accessibleName().isEmpty()
                           || (qobject_cast<QAbstractButton *>(c) && !qobject_cast<QAbstractButton *>(c)->text().isEmpty());
        QVERIFY2(named, qPrintable(c->objectName() + QLatin1Char(' ') + QLatin1String(c->metaObject()->className())));
    }
}

QByteArray fileBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestScreens : public QObject {
    Q_OBJECT

    UiHarness h;
    UserRecord m_manager;
    UserRecord m_agent;
    UserRecord m_viewer;

    AuthContext as(const UserRecord &u) { return UiHarness::actorOf(u); }
    OrganizationService &organizations() { return h.context->services().organizations(); }
    OrganizationInfo organization()
    {
        Result<OrganizationInfo> o = organizations().get(h.admin);
        return o ? o.value() : OrganizationInfo();
    }
    QString settingsFile() const { return h.context->facts().settingsFile; }
    // Admins and viewers start on the Dashboard; the empty states are on the clients' screen.
    static void showClients(MainWindow &window)
    {
        if (window.dashboardAction() && window.dashboardAction()->isChecked())
            window.dashboardAction()->trigger();
        QVERIFY(!window.dashboardAction() || !window.dashboardAction()->isChecked());
    }

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        Result<UserRecord> manager = h.createMember(QStringLiteral("manager@ui.test"), Role::Manager);
        Result<UserRecord> agent = h.createMember(QStringLiteral("agent@ui.test"), Role::Agent);
        Result<UserRecord> viewer = h.createMember(QStringLiteral("viewer@ui.test"), Role::Viewer);
        QVERIFY(manager.ok() && agent.ok() && viewer.ok());
        m_manager = manager.value();
        m_agent = agent.value();
        m_viewer = viewer.value();
    }

    void cleanupTestCase() { h.tearDown(); }

    void init() { h.context->signIn(h.admin); }

    // --- Empty states (runs first: the organization has no client yet) -------------------

    void emptyStates()
    {
        {
            MainWindow window(*h.context);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QCOMPARE(window.sessionModel()->rowCount(), 0);
            showClients(window);
            QPushButton *add = window.sessionView()->emptyStateButton();
            QTRY_VERIFY(add->isVisibleTo(&window));
            QVERIFY(add->text().contains(QStringLiteral("First Client")));
            QVERIFY(!add->accessibleName().isEmpty());
            QVERIFY(window.sessionView()->placeholderText().contains(QStringLiteral("No clients yet")));
            window.resize(1100, 640);
            for (const bool dark : {false, true}) {
                const QPalette light = QApplication::palette();
                if (dark)
                    QApplication::setPalette(wadesk::test::darkPalette());
                window.repaint();
                QCoreApplication::processEvents();
                const QImage image = window.grab().toImage();
                QVERIFY(wadesk::test::hasContent(image));
                QVERIFY(image.save(QDir(wadesk::test::screenshotDir()).filePath(dark ? QStringLiteral("no-clients-dark.png") : QStringLiteral("no-clients.png"))));
                QApplication::setPalette(light);
            }
            // The button opens the same Add Client dialog as File → Add Client (modal: closed from a timer).
            bool sawDialog = false;
            QTimer::singleShot(200, this, [&sawDialog]() {
                if (auto *dialog = qobject_cast<AddClientDialog *>(QApplication::activeModalWidget())) {
                    sawDialog = true;
                    dialog->reject();
                }
            });
            add->click();
            QVERIFY(sawDialog);
        }
        {
            // An agent with no client assigned is told whom to ask, and offered no button.
            h.context->signIn(as(m_agent));
            MainWindow window(*h.context);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            showClients(window);
            QTRY_VERIFY(window.sessionView()->placeholderText().contains(QStringLiteral("assigned to you")));
            QVERIFY(!window.sessionView()->emptyStateButton()->isVisibleTo(&window));
            h.context->signIn(h.admin);
        }
        // A client that does not run: "Start Session" starts its real session.
        const QString clientId = h.createClient(QStringLiteral("Front desk"));
        QVERIFY(!clientId.isEmpty());
        MainWindow window(*h.context);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        showClients(window);
        QTRY_COMPARE(window.sessionView()->clientId(), clientId);
        QVERIFY(window.sessionView()->placeholderText().contains(QStringLiteral("not running")));
        QPushButton *start = window.sessionView()->emptyStateButton();
        QVERIFY(start->isVisibleTo(&window));
        QVERIFY(start->text().contains(QStringLiteral("Start")));
        QVERIFY(!h.session(clientId));
        start->click();
        QTRY_VERIFY_WITH_TIMEOUT(h.session(clientId) != nullptr, kUiWaitMs);
        QVERIFY(h.waitState(clientId, SessionState::Qr));
        QTRY_VERIFY(!start->isVisibleTo(&window));
        h.registry->stopAll();
        QTRY_VERIFY_WITH_TIMEOUT(!h.session(clientId), kUiWaitMs);
    }

    // --- Settings -------------------------------------------------------------------------

    void settingsOrganizationByAdmin()
    {
        SettingsDialog dialog(*h.context);
        QCOMPARE(dialog.tabs()->count(), 4); // Organization, Client Limits, Installation, Notifications
        QVERIFY(dialog.clientLimitsPage() && dialog.installationPage() && dialog.notificationsPage());
        QCOMPARE(dialog.organizationNameEdit()->text(), QStringLiteral("UI Org"));
        QCOMPARE(dialog.timeZoneBox()->currentText(), QStringLiteral("UTC"));
        QVERIFY(dialog.timeZoneBox()->findText(QStringLiteral("Europe/Paris")) >= 0);
        // Searchable: part of the name, any case.
        QCompleter *completer = dialog.timeZoneBox()->completer();
        completer->setCompletionPrefix(QStringLiteral("paris"));
        QVERIFY(completer->completionCount() >= 1);
        QCOMPARE(completer->currentCompletion(), QStringLiteral("Europe/Paris"));
        checkAccessibleNames(dialog);

        // A zone that does not exist: refused, and the new name is not written either.
        dialog.organizationNameEdit()->setText(QStringLiteral("Renamed Org"));
        dialog.timeZoneBox()->setEditText(QStringLiteral("Mars/Olympus_Mons"));
        QVERIFY(!dialog.saveOrganization().ok());
        QVERIFY(dialog.errorText().contains(QStringLiteral("time zone")));
        QCOMPARE(organization().name, QStringLiteral("UI Org"));
        QCOMPARE(organization().timeZone, QStringLiteral("UTC"));
        // An empty name: refused.
        dialog.organizationNameEdit()->setText(QStringLiteral("   "));
        dialog.timeZoneBox()->setCurrentIndex(dialog.timeZoneBox()->findText(QStringLiteral("Europe/Paris")));
        QVERIFY(!dialog.saveOrganization().ok());
        QVERIFY(!dialog.errorText().isEmpty());
        QCOMPARE(organization().name, QStringLiteral("UI Org"));
        // Good input, through the button.
        dialog.organizationNameEdit()->setText(QStringLiteral("Renamed Org"));
        dialog.saveOrganizationButton()->click();
        QVERIFY(dialog.errorText().isEmpty());
        QVERIFY(!dialog.noticeText().isEmpty());
        QCOMPARE(organization().name, QStringLiteral("Renamed Org"));
        QCOMPARE(organization().timeZone, QStringLiteral("Europe/Paris"));
    }

    void settingsGating_data()
    {
        QTest::addColumn<int>("who");
        QTest::addColumn<bool>("limits");
        QTest::newRow("manager") << 0 << true;
        QTest::newRow("agent") << 1 << false;
        QTest::newRow("viewer") << 2 << false;
    }

    void settingsGating()
    {
        QFETCH(int, who);
        QFETCH(bool, limits);
        const UserRecord &user = who == 0 ? m_manager : who == 1 ? m_agent : m_viewer;
        const OrganizationInfo before = organization();
        const QByteArray fileBefore = fileBytes(settingsFile());
        h.context->signIn(as(user));
        SettingsDialog dialog(*h.context);
        QCOMPARE(dialog.clientLimitsPage() != nullptr, limits);
        QVERIFY(!dialog.installationPage()); // admins only
        QCOMPARE(dialog.tabs()->count(), limits ? 3 : 2); // Notifications is everyone's
        QVERIFY(dialog.tabs()->indexOf(dialog.notificationsPage()) >= 0);
        // The organization is shown, read-only.
        QCOMPARE(dialog.organizationNameEdit()->text(), before.name);
        QVERIFY(dialog.organizationNameEdit()->isReadOnly());
        QVERIFY(!dialog.timeZoneBox()->isEnabled());
        QVERIFY(!dialog.saveOrganizationButton()->isVisibleTo(&dialog));
        // Even forced, nothing changes: the services refuse (as the API's RBAC does).
        dialog.organizationNameEdit()->setText(QStringLiteral("Taken over"));
        dialog.timeZoneBox()->setEditText(QStringLiteral("Asia/Tokyo"));
        QVERIFY(!dialog.saveOrganization().ok());
        QVERIFY(!dialog.errorText().isEmpty());
        QVERIFY(!dialog.saveInstallation().ok());
        QCOMPARE(organization().name, before.name);
        QCOMPARE(organization().timeZone, before.timeZone);
        QCOMPARE(fileBytes(settingsFile()), fileBefore);
        QCOMPARE(organizations().rename(as(user), QStringLiteral("Taken over")).error().httpStatus, 403);
    }

    void settingsClientLimits()
    {
        const QString clientId = h.createClient(QStringLiteral("Limits"));
        SettingsDialog dialog(*h.context);
        QComboBox *clients = dialog.limitClientBox();
        QVERIFY(clients);
        const int at = clients->findData(clientId);
        QVERIFY(at >= 0);
        clients->setCurrentIndex(at);
        QCOMPARE(dialog.perMinuteBox()->value(), 0);
        QCOMPARE(dialog.perMinuteBox()->text(), QStringLiteral("Installation default"));
        dialog.perMinuteBox()->setValue(7);
        dialog.perDayBox()->setValue(300);
        dialog.saveLimitsButton()->click();
        QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
        const Result<ClientRecord> c = h.context->clients().get(h.admin, clientId);
        QVERIFY(c.ok());
        QCOMPARE(c.value().ratePerMinute, 7);
        QCOMPARE(c.value().ratePerHour, 0);
        QCOMPARE(c.value().ratePerDay, 300);
        // The spin boxes hold the API's ranges: more cannot be typed.
        dialog.perMinuteBox()->setValue(5000);
        QCOMPARE(dialog.perMinuteBox()->value(), 1000);
    }

    void settingsInstallation()
    {
        QFile::remove(settingsFile());
        SettingsDialog dialog(*h.context);
        QVERIFY(dialog.installationPage());
        QVERIFY(dialog.restartNotice()->text().contains(QStringLiteral("start")));
        QVERIFY(dialog.restartNotice()->text().contains(settingsFile()));
        // What this run uses is shown (the harness's tiers and no pacing).
        QCOMPARE(dialog.defaultPerMinuteBox()->value(), h.context->services().settings().messaging.defaultTiers.perMinute);
        QVERIFY(!dialog.pacingBox()->isChecked());
        QVERIFY(dialog.optOutEdit()->text().contains(QStringLiteral("STOP")));

        // Bad input: nothing is written.
        dialog.optOutEdit()->setText(QStringLiteral("STOP, ") + QString(60, QLatin1Char('x')));
        QVERIFY(!dialog.saveInstallation().ok());
        QVERIFY(dialog.errorText().contains(QStringLiteral("opt-out")));
        QVERIFY(!QFile::exists(settingsFile()));
        dialog.optOutEdit()->setText(QStringLiteral("STOP, BAJA"));
        dialog.optInEdit()->setText(QStringLiteral("START, baja"));
        QVERIFY(!dialog.saveInstallation().ok());
        QVERIFY(!QFile::exists(settingsFile()));
        dialog.optInEdit()->setText(QStringLiteral("START"));
        dialog.apiBindEdit()->setText(QStringLiteral("10.1.2.3"));
        QVERIFY(!dialog.saveInstallation().ok());
        QVERIFY(dialog.errorText().contains(QStringLiteral("remote")));
        QVERIFY(!QFile::exists(settingsFile()));
        dialog.apiBindEdit()->setText(QStringLiteral("not an address"));
        QVERIFY(!dialog.saveInstallation().ok());
        QVERIFY(!QFile::exists(settingsFile()));

        // Good input, through the button; the file is what ConfigLoader reads at the next start.
        dialog.apiBindEdit()->setText(QStringLiteral("127.0.0.1"));
        dialog.apiPortBox()->setValue(4010);
        dialog.defaultPerMinuteBox()->setValue(12);
        dialog.pacingBox()->setChecked(true);
        dialog.messagesDaysBox()->setValue(400);
        dialog.languageBox()->setCurrentIndex(dialog.languageBox()->findData(QStringLiteral("de")));
        dialog.saveInstallationButton()->click();
        QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
        QVERIFY(dialog.noticeText().contains(QStringLiteral("Restart")));
        QVERIFY(QFile::exists(settingsFile()));
        QCOMPARE(QFile::permissions(settingsFile()) & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());
        QCOMPARE(QSettings(settingsFile(), QSettings::IniFormat).value(QStringLiteral("ui/language")).toString(), QStringLiteral("de"));
        const Result<LoadedConfig> loaded = ConfigLoader::load({QStringLiteral("wadesk")}, QProcessEnvironment(), settingsFile());
        QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().message));
        const AppConfig &config = loaded.value().config;
        QCOMPARE(config.api.port, 4010);
        QCOMPARE(config.api.bindAddress, QStringLiteral("127.0.0.1"));
        QCOMPARE(config.services.messaging.defaultTiers.perMinute, 12);
        QVERIFY(!config.services.messaging.pacing.isOff());
        QCOMPARE(config.services.messaging.optOutKeywords, (QStringList{QStringLiteral("STOP"), QStringLiteral("BAJA")}));
        QCOMPARE(config.services.messaging.optInKeywords, QStringList{QStringLiteral("START")});
        QCOMPARE(config.retention.messagesDays, 400);

        // A second dialog reads the file back.
        SettingsDialog again(*h.context);
        QCOMPARE(again.apiPortBox()->value(), 4010);
        QCOMPARE(again.languageBox()->currentData().toString(), QStringLiteral("de"));
        QCOMPARE(again.optOutEdit()->text(), QStringLiteral("STOP, BAJA"));

        // A bad value after a good save leaves the saved file as it was.
        const QByteArray saved = fileBytes(settingsFile());
        again.apiBindEdit()->setText(QStringLiteral("192.168.1.20"));
        QVERIFY(!again.saveInstallation().ok());
        QCOMPARE(fileBytes(settingsFile()), saved);
        // With remote access allowed, the same address is accepted.
        again.allowRemoteBox()->setChecked(true);
        QVERIFY(again.saveInstallation().ok());
        QCOMPARE(QSettings(settingsFile(), QSettings::IniFormat).value(QStringLiteral("api/bind")).toString(), QStringLiteral("192.168.1.20"));
    }

    // --- Contacts -------------------------------------------------------------------------

    void contactsPaging()
    {
        SqlRunner sql(*h.db);
        ContactRepository repo(sql);
        QList<ContactRecord> rows;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < 250; ++i) {
            ContactRecord c;
            c.id = Ids::make("contact");
            c.organizationId = h.admin.organizationId;
            c.phoneNumber = QStringLiteral("+1415555%1").arg(i, 4, 10, QLatin1Char('0'));
            c.name = i == 17 ? QStringLiteral("Zed Zebra") : QStringLiteral("Person %1").arg(i);
            c.tags = i % 2 ? QStringList{QStringLiteral("odd")} : QStringList{};
            c.createdAt = c.updatedAt = now - i * 1000;
            rows << c;
        }
        QVERIFY(repo.upsertMany(rows).ok());

        ContactsDialog dialog(*h.context);
        ContactPageModel *model = dialog.contactModel();
        // One page to start with, not the table.
        QCOMPARE(model->pagesRead(), 1);
        QCOMPARE(model->rowCount(), ContactPageModel::kPageSize);
        QVERIFY(model->canFetchMore(QModelIndex()));
        QCOMPARE(model->index(0, ContactPageModel::NameColumn).data().toString(), QStringLiteral("Person 0")); // most recent first
        model->fetchMore(QModelIndex());
        QCOMPARE(model->pagesRead(), 2);
        QCOMPARE(model->rowCount(), 2 * ContactPageModel::kPageSize);
        QCOMPARE(model->index(ContactPageModel::kPageSize, ContactPageModel::NameColumn).data().toString(), QStringLiteral("Person 100"));
        // The tester fetches more itself, as views do; the rows and signals must stay consistent.
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        checkAccessibleNames(dialog);
        // Scrolling the view to the end asks for the rest, a page at a time.
        dialog.resize(820, 520);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        for (int i = 0; i < 5 && model->canFetchMore(QModelIndex()); ++i) {
            dialog.contactView()->scrollToBottom();
            QCoreApplication::processEvents();
        }
        QTRY_COMPARE(model->rowCount(), 250);
        QVERIFY(!model->canFetchMore(QModelIndex()));
        QCOMPARE(model->pagesRead(), 3);
        const QModelIndex odd = model->index(1, ContactPageModel::TagsColumn);
        QCOMPARE(odd.data().toString(), QStringLiteral("odd"));
        QCOMPARE(model->index(1, ContactPageModel::OptOutColumn).data().toString(), QStringLiteral("Receives messages"));

        // Search: by name, by digits; nothing found says so and offers to clear the search.
        // (Hidden, so that the view does not read further pages by itself while we count.)
        dialog.hide();
        dialog.searchEdit()->setText(QStringLiteral("zebra"));
        dialog.applySearch();
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, ContactPageModel::PhoneColumn).data().toString(), QStringLiteral("+14155550017"));
        QVERIFY(!dialog.emptyHint()->isVisibleTo(&dialog));
        dialog.searchEdit()->setText(QStringLiteral("no such person"));
        dialog.applySearch();
        QCOMPARE(model->rowCount(), 0);
        QVERIFY(dialog.emptyHint()->isVisibleTo(&dialog));
        QVERIFY(dialog.emptyHint()->text().contains(QStringLiteral("no such person")));
        QVERIFY(dialog.clearSearchButton()->isVisibleTo(&dialog));
        dialog.clearSearchButton()->click();
        QCOMPARE(dialog.searchEdit()->text(), QString());
        // The first page again (the tester, like a view, may have asked for one more).
        QVERIFY(model->rowCount() >= ContactPageModel::kPageSize && model->rowCount() < 250);
        QCOMPARE(model->index(0, ContactPageModel::NameColumn).data().toString(), QStringLiteral("Person 0"));
        QVERIFY(!dialog.emptyHint()->isVisibleTo(&dialog));
        QVERIFY(!dialog.clearSearchButton()->isVisibleTo(&dialog));
    }

    void contactsEdit()
    {
        ContactsDialog dialog(*h.context);
        dialog.searchEdit()->setText(QStringLiteral("zebra"));
        dialog.applySearch();
        QCOMPARE(dialog.contactModel()->rowCount(), 1);
        const QString id = dialog.currentContact();
        QVERIFY(!id.isEmpty());
        QVERIFY(dialog.editButton()->isEnabled());
        ContactEditDialog *edit = dialog.openEditor();
        QVERIFY(edit);
        checkAccessibleNames(*edit);
        QCOMPARE(edit->nameEdit()->text(), QStringLiteral("Zed Zebra"));
        // A tag with a quote: refused, nothing changes.
        edit->nameEdit()->setText(QStringLiteral("Changed"));
        edit->tagsEdit()->setText(QStringLiteral("vip, bad\"tag"));
        QSignalSpy finished(&dialog, &ContactsDialog::editFinished);
        edit->submit();
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.takeFirst().first().toBool(), false);
        QVERIFY(edit->errorText().contains(QStringLiteral("tag")));
        QCOMPARE(h.context->contacts().get(h.admin, id).value().name, QStringLiteral("Zed Zebra"));
        // Good input.
        edit->tagsEdit()->setText(QStringLiteral("vip, spain"));
        edit->optedOutBox()->setChecked(true);
        edit->submit();
        QCOMPARE(finished.takeFirst().first().toBool(), true);
        const ContactRecord saved = h.context->contacts().get(h.admin, id).value();
        QCOMPARE(saved.name, QStringLiteral("Changed"));
        QCOMPARE(saved.tags, (QStringList{QStringLiteral("vip"), QStringLiteral("spain")}));
        QVERIFY(saved.optedOut);
        const QModelIndex row = dialog.contactModel()->index(dialog.contactModel()->rowOf(id), 0);
        QCOMPARE(row.data(ContactPageModel::NameRole).toString(), QStringLiteral("Changed"));
        QCOMPARE(row.siblingAtColumn(ContactPageModel::OptOutColumn).data().toString(), QStringLiteral("Opted out"));
    }

    void contactsViewerReadsOnly()
    {
        h.context->signIn(as(m_viewer));
        ContactsDialog dialog(*h.context);
        QVERIFY(dialog.contactModel()->rowCount() > 0);
        dialog.contactView()->setCurrentIndex(dialog.contactModel()->index(0, 0));
        QVERIFY(!dialog.editButton()->isVisibleTo(&dialog));
        QVERIFY(!dialog.openEditor());
        const QString id = dialog.currentContact();
        ContactService::Change change;
        change.name = QStringLiteral("Viewer was here");
        QCOMPARE(h.context->contacts().update(as(m_viewer), id, change).error().httpStatus, 403);
        QVERIFY(h.context->contacts().get(h.admin, id).value().name != QStringLiteral("Viewer was here"));
    }

    // --- My account -----------------------------------------------------------------------

    void accountPassword()
    {
        h.context->signIn(as(m_agent));
        AccountDialog dialog(*h.context);
        checkAccessibleNames(dialog);
        QVERIFY(!dialog.deleteClientGroup()); // agents do not manage clients
        const auto storedHash = [this]() { return h.context->accounts().currentUser(as(m_agent)).value()->passwordHash; };
        const QString before = storedHash();
        QSignalSpy finished(&dialog, &AccountDialog::passwordChangeFinished);
        const auto attempt = [&](const QString &current, const QString &next, const QString &repeat) {
            dialog.currentPasswordEdit()->setText(current);
            dialog.newPasswordEdit()->setText(next);
            dialog.repeatPasswordEdit()->setText(repeat);
            finished.clear();
            dialog.changePasswordButton()->click();
            return finished.wait(kUiWaitMs) || !finished.isEmpty() ? finished.first().first().toBool() : false;
        };
        QVERIFY(!attempt(QStringLiteral("correct horse battery"), QStringLiteral("short"), QStringLiteral("short")));
        QVERIFY(dialog.passwordError().contains(QStringLiteral("8")));
        QVERIFY(!attempt(QStringLiteral("correct horse battery"), QStringLiteral("new password one"), QStringLiteral("new password two")));
        QVERIFY(dialog.passwordError().contains(QStringLiteral("differ")));
        QVERIFY(!attempt(QStringLiteral("wrong current password"), QStringLiteral("new password one"), QStringLiteral("new password one")));
        QVERIFY(dialog.passwordError().contains(QStringLiteral("wrong")));
        QCOMPARE(storedHash(), before);
        QVERIFY(attempt(QStringLiteral("correct horse battery"), QStringLiteral("new password one"), QStringLiteral("new password one")));
        QVERIFY(dialog.passwordError().isEmpty());
        QVERIFY(!dialog.passwordNotice().isEmpty());
        QVERIFY(dialog.currentPasswordEdit()->text().isEmpty());
        const QString after = storedHash();
        QVERIFY(after != before);
        const PasswordHasher hasher(PasswordHasher::Cost::Minimal);
        QVERIFY(hasher.verify(QStringLiteral("new password one"), after));
        QVERIFY(!hasher.verify(QStringLiteral("correct horse battery"), after));
        // A change made meanwhile elsewhere wins: the stale hash is refused.
        QCOMPARE(h.context->accounts().changePassword(as(m_agent), before, hasher.hash(QStringLiteral("x"))).error().code,
                 QStringLiteral("password_changed"));
    }

    void accountDeleteClient()
    {
        const QString doomed = h.createClient(QStringLiteral("Doomed"));
        QVERIFY(!doomed.isEmpty());
        AccountDialog dialog(*h.context);
        QVERIFY(dialog.deleteClientGroup());
        QComboBox *clients = dialog.deleteClientBox();
        clients->setCurrentIndex(clients->findData(doomed));
        QVERIFY(clients->currentIndex() >= 0);
        dialog.deleteClientButton()->click();
        DeleteClientDialog *confirm = dialog.deleteDialog();
        QVERIFY(confirm);
        checkAccessibleNames(*confirm);
        const QString consequences = confirm->consequencesLabel()->text();
        QVERIFY(consequences.contains(QStringLiteral("cannot be undone")));
        QVERIFY(consequences.contains(QStringLiteral("message")));
        QVERIFY(consequences.contains(QStringLiteral("queued")));
        QVERIFY(consequences.contains(QStringLiteral("link")));
        QVERIFY(!confirm->deleteButton()->isEnabled());
        confirm->confirmationEdit()->setText(QStringLiteral("doomed")); // not the exact name
        QVERIFY(!confirm->deleteButton()->isEnabled());
        confirm->reject();
        QVERIFY(h.context->clients().get(h.admin, doomed).ok());

        dialog.deleteClientButton()->click();
        confirm = dialog.deleteDialog();
        QVERIFY(confirm);
        QSignalSpy deleted(&dialog, &AccountDialog::clientDeleted);
        confirm->confirmationEdit()->setText(QStringLiteral("Doomed"));
        QVERIFY(confirm->deleteButton()->isEnabled());
        confirm->deleteButton()->click();
        QCOMPARE(deleted.size(), 1);
        QCOMPARE(h.context->clients().get(h.admin, doomed).error().httpStatus, 404);
        QCOMPARE(dialog.deleteClientBox()->findData(doomed), -1);
        QVERIFY(dialog.deleteError().isEmpty());
    }

    void menuEntries()
    {
        MainWindow window(*h.context);
        for (QAction *a : {window.contactsAction(), window.settingsAction(), window.accountAction()}) {
            QVERIFY(a->isVisible() && a->isEnabled());
            QVERIFY(!a->shortcut().isEmpty());
        }
        window.settingsAction()->trigger();
        QVERIFY(window.settingsDialog());
        window.contactsAction()->trigger();
        QVERIFY(window.contactsDialog());
        window.accountAction()->trigger();
        QVERIFY(window.accountDialog());
        h.context->signOut();
        QVERIFY(!window.settingsAction()->isEnabled());
        h.context->signIn(h.admin);
    }

    // --- Screenshots ----------------------------------------------------------------------

    void screenshots()
    {
        const QString dir = wadesk::test::screenshotDir();
        auto save = [&](QWidget &w, const QString &name) {
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.repaint();
            QCoreApplication::processEvents();
            const QImage image = w.grab().toImage();
            QVERIFY(wadesk::test::hasContent(image));
            QVERIFY(image.save(QDir(dir).filePath(name)));
            qInfo("screenshot: %s", qPrintable(QDir(dir).filePath(name)));
        };
        auto shoot = [&](const QString &suffix) {
            {
                SettingsDialog dialog(*h.context);
                dialog.resize(680, 620);
                save(dialog, QStringLiteral("settings-organization%1.png").arg(suffix));
                dialog.tabs()->setCurrentWidget(dialog.installationPage());
                save(dialog, QStringLiteral("settings-installation%1.png").arg(suffix));
                dialog.tabs()->setCurrentWidget(dialog.clientLimitsPage());
                save(dialog, QStringLiteral("settings-client-limits%1.png").arg(suffix));
            }
            {
                ContactsDialog dialog(*h.context);
                dialog.resize(860, 520);
                dialog.contactView()->setCurrentIndex(dialog.contactModel()->index(0, 0));
                save(dialog, QStringLiteral("contacts%1.png").arg(suffix));
                ContactEditDialog *edit = dialog.openEditor();
                QVERIFY(edit);
                save(*edit, QStringLiteral("contact-edit%1.png").arg(suffix));
                edit->reject();
                dialog.searchEdit()->setText(QStringLiteral("nobody by this name"));
                dialog.applySearch();
                save(dialog, QStringLiteral("contacts-no-match%1.png").arg(suffix));
            }
            {
                AccountDialog dialog(*h.context);
                save(dialog, QStringLiteral("my-account%1.png").arg(suffix));
                DeleteClientDialog confirm(QStringLiteral("Front desk"), QStringLiteral("+14155550100"), 12, true);
                confirm.confirmationEdit()->setText(QStringLiteral("Front"));
                save(confirm, QStringLiteral("delete-client%1.png").arg(suffix));
            }
            {
                MainWindow window(*h.context);
                window.resize(1100, 640);
                showClients(window);
                save(window, QStringLiteral("session-not-running%1.png").arg(suffix));
            }
        };
        shoot(QString());
        const QPalette light = QApplication::palette();
        QApplication::setPalette(wadesk::test::darkPalette());
        shoot(QStringLiteral("-dark"));
        QApplication::setPalette(light);
    }
};

WADESK_UI_TEST_MAIN(TestScreens)

#include "tst_screens.moc"
