// The editors of issue 13 (Edit → Templates and Replies…) and the composer's /shortcut, against
// a real SQLite database and the real TemplateService and AutoReplyService:
//  - the three list models pass QAbstractItemModelTester as items come and go;
//  - templates: created, changed and deleted through the dialogs; the live preview renders for a
//    chosen contact (name, attributes, defaults) and names an unknown variable at once; saving
//    an unknown variable or a taken name shows the service's message and changes nothing;
//  - quick replies: the same, with a bad and a taken shortcut refused;
//  - auto-reply rules: a keyword rule (match mode, keywords, client), an away rule (business
//    hours, holidays, period) stored as the API stores them; a bad pattern or an away rule
//    without days refused with nothing changed;
//  - roles: admins and managers manage; agents see only the quick replies, read-only; viewers
//    are not offered the screen;
//  - the composer: "/" and letters offer the matching quick replies, Tab or Enter expands them
//    (at the start or after a space, not inside a word).
// Screenshots, light and dark, go to <build>/screenshots.

#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"

#include "core/autoreplies/AutoReplyService.h"
#include "core/contacts/ContactImport.h"
#include "core/templates/TemplateService.h"
#include "ui/automation/AutoReplyRuleDialog.h"
#include "ui/automation/AutomationDialog.h"
#include "ui/automation/AutomationModels.h"
#include "ui/automation/QuickReplyEditDialog.h"
#include "ui/automation/TemplateEditDialog.h"
#include "ui/conversations/Composer.h"
#include "ui/conversations/QuickReplyCompleter.h"
#include "ui/main/MainWindow.h"

#include <QAbstractItemModelTester>
#include <QAbstractItemView>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimeEdit>
#include <QTreeView>

using namespace wadesk;
using wadesk::test::UiHarness;

class TestEditorsUi : public QObject {
    Q_OBJECT

    UiHarness h;
    QString m_clientId;

