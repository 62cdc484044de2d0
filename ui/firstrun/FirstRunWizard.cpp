#include "ui/firstrun/FirstRunWizard.h"

#include "core/auth/AccountService.h"
#include "core/common/Version.h"
#include "core/db/DatabaseUrl.h"
#include "ui/firstrun/FirstRunPages.h"
#include "ui/firstrun/FirstRunSetup.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/common/OneTimeSecretDialog.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace wadesk {

QLabel *makeErrorLabel(QWidget *parent)
{
    return new ErrorLabel(QStringLiteral("errorLabel"), QCoreApplication::translate("wadesk::FirstRunWizard", "Error"), parent);
}

namespace {

void showError(QLabel *label, const QString &text)
{
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

QLineEdit *addLineEdit(QFormLayout *form, QWidget *parent, const QString &objectName, const QString &label,
                       const QString &accessibleName)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    form->addRow(label, edit);
    return edit;
}

} // namespace

// ---- Organization and admin ----

FirstRunOrganizationPage::FirstRunOrganizationPage(QWidget *parent)
    : QWizardPage(parent)
{
    setTitle(tr("Your organization"));
    setSubTitle(tr("WaDesk keeps each organization's clients, messages and team apart. Create yours and its first "
                   "administrator: you."));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout();
    organizationName = addLineEdit(form, this, QStringLiteral("organizationName"), tr("&Organization:"), tr("Organization name"));
    organizationName->setMaxLength(200);
    adminName = addLineEdit(form, this, QStringLiteral("adminName"), tr("Your &name:"), tr("Your name"));
    adminName->setMaxLength(100);
    email = addLineEdit(form, this, QStringLiteral("email"), tr("&Email:"), tr("Email address"));
    email->setMaxLength(254);
    email->setInputMethodHints(Qt::ImhEmailCharactersOnly);
    password = addLineEdit(form, this, QStringLiteral("password"), tr("&Password:"), tr("Password"));
    password->setEchoMode(QLineEdit::Password);
    password->setMaxLength(PasswordHasher::kMaxLength);
    password->setPlaceholderText(tr("at least %n characters", nullptr, PasswordHasher::kMinLength));
    confirmPassword = addLineEdit(form, this, QStringLiteral("confirmPassword"), tr("&Confirm password:"), tr("Confirm password"));
    confirmPassword->setEchoMode(QLineEdit::Password);
    confirmPassword->setMaxLength(PasswordHasher::kMaxLength);
    layout->addLayout(form);
    m_error = makeErrorLabel(this);
    layout->addWidget(m_error);
    layout->addStretch();
}

bool FirstRunOrganizationPage::validatePage()
{
    const QString org = organizationName->text().trimmed();
    const QString name = adminName->text().trimmed();
    const QString mail = email->text().trimmed();
    const QString pass = password->text();
    auto refuse = [this](QLineEdit *field, const QString &why) {
        showError(m_error, why);
        field->setFocus();
        return false;
    };
    if (org.isEmpty() || org.size() > 200)
        return refuse(organizationName, tr("Enter the organization's name (at most 200 characters)."));
    if (name.isEmpty() || name.size() > 100)
        return refuse(adminName, tr("Enter your name (at most 100 characters)."));
    if (!AccountRules::checkEmail(mail))
        return refuse(email, tr("Enter a valid email address."));
    if (!AccountRules::checkPassword(pass))
        return refuse(password, tr("The password must be %1 to %2 characters long.")
                                    .arg(PasswordHasher::kMinLength)
                                    .arg(PasswordHasher::kMaxLength));
    if (pass != confirmPassword->text())
        return refuse(confirmPassword, tr("The two passwords differ."));
    if (Status s = AccountService::validateRegistration(mail, pass, name, org); !s)
        return refuse(organizationName, errorMessageFor(s.error()));
    showError(m_error, QString());
    return true;
}

// ---- Database ----

