#pragma once

#include "core/common/DomainError.h"

#include <QDialog>
#include <QPointer>

class QComboBox;
class QHostAddress;
class QLabel;
class QNetworkAccessManager;
class QPlainTextEdit;
class QPushButton;
class QTreeView;

namespace wadesk {

class AddWebhookDialog;
class DeliveryLogModel;
class DeliveryStatusFilter;
class DesktopContext;
class ErrorLabel;
class OneTimeSecretDialog;
class WebhookListModel;

// The organization's webhooks for admins (can_manage_webhooks, as the REST webhook routes): the
// endpoints with their state and last outcomes; Add… (URL and an event checklist; the secret is
// shown once), Test (a signed test event sent now, with its answer), Re-enable a disabled
// endpoint, Rotate Secret… (the new secret shown once) and Delete…; and, for the selected
// endpoint, its delivery log with a status filter, the payload of the selected delivery, and
// Replay for a dead letter. Everything goes through WebhookService with the signed-in actor, so
// tenant scoping, the target policy and the audit log apply as they do for the API.
class WebhooksDialog final : public QDialog {
    Q_OBJECT
public:
    explicit WebhooksDialog(DesktopContext &context, QWidget *parent = nullptr);
    ~WebhooksDialog() override;

    WebhookListModel *webhookModel() const { return m_hooks; }
    DeliveryLogModel *deliveryModel() const { return m_deliveries; }
    DeliveryStatusFilter *deliveryFilter() const { return m_filter; }
    QTreeView *webhookView() const { return m_hookView; }
    QTreeView *deliveryView() const { return m_deliveryView; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *testButton() const { return m_test; }
    QPushButton *enableButton() const { return m_enable; }
    QPushButton *rotateButton() const { return m_rotate; }
    QPushButton *deleteButton() const { return m_delete; }
    QPushButton *replayButton() const { return m_replay; }
    QComboBox *statusCombo() const { return m_status; }
    QPlainTextEdit *payloadView() const { return m_payload; }
    QString errorText() const;
    QString testResultText() const;
    AddWebhookDialog *addWebhookDialog() const; // while open
    // The dialog that shows a new secret while it is open.
    OneTimeSecretDialog *secretDialog() const;

    QString currentWebhook() const { return m_current; }
    QString currentDelivery() const;
    void selectWebhook(const QString &webhookId);
    void selectDelivery(const QString &deliveryId);
    // Chooses the delivery filter by status ("" for all, "dead" for dead letters).
    void setStatusFilter(const QString &status);
    void refresh();

    // Opens "Add webhook" (window-modal; returns at once).
    AddWebhookDialog *openAddWebhook();
    // The actions without their confirmations (the buttons ask first, then call these).
    // Sends the test event; testFinished() reports the outcome. Fails at once for what needs no network.
    Status sendTest(const QString &webhookId);
    Status reenable(const QString &webhookId);
    Status rotateSecret(const QString &webhookId); // opens the secret dialog on success
    Status removeWebhook(const QString &webhookId);
    Status replay(const QString &deliveryId);

signals:
    void webhookAdded(const QString &webhookId);
    void addFinished(bool added);
    void testFinished(bool success, const QString &text);

private:
    void onWebhookChanged();
    void onDeliveryChanged();
    void updateControls();
    void submitNewWebhook();
    void finishNewWebhook(const QString &url, const QStringList &events, const QString &host, const QList<QHostAddress> &addresses);
    void showSecret(const QString &title, const QString &text, const QString &secret);
    void onDelete();
    void onRotate();
    bool mayManage() const;
    void showStatus(const Status &status);
    Status report(const Status &status);
    void showTestResult(bool success, const QString &text);

    DesktopContext &m_context;
    WebhookListModel *m_hooks = nullptr;
    DeliveryLogModel *m_deliveries = nullptr;
    DeliveryStatusFilter *m_filter = nullptr;
    QTreeView *m_hookView = nullptr;
    QTreeView *m_deliveryView = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_test = nullptr;
    QPushButton *m_enable = nullptr;
    QPushButton *m_rotate = nullptr;
    QPushButton *m_delete = nullptr;
    QPushButton *m_replay = nullptr;
    QPushButton *m_reloadDeliveries = nullptr;
    QComboBox *m_status = nullptr;
    QPlainTextEdit *m_payload = nullptr;
    QLabel *m_testResult = nullptr;
    QLabel *m_hint = nullptr;
    ErrorLabel *m_error = nullptr;
    QPointer<AddWebhookDialog> m_addDialog;
    QPointer<OneTimeSecretDialog> m_secretDialog;
    QNetworkAccessManager *m_network = nullptr;
    QString m_current;
    bool m_testRunning = false;
};

} // namespace wadesk
