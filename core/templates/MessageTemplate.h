#pragma once

#include "core/common/DomainError.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace wadesk {

// What a template's variables are filled from: one contact (or a bare number).
struct TemplateValues {
    QString name;
    QString phoneNumber;
    QHash<QString, QString> attributes;
};

// A message template's text, parsed: literal text and {{variables}} (docs/templates.md).
// Variables are `name`, `phone_number` and `attributes.<key>` (key: letters, digits, `_`, `-`,
// up to 64), each optionally with a default after a bar: `{{attributes.city|there}}`. Spaces
// inside the braces are ignored around the variable and the bar. There is no escape: `{{` and
// `}}` always delimit a variable. The one renderer of templates, for previews and campaigns.
class MessageTemplate {
public:
    // 422 invalid_template (details.position: the 0-based character where the fault is) for
    // unbalanced or empty braces, 422 unknown_variable (details.variable, details.position).
    static Result<MessageTemplate> parse(const QString &text);

    struct Rendered {
        QString text;
        QString missing; // the first variable that had no value and no default; text is then partial
    };
    // A variable whose value is empty takes its default; without one it is missing.
    Rendered render(const TemplateValues &values) const;
    // The variables used, as written (`attributes.city`), in order of first use.
    QStringList variables() const;

private:
    struct Part {
        QString literal;                 // text, when variable is empty
        QString variable;                // name, phone_number or attributes.<key>
        std::optional<QString> fallback; // the default
    };
    QList<Part> m_parts;
};

} // namespace wadesk
