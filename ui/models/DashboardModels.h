#pragma once

#include "core/analytics/AnalyticsService.h"

#include <QAbstractTableModel>
#include <QDate>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace wadesk {

// What the Dashboard asks for: a preset number of days ending today in the organization's time
// zone (1 = today), or a custom range of whole days; optionally one client.
struct DashboardQuery {
    int lastDays = 30;  // 0: custom (start, end)
    QDate start;
    QDate end;
    QString clientId;   // empty: every client the user may see

    bool operator==(const DashboardQuery &o) const
    {
        return lastDays == o.lastDays && start == o.start && end == o.end && clientId == o.clientId;
    }
};

// Everything the Dashboard shows for one query, read in one go off the GUI thread by
// AnalyticsService (so the numbers are the API's, to the unit).
struct DashboardReport {
    QString organizationName;
    QString timeZone;
    QDate start;
    QDate end;
    QString clientId;
    OrganizationStats stats;
    QList<DayMetrics> days;
    DeliveryRates rates;
    ResponseTimes responses;
    QList<HeatmapCell> heatmap;
    QList<ClientReportRow> clients;
    QList<MemberReportRow> members;
    qint64 generatedAt = 0; // ms since the epoch
    QString error;          // non-empty: the read failed (for people); the numbers are empty

    bool valid() const { return error.isEmpty() && start.isValid(); }
    // Messages of the range in any column of the funnel (outbound that finished, inbound).
    qint64 messagesInRange() const;
};

// A read-only table of the Dashboard (daily volume, per client, per member): text for people
// in Qt::DisplayRole, the raw value (number, or null for "no figure") in Qt::UserRole for
// sorting and export, numbers right-aligned.
class ReportTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // The machine names of the columns (CSV and JSON keys), in order.
    QStringList keys() const { return m_keys; }
    QVariant value(int row, int column) const { return m_rows.value(row).value(column); }

    // Replaces the whole table (one reset).
    void setTable(const QStringList &keys, const QStringList &headers, const QList<QVariantList> &rows);

    // The tables of a report.
    void showDailyVolume(const DashboardReport &report);
    void showClients(const DashboardReport &report);
    void showMembers(const DashboardReport &report);

    // RFC 4180 with a header row of keys() (core/analytics/AnalyticsCsv: formula cells neutralised).
    QByteArray toCsv() const;

    // "2.5 h", "45 min", "—" for no figure.
    static QString hoursText(const QVariant &hours);

private:
    QStringList m_keys;
    QStringList m_headers;
    QList<QVariantList> m_rows;
    QList<bool> m_isHours; // columns holding hours (shown as durations)
};

} // namespace wadesk