FirstRunDatabasePage::FirstRunDatabasePage(QString dataDir, QWidget *parent)
    : QWizardPage(parent)
    , m_dataDir(std::move(dataDir))
{
    setTitle(tr("Database"));
    setSubTitle(tr("Where WaDesk keeps its data. The embedded database suits one computer; use PostgreSQL to run "
                   "several WaDesk instances on the same data."));
    auto *layout = new QVBoxLayout(this);
    sqliteOption = new QRadioButton(tr("&Embedded database (SQLite, recommended)"), this);
    sqliteOption->setObjectName(QStringLiteral("sqliteOption"));
    sqliteOption->setAccessibleName(tr("Embedded SQLite database"));
    sqliteOption->setChecked(true);
    layout->addWidget(sqliteOption);
    auto *path = new QLabel(tr("File: %1").arg(QDir(m_dataDir).filePath(QStringLiteral("wadesk.db"))), this);
    path->setObjectName(QStringLiteral("sqlitePath"));
    path->setTextInteractionFlags(Qt::TextSelectableByMouse);
    path->setContentsMargins(24, 0, 0, 8);
    layout->addWidget(path);

    postgresOption = new QRadioButton(tr("&PostgreSQL server"), this);
    postgresOption->setObjectName(QStringLiteral("postgresOption"));
    postgresOption->setAccessibleName(tr("PostgreSQL server"));
    layout->addWidget(postgresOption);
    auto *row = new QHBoxLayout();
    row->setContentsMargins(24, 0, 0, 0);
    url = new QLineEdit(this);
    url->setObjectName(QStringLiteral("postgresUrl"));
    url->setAccessibleName(tr("PostgreSQL URL"));
    url->setPlaceholderText(QStringLiteral("postgres://wadesk:password@localhost:5432/wadesk"));
    row->addWidget(url, 1);
    testButton = new QPushButton(tr("&Test connection"), this);
    testButton->setObjectName(QStringLiteral("testConnection"));
    testButton->setAccessibleName(tr("Test the PostgreSQL connection"));
    row->addWidget(testButton);
    layout->addLayout(row);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("connectionStatus"));
    m_status->setWordWrap(true);
    m_status->setContentsMargins(24, 0, 0, 0);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setAccessibleName(tr("Connection test result"));
    layout->addWidget(m_status);
    layout->addStretch();

    connect(sqliteOption, &QRadioButton::toggled, this, &FirstRunDatabasePage::updateState);
    connect(url, &QLineEdit::textChanged, this, &FirstRunDatabasePage::updateState);
    connect(url, &QLineEdit::returnPressed, this, &FirstRunDatabasePage::testConnection);
    connect(testButton, &QPushButton::clicked, this, &FirstRunDatabasePage::testConnection);
    connect(&m_watcher, &QFutureWatcher<Status>::finished, this, [this]() {
        const Status result = m_watcher.result();
        if (result) {
            m_testedUrl = m_runningUrl;
            m_status->setText(tr("Connected."));
        } else {
            m_testedUrl.clear();
            m_status->setText(tr("The connection failed: %1").arg(errorMessageFor(result.error())));
        }
        updateState();
        emit connectionTested(result.ok());
    });
    updateState();
}

FirstRunDatabasePage::~FirstRunDatabasePage()
{
    // The test runs on a pool thread with copies of what it needs; only its answer is dropped.
    m_watcher.disconnect(this);
}

bool FirstRunDatabasePage::usesPostgres() const
{
    return postgresOption->isChecked();
}

QString FirstRunDatabasePage::postgresUrl() const
{
    return url->text().trimmed();
}

bool FirstRunDatabasePage::isComplete() const
{
    if (!usesPostgres())
        return true;
    return !m_watcher.isRunning() && !m_testedUrl.isEmpty() && m_testedUrl == postgresUrl();
}

void FirstRunDatabasePage::updateState()
{
    const bool pg = usesPostgres();
    url->setEnabled(pg && !m_watcher.isRunning());
    testButton->setEnabled(pg && !m_watcher.isRunning() && !postgresUrl().isEmpty());
    if (pg && !m_watcher.isRunning() && m_testedUrl != postgresUrl() && !postgresUrl().isEmpty()
        && m_status->text() == tr("Connected."))
        m_status->clear();
    m_status->setVisible(pg);
    emit completeChanged();
}

void FirstRunDatabasePage::testConnection()
{
    if (!usesPostgres() || m_watcher.isRunning() || postgresUrl().isEmpty())
        return;
    m_runningUrl = postgresUrl();
    Result<DatabaseUrl> parsed = DatabaseUrl::parse(m_runningUrl, m_dataDir);
    if (!parsed || parsed.value().dialect != DatabaseUrl::Dialect::Postgres) {
        m_testedUrl.clear();
        m_status->setText(tr("Enter a URL of the form postgres://user:password@host:5432/database."));
        updateState();
        emit connectionTested(false);
        return;
    }
    m_status->setText(tr("Connecting to %1…").arg(parsed.value().describe()));
    const QString target = m_runningUrl;
    const QString dataDir = m_dataDir;
    m_watcher.setFuture(QtConcurrent::run([target, dataDir]() { return FirstRunSetup::testPostgres(target, dataDir); }));
    updateState();
}

