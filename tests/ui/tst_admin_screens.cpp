// The admin screens of the desktop (issue 14) against a real SQLite database, the real services
// and a real webhook receiver on loopback:
//  - Webhooks: the models pass QAbstractItemModelTester; only admins get the screen (the menu
//    entry is hidden for the other roles and WebhookService refuses them anyway); a bad URL or no
//    event shows the dialog's error and registers nothing; an endpoint added through the dialog
//    shows its real secret once (the receiver verifies the test event's signature with it, and
//    the secret is nowhere in the screen afterwards); Test reports the receiver's answer (200,
//    then 500); the delivery log filters by status, shows the payload, and Replay turns a dead
//    letter into a pending delivery; a disabled endpoint is re-enabled; Rotate shows a new secret
//    while the old one keeps signing; Delete removes the endpoint.
//  - API keys: everyone manages their own keys, admins see all; an empty name or a past expiry
//    shows the error and creates nothing; a key created through the dialog is shown once and
//    authenticates; Revoke stops it.
//  - Audit log: only admins; filters by member, action, resource and date; the details pane;
//    Export CSV writes the entries shown; Verify Chain reports an intact chain, then the entry
//    tampered with through SQL (and not another organization's tampering).
// Screenshots of the three screens with data, light and dark, go to <build>/screenshots.

#include "tests/support/WebhookReceiver.h"
#include "tests/ui/Screenshots.h"
#include "tests/ui/UiHarness.h"

#include "core/audit/AuditService.h"
#include "core/auth/ApiKeyService.h"
#include "core/auth/Authenticator.h"
#include "core/db/SqlRunner.h"
#include "core/events/EventLog.h"
#include "core/events/EventPayloads.h"
#include "core/events/EventType.h"
#include "core/webhooks/WebhookRepository.h"
#include "core/webhooks/WebhookService.h"
#include "ui/apikeys/ApiKeysDialog.h"
#include "ui/apikeys/CreateApiKeyDialog.h"
#include "ui/audit/AuditLogDialog.h"
#include "ui/common/OneTimeSecretDialog.h"
#include "ui/main/MainWindow.h"
#include "ui/models/ApiKeyListModel.h"
#include "ui/models/AuditLogModel.h"
#include "ui/models/DeliveryLogModel.h"
#include "ui/models/WebhookListModel.h"
#include "ui/webhooks/AddWebhookDialog.h"
#include "ui/webhooks/WebhooksDialog.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QHeaderView>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTreeView>

using namespace wadesk;
using wadesk::test::kUiWaitMs;
using wadesk::test::UiHarness;
using wadesk::test::WebhookReceiver;

namespace {

// Every text a model gives for any cell, for the display, tooltip, accessible and custom roles.
QStringList allModelText(const QAbstractItemModel &model, int firstCustomRole, int lastCustomRole)
{
    QStringList out;
    for (int row = 0; row < model.rowCount(); ++row) {
        for (int column = 0; column < model.columnCount(); ++column) {
            const QModelIndex at = model.index(row, column);
            for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole), int(Qt::AccessibleTextRole)})
                out << at.data(role).toString();
            for (int role = firstCustomRole; role <= lastCustomRole; ++role)
                out << at.data(role).toString();
        }
    }
    return out;
}

void tick(QListWidget *list, const QString &name)
{
    for (int i = 0; i < list->count(); ++i) {
        if (list->item(i)->data(Qt::UserRole).toString() == name) {
            list->item(i)->setCheckState(Qt::Checked);
            return;
        }
    }
    QFAIL(qPrintable(QStringLiteral("no event %1 in the checklist").arg(name)));
}

void checkAccessibleNames(QWidget &w)
{
    QList<QWidget *> controls;
    for (auto *b : w.findChildren<QPushButton *>())
        controls << b;
    for (auto *c : w.findChildren<QComboBox *>())
        controls << c;
    for (auto *e : w.findChildren<QLineEdit *>()) {
        if (!qobject_cast<QAbstractSpinBox *>(e->parentWidget()) && !qobject_cast<QComboBox *>(e->parentWidget()))
            controls << e;
    }
    for (auto *v : w.findChildren<QAbstractItemView *>()) {
        if (!qobject_cast<QHeaderView *>(v) && v->window() == &w)
            controls << v;
    }
    for (QWidget *c : controls)
        QVERIFY2(!c->accessibleName().isEmpty(), qPrintable(c->objectName() + QLatin1Char(' ') + QLatin1String(c->metaObject()->className())));
}

} // namespace

class TestAdminScreens : public QObject {
    Q_OBJECT

    UiHarness h;
    WebhookReceiver receiver;
    UserRecord m_manager;
    UserRecord m_agent;

