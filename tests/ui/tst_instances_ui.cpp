// The desktop's screens for several instances on one database (issue 16), offscreen, with this
// desktop as the instance "here" of a cluster (UiHarness::clusterInstanceId) and the other
// instances as rows in `instances` with their heartbeats and leases, as other processes write
// them (SQLite has the same tables; what is shown depends only on the rows):
// - Admin → Instances… lists every instance (model under QAbstractItemModelTester) with this
//   desktop marked, alive or offline by heartbeat age, and the sessions of the admin's own
//   organization; Drain… asks first and sets `draining` (audited), Undrain clears it, and rows
//   changed behind the dialog's back show within the periodic refresh.
// - Client → Run on Instance… (admins and managers) preselects the client's stored pin, offers
//   the instances with offline and draining ones marked, stores the pin with a `pin_client`
//   audit entry, and "Any instance" unpins; a refusal is shown in the dialog.
//   (A screenshot of the dialog with a draining instance goes to the screenshot directory.)
// - Who sees what: managers pin but do not see Instances…, viewers get neither, and without a
//   cluster (SQLite's single instance) neither entry is there.

#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"

#include "core/cluster/InstanceService.h"
#include "core/cluster/SessionOwners.h"
#include "core/db/SqlRunner.h"
#include "ui/instances/InstanceActions.h"
#include "ui/instances/InstancesDialog.h"
#include "ui/instances/PinInstanceDialog.h"
#include "ui/main/MainWindow.h"
#include "ui/models/InstanceListModel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QComboBox>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTimer>
#include <QTreeView>

using namespace wadesk;
using wadesk::test::UiHarness;

class TestInstancesUi : public QObject {
    Q_OBJECT

    UiHarness h;
    static constexpr qint64 kLongMs = 24 * 3600 * 1000; // a lease that outlives the test
    QString m_front; // runs on "there"
    QString m_back;  // runs here
    QString m_idle;  // its lease on "there" lapsed
    AuthContext m_manager;
    AuthContext m_viewer;

    QStringList rows(const QString &sql, const QVariantList &bindings = {})
    {
        QSqlQuery q(h.db->connection().value());
        q.prepare(sql);
        for (const QVariant &v : bindings)
            q.addBindValue(v);
        QStringList out;
        if (!q.exec())
            return {QStringLiteral("error")};
        while (q.next()) {
            QStringList columns;
            for (int i = 0; i < q.record().count(); ++i)
                columns << (q.value(i).isNull() ? QStringLiteral("NULL") : q.value(i).toString());
            out << columns.join(QLatin1Char('|'));
        }
        return out;
    }

    QString now() const { return SessionOwners::nowSql(*h.db); }

    bool addInstance(const QString &id, qint64 heartbeatAgeMs)
    {
        return h.exec(QStringLiteral("INSERT INTO instances (id, host, version, started_at, heartbeat_at) VALUES (?, ?, '1.4.0', %1 - 3600000, %1 - ?)")
                        .arg(now()),
                    {id, id + QStringLiteral(".example"), heartbeatAgeMs});
    }

    bool lease(const QString &clientId, const QString &owner, qint64 validMs)
    {
        return h.exec(QStringLiteral("INSERT INTO client_leases (client_id, owner, token, acquired_at, expires_at) VALUES (?, ?, 1, %1, %1 + ?)").arg(now()),
                    {clientId, owner, validMs});
    }

    // Answers the next message box named `name` with `button` once it is shown.
    static void answerBox(const QString &name, QMessageBox::StandardButton button)
    {
        QTimer::singleShot(0, [name, button]() {
            QTRY_VERIFY(qobject_cast<QMessageBox *>(QApplication::activeModalWidget()));
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            QCOMPARE(box->objectName(), name);
            box->button(button)->click();
        });
    }