// ---- Secrets ----

FirstRunSecretsPage::FirstRunSecretsPage(const FirstRunWizard::Options &options, QWidget *parent)
    : QWizardPage(parent)
    , m_options(options)
{
    setTitle(tr("Secrets"));
    setSubTitle(tr("WaDesk encrypts its secrets with a master key. Choose where that key is kept, and back it up "
                   "together with the database."));
    auto *layout = new QVBoxLayout(this);
    keychainOption = new QRadioButton(tr("The system &keychain"), this);
    keychainOption->setObjectName(QStringLiteral("keychainOption"));
    keychainOption->setAccessibleName(tr("Keep the master key in the system keychain"));
    keychainOption->setEnabled(false);
    layout->addWidget(keychainOption);
    keyFileOption = new QRadioButton(tr("A key &file readable only by you (%1)").arg(QDir(m_options.dataDir).filePath(QStringLiteral("master.key"))),
                                     this);
    keyFileOption->setObjectName(QStringLiteral("keyFileOption"));
    keyFileOption->setAccessibleName(tr("Keep the master key in a key file"));
    layout->addWidget(keyFileOption);
    environmentOption = new QRadioButton(tr("The &environment variable WADESK_MASTER_KEY"), this);
    environmentOption->setObjectName(QStringLiteral("environmentOption"));
    environmentOption->setAccessibleName(tr("Take the master key from WADESK_MASTER_KEY"));
    environmentOption->setVisible(m_options.masterKeyInEnvironment);
    layout->addWidget(environmentOption);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("keychainStatus"));
    m_status->setWordWrap(true);
    m_status->setAccessibleName(tr("Keychain check result"));
    layout->addWidget(m_status);
    auto *again = new QPushButton(tr("Check the keychain &again"), this);
    again->setObjectName(QStringLiteral("probeAgain"));
    again->setAccessibleName(tr("Check the system keychain again"));
    layout->addWidget(again, 0, Qt::AlignLeft);
    layout->addStretch();
    // Asking again means the keychain is wanted: if it answers now, it becomes the choice.
    connect(again, &QPushButton::clicked, this, [this]() {
        m_userChose = false;
        probe();
    });
    for (QRadioButton *option : {keychainOption, keyFileOption, environmentOption})
        connect(option, &QRadioButton::clicked, this, [this]() { m_userChose = true; });
    for (QRadioButton *option : {keychainOption, keyFileOption, environmentOption})
        connect(option, &QRadioButton::toggled, this, &QWizardPage::completeChanged);
}

void FirstRunSecretsPage::initializePage()
{
    if (!m_probed && !m_probing) {
        m_status->setText(tr("Checking the system keychain…"));
        // After the page is shown: the check can take a moment (the keychain may ask to unlock).
        QTimer::singleShot(0, this, &FirstRunSecretsPage::probe);
    }
}

namespace {
constexpr int kInteractiveProbeMs = 180000;
} // namespace

