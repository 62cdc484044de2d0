#pragma once

#include "core/campaigns/Campaign.h"

#include <QAbstractTableModel>
#include <QList>

namespace wadesk {

class DesktopContext;

// A campaign's recipients for its detail screen, as GET /api/campaigns/:id/recipients pages
// them: in their order, a page at a time as the view scrolls (canFetchMore/fetchMore), filtered
// by status (empty: all). Changing the filter starts again from the first page.
class CampaignRecipientModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kPageSize = 100;
    enum Column { PhoneColumn, StatusColumn, ReasonColumn, MessageColumn, ColumnCount };
    enum Roles { StatusRole = Qt::UserRole + 1, PhoneRole };

    CampaignRecipientModel(DesktopContext &context, const QString &campaignId, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    // Starts again from the first page with this status; false (lastError()) on failure.
    bool setStatusFilter(const QString &status);
    QString statusFilter() const { return m_status; }
    bool reload() { return setStatusFilter(m_status); }
    // Recipients matching the filter in all (the service's total).
    int total() const { return m_total; }
    int pagesRead() const { return m_pagesRead; }
    QString lastError() const { return m_lastError; }

private:
    bool readPage();

    DesktopContext &m_context;
    QString m_campaignId;
    QList<CampaignRecipient> m_rows;
    QString m_status;
    int m_total = 0;
    int m_pagesRead = 0;
    bool m_reading = false;
    QString m_lastError;
};

} // namespace wadesk