    void signInAs(const AuthContext &actor)
    {
        h.context->signIn(actor);
        QCOMPARE(h.context->actor().userId, actor.userId);
    }

private slots:
    void initTestCase()
    {
        h.clusterInstanceId = QStringLiteral("here");
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        m_front = h.createClient(QStringLiteral("Front desk"));
        m_back = h.createClient(QStringLiteral("Back office"));
        m_idle = h.createClient(QStringLiteral("Idle"));
        QVERIFY(!m_front.isEmpty() && !m_back.isEmpty() && !m_idle.isEmpty());
        Result<UserRecord> manager = h.createMember(QStringLiteral("manager@ui.test"), Role::Manager);
        Result<UserRecord> viewer = h.createMember(QStringLiteral("viewer@ui.test"), Role::Viewer);
        QVERIFY(manager && viewer);
        m_manager = UiHarness::actorOf(manager.value());
        m_viewer = UiHarness::actorOf(viewer.value());

        // "there" beats, "gone" last beat ten minutes ago (the lease time is 30 s).
        QVERIFY(addInstance(QStringLiteral("here"), 0));
        QVERIFY(addInstance(QStringLiteral("there"), 2000));
        QVERIFY(addInstance(QStringLiteral("gone"), 10 * 60 * 1000));
        QVERIFY(lease(m_front, QStringLiteral("there"), kLongMs));
        QVERIFY(lease(m_back, QStringLiteral("here"), kLongMs));
        QVERIFY(lease(m_idle, QStringLiteral("there"), -1000));
        // Another organization's session on "there" is not the admin's to count.
        Result<AccountService::Registration> reg =
            h.registerOrganization(QStringLiteral("admin@other.test"), QStringLiteral("Otto Other"), QStringLiteral("Other Org"));
        QVERIFY(reg);
        Result<ClientRecord> theirs = h.context->clients().create(UiHarness::actorOf(reg.value().admin), QStringLiteral("Theirs"), QString());
        QVERIFY(theirs);
        QVERIFY(lease(theirs.value().id, QStringLiteral("there"), kLongMs));
        signInAs(h.admin);
    }

    void cleanupTestCase() { h.tearDown(); }

    // Live instances beat (a test may run longer than the lease time).
    void init()
    {
        QVERIFY(h.exec(QStringLiteral("UPDATE instances SET heartbeat_at = %1 WHERE id = 'here'").arg(now())));
        QVERIFY(h.exec(QStringLiteral("UPDATE instances SET heartbeat_at = %1 - 2000 WHERE id = 'there'").arg(now())));
    }

    void cleanup() { signInAs(h.admin); }

    void theListShowsEveryInstanceWithItsSessions()
    {
        InstanceListModel model(*h.context);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY2(model.lastError().isEmpty(), qPrintable(model.lastError()));
        QCOMPARE(model.rowCount(), 3);
        auto at = [&](const QString &id, int column, int role = Qt::DisplayRole) {
            return model.data(model.index(model.rowOf(id), column), role);
        };
        QCOMPARE(at(QStringLiteral("here"), InstanceListModel::IdColumn).toString(), QStringLiteral("here (this desktop)"));
        QVERIFY(at(QStringLiteral("here"), 0, InstanceListModel::ThisDesktopRole).toBool());
        QVERIFY(!at(QStringLiteral("there"), 0, InstanceListModel::ThisDesktopRole).toBool());
        QCOMPARE(at(QStringLiteral("there"), InstanceListModel::HostColumn).toString(), QStringLiteral("there.example"));
        QCOMPARE(at(QStringLiteral("there"), InstanceListModel::VersionColumn).toString(), QStringLiteral("1.4.0"));
        // Sessions: live leases on this organization's clients (the lapsed one and the other
        // organization's do not count).
        QCOMPARE(at(QStringLiteral("here"), 0, InstanceListModel::SessionsRole).toInt(), 1);
        QCOMPARE(at(QStringLiteral("there"), 0, InstanceListModel::SessionsRole).toInt(), 1);
        QCOMPARE(at(QStringLiteral("gone"), 0, InstanceListModel::SessionsRole).toInt(), 0);
        QCOMPARE(at(QStringLiteral("there"), InstanceListModel::SessionsColumn).toInt(), 1);
        QVERIFY(at(QStringLiteral("here"), 0, InstanceListModel::AliveRole).toBool());
        QVERIFY(at(QStringLiteral("there"), 0, InstanceListModel::AliveRole).toBool());
        QVERIFY(!at(QStringLiteral("gone"), 0, InstanceListModel::AliveRole).toBool());
        QCOMPARE(at(QStringLiteral("there"), InstanceListModel::StateColumn).toString(), QStringLiteral("Alive"));
        QCOMPARE(at(QStringLiteral("gone"), InstanceListModel::StateColumn).toString(), QStringLiteral("Offline"));
        QCOMPARE(at(QStringLiteral("gone"), InstanceListModel::HeartbeatColumn).toString(), QStringLiteral("10 min ago"));
        const QString thereBeat = at(QStringLiteral("there"), InstanceListModel::HeartbeatColumn).toString();
        QVERIFY2(thereBeat == QLatin1String("2 s ago") || thereBeat == QLatin1String("3 s ago"), qPrintable(thereBeat));
        QVERIFY(at(QStringLiteral("there"), InstanceListModel::DrainingColumn).toString().isEmpty());
        const QString spoken = at(QStringLiteral("gone"), 0, Qt::AccessibleTextRole).toString();
        QVERIFY2(spoken.contains(QStringLiteral("Offline")) && spoken.contains(QStringLiteral("sessions: 0")), qPrintable(spoken));

        QCOMPARE(InstanceListModel::ageText(0, 123456), QStringLiteral("never"));
        QCOMPARE(InstanceListModel::ageText(1, -40), QStringLiteral("just now"));
        QCOMPARE(InstanceListModel::ageText(1, 3 * 3600 * 1000 + 5), QStringLiteral("3 h ago"));
    }

