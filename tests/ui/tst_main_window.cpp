// The main window against a real SessionRegistry and the fake WhatsApp Web page: menus, actions
// and About; the live page attached to the view (borrowed, never deleted, let go before the
// session deletes it); sending from the composer reaches the page and the ticks follow the acks;
// the rate-limit strip; agents and viewers see only their clients and no actions their role may
// not take; window geometry and splitters come back.

#include "core/common/Version.h"
#include "tests/ui/UiHarness.h"

#include "ui/conversations/Composer.h"
#include "ui/conversations/ConversationsView.h"
#include "ui/conversations/RateLimitStrip.h"
#include "ui/main/MainWindow.h"
#include "ui/models/ContactListModel.h"
#include "ui/models/ConversationListModel.h"
#include "ui/models/MessageThreadModel.h"
#include "ui/models/ClientListModel.h"
#include "ui/clients/ClientActions.h"
#include "ui/clients/ClientDialogs.h"
#include "ui/common/ErrorLabel.h"
#include "ui/clients/SessionView.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QWebEngineView>
#include <algorithm>
#include <cmath>

using namespace wadesk;
using wadesk::test::kUiWaitMs;
using wadesk::test::UiHarness;

namespace {
const QString kOwnPhone = QStringLiteral("14155552672");

QStringList menuTitles(QMainWindow &w)
{
    QStringList out;
    for (QAction *a : w.menuBar()->actions()) {
        if (a->isVisible())
            out << a->text().remove(QLatin1Char('&'));
    }
    return out;
}

bool hiddenOrDisabled(QAction *a)
{
    return !a->isVisible() || !a->isEnabled();
}
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

