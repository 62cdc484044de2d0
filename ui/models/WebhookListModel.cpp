#include "ui/models/WebhookListModel.h"

#include "core/webhooks/WebhookService.h"
#include "ui/common/ErrorText.h"
#include "ui/desktop/DesktopContext.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

namespace wadesk {

WebhookListModel::WebhookListModel(DesktopContext &context, QObject *parent)
    : QAbstractTableModel(parent)
    , m_context(context)
{
    reload();
}

int WebhookListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_hooks.size());
}

int WebhookListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(ColumnCount);
}

QString WebhookListModel::timeText(qint64 ms)
{
    if (ms <= 0)
        return tr("Never");
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms).toLocalTime(), QLocale::ShortFormat);
}

QVariant WebhookListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const WebhookRecord &w = m_hooks.at(index.row());
    const QString events = w.events.contains(QStringLiteral("*")) ? tr("All events") : w.events.join(QStringLiteral(", "));
    const QString state = w.active ? tr("Enabled") : tr("Disabled");
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case UrlColumn: return w.url;
        case EventsColumn: return events;
        case StateColumn: return state;
        case LastSuccessColumn: return timeText(w.lastSuccessAt);
        case LastFailureColumn: return timeText(w.lastFailureAt);
        default: return {};
        }
    case Qt::ToolTipRole:
        if (!w.active && !w.disabledReason.isEmpty())
            return tr("Disabled: %1").arg(w.disabledReason);
        return tr("%1, %2").arg(w.url, events);
    case Qt::AccessibleTextRole:
        return tr("%1, %2, %3, last success %4, last failure %5")
            .arg(w.url, events, state, timeText(w.lastSuccessAt), timeText(w.lastFailureAt));
    case Qt::ForegroundRole:
        if (!w.active)
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case WebhookIdRole: return w.id;
    case UrlRole: return w.url;
    case EventsRole: return w.events;
    case ActiveRole: return w.active;
    case DisabledReasonRole: return w.disabledReason;
    case LastSuccessRole: return w.lastSuccessAt;
    case LastFailureRole: return w.lastFailureAt;
    default: return {};
    }
}

QVariant WebhookListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case UrlColumn: return tr("URL");
    case EventsColumn: return tr("Events");
    case StateColumn: return tr("State");
    case LastSuccessColumn: return tr("Last success");
    case LastFailureColumn: return tr("Last failure");
    default: return {};
    }
}

bool WebhookListModel::reload()
{
    QList<WebhookRecord> hooks;
    QString error;
    WebhookService *service = m_context.services().webhooks();
    if (!m_context.signedIn() || !m_context.actor().can(Permission::ManageWebhooks)) {
        error = tr("Your role may not manage webhooks.");
    } else if (!service) {
        error = tr("Webhooks need the secret store, which is not available.");
    } else {
        Result<QList<WebhookRecord>> listed = service->list(m_context.actor());
        if (listed) {
            hooks = listed.value();
            for (WebhookRecord &w : hooks) {
                w.secretSealed.clear();
                w.previousSecretSealed.clear();
            }
        } else {
            error = errorMessageFor(listed.error());
        }
    }
    beginResetModel();
    m_hooks = std::move(hooks);
    m_lastError = error;
    endResetModel();
    return error.isEmpty();
}

int WebhookListModel::rowOf(const QString &webhookId) const
{
    for (int i = 0; i < m_hooks.size(); ++i) {
        if (m_hooks.at(i).id == webhookId)
            return i;
    }
    return -1;
}

const WebhookRecord *WebhookListModel::webhook(const QString &webhookId) const
{
    const int row = rowOf(webhookId);
    return row >= 0 ? &m_hooks.at(row) : nullptr;
}

} // namespace wadesk