void FirstRunSecretsPage::probe()
{
    if (m_probing)
        return;
    m_probing = true;
    emit completeChanged();
    m_status->setText(tr("Checking the system keychain… If the system asks to create or unlock a keyring, answer it."));
    QPointer<FirstRunSecretsPage> self(this);
    KeychainSecretStore::Probe result;
    if (m_options.keychainProbe) {
        result = m_options.keychainProbe();
    } else {
        // Long enough for the system's own prompt (create or unlock a keyring) to be answered:
        // the store answers at once when that prompt is dismissed.
        KeychainSecretStore store(m_options.dataDir, kInteractiveProbeMs);
        result = store.probe(); // answers through a local event loop: the window keeps painting
    }
    if (!self)
        return;
    m_probing = false;
    m_probed = true;
    const bool available = result.availability == KeychainSecretStore::Availability::Available;
    keychainOption->setEnabled(available);
    QString text;
    switch (result.availability) {
    case KeychainSecretStore::Availability::Available:
        text = tr("The system keychain works here: it is the recommended place.");
        break;
    case KeychainSecretStore::Availability::Refused:
        text = tr("A system keychain exists but refused access (%1). Unlock it and check again, or use a key file.")
                   .arg(result.detail);
        break;
    case KeychainSecretStore::Availability::NoBackend:
        text = tr("No system keychain is available here (%1): the key file is used instead. Keep a backup of it.")
                   .arg(result.detail.isEmpty() ? tr("no Secret Service or KWallet") : result.detail);
        break;
    }
    if (m_options.masterKeyInEnvironment)
        text += QLatin1Char(' ') + tr("WADESK_MASTER_KEY is set in the environment: it takes precedence while it is set.");
    m_status->setText(text);
    // The probe's preference (environment, else keychain, else key file) unless the user picked
    // an option that still works.
    const bool keepUserChoice = m_userChose && (available || !keychainOption->isChecked()) && !backend().isEmpty();
    if (!keepUserChoice) {
        if (m_options.masterKeyInEnvironment)
            environmentOption->setChecked(true);
        else if (available)
            keychainOption->setChecked(true);
        else
            keyFileOption->setChecked(true);
    }
    emit completeChanged();
    emit probeFinished();
}

bool FirstRunSecretsPage::isComplete() const
{
    return !m_probing && m_probed && !backend().isEmpty();
}

QString FirstRunSecretsPage::backend() const
{
    if (keychainOption->isChecked() && keychainOption->isEnabled())
        return QStringLiteral("keychain");
    if (keyFileOption->isChecked())
        return QStringLiteral("file");
    if (environmentOption->isChecked() && m_options.masterKeyInEnvironment)
        return QStringLiteral("env");
    return QString();
}

// ---- API ----

FirstRunApiPage::FirstRunApiPage(const FirstRunWizard::Options &options, QWidget *parent)
    : QWizardPage(parent)
{
    setTitle(tr("REST API"));
    setSubTitle(tr("Other systems send and receive messages through WaDesk's REST API. By default it answers only on "
                   "this computer."));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout();
    bindAddress = new QLineEdit(options.bindAddress, this);
    bindAddress->setObjectName(QStringLiteral("bindAddress"));
    bindAddress->setAccessibleName(tr("API address"));
    form->addRow(tr("&Address:"), bindAddress);
    port = new QSpinBox(this);
    port->setObjectName(QStringLiteral("port"));
    port->setAccessibleName(tr("API port"));
    port->setRange(1, 65535);
    port->setValue(options.port > 0 ? options.port : 3002);
    form->addRow(tr("&Port:"), port);
    layout->addLayout(form);
    allowRemote = new QCheckBox(tr("I understand that this address &exposes the API to the network"), this);
    allowRemote->setObjectName(QStringLiteral("allowRemote"));
    allowRemote->setAccessibleName(tr("Acknowledge that the API is exposed to the network"));
    layout->addWidget(allowRemote);
    m_warning = new QLabel(tr("This address is reachable from other computers. Put WaDesk behind TLS (a reverse proxy) "
                              "and keep API keys secret."),
                           this);
    m_warning->setObjectName(QStringLiteral("exposureWarning"));
    m_warning->setWordWrap(true);
    layout->addWidget(m_warning);
    m_error = makeErrorLabel(this);
    layout->addWidget(m_error);
    layout->addStretch();
    connect(bindAddress, &QLineEdit::textChanged, this, &FirstRunApiPage::updateWarning);
    updateWarning();
}

void FirstRunApiPage::updateWarning()
{
    const QString address = bindAddress->text().trimmed();
    const bool exposed = !address.isEmpty() && !FirstRunSetup::isLoopback(address);
    allowRemote->setVisible(exposed);
    m_warning->setVisible(exposed);
    if (!exposed)
        allowRemote->setChecked(false);
}

bool FirstRunApiPage::validatePage()
{
    const QString address = bindAddress->text().trimmed();
    if (!FirstRunSetup::isLoopback(address) && QHostAddress(address).isNull()) {
        showError(m_error, tr("Enter an IP address, such as 127.0.0.1 (this computer only) or 0.0.0.0 (every network)."));
        bindAddress->setFocus();
        return false;
    }
    if (!FirstRunSetup::isLoopback(address) && !allowRemote->isChecked()) {
        showError(m_error, tr("%1 is not a loopback address: confirm that the API may be exposed to the network, or use "
                              "127.0.0.1.")
                               .arg(address));
        allowRemote->setFocus();
        return false;
    }
    showError(m_error, QString());
    return true;
}

