#include "ui/automation/TemplateEditDialog.h"

#include "core/messaging/ContactService.h"
#include "core/templates/MessageTemplate.h"
#include "core/templates/TemplateService.h"
#include "ui/common/ErrorLabel.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace wadesk {

namespace {
constexpr int kPreviewContacts = 50;
}

TemplateEditDialog::TemplateEditDialog(DesktopContext &context, const TemplateRecord *existing, QWidget *parent)
    : QDialog(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("templateEditDialog"));
    setWindowTitle(existing ? tr("Edit Template") : tr("New Template"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("templateName"));
    m_name->setAccessibleName(tr("Template name"));
    m_name->setMaxLength(100);
    form->addRow(tr("&Name:"), m_name);
    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("templateText"));
    m_text->setAccessibleName(tr("Template text"));
    m_text->setTabChangesFocus(true);
    m_text->setPlaceholderText(tr("Hello {{name|there}}, your order for {{attributes.city}} is ready."));
    form->addRow(tr("&Text:"), m_text);
    auto *hint = new QLabel(tr("Variables: {{name}}, {{phone_number}}, {{attributes.key}}; a default after a bar: {{name|there}}."), this);
    hint->setWordWrap(true);
    hint->setTextFormat(Qt::PlainText);
    form->addRow(QString(), hint);
    m_contact = new QComboBox(this);
    m_contact->setObjectName(QStringLiteral("templatePreviewContact"));
    m_contact->setAccessibleName(tr("Preview for contact"));
    m_contact->addItem(tr("A sample number (no name, no attributes)"), QString());
    ContactQuery query;
    query.limit = kPreviewContacts;
    const Result<ContactService::Page> contacts = m_context.contacts().list(m_context.actor(), query);
    if (contacts) {
        for (const ContactRecord &c : contacts.value().contacts) {
            QVariantMap values{{QStringLiteral("name"), c.name}, {QStringLiteral("phone_number"), c.phoneNumber},
                               {QStringLiteral("attributes"), c.attributes.toVariantMap()}};
            m_contact->addItem(c.name.isEmpty() ? c.phoneNumber : QStringLiteral("%1 (%2)").arg(c.name, c.phoneNumber), values);
        }
    }
    form->addRow(tr("Preview &for:"), m_contact);
    m_preview = new QLabel(this);
    m_preview->setObjectName(QStringLiteral("templatePreview"));
    m_preview->setAccessibleName(tr("Preview"));
    m_preview->setTextFormat(Qt::PlainText);
    m_preview->setWordWrap(true);
    m_preview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_preview->setFrameShape(QFrame::StyledPanel);
    m_preview->setMinimumHeight(fontMetrics().lineSpacing() * 3);
    m_preview->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    form->addRow(tr("Preview:"), m_preview);
    layout->addLayout(form, 1);
    m_error = new ErrorLabel(QStringLiteral("templateError"), tr("Template error"), this);
    layout->addWidget(m_error);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    layout->addWidget(m_buttons);

    if (existing) {
        m_templateId = existing->id;
        m_name->setText(existing->name);
        m_text->setPlainText(existing->body);
    }
    connect(m_text, &QPlainTextEdit::textChanged, this, &TemplateEditDialog::updatePreview);
    connect(m_contact, &QComboBox::currentIndexChanged, this, &TemplateEditDialog::updatePreview);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this]() {
        if (save())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updatePreview();
    resize(560, 420);
}

QPushButton *TemplateEditDialog::saveButton() const
{
    return m_buttons->button(QDialogButtonBox::Save);
}

QString TemplateEditDialog::errorText() const
{
    return m_error->text();
}

void TemplateEditDialog::updatePreview()
{
    const Result<MessageTemplate> parsed = MessageTemplate::parse(m_text->toPlainText());
    if (!parsed) {
        m_preview->setText(tr("Cannot be previewed: %1").arg(errorMessageFor(parsed.error())));
        return;
    }
    TemplateValues values;
    const QVariantMap chosen = m_contact->currentData().toMap();
    if (chosen.isEmpty()) {
        values.phoneNumber = QStringLiteral("+15550100000");
    } else {
        values.name = chosen.value(QStringLiteral("name")).toString();
        values.phoneNumber = chosen.value(QStringLiteral("phone_number")).toString();
        const QVariantMap attributes = chosen.value(QStringLiteral("attributes")).toMap();
        for (auto it = attributes.begin(); it != attributes.end(); ++it)
            values.attributes.insert(it.key(), it.value().toString());
    }
    const MessageTemplate::Rendered rendered = parsed.value().render(values);
    m_preview->setText(rendered.missing.isEmpty()
                           ? rendered.text
                           : tr("%1\n\n({{%2}} has no value for this contact and no default: a campaign skips such a recipient.)")
                                 .arg(rendered.text, rendered.missing));
}

bool TemplateEditDialog::save()
{
    TemplateService::TemplateDraft draft;
    draft.name = m_name->text().trimmed();
    draft.body = m_text->toPlainText();
    TemplateService &templates = m_context.services().templates();
    const Result<TemplateRecord> saved = m_templateId.isEmpty() ? templates.create(m_context.actor(), draft)
                                                                : templates.update(m_context.actor(), m_templateId, draft);
    if (!saved) {
        m_error->showError(errorMessageFor(saved.error()));
        return false;
    }
    m_saved = saved.value();
    m_templateId = m_saved.id;
    m_error->showError(QString());
    return true;
}

} // namespace wadesk
