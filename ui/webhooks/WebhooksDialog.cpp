#include "ui/webhooks/WebhooksDialog.h"

#include "core/events/EventPayloads.h"
#include "core/events/EventType.h"
#include "core/webhooks/TargetPolicy.h"
#include "core/webhooks/WebhookRequest.h"
#include "core/webhooks/WebhookService.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/common/OneTimeSecretDialog.h"
#include "ui/common/RowListView.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/DeliveryLogModel.h"
#include "ui/models/WebhookListModel.h"
#include "ui/webhooks/AddWebhookDialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QFontDatabase>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QHostInfo>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTreeView>
#include <QUrl>
#include <QVBoxLayout>
#include <memory>

namespace wadesk {

namespace {
constexpr int kTestTimeoutMs = 15000;

DomainError forbidden()
{
    return DomainError::forbidden(WebhooksDialog::tr("Your role may not manage webhooks."));
}
} // namespace

WebhooksDialog::WebhooksDialog(DesktopContext &context, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("webhooksDialog"));
    setWindowTitle(tr("Webhooks"));
    m_hooks = new WebhookListModel(m_context, this);
    m_deliveries = new DeliveryLogModel(m_context, this);
    m_filter = new DeliveryStatusFilter(this);
    m_filter->setSourceModel(m_deliveries);

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("WaDesk sends each event your endpoints subscribed to as a signed HTTP POST. An endpoint that "
                                "keeps failing is disabled until you re-enable it."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);

