#pragma once

#include "core/webhooks/WebhookRepository.h"

#include <QAbstractTableModel>
#include <QList>

namespace wadesk {

class DesktopContext;

// The organization's webhook endpoints for the Webhooks screen: url, events, state (enabled, or
// disabled with the reason), last success and last failure. Read through WebhookService with the
// signed-in actor and only for roles with can_manage_webhooks (as the REST routes): for anyone
// else, or without the secret store, the model stays empty and lastError() says why. Sealed
// secrets are never kept here.
class WebhookListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { UrlColumn, EventsColumn, StateColumn, LastSuccessColumn, LastFailureColumn, ColumnCount };
    enum Roles {
        WebhookIdRole = Qt::UserRole + 1,
        UrlRole,
        EventsRole,  // QStringList of event names ("*" for all)
        ActiveRole,
        DisabledReasonRole,
        LastSuccessRole, // ms since the epoch, 0 when never
        LastFailureRole,
    };

    explicit WebhookListModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    bool reload();
    QString lastError() const { return m_lastError; }
    int rowOf(const QString &webhookId) const;
    const WebhookRecord *webhook(const QString &webhookId) const;

    // "3 Jun 2026 14:05" in the user's locale and time zone; "Never" for 0.
    static QString timeText(qint64 ms);

private:
    DesktopContext &m_context;
    QList<WebhookRecord> m_hooks;
    QString m_lastError;
};

} // namespace wadesk