    void adminsDrainAndUndrain()
    {
        MainWindow w(*h.context);
        QAction *action = w.instanceActions()->instancesAction();
        QVERIFY(action->isVisible() && action->isEnabled());
        QVERIFY(w.adminMenu()->actions().contains(action));
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I));
        action->trigger();
        InstancesDialog *dialog = w.instanceActions()->instancesDialog();
        QVERIFY(dialog);
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        QVERIFY(dialog->refreshTimer()->isActive());
        QCOMPARE(dialog->instanceModel()->rowCount(), 3);
        dialog->selectInstance(QStringLiteral("there"));
        QCOMPARE(dialog->currentInstance(), QStringLiteral("there"));
        QVERIFY(dialog->drainButton()->isEnabled());
        QVERIFY(!dialog->undrainButton()->isEnabled());

        // Drain… asks first: Cancel changes nothing.
        answerBox(QStringLiteral("drainInstanceConfirmation"), QMessageBox::Cancel);
        dialog->drainButton()->click();
        QCOMPARE(rows(QStringLiteral("SELECT draining FROM instances WHERE id = 'there'")), QStringList{QStringLiteral("0")});
        answerBox(QStringLiteral("drainInstanceConfirmation"), QMessageBox::Yes);
        dialog->drainButton()->click();
        QVERIFY2(dialog->errorText().isEmpty(), qPrintable(dialog->errorText()));
        QCOMPARE(rows(QStringLiteral("SELECT draining FROM instances WHERE id = 'there'")), QStringList{QStringLiteral("1")});
        InstanceListModel *model = dialog->instanceModel();
        const QModelIndex there = model->index(model->rowOf(QStringLiteral("there")), InstanceListModel::DrainingColumn);
        QCOMPARE(there.data().toString(), QStringLiteral("Draining"));
        QVERIFY(there.data(InstanceListModel::DrainingRole).toBool());
        QCOMPARE(dialog->currentInstance(), QStringLiteral("there")); // the selection survives the refresh
        QVERIFY(!dialog->drainButton()->isEnabled());
        QVERIFY(dialog->undrainButton()->isEnabled());
        const QImage shot = dialog->grab().toImage();
        QVERIFY(wadesk::test::hasContent(shot));
        QVERIFY(shot.save(QDir(wadesk::test::screenshotDir()).filePath(QStringLiteral("instances.png"))));

        dialog->undrainButton()->click();
        QCOMPARE(rows(QStringLiteral("SELECT draining FROM instances WHERE id = 'there'")), QStringList{QStringLiteral("0")});
        QVERIFY(!model->index(model->rowOf(QStringLiteral("there")), 0).data(InstanceListModel::DrainingRole).toBool());
        QVERIFY(dialog->drainButton()->isEnabled());
        QCOMPARE(rows(QStringLiteral("SELECT action || '|' || resource_id || '|' || user_id FROM audit_logs WHERE action LIKE '%drain%' ORDER BY seq")),
                 (QStringList{QStringLiteral("drain_instance|there|") + h.admin.userId, QStringLiteral("undrain_instance|there|") + h.admin.userId}));

        // Another admin drains "gone" elsewhere, and a session starts on "there": the open
        // dialog shows both within its periodic refresh.
        QVERIFY(h.exec(QStringLiteral("UPDATE instances SET draining = 1 WHERE id = 'gone'")));
        QVERIFY(h.exec(QStringLiteral("UPDATE client_leases SET expires_at = %1 + 60000 WHERE client_id = ?").arg(now()), {m_idle}));
        QTRY_VERIFY_WITH_TIMEOUT(model->index(model->rowOf(QStringLiteral("gone")), 0).data(InstanceListModel::DrainingRole).toBool(),
                                 InstancesDialog::kRefreshIntervalMs * 3);
        QCOMPARE(model->index(model->rowOf(QStringLiteral("there")), 0).data(InstanceListModel::SessionsRole).toInt(), 2);
        QVERIFY(h.exec(QStringLiteral("UPDATE instances SET draining = 0 WHERE id = 'gone'")));
        QVERIFY(h.exec(QStringLiteral("UPDATE client_leases SET expires_at = %1 - 1000 WHERE client_id = ?").arg(now()), {m_idle}));
        dialog->close();
        QTRY_VERIFY(!w.instanceActions()->instancesDialog()); // deleted on close
    }

    void managersPinThroughTheDialog()
    {
        signInAs(m_manager);
        MainWindow w(*h.context);
        InstanceActions *actions = w.instanceActions();
        QVERIFY(!actions->instancesAction()->isVisible()); // instances are the admins'
        QAction *pin = actions->pinAction();
        QVERIFY(pin->isVisible());
        QVERIFY(w.findChild<QMenu *>(QStringLiteral("clientMenu"))->actions().contains(pin));
        w.selectClient(m_front);
        QVERIFY(pin->isEnabled());

        pin->trigger();
        PinInstanceDialog *dialog = actions->pinDialog();
        QVERIFY(dialog);
        QComboBox *combo = dialog->instanceCombo();
        QCOMPARE(combo->count(), 4);
        QCOMPARE(combo->itemText(0), QStringLiteral("Any instance (not pinned)"));
        QCOMPARE(dialog->choice(), QString()); // not pinned yet
        QCOMPARE(combo->itemText(combo->findData(QStringLiteral("gone"))), QStringLiteral("gone (offline)"));
        QCOMPARE(combo->itemText(combo->findData(QStringLiteral("here"))), QStringLiteral("here (this desktop)"));
        QCOMPARE(combo->itemText(combo->findData(QStringLiteral("there"))), QStringLiteral("there"));

        dialog->setChoice(QStringLiteral("there"));
        dialog->okButton()->click();
        QVERIFY2(dialog->errorText().isEmpty(), qPrintable(dialog->errorText()));
        QTRY_VERIFY(!actions->pinDialog());
        QCOMPARE(rows(QStringLiteral("SELECT pinned_instance FROM clients WHERE id = ?"), {m_front}), QStringList{QStringLiteral("there")});
        QCOMPARE(rows(QStringLiteral("SELECT action || '|' || resource_id || '|' || user_id FROM audit_logs WHERE action LIKE '%pin%'")),
                 QStringList{QStringLiteral("pin_client|%1|%2").arg(m_front, m_manager.userId)});
        const QStringList details = rows(QStringLiteral("SELECT details FROM audit_logs WHERE action = 'pin_client'"));
        QVERIFY2(details.size() == 1 && details.constFirst().contains(QStringLiteral("\"there\"")), qPrintable(details.join(QLatin1Char(','))));

        // The pin is read back from the client; a draining instance is marked.
        QVERIFY(h.exec(QStringLiteral("UPDATE instances SET draining = 1 WHERE id = 'there'")));
        pin->trigger();
        dialog = actions->pinDialog();
        QVERIFY(dialog);
        QCOMPARE(dialog->choice(), QStringLiteral("there"));
        QCOMPARE(dialog->instanceCombo()->currentText(), QStringLiteral("there (draining)"));
        // "Any instance" unpins.
        dialog->setChoice(QString());
        dialog->okButton()->click();
        QTRY_VERIFY(!actions->pinDialog());
        QCOMPARE(rows(QStringLiteral("SELECT pinned_instance FROM clients WHERE id = ?"), {m_front}), QStringList{QStringLiteral("NULL")});
        QCOMPARE(rows(QStringLiteral("SELECT action FROM audit_logs WHERE action LIKE '%pin%' ORDER BY seq")),
                 (QStringList{QStringLiteral("pin_client"), QStringLiteral("unpin_client")}));
        QVERIFY(h.exec(QStringLiteral("UPDATE instances SET draining = 0 WHERE id = 'there'")));

        // An instance that vanished while the dialog was open: refused in the dialog, nothing stored.
        pin->trigger();
        dialog = actions->pinDialog();
        QVERIFY(dialog);
        dialog->setChoice(QStringLiteral("gone"));
        QVERIFY(h.exec(QStringLiteral("DELETE FROM instances WHERE id = 'gone'")));
        dialog->okButton()->click();
        QCOMPARE(dialog->errorText(), QStringLiteral("No instance with this id shares the database (any more)."));
        QCOMPARE(actions->pinDialog(), dialog); // still open
        QCOMPARE(rows(QStringLiteral("SELECT pinned_instance FROM clients WHERE id = ?"), {m_front}), QStringList{QStringLiteral("NULL")});
        dialog->reject();
        QVERIFY(addInstance(QStringLiteral("gone"), 10 * 60 * 1000));

        // A stored pin whose instance is not listed still shows as what it is.
        QVERIFY(h.exec(QStringLiteral("UPDATE clients SET pinned_instance = 'vanished' WHERE id = ?"), {m_front}));
        pin->trigger();
        dialog = actions->pinDialog();
        QVERIFY(dialog);
        QCOMPARE(dialog->choice(), QStringLiteral("vanished"));
        QCOMPARE(dialog->instanceCombo()->currentText(), QStringLiteral("vanished (unknown)"));
        dialog->reject();
        QVERIFY(h.exec(QStringLiteral("UPDATE clients SET pinned_instance = NULL WHERE id = ?"), {m_front}));
    }

    void viewersGetNeither()
    {
        signInAs(m_viewer);
        MainWindow w(*h.context);
        QVERIFY(!w.instanceActions()->instancesAction()->isVisible());
        QVERIFY(!w.instanceActions()->pinAction()->isVisible());
        QVERIFY(!w.instanceActions()->openPin());
        QVERIFY(!w.instanceActions()->openInstances());
        // And the service says the same to them.
        QCOMPARE(h.context->instances().pinTargets(h.context->actor()).error().code, QStringLiteral("forbidden"));
        // Signed in as an admin in the same window: Instances… appears.
        signInAs(h.admin);
        QVERIFY(w.instanceActions()->instancesAction()->isVisible());
        QVERIFY(w.instanceActions()->pinAction()->isVisible());
    }

    void withoutAClusterNeitherEntryIsThere()
    {
        // SQLite's single instance: the application sets no cluster.
        ForwardedSessions *cluster = h.context->cluster();
        h.context->setCluster(nullptr);
        {
            MainWindow w(*h.context);
            QVERIFY(!w.instanceActions()->instancesAction()->isVisible());
            QVERIFY(!w.instanceActions()->pinAction()->isVisible());
            w.selectClient(m_front);
            QVERIFY(!w.instanceActions()->pinAction()->isEnabled());
            QVERIFY(!w.instanceActions()->openInstances());
        }
        h.context->setCluster(cluster);
    }
};

WADESK_UI_TEST_MAIN(TestInstancesUi)
#include "tst_instances_ui.moc"
