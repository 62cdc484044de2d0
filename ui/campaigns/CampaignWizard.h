#pragma once

#include "core/campaigns/CampaignService.h"

#include <QWizard>
#include <QWizardPage>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QRadioButton;
class QSpinBox;
class QTimeEdit;

namespace wadesk {

class DesktopContext;
class ErrorLabel;

// New campaign, in four pages; every check and figure comes from the core services with the
// signed-in actor:
//  1. Audience: name, client, and numbers pasted, contacts with tags (any of them), a saved
//     segment, or contact ids, with a live recipient count (SegmentService's preview for tags
//     and segments).
//  2. Message: text, or a template rendered for a sample contact (TemplateService::preview).
//  3. Schedule: now or at a time, a send window (days, hours, in the organization's time zone,
//     checked by SendWindow::fromJson) and a per-day cap.
//  4. Review: what will be sent to whom, with the estimated finish (CampaignService::estimate).
// Finish creates the campaign (CampaignService::create); its error keeps the wizard open on the
// review page. Whether it should start at once ("now") is startNow(): the Campaigns screen
// starts it off the GUI thread.
class CampaignWizard final : public QWizard {
    Q_OBJECT
public:
    enum PageId { AudiencePageId, MessagePageId, SchedulePageId, ReviewPageId };
    enum class AudienceKind { Numbers, Tags, Segment, Contacts };

    explicit CampaignWizard(DesktopContext &context, QWidget *parent = nullptr);

    // The draft as the pages describe it now.
    CampaignService::Draft draft() const;
    // The recipients the audience counts now (before duplicates and opt-outs at the start).
    int recipientCount() const { return m_recipientCount; }
    void refreshCount();
    void refreshPreview();
    bool startNow() const;
    QString createdCampaignId() const { return m_createdId; }
    // The error of the current page ("" when none).
    QString errorText() const;

    // The pages' fields, for tests.
    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *clientBox() const { return m_client; }
    QButtonGroup *audienceKinds() const { return m_kinds; }
    void setAudienceKind(AudienceKind kind);
    QPlainTextEdit *numbersEdit() const { return m_numbers; }
    QLineEdit *tagsEdit() const { return m_tags; }
    QComboBox *segmentBox() const { return m_segment; }
    QPlainTextEdit *contactIdsEdit() const { return m_contactIds; }
    QLabel *countLabel() const { return m_count; }
    QRadioButton *textChoice() const { return m_useText; }
    QRadioButton *templateChoice() const { return m_useTemplate; }
    QPlainTextEdit *messageEdit() const { return m_message; }
    QComboBox *templateBox() const { return m_template; }
    QComboBox *sampleBox() const { return m_sample; }
    QLabel *previewLabel() const { return m_preview; }
    QRadioButton *nowChoice() const { return m_now; }
    QRadioButton *laterChoice() const { return m_later; }
    QDateTimeEdit *scheduleEdit() const { return m_at; }
    QCheckBox *windowBox() const { return m_useWindow; }
    QCheckBox *dayBox(int day) const { return m_days.value(day - 1); } // 1 = Monday
    QTimeEdit *windowStartEdit() const { return m_windowStart; }
    QTimeEdit *windowEndEdit() const { return m_windowEnd; }
    QSpinBox *dailyCapBox() const { return m_cap; }
    QLabel *reviewLabel() const { return m_review; }
    QLabel *estimateLabel() const { return m_estimate; }

    // Page checks (validatePage of each page): false with the service's error shown.
    bool checkAudience();
    bool checkMessage();
    bool checkSchedule();
    bool create();
    void prepareReview();

private:
    QWizardPage *buildAudiencePage();
    QWizardPage *buildMessagePage();
    QWizardPage *buildSchedulePage();
    QWizardPage *buildReviewPage();
    AudienceKind audienceKind() const;
    Result<std::optional<SendWindow>> window() const;
    void showError(ErrorLabel *label, const DomainError &error);

    DesktopContext &m_context;
    QLineEdit *m_name = nullptr;
    QComboBox *m_client = nullptr;
    QButtonGroup *m_kinds = nullptr;
    QPlainTextEdit *m_numbers = nullptr;
    QLineEdit *m_tags = nullptr;
    QComboBox *m_segment = nullptr;
    QPlainTextEdit *m_contactIds = nullptr;
    QLabel *m_count = nullptr;
    ErrorLabel *m_audienceError = nullptr;
    QRadioButton *m_useText = nullptr;
    QRadioButton *m_useTemplate = nullptr;
    QPlainTextEdit *m_message = nullptr;
    QComboBox *m_template = nullptr;
    QComboBox *m_sample = nullptr;
    QLabel *m_preview = nullptr;
    ErrorLabel *m_messageError = nullptr;
    QRadioButton *m_now = nullptr;
    QRadioButton *m_later = nullptr;
    QDateTimeEdit *m_at = nullptr;
    QCheckBox *m_useWindow = nullptr;
    QList<QCheckBox *> m_days;
    QTimeEdit *m_windowStart = nullptr;
    QTimeEdit *m_windowEnd = nullptr;
    QSpinBox *m_cap = nullptr;
    ErrorLabel *m_scheduleError = nullptr;
    QLabel *m_review = nullptr;
    QLabel *m_estimate = nullptr;
    ErrorLabel *m_reviewError = nullptr;
    int m_recipientCount = 0;
    QString m_createdId;
};

} // namespace wadesk