// ---- Summary ----

FirstRunSummaryPage::FirstRunSummaryPage(QWidget *parent)
    : QWizardPage(parent)
{
    setTitle(tr("Ready"));
    setSubTitle(tr("Nothing has been written yet. Press Finish to create the organization and save these settings."));
    auto *layout = new QVBoxLayout(this);
    summary = new QLabel(this);
    summary->setObjectName(QStringLiteral("summary"));
    summary->setWordWrap(true);
    summary->setTextFormat(Qt::RichText);
    summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    summary->setAccessibleName(tr("Summary of the choices"));
    layout->addWidget(summary);
    progress = new QLabel(this);
    progress->setObjectName(QStringLiteral("progress"));
    progress->hide();
    layout->addWidget(progress);
    error = makeErrorLabel(this);
    layout->addWidget(error);
    layout->addStretch();
}

void FirstRunSummaryPage::initializePage()
{
    auto *w = qobject_cast<FirstRunWizard *>(wizard());
    if (!w)
        return;
    const FirstRunChoices c = w->choices();
    auto row = [](const QString &label, const QString &value) {
        return QStringLiteral("<tr><td style='padding-right:12px'><b>%1</b></td><td>%2</td></tr>")
            .arg(label.toHtmlEscaped(), value.toHtmlEscaped());
    };
    QString database = c.databaseKind == FirstRunChoices::DatabaseKind::Postgres
        ? tr("PostgreSQL: %1").arg(DatabaseUrl::redacted(c.postgresUrl))
        : tr("SQLite: %1").arg(QDir(w->options().dataDir).filePath(QStringLiteral("wadesk.db")));
    QString secrets;
    if (c.secretsBackend == QLatin1String("keychain"))
        secrets = tr("the system keychain");
    else if (c.secretsBackend == QLatin1String("env"))
        secrets = tr("the environment variable WADESK_MASTER_KEY");
    else
        secrets = tr("key file %1").arg(QDir(w->options().dataDir).filePath(QStringLiteral("master.key")));
    QString api = QStringLiteral("http://%1:%2").arg(c.bindAddress.trimmed()).arg(c.port);
    if (c.allowRemote && !FirstRunSetup::isLoopback(c.bindAddress))
        api += QLatin1Char(' ') + tr("(exposed to the network)");
    summary->setText(QStringLiteral("<table>") + row(tr("Organization"), c.organizationName.trimmed())
                     + row(tr("Administrator"), QStringLiteral("%1 <%2>").arg(c.adminName.trimmed(), c.email.trimmed()))
                     + row(tr("Database"), database) + row(tr("Master key"), secrets) + row(tr("REST API"), api)
                     + row(tr("Settings file"), w->options().settingsFile) + QStringLiteral("</table>"));
    error->hide();
}

void FirstRunSummaryPage::setBusy(bool busy)
{
    progress->setText(busy ? tr("Creating the organization and saving the settings…") : QString());
    progress->setVisible(busy);
    if (busy)
        error->hide();
}

// ---- The wizard ----

FirstRunWizard::FirstRunWizard(Options options, QWidget *parent)
    : QWizard(parent)
    , m_options(std::move(options))
{
    setObjectName(QStringLiteral("firstRunWizard"));
    setWindowTitle(tr("Welcome to %1").arg(QLatin1String(kDisplayName)));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage, true);
    m_organizationPage = new FirstRunOrganizationPage(this);
    m_databasePage = new FirstRunDatabasePage(m_options.dataDir, this);
    m_secretsPage = new FirstRunSecretsPage(m_options, this);
    m_apiPage = new FirstRunApiPage(m_options, this);
    m_summaryPage = new FirstRunSummaryPage(this);
    setPage(OrganizationPageId, m_organizationPage);
    setPage(DatabasePageId, m_databasePage);
    setPage(SecretsPageId, m_secretsPage);
    setPage(ApiPageId, m_apiPage);
    setPage(SummaryPageId, m_summaryPage);
    setStartId(OrganizationPageId);
    for (WizardButton b : {NextButton, BackButton, FinishButton, CancelButton}) {
        if (QAbstractButton *button = this->button(b))
            button->setAccessibleName(button->text().remove(QLatin1Char('&')).remove(QStringLiteral(" >")).remove(QStringLiteral("< ")));
    }
    resize(640, 480);
}

