// The desktop of one instance among several (offscreen): a session another instance drives (a
// live lease held by "there" in client_leases) shows in the client list (under
// QAbstractItemModelTester) with its stored state and "Runs on there", and the session view says
// where it runs instead of showing a page or offering to start it (the Client menu offers Stop and
// Log Out, which go to that instance); once the lease lapses the client is an ordinary stopped one
// again. A client that runs elsewhere and waits to be linked shows that instance's QR code here
// (asked through session_commands), and "New code" asks that instance; its pairing-code dialog
// gets the code from that instance and closes once the phone is linked there. On SQLite, whose schema has the same tables: what is shown depends only on the rows, not
// on the dialect.

#include "tests/support/RecordingSessions.h"
#include "tests/ui/UiHarness.h"

#include "core/cluster/ForwardedSessions.h"
#include "core/cluster/SessionOwners.h"
#include "core/db/SqlRunner.h"
#include "ui/clients/ClientActions.h"
#include "ui/clients/LinkPanel.h"
#include "ui/clients/PairingCodeDialog.h"
#include "ui/common/ErrorLabel.h"
#include "ui/clients/SessionView.h"
#include "ui/main/MainWindow.h"
#include "ui/models/ClientListModel.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QLabel>
#include <QPushButton>

using namespace wadesk;
using wadesk::test::UiHarness;

class TestRemoteSessionsUi : public QObject {
    Q_OBJECT

    UiHarness h;
    ForwardedSessions *m_cluster = nullptr; // the harness's
    QString m_remote;
    QString m_local;

    // "there": another instance whose engine is `engine`, which holds m_remote's lease with the
    // client waiting to be linked; this instance has read it.
    std::unique_ptr<ForwardedSessions> runsThereWaitingForALink(RecordingSessions &engine)
    {
        ClusterSettings settings;
        settings.instanceId = QStringLiteral("there");
        ForwardedSessions::Local local;
        local.control = &engine;
        local.runningClients = []() { return QStringList(); };
        local.stopForHandOver = [](const QString &) {};
        const QString now = SessionOwners::nowSql(*h.db);
        if (!h.exec(QStringLiteral("UPDATE clients SET status = 'qr', state_since = %1 WHERE id = ?").arg(now), {m_remote})
            || !h.exec(QStringLiteral("DELETE FROM client_leases WHERE client_id = ?"), {m_remote})
            || !h.exec(QStringLiteral("INSERT INTO client_leases (client_id, owner, token, acquired_at, expires_at) VALUES (?, 'there', 1, %1, %1 + 60000)")
                         .arg(now),
                     {m_remote}))
            return nullptr;
        m_cluster->poll();
        return std::make_unique<ForwardedSessions>(*h.db, local, settings);
    }

private slots:
    void initTestCase()
    {
        h.clusterInstanceId = QStringLiteral("here");
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        m_cluster = h.cluster.get();
        m_remote = h.createClient(QStringLiteral("Front desk"));
        m_local = h.createClient(QStringLiteral("Back office"));
        QVERIFY(!m_remote.isEmpty() && !m_local.isEmpty());
    }

    void cleanupTestCase()
    {
        h.tearDown();
    }

