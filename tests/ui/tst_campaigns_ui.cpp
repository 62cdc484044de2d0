// The desktop's Campaigns screen (issue 13) against a real SQLite database and the real services:
//  - The list and recipients models pass QAbstractItemModelTester; the recipients are read a page
//    at a time and filtered by status through CampaignService.
//  - The wizard, driven page by page: a live recipient count (numbers, tags through the segment
//    preview, a saved segment), a template rendered for a sample contact, a schedule and window,
//    the estimated finish from CampaignService::estimate; Create stores the campaign and the
//    screen starts it on the tasks' thread (frozen audience: the invalid number is skipped).
//  - Bad input on each page shows the service's error and does not advance; nothing is stored.
//  - Pause, resume and cancel (declined, then confirmed) through the buttons; the list follows a
//    pause made elsewhere (the service, as the API would) through the events, without a click.
//  - The detail's counts, the status filter and the CSV and JSON exports (written off the GUI
//    thread, the API's bytes).
//  - Role gating: agents have no Campaigns action; viewers read campaigns on their assigned
//    clients only, with no managing buttons.
// Screenshots light and dark go to <build>/screenshots.

#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"

#include "core/campaigns/CampaignScheduler.h"
#include "core/campaigns/CampaignService.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactRepository.h"
#include "core/messaging/ContactService.h"
#include "core/messaging/Segments.h"
#include "core/templates/TemplateService.h"
#include "ui/campaigns/CampaignDetailDialog.h"
#include "ui/campaigns/CampaignTasks.h"
#include "ui/campaigns/CampaignWizard.h"
#include "ui/campaigns/CampaignsDialog.h"
#include "ui/common/ErrorText.h"
#include "ui/main/MainWindow.h"
#include "ui/models/CampaignListModel.h"
#include "ui/models/CampaignRecipientModel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTimeEdit>
#include <QTreeView>

using namespace wadesk;
using wadesk::test::kUiWaitMs;
using wadesk::test::UiHarness;

class TestCampaignsUi : public QObject {
    Q_OBJECT

    UiHarness h;
    UserRecord m_manager;
    UserRecord m_agent;
    UserRecord m_viewer;
    QString m_client;      // the viewer's
    QString m_otherClient; // not assigned to the viewer
    QString m_template;
    QString m_segment;
    QString m_ana; // a contact with a name and the "vip" tag
    QString m_linked; // a client linked on the fake page (liveProgressOnALinkedClient)
    QString m_sentCampaign; // the campaign it sent

    AuthContext as(const UserRecord &u) { return UiHarness::actorOf(u); }
    CampaignService &campaigns() { return h.context->services().campaigns(); }

