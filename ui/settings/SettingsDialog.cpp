#include "ui/settings/SettingsDialog.h"

#include "core/auth/OrganizationService.h"
#include "core/retention/RetentionSettings.h"
#include "core/sessions/ClientActionService.h"
#include "core/sessions/ClientService.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/settings/InstallationSettings.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QTimeZone>
#include <QVBoxLayout>

namespace wadesk {

namespace {
QSpinBox *spinBox(QWidget *parent, const QString &objectName, const QString &accessibleName, int min, int max)
{
    auto *box = new QSpinBox(parent);
    box->setObjectName(objectName);
    box->setAccessibleName(accessibleName);
    box->setRange(min, max);
    return box;
}

QSpinBox *daysBox(QWidget *parent, const QString &objectName, const QString &accessibleName, int max)
{
    QSpinBox *box = spinBox(parent, objectName, accessibleName, 0, max);
    box->setSpecialValueText(QObject::tr("Forever"));
    box->setSuffix(QObject::tr(" days"));
    return box;
}

QStringList keywordsOf(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(QLatin1Char(','))) {
        if (!part.trimmed().isEmpty())
            out << part.trimmed();
    }
    return out;
}
} // namespace

SettingsDialog::SettingsDialog(DesktopContext &context, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));
    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("settingsTabs"));
    m_tabs->setAccessibleName(tr("Settings sections"));
    m_orgPage = buildOrganizationPage();
    m_tabs->addTab(m_orgPage, tr("&Organization"));
    const AuthContext &actor = m_context.actor();
    if (m_context.signedIn() && actor.can(Permission::ManageClients)) {
        m_limitsPage = buildClientLimitsPage();
        m_tabs->addTab(m_limitsPage, tr("&Client Limits"));
    }
    if (m_context.signedIn() && actor.can(Permission::ManageOrganization)) {
        m_installPage = buildInstallationPage();
        m_tabs->addTab(m_installPage, tr("&Installation"));
    }
    m_notificationsPage = buildNotificationsPage();
    m_tabs->addTab(m_notificationsPage, tr("No&tifications"));
    layout->addWidget(m_tabs, 1);
    m_notice = new QLabel(this);
    m_notice->setObjectName(QStringLiteral("settingsNotice"));
    m_notice->setTextFormat(Qt::PlainText);
    m_notice->setWordWrap(true);
    m_notice->hide();
    layout->addWidget(m_notice);
    m_error = new ErrorLabel(QStringLiteral("settingsError"), tr("Settings error"), this);
    layout->addWidget(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setAccessibleName(tr("Close"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    loadOrganization();
    loadClientLimits();
    resize(640, 560);
}

QString SettingsDialog::errorText() const
{
    return m_error->text();
}

QString SettingsDialog::noticeText() const
{
    return m_notice->isVisibleTo(this) ? m_notice->text() : QString();
}

void SettingsDialog::report(const Status &status, const QString &done)
{
    m_error->showError(status ? QString() : errorMessageFor(status.error()));
    m_notice->setText(status ? done : QString());
    m_notice->setVisible(status && !done.isEmpty());
}

QWidget *SettingsDialog::buildOrganizationPage()
{
    auto *page = new QWidget(this);
    page->setObjectName(QStringLiteral("organizationSettingsPage"));
    auto *form = new QFormLayout(page);
    const bool admin = m_context.signedIn() && m_context.actor().can(Permission::ManageOrganization);
    m_orgName = new QLineEdit(page);
    m_orgName->setObjectName(QStringLiteral("organizationNameEdit"));
    m_orgName->setAccessibleName(tr("Organization name"));
    m_orgName->setMaxLength(200);
    m_orgName->setReadOnly(!admin);
    form->addRow(tr("&Name:"), m_orgName);
    m_timeZone = new QComboBox(page);
    m_timeZone->setObjectName(QStringLiteral("timeZoneBox"));
    m_timeZone->setAccessibleName(tr("Time zone"));
    m_timeZone->setToolTip(tr("The zone in which the dashboard and the analytics cut days. Type to search."));
    m_timeZone->setEditable(true);
    m_timeZone->setInsertPolicy(QComboBox::NoInsert);
    for (const QByteArray &id : QTimeZone::availableTimeZoneIds()) {
        const QString name = QString::fromLatin1(id);
        if (OrganizationService::isKnownTimeZone(name))
            m_timeZone->addItem(name);
    }
    // Search anywhere in the name: "paris" finds Europe/Paris.
    m_timeZone->completer()->setFilterMode(Qt::MatchContains);
    m_timeZone->completer()->setCaseSensitivity(Qt::CaseInsensitive);
    m_timeZone->completer()->setCompletionMode(QCompleter::PopupCompletion);
    m_timeZone->setEnabled(admin);
    form->addRow(tr("&Time zone:"), m_timeZone);
    m_saveOrg = new QPushButton(tr("&Save Organization"), page);
    m_saveOrg->setObjectName(QStringLiteral("saveOrganizationButton"));
    m_saveOrg->setAccessibleName(tr("Save organization settings"));
    m_saveOrg->setVisible(admin);
    m_saveOrg->setEnabled(admin);
    connect(m_saveOrg, &QPushButton::clicked, this, [this]() { discardOutcome(saveOrganization()); });
    form->addRow(QString(), m_saveOrg);
    if (!admin) {
        auto *hint = new QLabel(tr("Only admins change the organization's settings."), page);
        hint->setObjectName(QStringLiteral("organizationReadOnlyHint"));
        hint->setWordWrap(true);
        form->addRow(hint);
    }
    return page;
}

void SettingsDialog::loadOrganization()
{
    if (!m_context.signedIn())
        return;
    const Result<OrganizationInfo> org = m_context.services().organizations().get(m_context.actor());
    if (!org) {
        m_error->showError(errorMessageFor(org.error()));
        return;
    }
    m_orgName->setText(org.value().name);
    const int at = m_timeZone->findText(org.value().timeZone);
    if (at >= 0)
        m_timeZone->setCurrentIndex(at);
    else
        m_timeZone->setEditText(org.value().timeZone);
}

Status SettingsDialog::saveOrganization()
{
    const AuthContext &actor = m_context.actor();
    OrganizationService &organizations = m_context.services().organizations();
    const Result<OrganizationInfo> before = organizations.get(actor);
    if (!before) {
        report(before.error(), QString());
        return before.error();
    }
    const QString name = m_orgName->text().trimmed();
    const QString zone = m_timeZone->currentText().trimmed();
    // Checked together before either is written, so a bad zone does not leave a new name behind.
    if (zone != before.value().timeZone && !OrganizationService::isKnownTimeZone(zone)) {
        const Status bad = DomainError::validation(QStringLiteral("time_zone"),
                                                   tr("\"%1\" is not a time zone; pick one from the list, such as Europe/Paris").arg(zone));
        report(bad, QString());
        return bad;
    }
    if (name != before.value().name) {
        const Result<OrganizationInfo> renamed = organizations.rename(actor, name);
        if (!renamed) {
            report(renamed.error(), QString());
            return renamed.error();
        }
    }
    if (zone != before.value().timeZone) {
        const Result<OrganizationInfo> zoned = organizations.setTimeZone(actor, zone);
        if (!zoned) {
            report(zoned.error(), QString());
            return zoned.error();
        }
    }
    report({}, tr("Organization settings saved."));
    return {};
}

QWidget *SettingsDialog::buildClientLimitsPage()
{
    auto *page = new QWidget(this);
    page->setObjectName(QStringLiteral("clientLimitsPage"));
    auto *form = new QFormLayout(page);
    auto *intro = new QLabel(tr("A client's own send limits. \"Installation default\" uses the limits on the Installation tab."), page);
    intro->setWordWrap(true);
    form->addRow(intro);
    m_limitClient = new QComboBox(page);
    m_limitClient->setObjectName(QStringLiteral("limitClientBox"));
    m_limitClient->setAccessibleName(tr("Client"));
    form->addRow(tr("C&lient:"), m_limitClient);
    // The ranges PATCH /api/clients/:clientId accepts; 0 is the installation default.
    m_clientMinute = spinBox(page, QStringLiteral("clientPerMinuteBox"), tr("Client messages per minute"), 0, 1000);
    m_clientHour = spinBox(page, QStringLiteral("clientPerHourBox"), tr("Client messages per hour"), 0, 60000);
    m_clientDay = spinBox(page, QStringLiteral("clientPerDayBox"), tr("Client messages per day"), 0, 1000000);
    for (QSpinBox *box : {m_clientMinute, m_clientHour, m_clientDay})
        box->setSpecialValueText(tr("Installation default"));
    form->addRow(tr("Per &minute:"), m_clientMinute);
    form->addRow(tr("Per &hour:"), m_clientHour);
    form->addRow(tr("Per &day:"), m_clientDay);
    m_saveLimits = new QPushButton(tr("Save &Limits"), page);
    m_saveLimits->setObjectName(QStringLiteral("saveLimitsButton"));
    m_saveLimits->setAccessibleName(tr("Save the client's limits"));
    form->addRow(QString(), m_saveLimits);
    connect(m_saveLimits, &QPushButton::clicked, this, [this]() { discardOutcome(saveClientLimits()); });
    connect(m_limitClient, &QComboBox::currentIndexChanged, this, [this]() {
        const QString id = m_limitClient->currentData().toString();
        const Result<ClientRecord> c = id.isEmpty() ? Result<ClientRecord>(DomainError::notFound(QStringLiteral("Client")))
                                                    : m_context.clients().get(m_context.actor(), id);
        m_clientMinute->setValue(c ? c.value().ratePerMinute : 0);
        m_clientHour->setValue(c ? c.value().ratePerHour : 0);
        m_clientDay->setValue(c ? c.value().ratePerDay : 0);
        m_saveLimits->setEnabled(c.ok());
    });
    return page;
}

void SettingsDialog::loadClientLimits()
{
    if (!m_limitClient)
        return;
    m_limitClient->clear();
    const Result<ClientService::Page> page = m_context.clients().list(m_context.actor(), 1000, 0);
    if (!page) {
        m_error->showError(errorMessageFor(page.error()));
        return;
    }
    for (const ClientRecord &c : page.value().clients)
        m_limitClient->addItem(c.name, c.id);
    m_saveLimits->setEnabled(m_limitClient->count() > 0);
    if (m_limitClient->count() == 0)
        m_limitClient->setPlaceholderText(tr("No clients yet"));
}

Status SettingsDialog::saveClientLimits()
{
    const QString id = m_limitClient ? m_limitClient->currentData().toString() : QString();
    if (id.isEmpty()) {
        const Status none = DomainError::validation(QStringLiteral("client"), tr("Pick a client first."));
        report(none, QString());
        return none;
    }
    ClientService::Change change;
    change.perMinute = m_clientMinute->value();
    change.perHour = m_clientHour->value();
    change.perDay = m_clientDay->value();
    const Result<ClientRecord> updated = m_context.clientActions().update(m_context.actor(), id, change);
    if (!updated) {
        report(updated.error(), QString());
        return updated.error();
    }
    report({}, tr("Limits of %1 saved; they apply to its next message.").arg(updated.value().name));
    return {};
}

QWidget *SettingsDialog::buildInstallationPage()
{
    const InstallationSettings s = InstallationSettings::load(m_context.facts().settingsFile, m_context.services().settings());
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("installationPage"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *page = new QWidget(scroll);
    auto *layout = new QVBoxLayout(page);
    m_restartNotice = new QLabel(tr("These settings are kept in the settings file (%1) and apply when WaDesk starts next. "
                                    "Environment variables and command-line options take precedence over them.")
                                     .arg(m_context.facts().settingsFile.isEmpty() ? tr("none in this run") : m_context.facts().settingsFile),
                                 page);
    m_restartNotice->setObjectName(QStringLiteral("restartNotice"));
    m_restartNotice->setTextFormat(Qt::PlainText);
    m_restartNotice->setWordWrap(true);
    layout->addWidget(m_restartNotice);

    auto *sending = new QGroupBox(tr("Sending"), page);
    auto *sendForm = new QFormLayout(sending);
    m_defMinute = spinBox(sending, QStringLiteral("defaultPerMinuteBox"), tr("Default messages per minute"), 1, 100000);
    m_defHour = spinBox(sending, QStringLiteral("defaultPerHourBox"), tr("Default messages per hour"), 1, 1000000);
    m_defDay = spinBox(sending, QStringLiteral("defaultPerDayBox"), tr("Default messages per day"), 1, 10000000);
    m_defMinute->setValue(s.perMinute);
    m_defHour->setValue(s.perHour);
    m_defDay->setValue(s.perDay);
    sendForm->addRow(tr("Per minute:"), m_defMinute);
    sendForm->addRow(tr("Per hour:"), m_defHour);
    sendForm->addRow(tr("Per day:"), m_defDay);
    m_pacing = new QCheckBox(tr("&Pace like a person (typing time and pauses between messages)"), sending);
    m_pacing->setObjectName(QStringLiteral("pacingBox"));
    m_pacing->setAccessibleName(tr("Human pacing"));
    m_pacing->setChecked(s.pacing);
    sendForm->addRow(m_pacing);
    m_optOut = new QLineEdit(s.optOutKeywords.join(QStringLiteral(", ")), sending);
    m_optOut->setObjectName(QStringLiteral("optOutEdit"));
    m_optOut->setAccessibleName(tr("Opt-out keywords"));
    m_optOut->setToolTip(tr("Separated by commas. A message that is exactly one of them opts its sender out."));
    sendForm->addRow(tr("Opt-&out keywords:"), m_optOut);
    m_optIn = new QLineEdit(s.optInKeywords.join(QStringLiteral(", ")), sending);
    m_optIn->setObjectName(QStringLiteral("optInEdit"));
    m_optIn->setAccessibleName(tr("Opt-in keywords"));
    m_optIn->setToolTip(tr("Separated by commas. A message that is exactly one of them opts its sender back in."));
    sendForm->addRow(tr("Opt-i&n keywords:"), m_optIn);
    layout->addWidget(sending);

    auto *retention = new QGroupBox(tr("Data retention"), page);
    auto *keepForm = new QFormLayout(retention);
    m_messagesDays = daysBox(retention, QStringLiteral("messagesDaysBox"), tr("Days to keep messages"), RetentionSettings::kMaxDays);
    m_mediaDays = daysBox(retention, QStringLiteral("mediaDaysBox"), tr("Days to keep files"), MediaSettings::kMaxRetentionDays);
    m_eventsDays = daysBox(retention, QStringLiteral("eventsDaysBox"), tr("Days to keep events"), RetentionSettings::kMaxDays);
    m_deliveriesDays = daysBox(retention, QStringLiteral("deliveriesDaysBox"), tr("Days to keep webhook deliveries"), RetentionSettings::kMaxDays);
    m_deadLettersDays = daysBox(retention, QStringLiteral("deadLettersDaysBox"), tr("Days to keep dead letters"), RetentionSettings::kMaxDays);
    m_messagesDays->setValue(s.messagesDays);
    m_mediaDays->setValue(s.mediaDays);
    m_eventsDays->setValue(s.eventsDays);
    m_deliveriesDays->setValue(s.deliveriesDays);
    m_deadLettersDays->setValue(s.deadLettersDays);
    keepForm->addRow(tr("&Messages:"), m_messagesDays);
    keepForm->addRow(tr("&Files:"), m_mediaDays);
    keepForm->addRow(tr("&Events:"), m_eventsDays);
    keepForm->addRow(tr("&Webhook deliveries:"), m_deliveriesDays);
    keepForm->addRow(tr("Dead &letters:"), m_deadLettersDays);
    layout->addWidget(retention);

    auto *api = new QGroupBox(tr("REST API"), page);
    auto *apiForm = new QFormLayout(api);
    m_apiBind = new QLineEdit(s.apiBind, api);
    m_apiBind->setObjectName(QStringLiteral("apiBindEdit"));
    m_apiBind->setAccessibleName(tr("API address"));
    apiForm->addRow(tr("&Address:"), m_apiBind);
    m_apiPort = spinBox(api, QStringLiteral("apiPortBox"), tr("API port"), 0, 65535);
    m_apiPort->setSpecialValueText(tr("Any free port"));
    m_apiPort->setValue(s.apiPort);
    apiForm->addRow(tr("P&ort:"), m_apiPort);
    m_allowRemote = new QCheckBox(tr("Allow &remote access (an address other than this computer's)"), api);
    m_allowRemote->setObjectName(QStringLiteral("allowRemoteBox"));
    m_allowRemote->setAccessibleName(tr("Allow remote API access"));
    m_allowRemote->setChecked(s.apiAllowRemote);
    apiForm->addRow(m_allowRemote);
    auto *apiNotice = new QLabel(tr("WaDesk must be restarted for a new address or port to apply. Now: %1").arg(m_context.facts().apiAddress), api);
    apiNotice->setObjectName(QStringLiteral("apiRestartNotice"));
    apiNotice->setTextFormat(Qt::PlainText);
    apiNotice->setWordWrap(true);
    apiForm->addRow(apiNotice);
    layout->addWidget(api);

    auto *language = new QGroupBox(tr("Language"), page);
    auto *languageForm = new QFormLayout(language);
    m_language = new QComboBox(language);
    m_language->setObjectName(QStringLiteral("languageBox"));
    m_language->setAccessibleName(tr("Language"));
    m_language->addItem(tr("System language"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_language->addItem(QStringLiteral("Español"), QStringLiteral("es"));
    m_language->setCurrentIndex(std::max(0, m_language->findData(s.language)));
    languageForm->addRow(tr("Lan&guage:"), m_language);
    layout->addWidget(language);

    m_saveInstall = new QPushButton(tr("Save Installation Settings"), page);
    m_saveInstall->setObjectName(QStringLiteral("saveInstallationButton"));
    m_saveInstall->setAccessibleName(tr("Save installation settings"));
    m_saveInstall->setEnabled(!m_context.facts().settingsFile.isEmpty());
    connect(m_saveInstall, &QPushButton::clicked, this, [this]() { discardOutcome(saveInstallation()); });
    auto *row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(m_saveInstall);
    layout->addLayout(row);
    layout->addStretch(1);
    scroll->setWidget(page);
    return scroll;
}

InstallationSettings SettingsDialog::installationFromForm() const
{
    InstallationSettings s;
    s.perMinute = m_defMinute->value();
    s.perHour = m_defHour->value();
    s.perDay = m_defDay->value();
    s.pacing = m_pacing->isChecked();
    s.optOutKeywords = keywordsOf(m_optOut->text());
    s.optInKeywords = keywordsOf(m_optIn->text());
    s.eventsDays = m_eventsDays->value();
    s.deliveriesDays = m_deliveriesDays->value();
    s.deadLettersDays = m_deadLettersDays->value();
    s.messagesDays = m_messagesDays->value();
    s.mediaDays = m_mediaDays->value();
    s.apiBind = m_apiBind->text().trimmed();
    s.apiPort = m_apiPort->value();
    s.apiAllowRemote = m_allowRemote->isChecked();
    s.language = m_language->currentData().toString();
    return s;
}

Status SettingsDialog::saveInstallation()
{
    // The Installation tab exists for admins only; checked again in case the role changed.
    if (!m_installPage || !m_context.signedIn() || !m_context.actor().can(Permission::ManageOrganization)) {
        const Status refused = DomainError::forbidden();
        report(refused, QString());
        return refused;
    }
    const Status saved = installationFromForm().save(m_context.facts().settingsFile);
    report(saved, tr("Saved. Restart WaDesk to apply the installation settings."));
    return saved;
}

QWidget *SettingsDialog::buildNotificationsPage()
{
    auto *page = new QWidget(this);
    page->setObjectName(QStringLiteral("notificationsSettingsPage"));
    auto *layout = new QVBoxLayout(page);
    m_messageNotifications = new QCheckBox(tr("Show a desktop &notification when a message arrives while WaDesk is not in front"), page);
    m_messageNotifications->setObjectName(QStringLiteral("messageNotificationsBox"));
    m_messageNotifications->setAccessibleName(tr("Desktop notifications for new messages"));
    layout->addWidget(m_messageNotifications);
    auto *hint = new QLabel(page);
    hint->setTextFormat(Qt::PlainText);
    hint->setWordWrap(true);
    layout->addWidget(hint);
    layout->addStretch(1);
    // The tray's switch is the setting (it stores it for this user); this box only shows it.
    QAction *action = m_context.notificationsAction();
    if (!action) {
        m_messageNotifications->setEnabled(false);
        hint->setText(tr("Notifications need the tray; this run has none."));
        return page;
    }
    hint->setText(tr("Only messages to clients you may see are notified. The same switch is in the tray menu."));
    m_messageNotifications->setChecked(action->isChecked());
    connect(m_messageNotifications, &QCheckBox::toggled, action, &QAction::setChecked);
    connect(action, &QAction::toggled, m_messageNotifications, &QCheckBox::setChecked);
    return page;
}

} // namespace wadesk
