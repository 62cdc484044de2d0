#pragma once

#include "ui/campaigns/CampaignDetailDialog.h"
#include "ui/campaigns/CampaignWizard.h"

#include <QDialog>
#include <QPointer>
#include <functional>

class QLabel;
class QPushButton;
class QTimer;
class QTreeView;

namespace wadesk {

class CampaignListModel;
class CampaignTasks;
class DesktopContext;
class ErrorLabel;
struct Event;

// Campaigns: every campaign the signed-in user sees with its state and progress (sent of
// total), refreshed while one runs (every kRefreshMs, and at once on campaign and message
// events). Admins and managers create them (New…, the CampaignWizard), start drafts, pause,
// resume and cancel (after a confirmation); viewers see those on their assigned clients, read
// only. Starting runs on CampaignTasks: freezing a big audience never blocks the window.
class CampaignsDialog final : public QDialog {
    Q_OBJECT
public:
    static constexpr int kRefreshMs = 2000;

    explicit CampaignsDialog(DesktopContext &context, QWidget *parent = nullptr);
    ~CampaignsDialog() override;

    CampaignListModel *campaignModel() const { return m_model; }
    QTreeView *campaignView() const { return m_view; }
    QPushButton *newButton() const { return m_new; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *pauseButton() const { return m_pause; }
    QPushButton *resumeButton() const { return m_resume; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *detailsButton() const { return m_details; }
    QTimer *refreshTimer() const { return m_refresh; }
    CampaignTasks *tasks() const { return m_tasks; }
    CampaignWizard *wizard() const { return m_wizard; }          // while open
    CampaignDetailDialog *detailDialog() const { return m_detail; } // while open
    QString errorText() const;

    // Asked before a cancel: true goes ahead (a QMessageBox by default; tests answer).
    void setConfirmation(std::function<bool(const QString &question)> confirm) { m_confirm = std::move(confirm); }

    void reload();
    void selectCampaign(const QString &campaignId);
    QString currentCampaign() const;
    CampaignWizard *openWizard();
    CampaignDetailDialog *openDetails();
    void startCurrent();
    void pauseCurrent();
    void resumeCurrent();
    void cancelCurrent();
    // Creates the wizard's campaign's follow-up: starts it when it was to start now.
    void wizardFinished(int result);

signals:
    // A start run on the tasks' thread came back (error empty on success).
    void startFinished(const QString &campaignId, const QString &error);

private:
    void onEvent(const Event &event);
    void updateControls();
    void startCampaign(const QString &campaignId);

    DesktopContext &m_context;
    CampaignListModel *m_model = nullptr;
    CampaignTasks *m_tasks = nullptr;
    QTreeView *m_view = nullptr;
    QPushButton *m_new = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_resume = nullptr;
    QPushButton *m_cancel = nullptr;
    QPushButton *m_details = nullptr;
    QLabel *m_empty = nullptr;
    QLabel *m_busy = nullptr;
    ErrorLabel *m_error = nullptr;
    QTimer *m_refresh = nullptr;
    QPointer<CampaignWizard> m_wizard;
    QPointer<CampaignDetailDialog> m_detail;
    std::function<bool(const QString &)> m_confirm;
};

} // namespace wadesk