    WebhookService &webhooks() { return *h.context->services().webhooks(); }

    int webhookCount()
    {
        Result<QList<WebhookRecord>> all = webhooks().list(h.admin);
        return all ? int(all.value().size()) : -1;
    }

    int keyCount(const AuthContext &actor)
    {
        Result<QList<ApiKeyRecord>> all = h.context->services().apiKeys().list(actor, 500, 0);
        return all ? int(all.value().size()) : -1;
    }

    // Records a client.paused event the way the session recorder does: EventLog fans it out to
    // the subscribed webhooks as pending deliveries.
    void recordPaused(const QString &clientName)
    {
        const QString clientId = h.createClient(clientName);
        QVERIFY(!clientId.isEmpty());
        SqlRunner sql(*h.db);
        EventLog log(sql, nullptr);
        QVERIFY(log.record(ClientEvents::paused(h.admin.organizationId, clientId, QStringLiteral("operator"))).ok());
    }

    void removeAllWebhooks()
    {
        Result<QList<WebhookRecord>> all = webhooks().list(h.admin);
        QVERIFY(all.ok());
        for (const WebhookRecord &w : all.value())
            QVERIFY(webhooks().remove(h.admin, w.id).ok());
    }

    // Registers an endpoint through the Add dialog's widgets; returns its id and secret.
    QPair<QString, QString> addThroughDialog(WebhooksDialog &dialog, const QString &url, const QStringList &events)
    {
        AddWebhookDialog *add = dialog.openAddWebhook();
        if (!add)
            return {};
        add->urlEdit()->setText(url);
        for (const QString &e : events)
            tick(add->eventList(), e);
        QSignalSpy finished(&dialog, &WebhooksDialog::addFinished);
        add->submit();
        if (!finished.wait(kUiWaitMs) || !finished.first().first().toBool())
            return {};
        OneTimeSecretDialog *secret = dialog.secretDialog();
        if (!secret)
            return {};
        const QString text = secret->secret();
        secret->close();
        return {dialog.currentWebhook(), text};
    }

private slots:
    void initTestCase()
    {
        h.tweakSettings = [](ServiceSettings &s) { s.webhooks.delivery.allowPrivateTargets = true; }; // the receiver is on loopback
        QString why;
        QVERIFY2(h.setUp(&why), qPrintable(why));
        QVERIFY(receiver.start());
        Result<UserRecord> manager = h.createMember(QStringLiteral("manager@ui.test"), Role::Manager);
        Result<UserRecord> agent = h.createMember(QStringLiteral("agent@ui.test"), Role::Agent);
        QVERIFY(manager.ok() && agent.ok());
        m_manager = manager.value();
        m_agent = agent.value();
    }

    void cleanupTestCase() { h.tearDown(); }

    void init()
    {
        h.context->signIn(h.admin);
        receiver.setBehaviour(WebhookReceiver::Behaviour::Ok);
    }

    // --- Webhooks -------------------------------------------------------------------------

