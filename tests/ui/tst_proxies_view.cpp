// The Proxies screen against a real SQLite database and the real ProxyService: its model passes
// QAbstractItemModelTester and shows each proxy's label, type, address, country, clients and
// health (healthy with latency, unreachable with the error, not checked yet) and never a
// password; the empty state; who gets what (admins add, edit and delete; managers only assign;
// agents get no screen, and the service refuses when called anyway); bad input in the dialog
// (port 0, a host with a space) shows the service's error and creates nothing; a proxy created
// and assigned through the dialogs is what the service and the client's details show, "Automatic"
// and "No proxy" included, with the refusals (proxy full, proxy in use) explained; the list reads
// again when a proxy fails (client.proxy_failed); deleting asks first. Screenshots of the screen,
// light and dark.

#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"
#include "tests/support/TestProxy.h"

#include "core/proxies/ProxyHealthMonitor.h"
#include "core/proxies/ProxyService.h"
#include "core/proxies/ProxySettings.h"
#include "ui/clients/SessionView.h"
#include "ui/common/ErrorText.h"
#include "ui/main/MainWindow.h"
#include "ui/models/ProxyListModel.h"
#include "ui/proxies/AssignProxyDialog.h"
#include "ui/proxies/ProxiesView.h"
#include "ui/proxies/ProxyDialog.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTcpServer>
#include <QTimer>
#include <QTreeView>

using namespace wadesk;
using wadesk::test::kUiWaitMs;
using wadesk::test::UiHarness;

namespace {
const QString kPassword = QStringLiteral("s3cret-proxy-pass");

ProxyInput input(const QString &host, int port, const QString &label, int maxClients = 5)
{
    ProxyInput in;
    in.type = QStringLiteral("http");
    in.host = host;
    in.port = port;
    in.label = label;
    in.maxClients = maxClients;
    return in;
}

// Every text the model gives for any cell and role.
QStringList allModelText(const QAbstractItemModel &model)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row) {
        for (int column = 0; column < model.columnCount(); ++column) {
            const QModelIndex at = model.index(row, column);
            for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole), int(Qt::AccessibleTextRole)})
                out << at.data(role).toString();
            for (int role = ProxyListModel::ProxyIdRole; role <= ProxyListModel::FullRole; ++role)
                out << at.data(role).toString();
        }
    }
    return out;
}
} // namespace

class TestProxiesView : public QObject {
    Q_OBJECT

    UiHarness h;
    QString m_sales;
    QString m_support;
    UserRecord m_manager;
    UserRecord m_agent;

    ProxyService &proxies() { return *h.context->proxies(); }

    QString clientProxy(const QString &clientId)
    {
        Result<ClientRecord> c = h.context->clients().get(h.admin, clientId);
        return c ? c.value().proxyId : QStringLiteral("<error>");
    }

    int poolSize()
    {
        Result<QList<ProxyRecord>> all = proxies().list(h.admin);
        return all ? int(all.value().size()) : -1;
    }

    void checkAccessibleNames(QWidget &w)
    {
        QList<QWidget *> controls;
        for (auto *b : w.findChildren<QPushButton *>())
            controls << b;
        for (auto *c : w.findChildren<QComboBox *>())
            controls << c;
        for (auto *e : w.findChildren<QLineEdit *>()) {
            if (!qobject_cast<QSpinBox *>(e->parentWidget()))
                controls << e;
        }
        for (auto *s : w.findChildren<QSpinBox *>())
            controls << s;
        for (auto *v : w.findChildren<QAbstractItemView *>()) {
            if (!qobject_cast<QHeaderView *>(v) && v->window() == &w)
                controls << v;
        }
        for (QWidget *c : controls)
            QVERIFY2(!c->accessibleName().isEmpty(), qPrintable(c->objectName() + QLatin1Char(' ') + QLatin1String(c->metaObject()->className())));
    }

    void removeAllProxies()
    {
        Result<QList<ProxyRecord>> all = proxies().list(h.admin);
        QVERIFY(all.ok());
        for (const QString &client : {m_sales, m_support})
            QVERIFY(proxies().assign(h.admin, client, QString()).ok());
        for (const ProxyRecord &p : all.value())
            QVERIFY(proxies().remove(h.admin, p.id).ok());
    }

