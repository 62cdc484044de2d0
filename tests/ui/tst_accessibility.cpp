// Keyboard and screen-reader access on the desktop's screens (issue 14, "Everywhere"): every
// screen and dialog reachable from the main window is opened for real (SQLite, the real services,
// the fake WhatsApp Web page), and each of its inputs, buttons and views
//  - has a name an assistive technology reads (its accessible name, its own text, or the text of
//    the label whose buddy it is: what QAccessible reports), and
//  - takes focus from the keyboard (its focus policy includes Tab), and the visible, enabled
//    ones are reached by pressing Tab from the first (a view that keeps Tab for its cells, or a
//    text box that types a tab, traps the keyboard and fails here).
// The conversations view is left out (its own helper's screen), as are web contents.

#include "tests/ui/UiHarness.h"

#include "core/messaging/ContactRepository.h"
#include "ui/account/AccountDialog.h"
#include "ui/account/DeleteClientDialog.h"
#include "ui/apikeys/ApiKeysDialog.h"
#include "ui/apikeys/CreateApiKeyDialog.h"
#include "ui/audit/AuditLogDialog.h"
#include "ui/clients/ClientDialogs.h"
#include "ui/common/OneTimeSecretDialog.h"
#include "ui/contacts/ContactEditDialog.h"
#include "ui/contacts/ContactsDialog.h"
#include "ui/dashboard/DashboardView.h"
#include "ui/firstrun/FirstRunWizard.h"
#include "ui/instances/InstancesDialog.h"
#include "ui/instances/PinInstanceDialog.h"
#include "ui/main/MainWindow.h"
#include "ui/proxies/ProxiesView.h"
#include "ui/proxies/ProxyDialog.h"
#include "ui/settings/SettingsDialog.h"
#include "ui/signin/SignInDialog.h"
#include "ui/team/AddMemberDialog.h"
#include "ui/team/TeamDialog.h"
#include "ui/webhooks/AddWebhookDialog.h"
#include "ui/webhooks/WebhooksDialog.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QAccessible>
#include <QAction>
#include <QCalendarWidget>
#include <QComboBox>
#include <QDateTime>
#include <QHash>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSet>
#include <QTabBar>
#include <QTabWidget>
#include <QTextEdit>
#include <QToolBar>
#include <QTranslator>
#include <QWizard>
#include <functional>

using namespace wadesk;
using namespace wadesk::test;