    auto *top = new QWidget(splitter);
    auto *topLayout = new QHBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    m_hookView = new QTreeView(top);
    m_hookView->setObjectName(QStringLiteral("webhookList"));
    m_hookView->setAccessibleName(tr("Webhook endpoints"));
    m_hookView->setModel(m_hooks);
    configureRowList(m_hookView, WebhookListModel::UrlColumn);
    topLayout->addWidget(m_hookView, 1);
    auto *side = new QVBoxLayout;
    m_add = new QPushButton(tr("&Add…"), top);
    m_add->setObjectName(QStringLiteral("addWebhookButton"));
    m_add->setAccessibleName(tr("Add webhook"));
    m_add->setToolTip(tr("Register a new endpoint"));
    m_test = new QPushButton(tr("&Test"), top);
    m_test->setObjectName(QStringLiteral("testWebhookButton"));
    m_test->setAccessibleName(tr("Send a test event"));
    m_test->setToolTip(tr("Send a signed test event to the selected endpoint now"));
    m_enable = new QPushButton(tr("Re-&enable"), top);
    m_enable->setObjectName(QStringLiteral("enableWebhookButton"));
    m_enable->setAccessibleName(tr("Re-enable webhook"));
    m_enable->setToolTip(tr("Send events to the selected endpoint again"));
    m_rotate = new QPushButton(tr("R&otate Secret…"), top);
    m_rotate->setObjectName(QStringLiteral("rotateSecretButton"));
    m_rotate->setAccessibleName(tr("Rotate secret"));
    m_rotate->setToolTip(tr("Make a new signing secret; the old one keeps signing for 24 hours"));
    m_delete = new QPushButton(tr("&Delete…"), top);
    m_delete->setObjectName(QStringLiteral("deleteWebhookButton"));
    m_delete->setAccessibleName(tr("Delete webhook"));
    for (QPushButton *b : {m_add, m_test, m_enable, m_rotate, m_delete})
        side->addWidget(b);
    m_testResult = new QLabel(top);
    m_testResult->setObjectName(QStringLiteral("testResult"));
    m_testResult->setAccessibleName(tr("Test result"));
    m_testResult->setWordWrap(true);
    m_testResult->setTextFormat(Qt::PlainText);
    m_testResult->setMaximumWidth(220);
    side->addWidget(m_testResult);
    m_hint = new QLabel(top);
    m_hint->setObjectName(QStringLiteral("webhooksHint"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::PlainText);
    m_hint->setMaximumWidth(220);
    m_hint->setVisible(false);
    side->addWidget(m_hint);
    side->addStretch(1);
    topLayout->addLayout(side);

    auto *box = new QGroupBox(tr("Deliveries of the selected webhook"), splitter);
    box->setObjectName(QStringLiteral("deliveriesBox"));
    auto *boxLayout = new QVBoxLayout(box);
    auto *filterRow = new QHBoxLayout;
    auto *statusLabel = new QLabel(tr("&Status:"), box);
    m_status = new QComboBox(box);
    m_status->setObjectName(QStringLiteral("deliveryStatusFilter"));
    m_status->setAccessibleName(tr("Show deliveries with status"));
    m_status->addItem(tr("All"), QString());
    for (const char *s : {"pending", "retrying", "succeeded", "dead"})
        m_status->addItem(DeliveryLogModel::statusText(QLatin1String(s)), QLatin1String(s));
    statusLabel->setBuddy(m_status);
    filterRow->addWidget(statusLabel);
    filterRow->addWidget(m_status);
    filterRow->addStretch(1);
    m_reloadDeliveries = new QPushButton(tr("Re&load"), box);
    m_reloadDeliveries->setObjectName(QStringLiteral("reloadDeliveriesButton"));
    m_reloadDeliveries->setAccessibleName(tr("Reload deliveries"));
    filterRow->addWidget(m_reloadDeliveries);
    m_replay = new QPushButton(tr("Re&play"), box);
    m_replay->setObjectName(QStringLiteral("replayDeliveryButton"));
    m_replay->setAccessibleName(tr("Replay delivery"));
    m_replay->setToolTip(tr("Send the selected delivery again, with a fresh set of attempts"));
    filterRow->addWidget(m_replay);
    boxLayout->addLayout(filterRow);
    auto *logSplit = new QSplitter(Qt::Horizontal, box);
    m_deliveryView = new QTreeView(logSplit);
    m_deliveryView->setObjectName(QStringLiteral("deliveryLog"));
    m_deliveryView->setAccessibleName(tr("Delivery log"));
    m_deliveryView->setModel(m_filter);
    configureRowList(m_deliveryView, DeliveryLogModel::ErrorColumn);
    m_payload = new QPlainTextEdit(logSplit);
    m_payload->setObjectName(QStringLiteral("deliveryPayload"));
    m_payload->setAccessibleName(tr("Payload of the selected delivery"));
    m_payload->setReadOnly(true);
    m_payload->setLineWrapMode(QPlainTextEdit::NoWrap); // JSON keeps its indentation
    m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_payload->setPlaceholderText(tr("Select a delivery to see what was sent."));
    logSplit->setStretchFactor(0, 3);
    logSplit->setStretchFactor(1, 2);
    boxLayout->addWidget(logSplit, 1);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);

    m_error = new ErrorLabel(QStringLiteral("webhooksError"), tr("Webhooks error"), this);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
    layout->addWidget(buttons);

