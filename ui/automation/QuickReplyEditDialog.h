#pragma once

#include "core/templates/TemplateRepository.h"

#include <QDialog>

class QDialogButtonBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace wadesk {

class DesktopContext;
class ErrorLabel;

// Adds or changes a quick reply: the shortcut the composer expands after a "/" and its text.
// Saved through TemplateService; its refusal (a bad or taken shortcut, an empty text) is shown
// and nothing changes.
class QuickReplyEditDialog final : public QDialog {
    Q_OBJECT
public:
    // `existing` null: a new quick reply.
    QuickReplyEditDialog(DesktopContext &context, const QuickReplyRecord *existing, QWidget *parent = nullptr);

    QLineEdit *shortcutEdit() const { return m_shortcut; }
    QPlainTextEdit *textEdit() const { return m_text; }
    QPushButton *saveButton() const;
    QString errorText() const;
    bool save();
    const QuickReplyRecord &savedQuickReply() const { return m_saved; }

private:
    DesktopContext &m_context;
    QString m_quickReplyId;
    QuickReplyRecord m_saved;
    QLineEdit *m_shortcut = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    ErrorLabel *m_error = nullptr;
};

} // namespace wadesk
