#pragma once

#include "core/common/DomainError.h"

#include <QDialog>
#include <QPointer>

class QLabel;
class QPushButton;
class QTreeView;

namespace wadesk {

class ApiKeyListModel;
class CreateApiKeyDialog;
class DesktopContext;
class ErrorLabel;
class OneTimeSecretDialog;

// API keys, as the REST /api/api-keys routes allow: every signed-in member creates and revokes
// their own keys, admins see and revoke every key of the organization. Create… asks for a name
// and an optional expiry and shows the key once with Copy; the list shows each key's prefix and
// last four, last use and expiry; Revoke… asks first. Everything goes through ApiKeyService
// with the signed-in actor (audited as for the API).
class ApiKeysDialog final : public QDialog {
    Q_OBJECT
public:
    explicit ApiKeysDialog(DesktopContext &context, QWidget *parent = nullptr);

    ApiKeyListModel *keyModel() const { return m_model; }
    QTreeView *keyView() const { return m_view; }
    QPushButton *createButton() const { return m_create; }
    QPushButton *revokeButton() const { return m_revoke; }
    CreateApiKeyDialog *createDialog() const;  // while open
    OneTimeSecretDialog *secretDialog() const; // while open
    QString errorText() const;
    QString currentKey() const;
    void selectKey(const QString &keyId);
    void refresh();

    CreateApiKeyDialog *openCreateKey();
    // Revokes without asking (the button asks first).
    Status revokeKey(const QString &keyId);

signals:
    void keyCreated(const QString &keyId);
    void createFinished(bool created);

private:
    void submitNewKey();
    void onRevoke();
    void updateControls();
    void showStatus(const Status &status);

    DesktopContext &m_context;
    ApiKeyListModel *m_model = nullptr;
    QTreeView *m_view = nullptr;
    QPushButton *m_create = nullptr;
    QPushButton *m_revoke = nullptr;
    QLabel *m_hint = nullptr;
    ErrorLabel *m_error = nullptr;
    QPointer<CreateApiKeyDialog> m_createDialog;
    QPointer<OneTimeSecretDialog> m_secretDialog;
};

} // namespace wadesk
