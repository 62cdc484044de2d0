#include "core/templates/MessageTemplate.h"

#include <QRegularExpression>

namespace wadesk {

namespace {

DomainError invalid(const QString &why, qsizetype position)
{
    DomainError e = DomainError::unprocessable(QStringLiteral("Invalid template: %1 at character %2").arg(why).arg(position),
                                               QStringLiteral("invalid_template"));
    e.details.insert(QStringLiteral("position"), double(position));
    return e;
}

bool knownVariable(const QString &variable)
{
    static const QRegularExpression attribute(QStringLiteral("^attributes\\.[A-Za-z0-9_-]{1,64}$"));
    return variable == QLatin1String("name") || variable == QLatin1String("phone_number") || attribute.match(variable).hasMatch();
}

} // namespace

Result<MessageTemplate> MessageTemplate::parse(const QString &text)
{
    MessageTemplate t;
    qsizetype at = 0;
    while (at < text.size()) {
        const qsizetype open = text.indexOf(QLatin1String("{{"), at);
        const qsizetype strayClose = text.indexOf(QLatin1String("}}"), at);
        if (strayClose >= 0 && (open < 0 || strayClose < open))
            return invalid(QStringLiteral("'}}' without '{{'"), strayClose);
        if (open < 0) {
            t.m_parts.append(Part{text.mid(at), QString(), std::nullopt});
            break;
        }
        if (open > at)
            t.m_parts.append(Part{text.mid(at, open - at), QString(), std::nullopt});
        const qsizetype close = text.indexOf(QLatin1String("}}"), open + 2);
        const qsizetype nestedOpen = text.indexOf(QLatin1String("{{"), open + 2);
        if (close < 0)
            return invalid(QStringLiteral("'{{' without '}}'"), open);
        if (nestedOpen >= 0 && nestedOpen < close)
            return invalid(QStringLiteral("'{{' inside a variable"), nestedOpen);
        const QString inside = text.mid(open + 2, close - open - 2);
        const qsizetype bar = inside.indexOf(QLatin1Char('|'));
        Part part;
        part.variable = (bar < 0 ? inside : inside.left(bar)).trimmed();
        if (bar >= 0)
            part.fallback = inside.mid(bar + 1).trimmed();
        if (part.variable.isEmpty())
            return invalid(QStringLiteral("a variable without a name"), open);
        if (!knownVariable(part.variable)) {
            DomainError e = DomainError::unprocessable(
                QStringLiteral("Unknown variable '%1': use name, phone_number or attributes.<key>").arg(part.variable.left(80)),
                QStringLiteral("unknown_variable"));
            e.details.insert(QStringLiteral("variable"), part.variable.left(80));
            e.details.insert(QStringLiteral("position"), double(open));
            return e;
        }
        t.m_parts.append(part);
        at = close + 2;
    }
    return t;
}

MessageTemplate::Rendered MessageTemplate::render(const TemplateValues &values) const
{
    Rendered out;
    for (const Part &part : m_parts) {
        if (part.variable.isEmpty()) {
            out.text += part.literal;
            continue;
        }
        QString value = part.variable == QLatin1String("name")           ? values.name
                      : part.variable == QLatin1String("phone_number") ? values.phoneNumber
                                                                       : values.attributes.value(part.variable.mid(11));
        if (value.trimmed().isEmpty()) {
            if (!part.fallback) {
                if (out.missing.isEmpty())
                    out.missing = part.variable;
                continue;
            }
            value = *part.fallback;
        }
        out.text += value;
    }
    return out;
}

QStringList MessageTemplate::variables() const
{
    QStringList out;
    for (const Part &part : m_parts) {
        if (!part.variable.isEmpty() && !out.contains(part.variable))
            out << part.variable;
    }
    return out;
}

} // namespace wadesk