FirstRunWizard::~FirstRunWizard() = default;

FirstRunChoices FirstRunWizard::choices() const
{
    FirstRunChoices c;
    c.organizationName = m_organizationPage->organizationName->text().trimmed();
    c.adminName = m_organizationPage->adminName->text().trimmed();
    c.email = m_organizationPage->email->text().trimmed();
    c.password = m_organizationPage->password->text();
    c.databaseKind = m_databasePage->usesPostgres() ? FirstRunChoices::DatabaseKind::Postgres : FirstRunChoices::DatabaseKind::Sqlite;
    c.postgresUrl = m_databasePage->usesPostgres() ? m_databasePage->postgresUrl() : QString();
    c.secretsBackend = m_secretsPage->backend().isEmpty() ? QStringLiteral("file") : m_secretsPage->backend();
    c.bindAddress = m_apiPage->bindAddress->text().trimmed();
    c.port = m_apiPage->port->value();
    c.allowRemote = m_apiPage->allowRemote->isChecked() && !FirstRunSetup::isLoopback(c.bindAddress);
    return c;
}

void FirstRunWizard::done(int result)
{
    if (m_applying)
        return; // neither Cancel nor Finish while the choices are being applied
    if (result == QDialog::Accepted && !m_registration) {
        if (!validateCurrentPage())
            return;
        startApply();
        return;
    }
    QWizard::done(result);
}

namespace {
struct ApplyOutcome {
    std::optional<AccountService::Registration> registration;
    QString error;
};
} // namespace

void FirstRunWizard::startApply()
{
    m_applying = true;
    m_summaryPage->setBusy(true);
    for (WizardButton b : {BackButton, FinishButton, CancelButton}) {
        if (QAbstractButton *button = this->button(b))
            button->setEnabled(false);
    }
    FirstRunSetup::Target target;
    target.settingsFile = m_options.settingsFile;
    target.dataDir = m_options.dataDir;
    target.defaultDataDir = m_options.defaultDataDir;
    target.passwordCost = m_options.passwordCost;
    const FirstRunChoices c = choices();
    auto *watcher = new QFutureWatcher<ApplyOutcome>(this);
    connect(watcher, &QFutureWatcher<ApplyOutcome>::finished, this, [this, watcher]() {
        const ApplyOutcome outcome = watcher->result();
        watcher->deleteLater();
        m_applying = false;
        m_summaryPage->setBusy(false);
        for (WizardButton b : {BackButton, FinishButton, CancelButton}) {
            if (QAbstractButton *button = this->button(b))
                button->setEnabled(true);
        }
        if (!outcome.registration) {
            m_summaryPage->error->setText(tr("WaDesk could not be set up: %1").arg(outcome.error));
            m_summaryPage->error->show();
            emit applyFinished(false, outcome.error);
            return;
        }
        m_registration = outcome.registration;
        m_organizationPage->password->clear();
        m_organizationPage->confirmPassword->clear();
        emit applyFinished(true, QString());
        QWizard::done(QDialog::Accepted);
    });
    watcher->setFuture(QtConcurrent::run([c, target]() {
        ApplyOutcome out;
        Result<AccountService::Registration> r = FirstRunSetup::apply(c, target);
        if (r)
            out.registration = r.value();
        else if (r.error().httpStatus >= 500)
            // A failure on this machine (the data directory or settings file cannot be written):
            // its own text names the path, which is what the user needs to fix it.
            out.error = r.error().message;
        else
            out.error = errorMessageFor(r.error());
        return out;
    }));
}

std::unique_ptr<QDialog> FirstRunWizard::completionDialog(QWidget *parent, const AccountService::Registration &registration)
{
    const QString text = tr("The organization %1 and its administrator %2 were created. Sign in next.\n\n"
                            "Below is the organization's first API key. Copy it now if an integration needs it; "
                            "you can create others later.")
                             .arg(registration.organization.name, registration.admin.email);
    auto dialog = std::make_unique<OneTimeSecretDialog>(tr("WaDesk is ready"), text, registration.apiKey, parent);
    dialog->setObjectName(QStringLiteral("firstRunCompletion"));
    return dialog;
}

void FirstRunWizard::showCompletion(QWidget *parent, const AccountService::Registration &registration)
{
    completionDialog(parent, registration)->exec();
}

} // namespace wadesk
