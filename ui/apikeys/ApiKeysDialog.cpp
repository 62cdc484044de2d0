#include "ui/apikeys/ApiKeysDialog.h"

#include "core/auth/ApiKeyService.h"
#include "ui/apikeys/CreateApiKeyDialog.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/common/OneTimeSecretDialog.h"
#include "ui/common/RowListView.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/models/ApiKeyListModel.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace wadesk {

ApiKeysDialog::ApiKeysDialog(DesktopContext &context, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("apiKeysDialog"));
    setWindowTitle(tr("API Keys"));
    m_model = new ApiKeyListModel(m_context, this);
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(m_context.actor().role == Role::Admin
                                 ? tr("Keys for the REST API. Each key acts with its owner's role; as an admin you see every key "
                                      "of the organization.")
                                 : tr("Your keys for the REST API. Each key acts with your role."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    auto *body = new QHBoxLayout;
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("apiKeyList"));
    m_view->setAccessibleName(tr("API keys"));
    m_view->setModel(m_model);
    configureRowList(m_view, ApiKeyListModel::NameColumn);
    body->addWidget(m_view, 1);
    auto *side = new QVBoxLayout;
    m_create = new QPushButton(tr("&Create…"), this);
    m_create->setObjectName(QStringLiteral("createApiKeyButton"));
    m_create->setAccessibleName(tr("Create API key"));
    m_create->setToolTip(tr("Create a key; it is shown once"));
    m_revoke = new QPushButton(tr("&Revoke…"), this);
    m_revoke->setObjectName(QStringLiteral("revokeApiKeyButton"));
    m_revoke->setAccessibleName(tr("Revoke API key"));
    m_revoke->setToolTip(tr("Stop the selected key from working, for good"));
    side->addWidget(m_create);
    side->addWidget(m_revoke);
    m_hint = new QLabel(this);
    m_hint->setObjectName(QStringLiteral("apiKeysHint"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::PlainText);
    m_hint->setMaximumWidth(200);
    side->addWidget(m_hint);
    side->addStretch(1);
    body->addLayout(side);
    layout->addLayout(body, 1);
    m_error = new ErrorLabel(QStringLiteral("apiKeysError"), tr("API keys error"), this);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
    layout->addWidget(buttons);
    setTabOrder(m_view, m_create);
    setTabOrder(m_create, m_revoke);

    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_create, &QPushButton::clicked, this, [this]() { openCreateKey(); });
    connect(m_revoke, &QPushButton::clicked, this, &ApiKeysDialog::onRevoke);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &ApiKeysDialog::updateControls);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ApiKeysDialog::updateControls);
    if (!m_model->lastError().isEmpty())
        m_error->showError(m_model->lastError());
    if (m_model->rowCount() > 0)
        m_view->setCurrentIndex(m_model->index(0, 0));
    updateControls();
    resize(860, 420);
}

CreateApiKeyDialog *ApiKeysDialog::createDialog() const
{
    return m_createDialog;
}

OneTimeSecretDialog *ApiKeysDialog::secretDialog() const
{
    return m_secretDialog;
}

QString ApiKeysDialog::errorText() const
{
    return m_error->text();
}

QString ApiKeysDialog::currentKey() const
{
    const QModelIndex at = m_view->currentIndex();
    return at.isValid() ? at.data(ApiKeyListModel::KeyIdRole).toString() : QString();
}

void ApiKeysDialog::selectKey(const QString &keyId)
{
    const int row = m_model->rowOf(keyId);
    if (row >= 0)
        m_view->setCurrentIndex(m_model->index(row, 0));
}

void ApiKeysDialog::refresh()
{
    const QString keep = currentKey();
    if (!m_model->reload())
        m_error->showError(m_model->lastError());
    selectKey(keep);
    updateControls();
}

void ApiKeysDialog::updateControls()
{
    const bool in = m_context.signedIn();
    const ApiKeyRecord *key = m_model->key(currentKey());
    m_create->setEnabled(in);
    m_revoke->setEnabled(in && key && key->revokedAt == 0);
    m_hint->setText(m_model->rowCount() == 0 && in ? tr("No API keys yet. Use Create… to make one.") : QString());
    m_hint->setVisible(!m_hint->text().isEmpty());
}

void ApiKeysDialog::showStatus(const Status &status)
{
    m_error->showError(status ? QString() : errorMessageFor(status.error()));
}

CreateApiKeyDialog *ApiKeysDialog::openCreateKey()
{
    if (!m_context.signedIn())
        return nullptr;
    if (m_createDialog) {
        m_createDialog->raise();
        m_createDialog->activateWindow();
        return m_createDialog;
    }
    auto *dialog = new CreateApiKeyDialog(m_context.services().shared().clock->nowMs(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &CreateApiKeyDialog::submitted, this, &ApiKeysDialog::submitNewKey);
    m_createDialog = dialog;
    dialog->open();
    return dialog;
}

void ApiKeysDialog::submitNewKey()
{
    CreateApiKeyDialog *dialog = m_createDialog;
    if (!dialog)
        return;
    const QString name = dialog->name();
    const qint64 expiresAt = dialog->expiresAt();
    // The rules of POST /api/api-keys: a name of 1 to 100 characters, an expiry in the future.
    if (name.isEmpty() || name.size() > 100) {
        dialog->showError(tr("Give the key a name of 1 to 100 characters."));
        emit createFinished(false);
        return;
    }
    if (expiresAt != 0 && expiresAt <= m_context.services().shared().clock->nowMs()) {
        dialog->showError(tr("The expiry must be in the future."));
        emit createFinished(false);
        return;
    }
    Result<ApiKeyService::Created> created = m_context.services().apiKeys().create(m_context.actor(), name, expiresAt);
    if (!created) {
        dialog->showError(errorMessageFor(created.error()));
        emit createFinished(false);
        return;
    }
    const QString id = created.value().record.id;
    dialog->accept();
    showStatus({});
    refresh();
    selectKey(id);
    if (m_secretDialog)
        m_secretDialog->close();
    auto *secret = new OneTimeSecretDialog(tr("API Key Created"),
                                           tr("The API key \"%1\" is below. Send it in the X-API-Key header.").arg(name),
                                           created.value().plaintext, this);
    secret->setAttribute(Qt::WA_DeleteOnClose);
    m_secretDialog = secret;
    secret->open();
    emit keyCreated(id);
    emit createFinished(true);
}

Status ApiKeysDialog::revokeKey(const QString &keyId)
{
    const Status s = m_context.services().apiKeys().revoke(m_context.actor(), keyId);
    showStatus(s);
    if (s)
        refresh();
    return s;
}

void ApiKeysDialog::onRevoke()
{
    const ApiKeyRecord *key = m_model->key(currentKey());
    if (!key)
        return;
    const QString id = key->id;
    QMessageBox box(QMessageBox::Question, tr("Revoke API key"),
                    tr("Revoke the key \"%1\" (%2…%3)? Programs using it stop working at once; this cannot be undone.")
                        .arg(key->name, key->prefix, key->lastFour),
                    QMessageBox::Yes | QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("revokeApiKeyConfirmation"));
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(QMessageBox::Cancel);
    const QPointer<ApiKeysDialog> alive(this);
    const int answer = box.exec();
    if (alive && answer == QMessageBox::Yes)
        discardOutcome(revokeKey(id)); // shown in the dialog
}

} // namespace wadesk
