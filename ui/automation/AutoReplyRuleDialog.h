#pragma once

#include "core/autoreplies/AutoReplyRule.h"

#include <QDialog>
#include <QList>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QGroupBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTimeEdit;

namespace wadesk {

class DesktopContext;
class ErrorLabel;

// Adds or changes an auto-reply rule (docs/auto-replies.md): its kind (keyword, away, welcome),
// for keywords the match mode and the keywords (one a line), for away messages the business
// hours (days and a start and end time) and holidays, the reply text, the client it applies
// to (or the whole organization), the period within which a contact gets it at most once,
// the priority and whether it is on. Saved through AutoReplyService; its refusal is shown and
// nothing changes.
class AutoReplyRuleDialog final : public QDialog {
    Q_OBJECT
public:
    // `existing` null: a new rule.
    AutoReplyRuleDialog(DesktopContext &context, const AutoReplyRule *existing, QWidget *parent = nullptr);

    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *kindChooser() const { return m_kind; }
    QComboBox *matchChooser() const { return m_match; }
    QPlainTextEdit *keywordsEdit() const { return m_keywords; }
    QPlainTextEdit *replyEdit() const { return m_reply; }
    QComboBox *clientChooser() const { return m_client; }
    QList<QCheckBox *> dayBoxes() const { return m_days; } // Monday first
    QTimeEdit *opensEdit() const { return m_opens; }
    QTimeEdit *closesEdit() const { return m_closes; }
    QLineEdit *holidaysEdit() const { return m_holidays; }
    QSpinBox *periodMinutes() const { return m_period; } // 0: the kind's default
    QSpinBox *priorityBox() const { return m_priority; }
    QCheckBox *enabledBox() const { return m_enabled; }
    QGroupBox *keywordGroup() const { return m_keywordGroup; }
    QGroupBox *hoursGroup() const { return m_hoursGroup; }
    QPushButton *saveButton() const;
    QString errorText() const;
    bool save();
    const AutoReplyRule &savedRule() const { return m_saved; }

private:
    void updateKind();

    DesktopContext &m_context;
    QString m_ruleId;
    AutoReplyRule m_saved;
    // An edited away rule keeps its stored schedule (which may have several windows, made
    // through the API) unless one of the hours fields was changed here.
    bool m_wasAway = false;
    bool m_scheduleTouched = false;
    QLineEdit *m_name = nullptr;
    QComboBox *m_kind = nullptr;
    QGroupBox *m_keywordGroup = nullptr;
    QComboBox *m_match = nullptr;
    QPlainTextEdit *m_keywords = nullptr;
    QGroupBox *m_hoursGroup = nullptr;
    QList<QCheckBox *> m_days;
    QTimeEdit *m_opens = nullptr;
    QTimeEdit *m_closes = nullptr;
    QLineEdit *m_holidays = nullptr;
    QPlainTextEdit *m_reply = nullptr;
    QComboBox *m_client = nullptr;
    QSpinBox *m_period = nullptr;
    QSpinBox *m_priority = nullptr;
    QCheckBox *m_enabled = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    ErrorLabel *m_error = nullptr;
};

} // namespace wadesk