    setTabOrder(m_hookView, m_add);
    setTabOrder(m_add, m_test);
    setTabOrder(m_test, m_enable);
    setTabOrder(m_enable, m_rotate);
    setTabOrder(m_rotate, m_delete);
    setTabOrder(m_delete, m_status);
    setTabOrder(m_status, m_reloadDeliveries);
    setTabOrder(m_reloadDeliveries, m_replay);
    setTabOrder(m_replay, m_deliveryView);
    setTabOrder(m_deliveryView, m_payload);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_add, &QPushButton::clicked, this, [this]() { openAddWebhook(); });
    connect(m_test, &QPushButton::clicked, this, [this]() { discardOutcome(sendTest(m_current)); });
    connect(m_enable, &QPushButton::clicked, this, [this]() { discardOutcome(reenable(m_current)); });
    connect(m_rotate, &QPushButton::clicked, this, &WebhooksDialog::onRotate);
    connect(m_delete, &QPushButton::clicked, this, &WebhooksDialog::onDelete);
    connect(m_replay, &QPushButton::clicked, this, [this]() { discardOutcome(replay(currentDelivery())); });
    connect(m_reloadDeliveries, &QPushButton::clicked, this, [this]() {
        if (!m_deliveries->reload())
            m_error->showError(m_deliveries->lastError());
    });
    connect(m_status, &QComboBox::currentIndexChanged, this, [this]() {
        m_filter->setStatus(m_status->currentData().toString());
        onDeliveryChanged();
    });
    connect(m_hookView->selectionModel(), &QItemSelectionModel::currentChanged, this, &WebhooksDialog::onWebhookChanged);
    connect(m_deliveryView->selectionModel(), &QItemSelectionModel::currentChanged, this, &WebhooksDialog::onDeliveryChanged);
    connect(m_hooks, &QAbstractItemModel::modelReset, this, [this]() {
        const QString keep = m_current;
        m_current.clear();
        if (m_hooks->rowOf(keep) >= 0)
            selectWebhook(keep);
        else if (m_hooks->rowCount() > 0)
            selectWebhook(m_hooks->index(0, 0).data(WebhookListModel::WebhookIdRole).toString());
        else
            onWebhookChanged();
    });
    connect(m_deliveries, &QAbstractItemModel::modelReset, this, &WebhooksDialog::onDeliveryChanged);

    if (!m_hooks->lastError().isEmpty())
        m_error->showError(m_hooks->lastError());
    if (m_hooks->rowCount() > 0)
        selectWebhook(m_hooks->index(0, 0).data(WebhookListModel::WebhookIdRole).toString());
    else
        onWebhookChanged();
    resize(980, 640);
}

WebhooksDialog::~WebhooksDialog()
{
    delete m_network;
}

bool WebhooksDialog::mayManage() const
{
    return m_context.signedIn() && m_context.actor().can(Permission::ManageWebhooks) && m_context.services().webhooks();
}

AddWebhookDialog *WebhooksDialog::addWebhookDialog() const
{
    return m_addDialog;
}

OneTimeSecretDialog *WebhooksDialog::secretDialog() const
{
    return m_secretDialog;
}

QString WebhooksDialog::errorText() const
{
    return m_error->text();
}

QString WebhooksDialog::testResultText() const
{
    return m_testResult->text();
}

QString WebhooksDialog::currentDelivery() const
{
    const QModelIndex at = m_deliveryView->currentIndex();
    return at.isValid() ? at.data(DeliveryLogModel::DeliveryIdRole).toString() : QString();
}

void WebhooksDialog::selectWebhook(const QString &webhookId)
{
    const int row = m_hooks->rowOf(webhookId);
    if (row < 0)
        return;
    const QModelIndex at = m_hooks->index(row, 0);
    if (m_hookView->currentIndex() != at)
        m_hookView->setCurrentIndex(at); // → onWebhookChanged
    else
        onWebhookChanged();
}

void WebhooksDialog::selectDelivery(const QString &deliveryId)
{
    const int row = m_deliveries->rowOf(deliveryId);
    if (row < 0)
        return;
    const QModelIndex at = m_filter->mapFromSource(m_deliveries->index(row, 0));
    if (at.isValid())
        m_deliveryView->setCurrentIndex(at);
}

void WebhooksDialog::setStatusFilter(const QString &status)
{
    const int index = m_status->findData(status);
    if (index >= 0)
        m_status->setCurrentIndex(index);
}

void WebhooksDialog::refresh()
{
    if (!m_hooks->reload())
        m_error->showError(m_hooks->lastError());
}

void WebhooksDialog::onWebhookChanged()
{
    const QModelIndex current = m_hookView->currentIndex();
    const QString id = current.isValid() ? current.data(WebhookListModel::WebhookIdRole).toString() : QString();
    if (id != m_current)
        m_testResult->clear();
    m_current = id;
    if (!m_deliveries->load(m_current))
        m_error->showError(m_deliveries->lastError());
    updateControls();
}