namespace {

// Parts of a composite control (a combo box's line edit, a spin box's, a tab bar's scroll
// buttons, a toolbar's buttons, reached through menus and shortcuts) and web contents are not
// controls of their own; the conversations view is another helper's screen.
bool insideComposite(const QWidget *w, const QWidget *root)
{
    for (const QWidget *p = w->parentWidget(); p && p != root->parentWidget(); p = p->parentWidget()) {
        if (qobject_cast<const QComboBox *>(p) || qobject_cast<const QAbstractSpinBox *>(p) || qobject_cast<const QTabBar *>(p)
            || qobject_cast<const QCalendarWidget *>(p) || qobject_cast<const QLineEdit *>(p) || qobject_cast<const QToolBar *>(p)
            || qobject_cast<const QAbstractItemView *>(p) || qobject_cast<const QScrollBar *>(p) || qobject_cast<const QMenuBar *>(p)
            || p->inherits("QWebEngineView")
            || p->inherits("wadesk::ConversationsView"))
            return true;
    }
    return false;
}

bool isControl(const QWidget *w)
{
    if (qobject_cast<const QHeaderView *>(w) || qobject_cast<const QScrollBar *>(w) || w->inherits("QWebEngineView")
        || w->inherits("wadesk::ConversationsView"))
        return false;
    return qobject_cast<const QAbstractButton *>(w) || qobject_cast<const QLineEdit *>(w) || qobject_cast<const QComboBox *>(w)
        || qobject_cast<const QAbstractSpinBox *>(w) || qobject_cast<const QAbstractItemView *>(w)
        || qobject_cast<const QPlainTextEdit *>(w) || qobject_cast<const QTextEdit *>(w) || qobject_cast<const QAbstractSlider *>(w);
}

QList<QWidget *> controlsOf(QWidget *root)
{
    QList<QWidget *> controls;
    for (QWidget *w : root->findChildren<QWidget *>()) {
        if (w->isWindow() || !isControl(w) || insideComposite(w, root))
            continue;
        controls << w;
    }
    return controls;
}

QString describe(const QWidget *w)
{
    return QStringLiteral("%1 \"%2\"").arg(QLatin1String(w->metaObject()->className()), w->objectName());
}

QString accessibleName(QWidget *w)
{
    QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(w);
    return iface ? iface->text(QAccessible::Name).trimmed() : QString();
}

// Names and focus policies of every control (visible or not: a hidden one shows later).
QStringList nameAndPolicyProblems(QWidget *root)
{
    QStringList problems;
    for (QWidget *w : controlsOf(root)) {
        if (accessibleName(w).isEmpty())
            problems << describe(w) + QStringLiteral(": no accessible name, text or buddy label");
        if (!(w->focusPolicy() & Qt::TabFocus))
            problems << describe(w) + QStringLiteral(": not reachable with Tab (focus policy %1)").arg(int(w->focusPolicy()));
    }
    return problems;
}

// Presses Tab from the first control and lists the visible, enabled controls never focused.
QStringList tabProblems(QWidget *window, int *walked = nullptr)
{
    window->show();
    window->activateWindow();
    if (!QTest::qWaitForWindowActive(window))
        return {QStringLiteral("the window did not become active")};
    QList<QWidget *> wanted;
    for (QWidget *w : controlsOf(window))
        if (w->isVisible() && w->isEnabled() && (w->focusPolicy() & Qt::TabFocus))
            wanted << w;
    if (walked)
        *walked = int(wanted.size());
    if (wanted.isEmpty())
        return {};
    wanted.first()->setFocus(Qt::TabFocusReason);
    QSet<QWidget *> reached;
    for (int i = 0; i < wanted.size() * 3 + 20; ++i) {
        QWidget *focused = QApplication::focusWidget();
        if (!focused)
            break;
        reached.insert(focused);
        for (QWidget *p = focused->parentWidget(); p; p = p->parentWidget())
            reached.insert(p); // a combo box's line edit stands for the combo box
        QTest::keyClick(focused, Qt::Key_Tab);
    }
    QStringList problems;
    for (QWidget *w : std::as_const(wanted))
        if (!reached.contains(w))
            problems << describe(w) + QStringLiteral(": never focused by Tab");
    // Tab leaves every control: none keeps it for its cells or types it as text.
    for (QWidget *w : std::as_const(wanted)) {
        w->setFocus(Qt::TabFocusReason);
        QWidget *before = QApplication::focusWidget();
        if (!before)
            continue;
        QTest::keyClick(before, Qt::Key_Tab);
        QWidget *after = QApplication::focusWidget();
        if (after == before || (after && w->isAncestorOf(after) && wanted.size() > 1))
            problems << describe(w) + QStringLiteral(": keeps the Tab key (the keyboard cannot leave it)");
    }
    return problems;
}

QString report(const QString &screen, const QStringList &problems)
{
    return QStringLiteral("%1: %2 problem(s):\n  %3").arg(screen).arg(problems.size()).arg(problems.join(QStringLiteral("\n  ")));
}

} // namespace

class TestAccessibility : public QObject {
    Q_OBJECT

    UiHarness h;
    QString m_client;

