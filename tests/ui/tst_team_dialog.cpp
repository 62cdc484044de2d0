// The Team dialog against a real database and TeamService: its member model passes
// QAbstractItemModelTester; an admin adds an agent through the dialog's widgets (the password
// hashed off the UI thread) and assigns a client with the checklist, and TeamService shows both;
// refusals from the service are shown inline; a manager is not offered the admin role and cannot
// change an admin (buttons disabled, and the service refuses when called anyway); the Team
// action of the main window is there for admins and managers and hidden for agents and viewers.

#include "tests/ui/UiHarness.h"

#include "ui/main/MainWindow.h"
#include "ui/models/TeamMemberModel.h"
#include "ui/team/AddMemberDialog.h"
#include "ui/team/TeamDialog.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeView>

using namespace wadesk;
using wadesk::test::kUiWaitMs;
using wadesk::test::UiHarness;

namespace {
QListWidgetItem *clientItem(QListWidget *list, const QString &clientId)
{
    for (int i = 0; i < list->count(); ++i) {
        if (list->item(i)->data(Qt::UserRole).toString() == clientId)
            return list->item(i);
    }
    return nullptr;
}

QList<Role> comboRoles(QComboBox *combo)
{
    QList<Role> out;
    for (int i = 0; i < combo->count(); ++i)
        out << Role(combo->itemData(i).toInt());
    return out;
}

std::optional<UserRecord> findMember(UiHarness &h, const QString &email)
{
    Result<TeamService::Page> page = h.context->team().listMembers(h.admin, 500, 0);
    if (!page)
        return std::nullopt;
    for (const UserRecord &u : page.value().users) {
        if (u.email == email)
            return u;
    }
    return std::nullopt;
}
} // namespace

class TestTeamDialog : public QObject {
    Q_OBJECT

    UiHarness h;
    QString m_frontDesk;
    QString m_billing;
    UserRecord m_manager;
    UserRecord m_agent;
    UserRecord m_viewer;

