#include "ui/automation/QuickReplyEditDialog.h"

#include "core/templates/TemplateService.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace wadesk {

QuickReplyEditDialog::QuickReplyEditDialog(DesktopContext &context, const QuickReplyRecord *existing, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("quickReplyEditDialog"));
    setWindowTitle(existing ? tr("Edit Quick Reply") : tr("New Quick Reply"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_shortcut = new QLineEdit(this);
    m_shortcut->setObjectName(QStringLiteral("quickReplyShortcut"));
    m_shortcut->setAccessibleName(tr("Shortcut"));
    m_shortcut->setPlaceholderText(tr("greeting"));
    m_shortcut->setToolTip(tr("1 to 32 letters, digits, _ or -; type / and the shortcut in the composer to expand it"));
    form->addRow(tr("&Shortcut: /"), m_shortcut);
    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("quickReplyText"));
    m_text->setAccessibleName(tr("Quick reply text"));
    m_text->setTabChangesFocus(true);
    form->addRow(tr("&Text:"), m_text);
    layout->addLayout(form, 1);
    m_error = new ErrorLabel(QStringLiteral("quickReplyError"), tr("Quick reply error"), this);
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    layout->addWidget(m_buttons);
    if (existing) {
        m_quickReplyId = existing->id;
        m_shortcut->setText(existing->shortcut);
        m_text->setPlainText(existing->text);
    }
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this]() {
        if (save())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    resize(460, 300);
}

QPushButton *QuickReplyEditDialog::saveButton() const
{
    return m_buttons->button(QDialogButtonBox::Save);
}

QString QuickReplyEditDialog::errorText() const
{
    return m_error->text();
}

bool QuickReplyEditDialog::save()
{
    TemplateService::QuickReplyDraft draft;
    QString shortcut = m_shortcut->text().trimmed();
    if (shortcut.startsWith(QLatin1Char('/')))
        shortcut.remove(0, 1);
    draft.shortcut = shortcut;
    draft.text = m_text->toPlainText();
    TemplateService &templates = m_context.services().templates();
    const Result<QuickReplyRecord> saved = m_quickReplyId.isEmpty() ? templates.createQuickReply(m_context.actor(), draft)
                                                                    : templates.updateQuickReply(m_context.actor(), m_quickReplyId, draft);
    if (!saved) {
        m_error->showError(errorMessageFor(saved.error()));
        return false;
    }
    m_saved = saved.value();
    m_quickReplyId = m_saved.id;
    m_error->showError(QString());
    return true;
}

} // namespace wadesk