    void aSessionElsewhereSaysWhereItRuns()
    {
        ClientListModel model(*h.context);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SessionView view(*h.context);
        view.resize(900, 600);
        view.setClient(m_remote, QStringLiteral("Front desk"));
        QWidget parent;
        ClientActions actions(*h.context, model, &parent);
        actions.setCurrentClient(m_remote);
        QVERIFY(actions.startAction()->isEnabled() && !actions.stopAction()->isEnabled());
        const QModelIndex remote = model.index(model.rowOf(m_remote), 0);
        QVERIFY(model.data(remote, ClientListModel::InstanceRole).toString().isEmpty());
        QVERIFY(!view.placeholderText().contains(QStringLiteral("there")));
        QVERIFY(view.emptyStateButton()->isVisibleTo(&view)); // "Start Session"

        const QString now = SessionOwners::nowSql(*h.db);
        QVERIFY(h.exec(QStringLiteral("UPDATE clients SET status = 'ready', state_since = %1 WHERE id = ?").arg(now), {m_remote}));
        QVERIFY(h.exec(QStringLiteral("INSERT INTO client_leases (client_id, owner, token, acquired_at, expires_at) VALUES (?, 'there', 1, %1, %1 + 60000)").arg(now),
                     {m_remote}));
        m_cluster->poll();

        QCOMPARE(model.data(remote, ClientListModel::InstanceRole).toString(), QStringLiteral("there"));
        QCOMPARE(SessionState(model.data(remote, ClientListModel::StateRole).toInt()), SessionState::Ready);
        QVERIFY2(model.data(remote, ClientListModel::StateTextRole).toString().contains(QStringLiteral("Runs on there")),
                 qPrintable(model.data(remote, ClientListModel::StateTextRole).toString()));
        QVERIFY(model.data(remote, Qt::AccessibleTextRole).toString().contains(QStringLiteral("runs on there")));
        // The other client is this instance's and says nothing of the sort.
        const QModelIndex local = model.index(model.rowOf(m_local), 0);
        QVERIFY(model.data(local, ClientListModel::InstanceRole).toString().isEmpty());
        QCOMPARE(model.data(local, ClientListModel::StateTextRole).toString(), ClientListModel::stateText(SessionState::Stopped));

        QVERIFY2(view.placeholderText().contains(QStringLiteral("This session runs on there (Ready)")), qPrintable(view.placeholderText()));
        QVERIFY(!view.emptyStateButton()->isVisibleTo(&view)); // no "Start Session": it runs elsewhere
        QVERIFY(view.attachedPage() == nullptr);
        // It runs, only elsewhere: Stop and Log Out are offered (they go to "there"), Start is not.
        QVERIFY(actions.stopAction()->isEnabled());
        QVERIFY(actions.logoutAction()->isEnabled());
        QVERIFY(!actions.startAction()->isEnabled());

        // The lease lapses (its owner died, nobody took it yet): an ordinary client again.
        QVERIFY(h.exec(QStringLiteral("UPDATE client_leases SET expires_at = 0 WHERE client_id = ?"), {m_remote}));
        m_cluster->poll();
        QVERIFY(model.data(remote, ClientListModel::InstanceRole).toString().isEmpty());
        QVERIFY(!model.data(remote, ClientListModel::StateTextRole).toString().contains(QStringLiteral("Runs on")));
        QVERIFY2(!view.placeholderText().contains(QStringLiteral("there")), qPrintable(view.placeholderText()));
        QVERIFY(actions.startAction()->isEnabled() && !actions.stopAction()->isEnabled());
    }

    void aCodeShownElsewhereIsDrawnHere()
    {
        // "there": another instance, its engine showing a code.
        RecordingSessions thereEngine;
        thereEngine.setState(m_remote, SessionState::Qr);
        thereEngine.snapshots[m_remote].qrText = QStringLiteral("2@there-code");
        thereEngine.snapshots[m_remote].qrExpiresAt = QDateTime::currentMSecsSinceEpoch() + 60000;
        const std::unique_ptr<ForwardedSessions> there = runsThereWaitingForALink(thereEngine);
        QVERIFY(there);

        SessionView view(*h.context);
        view.resize(900, 600);
        view.setClient(m_remote, QStringLiteral("Front desk"));
        auto *panel = view.findChild<LinkPanel *>(QStringLiteral("linkPanel"));
        QVERIFY(panel);
        QVERIFY(panel->isVisibleTo(&view));
        // The ask waits in the database until "there" looks for its commands; the answer comes
        // back on the next round here.
        QVERIFY2(QTest::qWaitFor([&] {
                     there->poll();
                     m_cluster->poll();
                     return panel->qrText() == QLatin1String("2@there-code");
                 }, 10000),
                 qPrintable(panel->qrText() + QLatin1Char(' ') + panel->countdownText()));
        QVERIFY(!panel->qrImage().isNull());
        QVERIFY(panel->countdownText().contains(QStringLiteral("changes in")));
        QVERIFY(thereEngine.calls.isEmpty()); // showing a code changes nothing there

        // "New code" is asked of the instance that runs the page.
        panel->newCodeButton()->click();
        QVERIFY(QTest::qWaitFor([&] {
            there->poll();
            return thereEngine.calls.contains(QStringLiteral("refreshQr %1").arg(m_remote));
        }, 10000));

        QVERIFY(h.exec(QStringLiteral("UPDATE client_leases SET expires_at = 0 WHERE client_id = ?"), {m_remote}));
        QVERIFY(h.exec(QStringLiteral("UPDATE clients SET status = 'stopped' WHERE id = ?"), {m_remote}));
        m_cluster->poll();
        QVERIFY(!panel->isVisibleTo(&view));
    }

