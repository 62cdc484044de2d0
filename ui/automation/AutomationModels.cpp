#include "ui/automation/AutomationModels.h"

#include "core/templates/MessageTemplate.h"

namespace wadesk {

QStringList TemplateListModel::headers() const
{
    return {tr("Name"), tr("Text"), tr("Variables")};
}

QString TemplateListModel::cell(const TemplateRecord &record, int column) const
{
    switch (column) {
    case NameColumn:
        return record.name;
    case TextColumn:
        return record.body;
    case VariablesColumn: {
        const Result<MessageTemplate> parsed = MessageTemplate::parse(record.body);
        return parsed ? parsed.value().variables().join(QStringLiteral(", ")) : QString();
    }
    default:
        return {};
    }
}

QStringList QuickReplyListModel::headers() const
{
    return {tr("Shortcut"), tr("Text")};
}

QString QuickReplyListModel::cell(const QuickReplyRecord &record, int column) const
{
    switch (column) {
    case ShortcutColumn:
        return QLatin1Char('/') + record.shortcut;
    case TextColumn:
        return record.text;
    default:
        return {};
    }
}

void AutoReplyRuleListModel::setClientNames(const QHash<QString, QString> &names)
{
    m_clientNames = names;
    if (rowCount() > 0)
        emit dataChanged(index(0, ClientColumn), index(rowCount() - 1, ClientColumn), {Qt::DisplayRole, Qt::ToolTipRole});
}

QString AutoReplyRuleListModel::kindLabel(AutoReplyKind kind)
{
    switch (kind) {
    case AutoReplyKind::Keyword:
        return tr("Keyword");
    case AutoReplyKind::Away:
        return tr("Away (outside business hours)");
    case AutoReplyKind::Welcome:
        return tr("Welcome (first message)");
    }
    return {};
}

QString AutoReplyRuleListModel::matchLabel(KeywordMatch match)
{
    switch (match) {
    case KeywordMatch::Exact:
        return tr("Exact");
    case KeywordMatch::Contains:
        return tr("Contains");
    case KeywordMatch::Regex:
        return tr("Regular expression");
    }
    return {};
}

QStringList AutoReplyRuleListModel::headers() const
{
    return {tr("Name"), tr("Kind"), tr("Trigger"), tr("Client"), tr("On")};
}

QString AutoReplyRuleListModel::cell(const AutoReplyRule &record, int column) const
{
    switch (column) {
    case NameColumn:
        return record.name;
    case KindColumn:
        return kindLabel(record.kind);
    case TriggerColumn:
        if (record.kind == AutoReplyKind::Keyword)
            return tr("%1: %2").arg(matchLabel(record.match), record.keywords.join(QStringLiteral(", ")));
        if (record.kind == AutoReplyKind::Away)
            return tr("%n business-hour window(s), %1 holiday(s)", nullptr, int(record.schedule.hours.size())).arg(record.schedule.holidays.size());
        return tr("A contact's first message");
    case ClientColumn:
        return record.clientId.isEmpty() ? tr("Every client") : m_clientNames.value(record.clientId, record.clientId);
    case EnabledColumn:
        return record.enabled ? tr("Yes") : tr("No");
    default:
        return {};
    }
}

} // namespace wadesk