    int templateCount()
    {
        const Result<TemplateService::Page> p = h.context->services().templates().list(h.admin, 100, 0);
        return p ? p.value().total : -1;
    }
    QList<QuickReplyRecord> quickReplies()
    {
        const Result<QList<QuickReplyRecord>> r = h.context->services().templates().quickReplies(h.admin);
        return r ? r.value() : QList<QuickReplyRecord>();
    }
    QList<AutoReplyRule> rules()
    {
        const Result<AutoReplyService::Page> p = h.context->services().autoReplies().list(h.admin, 100, 0);
        return p ? p.value().rules : QList<AutoReplyRule>();
    }
    AuthContext member(Role role)
    {
        const Result<UserRecord> user = h.createMember(QStringLiteral("role%1@ui.test").arg(int(role)), role);
        return user ? UiHarness::actorOf(user.value()) : AuthContext();
    }

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        m_clientId = h.createClient(QStringLiteral("Sales"));
        QVERIFY(!m_clientId.isEmpty());
        // A contact with attributes for the previews, imported as the API imports.
        ContactImport importer(*h.db);
        Result<ContactImport::Report> r = importer.run(h.admin, QByteArrayLiteral("phone,name,city\n+14155550101,Ada Lovelace,London\n"),
                                                       ContactImport::Options());
        QVERIFY(r.ok());
        QCOMPARE(r.value().imported, 1);
    }
    void cleanupTestCase() { h.tearDown(); }

    void modelsPassTheTester()
    {
        AutomationDialog dialog(*h.context);
        QAbstractItemModelTester t1(dialog.templateModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(dialog.quickReplyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t3(dialog.ruleModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(dialog.templateModel()->rowCount(), 0);
        QVERIFY(!dialog.findChild<QLabel *>(QStringLiteral("templateEmptyHint"))->isHidden());
        TemplateService::TemplateDraft t;
        t.name = QStringLiteral("Tester");
        t.body = QStringLiteral("Hi {{name}}");
        Result<TemplateRecord> created = h.context->services().templates().create(h.admin, t);
        QVERIFY(created.ok());
        TemplateService::QuickReplyDraft q;
        q.shortcut = QStringLiteral("tester");
        q.text = QStringLiteral("A tester's reply");
        Result<QuickReplyRecord> reply = h.context->services().templates().createQuickReply(h.admin, q);
        QVERIFY(reply.ok());
        dialog.reload();
        QCOMPARE(dialog.templateModel()->rowCount(), 1);
        QCOMPARE(dialog.templateModel()->index(0, TemplateListModel::VariablesColumn).data().toString(), QStringLiteral("name"));
        QCOMPARE(dialog.quickReplyModel()->index(0, QuickReplyListModel::ShortcutColumn).data().toString(), QStringLiteral("/tester"));
        QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("templateEmptyHint"))->isHidden());
        QVERIFY(h.context->services().templates().remove(h.admin, created.value().id).ok());
        QVERIFY(h.context->services().templates().removeQuickReply(h.admin, reply.value().id).ok());
        dialog.reload();
        QCOMPARE(dialog.templateModel()->rowCount(), 0);
        QCOMPARE(dialog.quickReplyModel()->rowCount(), 0);
    }

    void templatesThroughTheDialogs()
    {
        AutomationDialog dialog(*h.context);
        auto *editor = qobject_cast<TemplateEditDialog *>(dialog.openEditor(AutomationDialog::TemplatesTab, false));
        QVERIFY(editor);
        editor->nameEdit()->setText(QStringLiteral("Welcome"));
        editor->textEdit()->setPlainText(QStringLiteral("Hello {{name|there}} from {{attributes.city|your city}}"));
        // The sample: no name, no attributes, so the defaults.
        QCOMPARE(editor->previewLabel()->text(), QStringLiteral("Hello there from your city"));
        const int ada = editor->contactChooser()->findText(QStringLiteral("Ada Lovelace (+14155550101)"));
        QVERIFY(ada > 0);
        editor->contactChooser()->setCurrentIndex(ada);
        QCOMPARE(editor->previewLabel()->text(), QStringLiteral("Hello Ada Lovelace from London"));
        // An unknown variable: named in the preview at once, refused on save with nothing made.
        editor->textEdit()->setPlainText(QStringLiteral("Hello {{nickname}}"));
        QVERIFY2(editor->previewLabel()->text().contains(QStringLiteral("nickname")), qPrintable(editor->previewLabel()->text()));
        editor->saveButton()->click();
        QVERIFY(editor->isVisible() || dialog.editor() == editor);
        QVERIFY2(editor->errorText().contains(QStringLiteral("Unknown variable 'nickname'")), qPrintable(editor->errorText()));
        QCOMPARE(templateCount(), 0);
        editor->textEdit()->setPlainText(QStringLiteral("Hello {{name|there}}, {{attributes.city}} calling"));
        editor->saveButton()->click();
        QTRY_VERIFY(!dialog.editor());
        QCOMPARE(templateCount(), 1);
        QCOMPARE(dialog.templateModel()->rowCount(), 1);
        QCOMPARE(dialog.currentId(AutomationDialog::TemplatesTab), dialog.templateModel()->record(0)->id);
        QCOMPARE(dialog.templateModel()->record(0)->body, QStringLiteral("Hello {{name|there}}, {{attributes.city}} calling"));

        // A second one may not take the name.
        editor = qobject_cast<TemplateEditDialog *>(dialog.openEditor(AutomationDialog::TemplatesTab, false));
        editor->nameEdit()->setText(QStringLiteral("Welcome"));
        editor->textEdit()->setPlainText(QStringLiteral("Other"));
        QVERIFY(!editor->save());
        QVERIFY2(editor->errorText().contains(QStringLiteral("exists already")), qPrintable(editor->errorText()));
        editor->reject();
        QTRY_VERIFY(!dialog.editor());
        QCOMPARE(templateCount(), 1);

        // Edit: the fields come filled in; a change is stored.
        editor = qobject_cast<TemplateEditDialog *>(dialog.openEditor(AutomationDialog::TemplatesTab, true));
        QVERIFY(editor);
        QCOMPARE(editor->nameEdit()->text(), QStringLiteral("Welcome"));
        editor->textEdit()->setPlainText(QStringLiteral("Hi {{name}}"));
        editor->saveButton()->click();
        QTRY_VERIFY(!dialog.editor());
        QCOMPARE(dialog.templateModel()->record(0)->body, QStringLiteral("Hi {{name}}"));
        // Delete.
        QVERIFY(dialog.deleteSelected(AutomationDialog::TemplatesTab, false));
        QCOMPARE(templateCount(), 0);
        QCOMPARE(dialog.templateModel()->rowCount(), 0);
        QVERIFY(!dialog.editButton(AutomationDialog::TemplatesTab)->isEnabled());
    }

    void quickRepliesThroughTheDialogs()
    {
        AutomationDialog dialog(*h.context);
        auto *editor = qobject_cast<QuickReplyEditDialog *>(dialog.openEditor(AutomationDialog::QuickRepliesTab, false));
        QVERIFY(editor);
        editor->shortcutEdit()->setText(QStringLiteral("no spaces here"));
        editor->textEdit()->setPlainText(QStringLiteral("Thanks!"));
        QVERIFY(!editor->save());
        QVERIFY2(editor->errorText().contains(QStringLiteral("shortcut")), qPrintable(editor->errorText()));
        QVERIFY(quickReplies().isEmpty());
        editor->shortcutEdit()->setText(QStringLiteral("/Thanks"));
        editor->saveButton()->click();
        QTRY_VERIFY(!dialog.editor());
        QCOMPARE(quickReplies().size(), 1);
        QCOMPARE(quickReplies().at(0).shortcut, QStringLiteral("thanks"));

        editor = qobject_cast<QuickReplyEditDialog *>(dialog.openEditor(AutomationDialog::QuickRepliesTab, false));
        editor->shortcutEdit()->setText(QStringLiteral("thanks"));
        editor->textEdit()->setPlainText(QStringLiteral("Again"));
        QVERIFY(!editor->save());
        QVERIFY2(editor->errorText().contains(QStringLiteral("taken")), qPrintable(editor->errorText()));
        editor->reject();
        QTRY_VERIFY(!dialog.editor());
        QCOMPARE(quickReplies().size(), 1);

        editor = qobject_cast<QuickReplyEditDialog *>(dialog.openEditor(AutomationDialog::QuickRepliesTab, true));
        QVERIFY(editor);
        QCOMPARE(editor->shortcutEdit()->text(), QStringLiteral("thanks"));
        editor->textEdit()->setPlainText(QStringLiteral("Thank you for writing to us!"));
        QVERIFY(editor->save());
        editor->accept();
        QTRY_VERIFY(!dialog.editor());
        QCOMPARE(quickReplies().at(0).text, QStringLiteral("Thank you for writing to us!"));
        QVERIFY(dialog.deleteSelected(AutomationDialog::QuickRepliesTab, false));
        QVERIFY(quickReplies().isEmpty());
    }

    void autoReplyRulesThroughTheDialogs()
    {
        AutomationDialog dialog(*h.context);
        auto *editor = qobject_cast<AutoReplyRuleDialog *>(dialog.openEditor(AutomationDialog::AutoRepliesTab, false));
        QVERIFY(editor);
        editor->nameEdit()->setText(QStringLiteral("Prices"));
        QVERIFY(!editor->keywordGroup()->isHidden());
        QVERIFY(editor->hoursGroup()->isHidden());
        editor->matchChooser()->setCurrentIndex(editor->matchChooser()->findData(QStringLiteral("regex")));
        editor->keywordsEdit()->setPlainText(QStringLiteral("price(s\n"));
        editor->replyEdit()->setPlainText(QStringLiteral("Our prices: example.com/prices"));
        QVERIFY(!editor->save());
        QVERIFY2(editor->errorText().contains(QStringLiteral("keywords")), qPrintable(editor->errorText()));
        QVERIFY(rules().isEmpty());
        editor->keywordsEdit()->setPlainText(QStringLiteral("price(s)?\n\ncost"));
        editor->clientChooser()->setCurrentIndex(editor->clientChooser()->findData(m_clientId));
        editor->periodMinutes()->setValue(30);
        editor->saveButton()->click();
        QTRY_VERIFY(!dialog.editor());
        QCOMPARE(rules().size(), 1);
        AutoReplyRule rule = rules().at(0);
        QCOMPARE(rule.kind, AutoReplyKind::Keyword);
        QCOMPARE(rule.match, KeywordMatch::Regex);
        QCOMPARE(rule.keywords, (QStringList{QStringLiteral("price(s)?"), QStringLiteral("cost")}));
        QCOMPARE(rule.clientId, m_clientId);
        QCOMPARE(rule.cooldownSeconds, 1800);
        QCOMPARE(dialog.ruleModel()->index(0, AutoReplyRuleListModel::ClientColumn).data().toString(), QStringLiteral("Sales"));

        // An away rule: no day open is refused; Monday to Friday 9 to 17 and a holiday are stored.
        editor = qobject_cast<AutoReplyRuleDialog *>(dialog.openEditor(AutomationDialog::AutoRepliesTab, false));
        editor->nameEdit()->setText(QStringLiteral("Closed"));
        editor->kindChooser()->setCurrentIndex(editor->kindChooser()->findData(QStringLiteral("away")));
        QVERIFY(editor->keywordGroup()->isHidden());
        QVERIFY(!editor->hoursGroup()->isHidden());
        editor->replyEdit()->setPlainText(QStringLiteral("We are closed; we answer tomorrow."));
        editor->holidaysEdit()->setText(QStringLiteral("2026-12-25, not-a-date"));
        QVERIFY(!editor->save());
        QVERIFY(!editor->errorText().isEmpty());
        QCOMPARE(rules().size(), 1);
        editor->holidaysEdit()->setText(QStringLiteral("2026-12-25"));
        editor->opensEdit()->setTime(QTime(8, 30));
        editor->closesEdit()->setTime(QTime(18, 0));
        editor->dayBoxes().at(4)->setChecked(false); // not Friday
        editor->saveButton()->click();
        QTRY_VERIFY(!dialog.editor());
        QCOMPARE(rules().size(), 2);
        const QString awayId = dialog.currentId(AutomationDialog::AutoRepliesTab);
        const Result<AutoReplyRule> away = h.context->services().autoReplies().get(h.admin, awayId);
        QVERIFY(away.ok());
        QCOMPARE(away.value().kind, AutoReplyKind::Away);
        QVERIFY(away.value().clientId.isEmpty());
        QCOMPARE(away.value().schedule.hours.size(), 1);
        QCOMPARE(away.value().schedule.hours.at(0).days, (QSet<int>{1, 2, 3, 4}));
        QCOMPARE(away.value().schedule.hours.at(0).start, QTime(8, 30));
        QCOMPARE(away.value().schedule.holidays, (QList<QDate>{QDate(2026, 12, 25)}));
        QCOMPARE(away.value().cooldownSeconds, AutoReplyRule::defaultCooldownSeconds(AutoReplyKind::Away));

        // Edit the away rule: the form comes back as stored; switch it off.
        editor = qobject_cast<AutoReplyRuleDialog *>(dialog.openEditor(AutomationDialog::AutoRepliesTab, true));
        QVERIFY(editor);
        QCOMPARE(editor->kindChooser()->currentData().toString(), QStringLiteral("away"));
        QVERIFY(!editor->dayBoxes().at(4)->isChecked());
        QCOMPARE(editor->closesEdit()->time(), QTime(18, 0));
        QCOMPARE(editor->holidaysEdit()->text(), QStringLiteral("2026-12-25"));
        editor->enabledBox()->setChecked(false);
        QVERIFY(editor->save());
        editor->accept();
        QTRY_VERIFY(!dialog.editor());
        QVERIFY(!h.context->services().autoReplies().get(h.admin, awayId).value().enabled);
        dialog.select(AutomationDialog::AutoRepliesTab, awayId);
        QVERIFY(dialog.deleteSelected(AutomationDialog::AutoRepliesTab, false));
        QCOMPARE(rules().size(), 1);
        QVERIFY(dialog.deleteSelected(AutomationDialog::AutoRepliesTab, false));
        QVERIFY(rules().isEmpty());
    }

    void rolesGateTheEditors()
    {
        TemplateService::QuickReplyDraft q;
        q.shortcut = QStringLiteral("hours");
        q.text = QStringLiteral("We are open 9 to 5.");
        Result<QuickReplyRecord> reply = h.context->services().templates().createQuickReply(h.admin, q);
        QVERIFY(reply.ok());
        const AuthContext manager = member(Role::Manager);
        const AuthContext agent = member(Role::Agent);
        const AuthContext viewer = member(Role::Viewer);
        {
            h.context->signIn(manager);
            AutomationDialog dialog(*h.context);
            QVERIFY(dialog.mayManage());
            QVERIFY(dialog.tabs()->isTabVisible(AutomationDialog::TemplatesTab));
            QVERIFY(dialog.openEditor(AutomationDialog::TemplatesTab, false));
        }
        {
            h.context->signIn(agent);
            MainWindow window(*h.context);
            QVERIFY(window.automationAction()->isVisible());
            AutomationDialog dialog(*h.context);
            QVERIFY(!dialog.mayManage());
            QVERIFY(!dialog.tabs()->isTabVisible(AutomationDialog::TemplatesTab));
            QVERIFY(!dialog.tabs()->isTabVisible(AutomationDialog::AutoRepliesTab));
            QCOMPARE(dialog.tabs()->currentIndex(), int(AutomationDialog::QuickRepliesTab));
            QCOMPARE(dialog.quickReplyModel()->rowCount(), 1); // they read the quick replies they use
            QVERIFY(dialog.addButton(AutomationDialog::QuickRepliesTab)->isHidden());
            QVERIFY(!dialog.openEditor(AutomationDialog::QuickRepliesTab, false));
            QVERIFY(!dialog.deleteSelected(AutomationDialog::QuickRepliesTab, false));
            QCOMPARE(quickReplies().size(), 1);
            QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
        }
        {
            h.context->signIn(viewer);
            MainWindow window(*h.context);
            QVERIFY(!window.automationAction()->isVisible());
            QVERIFY(!window.automationAction()->isEnabled());
            window.showAutomation();
            QVERIFY(!window.automationDialog());
        }
        h.context->signIn(h.admin);
        MainWindow window(*h.context);
        QVERIFY(window.automationAction()->isVisible());
        window.showAutomation();
        QVERIFY(window.automationDialog());
        QVERIFY(h.context->services().templates().removeQuickReply(h.admin, reply.value().id).ok());
    }

    void composerExpandsShortcuts()
    {
        TemplateService::QuickReplyDraft q;
        q.shortcut = QStringLiteral("greeting");
        q.text = QStringLiteral("Hello! How can we help?");
        QVERIFY(h.context->services().templates().createQuickReply(h.admin, q).ok());
        q.shortcut = QStringLiteral("goodbye");
        q.text = QStringLiteral("Thanks, have a good day.");
        QVERIFY(h.context->services().templates().createQuickReply(h.admin, q).ok());
        q.shortcut = QStringLiteral("hours");
        q.text = QStringLiteral("We are open 9 to 5.");
        QVERIFY(h.context->services().templates().createQuickReply(h.admin, q).ok());

        Composer composer(*h.context);
        composer.setClient(m_clientId);
        composer.resize(600, 200);
        composer.show();
        QVERIFY(QTest::qWaitForWindowExposed(&composer));
        QPlainTextEdit *edit = composer.textEdit();
        edit->setFocus();
        QuickReplyCompleter *completer = composer.quickReplies();
        QVERIFY(completer);

        QTest::keyClicks(edit, QStringLiteral("/g"));
        QTRY_VERIFY(completer->popupVisible());
        QCOMPARE(completer->completer()->completionCount(), 2); // greeting, goodbye
        QTest::keyClicks(edit, QStringLiteral("r"));
        QCOMPARE(completer->completer()->completionCount(), 1);
        QTest::keyClick(edit, Qt::Key_Tab);
        QCOMPARE(edit->toPlainText(), QStringLiteral("Hello! How can we help?"));
        QVERIFY(!completer->popupVisible());

        // After a space, with Enter (sent to the popup, as a real keyboard does while it is open).
        QTest::keyClicks(edit, QStringLiteral(" /HO"));
        QTRY_VERIFY(completer->popupVisible());
        QTest::keyClick(completer->popup(), Qt::Key_Return);
        QCOMPARE(edit->toPlainText(), QStringLiteral("Hello! How can we help? We are open 9 to 5."));

        // Inside a word, or with no match, nothing is offered and the text stays as typed.
        edit->clear();
        QTest::keyClicks(edit, QStringLiteral("and/or"));
        QVERIFY(!completer->popupVisible());
        QTest::keyClicks(edit, QStringLiteral(" /zz"));
        QVERIFY(!completer->popupVisible());
        QCOMPARE(edit->toPlainText(), QStringLiteral("and/or /zz"));
        QVERIFY(!completer->expand(QStringLiteral("zz")));
        QCOMPARE(edit->toPlainText(), QStringLiteral("and/or /zz"));
        // Escape closes the list and keeps the text.
        edit->clear();
        QTest::keyClicks(edit, QStringLiteral("/good"));
        QTRY_VERIFY(completer->popupVisible());
        QTest::keyClick(edit, Qt::Key_Escape);
        QVERIFY(!completer->popupVisible());
        QCOMPARE(edit->toPlainText(), QStringLiteral("/good"));

        // A viewer (who may not send) is offered nothing.
        edit->clear();
        const Result<UserRecord> viewer = h.createMember(QStringLiteral("viewer2@ui.test"), Role::Viewer);
        QVERIFY(viewer.ok());
        h.context->signIn(UiHarness::actorOf(viewer.value()));
        completer->reload();
        edit->setEnabled(true);
        QTest::keyClicks(edit, QStringLiteral("/"));
        QVERIFY(!completer->popupVisible());
        h.context->signIn(h.admin);
    }

    void screenshots()
    {
        TemplateService::TemplateDraft t;
        t.name = QStringLiteral("Order ready");
        t.body = QStringLiteral("Hello {{name|there}}, your order is ready for pick-up in {{attributes.city|our shop}}.");
        QVERIFY(h.context->services().templates().create(h.admin, t).ok());
        AutoReplyService::Draft d;
        d.name = QStringLiteral("Opening hours");
        d.kind = QStringLiteral("keyword");
        d.match = QStringLiteral("contains");
        d.keywords = QStringList{QStringLiteral("open"), QStringLiteral("hours")};
        d.replyText = QStringLiteral("We are open Monday to Friday, 9 to 5.");
        QVERIFY(h.context->services().autoReplies().create(h.admin, d).ok());
        AutoReplyService::Draft away;
        away.name = QStringLiteral("After hours");
        away.kind = QStringLiteral("away");
        away.clientId = m_clientId;
        away.schedule = QJsonObject{{QStringLiteral("business_hours"),
                                     QJsonArray{QJsonObject{{QStringLiteral("days"), QJsonArray{QStringLiteral("mon"), QStringLiteral("tue"),
                                                                                                 QStringLiteral("wed"), QStringLiteral("thu"),
                                                                                                 QStringLiteral("fri")}},
                                                            {QStringLiteral("start"), QStringLiteral("09:00")},
                                                            {QStringLiteral("end"), QStringLiteral("17:00")}}}},
                                    {QStringLiteral("holidays"), QJsonArray{QStringLiteral("2026-12-25")}}};
        away.replyText = QStringLiteral("Thanks! We answer from 9 tomorrow.");
        QVERIFY(h.context->services().autoReplies().create(h.admin, away).ok());
        AutoReplyService::Draft welcome;
        welcome.name = QStringLiteral("Welcome");
        welcome.kind = QStringLiteral("welcome");
        welcome.replyText = QStringLiteral("Welcome to UI Org!");
        QVERIFY(h.context->services().autoReplies().create(h.admin, welcome).ok());
        TemplateService::QuickReplyDraft q;
        q.shortcut = QStringLiteral("address");
        q.text = QStringLiteral("We are at 1 Main Street, open 9 to 5.");
        QVERIFY(h.context->services().templates().createQuickReply(h.admin, q).ok());
        const QString dir = wadesk::test::screenshotDir();
        auto save = [&](QWidget &w, const QString &name) {
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            QCoreApplication::processEvents();
            const QImage image = w.grab().toImage();
            QVERIFY(wadesk::test::hasContent(image));
            QVERIFY(image.save(QDir(dir).filePath(name)));
        };
        const QPalette light = QApplication::palette();
        for (const bool dark : {false, true}) {
            if (dark)
                QApplication::setPalette(wadesk::test::darkPalette());
            const QString suffix = dark ? QStringLiteral("-dark") : QString();
            AutomationDialog dialog(*h.context);
            save(dialog, QStringLiteral("editors-templates%1.png").arg(suffix));
            dialog.tabs()->setCurrentIndex(AutomationDialog::QuickRepliesTab);
            save(dialog, QStringLiteral("editors-quick-replies%1.png").arg(suffix));
            dialog.tabs()->setCurrentIndex(AutomationDialog::AutoRepliesTab);
            save(dialog, QStringLiteral("editors-auto-replies%1.png").arg(suffix));
            dialog.tabs()->setCurrentIndex(AutomationDialog::TemplatesTab);
            auto *editor = qobject_cast<TemplateEditDialog *>(dialog.openEditor(AutomationDialog::TemplatesTab, true));
            QVERIFY(editor);
            editor->contactChooser()->setCurrentIndex(1);
            save(*editor, QStringLiteral("editors-template-edit%1.png").arg(suffix));
            editor->reject();
            dialog.tabs()->setCurrentIndex(AutomationDialog::AutoRepliesTab);
            auto *rule = qobject_cast<AutoReplyRuleDialog *>(dialog.openEditor(AutomationDialog::AutoRepliesTab, false));
            QVERIFY(rule);
            rule->nameEdit()->setText(QStringLiteral("After hours"));
            rule->kindChooser()->setCurrentIndex(rule->kindChooser()->findData(QStringLiteral("away")));
            rule->replyEdit()->setPlainText(QStringLiteral("Thanks for your message! We answer from 9 tomorrow."));
            save(*rule, QStringLiteral("editors-away-rule%1.png").arg(suffix));
            rule->reject();
            Composer composer(*h.context);
            composer.setClient(m_clientId);
            composer.resize(600, 160);
            composer.show();
            QVERIFY(QTest::qWaitForWindowExposed(&composer));
            composer.textEdit()->setFocus();
            QTest::keyClicks(composer.textEdit(), QStringLiteral("/g"));
            QTRY_VERIFY(composer.quickReplies()->popupVisible());
            // The popup is a window of its own: drawn over the composer where it shows.
            QWidget *popup = composer.quickReplies()->popup();
            const QImage base = composer.grab().toImage();
            const QImage list = popup->grab().toImage();
            const QPoint at = composer.mapFromGlobal(popup->mapToGlobal(QPoint(0, 0)));
            QImage shot(qMax(base.width(), at.x() + list.width()), qMax(base.height(), at.y() + list.height()), QImage::Format_ARGB32);
            shot.fill(QApplication::palette().color(QPalette::Window));
            {
                QPainter painter(&shot);
                painter.drawImage(0, 0, base);
                painter.drawImage(at, list);
            }
            QVERIFY(wadesk::test::hasContent(shot));
            QVERIFY(shot.save(QDir(dir).filePath(QStringLiteral("composer-quick-replies%1.png").arg(suffix))));
        }
        QApplication::setPalette(light);
    }
};

WADESK_UI_TEST_MAIN(TestEditorsUi)
#include "tst_editors_ui.moc"