void WebhooksDialog::onDeliveryChanged()
{
    const QModelIndex at = m_deliveryView->currentIndex();
    if (!at.isValid()) {
        m_payload->clear();
    } else {
        const QByteArray payload = at.data(DeliveryLogModel::PayloadRole).toString().toUtf8();
        const QJsonDocument doc = QJsonDocument::fromJson(payload);
        QString text = doc.isNull() ? QString::fromUtf8(payload) : QString::fromUtf8(doc.toJson(QJsonDocument::Indented));
        const QString response = at.data(DeliveryLogModel::ResponseRole).toString();
        if (!response.isEmpty())
            text += QLatin1Char('\n') + tr("Response:") + QLatin1Char('\n') + response;
        m_payload->setPlainText(text);
    }
    updateControls();
}

void WebhooksDialog::updateControls()
{
    const bool may = mayManage();
    const WebhookRecord *hook = m_hooks->webhook(m_current);
    m_add->setEnabled(may);
    m_test->setEnabled(may && hook && !m_testRunning);
    m_enable->setEnabled(may && hook && !hook->active);
    m_rotate->setEnabled(may && hook);
    m_delete->setEnabled(may && hook);
    m_status->setEnabled(may && hook);
    m_reloadDeliveries->setEnabled(may && hook);
    const QString status = m_deliveryView->currentIndex().data(DeliveryLogModel::StatusRole).toString();
    // What is queued or being sent is not replayed (the service refuses the latter as well).
    m_replay->setEnabled(may && !status.isEmpty() && status != QLatin1String("pending") && status != QLatin1String("delivering"));
    QString hint;
    if (!m_context.signedIn() || !m_context.actor().can(Permission::ManageWebhooks))
        hint = tr("Your role may not manage webhooks.");
    else if (!m_context.services().webhooks())
        hint = tr("Webhooks need the secret store, which is not available.");
    else if (hook && !hook->active)
        hint = hook->disabledReason.isEmpty() ? tr("This endpoint is disabled.") : tr("This endpoint is disabled: %1").arg(hook->disabledReason);
    else if (m_hooks->rowCount() == 0)
        hint = tr("No webhooks yet. Use Add… to register an endpoint.");
    m_hint->setText(hint);
    m_hint->setVisible(!hint.isEmpty());
}

void WebhooksDialog::showStatus(const Status &status)
{
    m_error->showError(status ? QString() : errorMessageFor(status.error()));
}

Status WebhooksDialog::report(const Status &status)
{
    showStatus(status);
    return status;
}