    void check(QWidget &screen, const QString &name)
    {
        QStringList problems = nameAndPolicyProblems(&screen);
        int walked = 0;
        problems += tabProblems(&screen, &walked);
        QVERIFY2(problems.isEmpty(), qPrintable(report(name, problems)));
        const qsizetype controls = controlsOf(&screen).size();
        if (qEnvironmentVariableIsSet("WADESK_A11Y_LIST"))
            for (QWidget *w : controlsOf(&screen))
                qInfo("  %s visible=%d enabled=%d name=%s", qPrintable(describe(w)), w->isVisible(), w->isEnabled(), qPrintable(accessibleName(w)));
        qInfo("%s: %d controls named and focusable, %d visible ones reached by Tab", qPrintable(name), int(controls), walked);
        QVERIFY2(controls > 0 && walked > 0, qPrintable(name + QStringLiteral(": no controls found")));
    }

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        m_client = h.createClient(QStringLiteral("Front desk"));
    }

    void cleanupTestCase() { h.tearDown(); }

    void mainWindowClientsAndSessionView()
    {
        MainWindow w(*h.context);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto *clients = w.findChild<QAction *>(QStringLiteral("focusClientsAction"));
        QVERIFY(clients);
        QCOMPARE(clients->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_0));
        clients->trigger();
        QTRY_VERIFY(!w.dashboardShown());
        check(w, QStringLiteral("Main window (clients and session)"));
    }

    // Every main screen opens from the keyboard, each with its own shortcut (standard keys where
    // the platform has them: Find, Refresh, Quit).
    void everyScreenHasItsOwnShortcut()
    {
        MainWindow w(*h.context);
        QHash<QString, QString> owner;
        for (const QAction *a : w.findChildren<QAction *>()) {
            for (const QKeySequence &key : a->shortcuts()) {
                const QString text = key.toString(QKeySequence::PortableText);
                QVERIFY2(!owner.contains(text) || owner.value(text) == a->objectName(),
                         qPrintable(QStringLiteral("%1 is the shortcut of both %2 and %3").arg(text, owner.value(text), a->objectName())));
                owner.insert(text, a->objectName());
            }
        }
        for (const char *name : {"showSessionAction", "showConversationsAction", "focusClientsAction", "proxiesAction", "dashboardAction",
                                 "teamAction", "webhooksAction", "apiKeysAction", "auditLogAction", "contactsAction", "settingsAction",
                                 "accountAction", "findContactAction", "refreshAction", "quitAction", "instancesAction"}) {
            auto *action = w.findChild<QAction *>(QLatin1String(name));
            QVERIFY2(action, name);
            QVERIFY2(!action->shortcut().isEmpty(), name);
        }
        QCOMPARE(w.findChild<QAction *>(QStringLiteral("findContactAction"))->shortcut(), QKeySequence(QKeySequence::Find));
        const QList<QKeySequence> quitKeys = QKeySequence::keyBindings(QKeySequence::Quit);
        QCOMPARE(w.findChild<QAction *>(QStringLiteral("quitAction"))->shortcut(),
                 quitKeys.isEmpty() ? QKeySequence(Qt::CTRL | Qt::Key_Q) : quitKeys.constFirst());
    }

    // Alt+letter reaches one entry: in the menu bar and in each menu, no two visible entries
    // share their accelerator letter (Qt would only cycle between them), in every language.
    void everyMenuEntryHasItsOwnAccelerator_data()
    {
        QTest::addColumn<QString>("language");
        for (const char *language : {"en", "de", "es"})
            QTest::newRow(language) << QString::fromLatin1(language);
    }
    void everyMenuEntryHasItsOwnAccelerator()
    {
        QFETCH(QString, language);
        QTranslator translator;
        if (language != QLatin1String("en")) {
            QVERIFY(translator.load(QStringLiteral(":/i18n/wadesk_%1.qm").arg(language)));
            QCoreApplication::installTranslator(&translator);
        }
        auto uninstall = qScopeGuard([&] { QCoreApplication::removeTranslator(&translator); });
        MainWindow w(*h.context);
        QStringList problems;
        int checked = 0;
        std::function<void(const QString &, const QList<QAction *> &)> checkEntries = [&](const QString &where, const QList<QAction *> &entries) {
            QHash<QString, QString> owner;
            for (QAction *a : entries) {
                if (a->isSeparator() || !a->isVisible())
                    continue;
                const QString letter = QKeySequence::mnemonic(a->text()).toString(QKeySequence::PortableText);
                if (qEnvironmentVariableIsSet("WADESK_A11Y_LIST"))
                    qInfo("  %s: %s [%s]", qPrintable(where), qPrintable(a->text()), qPrintable(letter));
                if (!letter.isEmpty()) {
                    ++checked;
                    if (owner.contains(letter))
                        problems << QStringLiteral("%1: \"%2\" and \"%3\" share %4").arg(where, owner.value(letter), a->text(), letter);
                    owner.insert(letter, a->text());
                }
                if (a->menu())
                    checkEntries(where + QStringLiteral(" > ") + a->text(), a->menu()->actions());
            }
        };
        checkEntries(QStringLiteral("menu bar"), w.menuBar()->actions());
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        QVERIFY2(checked > 20, qPrintable(QString::number(checked)));
    }

    void dashboard()
    {
        MainWindow w(*h.context);
        auto *action = w.findChild<QAction *>(QStringLiteral("dashboardAction"));
        QVERIFY(action);
        QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_4));
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        if (!w.dashboardShown()) // the first screen for an admin
            action->trigger();
        QVERIFY(w.dashboardView());
        QTRY_VERIFY(w.dashboardShown());
        check(w, QStringLiteral("Dashboard"));
    }

    void proxies()
    {
        ProxiesView view(*h.context);
        check(view, QStringLiteral("Proxies"));
    }

    void adminScreens_data()
    {
        QTest::addColumn<QString>("screen");
        for (const char *name : {"team", "webhooks", "apiKeys", "audit", "contacts", "account", "instances"})
            QTest::newRow(name) << QString::fromLatin1(name);
    }

    void adminScreens()
    {
        QFETCH(QString, screen);
        std::unique_ptr<QWidget> dialog;
        if (screen == QLatin1String("team"))
            dialog = std::make_unique<TeamDialog>(*h.context);
        else if (screen == QLatin1String("webhooks"))
            dialog = std::make_unique<WebhooksDialog>(*h.context);
        else if (screen == QLatin1String("apiKeys"))
            dialog = std::make_unique<ApiKeysDialog>(*h.context);
        else if (screen == QLatin1String("audit"))
            dialog = std::make_unique<AuditLogDialog>(*h.context);
        else if (screen == QLatin1String("contacts"))
            dialog = std::make_unique<ContactsDialog>(*h.context);
        else if (screen == QLatin1String("instances"))
            dialog = std::make_unique<InstancesDialog>(*h.context);
        else
            dialog = std::make_unique<AccountDialog>(*h.context);
        check(*dialog, screen);
    }

    void settingsEveryTab()
    {
        SettingsDialog dialog(*h.context);
        auto *tabs = dialog.findChild<QTabWidget *>();
        QVERIFY(tabs);
        QVERIFY(tabs->count() >= 3);
        for (int i = 0; i < tabs->count(); ++i) {
            tabs->setCurrentIndex(i);
            check(dialog, QStringLiteral("Settings, tab %1").arg(tabs->tabText(i)));
        }
    }

    void smallDialogs()
    {
        {
            AddClientDialog d;
            check(d, QStringLiteral("Add client"));
        }
        {
            RenameClientDialog d(QStringLiteral("Front desk"));
            check(d, QStringLiteral("Rename client"));
        }
        {
            AddWebhookDialog d({QStringLiteral("message.received"), QStringLiteral("message.ack")});
            check(d, QStringLiteral("Add webhook"));
        }
        {
            CreateApiKeyDialog d(QDateTime::currentMSecsSinceEpoch());
            check(d, QStringLiteral("Create API key"));
        }
        {
            ContactRecord contact;
            contact.id = QStringLiteral("c1");
            contact.phoneNumber = QStringLiteral("+14155552671");
            contact.name = QStringLiteral("Ana");
            ContactEditDialog d(contact);
            check(d, QStringLiteral("Edit contact"));
        }
        {
            DeleteClientDialog d(QStringLiteral("Front desk"), QStringLiteral("+14155552671"), 2, true);
            check(d, QStringLiteral("Delete client"));
        }
        {
            AddMemberDialog d({Role::Manager, Role::Agent, Role::Viewer});
            check(d, QStringLiteral("Add member"));
        }
        {
            ProxyDialog d;
            check(d, QStringLiteral("Add proxy"));
        }
        {
            OneTimeSecretDialog d(QStringLiteral("API Key Created"), QStringLiteral("The key is below."), QStringLiteral("wdk_secret"));
            check(d, QStringLiteral("One-time secret"));
        }
        {
            InstanceService::Instance here;
            here.id = QStringLiteral("here");
            here.alive = true;
            InstanceService::Instance there;
            there.id = QStringLiteral("there");
            there.draining = true;
            PinInstanceDialog d(QStringLiteral("Front desk"), QStringLiteral("there"), {here, there}, QStringLiteral("here"));
            check(d, QStringLiteral("Run on instance"));
        }
    }

    void signIn()
    {
        SignInDialog dialog(*h.context, h.dir.filePath(QStringLiteral("wadesk.ini")));
        check(dialog, QStringLiteral("Sign in"));
    }

    void firstRunWizardEveryPage()
    {
        QTemporaryDir home;
        FirstRunWizard::Options o;
        o.dataDir = home.filePath(QStringLiteral("data"));
        o.settingsFile = home.filePath(QStringLiteral("wadesk.ini"));
        o.defaultDataDir = o.dataDir;
        o.passwordCost = PasswordHasher::Cost::Minimal;
        o.keychainProbe = []() {
            return KeychainSecretStore::Probe{KeychainSecretStore::Availability::NoBackend, QStringLiteral("no keychain in this test")};
        };
        FirstRunWizard wizard(o);
        // Every page's controls have names and take Tab; the first page is walked with Tab.
        for (int id : wizard.pageIds()) {
            const QStringList problems = nameAndPolicyProblems(wizard.page(id));
            QVERIFY2(problems.isEmpty(), qPrintable(report(QStringLiteral("First-run wizard page %1").arg(id), problems)));
        }
        const QStringList walk = tabProblems(&wizard);
        QVERIFY2(walk.isEmpty(), qPrintable(report(QStringLiteral("First-run wizard"), walk)));
    }
};

WADESK_UI_TEST_MAIN(TestAccessibility)
#include "tst_accessibility.moc"
