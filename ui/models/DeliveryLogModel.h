#pragma once

#include "core/webhooks/WebhookRepository.h"

#include <QAbstractTableModel>
#include <QList>
#include <QSortFilterProxyModel>

namespace wadesk {

class DesktopContext;

// The newest deliveries of one webhook (kPageSize at most), newest first: time, event, status,
// attempts, HTTP status and error. Read through WebhookService with the signed-in actor, so a
// webhook of another organization reads as not found. The payload is kept for the viewer.
class DeliveryLogModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kPageSize = 200;
    enum Column { TimeColumn, EventColumn, StatusColumn, AttemptsColumn, HttpColumn, ErrorColumn, ColumnCount };
    enum Roles {
        DeliveryIdRole = Qt::UserRole + 1,
        StatusRole,   // pending, delivering, retrying, succeeded, dead
        PayloadRole,  // the JSON body as sent
        ResponseRole, // the start of the receiver's answer
    };

    explicit DeliveryLogModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The deliveries of `webhookId` (none for an empty id).
    bool load(const QString &webhookId);
    bool reload() { return load(m_webhookId); }
    QString webhookId() const { return m_webhookId; }
    QString lastError() const { return m_lastError; }
    int rowOf(const QString &deliveryId) const;
    const DeliveryRecord *delivery(const QString &deliveryId) const;

    static QString statusText(const QString &status);

private:
    DesktopContext &m_context;
    QString m_webhookId;
    QList<DeliveryRecord> m_deliveries;
    QString m_lastError;
};

// The delivery log filtered by status ("" shows all; "dead" the dead letters).
class DeliveryStatusFilter final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit DeliveryStatusFilter(QObject *parent = nullptr);
    void setStatus(const QString &status);
    QString status() const { return m_status; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_status;
};

} // namespace wadesk
