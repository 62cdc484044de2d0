// The desktop's item models against a real SessionRegistry and the fake WhatsApp Web page, each
// under QAbstractItemModelTester: the session list follows state changes from the page row by
// row (no resets), counts unread messages and shows the paused flag and queue depth; the
// contact list and its search proxy; the thread model loads a conversation and follows the
// acks; agents see only the clients assigned to them.

#include "tests/ui/UiHarness.h"

#include "core/messaging/MessageService.h"
#include "ui/models/ContactListModel.h"
#include "ui/models/MessageThreadModel.h"
#include "ui/models/ClientListModel.h"
#include "ui/clients/ClientActions.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QWidget>

using namespace wadesk;
using wadesk::test::kUiWaitMs;
using wadesk::test::UiHarness;

namespace {
const QString kOwnPhone = QStringLiteral("14155552671");

int stateOf(const ClientListModel &model, const QString &clientId)
{
    return model.index(model.rowOf(clientId), 0).data(ClientListModel::StateRole).toInt();
}
} // namespace

class TestModels : public QObject {
    Q_OBJECT

    UiHarness h;
    QString m_linked; // started and scanned in sessionListFollowsThePage
    QString m_other;

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        m_linked = h.createClient(QStringLiteral("Front desk"));
        m_other = h.createClient(QStringLiteral("Back office"));
        QVERIFY(!m_linked.isEmpty() && !m_other.isEmpty());
    }

    void cleanupTestCase() { h.tearDown(); }

    void sessionListFollowsThePage()
    {
        ClientListModel model(*h.context);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, 0).data(ClientListModel::NameRole).toString(), QStringLiteral("Front desk"));
        QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("Back office"));
        QCOMPARE(stateOf(model, m_linked), int(SessionState::Stopped));
        QVERIFY(!model.index(0, 0).data(ClientListModel::RunningRole).toBool());
        QVERIFY(!model.index(0, 0).data(Qt::AccessibleTextRole).toString().isEmpty());

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        QStringList seen;
        connect(&model, &QAbstractItemModel::dataChanged, this, [&](const QModelIndex &from, const QModelIndex &to) {
            QCOMPARE(from.row(), to.row()); // one row at a time
            const QString name = from.data(ClientListModel::StateNameRole).toString();
            if (from.data(ClientListModel::ClientIdRole).toString() == m_linked && (seen.isEmpty() || seen.last() != name))
                seen << name;
        });
        QVERIFY(h.startToQr(m_linked));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(model, m_linked), int(SessionState::Qr), kUiWaitMs);
        QVERIFY(model.index(model.rowOf(m_linked), 0).data(ClientListModel::RunningRole).toBool());
        QVERIFY(h.scan(m_linked, kOwnPhone));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(model, m_linked), int(SessionState::Ready), kUiWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(model.index(model.rowOf(m_linked), 0).data(ClientListModel::PhoneRole).toString(),
                                  QStringLiteral("+") + kOwnPhone, kUiWaitMs);
        QVERIFY2(seen.contains(QStringLiteral("qr")) && seen.last() == QLatin1String("ready"), qPrintable(seen.join(QLatin1Char(' '))));
        QCOMPARE(resets.count(), 0);
        QVERIFY(changes.count() > 0);
        // The other client's row did not move.
        QCOMPARE(stateOf(model, m_other), int(SessionState::Stopped));
        QCOMPARE(model.index(model.rowOf(m_other), 0).data(ClientListModel::StateTextRole).toString(), ClientListModel::stateText(SessionState::Stopped));
    }

    void unreadCountsWhileAnotherClientIsShown()
    {
        ClientListModel model(*h.context);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCurrentClient(m_other);
        const int row = model.rowOf(m_linked);
        QCOMPARE(model.index(row, 0).data(ClientListModel::UnreadRole).toInt(), 0);
        QVERIFY(h.fake(m_linked, QStringLiteral("incoming({from: '14155550123', body: 'Hello there'})")).toObject().value(QLatin1String("ok")).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(model.index(row, 0).data(ClientListModel::UnreadRole).toInt(), 1, kUiWaitMs);
        QVERIFY(h.fake(m_linked, QStringLiteral("incoming({from: '14155550123', body: 'Are you there?'})")).toObject().value(QLatin1String("ok")).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(model.index(row, 0).data(ClientListModel::UnreadRole).toInt(), 2, kUiWaitMs);
        model.setCurrentClient(m_linked);
        QCOMPARE(model.index(row, 0).data(ClientListModel::UnreadRole).toInt(), 0);
        QVERIFY(model.index(row, 0).data(Qt::AccessibleTextRole).toString().contains(QStringLiteral("Front desk")));
    }

    void pausedFlagAndQueueDepth()
    {
        ClientListModel model(*h.context);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QWidget parent;
        ClientActions actions(*h.context, model, &parent);
        const int row = model.rowOf(m_linked);
        QVERIFY(!model.index(row, 0).data(ClientListModel::PausedRole).toBool());
        QVERIFY(actions.pauseClient(m_linked).ok());
        QTRY_VERIFY_WITH_TIMEOUT(model.index(row, 0).data(ClientListModel::PausedRole).toBool(), kUiWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(model, m_linked), int(SessionState::Paused), kUiWaitMs);
        model.reload(); // the flag from the list's one query for all paused clients
        QCOMPARE(model.rowOf(m_linked), row);
        QVERIFY(model.index(row, 0).data(ClientListModel::PausedRole).toBool());
        QVERIFY(actions.resumeClient(m_linked).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!model.index(row, 0).data(ClientListModel::PausedRole).toBool(), kUiWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(model, m_linked), int(SessionState::Ready), kUiWaitMs);
        // Stored, not yet taken by the sender (it runs on this thread's event loop): the depth
        // shows; it drains as the message goes.
        Result<MessageService::Accepted> a = h.context->messages().send(h.admin, m_linked, QStringLiteral("+14155550124"),
                                                                        QStringLiteral("counted"), QString());
        QVERIFY2(a.ok(), a ? "" : qPrintable(a.error().message));
        model.refreshClient(m_linked);
        QCOMPARE(model.index(row, 0).data(ClientListModel::QueueDepthRole).toInt(), 1);
        model.reload(); // all depths in one query
        QCOMPARE(model.index(row, 0).data(ClientListModel::QueueDepthRole).toInt(), 1);
        QVERIFY(!model.index(row, 0).data(ClientListModel::PausedRole).toBool());
        // Names are user-controlled: the tooltip (shown as rich text) escapes them.
        const QString name = model.index(row, 0).data(ClientListModel::NameRole).toString();
        QVERIFY(actions.renameClient(m_linked, QStringLiteral("<b>x</b>")).ok());
        model.refreshClient(m_linked);
        const QString tip = model.index(row, 0).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QLatin1String("&lt;b&gt;x&lt;/b&gt;")) && !tip.contains(QLatin1String("<b>")), qPrintable(tip));
        QVERIFY(actions.renameClient(m_linked, name).ok());
        model.refreshClient(m_linked);
        QTRY_COMPARE_WITH_TIMEOUT(model.index(row, 0).data(ClientListModel::QueueDepthRole).toInt(), 0, kUiWaitMs);
    }

    void contactsAndSearch()
    {
        ContactListModel contacts(*h.context);
        QAbstractItemModelTester tester(&contacts, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ContactFilterProxyModel proxy;
        proxy.setSourceModel(&contacts);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(contacts.rowCount() >= 2);
        QVERIFY(contacts.rowOfPhone(QStringLiteral("+14155550123")) >= 0);
        const int all = proxy.rowCount();
        proxy.setSearchText(QStringLiteral("+1 415 555 0123"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(ContactListModel::PhoneRole).toString(), QStringLiteral("+14155550123"));
        proxy.setSearchText(QStringLiteral("0124"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setSearchText(QStringLiteral("nobody-by-that-name"));
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setSearchText(QString());
        QCOMPARE(proxy.rowCount(), all);

        // A message from a new number adds that contact (one row, no reset).
        QSignalSpy resets(&contacts, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&contacts, &QAbstractItemModel::rowsInserted);
        QVERIFY(h.fake(m_linked, QStringLiteral("incoming({from: '14155550199', body: 'new here', notifyName: 'Newcomer'})"))
                    .toObject().value(QLatin1String("ok")).toBool());
        QTRY_VERIFY_WITH_TIMEOUT(contacts.rowOfPhone(QStringLiteral("+14155550199")) >= 0, kUiWaitMs);
        QCOMPARE(resets.count(), 0);
        QCOMPARE(inserted.count(), 1);
        proxy.setSearchText(QStringLiteral("0199"));
        QCOMPARE(proxy.rowCount(), 1);
    }

    void threadLoadsAndFollowsAcks()
    {
        MessageThreadModel thread(*h.context);
        QAbstractItemModelTester tester(&thread, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(thread.rowCount(), 0);
        thread.setThread(m_linked, QStringLiteral("+14155550123"));
        QCOMPARE(thread.rowCount(), 2); // the two inbound messages, oldest first
        QCOMPARE(thread.index(0, 0).data(MessageThreadModel::BodyRole).toString(), QStringLiteral("Hello there"));
        QCOMPARE(thread.index(1, 0).data(MessageThreadModel::StatusRole).toString(), QStringLiteral("received"));
        QVERIFY(!thread.index(1, 0).data(MessageThreadModel::OutboundRole).toBool());
        QVERIFY(thread.index(0, 0).data(MessageThreadModel::TimeRole).toDateTime().isValid());

        // A message received live is appended.
        QVERIFY(h.fake(m_linked, QStringLiteral("incoming({from: '14155550123', body: 'Third'})")).toObject().value(QLatin1String("ok")).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(thread.rowCount(), 3, kUiWaitMs);
        QCOMPARE(thread.index(2, 0).data().toString(), QStringLiteral("Third"));

        // A send: appended as queued, then the ticks follow the acks.
        QStringList seen;
        connect(&thread, &QAbstractItemModel::dataChanged, this, [&](const QModelIndex &from) {
            const QString s = from.data(MessageThreadModel::StatusRole).toString();
            if (seen.isEmpty() || seen.last() != s)
                seen << s;
        });
        Result<MessageService::Accepted> a = h.context->messages().send(h.admin, m_linked, QStringLiteral("+14155550123"),
                                                                        QStringLiteral("Reply"), QString());
        QVERIFY(a.ok());
        QVERIFY(thread.refreshMessage(a.value().messageId));
        QCOMPARE(thread.rowCount(), 4);
        const int row = thread.rowOf(a.value().messageId);
        QCOMPARE(row, 3);
        QCOMPARE(thread.index(row, 0).data(MessageThreadModel::StatusRole).toString(), QStringLiteral("queued"));
        QVERIFY(thread.index(row, 0).data(MessageThreadModel::OutboundRole).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(thread.index(row, 0).data(MessageThreadModel::StatusRole).toString(), QStringLiteral("read"), kUiWaitMs);
        QVERIFY2(seen.contains(QStringLiteral("sent")) && seen.contains(QStringLiteral("delivered")), qPrintable(seen.join(QLatin1Char(' '))));
        // A message of another conversation is not added.
        Result<MessageService::Accepted> other = h.context->messages().send(h.admin, m_linked, QStringLiteral("+14155550124"),
                                                                            QStringLiteral("elsewhere"), QString());
        QVERIFY(other.ok());
        QVERIFY(!thread.refreshMessage(other.value().messageId));
        QCOMPARE(thread.rowCount(), 4);

        thread.clear();
        QCOMPARE(thread.rowCount(), 0);
    }

    void agentsSeeOnlyTheirClients()
    {
        Result<UserRecord> agent = h.createMember(QStringLiteral("agent@ui.test"), Role::Agent);
        QVERIFY2(agent.ok(), agent ? "" : qPrintable(agent.error().message));
        QVERIFY(h.context->team().assignClient(h.admin, agent.value().id, m_other).ok());
        h.context->signIn(UiHarness::actorOf(agent.value()));
        {
            ClientListModel model(*h.context);
            QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            QCOMPARE(model.rowCount(), 1);
            QCOMPARE(model.clientIdAt(0), m_other);
            QCOMPARE(model.rowOf(m_linked), -1);
            // Events of a client the agent does not see change nothing.
            QVERIFY(h.fake(m_linked, QStringLiteral("incoming({from: '14155550123', body: 'not for agents'})")).toObject().value(QLatin1String("ok")).toBool());
            QTest::qWait(500);
            QCOMPARE(model.rowCount(), 1);
            QCOMPARE(model.index(0, 0).data(ClientListModel::UnreadRole).toInt(), 0);
            // Their thread model cannot read the other client's conversations.
            MessageThreadModel thread(*h.context);
            thread.setThread(m_linked, QStringLiteral("+14155550123"));
            QCOMPARE(thread.rowCount(), 0);

            // Assigned another client by an admin: the list follows at the context's next check
            // (assignmentsMayHaveChanged), and a check with nothing changed resets nothing.
            QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
            emit h.context->assignmentsMayHaveChanged();
            QCOMPARE(resets.count(), 0);
            QVERIFY(h.context->team().assignClient(h.admin, agent.value().id, m_linked).ok());
            emit h.context->assignmentsMayHaveChanged();
            QCOMPARE(resets.count(), 1);
            QCOMPARE(model.rowCount(), 2);
            QVERIFY(model.rowOf(m_linked) >= 0);
            QVERIFY(h.context->team().unassignClient(h.admin, agent.value().id, m_linked).ok());
            emit h.context->assignmentsMayHaveChanged();
            QCOMPARE(model.rowCount(), 1);
            QCOMPARE(model.rowOf(m_linked), -1);
        }
        h.context->signIn(h.admin);
    }
};

WADESK_UI_TEST_MAIN(TestModels)

#include "tst_models.moc"
