#pragma once

#include "core/common/DomainError.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace wadesk {

class DesktopContext;
class ErrorLabel;
struct InstallationSettings;

// Settings, as the REST API's RBAC allows:
//  - Organization (every member reads it; admins, can_manage_organization, change the name and
//    the IANA time zone, picked from a searchable list) through OrganizationService;
//  - Client limits (can_manage_clients: admins and managers): a client's own rate tiers, 0 for
//    the installation default, through ClientActionService (a running session takes them at once);
//  - Installation (admins only): default tiers and pacing, opt-out and opt-in keywords, data
//    retention, the API's address and port, and the language, written to the settings file and
//    applied at the next start (the notice says so);
//  - Notifications (everyone, this desktop's own preference): the tray's "Desktop notifications"
//    switch, the same action, so the two never disagree.
// Bad input shows the error under the tabs and changes nothing.
class SettingsDialog final : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(DesktopContext &context, QWidget *parent = nullptr);

    QTabWidget *tabs() const { return m_tabs; }
    QWidget *organizationPage() const { return m_orgPage; }
    QWidget *clientLimitsPage() const { return m_limitsPage; }   // null for agents and viewers
    QWidget *installationPage() const { return m_installPage; }  // null for everyone but admins
    QLineEdit *organizationNameEdit() const { return m_orgName; }
    QComboBox *timeZoneBox() const { return m_timeZone; }
    QPushButton *saveOrganizationButton() const { return m_saveOrg; }
    QComboBox *limitClientBox() const { return m_limitClient; }
    QSpinBox *perMinuteBox() const { return m_clientMinute; }
    QSpinBox *perHourBox() const { return m_clientHour; }
    QSpinBox *perDayBox() const { return m_clientDay; }
    QPushButton *saveLimitsButton() const { return m_saveLimits; }
    QLineEdit *optOutEdit() const { return m_optOut; }
    QLineEdit *optInEdit() const { return m_optIn; }
    QLineEdit *apiBindEdit() const { return m_apiBind; }
    QSpinBox *apiPortBox() const { return m_apiPort; }
    QCheckBox *allowRemoteBox() const { return m_allowRemote; }
    QComboBox *languageBox() const { return m_language; }
    QSpinBox *defaultPerMinuteBox() const { return m_defMinute; }
    QSpinBox *messagesDaysBox() const { return m_messagesDays; }
    QCheckBox *pacingBox() const { return m_pacing; }
    QPushButton *saveInstallationButton() const { return m_saveInstall; }
    QLabel *restartNotice() const { return m_restartNotice; }
    QWidget *notificationsPage() const { return m_notificationsPage; }
    QCheckBox *messageNotificationsBox() const { return m_messageNotifications; }
    QString errorText() const;
    QString noticeText() const;

    Status saveOrganization();
    Status saveClientLimits();
    Status saveInstallation();

private:
    QWidget *buildOrganizationPage();
    QWidget *buildClientLimitsPage();
    QWidget *buildInstallationPage();
    QWidget *buildNotificationsPage();
    void loadOrganization();
    void loadClientLimits();
    InstallationSettings installationFromForm() const;
    void report(const Status &status, const QString &done);

    DesktopContext &m_context;
    QTabWidget *m_tabs = nullptr;
    QWidget *m_orgPage = nullptr;
    QWidget *m_limitsPage = nullptr;
    QWidget *m_installPage = nullptr;
    QWidget *m_notificationsPage = nullptr;
    QCheckBox *m_messageNotifications = nullptr;
    QLineEdit *m_orgName = nullptr;
    QComboBox *m_timeZone = nullptr;
    QPushButton *m_saveOrg = nullptr;
    QComboBox *m_limitClient = nullptr;
    QSpinBox *m_clientMinute = nullptr;
    QSpinBox *m_clientHour = nullptr;
    QSpinBox *m_clientDay = nullptr;
    QPushButton *m_saveLimits = nullptr;
    QSpinBox *m_defMinute = nullptr;
    QSpinBox *m_defHour = nullptr;
    QSpinBox *m_defDay = nullptr;
    QCheckBox *m_pacing = nullptr;
    QLineEdit *m_optOut = nullptr;
    QLineEdit *m_optIn = nullptr;
    QSpinBox *m_eventsDays = nullptr;
    QSpinBox *m_deliveriesDays = nullptr;
    QSpinBox *m_deadLettersDays = nullptr;
    QSpinBox *m_messagesDays = nullptr;
    QSpinBox *m_mediaDays = nullptr;
    QLineEdit *m_apiBind = nullptr;
    QSpinBox *m_apiPort = nullptr;
    QCheckBox *m_allowRemote = nullptr;
    QComboBox *m_language = nullptr;
    QPushButton *m_saveInstall = nullptr;
    QLabel *m_restartNotice = nullptr;
    QLabel *m_notice = nullptr;
    ErrorLabel *m_error = nullptr;
};

} // namespace wadesk
