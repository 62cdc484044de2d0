#pragma once

#include "core/campaigns/CampaignService.h"

#include <QAbstractTableModel>
#include <QList>

namespace wadesk {

class DesktopContext;

// The campaigns the signed-in user sees (CampaignService::list: viewers only those on their
// assigned clients), newest first, with their state and progress. reload() keeps the rows in
// place when the same campaigns come back (only their figures change: a running campaign's
// progress), so the selection survives the periodic refresh.
class CampaignListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kMaxRows = 500;
    enum Column { NameColumn, StateColumn, ProgressColumn, StartedColumn, FinishedColumn, ColumnCount };
    enum Roles {
        CampaignIdRole = Qt::UserRole + 1,
        StatusRole,   // "running", ...
        SentRole,     // recipients whose message reached WhatsApp
        TotalRole,    // recipients in all (0 before the start)
    };

    explicit CampaignListModel(DesktopContext &context, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // False (lastError()) when the service refuses or fails; the rows stay as they were.
    bool reload();
    QString lastError() const { return m_lastError; }
    int rowOf(const QString &campaignId) const;
    const CampaignView *campaign(int row) const;
    // Whether a campaign is running or scheduled (the screen then keeps refreshing).
    bool anyActive() const;

    static QString statusText(CampaignStatus status);

private:
    DesktopContext &m_context;
    QList<CampaignView> m_rows;
    QString m_lastError;
};

} // namespace wadesk