    UiHarness h;
    QString m_ready;
    QString m_qr;
    QString m_stopped;

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        m_ready = h.createClient(QStringLiteral("Sales"));
        m_qr = h.createClient(QStringLiteral("Support"));
        m_stopped = h.createClient(QStringLiteral("Archive"));
        QVERIFY(h.startToQr(m_ready));
        QVERIFY(h.scan(m_ready, kOwnPhone));
        QVERIFY(h.startToQr(m_qr));
    }

    void cleanupTestCase() { h.tearDown(); }

    void menusActionsAndAbout()
    {
        MainWindow w(*h.context);
        QAbstractItemModelTester tester(w.sessionModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        w.show();
        QCOMPARE(menuTitles(w), (QStringList{QStringLiteral("File"), QStringLiteral("Edit"), QStringLiteral("View"),
                                             QStringLiteral("Client"), QStringLiteral("Admin"), QStringLiteral("Help")}));
        QVERIFY(w.fileMenu() && w.viewMenu());
        QCOMPARE(w.viewMenu()->objectName(), QStringLiteral("viewMenu"));
        QCOMPARE(w.sessionModel()->rowCount(), 3);
        ClientActions *a = w.clientActions();
        for (QAction *action : {a->addAction(), a->renameAction(), a->startAction(), a->stopAction(), a->logoutAction(),
                                a->pauseAction(), a->resumeAction()}) {
            QVERIFY2(action->isVisible(), qPrintable(action->objectName()));
            QVERIFY2(!action->shortcut().isEmpty(), qPrintable(action->objectName()));
            QVERIFY2(!action->icon().isNull(), qPrintable(action->objectName()));
        }
        // State decides what is enabled.
        w.selectClient(m_ready);
        QVERIFY(!a->startAction()->isEnabled());
        QVERIFY(a->stopAction()->isEnabled());
        QVERIFY(a->logoutAction()->isEnabled());
        QVERIFY(a->pauseAction()->isEnabled());
        QVERIFY(!a->resumeAction()->isEnabled());
        w.selectClient(m_stopped);
        QVERIFY(a->startAction()->isEnabled());
        QVERIFY(!a->stopAction()->isEnabled());
        QVERIFY(!a->logoutAction()->isEnabled());
        QVERIFY(a->renameAction()->isEnabled());
        // Rename from here shows in the list.
        QVERIFY(a->renameClient(m_stopped, QStringLiteral("Archive 2024")).ok());
        QCOMPARE(w.sessionModel()->index(w.sessionModel()->rowOf(m_stopped), 0).data().toString(), QStringLiteral("Archive 2024"));

        const QString about = MainWindow::aboutText(h.registry->waJsVersion());
        QVERIFY(about.contains(QString::fromLatin1(qVersion())));
        QVERIFY(about.contains(QStringLiteral("Chromium")));
        QVERIFY(about.contains(QStringLiteral("wa-js")));
        QVERIFY(w.findChild<QAction *>(QStringLiteral("aboutAction")));
        QVERIFY(w.findChild<QAction *>(QStringLiteral("findContactAction"))->shortcut() == QKeySequence(QKeySequence::Find));
        // Admins get the Team dialog (Edit → Team…).
        QVERIFY(w.teamAction() && w.teamAction()->isVisible() && w.teamAction()->isEnabled());

        // Status bar: API address and state, database, ready sessions.
        auto *api = w.findChild<QLabel *>(QStringLiteral("apiStatusLabel"));
        QVERIFY(api && api->text().contains(QStringLiteral("127.0.0.1:9")));
        QTRY_VERIFY_WITH_TIMEOUT(api->text().contains(QStringLiteral("not answering")), kUiWaitMs);
        QVERIFY(w.findChild<QLabel *>(QStringLiteral("databaseStatusLabel"))->text().contains(QStringLiteral("SQLite")));
        QTRY_COMPARE_WITH_TIMEOUT(w.findChild<QLabel *>(QStringLiteral("readyStatusLabel"))->text(), QStringLiteral("Ready: 1 of 3"), kUiWaitMs);
        // A paused client is still linked and ready: it counts, and the label says it is paused.
        QVERIFY(a->pauseClient(m_ready).ok());
        QTRY_COMPARE_WITH_TIMEOUT(w.findChild<QLabel *>(QStringLiteral("readyStatusLabel"))->text(),
                                  QStringLiteral("Ready: 1 of 3 (1 paused)"), kUiWaitMs);
        QVERIFY(a->resumeClient(m_ready).ok());
        QTRY_COMPARE_WITH_TIMEOUT(w.findChild<QLabel *>(QStringLiteral("readyStatusLabel"))->text(), QStringLiteral("Ready: 1 of 3"), kUiWaitMs);
        // The platform appends the application's name: the title itself does not repeat it.
        QVERIFY2(!w.windowTitle().contains(QLatin1String(kDisplayName)), qPrintable(w.windowTitle()));
        QVERIFY(w.windowTitle().contains(h.admin.email));

        // Accessible names on the main controls.
        for (const char *name : {"sessionList", "contactSearch", "contactList", "messageThread", "recipientEdit", "messageEdit", "sendButton"}) {
            auto *widget = w.findChild<QWidget *>(QLatin1String(name));
            QVERIFY2(widget, name);
            QVERIFY2(!widget->accessibleName().isEmpty(), name);
        }
    }

    void livePageIsBorrowedAndLetGo()
    {
        auto window = std::make_unique<MainWindow>(*h.context);
        MainWindow &w = *window;
        w.show();
        w.showPage(0);
        QPointer<QWebEnginePage> qrPage = h.page(m_qr);
        QPointer<QWebEnginePage> readyPage = h.page(m_ready);
        QVERIFY(qrPage && readyPage);

        w.selectClient(m_qr);
        QCOMPARE(w.sessionView()->attachedPage(), qrPage.data());
        QVERIFY(w.sessionView()->webView());
        QCOMPARE(w.sessionView()->webView()->page(), qrPage.data());
        QVERIFY(w.sessionView()->webView()->isEnabled()); // the admin links and acts in the page
        QVERIFY(w.findChild<QLabel *>(QStringLiteral("sessionHint"))->text().contains(QStringLiteral("Linked devices")));

        // Switching clients: the other page is shown, the first keeps running.
        w.selectClient(m_ready);
        QCOMPARE(w.sessionView()->webView()->page(), readyPage.data());
        QVERIFY(qrPage);
        QCOMPARE(UiHarness::js(qrPage, QStringLiteral("__fake.state().mode")).toString(), QStringLiteral("QR"));

        // Stopped from here: the view lets the page go first, then the session deletes it.
        w.selectClient(m_qr);
        QCOMPARE(w.sessionView()->attachedPage(), qrPage.data());
        QVERIFY(w.clientActions()->stopClient(m_qr).ok());
        QVERIFY(!qrPage);
        QVERIFY(!w.sessionView()->attachedPage());
        QVERIFY(!w.sessionView()->webView());
        QTRY_COMPARE_WITH_TIMEOUT(w.sessionModel()->index(w.sessionModel()->rowOf(m_qr), 0).data(ClientListModel::StateRole).toInt(),
                                  int(SessionState::Stopped), kUiWaitMs);
        QVERIFY(w.clientActions()->startAction()->isEnabled());

        // Started again from here: the new page is shown once it exists.
        QVERIFY(w.clientActions()->startClient(m_qr).ok());
        QVERIFY(h.waitState(m_qr, SessionState::Qr));
        QTRY_COMPARE_WITH_TIMEOUT(w.sessionView()->attachedPage(), h.page(m_qr), kUiWaitMs);
        QVERIFY(w.sessionView()->attachedPage());

        // Stopped elsewhere (the API): the view follows without a crash.
        QPointer<QWebEnginePage> second = h.page(m_qr);
        // ... and lets the page go while it still exists (connected after the view: runs after it).
        bool releasedBeforeDeletion = false;
        const QMetaObject::Connection watch =
            connect(h.registry.get(), &SessionRegistry::sessionAboutToStop, this, [&](const QString &clientId) {
                if (clientId == m_qr)
                    releasedBeforeDeletion = second && !w.sessionView()->attachedPage() && !w.sessionView()->webView();
            });
        h.registry->stop(m_qr);
        disconnect(watch);
        QVERIFY(releasedBeforeDeletion);
        QVERIFY(!second);
        QVERIFY(!w.sessionView()->attachedPage());
        QVERIFY(h.startToQr(m_qr));
        QTRY_VERIFY_WITH_TIMEOUT(w.sessionView()->attachedPage() == h.page(m_qr), kUiWaitMs);

        // The window goes; the pages stay with their sessions.
        QPointer<QWebEnginePage> kept = h.page(m_qr);
        window.reset();
        QVERIFY(kept);
        QVERIFY(readyPage);
        QCOMPARE(UiHarness::js(readyPage, QStringLiteral("__fake.state().mode")).toString(), QStringLiteral("MAIN"));
    }

    void composerSendsAndTicksFollowAcks()
    {
        MainWindow w(*h.context);
        w.show();
        w.selectClient(m_ready);
        w.showPage(1);
        ConversationsView *c = w.conversationsView();
        QAbstractItemModelTester threadTester(c->threadModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester contactTester(c->contactModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(c->contactProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        Composer *composer = c->composer();
        QVERIFY(composer->isVisible());
        QVERIFY(!composer->sendButton()->isEnabled());
        QTest::keyClicks(composer->recipientEdit(), QStringLiteral("+1 415 555 0177"));
        QTest::keyClicks(composer->textEdit(), QStringLiteral("Hello from the composer"));
        QVERIFY(composer->sendButton()->isEnabled());
        const int sentBefore = UiHarness::js(h.page(m_ready), QStringLiteral("__fake.state().sent.length")).toInt();
        QStringList ticks;
        connect(c->threadModel(), &QAbstractItemModel::dataChanged, this, [&](const QModelIndex &from) {
            const QString s = from.data(MessageThreadModel::StatusRole).toString();
            if (ticks.isEmpty() || ticks.last() != s)
                ticks << s;
        });
        QTest::mouseClick(composer->sendButton(), Qt::LeftButton);
        QVERIFY2(composer->lastError().isEmpty(), qPrintable(composer->lastError()));
        QCOMPARE(composer->feedbackText(), QStringLiteral("Queued."));
        QVERIFY(composer->text().isEmpty());
        // The conversation with that number opened, with the message queued.
        QCOMPARE(c->threadModel()->contactPhone(), QStringLiteral("+14155550177"));
        QCOMPARE(c->threadModel()->rowCount(), 1);
        const QModelIndex message = c->threadModel()->index(0, 0);
        QCOMPARE(message.data(MessageThreadModel::BodyRole).toString(), QStringLiteral("Hello from the composer"));
        ticks << message.data(MessageThreadModel::StatusRole).toString();
        QCOMPARE(ticks.first(), QStringLiteral("queued"));
        QVERIFY(c->contactModel()->rowOfPhone(QStringLiteral("+14155550177")) >= 0);

        // It reaches the page, and the ticks follow the acks.
        QTRY_COMPARE_WITH_TIMEOUT(UiHarness::js(h.page(m_ready), QStringLiteral("__fake.state().sent.length")).toInt(), sentBefore + 1, kUiWaitMs);
        QCOMPARE(UiHarness::js(h.page(m_ready), QStringLiteral("__fake.state().sent[__fake.state().sent.length - 1].body")).toString(),
                 QStringLiteral("Hello from the composer"));
        QTRY_COMPARE_WITH_TIMEOUT(c->threadModel()->index(0, 0).data(MessageThreadModel::StatusRole).toString(), QStringLiteral("read"), kUiWaitMs);
        QVERIFY2(ticks.contains(QStringLiteral("sent")) && ticks.contains(QStringLiteral("delivered")), qPrintable(ticks.join(QLatin1Char(' '))));
        // "Queued." does not outlive the message's progress: gone once it was read.
        QTRY_COMPARE_WITH_TIMEOUT(composer->feedbackText(), QString(), kUiWaitMs);
        // The delegate paints the thread (ticks included) without trouble.
        QVERIFY(!c->threadView()->grab().isNull());

        // The rate-limit strip counts it.
        c->rateLimits()->refresh();
        QVERIFY2(c->rateLimits()->summary().contains(QStringLiteral("Minute: 1/1000")), qPrintable(c->rateLimits()->summary()));
        QVERIFY(c->rateLimits()->summary().contains(QStringLiteral("Day: 1/100000")));

        // A failure shows its reason.
        QVERIFY(UiHarness::js(h.page(m_ready), QStringLiteral("__fake.failNextSend('Recipient blocked you')")).toObject().value(QLatin1String("ok")).toBool());
        QTest::keyClicks(composer->textEdit(), QStringLiteral("This one fails"));
        QVERIFY(!composer->send().isEmpty());
        QCOMPARE(c->threadModel()->rowCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(c->threadModel()->index(1, 0).data(MessageThreadModel::StatusRole).toString(), QStringLiteral("failed"), kUiWaitMs);
        QVERIFY(!c->threadModel()->index(1, 0).data(MessageThreadModel::FailureReasonRole).toString().isEmpty());
        // The composer says so instead of "Queued.".
        QTRY_VERIFY_WITH_TIMEOUT(composer->feedbackText().startsWith(QStringLiteral("The message was not sent")), kUiWaitMs);
        QCOMPARE(composer->lastError(), composer->feedbackText());

        // Refused sends say why and keep the text.
        composer->setRecipient(QStringLiteral("not a number"));
        composer->setText(QStringLiteral("kept"));
        QVERIFY(composer->send().isEmpty());
        QVERIFY(!composer->lastError().isEmpty());
        QCOMPARE(composer->text(), QStringLiteral("kept"));

        // Search filters the contact list.
        QTest::keyClicks(w.findChild<QLineEdit *>(QStringLiteral("contactSearch")), QStringLiteral("0177"));
        QCOMPARE(c->contactProxy()->rowCount(), 1);
    }

    void agentSeesOnlyAssignedClientsAndNoManagement()
    {
        Result<UserRecord> agent = h.createMember(QStringLiteral("agent@ui.test"), Role::Agent);
        QVERIFY2(agent.ok(), agent ? "" : qPrintable(agent.error().message));
        QVERIFY(h.context->team().assignClient(h.admin, agent.value().id, m_ready).ok());
        h.context->signIn(UiHarness::actorOf(agent.value()));
        {
            MainWindow w(*h.context);
            QAbstractItemModelTester tester(w.sessionModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
            w.show();
            QCOMPARE(w.sessionModel()->rowCount(), 1);
            QCOMPARE(w.sessionModel()->clientIdAt(0), m_ready);
            ClientActions *a = w.clientActions();
            for (QAction *action : {a->addAction(), a->renameAction(), a->startAction(), a->stopAction(), a->logoutAction(),
                                    a->pauseAction(), a->resumeAction()})
                QVERIFY2(hiddenOrDisabled(action) && !action->isVisible(), qPrintable(action->objectName()));
            QVERIFY(!menuTitles(w).contains(QStringLiteral("Client")));
            // No team actions either (can_manage_team, as the REST team routes).
            QVERIFY(!w.teamAction()->isVisible() && !w.teamAction()->isEnabled());
            // Even called directly, the services refuse.
            QCOMPARE(a->stopClient(m_ready).error().httpStatus, 403);
            QVERIFY(h.session(m_ready));
            QCOMPARE(a->createClient(QStringLiteral("Sneaky"), QString()).error().httpStatus, 403);
            // The toolbar shows none of them, and no separator around nothing.
            QList<QAction *> shown;
            for (QAction *action : w.findChild<QToolBar *>(QStringLiteral("mainToolBar"))->actions()) {
                if (!action->isSeparator() && action->objectName() != QLatin1String("refreshAction"))
                    QVERIFY2(!action->isVisible(), qPrintable(action->objectName()));
                if (action->isVisible())
                    shown.append(action);
            }
            QVERIFY(!shown.isEmpty());
            QVERIFY2(!shown.first()->isSeparator() && !shown.last()->isSeparator(), "a separator at an end of the toolbar");
            for (int i = 1; i < shown.size(); ++i)
                QVERIFY2(!(shown[i]->isSeparator() && shown[i - 1]->isSeparator()), "two separators in a row");
            // Agents may send: the composer is there.
            w.showPage(1);
            QVERIFY(w.conversationsView()->composer()->isVisible());
            // And may watch the linked page, but not act in it (its own "Log out", sending
            // around the queue): that is managing the client.
            w.showPage(0);
            QVERIFY(w.sessionView()->attachedPage());
            QVERIFY(!w.sessionView()->webView()->isEnabled());
        }
        Result<UserRecord> viewer = h.createMember(QStringLiteral("viewer@ui.test"), Role::Viewer);
        QVERIFY(viewer.ok());
        QVERIFY(h.context->team().assignClient(h.admin, viewer.value().id, m_qr).ok());
        h.context->signIn(UiHarness::actorOf(viewer.value()));
        {
            MainWindow w(*h.context);
            w.show();
            QCOMPARE(w.sessionModel()->rowCount(), 1);
            QCOMPARE(w.sessionModel()->clientIdAt(0), m_qr);
            QVERIFY(!w.clientActions()->addAction()->isVisible());
            QVERIFY(!w.teamAction()->isVisible() && !w.teamAction()->isEnabled());
            w.showPage(1);
            QVERIFY(!w.conversationsView()->composer()->isVisible());
            QVERIFY(w.findChild<QLabel *>(QStringLiteral("readOnlyNote"))->isVisible());
            // A viewer does not see the QR code (it grants access to the account).
            w.showPage(0);
            QVERIFY(!w.sessionView()->attachedPage());
        }
        h.context->signIn(h.admin);
    }

    // The dialogs show their whole text (title and wrapped hints), and errors look the same
    // everywhere: one colour, legible on light and dark palettes.
    void dialogsShowTheirWholeTextAndOneErrorStyle()
    {
        AddClientDialog add;
        add.show();
        QVERIFY(QTest::qWaitForWindowExposed(&add));
        for (QLabel *label : add.findChildren<QLabel *>()) {
            if (label->wordWrap() && label->isVisible())
                QVERIFY2(label->height() >= label->heightForWidth(label->width()), qPrintable(label->text()));
        }
        QVERIFY(add.width() >= add.fontMetrics().horizontalAdvance(add.windowTitle()) + 100);
        add.showError(QStringLiteral("A client with this name exists already, and this sentence is long enough to wrap."));
        QApplication::processEvents();
        auto *error = add.findChild<QLabel *>(QStringLiteral("addClientError"));
        QVERIFY(error && error->isVisible());
        QCOMPARE(error->palette().color(QPalette::WindowText), ErrorLabel::colourOn(add.palette()));
        QTRY_VERIFY(error->height() >= error->heightForWidth(error->width()));

        RenameClientDialog rename(QStringLiteral("Sales"));
        rename.show();
        QVERIFY(QTest::qWaitForWindowExposed(&rename));
        QVERIFY(rename.width() >= rename.fontMetrics().horizontalAdvance(rename.windowTitle()) + 100);

        // WCAG's 4.5:1 for text against the window, in a light and a dark palette.
        auto luminance = [](const QColor &c) {
            auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
        };
        for (const QColor &window : {QColor(Qt::white), QColor(0xef, 0xef, 0xef), QColor(0x2b, 0x2b, 0x2b), QColor(Qt::black)}) {
            QPalette palette;
            palette.setColor(QPalette::Window, window);
            const double a = luminance(ErrorLabel::colourOn(palette)) + 0.05;
            const double b = luminance(window) + 0.05;
            QVERIFY2(std::max(a, b) / std::min(a, b) >= 4.5, qPrintable(window.name()));
        }
    }

    // One state everywhere (defect 4): the list says what ClientStatus says for a client never
    // started, linked, stopped and logged out; after the logout its old number is gone.
    void listFollowsTheOneState()
    {
        const QString id = h.createClient(QStringLiteral("Lifecycle"));
        MainWindow w(*h.context);
        QAbstractItemModelTester tester(w.sessionModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        ClientListModel *model = w.sessionModel();
        const auto at = [&](int role) { return model->index(model->rowOf(id), 0).data(role); };
        const auto state = [&] { return SessionState(at(ClientListModel::StateRole).toInt()); };
        QCOMPARE(state(), SessionState::Stopped);
        QVERIFY(h.startToQr(id));
        QTRY_COMPARE_WITH_TIMEOUT(state(), SessionState::Qr, kUiWaitMs);
        QVERIFY(h.scan(id, QStringLiteral("14155552699")));
        QTRY_COMPARE_WITH_TIMEOUT(state(), SessionState::Ready, kUiWaitMs);
        QCOMPARE(at(ClientListModel::PhoneRole).toString(), QStringLiteral("+14155552699"));
        ClientActions *a = w.clientActions();
        QVERIFY(a->stopClient(id).ok());
        QTRY_COMPARE_WITH_TIMEOUT(state(), SessionState::Stopped, kUiWaitMs);
        QCOMPARE(at(ClientListModel::PhoneRole).toString(), QStringLiteral("+14155552699")); // stopped, still linked
        QVERIFY(a->startClient(id).ok());
        QTRY_COMPARE_WITH_TIMEOUT(state(), SessionState::Ready, kUiWaitMs);
        QVERIFY(a->logoutClient(id).ok());
        QTRY_VERIFY_WITH_TIMEOUT(state() == SessionState::Qr || state() == SessionState::LoggedOut, kUiWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(at(ClientListModel::PhoneRole).toString(), QString(), kUiWaitMs);
        QVERIFY(a->stopClient(id).ok());
        QTRY_VERIFY_WITH_TIMEOUT(state() == SessionState::Stopped || state() == SessionState::LoggedOut, kUiWaitMs);
        QCOMPARE(at(ClientListModel::PhoneRole).toString(), QString());
    }

    void geometryAndSplittersComeBack()
    {
        QList<int> sizes;
        {
            MainWindow w(*h.context);
            w.show();
            // Within the offscreen screen (800x600): Qt 6.8 fits a restored geometry into the screen.
            w.resize(760, 560);
            w.findChild<QSplitter *>(QStringLiteral("mainSplitter"))->setSizes({250, 500});
            w.showPage(1);
            QCoreApplication::processEvents(); // the splitter fits the sizes to its width
            sizes = w.findChild<QSplitter *>(QStringLiteral("mainSplitter"))->sizes();
            QVERIFY(sizes.value(0) > 200 && sizes.value(0) < 300);
            w.close();
        }
        MainWindow again(*h.context);
        again.show();
        QCOMPARE(again.size(), QSize(760, 560));
        // The Dashboard comes first (an admin); the clients' page has its restored sizes once shown.
        QVERIFY(again.dashboardShown());
        again.showClients();
        QCoreApplication::processEvents();
        QCOMPARE(again.findChild<QSplitter *>(QStringLiteral("mainSplitter"))->sizes(), sizes);
        QCOMPARE(again.tabs()->currentIndex(), 1);
        again.close();
        {
            // A run that stays on the Dashboard saves the sizes it restored, not those of a page never laid out.
            MainWindow dashboardOnly(*h.context);
            dashboardOnly.show();
            QVERIFY(dashboardOnly.dashboardShown());
            dashboardOnly.close();
        }
        MainWindow third(*h.context);
        third.show();
        third.showClients();
        QCoreApplication::processEvents();
        QCOMPARE(third.findChild<QSplitter *>(QStringLiteral("mainSplitter"))->sizes(), sizes);
    }
};

WADESK_UI_TEST_MAIN(TestMainWindow)

#include "tst_main_window.moc"
