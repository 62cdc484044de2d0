#pragma once

// The pages of FirstRunWizard (private to ui/firstrun; tests reach the widgets by object name).

#include "core/common/DomainError.h"
#include "ui/firstrun/FirstRunWizard.h"

#include <QFutureWatcher>
#include <QWizardPage>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace wadesk {

// A red, word-wrapped line under a page's fields, read by screen readers.
QLabel *makeErrorLabel(QWidget *parent);

class FirstRunOrganizationPage final : public QWizardPage {
    Q_OBJECT
public:
    explicit FirstRunOrganizationPage(QWidget *parent = nullptr);
    bool validatePage() override;

    QLineEdit *organizationName = nullptr;
    QLineEdit *adminName = nullptr;
    QLineEdit *email = nullptr;
    QLineEdit *password = nullptr;
    QLineEdit *confirmPassword = nullptr;

private:
    QLabel *m_error = nullptr;
};

class FirstRunDatabasePage final : public QWizardPage {
    Q_OBJECT
public:
    FirstRunDatabasePage(QString dataDir, QWidget *parent = nullptr);
    ~FirstRunDatabasePage() override;
    bool isComplete() const override;
    bool usesPostgres() const;
    QString postgresUrl() const;
    bool testing() const { return m_watcher.isRunning(); }

    QRadioButton *sqliteOption = nullptr;
    QRadioButton *postgresOption = nullptr;
    QLineEdit *url = nullptr;
    QPushButton *testButton = nullptr;

signals:
    void connectionTested(bool ok);

private:
    void testConnection();
    void updateState();

    QString m_dataDir;
    QLabel *m_status = nullptr;
    QString m_testedUrl; // the URL that last passed the test
    QString m_runningUrl;
    QFutureWatcher<Status> m_watcher;
};

class FirstRunSecretsPage final : public QWizardPage {
    Q_OBJECT
public:
    FirstRunSecretsPage(const FirstRunWizard::Options &options, QWidget *parent = nullptr);
    void initializePage() override;
    bool isComplete() const override;
    QString backend() const;
    bool probed() const { return m_probed; }

    QRadioButton *keychainOption = nullptr;
    QRadioButton *keyFileOption = nullptr;
    QRadioButton *environmentOption = nullptr;

signals:
    void probeFinished();

private:
    void probe();

    FirstRunWizard::Options m_options;
    QLabel *m_status = nullptr;
    bool m_probing = false;
    bool m_probed = false;
    bool m_userChose = false; // an option clicked since the last "Check again": kept over the probe's preference
};

class FirstRunApiPage final : public QWizardPage {
    Q_OBJECT
public:
    FirstRunApiPage(const FirstRunWizard::Options &options, QWidget *parent = nullptr);
    bool validatePage() override;

    QLineEdit *bindAddress = nullptr;
    QSpinBox *port = nullptr;
    QCheckBox *allowRemote = nullptr;

private:
    void updateWarning();
    QLabel *m_warning = nullptr;
    QLabel *m_error = nullptr;
};

class FirstRunSummaryPage final : public QWizardPage {
    Q_OBJECT
public:
    explicit FirstRunSummaryPage(QWidget *parent = nullptr);
    void initializePage() override;
    void setBusy(bool busy);

    QLabel *summary = nullptr;
    QLabel *progress = nullptr;
    QLabel *error = nullptr;
};

} // namespace wadesk
