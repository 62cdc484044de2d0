#pragma once

#include "ui/dashboard/DashboardCharts.h"
#include "ui/dashboard/DashboardExport.h"
#include "ui/models/DashboardModels.h"

#include <QTimer>
#include <QWidget>
#include <functional>

class QChartView;
class QComboBox;
class QDateEdit;
class QLabel;
class QStackedWidget;
class QTableView;
class QTabWidget;
class QToolButton;

namespace wadesk {

class ClientListModel;
class DashboardLoader;
class DesktopContext;
struct Event;

// The Dashboard (View → Dashboard): the first screen after sign-in for roles that may view
// analytics (admins, managers, viewers; never agents). Tiles (messages today, delivery and read
// rates, average first response, ready sessions, queued messages), charts (daily volume, rates,
// response-time distribution, weekday × hour heatmap) and per-client, per-member and per-day
// tables for a preset (today, 7, 30, 90 days) or custom range and an optional client.
//
// The figures come from AnalyticsService (the API's numbers) read by a DashboardLoader off the
// GUI thread; ready sessions and queued messages come from the client list the window already
// keeps live. Message events schedule one coalesced read (kLiveDelayMs after the first event
// of a burst; a burst during a read costs one more read at most). Exports: the view as JSON,
// each table as CSV, each chart as PNG, the report as PDF.
class DashboardView final : public QWidget {
    Q_OBJECT
public:
    enum Preset { Today, Last7Days, Last30Days, Last90Days, Custom };
    enum class Table { Daily, Clients, Members };
    static constexpr int kLiveDelayMs = 1500;

    DashboardView(DesktopContext &context, ClientListModel &clients, QWidget *parent = nullptr);
    ~DashboardView() override;

    // Reads the figures again now (View → Refresh), or soon (coalesced).
    void refresh();
    void scheduleRefresh();

    void setPreset(Preset preset);
    Preset preset() const;
    void setCustomRange(const QDate &start, const QDate &end);
    // Empty: every client the user may see.
    void setClientFilter(const QString &clientId);
    QString clientFilter() const;

    const DashboardReport &report() const { return m_report; }
    bool loading() const;
    DashboardLoader *loader() const { return m_loader; }
    QTimer *liveTimer() { return &m_liveTimer; }
    // The tiles as shown (key, title, text, caption): messages_today, delivery_rate, read_rate,
    // average_first_response, ready_sessions, queued_messages.
    QList<DashboardExport::Tile> tiles() const;
    QString tileText(const QString &key) const;
    ReportTableModel *model(Table table) const;
    QChartView *chartView(DashboardCharts::Kind kind) const;
    HeatmapWidget *heatmap() const { return m_heatmap; }
    // What stands in for the charts when there is nothing to draw (visible then).
    QLabel *emptyLabel() const { return m_emptyLabel; }
    bool chartsShown() const;

    // The exports behind the Export menu (which asks for the path). False with `error`.
    bool saveJson(const QString &path, QString *error = nullptr) const;
    bool saveCsv(Table table, const QString &path, QString *error = nullptr) const;
    bool savePng(DashboardCharts::Kind kind, const QString &path, QString *error = nullptr) const;
    bool savePdf(const QString &path, QString *error = nullptr) const;

signals:
    // A report was read and is on screen.
    void reportShown();

protected:
    void changeEvent(QEvent *event) override;

private:
    struct TileWidgets;
    void buildControls();
    void buildTiles();
    void buildCharts();
    void buildTables();
    void buildExportMenu();
    void fillClientFilter();
    void onEvent(const Event &event);
    void onLoaded(const DashboardReport &report);
    void showReport();
    void updateLiveTiles();
    void setTile(const QString &key, const QString &text, const QString &caption);
    DashboardQuery query() const;
    QString clientName(const QString &clientId) const;
    void exportWithDialog(const QString &title, const QString &fileName, const QString &filter,
                          const std::function<bool(const QString &, QString *)> &save);

    DesktopContext &m_context;
    ClientListModel &m_clients;
    DashboardLoader *m_loader = nullptr;
    DashboardReport m_report;
    bool m_everLoaded = false;
    QTimer m_liveTimer;

    QComboBox *m_preset = nullptr;
    QDateEdit *m_from = nullptr;
    QDateEdit *m_to = nullptr;
    QComboBox *m_client = nullptr;
    QToolButton *m_refreshButton = nullptr;
    QToolButton *m_exportButton = nullptr;
    QLabel *m_status = nullptr;
    QList<TileWidgets *> m_tiles;
    QStackedWidget *m_chartStack = nullptr;
    QLabel *m_emptyLabel = nullptr;
    QChartView *m_volume = nullptr;
    QChartView *m_rates = nullptr;
    QChartView *m_responses = nullptr;
    QLabel *m_heatmapTitle = nullptr;
    HeatmapWidget *m_heatmap = nullptr;
    QTabWidget *m_tables = nullptr;
    ReportTableModel *m_dailyModel = nullptr;
    ReportTableModel *m_clientModel = nullptr;
    ReportTableModel *m_memberModel = nullptr;
};

} // namespace wadesk