    void webhooksOnlyForAdmins()
    {
        {
            MainWindow w(*h.context);
            QVERIFY(w.webhooksAction()->isVisible());
            QVERIFY(w.webhooksAction()->isEnabled());
            QVERIFY(w.apiKeysAction()->isVisible());
            QCOMPARE(w.webhooksAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H));
            QCOMPARE(w.apiKeysAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
            w.webhooksAction()->trigger();
            QVERIFY(w.webhooksDialog());
            w.apiKeysAction()->trigger();
            QVERIFY(w.apiKeysDialog());
        }
        for (const UserRecord &member : {m_manager, m_agent}) {
            h.context->signIn(UiHarness::actorOf(member));
            MainWindow w(*h.context);
            QVERIFY(!w.webhooksAction()->isVisible());
            QVERIFY(!w.webhooksAction()->isEnabled());
            w.showWebhooks();
            QVERIFY(!w.webhooksDialog());
            // API keys are everyone's (the REST key routes need no permission).
            QVERIFY(w.apiKeysAction()->isVisible());
            QVERIFY(w.apiKeysAction()->isEnabled());
            // The screen built anyway shows nothing and offers nothing...
            WebhooksDialog dialog(*h.context);
            QAbstractItemModelTester tester(dialog.webhookModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
            QCOMPARE(dialog.webhookModel()->rowCount(), 0);
            QVERIFY(!dialog.addButton()->isEnabled());
            QVERIFY(!dialog.openAddWebhook());
            QVERIFY(!dialog.errorText().isEmpty());
            // ...and the service refuses the role itself.
            const AuthContext actor = UiHarness::actorOf(member);
            Result<QList<WebhookRecord>> listed = webhooks().list(actor);
            QVERIFY(!listed);
            QCOMPARE(listed.error().httpStatus, 403);
            WebhookService::Input in;
            in.url = receiver.url();
            in.events = QStringList{QStringLiteral("*")};
            Result<WebhookService::Created> created = webhooks().create(actor, in);
            QVERIFY(!created);
            QCOMPARE(created.error().httpStatus, 403);
        }
        QCOMPARE(webhookCount(), 0);
    }

    void addWebhookRefusesBadInput()
    {
        WebhooksDialog dialog(*h.context);
        AddWebhookDialog *add = dialog.openAddWebhook();
        QVERIFY(add);
        checkAccessibleNames(*add);
        QSignalSpy finished(&dialog, &WebhooksDialog::addFinished);
        struct Case {
            QString url;
            QStringList events;
        };
        const QList<Case> cases = {
            {QString(), {QStringLiteral("message.received")}},
            {QStringLiteral("not a url"), {QStringLiteral("message.received")}},
            {QStringLiteral("ftp://example.com/hook"), {QStringLiteral("message.received")}},
            {QStringLiteral("https://user:pw@example.com/hook"), {QStringLiteral("message.received")}},
            {receiver.url(), {}},
        };
        for (const Case &c : cases) {
            add->setEvents({});
            add->urlEdit()->setText(c.url);
            for (const QString &e : c.events)
                tick(add->eventList(), e);
            add->showError(QString());
            finished.clear();
            add->submit();
            QCOMPARE(finished.size(), 1);
            QCOMPARE(finished.first().first().toBool(), false);
            QVERIFY2(!add->errorText().isEmpty(), qPrintable(c.url));
            QVERIFY(add->isVisible());
        }
        QCOMPARE(add->errorText(), QStringLiteral("Tick at least one event to send."));
        QCOMPARE(webhookCount(), 0);
        QCOMPARE(dialog.webhookModel()->rowCount(), 0);
        QVERIFY(!dialog.secretDialog());
    }

    void addShowsTheRealSecretOnceAndTestReportsTheAnswer()
    {
        WebhooksDialog dialog(*h.context);
        QAbstractItemModelTester tester(dialog.webhookModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester logTester(dialog.deliveryFilter(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        checkAccessibleNames(dialog);
        const auto [id, secret] = addThroughDialog(dialog, receiver.url(), {QStringLiteral("message.received"), QStringLiteral("client.connected")});
        QVERIFY(!id.isEmpty());
        QVERIFY(secret.startsWith(QStringLiteral("whsec_")));
        QCOMPARE(webhookCount(), 1);
        // The secret shown is the one that signs.
        Result<WebhookRecord> stored = webhooks().get(h.admin, id);
        QVERIFY(stored.ok());
        QCOMPARE(webhooks().secretsFor(stored.value()), QStringList{secret});
        QCOMPARE(stored.value().events, (QStringList{QStringLiteral("message.received"), QStringLiteral("client.connected")}));
        // The list shows it, and never the secret.
        QCOMPARE(dialog.webhookModel()->rowCount(), 1);
        const QModelIndex row = dialog.webhookModel()->index(0, 0);
        QCOMPARE(row.data(WebhookListModel::UrlRole).toString(), receiver.url());
        QCOMPARE(dialog.webhookModel()->index(0, WebhookListModel::StateColumn).data().toString(), QStringLiteral("Enabled"));
        QCOMPARE(dialog.webhookModel()->index(0, WebhookListModel::LastSuccessColumn).data().toString(), QStringLiteral("Never"));
        for (const QString &text : allModelText(*dialog.webhookModel(), WebhookListModel::WebhookIdRole, WebhookListModel::LastFailureRole))
            QVERIFY(!text.contains(secret));
        QTRY_VERIFY(!dialog.secretDialog()); // closed (and deleted): it is not shown again

        // Test: the receiver gets a signed test event and the screen shows its answer.
        QSignalSpy tested(&dialog, &WebhooksDialog::testFinished);
        const int before = receiver.count();
        dialog.testButton()->click();
        QVERIFY(tested.wait(kUiWaitMs));
        QCOMPARE(tested.first().at(0).toBool(), true);
        QVERIFY2(dialog.testResultText().contains(QStringLiteral("HTTP 200")), qPrintable(dialog.testResultText()));
        QCOMPARE(receiver.count(), before + 1);
        const WebhookReceiver::Request request = receiver.requests().last();
        QCOMPARE(request.event(), EventTypes::name(EventType::Test));
        QVERIFY(WebhookReceiver::guideSignatureValid(request, secret));

        receiver.setBehaviour(WebhookReceiver::Behaviour::ServerError);
        tested.clear();
        QVERIFY(dialog.sendTest(id));
        QVERIFY(tested.wait(kUiWaitMs));
        QCOMPARE(tested.first().at(0).toBool(), false);
        QVERIFY2(dialog.testResultText().contains(QStringLiteral("HTTP 500")), qPrintable(dialog.testResultText()));
        removeAllWebhooks();
    }

    void deliveryLogFiltersAndReplaysADeadLetter()
    {
        WebhookService::Input in;
        in.url = receiver.url();
        in.events = QStringList{QStringLiteral("*")};
        Result<WebhookService::Created> hook = webhooks().create(h.admin, in);
        QVERIFY(hook.ok());
        // Events fan out to the endpoint: two events → two deliveries.
        recordPaused(QStringLiteral("Sales"));
        recordPaused(QStringLiteral("Support"));
        Result<WebhookService::DeliveryPage> page = webhooks().deliveries(h.admin, hook.value().webhook.id, QString(), 50, 0);
        QVERIFY(page.ok());
        QVERIFY(page.value().deliveries.size() >= 2);
        // The oldest one failed for good (as the worker records it).
        const DeliveryRecord deadOne = page.value().deliveries.last();
        {
            SqlRunner sql(*h.db);
            QVERIFY(WebhookRepository(sql).dead(deadOne, 500, QStringLiteral("HTTP 500"), QStringLiteral("upstream broke"), 1000).ok());
        }

        WebhooksDialog dialog(*h.context);
        QAbstractItemModelTester logTester(dialog.deliveryModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester filterTester(dialog.deliveryFilter(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(dialog.currentWebhook(), hook.value().webhook.id);
        const int all = dialog.deliveryFilter()->rowCount();
        QCOMPARE(all, int(page.value().deliveries.size()));
        dialog.setStatusFilter(QStringLiteral("dead"));
        QCOMPARE(dialog.deliveryFilter()->rowCount(), 1);
        QCOMPARE(dialog.deliveryFilter()->index(0, 0).data(DeliveryLogModel::DeliveryIdRole).toString(), deadOne.id);
        QCOMPARE(dialog.deliveryFilter()->index(0, DeliveryLogModel::StatusColumn).data().toString(), QStringLiteral("Dead letter"));
        QCOMPARE(dialog.deliveryFilter()->index(0, DeliveryLogModel::HttpColumn).data().toString(), QStringLiteral("500"));
        dialog.setStatusFilter(QStringLiteral("pending"));
        QCOMPARE(dialog.deliveryFilter()->rowCount(), all - 1);
        dialog.setStatusFilter(QStringLiteral("dead"));

        // The payload viewer shows what was sent (the event as JSON) and the receiver's answer.
        dialog.selectDelivery(deadOne.id);
        QCOMPARE(dialog.currentDelivery(), deadOne.id);
        QVERIFY(dialog.payloadView()->toPlainText().contains(QStringLiteral("\"event\": \"%1\"").arg(deadOne.eventType)));
        QVERIFY(dialog.payloadView()->toPlainText().contains(QStringLiteral("upstream broke")));
        QVERIFY(dialog.replayButton()->isEnabled());

        dialog.replayButton()->click();
        QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
        QCOMPARE(dialog.deliveryFilter()->rowCount(), 0); // no dead letter any more
        dialog.setStatusFilter(QString());
        const DeliveryRecord *replayed = dialog.deliveryModel()->delivery(deadOne.id);
        QVERIFY(replayed);
        QCOMPARE(replayed->status, QStringLiteral("pending"));
        QCOMPARE(replayed->attempts, 0);
        // A delivery of another organization reads as not found and changes nothing.
        QVERIFY(!dialog.replay(QStringLiteral("dlv_doesnotexist")));
        QVERIFY(!dialog.errorText().isEmpty());
        removeAllWebhooks();
    }

    void reenableRotateAndDelete()
    {
        WebhookService::Input in;
        in.url = receiver.url();
        in.events = QStringList{QStringLiteral("message.received")};
        Result<WebhookService::Created> hook = webhooks().create(h.admin, in);
        QVERIFY(hook.ok());
        const QString id = hook.value().webhook.id;
        {
            SqlRunner sql(*h.db);
            QVERIFY(WebhookRepository(sql).disable(id, QStringLiteral("failing for 3 days"), 2000).ok());
        }
        WebhooksDialog dialog(*h.context);
        dialog.selectWebhook(id);
        QCOMPARE(dialog.webhookModel()->index(0, WebhookListModel::StateColumn).data().toString(), QStringLiteral("Disabled"));
        QVERIFY(dialog.enableButton()->isEnabled());
        dialog.enableButton()->click();
        QVERIFY2(dialog.errorText().isEmpty(), qPrintable(dialog.errorText()));
        QCOMPARE(dialog.webhookModel()->index(0, 0).data(WebhookListModel::ActiveRole).toBool(), true);
        QVERIFY(!dialog.enableButton()->isEnabled());
        QVERIFY(webhooks().get(h.admin, id).value().active);

        QVERIFY(dialog.rotateSecret(id));
        QVERIFY(dialog.secretDialog());
        const QString rotated = dialog.secretDialog()->secret();
        QVERIFY(rotated.startsWith(QStringLiteral("whsec_")));
        QVERIFY(rotated != hook.value().secret);
        // The new secret signs, the old one alongside it for the grace period.
        QCOMPARE(webhooks().secretsFor(webhooks().get(h.admin, id).value()), (QStringList{rotated, hook.value().secret}));
        dialog.secretDialog()->close();

        QVERIFY(dialog.removeWebhook(id));
        QCOMPARE(dialog.webhookModel()->rowCount(), 0);
        QCOMPARE(webhooks().get(h.admin, id).error().httpStatus, 404);
        QVERIFY(!dialog.deleteButton()->isEnabled());
    }

    // --- API keys -------------------------------------------------------------------------

    void apiKeysBadInputChangesNothing()
    {
        ApiKeysDialog dialog(*h.context);
        QAbstractItemModelTester tester(dialog.keyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        checkAccessibleNames(dialog);
        const int before = keyCount(h.admin);
        CreateApiKeyDialog *create = dialog.openCreateKey();
        QVERIFY(create);
        checkAccessibleNames(*create);
        QSignalSpy finished(&dialog, &ApiKeysDialog::createFinished);
        create->nameEdit()->setText(QStringLiteral("   "));
        create->submit();
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().first().toBool(), false);
        QCOMPARE(create->errorText(), QStringLiteral("Give the key a name of 1 to 100 characters."));
        create->nameEdit()->setText(QStringLiteral("CRM sync"));
        create->expiresCheck()->setChecked(true);
        create->expiryEdit()->setDateTime(QDateTime::currentDateTime().addDays(-1));
        create->submit();
        QCOMPARE(finished.size(), 2);
        QCOMPARE(finished.last().first().toBool(), false);
        QCOMPARE(create->errorText(), QStringLiteral("The expiry must be in the future."));
        QVERIFY(create->isVisible());
        QCOMPARE(keyCount(h.admin), before);
        QVERIFY(!dialog.secretDialog());
    }

    void apiKeyShownOnceAuthenticatesAndRevokes()
    {
        ApiKeysDialog dialog(*h.context);
        QAbstractItemModelTester tester(dialog.keyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        CreateApiKeyDialog *create = dialog.openCreateKey();
        QVERIFY(create);
        create->nameEdit()->setText(QStringLiteral("Zapier"));
        create->expiresCheck()->setChecked(true);
        const QDateTime expiry = QDateTime::currentDateTime().addDays(10);
        create->expiryEdit()->setDateTime(expiry);
        QSignalSpy created(&dialog, &ApiKeysDialog::keyCreated);
        create->submit();
        QCOMPARE(created.size(), 1);
        const QString keyId = created.first().first().toString();
        QVERIFY(dialog.secretDialog());
        const QString plaintext = dialog.secretDialog()->secret();
        const ApiKeyRecord *record = dialog.keyModel()->key(keyId);
        QVERIFY(record);
        QVERIFY(plaintext.startsWith(record->prefix));
        QVERIFY(plaintext.endsWith(record->lastFour));
        QCOMPARE(dialog.keyModel()->index(dialog.keyModel()->rowOf(keyId), ApiKeyListModel::KeyColumn).data().toString(),
                 record->prefix + QChar(0x2026) + record->lastFour);
        QVERIFY(qAbs(record->expiresAt - expiry.toMSecsSinceEpoch()) < 60 * 1000); // the field may show no seconds
        for (const QString &text : allModelText(*dialog.keyModel(), ApiKeyListModel::KeyIdRole, ApiKeyListModel::OwnerIdRole))
            QVERIFY(!text.contains(plaintext));
        // The key shown is a working key of the signed-in admin.
        Result<AuthContext> auth = h.context->services().authenticator().authenticate(plaintext.toUtf8(), QByteArray(), QStringLiteral("127.0.0.1"));
        QVERIFY(auth.ok());
        QCOMPARE(auth.value().userId, h.admin.userId);
        dialog.secretDialog()->close();

        dialog.selectKey(keyId);
        QVERIFY(dialog.revokeButton()->isEnabled());
        QVERIFY(dialog.revokeKey(keyId));
        QCOMPARE(dialog.keyModel()->index(dialog.keyModel()->rowOf(keyId), 0).data(ApiKeyListModel::RevokedRole).toBool(), true);
        QCOMPARE(dialog.keyModel()->index(dialog.keyModel()->rowOf(keyId), ApiKeyListModel::StateColumn).data().toString(), QStringLiteral("Revoked"));
        QVERIFY(!dialog.revokeButton()->isEnabled());
        h.context->services().authenticator().forgetApiKey(keyId);
        QVERIFY(!h.context->services().authenticator().authenticate(plaintext.toUtf8(), QByteArray(), QStringLiteral("127.0.0.1")));
    }

    void apiKeysPerRole()
    {
        const AuthContext agent = UiHarness::actorOf(m_agent);
        Result<ApiKeyService::Created> agentKey = h.context->services().apiKeys().create(agent, QStringLiteral("agent script"), 0);
        Result<ApiKeyService::Created> adminKey = h.context->services().apiKeys().create(h.admin, QStringLiteral("admin script"), 0);
        QVERIFY(agentKey.ok() && adminKey.ok());
        h.context->signIn(agent);
        {
            ApiKeysDialog dialog(*h.context);
            QAbstractItemModelTester tester(dialog.keyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
            // Only their own keys.
            QCOMPARE(dialog.keyModel()->rowCount(), 1);
            QCOMPARE(dialog.keyModel()->index(0, 0).data(ApiKeyListModel::KeyIdRole).toString(), agentKey.value().record.id);
            QVERIFY(dialog.createButton()->isEnabled());
            // Someone else's key is refused (and reads as absent).
            QVERIFY(!dialog.revokeKey(adminKey.value().record.id));
            QVERIFY(!dialog.errorText().isEmpty());
        }
        h.context->signIn(h.admin);
        ApiKeysDialog dialog(*h.context);
        QVERIFY(dialog.keyModel()->rowOf(agentKey.value().record.id) >= 0);
        QVERIFY(dialog.keyModel()->rowOf(adminKey.value().record.id) >= 0);
        QCOMPARE(dialog.keyModel()->key(adminKey.value().record.id)->revokedAt, qint64(0));
    }

    // --- Audit log ------------------------------------------------------------------------

    void auditOnlyForAdmins()
    {
        {
            MainWindow w(*h.context);
            QVERIFY(w.auditLogAction()->isVisible());
            QVERIFY(w.auditLogAction()->isEnabled());
            QCOMPARE(w.auditLogAction()->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
            w.auditLogAction()->trigger();
            QVERIFY(w.auditLogDialog());
        }
        for (const UserRecord &member : {m_manager, m_agent}) {
            h.context->signIn(UiHarness::actorOf(member));
            MainWindow w(*h.context);
            QVERIFY(!w.auditLogAction()->isVisible());
            w.showAuditLog();
            QVERIFY(!w.auditLogDialog());
            AuditLogDialog dialog(*h.context);
            QAbstractItemModelTester tester(dialog.filterModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
            QCOMPARE(dialog.logModel()->rowCount(), 0);
            QVERIFY(!dialog.errorText().isEmpty());
            QVERIFY(!dialog.verifyButton()->isEnabled());
            QVERIFY(!dialog.exportButton()->isEnabled());
            const AuthContext actor = UiHarness::actorOf(member);
            QCOMPARE(h.context->services().audit().verify(actor).error().httpStatus, 403);
            QTemporaryDir dir;
            QVERIFY(!dialog.exportCsv(dir.filePath(QStringLiteral("audit.csv"))));
            QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("audit.csv"))));
        }
    }

    void auditFiltersDetailsAndExport()
    {
        const AuthContext agent = UiHarness::actorOf(m_agent);
        Result<ApiKeyService::Created> key = h.context->services().apiKeys().create(agent, QStringLiteral("audit probe, \"quoted\""), 0);
        QVERIFY(key.ok());
        AuditLogDialog dialog(*h.context);
        QAbstractItemModelTester tester(dialog.logModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester filterTester(dialog.filterModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        checkAccessibleNames(dialog);
        const int all = dialog.filterModel()->rowCount();
        QVERIFY(all > 5);
        // Newest first: the key just made is on top, by the agent, named.
        QCOMPARE(dialog.logModel()->index(0, AuditLogModel::ActionColumn).data().toString(), QStringLiteral("create_api_key"));
        QCOMPARE(dialog.logModel()->index(0, AuditLogModel::MemberColumn).data().toString(), m_agent.name);

        QVERIFY(dialog.setMemberFilter(m_agent.id));
        QVERIFY(dialog.filterModel()->rowCount() >= 1);
        QVERIFY(dialog.filterModel()->rowCount() < all);
        for (int i = 0; i < dialog.filterModel()->rowCount(); ++i)
            QCOMPARE(dialog.filterModel()->index(i, 0).data(AuditLogModel::UserIdRole).toString(), m_agent.id);
        QVERIFY(dialog.setActionFilter(QStringLiteral("create_api_key")));
        QVERIFY(dialog.setResourceFilter(QStringLiteral("api_keys")));
        const int agentKeys = dialog.filterModel()->rowCount();
        QVERIFY(agentKeys >= 2); // "agent script" and the probe
        QVERIFY(!dialog.setResourceFilter(QStringLiteral("no_such_resource")));
        QVERIFY(dialog.setResourceFilter(QStringLiteral("webhooks")));
        QCOMPARE(dialog.filterModel()->rowCount(), 0); // the agent never touched a webhook
        QVERIFY(dialog.setResourceFilter(QString()));
        QCOMPARE(dialog.filterModel()->rowCount(), agentKeys);

        // Details of the selected entry.
        const QString entryId = dialog.filterModel()->index(0, 0).data(AuditLogModel::EntryIdRole).toString();
        dialog.selectEntry(entryId);
        QVERIFY(dialog.detailsView()->toPlainText().contains(entryId));
        QVERIFY(dialog.detailsView()->toPlainText().contains(key.value().record.prefix));

        // Export writes what is shown, as CSV the core writer quotes.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("audit.csv"));
        Result<int> written = dialog.exportCsv(path);
        QVERIFY(written.ok());
        QCOMPARE(written.value(), agentKeys);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.first().trimmed(), QByteArray("time,member,user_id,action,resource,resource_id,ip_address,details,id"));
        QCOMPARE(lines.size() - 2, agentKeys); // header, rows, the empty piece after the last CRLF
        QVERIFY(lines.at(1).contains(key.value().record.id.toUtf8()));
        QVERIFY(lines.at(1).contains("\"\"name\"\":\"\"audit probe, ")); // a JSON cell, quoted, its quotes doubled

        // The date range reads the entries of those days only.
        const QDate today = QDate::currentDate();
        dialog.setMemberFilter(QString());
        dialog.setActionFilter(QString());
        dialog.setDateRange(today.addDays(1), QDate());
        QCOMPARE(dialog.logModel()->rowCount(), 0);
        QVERIFY(!dialog.exportButton()->isEnabled());
        dialog.setDateRange(today.addDays(-1), today.addDays(1));
        QCOMPARE(dialog.logModel()->rowCount(), all);
        dialog.setDateRange(QDate(), today.addDays(-1));
        QCOMPARE(dialog.logModel()->rowCount(), 0);
    }

    void verifyChainFindsTampering()
    {
        // Another organization, whose tampering is theirs to find.
        Result<AccountService::Registration> reg =
            h.registerOrganization(QStringLiteral("admin@other.test"), QStringLiteral("Otto Other"), QStringLiteral("Other Org"));
        QVERIFY(reg.ok());

        AuditLogDialog dialog(*h.context);
        QVERIFY(dialog.verifyChain());
        QVERIFY2(dialog.verifyText().startsWith(QStringLiteral("Chain intact.")), qPrintable(dialog.verifyText()));

        // Tampering with the other organization's log does not show as ours.
        QVERIFY(h.exec(QStringLiteral("UPDATE audit_logs SET action = 'forged' WHERE organization_id = ?"), {reg.value().admin.organizationId}));
        dialog.verifyButton()->click();
        QVERIFY2(dialog.verifyText().startsWith(QStringLiteral("Chain intact.")), qPrintable(dialog.verifyText()));

        // Ours: an entry edited behind the log's back is named.
        const QString victimId = dialog.logModel()->index(dialog.logModel()->rowCount() / 2, 0).data(AuditLogModel::EntryIdRole).toString();
        const QString victimAction = dialog.logModel()->index(dialog.logModel()->rowCount() / 2, 0).data(AuditLogModel::ActionRole).toString();
        QVERIFY(!victimId.isEmpty());
        QVERIFY(h.exec(QStringLiteral("UPDATE audit_logs SET action = 'nothing_happened' WHERE id = ?"), {victimId}));
        QVERIFY(!dialog.verifyChain());
        QVERIFY2(dialog.verifyText().startsWith(QStringLiteral("Chain broken")), qPrintable(dialog.verifyText()));
        QVERIFY2(dialog.verifyText().contains(victimId), qPrintable(dialog.verifyText()));
        QVERIFY(dialog.verifyText().contains(QStringLiteral("edited")));
        // Put back, it is intact again.
        QVERIFY(h.exec(QStringLiteral("UPDATE audit_logs SET action = ? WHERE id = ?"), {victimAction, victimId}));
        QVERIFY(dialog.verifyChain());
    }

    // --- Screenshots ----------------------------------------------------------------------

    void screenshots()
    {
        removeAllWebhooks();
        WebhookService::Input crm;
        crm.url = receiver.url(QStringLiteral("/crm/wadesk"));
        crm.events = QStringList{QStringLiteral("message.received"), QStringLiteral("message.delivered")};
        WebhookService::Input all;
        all.url = receiver.url(QStringLiteral("/all"));
        all.events = QStringList{QStringLiteral("*")};
        Result<WebhookService::Created> a = webhooks().create(h.admin, crm);
        Result<WebhookService::Created> b = webhooks().create(h.admin, all);
        QVERIFY(a.ok() && b.ok());
        recordPaused(QStringLiteral("Billing"));
        recordPaused(QStringLiteral("Returns"));
        {
            SqlRunner sql(*h.db);
            WebhookRepository repo(sql);
            Result<QList<DeliveryRecord>> d = repo.deliveries(h.admin.organizationId, b.value().webhook.id, QString(), 10, 0);
            QVERIFY(d.ok() && d.value().size() >= 2);
            QVERIFY(repo.succeeded(d.value().first(), 200, QStringLiteral("ok"), 5000).ok());
            QVERIFY(repo.dead(d.value().last(), 503, QStringLiteral("HTTP 503"), QStringLiteral("Service Unavailable"), 6000).ok());
            QVERIFY(repo.noteOutcome(b.value().webhook.id, true, QDateTime::currentMSecsSinceEpoch() - 3600 * 1000).ok());
            QVERIFY(repo.noteOutcome(b.value().webhook.id, false, QDateTime::currentMSecsSinceEpoch() - 60 * 1000).ok());
            QVERIFY(repo.disable(a.value().webhook.id, QStringLiteral("410 Gone from the receiver"), 7000).ok());
        }
        QVERIFY(h.context->services().apiKeys().create(h.admin, QStringLiteral("CRM sync"), QDateTime::currentMSecsSinceEpoch() + 90LL * 86400 * 1000).ok());

        const QString dir = wadesk::test::screenshotDir();
        auto save = [&](QWidget &w, const QString &name) {
            w.repaint();
            QCoreApplication::processEvents();
            const QImage image = w.grab().toImage();
            QVERIFY(wadesk::test::hasContent(image));
            QVERIFY(image.save(QDir(dir).filePath(name)));
            qInfo("screenshot: %s", qPrintable(QDir(dir).filePath(name)));
        };
        auto shoot = [&](const QString &suffix) {
            {
                WebhooksDialog dialog(*h.context);
                dialog.resize(1040, 660);
                dialog.show();
                QVERIFY(QTest::qWaitForWindowExposed(&dialog));
                dialog.selectWebhook(b.value().webhook.id);
                dialog.deliveryView()->setCurrentIndex(dialog.deliveryFilter()->index(0, 0));
                save(dialog, QStringLiteral("webhooks%1.png").arg(suffix));
            }
            {
                ApiKeysDialog dialog(*h.context);
                dialog.resize(900, 380);
                dialog.show();
                QVERIFY(QTest::qWaitForWindowExposed(&dialog));
                save(dialog, QStringLiteral("api-keys%1.png").arg(suffix));
                OneTimeSecretDialog secret(QObject::tr("API Key Created"), QStringLiteral("The API key \"CRM sync\" is below. Send it in the X-API-Key header."),
                                           QStringLiteral("sk_live_example_not_a_real_key_0000"), &dialog);
                secret.show();
                QVERIFY(QTest::qWaitForWindowExposed(&secret));
                save(secret, QStringLiteral("api-key-created%1.png").arg(suffix));
            }
            {
                AuditLogDialog dialog(*h.context);
                dialog.resize(1180, 620);
                dialog.show();
                QVERIFY(QTest::qWaitForWindowExposed(&dialog));
                dialog.logView()->setCurrentIndex(dialog.filterModel()->index(1, 0));
                dialog.verifyChain();
                save(dialog, QStringLiteral("audit-log%1.png").arg(suffix));
            }
        };
        shoot(QString());
        const QPalette light = QApplication::palette();
        QApplication::setPalette(wadesk::test::darkPalette());
        shoot(QStringLiteral("-dark"));
        QApplication::setPalette(light);
    }
};

WADESK_UI_TEST_MAIN(TestAdminScreens)

#include "tst_admin_screens.moc"