    // The pairing-code dialog for a client another instance runs gets its code from that
    // instance and closes by itself once the phone is linked there.
    void aPairingDialogForASessionElsewhereClosesOnceLinked()
    {
        RecordingSessions thereEngine;
        thereEngine.setState(m_remote, SessionState::Qr);
        thereEngine.pairingAnswer = QStringLiteral("THER2345");
        const std::unique_ptr<ForwardedSessions> there = runsThereWaitingForALink(thereEngine);
        QVERIFY(there);

        PairingCodeDialog dialog(*h.context, m_remote, QStringLiteral("Front desk"));
        dialog.show();
        dialog.phoneEdit()->setText(QStringLiteral("+14155552673"));
        dialog.requestCode();
        QVERIFY2(QTest::qWaitFor([&] {
                     there->poll();
                     m_cluster->poll();
                     return !dialog.code().isEmpty();
                 }, 10000),
                 qPrintable(dialog.errorLabel()->text()));
        QCOMPARE(dialog.shownCode(), QStringLiteral("THER-2345"));
        QVERIFY(thereEngine.calls.contains(QStringLiteral("pairingCode %1 +14155552673").arg(m_remote)));
        QVERIFY(dialog.isVisible());

        // Still waiting for the phone: a round that changes nothing keeps the dialog open.
        m_cluster->poll();
        QVERIFY(dialog.isVisible());
        // The phone typed the code; "there" stores its state, this instance reads it.
        QVERIFY(h.exec(QStringLiteral("UPDATE clients SET status = 'ready', state_since = %1 WHERE id = ?").arg(SessionOwners::nowSql(*h.db)),
                     {m_remote}));
        m_cluster->poll();
        QTRY_VERIFY_WITH_TIMEOUT(!dialog.isVisible(), 5000);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));

        QVERIFY(h.exec(QStringLiteral("UPDATE client_leases SET expires_at = 0 WHERE client_id = ?"), {m_remote}));
        QVERIFY(h.exec(QStringLiteral("UPDATE clients SET status = 'stopped' WHERE id = ?"), {m_remote}));
        m_cluster->poll();
    }

    void theStatusBarCountsASessionElsewhereAtOnce()
    {
        QVERIFY(h.exec(QStringLiteral("UPDATE clients SET status = 'stopped' WHERE id = ?"), {m_remote}));
        MainWindow w(*h.context);
        auto *ready = w.findChild<QLabel *>(QStringLiteral("readyStatusLabel"));
        QVERIFY(ready);
        QTest::qWait(1500); // the first API probe has answered (it also rewrites the label, every 30 s)
        QVERIFY2(ready->text().startsWith(QStringLiteral("Ready: 0 of ")), qPrintable(ready->text()));
        const QString now = SessionOwners::nowSql(*h.db);
        QVERIFY(h.exec(QStringLiteral("UPDATE clients SET status = 'ready', state_since = %1 WHERE id = ?").arg(now), {m_remote}));
        QVERIFY(h.exec(QStringLiteral("UPDATE client_leases SET owner = 'there', expires_at = %1 + 60000 WHERE client_id = ?").arg(now), {m_remote}));
        m_cluster->poll();
        QTRY_VERIFY2_WITH_TIMEOUT(ready->text().startsWith(QStringLiteral("Ready: 1 of ")), qPrintable(ready->text()), 5000);
        QVERIFY(h.exec(QStringLiteral("UPDATE client_leases SET expires_at = 0 WHERE client_id = ?"), {m_remote}));
        m_cluster->poll();
    }
};

WADESK_UI_TEST_MAIN(TestRemoteSessionsUi)

#include "tst_remote_sessions_ui.moc"