    void checkAccessibleNames(QWidget &w)
    {
        QList<QWidget *> controls;
        for (auto *b : w.findChildren<QPushButton *>())
            controls << b;
        for (auto *c : w.findChildren<QComboBox *>())
            controls << c;
        for (auto *e : w.findChildren<QLineEdit *>())
            controls << e;
        for (auto *v : w.findChildren<QAbstractItemView *>()) {
            // A list's column header is named by its model; a combo box's popup list (found among
            // the dialog's children on Qt 6.8) is a window of its own, named by its combo box.
            if (!qobject_cast<QHeaderView *>(v) && v->window() == &w)
                controls << v;
        }
        for (QWidget *c : controls)
            QVERIFY2(!c->accessibleName().isEmpty(), qPrintable(c->objectName() + QLatin1Char(' ') + QLatin1String(c->metaObject()->className())));
    }

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        m_frontDesk = h.createClient(QStringLiteral("Front desk"));
        m_billing = h.createClient(QStringLiteral("Billing"));
        QVERIFY(!m_frontDesk.isEmpty() && !m_billing.isEmpty());
        Result<UserRecord> manager = h.createMember(QStringLiteral("manager@ui.test"), Role::Manager);
        QVERIFY(manager.ok());
        m_manager = manager.value();
        Result<UserRecord> agent = h.createMember(QStringLiteral("agent@ui.test"), Role::Agent);
        QVERIFY(agent.ok());
        m_agent = agent.value();
        Result<UserRecord> viewer = h.createMember(QStringLiteral("viewer@ui.test"), Role::Viewer);
        QVERIFY(viewer.ok());
        m_viewer = viewer.value();
        QVERIFY(h.context->team().assignClient(h.admin, m_viewer.id, m_billing).ok());
    }

    void cleanupTestCase() { h.tearDown(); }

    void init() { h.context->signIn(h.admin); }

    void memberModel()
    {
        TeamMemberModel model(*h.context);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(model.columnCount(), int(TeamMemberModel::ColumnCount));
        QVERIFY(model.lastError().isEmpty());
        const int row = model.rowOf(m_agent.id);
        QVERIFY(row >= 0);
        QCOMPARE(model.index(row, TeamMemberModel::EmailColumn).data().toString(), QStringLiteral("agent@ui.test"));
        QCOMPARE(model.index(row, TeamMemberModel::RoleColumn).data().toString(), QStringLiteral("Agent"));
        QCOMPARE(model.index(row, TeamMemberModel::StatusColumn).data().toString(), QStringLiteral("Active"));
        QCOMPARE(model.index(row, 0).data(TeamMemberModel::RoleNameRole).toString(), QStringLiteral("agent"));
        QVERIFY(model.index(row, 0).data(TeamMemberModel::ManageableRole).toBool());
        QVERIFY(!model.index(row, 0).data(Qt::AccessibleTextRole).toString().isEmpty());
        QVERIFY(model.memberAt(row)->passwordHash.isEmpty()); // hashes are not kept in the UI
        // The admin is not "manageable" by themselves.
        QVERIFY(!model.index(model.rowOf(h.admin.userId), 0).data(TeamMemberModel::ManageableRole).toBool());
        QCOMPARE(model.headerData(TeamMemberModel::NameColumn, Qt::Horizontal).toString(), QStringLiteral("Name"));
        // A change elsewhere shows after a reload (with the tester watching the reset).
        Result<UserRecord> extra = h.createMember(QStringLiteral("temp@ui.test"), Role::Viewer);
        QVERIFY(extra.ok());
        QVERIFY(model.reload());
        QCOMPARE(model.rowCount(), 5);
        QVERIFY(h.context->team().removeMember(h.admin, extra.value().id).ok());
        QVERIFY(model.reload());
        QCOMPARE(model.rowCount(), 4);

        // For a role without can_manage_team the model stays empty.
        h.context->signIn(UiHarness::actorOf(m_agent));
        QVERIFY(!model.reload());
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.lastError().isEmpty());
    }

    void adminAddsAnAgentAndAssignsAClient()
    {
        TeamDialog dialog(*h.context);
        QAbstractItemModelTester tester(dialog.memberModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester clientTester(dialog.clientList()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        checkAccessibleNames(dialog);
        QVERIFY(!QTest::currentTestFailed());
        QVERIFY(dialog.addButton()->isEnabled());
        QCOMPARE(comboRoles(dialog.roleCombo()), (QList<Role>{Role::Admin, Role::Manager, Role::Agent, Role::Viewer}));

        // The admin selecting themselves: nothing to change.
        dialog.selectMember(h.admin.userId);
        QVERIFY(!dialog.changeRoleButton()->isEnabled());
        QVERIFY(!dialog.activeButton()->isEnabled());
        QVERIFY(!dialog.removeButton()->isEnabled());
        QVERIFY(!dialog.hintText().isEmpty());

        // Add member… through the widgets.
        QTest::mouseClick(dialog.addButton(), Qt::LeftButton);
        AddMemberDialog *add = dialog.addMemberDialog();
        QVERIFY(add);
        QVERIFY(QTest::qWaitForWindowExposed(add));
        checkAccessibleNames(*add);
        QVERIFY(!QTest::currentTestFailed());
        QCOMPARE(add->offeredRoles(), (QList<Role>{Role::Admin, Role::Manager, Role::Agent, Role::Viewer}));
        QCOMPARE(add->passwordField()->echoMode(), QLineEdit::Password);
        QVERIFY(!add->addButton()->isEnabled());
        QTest::keyClicks(add->emailField(), QStringLiteral("new.agent@ui.test"));
        QTest::keyClicks(add->nameField(), QStringLiteral("Nora Agent"));
        add->roleCombo()->setCurrentIndex(add->roleCombo()->findData(int(Role::Agent)));
        // Too short a password: the service's message, inline; nothing created.
        QTest::keyClicks(add->passwordField(), QStringLiteral("short"));
        QSignalSpy finished(&dialog, &TeamDialog::addFinished);
        QTest::mouseClick(add->addButton(), Qt::LeftButton);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY2(add->errorText().contains(QStringLiteral("password")), qPrintable(add->errorText()));
        QVERIFY(!findMember(h, QStringLiteral("new.agent@ui.test")));
        // A proper one.
        add->passwordField()->clear();
        QTest::keyClicks(add->passwordField(), QStringLiteral("a long enough password"));
        QSignalSpy added(&dialog, &TeamDialog::memberAdded);
        QTest::mouseClick(add->addButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kUiWaitMs);
        QVERIFY2(finished.at(1).at(0).toBool(), qPrintable(dialog.addMemberDialog() ? dialog.addMemberDialog()->errorText() : QString()));
        QCOMPARE(added.count(), 1);
        const QString newId = added.at(0).at(0).toString();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.addMemberDialog(), kUiWaitMs); // closed and deleted
        std::optional<UserRecord> stored = findMember(h, QStringLiteral("new.agent@ui.test"));
        QVERIFY(stored);
        QCOMPARE(stored->id, newId);
        QCOMPARE(stored->role, Role::Agent);
        QCOMPARE(stored->name, QStringLiteral("Nora Agent"));
        QVERIFY(stored->active);
        QVERIFY(PasswordHasher(PasswordHasher::Cost::Minimal).verify(QStringLiteral("a long enough password"), stored->passwordHash));
        // The list shows it, selected.
        QCOMPARE(dialog.memberModel()->rowCount(), 5);
        QCOMPARE(dialog.currentMember(), newId);
        QVERIFY(dialog.changeRoleButton()->isVisible());
        QVERIFY(dialog.activeButton()->isEnabled());
        QVERIFY(dialog.removeButton()->isEnabled());
        QVERIFY(dialog.errorText().isEmpty());

        // The same email again: refused by the service, shown inline.
        add = dialog.openAddMember();
        QVERIFY(add);
        add->emailField()->setText(QStringLiteral("new.agent@ui.test"));
        add->nameField()->setText(QStringLiteral("Twin"));
        add->passwordField()->setText(QStringLiteral("another long password"));
        QTest::mouseClick(add->addButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, kUiWaitMs);
        QCOMPARE(finished.at(2).at(0).toBool(), false);
        QVERIFY(dialog.addMemberDialog());
        QVERIFY(!dialog.addMemberDialog()->errorText().isEmpty());
        dialog.addMemberDialog()->reject();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.addMemberDialog(), kUiWaitMs);

        // Assign a client with the checklist.
        QVERIFY(dialog.clientList()->isVisible());
        QVERIFY(dialog.clientList()->isEnabled());
        QCOMPARE(dialog.clientList()->count(), 2);
        QListWidgetItem *frontDesk = clientItem(dialog.clientList(), m_frontDesk);
        QVERIFY(frontDesk);
        QCOMPARE(frontDesk->checkState(), Qt::Unchecked);
        frontDesk->setCheckState(Qt::Checked);
        QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
        QCOMPARE(h.context->team().assignedClients(h.admin, newId).value(), QStringList{m_frontDesk});
        QCOMPARE(clientItem(dialog.clientList(), m_frontDesk)->checkState(), Qt::Checked);
        // ... which the agent then sees, and only that.
        {
            AuthContext asAgent = UiHarness::actorOf(*stored);
            Result<ClientService::Page> seen = h.context->clients().list(asAgent, 50, 0);
            QVERIFY(seen.ok());
            QCOMPARE(seen.value().clients.size(), 1);
            QCOMPARE(seen.value().clients.first().id, m_frontDesk);
        }

        // Change role (agent → viewer) and deactivate, through the buttons.
        dialog.roleCombo()->setCurrentIndex(dialog.roleCombo()->findData(int(Role::Viewer)));
        QVERIFY(dialog.changeRoleButton()->isEnabled());
        QTest::mouseClick(dialog.changeRoleButton(), Qt::LeftButton);
        QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
        QCOMPARE(h.context->team().getMember(h.admin, newId).value().role, Role::Viewer);
        QCOMPARE(dialog.currentMember(), newId);
        QVERIFY(!dialog.changeRoleButton()->isEnabled()); // already a viewer
        QTest::mouseClick(dialog.activeButton(), Qt::LeftButton);
        QVERIFY(!h.context->team().getMember(h.admin, newId).value().active);
        const int row = dialog.memberModel()->rowOf(newId);
        QCOMPARE(dialog.memberModel()->index(row, TeamMemberModel::StatusColumn).data().toString(), QStringLiteral("Deactivated"));
        QCOMPARE(dialog.activeButton()->text().remove(QLatin1Char('&')), QStringLiteral("Activate"));
        QTest::mouseClick(dialog.activeButton(), Qt::LeftButton);
        QVERIFY(h.context->team().getMember(h.admin, newId).value().active);

        // Unassign with the checklist.
        clientItem(dialog.clientList(), m_frontDesk)->setCheckState(Qt::Unchecked);
        QVERIFY(h.context->team().assignedClients(h.admin, newId).value().isEmpty());

        // Admins and managers see every client: no checklist for them.
        dialog.selectMember(m_manager.id);
        QVERIFY(!dialog.clientList()->isVisible());
        QVERIFY(dialog.changeRoleButton()->isEnabled() == false); // same role selected
        QVERIFY(dialog.activeButton()->isEnabled());

        // Their own role: the service's refusal is shown, nothing crashes.
        QVERIFY(!dialog.changeRole(h.admin.userId, Role::Viewer).ok());
        QVERIFY(!dialog.errorText().isEmpty());
        QCOMPARE(h.context->team().getMember(h.admin, h.admin.userId).value().role, Role::Admin);

        // Remove (without the confirmation box): gone from the list and the database.
        QVERIFY(dialog.removeMember(newId).ok());
        QVERIFY(dialog.errorText().isEmpty());
        QCOMPARE(dialog.memberModel()->rowOf(newId), -1);
        QVERIFY(!findMember(h, QStringLiteral("new.agent@ui.test")));
    }

    void screenshot()
    {
        const QString dir = qEnvironmentVariable("WADESK_SCREENSHOT_DIR");
        if (dir.isEmpty() || !QDir().mkpath(dir))
            QSKIP("WADESK_SCREENSHOT_DIR is not set");
        TeamDialog dialog(*h.context);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.selectMember(m_viewer.id);
        QVERIFY(dialog.clientList()->isVisible());
        QCOMPARE(clientItem(dialog.clientList(), m_billing)->checkState(), Qt::Checked);
        dialog.repaint();
        QCoreApplication::processEvents();
        const QImage image = dialog.grab().toImage();
        QVERIFY(!image.isNull());
        QVERIFY(image.save(QDir(dir).filePath(QStringLiteral("team.png"))));
    }

    void managerCannotCreateOrChangeAnAdmin()
    {
        h.context->signIn(UiHarness::actorOf(m_manager));
        TeamDialog dialog(*h.context);
        QAbstractItemModelTester tester(dialog.memberModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QCOMPARE(dialog.memberModel()->rowCount(), 4); // managers see the whole team
        // Only agents and viewers are offered, when adding and when changing a role.
        QCOMPARE(comboRoles(dialog.roleCombo()), (QList<Role>{Role::Agent, Role::Viewer}));
        AddMemberDialog *add = dialog.openAddMember();
        QVERIFY(add);
        QCOMPARE(add->offeredRoles(), (QList<Role>{Role::Agent, Role::Viewer}));
        add->reject();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.addMemberDialog(), kUiWaitMs);

        // An admin selected: nothing may be changed, and the dialog says why.
        dialog.selectMember(h.admin.userId);
        QCOMPARE(dialog.currentMember(), h.admin.userId);
        QVERIFY(!dialog.roleCombo()->isEnabled());
        QVERIFY(!dialog.changeRoleButton()->isEnabled());
        QVERIFY(!dialog.activeButton()->isEnabled());
        QVERIFY(!dialog.removeButton()->isEnabled());
        QVERIFY(dialog.hintText().contains(QStringLiteral("agents and viewers")));
        // Called anyway, the service refuses and the refusal is shown.
        const Status refused = dialog.setActive(h.admin.userId, false);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().httpStatus, 403);
        QVERIFY(!dialog.errorText().isEmpty());
        QVERIFY(h.context->team().getMember(h.admin, h.admin.userId).value().active);
        QCOMPARE(dialog.removeMember(h.admin.userId).error().httpStatus, 403);
        // The manager themselves: the same.
        dialog.selectMember(m_manager.id);
        QVERIFY(!dialog.changeRoleButton()->isEnabled());
        QVERIFY(!dialog.removeButton()->isEnabled());

        // A viewer: manageable; their clients can be ticked.
        dialog.selectMember(m_viewer.id);
        QVERIFY(dialog.activeButton()->isEnabled());
        QVERIFY(dialog.removeButton()->isEnabled());
        QVERIFY(dialog.clientList()->isVisible() && dialog.clientList()->isEnabled());
        QListWidgetItem *frontDesk = clientItem(dialog.clientList(), m_frontDesk);
        QVERIFY(frontDesk);
        frontDesk->setCheckState(Qt::Checked);
        QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
        QVERIFY(h.context->team().assignedClients(h.admin, m_viewer.id).value().contains(m_frontDesk));
        QVERIFY(dialog.setAssigned(m_viewer.id, m_frontDesk, false).ok());
        QCOMPARE(h.context->team().assignedClients(h.admin, m_viewer.id).value(), QStringList{m_billing});
    }

    void teamActionOnlyForRolesThatManageTheTeam()
    {
        for (const auto &[actor, allowed] : QList<QPair<AuthContext, bool>>{{h.admin, true},
                                                                            {UiHarness::actorOf(m_manager), true},
                                                                            {UiHarness::actorOf(m_agent), false},
                                                                            {UiHarness::actorOf(m_viewer), false}}) {
            h.context->signIn(actor);
            MainWindow w(*h.context);
            w.show();
            QAction *team = w.teamAction();
            QVERIFY(team);
            QCOMPARE(team, w.findChild<QAction *>(QStringLiteral("teamAction")));
            QCOMPARE(team->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_T));
            QVERIFY2(team->isVisible() == allowed, qPrintable(actor.email));
            QVERIFY2(team->isEnabled() == allowed, qPrintable(actor.email));
            team->trigger();
            QVERIFY2(bool(w.teamDialog()) == allowed, qPrintable(actor.email));
            if (allowed) {
                QVERIFY(w.teamDialog()->isVisible());
                QVERIFY(w.teamDialog()->memberModel()->rowCount() >= 4);
                w.teamDialog()->close();
                QTRY_VERIFY_WITH_TIMEOUT(!w.teamDialog(), kUiWaitMs); // deleted on close
            }
        }
        // Built for an agent anyway, the dialog shows nothing and offers nothing.
        h.context->signIn(UiHarness::actorOf(m_agent));
        TeamDialog dialog(*h.context);
        QCOMPARE(dialog.memberModel()->rowCount(), 0);
        QVERIFY(!dialog.addButton()->isEnabled());
        QVERIFY(!dialog.removeButton()->isEnabled());
        QVERIFY(!dialog.openAddMember());
        QVERIFY(!dialog.errorText().isEmpty());
        QCOMPARE(dialog.setAssigned(m_agent.id, m_frontDesk, true).error().httpStatus, 403);
        QVERIFY(h.context->team().assignedClients(h.admin, m_agent.id).value().isEmpty());
    }

    // Names are shown as typed, never as markup; a tick is kept (same item, no rebuild) or, when
    // the service refuses, put back.
    void namesArePlainTextAndRefusedTicksRevert()
    {
        Result<UserRecord> created = h.createMember(QStringLiteral("markup@ui.test"), Role::Agent);
        QVERIFY(created.ok());
        const QString userId = created.value().id;
        const QString markup = QStringLiteral("<b>x</b>");
        TeamService::Change rename;
        rename.name = markup;
        QVERIFY(h.context->team().updateMember(h.admin, userId, rename).ok());

        TeamDialog dialog(*h.context);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.selectMember(userId);
        QCOMPARE(dialog.currentMember(), userId);
        auto *note = dialog.findChild<QLabel *>(QStringLiteral("assignedClientsNote"));
        QVERIFY(note);
        QCOMPARE(note->textFormat(), Qt::PlainText);
        QVERIFY2(note->text().contains(markup), qPrintable(note->text()));
        QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("teamError"))->textFormat(), Qt::PlainText);

        // A tick that the service accepts: the item stays as it is (the list is not rebuilt
        // while it emits itemChanged), and the note counts it.
        QListWidgetItem *frontDesk = clientItem(dialog.clientList(), m_frontDesk);
        QVERIFY(frontDesk);
        frontDesk->setCheckState(Qt::Checked);
        QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
        QCOMPARE(clientItem(dialog.clientList(), m_frontDesk), frontDesk);
        QCOMPARE(frontDesk->checkState(), Qt::Checked);
        QVERIFY2(note->text().contains(QStringLiteral("(1 of 2)")), qPrintable(note->text()));
        QCOMPARE(h.context->team().assignedClients(h.admin, userId).value(), QStringList{m_frontDesk});

        // Removed meanwhile (elsewhere): the service refuses, the tick goes back.
        QVERIFY(h.context->team().removeMember(h.admin, userId).ok());
        QListWidgetItem *billing = clientItem(dialog.clientList(), m_billing);
        QVERIFY(billing);
        billing->setCheckState(Qt::Checked);
        QVERIFY(!dialog.errorText().isEmpty());
        QCOMPARE(clientItem(dialog.clientList(), m_billing), billing);
        QCOMPARE(billing->checkState(), Qt::Unchecked);
    }
};

WADESK_UI_TEST_MAIN(TestTeamDialog)

#include "tst_team_dialog.moc"
