#pragma once

#include "core/auth/AccountService.h"
#include "core/auth/PasswordHasher.h"
#include "ui/firstrun/FirstRunChoices.h"
#include "core/secrets/KeychainSecretStore.h"

#include <QDialog>
#include <QWizard>
#include <functional>
#include <memory>
#include <optional>

namespace wadesk {

class FirstRunApiPage;
class FirstRunDatabasePage;
class FirstRunOrganizationPage;
class FirstRunSecretsPage;
class FirstRunSummaryPage;

// The first start of the desktop on a fresh data directory: the organization and its admin,
// the database (embedded SQLite, or a PostgreSQL URL that must pass a test), where the master
// key lives (the system keychain when it works here, else a key file), and the API's address.
// Nothing is written until Finish; then FirstRunSetup::apply runs off the UI thread and the
// wizard closes only when it succeeded (an error is shown on the summary page otherwise).
class FirstRunWizard final : public QWizard {
    Q_OBJECT
public:
    enum PageId { OrganizationPageId, DatabasePageId, SecretsPageId, ApiPageId, SummaryPageId };

    struct Options {
        QString dataDir;         // absolute; the SQLite file and key file live here
        QString settingsFile;    // written on Finish
        QString defaultDataDir;  // see FirstRunSetup::Target
        PasswordHasher::Cost passwordCost = PasswordHasher::Cost::Interactive;
        QString bindAddress = QStringLiteral("127.0.0.1");
        int port = 3002;
        bool masterKeyInEnvironment = false; // WADESK_MASTER_KEY is set
        // Whether the system keychain works here; empty: KeychainSecretStore(dataDir).probe().
        std::function<KeychainSecretStore::Probe()> keychainProbe;
    };

    explicit FirstRunWizard(Options options, QWidget *parent = nullptr);
    ~FirstRunWizard() override;

    const Options &options() const { return m_options; }
    // What the pages hold now (the password included until Finish applies it).
    FirstRunChoices choices() const;
    // Set once Finish has applied the choices.
    const std::optional<AccountService::Registration> &registration() const { return m_registration; }
    bool applying() const { return m_applying; }

    // After a successful first run: says what was created and shows the API key (once).
    static void showCompletion(QWidget *parent, const AccountService::Registration &registration);
    static std::unique_ptr<QDialog> completionDialog(QWidget *parent, const AccountService::Registration &registration);

    void done(int result) override;

signals:
    // Finish was pressed and applying ended; on failure the wizard stays open with the reason.
    void applyFinished(bool ok, const QString &error);

private:
    void startApply();

    Options m_options;
    FirstRunOrganizationPage *m_organizationPage = nullptr;
    FirstRunDatabasePage *m_databasePage = nullptr;
    FirstRunSecretsPage *m_secretsPage = nullptr;
    FirstRunApiPage *m_apiPage = nullptr;
    FirstRunSummaryPage *m_summaryPage = nullptr;
    bool m_applying = false;
    std::optional<AccountService::Registration> m_registration;
};

} // namespace wadesk
