#pragma once

#include "core/templates/TemplateRepository.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace wadesk {

class DesktopContext;
class ErrorLabel;

// Adds or changes a message template: a name and a text with {{variables}} (docs/templates.md),
// with a preview rendered live for a contact chosen from the organization's (or a sample
// without name or attributes). The text is parsed by the one renderer as it is typed, so an
// unknown variable shows at once; Save goes through TemplateService, whose refusal (the same
// 422 the API gives) is shown and nothing changes.
class TemplateEditDialog final : public QDialog {
    Q_OBJECT
public:
    // `existing` null: a new template.
    TemplateEditDialog(DesktopContext &context, const TemplateRecord *existing, QWidget *parent = nullptr);

    QLineEdit *nameEdit() const { return m_name; }
    QPlainTextEdit *textEdit() const { return m_text; }
    QComboBox *contactChooser() const { return m_contact; }
    QLabel *previewLabel() const { return m_preview; }
    QPushButton *saveButton() const;
    QString errorText() const;
    // Creates or changes the template; false (with the reason shown) when refused.
    bool save();
    const TemplateRecord &savedTemplate() const { return m_saved; }

private:
    void updatePreview();

    DesktopContext &m_context;
    QString m_templateId;
    TemplateRecord m_saved;
    QLineEdit *m_name = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QComboBox *m_contact = nullptr;
    QLabel *m_preview = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    ErrorLabel *m_error = nullptr;
};

} // namespace wadesk