AddWebhookDialog *WebhooksDialog::openAddWebhook()
{
    if (!mayManage()) {
        showStatus(forbidden());
        return nullptr;
    }
    if (m_addDialog) {
        m_addDialog->raise();
        m_addDialog->activateWindow();
        return m_addDialog;
    }
    auto *dialog = new AddWebhookDialog(EventTypes::names(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &AddWebhookDialog::submitted, this, &WebhooksDialog::submitNewWebhook);
    m_addDialog = dialog;
    dialog->open();
    return dialog;
}

void WebhooksDialog::submitNewWebhook()
{
    AddWebhookDialog *dialog = m_addDialog;
    if (!dialog || dialog->busy())
        return;
    if (!mayManage()) {
        dialog->showError(forbidden().message);
        emit addFinished(false);
        return;
    }
    const QString url = dialog->url();
    const QStringList events = dialog->events();
    QString problem;
    if (url.isEmpty())
        problem = tr("Enter the URL of the endpoint.");
    else if (events.isEmpty())
        problem = tr("Tick at least one event to send.");
    if (problem.isEmpty()) {
        WebhookService::Input input;
        input.url = url;
        input.events = events;
        // What needs no network is checked first, exactly as POST /api/webhooks does.
        if (Status s = WebhookService::validate(input, true); !s)
            problem = errorMessageFor(s.error());
    }
    if (!problem.isEmpty()) {
        dialog->showError(problem);
        emit addFinished(false);
        return;
    }
    dialog->showError(QString());
    dialog->setBusy(true);
    const QString host = QUrl(url).host();
    // Name resolution can take seconds: never on the GUI thread. The dialog is the context, so
    // an answer after it closed is dropped.
    QHostInfo::lookupHost(host, dialog, [this, url, events, host](const QHostInfo &info) {
        finishNewWebhook(url, events, host, info.error() == QHostInfo::NoError ? info.addresses() : QList<QHostAddress>());
    });
}

void WebhooksDialog::finishNewWebhook(const QString &url, const QStringList &events, const QString &host, const QList<QHostAddress> &addresses)
{
    AddWebhookDialog *dialog = m_addDialog;
    if (!dialog)
        return;
    dialog->setBusy(false);
    WebhookService *service = m_context.services().webhooks();
    if (!mayManage() || !service) {
        dialog->showError(forbidden().message);
        emit addFinished(false);
        return;
    }
    if (Status s = TargetPolicy::checkRegistration(host, addresses, service->allowPrivateTargets()); !s) {
        dialog->showError(errorMessageFor(s.error()));
        emit addFinished(false);
        return;
    }
    WebhookService::Input input;
    input.url = url;
    input.events = events;
    Result<WebhookService::Created> created = service->create(m_context.actor(), input);
    if (!created) {
        dialog->showError(errorMessageFor(created.error()));
        emit addFinished(false);
        return;
    }
    const QString id = created.value().webhook.id;
    dialog->accept();
    showStatus({});
    refresh();
    selectWebhook(id);
    QString text = tr("The webhook for %1 is registered. Every delivery is signed with this secret; keep it where your "
                      "endpoint checks the webhook-signature header.")
                       .arg(url);
    if (addresses.isEmpty())
        text += QLatin1Char(' ') + tr("The host %1 does not resolve yet: deliveries are retried while it does not.").arg(host);
    showSecret(tr("Webhook Secret"), text, created.value().secret);
    emit webhookAdded(id);
    emit addFinished(true);
}

void WebhooksDialog::showSecret(const QString &title, const QString &text, const QString &secret)
{
    if (m_secretDialog)
        m_secretDialog->close();
    auto *dialog = new OneTimeSecretDialog(title, text, secret, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_secretDialog = dialog;
    dialog->open();
}

Status WebhooksDialog::sendTest(const QString &webhookId)
{
    WebhookService *service = m_context.services().webhooks();
    if (!mayManage() || !service)
        return report(forbidden());
    if (m_testRunning)
        return report(DomainError::conflict(tr("A test is already running."), QStringLiteral("test_running")));
    Result<WebhookRecord> hook = service->get(m_context.actor(), webhookId);
    if (!hook)
        return report(hook.error());
    const WebhookRecord webhook = hook.value();
    const QStringList secrets = service->secretsFor(webhook);
    if (secrets.isEmpty())
        return report(DomainError::internal(tr("The webhook secret cannot be opened.")));
    showStatus({});
    m_testRunning = true;
    m_testResult->setText(tr("Sending a test event…"));
    updateControls();
    const QString host = QUrl(webhook.url).host();
    const bool allowPrivate = service->allowPrivateTargets();
    const QString organizationId = m_context.actor().organizationId;
    const Clock *clock = m_context.services().shared().clock;
    QHostInfo::lookupHost(host, this, [this, webhook, secrets, host, allowPrivate, organizationId, clock](const QHostInfo &info) {
        const QList<QHostAddress> addresses = info.error() == QHostInfo::NoError ? info.addresses() : QList<QHostAddress>();
        if (Status s = TargetPolicy::checkAddresses(host, addresses, allowPrivate); !s) {
            showTestResult(false, errorMessageFor(s.error()));
            return;
        }
        const Event event = SystemEvents::test(organizationId, webhook.id, *clock);
        const QByteArray body = QJsonDocument(event.toJson()).toJson(QJsonDocument::Compact);
        if (!m_network) {
            m_network = new QNetworkAccessManager();
            m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        }
        QNetworkReply *net =
            m_network->post(WebhookRequest::build(webhook, secrets, event.id, event.type, body, event.timestamp / 1000, kTestTimeoutMs), body);
        auto elapsed = std::make_shared<QElapsedTimer>();
        elapsed->start();
        connect(net, &QNetworkReply::finished, this, [this, net, elapsed]() {
            net->deleteLater();
            const int status = net->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const bool ok = status >= 200 && status < 300;
            const QString text = status > 0 ? tr("HTTP %1 in %2 ms").arg(status).arg(elapsed->elapsed())
                                            : tr("No answer: %1").arg(net->errorString());
            showTestResult(ok, ok ? tr("Delivered: %1").arg(text) : tr("Failed: %1").arg(text));
        });
    });
    return {};
}

void WebhooksDialog::showTestResult(bool success, const QString &text)
{
    m_testRunning = false;
    m_testResult->setText(text);
    updateControls();
    emit testFinished(success, text);
}

Status WebhooksDialog::reenable(const QString &webhookId)
{
    WebhookService *service = m_context.services().webhooks();
    if (!mayManage() || !service)
        return report(forbidden());
    WebhookService::Input input;
    input.active = true;
    Result<WebhookRecord> updated = service->update(m_context.actor(), webhookId, input);
    if (!updated)
        return report(updated.error());
    showStatus({});
    refresh();
    return {};
}

Status WebhooksDialog::rotateSecret(const QString &webhookId)
{
    WebhookService *service = m_context.services().webhooks();
    if (!mayManage() || !service)
        return report(forbidden());
    Result<WebhookService::Created> rotated = service->rotateSecret(m_context.actor(), webhookId);
    if (!rotated)
        return report(rotated.error());
    showStatus({});
    refresh();
    showSecret(tr("New Webhook Secret"),
               tr("The new secret for %1. The previous secret keeps signing alongside it for 24 hours, so your endpoint can "
                  "switch over.")
                   .arg(rotated.value().webhook.url),
               rotated.value().secret);
    return {};
}

Status WebhooksDialog::removeWebhook(const QString &webhookId)
{
    WebhookService *service = m_context.services().webhooks();
    if (!mayManage() || !service)
        return report(forbidden());
    if (Status s = service->remove(m_context.actor(), webhookId); !s)
        return report(s);
    showStatus({});
    refresh();
    return {};
}

Status WebhooksDialog::replay(const QString &deliveryId)
{
    WebhookService *service = m_context.services().webhooks();
    if (!mayManage() || !service)
        return report(forbidden());
    Result<DeliveryRecord> replayed = service->replay(m_context.actor(), deliveryId);
    if (!replayed)
        return report(replayed.error());
    showStatus({});
    if (!m_deliveries->reload())
        m_error->showError(m_deliveries->lastError());
    selectDelivery(deliveryId);
    return {};
}

void WebhooksDialog::onRotate()
{
    const WebhookRecord *hook = m_hooks->webhook(m_current);
    if (!hook)
        return;
    const QString id = hook->id;
    QMessageBox box(QMessageBox::Question, tr("Rotate secret"),
                    tr("Make a new signing secret for %1? The current one stays valid for 24 hours.").arg(hook->url),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("rotateSecretConfirmation"));
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(QMessageBox::Cancel);
    const QPointer<WebhooksDialog> alive(this);
    const int answer = box.exec();
    if (alive && answer == QMessageBox::Yes)
        discardOutcome(rotateSecret(id)); // shown in the dialog
}

void WebhooksDialog::onDelete()
{
    const WebhookRecord *hook = m_hooks->webhook(m_current);
    if (!hook)
        return;
    const QString id = hook->id;
    QMessageBox box(QMessageBox::Question, tr("Delete webhook"),
                    tr("Delete the webhook for %1? Its pending deliveries are dropped and it receives no more events.").arg(hook->url),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("deleteWebhookConfirmation"));
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(QMessageBox::Cancel);
    const QPointer<WebhooksDialog> alive(this);
    const int answer = box.exec();
    if (alive && answer == QMessageBox::Yes)
        discardOutcome(removeWebhook(id)); // shown in the dialog
}

} // namespace wadesk