    QString makeCampaign(const QString &name, const QString &clientId, const QStringList &numbers)
    {
        CampaignService::Draft d;
        d.name = name;
        d.clientIds = {clientId};
        d.message = QStringLiteral("Hello from %1").arg(name);
        d.numbers = numbers;
        Result<CampaignView> v = campaigns().create(h.admin, d);
        return v ? v.value().campaign.id : QString();
    }
    CampaignStatus statusOf(const QString &id)
    {
        Result<CampaignView> v = campaigns().get(h.admin, id);
        return v ? v.value().campaign.status : CampaignStatus::Draft;
    }
    static QStringList numbers(int count, int from = 0)
    {
        QStringList out;
        for (int i = 0; i < count; ++i)
            out << QStringLiteral("+1415556%1").arg(from + i, 4, 10, QLatin1Char('0'));
        return out;
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
        Result<ClientRecord> client = h.context->clients().create(h.admin, QStringLiteral("Front desk"), QStringLiteral("+14155550100"));
        Result<ClientRecord> other = h.context->clients().create(h.admin, QStringLiteral("Back office"), QStringLiteral("+14155550199"));
        QVERIFY(client.ok() && other.ok());
        m_client = client.value().id;
        m_otherClient = other.value().id;
        QVERIFY(h.context->team().assignClient(h.admin, m_viewer.id, m_client).ok());

        SqlRunner sql(*h.db);
        ContactRepository repo(sql);
        QList<ContactRecord> rows;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < 6; ++i) {
            ContactRecord c;
            c.id = Ids::make("contact");
            c.organizationId = h.admin.organizationId;
            c.phoneNumber = QStringLiteral("+1415557%1").arg(i, 4, 10, QLatin1Char('0'));
            c.name = i == 0 ? QStringLiteral("Ana") : QStringLiteral("Person %1").arg(i);
            c.tags = i < 3 ? QStringList{QStringLiteral("vip")} : QStringList{QStringLiteral("news")};
            c.createdAt = c.updatedAt = now - i * 1000;
            rows << c;
            if (i == 0)
                m_ana = c.id;
        }
        QVERIFY(repo.upsertMany(rows).ok());
        TemplateService::TemplateDraft t;
        t.name = QStringLiteral("Greeting");
        t.body = QStringLiteral("Hello {{name|friend}}, our sale starts Monday");
        Result<TemplateRecord> tpl = h.context->services().templates().create(h.admin, t);
        QVERIFY2(tpl.ok(), qPrintable(tpl ? QString() : tpl.error().message));
        m_template = tpl.value().id;
        SegmentRules rules;
        rules.tagsAny = {QStringLiteral("news")};
        Result<SegmentRecord> segment = SegmentService(*h.db).create(h.admin, QStringLiteral("Newsletter"), rules);
        QVERIFY(segment.ok());
        m_segment = segment.value().id;
    }

    void cleanupTestCase() { h.tearDown(); }

    void init() { h.context->signIn(h.admin); }

    void listModel()
    {
        const QString a = makeCampaign(QStringLiteral("Model A"), m_client, numbers(3));
        const QString b = makeCampaign(QStringLiteral("Model B"), m_client, numbers(2, 100));
        QVERIFY(!a.isEmpty() && !b.isEmpty());
        CampaignListModel model(*h.context);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model.reload());
        QVERIFY(model.rowOf(a) >= 0 && model.rowOf(b) >= 0);
        const int row = model.rowOf(a);
        QCOMPARE(model.data(model.index(row, CampaignListModel::NameColumn)).toString(), QStringLiteral("Model A"));
        QCOMPARE(model.data(model.index(row, CampaignListModel::StateColumn), CampaignListModel::StatusRole).toString(), QStringLiteral("draft"));
        QCOMPARE(model.data(model.index(row, CampaignListModel::ProgressColumn), CampaignListModel::TotalRole).toLongLong(), 0);
        QVERIFY(!model.anyActive());
        // Started: the audience is frozen and the row shows it, in place (same rows: no reset).
        QVERIFY(campaigns().start(h.admin, a).ok());
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.reload());
        QCOMPARE(resets.size(), 0);
        QVERIFY(changes.size() >= 1);
        QCOMPARE(model.data(model.index(row, CampaignListModel::ProgressColumn), CampaignListModel::TotalRole).toLongLong(), 3);
        QCOMPARE(model.data(model.index(row, CampaignListModel::StateColumn), CampaignListModel::StatusRole).toString(), QStringLiteral("running"));
        QVERIFY(model.anyActive());
        QVERIFY(!model.data(model.index(row, CampaignListModel::StartedColumn)).toString().isEmpty());
        QVERIFY(campaigns().cancel(h.admin, a).ok());
        QVERIFY(campaigns().cancel(h.admin, b).ok());
        QVERIFY(model.reload());
        QVERIFY(!model.anyActive());
    }

    void wizardCreatesAndStarts()
    {
        CampaignsDialog dialog(*h.context);
        CampaignWizard *wizard = dialog.openWizard();
        QVERIFY(wizard);
        QCOMPARE(wizard->currentId(), int(CampaignWizard::AudiencePageId));
        wizard->nameEdit()->setText(QStringLiteral("Spring sale"));
        wizard->clientBox()->setCurrentIndex(wizard->clientBox()->findData(m_client));
        // The live count: numbers (duplicates once), tags through the segment preview, a segment.
        wizard->numbersEdit()->setPlainText(QStringLiteral("+14155570000\n+14155570001\n+14155570001\nnot a number\n"));
        QCOMPARE(wizard->recipientCount(), 3);
        QVERIFY(wizard->countLabel()->text().contains(QLatin1String("3")));
        wizard->setAudienceKind(CampaignWizard::AudienceKind::Tags);
        wizard->tagsEdit()->setText(QStringLiteral("vip"));
        QCOMPARE(wizard->recipientCount(), 3);
        wizard->tagsEdit()->setText(QStringLiteral("vip, news"));
        QCOMPARE(wizard->recipientCount(), 6);
        wizard->setAudienceKind(CampaignWizard::AudienceKind::Segment);
        wizard->segmentBox()->setCurrentIndex(wizard->segmentBox()->findData(m_segment));
        QCOMPARE(wizard->recipientCount(), 3);
        wizard->setAudienceKind(CampaignWizard::AudienceKind::Numbers);
        QCOMPARE(wizard->recipientCount(), 3);
        wizard->next();
        QCOMPARE(wizard->currentId(), int(CampaignWizard::MessagePageId));

        // A template rendered for the sample contact through TemplateService::preview.
        wizard->templateChoice()->setChecked(true);
        wizard->templateBox()->setCurrentIndex(wizard->templateBox()->findData(m_template));
        wizard->sampleBox()->setCurrentIndex(wizard->sampleBox()->findData(m_ana));
        QCOMPARE(wizard->previewLabel()->text(), QStringLiteral("Hello Ana, our sale starts Monday"));
        wizard->next();
        QCOMPARE(wizard->currentId(), int(CampaignWizard::SchedulePageId));
        wizard->nowChoice()->setChecked(true);
        wizard->dailyCapBox()->setValue(1);
        wizard->next();
        QCOMPARE(wizard->currentId(), int(CampaignWizard::ReviewPageId));
        // The estimate: 3 recipients at 1 a day end two days from now at the earliest.
        const qint64 finish = wizard->estimateLabel()->property("estimatedFinishMs").toLongLong();
        QVERIFY2(finish >= QDateTime::currentMSecsSinceEpoch() + 2 * 24 * 3600 * 1000LL - 60000, qPrintable(wizard->estimateLabel()->text()));
        QVERIFY(wizard->reviewLabel()->text().contains(QLatin1String("Spring sale")));

        QSignalSpy started(&dialog, &CampaignsDialog::startFinished);
        wizard->button(QWizard::FinishButton)->click();
        const QString id = wizard->createdCampaignId();
        QVERIFY(!id.isEmpty());
        QVERIFY(started.wait(kUiWaitMs));
        QCOMPARE(started.at(0).at(0).toString(), id);
        QCOMPARE(started.at(0).at(1).toString(), QString());
        Result<CampaignView> v = campaigns().get(h.admin, id);
        QVERIFY(v.ok());
        QCOMPARE(v.value().campaign.status, CampaignStatus::Running);
        QCOMPARE(v.value().campaign.templateId, m_template);
        QCOMPARE(v.value().counts.total, 3);
        QCOMPARE(v.value().counts.skipped, 1); // "not a number"
        QCOMPARE(v.value().campaign.dailyCap, 1);
        // The list shows it, selected, and keeps refreshing while it runs.
        QCOMPARE(dialog.currentCampaign(), id);
        QVERIFY(dialog.refreshTimer()->isActive());
        QVERIFY(dialog.pauseButton()->isEnabled());
        QVERIFY(!dialog.startButton()->isEnabled());
        QVERIFY(campaigns().cancel(h.admin, id).ok());
    }

    void wizardBadInput()
    {
        Result<CampaignService::Page> before = campaigns().list(h.admin, CampaignQuery());
        QVERIFY(before.ok());
        CampaignWizard wizard(*h.context);
        wizard.show();
        wizard.clientBox()->setCurrentIndex(wizard.clientBox()->findData(m_client));
        // No audience.
        wizard.next();
        QCOMPARE(wizard.currentId(), int(CampaignWizard::AudiencePageId));
        QVERIFY(!wizard.errorText().isEmpty());
        // A contact id that is no contact: the service's 404, by ErrorText.
        wizard.setAudienceKind(CampaignWizard::AudienceKind::Contacts);
        wizard.contactIdsEdit()->setPlainText(QStringLiteral("contact_doesnotexist"));
        wizard.next();
        QCOMPARE(wizard.currentId(), int(CampaignWizard::AudiencePageId));
        QCOMPARE(wizard.errorText(), errorMessageFor(h.context->contacts().get(h.admin, QStringLiteral("contact_doesnotexist")).error()));
        wizard.contactIdsEdit()->setPlainText(m_ana);
        QCOMPARE(wizard.recipientCount(), 1);
        wizard.next();
        QCOMPARE(wizard.currentId(), int(CampaignWizard::MessagePageId));
        QVERIFY(wizard.errorText().isEmpty());
        // No text.
        wizard.textChoice()->setChecked(true);
        wizard.messageEdit()->setPlainText(QStringLiteral("   "));
        wizard.next();
        QCOMPARE(wizard.currentId(), int(CampaignWizard::MessagePageId));
        QVERIFY(!wizard.errorText().isEmpty());
        wizard.messageEdit()->setPlainText(QStringLiteral("Hi there"));
        QCOMPARE(wizard.previewLabel()->text(), QStringLiteral("Hi there"));
        wizard.next();
        QCOMPARE(wizard.currentId(), int(CampaignWizard::SchedulePageId));
        // A start in the past; a window without days; a window that opens when it closes.
        wizard.laterChoice()->setChecked(true);
        wizard.scheduleEdit()->setDateTime(QDateTime::currentDateTime().addDays(-1));
        wizard.next();
        QCOMPARE(wizard.currentId(), int(CampaignWizard::SchedulePageId));
        QVERIFY(!wizard.errorText().isEmpty());
        wizard.nowChoice()->setChecked(true);
        wizard.windowBox()->setChecked(true);
        for (int day = 1; day <= 7; ++day)
            wizard.dayBox(day)->setChecked(false);
        wizard.next();
        QCOMPARE(wizard.currentId(), int(CampaignWizard::SchedulePageId));
        QCOMPARE(wizard.errorText(), errorMessageFor(SendWindow::fromJson(QJsonObject{{QStringLiteral("days"), QJsonArray()},
                                                                                        {QStringLiteral("start"), QStringLiteral("09:00")},
                                                                                        {QStringLiteral("end"), QStringLiteral("18:00")}})
                                                         .error()));
        wizard.dayBox(1)->setChecked(true);
        wizard.windowStartEdit()->setTime(QTime(10, 0));
        wizard.windowEndEdit()->setTime(QTime(10, 0));
        wizard.next();
        QCOMPARE(wizard.currentId(), int(CampaignWizard::SchedulePageId));
        QVERIFY(wizard.errorText().contains(QLatin1String("differ")) || !wizard.errorText().isEmpty());
        wizard.windowEndEdit()->setTime(QTime(12, 0));
        wizard.next();
        QCOMPARE(wizard.currentId(), int(CampaignWizard::ReviewPageId));
        // The client went away in the meantime: Create shows the service's error and stays.
        Result<ClientRecord> doomed = h.context->clients().create(h.admin, QStringLiteral("Doomed"), QStringLiteral("+14155550177"));
        QVERIFY(doomed.ok());
        wizard.clientBox()->addItem(QStringLiteral("Doomed"), doomed.value().id);
        wizard.clientBox()->setCurrentIndex(wizard.clientBox()->count() - 1);
        QVERIFY(h.context->clients().remove(h.admin, doomed.value().id).ok());
        QVERIFY(!wizard.create());
        QVERIFY(!wizard.errorText().isEmpty());
        QVERIFY(wizard.createdCampaignId().isEmpty());
        Result<CampaignService::Page> after = campaigns().list(h.admin, CampaignQuery());
        QVERIFY(after.ok());
        QCOMPARE(after.value().total, before.value().total);
        wizard.reject();
    }

    void pauseResumeCancel()
    {
        const QString id = makeCampaign(QStringLiteral("Buttons"), m_client, numbers(4, 200));
        QVERIFY(!id.isEmpty());
        CampaignsDialog dialog(*h.context);
        dialog.selectCampaign(id);
        QCOMPARE(dialog.currentCampaign(), id);
        QVERIFY(dialog.startButton()->isEnabled());
        QVERIFY(!dialog.pauseButton()->isEnabled());
        QSignalSpy started(&dialog, &CampaignsDialog::startFinished);
        dialog.startButton()->click();
        QVERIFY(started.wait(kUiWaitMs));
        QCOMPARE(statusOf(id), CampaignStatus::Running);
        QVERIFY(dialog.pauseButton()->isEnabled());
        dialog.pauseButton()->click();
        QCOMPARE(statusOf(id), CampaignStatus::Paused);
        QVERIFY(dialog.resumeButton()->isEnabled());
        QVERIFY(!dialog.pauseButton()->isEnabled());
        dialog.resumeButton()->click();
        QCOMPARE(statusOf(id), CampaignStatus::Running);
        // Cancel asks first: "no" changes nothing, "yes" cancels.
        QString asked;
        dialog.setConfirmation([&asked](const QString &q) {
            asked = q;
            return false;
        });
        dialog.cancelButton()->click();
        QVERIFY(asked.contains(QLatin1String("Buttons")));
        QCOMPARE(statusOf(id), CampaignStatus::Running);
        dialog.setConfirmation([](const QString &) { return true; });
        dialog.cancelButton()->click();
        QCOMPARE(statusOf(id), CampaignStatus::Cancelled);
        QVERIFY(!dialog.cancelButton()->isEnabled());
        QVERIFY(!dialog.resumeButton()->isEnabled());
        QVERIFY(dialog.errorText().isEmpty());
    }

    void followsChangesMadeElsewhere()
    {
        const QString id = makeCampaign(QStringLiteral("Elsewhere"), m_client, numbers(2, 300));
        QVERIFY(campaigns().start(h.admin, id).ok());
        CampaignsDialog dialog(*h.context);
        CampaignListModel *model = dialog.campaignModel();
        const int row = model->rowOf(id);
        QVERIFY(row >= 0);
        QCOMPARE(model->data(model->index(row, 0), CampaignListModel::StatusRole).toString(), QStringLiteral("running"));
        // Paused by someone else (as the API would): the campaign.paused event refreshes the list,
        // before the periodic refresh would (stopped here, so only the event can do it).
        QVERIFY(dialog.refreshTimer()->isActive());
        dialog.refreshTimer()->stop();
        QVERIFY(campaigns().pause(as(m_manager), id).ok());
        QTRY_COMPARE_WITH_TIMEOUT(model->data(model->index(model->rowOf(id), 0), CampaignListModel::StatusRole).toString(),
                                  QStringLiteral("paused"), CampaignsDialog::kRefreshMs);
        QVERIFY(!dialog.refreshTimer()->isActive()); // nothing runs now
        QVERIFY(campaigns().cancel(h.admin, id).ok());
    }

    void detailFilterAndExport()
    {
        QStringList audience = numbers(130, 400);
        audience << QStringLiteral("12") << QStringLiteral("nonsense");
        const QString id = makeCampaign(QStringLiteral("Detail"), m_client, audience);
        QVERIFY(campaigns().start(h.admin, id).ok());
        CampaignsDialog dialog(*h.context);
        dialog.selectCampaign(id);
        CampaignDetailDialog *detail = dialog.openDetails();
        QVERIFY(detail);
        QCOMPARE(detail->countText(QStringLiteral("total")), QLocale().toString(132));
        QCOMPARE(detail->countText(QStringLiteral("skipped")), QLocale().toString(2));
        {
            // A page at a time (a model of its own, with no view or tester asking for more).
            CampaignRecipientModel pages(*h.context, id);
            QVERIFY(pages.reload());
            QCOMPARE(pages.rowCount(), CampaignRecipientModel::kPageSize);
            QCOMPARE(pages.pagesRead(), 1);
            QCOMPARE(pages.total(), 132);
            QVERIFY(pages.canFetchMore(QModelIndex()));
            pages.fetchMore(QModelIndex());
            QCOMPARE(pages.rowCount(), 132);
            QCOMPARE(pages.pagesRead(), 2);
            QVERIFY(!pages.canFetchMore(QModelIndex()));
            QCOMPARE(pages.data(pages.index(0, CampaignRecipientModel::PhoneColumn)).toString(), QStringLiteral("+14155560400"));
        }
        CampaignRecipientModel *model = detail->recipientModel();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Filtered by status.
        detail->statusFilter()->setCurrentIndex(detail->statusFilter()->findData(QStringLiteral("skipped")));
        QCOMPARE(model->rowCount(), 2);
        for (int r = 0; r < model->rowCount(); ++r) {
            QCOMPARE(model->data(model->index(r, 0), CampaignRecipientModel::StatusRole).toString(), QStringLiteral("skipped"));
            QCOMPARE(model->data(model->index(r, CampaignRecipientModel::ReasonColumn)).toString(), QStringLiteral("invalid_number"));
        }
        detail->statusFilter()->setCurrentIndex(0);
        QVERIFY(model->rowCount() >= CampaignRecipientModel::kPageSize);
        QCOMPARE(model->total(), 132);
        // A bad status is refused by the service with its error.
        QVERIFY(!model->setStatusFilter(QStringLiteral("bogus")));
        QVERIFY(!model->lastError().isEmpty());
        QCOMPARE(model->rowCount(), 0);

        // Exports: CSV with a header and one row per recipient; JSON with every recipient.
        QSignalSpy exported(detail, &CampaignDetailDialog::exported);
        const QString csvPath = h.dir.filePath(QStringLiteral("campaign.csv"));
        detail->exportTo(csvPath, false);
        QVERIFY(!detail->exportCsvButton()->isEnabled()); // while it runs
        QVERIFY(exported.wait(kUiWaitMs));
        QCOMPARE(exported.at(0).at(1).toString(), QString());
        QFile csv(csvPath);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().split('\n');
        QVERIFY(lines.first().startsWith("phone_number,status,reason"));
        int rows = 0;
        for (const QByteArray &l : lines)
            rows += l.trimmed().isEmpty() ? 0 : 1;
        QCOMPARE(rows, 133);
        QVERIFY(detail->exportCsvButton()->isEnabled());
        const QString jsonPath = h.dir.filePath(QStringLiteral("campaign.json"));
        detail->exportTo(jsonPath, true);
        QVERIFY(exported.wait(kUiWaitMs));
        QFile json(jsonPath);
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject doc = QJsonDocument::fromJson(json.readAll()).object();
        QCOMPARE(doc.value(QStringLiteral("campaign_id")).toString(), id);
        QCOMPARE(doc.value(QStringLiteral("recipients")).toArray().size(), 132);
        // Into a directory that does not exist: the error is shown, nothing crashes.
        detail->exportTo(h.dir.filePath(QStringLiteral("no/such/dir/x.csv")), false);
        QVERIFY(exported.wait(kUiWaitMs));
        QVERIFY(!exported.last().at(1).toString().isEmpty());
        QVERIFY(!detail->errorText().isEmpty());
        QVERIFY(campaigns().cancel(h.admin, id).ok());
    }

    void estimateFollowsTheCap()
    {
        CampaignService::Draft d;
        d.clientIds = {m_client};
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        Result<qint64> uncapped = campaigns().estimate(h.admin, d, 10);
        d.dailyCap = 5;
        Result<qint64> capped = campaigns().estimate(h.admin, d, 10);
        QVERIFY(uncapped.ok() && capped.ok());
        QVERIFY(uncapped.value() < now + 24 * 3600 * 1000LL);
        QVERIFY(capped.value() >= now + 24 * 3600 * 1000LL - 60000);
        // Only for those who manage campaigns; and a client of another organization is not found.
        QCOMPARE(campaigns().estimate(as(m_viewer), d, 10).error().httpStatus, 403);
        d.clientIds = {QStringLiteral("client_doesnotexist")};
        QCOMPARE(campaigns().estimate(h.admin, d, 10).error().httpStatus, 404);
    }

    void roleGating()
    {
        const QString mine = makeCampaign(QStringLiteral("On my client"), m_client, numbers(1, 600));
        const QString theirs = makeCampaign(QStringLiteral("On another client"), m_otherClient, numbers(1, 601));
        QVERIFY(!mine.isEmpty() && !theirs.isEmpty());
        {
            h.context->signIn(as(m_agent));
            MainWindow window(*h.context);
            QVERIFY(!window.campaignsAction()->isVisible());
            window.showCampaigns();
            QVERIFY(!window.campaignsDialog());
        }
        {
            h.context->signIn(as(m_viewer));
            MainWindow window(*h.context);
            QVERIFY(window.campaignsAction()->isVisible());
            window.campaignsAction()->trigger();
            CampaignsDialog *dialog = window.campaignsDialog();
            QVERIFY(dialog);
            QVERIFY(dialog->campaignModel()->rowOf(mine) >= 0);
            QCOMPARE(dialog->campaignModel()->rowOf(theirs), -1);
            for (QPushButton *b : {dialog->newButton(), dialog->startButton(), dialog->pauseButton(), dialog->resumeButton(), dialog->cancelButton()})
                QVERIFY(b->isHidden());
            QVERIFY(!dialog->openWizard());
            dialog->selectCampaign(mine);
            QVERIFY(dialog->detailsButton()->isEnabled());
            QVERIFY(dialog->openDetails());
            // Signing out closes the screen.
            h.context->signOut();
            QVERIFY(!window.campaignsAction()->isVisible());
        }
        {
            h.context->signIn(as(m_manager));
            MainWindow window(*h.context);
            // Its shortcut is its own.
            QVERIFY(!window.campaignsAction()->shortcut().isEmpty());
            for (QAction *a : window.findChildren<QAction *>()) {
                if (a != window.campaignsAction())
                    QVERIFY2(a->shortcut() != window.campaignsAction()->shortcut(), qPrintable(a->objectName()));
            }
            window.campaignsAction()->trigger();
            QVERIFY(window.campaignsDialog());
            QVERIFY(!window.campaignsDialog()->newButton()->isHidden());
            QVERIFY(window.campaignsDialog()->campaignModel()->rowOf(theirs) >= 0);
        }
    }

    // A campaign on a linked client (the fake WhatsApp Web page) sent by the real scheduler: the
    // open screen follows its progress to the end without a click.
    void liveProgressOnALinkedClient()
    {
        Result<ClientRecord> sender = h.context->clients().create(h.admin, QStringLiteral("Campaign sender"), QString());
        QVERIFY(sender.ok());
        m_linked = sender.value().id;
        QVERIFY(h.startToQr(m_linked));
        QVERIFY(h.scan(m_linked, QStringLiteral("14155550142")));
        const QString id = makeCampaign(QStringLiteral("Live"), m_linked, numbers(3, 500) << QStringLiteral("nonsense"));
        QVERIFY(!id.isEmpty());
        CampaignsDialog dialog(*h.context);
        dialog.show();
        dialog.selectCampaign(id);
        QSignalSpy started(&dialog, &CampaignsDialog::startFinished);
        dialog.startButton()->click();
        QVERIFY(started.wait(kUiWaitMs));
        QCOMPARE(started.at(0).at(1).toString(), QString());
        QVERIFY(dialog.refreshTimer()->isActive());
        CampaignListModel *model = dialog.campaignModel();
        CampaignSettings settings;
        settings.tickMs = 100;
        CampaignScheduler scheduler(*h.db, &h.bus, h.registry.get(), h.context->services().settings().messaging, settings);
        scheduler.start();
        auto sent = [&]() { return model->data(model->index(model->rowOf(id), 0), CampaignListModel::SentRole).toLongLong(); };
        auto status = [&]() { return model->data(model->index(model->rowOf(id), 0), CampaignListModel::StatusRole).toString(); };
        QTRY_COMPARE_WITH_TIMEOUT(sent(), 3, kUiWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(status(), QStringLiteral("completed"), kUiWaitMs);
        scheduler.stop();
        const QString progress = model->data(model->index(model->rowOf(id), CampaignListModel::ProgressColumn)).toString();
        QVERIFY2(progress.contains(QLatin1String("3")) && progress.contains(QLatin1String("4")), qPrintable(progress));
        QVERIFY(!model->data(model->index(model->rowOf(id), CampaignListModel::FinishedColumn)).toString().isEmpty());
        // Nothing runs any more: the refresh stops.
        QTRY_VERIFY(!model->anyActive());
        QVERIFY(!dialog.refreshTimer()->isActive());
        m_sentCampaign = id;
    }

    void screenshots()
    {
        // A running campaign part sent, a paused one, a draft and a completed one look different.
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
        const QString running = makeCampaign(QStringLiteral("Spring sale — VIP"), m_client, numbers(40, 700));
        QVERIFY(campaigns().start(h.admin, running).ok());
        const QString paused = makeCampaign(QStringLiteral("Opening hours change"), m_client, numbers(12, 800));
        QVERIFY(campaigns().start(h.admin, paused).ok());
        QVERIFY(campaigns().pause(h.admin, paused).ok());
        QVERIFY(!makeCampaign(QStringLiteral("Newsletter December"), m_client, numbers(5, 900)).isEmpty());
        auto shoot = [&](const QString &suffix) {
            {
                CampaignsDialog dialog(*h.context);
                dialog.resize(960, 460);
                dialog.selectCampaign(running);
                save(dialog, QStringLiteral("campaigns%1.png").arg(suffix));
                if (!m_sentCampaign.isEmpty())
                    dialog.selectCampaign(m_sentCampaign); // its figures say more than zeros
                CampaignDetailDialog *detail = dialog.openDetails();
                QVERIFY(detail);
                save(*detail, QStringLiteral("campaign-detail%1.png").arg(suffix));
                detail->close();
                CampaignWizard *wizard = dialog.openWizard();
                QVERIFY(wizard);
                wizard->resize(640, 560);
                wizard->nameEdit()->setText(QStringLiteral("Spring sale"));
                wizard->numbersEdit()->setPlainText(numbers(3).join(QLatin1Char('\n')));
                save(*wizard, QStringLiteral("campaign-wizard-audience%1.png").arg(suffix));
                wizard->next();
                wizard->templateChoice()->setChecked(true);
                wizard->templateBox()->setCurrentIndex(wizard->templateBox()->findData(m_template));
                wizard->sampleBox()->setCurrentIndex(wizard->sampleBox()->findData(m_ana));
                save(*wizard, QStringLiteral("campaign-wizard-message%1.png").arg(suffix));
                wizard->next();
                wizard->windowBox()->setChecked(true);
                save(*wizard, QStringLiteral("campaign-wizard-schedule%1.png").arg(suffix));
                wizard->next();
                save(*wizard, QStringLiteral("campaign-wizard-review%1.png").arg(suffix));
                wizard->reject();
            }
        };
        shoot(QString());
        const QPalette light = QApplication::palette();
        QApplication::setPalette(wadesk::test::darkPalette());
        shoot(QStringLiteral("-dark"));
        QApplication::setPalette(light);
    }
};

WADESK_UI_TEST_MAIN(TestCampaignsUi)

#include "tst_campaigns_ui.moc"