    // Clicks `button` of the delete confirmation once it is up; returns its text through `text`.
    void answerConfirmation(ProxiesView &view, QMessageBox::StandardButton button, QString *text)
    {
        QTimer::singleShot(0, &view, [&view, button, text]() {
            QMessageBox *box = nullptr;
            if (!QTest::qWaitFor([&] { return (box = view.findChild<QMessageBox *>(QStringLiteral("deleteProxyConfirmation"))) && box->isVisible(); }, kUiWaitMs))
                return;
            *text = box->text();
            box->button(button)->click();
        });
    }

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        QVERIFY(h.context->proxies());
        m_sales = h.createClient(QStringLiteral("Sales team"));
        m_support = h.createClient(QStringLiteral("Customer support"));
        QVERIFY(!m_sales.isEmpty() && !m_support.isEmpty());
        Result<UserRecord> manager = h.createMember(QStringLiteral("manager@ui.test"), Role::Manager);
        QVERIFY(manager.ok());
        m_manager = manager.value();
        Result<UserRecord> agent = h.createMember(QStringLiteral("agent@ui.test"), Role::Agent);
        QVERIFY(agent.ok());
        m_agent = agent.value();
        QVERIFY(h.context->team().assignClient(h.admin, m_agent.id, m_sales).ok());
    }

    void cleanupTestCase() { h.tearDown(); }

    void init() { h.context->signIn(h.admin); }

    void cleanup()
    {
        h.context->signIn(h.admin);
        removeAllProxies();
    }

    void emptyState()
    {
        ProxiesView view(*h.context);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.model()->rowCount(), 0);
        QVERIFY(view.errorText().isEmpty());
        QVERIFY(view.emptyLabel()->isVisible());
        QCOMPARE(view.emptyLabel()->text(), QStringLiteral("No proxies yet. Add one to give each number its own address."));
        QVERIFY(!view.view()->isVisible());
        QVERIFY(view.addButton()->isVisible() && view.addButton()->isEnabled());
        QVERIFY(!view.editButton()->isEnabled());
        QVERIFY(!view.deleteButton()->isEnabled());
        // One proxy later (added elsewhere, then a refresh): the list replaces the empty state.
        QVERIFY(proxies().create(h.admin, input(QStringLiteral("proxy-a.example.com"), 3128, QStringLiteral("A"))).ok());
        view.refresh();
        QVERIFY(view.view()->isVisible());
        QVERIFY(!view.emptyLabel()->isVisible());
        QCOMPARE(view.currentProxy(), view.model()->proxyIdAt(0)); // the first one is selected
        QVERIFY(view.editButton()->isEnabled() && view.deleteButton()->isEnabled());
    }

    void modelShowsHealthAndNoPassword()
    {
        ProxyInput berlin = input(QStringLiteral("10.0.0.7"), 3128, QStringLiteral("Berlin 1"), 3);
        berlin.username = QStringLiteral("alice");
        berlin.password = kPassword;
        berlin.country = QStringLiteral("de");
        Result<ProxyRecord> b = proxies().create(h.admin, berlin);
        QVERIFY2(b.ok(), b.ok() ? "" : qPrintable(b.error().message));
        ProxyInput madrid = input(QStringLiteral("2001:db8::5"), 1080, QStringLiteral("Madrid"));
        madrid.type = QStringLiteral("socks5");
        Result<ProxyRecord> m = proxies().create(h.admin, madrid);
        QVERIFY(m.ok());
        QVERIFY(proxies().assign(h.admin, m_sales, b.value().id).ok());

        ProxyListModel model(*h.context);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.columnCount(), int(ProxyListModel::ColumnCount));
        QVERIFY(model.lastError().isEmpty());
        QCOMPARE(model.headerData(ProxyListModel::HealthColumn, Qt::Horizontal).toString(), QStringLiteral("Health"));
        const int row = model.rowOf(b.value().id);
        QVERIFY(row >= 0);
        auto cell = [&](int r, int column) { return model.index(r, column).data().toString(); };
        QCOMPARE(cell(row, ProxyListModel::LabelColumn), QStringLiteral("Berlin 1"));
        QCOMPARE(cell(row, ProxyListModel::TypeColumn), QStringLiteral("HTTP"));
        QCOMPARE(cell(row, ProxyListModel::AddressColumn), QStringLiteral("10.0.0.7:3128"));
        QCOMPARE(cell(row, ProxyListModel::CountryColumn), QStringLiteral("DE"));
        QCOMPARE(cell(row, ProxyListModel::ClientsColumn), QStringLiteral("1 of 3"));
        QCOMPARE(cell(row, ProxyListModel::HealthColumn), QStringLiteral("Not checked yet"));
        QCOMPARE(cell(row, ProxyListModel::LastCheckedColumn), QStringLiteral("Never"));
        QCOMPARE(model.index(row, 0).data(ProxyListModel::HealthRole).toInt(), int(ProxyListModel::Health::NotChecked));
        const int madridRow = model.rowOf(m.value().id);
        QCOMPARE(cell(madridRow, ProxyListModel::TypeColumn), QStringLiteral("SOCKS5"));
        QCOMPARE(cell(madridRow, ProxyListModel::AddressColumn), QStringLiteral("[2001:db8::5]:1080"));

        // Checks change the health; the model shows them after a reload (the tester watches it).
        ProxyCheck good;
        good.ok = true;
        good.latencyMs = 42;
        good.exitAddress = QStringLiteral("203.0.113.9");
        QVERIFY(proxies().recordCheck(b.value().id, good).ok());
        ProxyCheck bad;
        bad.error = QStringLiteral("connection refused");
        QVERIFY(proxies().recordCheck(m.value().id, bad).ok());
        QVERIFY(model.reload());
        QCOMPARE(cell(model.rowOf(b.value().id), ProxyListModel::HealthColumn), QStringLiteral("Healthy (42 ms)"));
        QVERIFY(model.index(model.rowOf(b.value().id), ProxyListModel::HealthColumn).data(Qt::ToolTipRole).toString().contains(QStringLiteral("203.0.113.9")));
        QVERIFY(cell(model.rowOf(b.value().id), ProxyListModel::LastCheckedColumn) != QStringLiteral("Never"));
        QCOMPARE(cell(model.rowOf(m.value().id), ProxyListModel::HealthColumn), QStringLiteral("Unreachable: connection refused"));
        QCOMPARE(model.index(model.rowOf(m.value().id), 0).data(ProxyListModel::HealthRole).toInt(), int(ProxyListModel::Health::Unreachable));

        // The password is nowhere in what the model gives out.
        const QStringList texts = allModelText(model);
        QVERIFY(texts.join(QLatin1Char('\n')).contains(QStringLiteral("Berlin 1"))); // the join holds the cells
        QVERIFY(!texts.join(QLatin1Char('\n')).contains(kPassword));

        // Roles without can_manage_clients get nothing.
        h.context->signIn(UiHarness::actorOf(m_agent));
        QVERIFY(!model.reload());
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.lastError().isEmpty());
    }

    void roleGating()
    {
        const Result<ProxyRecord> p = proxies().create(h.admin, input(QStringLiteral("proxy-b.example.com"), 8080, QStringLiteral("B")));
        QVERIFY(p.ok());
        {
            ProxiesView admin(*h.context);
            admin.show();
            QVERIFY(QTest::qWaitForWindowExposed(&admin));
            checkAccessibleNames(admin);
            QVERIFY(!QTest::currentTestFailed());
            for (QPushButton *b : {admin.addButton(), admin.editButton(), admin.deleteButton(), admin.assignButton()})
                QVERIFY2(b->isVisible() && b->isEnabled(), qPrintable(b->objectName()));
            // No on-demand check in this build: visible, disabled, saying why; never a made-up result.
            QVERIFY(admin.testButton()->isVisible());
            QVERIFY(!admin.testButton()->isEnabled());
            QVERIFY(!admin.testButton()->toolTip().isEmpty());
            QVERIFY(admin.hintText().isEmpty());
        }

        h.context->signIn(UiHarness::actorOf(m_manager));
        {
            ProxiesView manager(*h.context);
            manager.show();
            QVERIFY(QTest::qWaitForWindowExposed(&manager));
            QCOMPARE(manager.model()->rowCount(), 1); // managers read the pool
            for (QPushButton *b : {manager.addButton(), manager.editButton(), manager.deleteButton()})
                QVERIFY2(!b->isVisible(), qPrintable(b->objectName()));
            QVERIFY(manager.assignButton()->isVisible() && manager.assignButton()->isEnabled());
            QVERIFY(!manager.hintText().isEmpty());
            QVERIFY(!manager.openAddProxy());
            QVERIFY(!manager.openEditProxy(p.value().id));
            // Called anyway: refused and said on the screen; the service refuses a manager too.
            QVERIFY(!manager.deleteProxy(p.value().id));
            QVERIFY(!manager.errorText().isEmpty());
            const Status direct = proxies().remove(UiHarness::actorOf(m_manager), p.value().id);
            QVERIFY(!direct);
            QCOMPARE(direct.error().httpStatus, 403);
            QCOMPARE(poolSize(), 1);
            // Assigning is theirs.
            QVERIFY(manager.assignProxy(m_support, p.value().id));
            QCOMPARE(clientProxy(m_support), p.value().id);
        }
        {
            MainWindow w(*h.context);
            QVERIFY(w.proxiesAction()->isVisible());
            QVERIFY(w.assignProxyAction()->isVisible());
            w.proxiesAction()->trigger();
            QVERIFY(w.proxiesShown());
            QVERIFY(w.proxiesView());
            QVERIFY(!w.proxiesView()->addButton()->isVisibleTo(w.proxiesView()));
            w.showPage(0); // back to the clients
            QVERIFY(!w.proxiesShown());
            QVERIFY(!w.proxiesAction()->isChecked());
        }

        h.context->signIn(UiHarness::actorOf(m_agent));
        {
            MainWindow w(*h.context);
            QVERIFY(!w.proxiesAction()->isVisible());
            QVERIFY(!w.proxiesAction()->isEnabled());
            QVERIFY(!w.assignProxyAction()->isVisible());
            w.showProxies();
            QVERIFY(!w.proxiesShown());
            QVERIFY(!w.proxiesView());
            // The client's details show no proxy line to roles that may not read the pool.
            w.selectClient(m_sales);
            QVERIFY(w.sessionView()->proxyText().isEmpty());
            // A screen built anyway shows nothing and offers nothing.
            ProxiesView agent(*h.context);
            QCOMPARE(agent.model()->rowCount(), 0);
            QVERIFY(!agent.errorText().isEmpty());
            for (QPushButton *b : {agent.addButton(), agent.editButton(), agent.deleteButton(), agent.assignButton(), agent.testButton()})
                QVERIFY2(!b->isVisibleTo(&agent), qPrintable(b->objectName()));
            QVERIFY(!agent.assignProxy(m_sales, p.value().id));
            QCOMPARE(clientProxy(m_sales), QString());
        }
    }

    void badInputCreatesNothing()
    {
        ProxiesView view(*h.context);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTest::mouseClick(view.addButton(), Qt::LeftButton);
        ProxyDialog *dialog = view.proxyDialog();
        QVERIFY(dialog);
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        checkAccessibleNames(*dialog);
        QVERIFY(!QTest::currentTestFailed());
        QVERIFY(!dialog->isEdit());
        QCOMPARE(dialog->passwordField()->echoMode(), QLineEdit::Password);
        QVERIFY(!dialog->saveButton()->isEnabled()); // no host yet

        // Port 0 (the empty port field).
        QTest::keyClicks(dialog->hostField(), QStringLiteral("proxy.example.com"));
        QCOMPARE(dialog->port(), 0);
        QTest::mouseClick(dialog->saveButton(), Qt::LeftButton);
        QCOMPARE(dialog->errorText(), proxyErrorMessageFor(DomainError::validation(QStringLiteral("port"), QString())));
        QCOMPARE(dialog->errorText(), QStringLiteral("The port must be a number from 1 to 65535."));
        QCOMPARE(poolSize(), 0);
        QCOMPARE(view.proxyDialog(), dialog); // still open, to correct

        // A host with a space.
        dialog->portField()->setValue(3128);
        dialog->hostField()->clear();
        QTest::keyClicks(dialog->hostField(), QStringLiteral("bad host"));
        QTest::mouseClick(dialog->saveButton(), Qt::LeftButton);
        QCOMPARE(dialog->errorText(), QStringLiteral("The host must be a host name or an IP address, without spaces."));
        QCOMPARE(poolSize(), 0);

        // A password without a username: the proxy's rule, not a member's password rule.
        dialog->hostField()->clear();
        QTest::keyClicks(dialog->hostField(), QStringLiteral("proxy.example.com"));
        QTest::keyClicks(dialog->passwordField(), kPassword);
        QTest::mouseClick(dialog->saveButton(), Qt::LeftButton);
        QVERIFY2(dialog->errorText().contains(QStringLiteral("username")), qPrintable(dialog->errorText()));
        QCOMPARE(poolSize(), 0);
        dialog->reject();
        QTRY_VERIFY_WITH_TIMEOUT(!view.proxyDialog(), kUiWaitMs);
    }

    void createAssignEditDeleteRoundTrip()
    {
        MainWindow w(*h.context);
        w.resize(1100, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.selectClient(m_sales);
        QCOMPARE(w.sessionView()->proxyText(), QStringLiteral("No proxy"));
        w.showProxies();
        ProxiesView *view = w.proxiesView();
        QVERIFY(view && view->isVisible());
        QAbstractItemModelTester tester(view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);

        // Add through the dialog.
        ProxyDialog *add = view->openAddProxy();
        QVERIFY(add);
        add->typeCombo()->setCurrentIndex(add->typeCombo()->findData(int(ProxyEndpoint::Type::Socks5)));
        QTest::keyClicks(add->hostField(), QStringLiteral("192.0.2.10"));
        add->portField()->setValue(1080);
        QTest::keyClicks(add->usernameField(), QStringLiteral("bob"));
        QTest::keyClicks(add->passwordField(), kPassword);
        QTest::keyClicks(add->labelField(), QStringLiteral("Berlin 1"));
        QTest::keyClicks(add->countryField(), QStringLiteral("de"));
        add->maxClientsField()->setValue(1);
        QSignalSpy created(view, &ProxiesView::proxyCreated);
        QTest::mouseClick(add->saveButton(), Qt::LeftButton);
        QCOMPARE(created.count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!view->proxyDialog(), kUiWaitMs);
        const QString proxyId = created.at(0).at(0).toString();
        Result<ProxyRecord> stored = proxies().get(h.admin, proxyId);
        QVERIFY(stored.ok());
        QCOMPARE(stored.value().type, ProxyEndpoint::Type::Socks5);
        QCOMPARE(stored.value().host, QStringLiteral("192.0.2.10"));
        QCOMPARE(int(stored.value().port), 1080);
        QCOMPARE(stored.value().username, QStringLiteral("bob"));
        QVERIFY(stored.value().hasPassword);
        QCOMPARE(stored.value().country, QStringLiteral("DE"));
        QCOMPARE(stored.value().maxClients, 1);
        Result<ProxyEndpoint> endpoint = proxies().endpointOf(proxyId);
        QVERIFY(endpoint.ok());
        QCOMPARE(endpoint.value().password, kPassword); // what was typed is what the engine will use
        QCOMPARE(view->currentProxy(), proxyId);
        QVERIFY(view->statusText().contains(QStringLiteral("Berlin 1")));
        QVERIFY(!allModelText(*view->model()).join(QLatin1Char('\n')).contains(kPassword));

        // Assign it to "Sales team" through the dialog (the selected proxy is preselected).
        AssignProxyDialog *assign = view->openAssign(m_sales);
        QVERIFY(assign);
        QVERIFY(QTest::qWaitForWindowExposed(assign));
        checkAccessibleNames(*assign);
        QVERIFY(!QTest::currentTestFailed());
        QCOMPARE(assign->clientId(), m_sales);
        QCOMPARE(assign->choice(), proxyId);
        QCOMPARE(assign->currentLabel()->text(), QStringLiteral("No proxy"));
        QVERIFY(!assign->failoverBox()->isChecked());
        assign->failoverBox()->setChecked(true);
        QSignalSpy assigned(view, &ProxiesView::proxyAssigned);
        QTest::mouseClick(assign->assignButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!view->assignDialog(), kUiWaitMs);
        QVERIFY(assigned.count() >= 1);
        QCOMPARE(clientProxy(m_sales), proxyId);
        QVERIFY(h.context->clients().get(h.admin, m_sales).value().proxyFailover);
        QCOMPARE(view->model()->index(view->model()->rowOf(proxyId), ProxyListModel::ClientsColumn).data().toString(), QStringLiteral("1 of 1"));
        // The client's details show it (read through the service).
        QCOMPARE(w.sessionView()->proxyText(), QStringLiteral("Proxy: Berlin 1 · Not checked yet"));

        // It is full: a second client is refused, the reason shown, nothing changes.
        assign = view->openAssign(m_support);
        QVERIFY(assign);
        assign->setChoice(proxyId);
        QTest::mouseClick(assign->assignButton(), Qt::LeftButton);
        QCOMPARE(assign->errorText(), errorMessageFor(DomainError::conflict(QString(), QStringLiteral("proxy_full"))));
        QVERIFY(assign->errorText().contains(QStringLiteral("maximum")));
        QCOMPARE(clientProxy(m_support), QString());
        // "Automatic": the only proxy is full too.
        assign->setChoice(AssignProxyDialog::automatic());
        QTest::mouseClick(assign->assignButton(), Qt::LeftButton);
        QCOMPARE(assign->errorText(), errorMessageFor(DomainError::conflict(QString(), QStringLiteral("no_proxy_available"))));
        QCOMPARE(clientProxy(m_support), QString());
        assign->reject();
        QTRY_VERIFY_WITH_TIMEOUT(!view->assignDialog(), kUiWaitMs);

        // Edit: room for two, the password left empty (kept).
        ProxyDialog *edit = view->openEditProxy(proxyId);
        QVERIFY(edit && edit->isEdit());
        QCOMPARE(edit->hostField()->text(), QStringLiteral("192.0.2.10"));
        QVERIFY(edit->passwordField()->text().isEmpty()); // never shown
        QCOMPARE(edit->passwordField()->placeholderText(), QStringLiteral("leave empty to keep"));
        QVERIFY(edit->removePasswordBox()->isVisibleTo(edit));
        edit->maxClientsField()->setValue(2);
        QTest::mouseClick(edit->saveButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!view->proxyDialog(), kUiWaitMs);
        QCOMPARE(proxies().get(h.admin, proxyId).value().maxClients, 2);
        QVERIFY(proxies().get(h.admin, proxyId).value().hasPassword);
        QCOMPARE(proxies().endpointOf(proxyId).value().password, kPassword);

        // "Automatic" now finds it.
        QVERIFY(view->assignProxy(m_support, AssignProxyDialog::automatic()));
        QCOMPARE(clientProxy(m_support), proxyId);

        // Deleting a proxy in use: refused and explained; it stays.
        const Status inUse = view->deleteProxy(proxyId);
        QVERIFY(!inUse);
        QCOMPARE(inUse.error().code, QStringLiteral("proxy_in_use"));
        QCOMPARE(view->errorText(), errorMessageFor(inUse.error()));
        QVERIFY2(view->errorText().startsWith(QStringLiteral("2 client")), qPrintable(view->errorText()));
        QVERIFY(view->model()->rowOf(proxyId) >= 0);

        // "No proxy" for both, then the password removed through the dialog, then delete.
        for (const QString &client : {m_sales, m_support}) {
            assign = view->openAssign(client);
            QVERIFY(assign);
            assign->setChoice(QString());
            QTest::mouseClick(assign->assignButton(), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(!view->assignDialog(), kUiWaitMs);
            QCOMPARE(clientProxy(client), QString());
        }
        QCOMPARE(w.sessionView()->proxyText(), QStringLiteral("No proxy"));
        edit = view->openEditProxy(proxyId);
        QVERIFY(edit);
        edit->removePasswordBox()->setChecked(true);
        QVERIFY(!edit->passwordField()->isEnabled());
        QTest::mouseClick(edit->saveButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!view->proxyDialog(), kUiWaitMs);
        QVERIFY(!proxies().get(h.admin, proxyId).value().hasPassword);
        QVERIFY(view->deleteProxy(proxyId));
        QVERIFY(view->errorText().isEmpty());
        QCOMPARE(view->model()->rowCount(), 0);
        QVERIFY(view->emptyLabel()->isVisible());
        QVERIFY(!proxies().get(h.admin, proxyId).ok());
    }

    void deleteAsksFirst()
    {
        const Result<ProxyRecord> p = proxies().create(h.admin, input(QStringLiteral("proxy-d.example.com"), 3128, QStringLiteral("D")));
        QVERIFY(p.ok());
        QVERIFY(proxies().assign(h.admin, m_sales, p.value().id).ok());
        ProxiesView view(*h.context);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.selectProxy(p.value().id);

        // In use: the question says so; answered yes, the service refuses and the screen explains.
        QString text;
        answerConfirmation(view, QMessageBox::Yes, &text);
        QTest::mouseClick(view.deleteButton(), Qt::LeftButton);
        QVERIFY2(text.contains(QStringLiteral("D (proxy-d.example.com:3128)")) && text.contains(QStringLiteral("1 client")), qPrintable(text));
        QVERIFY2(view.errorText().startsWith(QStringLiteral("1 client")), qPrintable(view.errorText()));
        QVERIFY(proxies().get(h.admin, p.value().id).ok());

        // Free now; "Cancel" keeps it, "Yes" deletes it.
        QVERIFY(proxies().assign(h.admin, m_sales, QString()).ok());
        view.refresh();
        answerConfirmation(view, QMessageBox::Cancel, &text);
        QTest::mouseClick(view.deleteButton(), Qt::LeftButton);
        QVERIFY(!text.contains(QStringLiteral("client")));
        QVERIFY(proxies().get(h.admin, p.value().id).ok());
        answerConfirmation(view, QMessageBox::Yes, &text);
        QTest::mouseClick(view.deleteButton(), Qt::LeftButton);
        QVERIFY(!proxies().get(h.admin, p.value().id).ok());
        QVERIFY(view.errorText().isEmpty());
        QVERIFY(view.statusText().contains(QStringLiteral("D")));
        QVERIFY(view.emptyLabel()->isVisible());
    }

    // "Test now" with the engine's monitor: a real check through a real proxy on loopback, the
    // result said on the screen and stored; a stopped proxy is reported unreachable.
    void testNowChecksThroughTheProxy()
    {
        wadesk::test::TestProxy upstream;
        upstream.requireCredentials(QStringLiteral("tester"), QStringLiteral("tester-pass"));
        upstream.mapHost(QStringLiteral("check.test"));
        QVERIFY(upstream.start());
        QTcpServer target; // what the check reaches through the proxy
        QVERIFY(target.listen(QHostAddress::LocalHost));
        ProxyInput local = input(QStringLiteral("127.0.0.1"), upstream.port(), QStringLiteral("Local test proxy"));
        local.username = QStringLiteral("tester");
        local.password = QStringLiteral("tester-pass");
        const Result<ProxyRecord> p = proxies().create(h.admin, local);
        QVERIFY(p.ok());
        ProxySettings settings;
        settings.checkHost = QStringLiteral("check.test");
        settings.checkPort = target.serverPort();
        settings.checkTimeoutMs = 3000;
        ProxyHealthMonitor monitor(proxies(), settings);
        h.context->setProxyMonitor(&monitor);
        {
            ProxiesView view(*h.context);
            view.selectProxy(p.value().id);
            QVERIFY(view.testButton()->isEnabled());
            view.testButton()->click();
            QVERIFY(!view.testButton()->isEnabled()); // one check at a time
            QTRY_VERIFY_WITH_TIMEOUT(view.statusText().contains(QLatin1String("is reachable")), kUiWaitMs);
            QVERIFY(view.statusText().startsWith(QLatin1String("Local test proxy")));
            QCOMPARE(proxies().get(h.admin, p.value().id).value().healthy, std::optional<bool>(true));
            QVERIFY(view.testButton()->isEnabled());

            upstream.stop();
            view.testButton()->click();
            QTRY_VERIFY_WITH_TIMEOUT(view.errorText().contains(QLatin1String("is unreachable")), kUiWaitMs);
            QCOMPARE(proxies().get(h.admin, p.value().id).value().healthy, std::optional<bool>(false));
            QVERIFY(!view.errorText().contains(QLatin1String("tester-pass")));
        }
        h.context->setProxyMonitor(nullptr);
    }

    void refreshesWhenAProxyFails()
    {
        const Result<ProxyRecord> p = proxies().create(h.admin, input(QStringLiteral("proxy-c.example.com"), 3128, QStringLiteral("C")));
        QVERIFY(p.ok());
        QVERIFY(proxies().assign(h.admin, m_sales, p.value().id).ok());
        MainWindow w(*h.context);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.selectClient(m_sales);
        w.showProxies();
        ProxiesView *view = w.proxiesView();
        const int row = view->model()->rowOf(p.value().id);
        QCOMPARE(view->model()->index(row, ProxyListModel::HealthColumn).data().toString(), QStringLiteral("Not checked yet"));
        QCOMPARE(w.sessionView()->proxyText(), QStringLiteral("Proxy: C · Not checked yet"));
        // The health monitor's finding (stored through the service, which publishes
        // client.proxy_failed): the screen and the client's details read again by themselves.
        ProxyCheck bad;
        bad.error = QStringLiteral("proxy answered 407");
        QVERIFY(proxies().recordCheck(p.value().id, bad).ok());
        QTRY_COMPARE_WITH_TIMEOUT(view->model()->index(view->model()->rowOf(p.value().id), ProxyListModel::HealthColumn).data().toString(),
                                  QStringLiteral("Unreachable: proxy answered 407"), kUiWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(w.sessionView()->proxyText(), QStringLiteral("Proxy: C · Unreachable: proxy answered 407"), kUiWaitMs);
    }

    void screenshots()
    {
        Result<ProxyRecord> berlin = proxies().create(h.admin, [] {
            ProxyInput in = input(QStringLiteral("de1.proxy.example.net"), 3128, QStringLiteral("Berlin 1"), 3);
            in.country = QStringLiteral("DE");
            in.username = QStringLiteral("wadesk");
            in.password = kPassword;
            return in;
        }());
        Result<ProxyRecord> madrid = proxies().create(h.admin, [] {
            ProxyInput in = input(QStringLiteral("203.0.113.44"), 1080, QStringLiteral("Madrid"), 5);
            in.type = QStringLiteral("socks5");
            in.country = QStringLiteral("ES");
            return in;
        }());
        Result<ProxyRecord> lan = proxies().create(h.admin, input(QStringLiteral("10.1.2.3"), 8080, QStringLiteral("Office LAN"), 2));
        QVERIFY(berlin.ok() && madrid.ok() && lan.ok());
        ProxyCheck good;
        good.ok = true;
        good.latencyMs = 38;
        QVERIFY(proxies().recordCheck(berlin.value().id, good).ok());
        ProxyCheck bad;
        bad.error = QStringLiteral("connection refused");
        QVERIFY(proxies().recordCheck(madrid.value().id, bad).ok());
        QVERIFY(proxies().assign(h.admin, m_sales, berlin.value().id).ok());

        const QString dir = wadesk::test::screenshotDir();
        auto shoot = [&](const QString &name) {
            MainWindow w(*h.context);
            w.resize(1280, 800);
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            w.showProxies();
            w.proxiesView()->selectProxy(berlin.value().id);
            w.repaint();
            QCoreApplication::processEvents();
            const QImage image = w.grab().toImage();
            QVERIFY(wadesk::test::hasContent(image));
            QVERIFY(image.save(QDir(dir).filePath(name)));
            qInfo("screenshot: %s", qPrintable(QDir(dir).filePath(name)));
        };
        shoot(QStringLiteral("proxies.png"));
        const QPalette light = QApplication::palette();
        QApplication::setPalette(wadesk::test::darkPalette());
        shoot(QStringLiteral("proxies-dark.png"));
        QApplication::setPalette(light);
    }
};

WADESK_UI_TEST_MAIN(TestProxiesView)

#include "tst_proxies_view.moc"
