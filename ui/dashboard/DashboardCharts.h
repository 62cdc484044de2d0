#pragma once

#include "ui/models/DashboardModels.h"

#include <QColor>
#include <QPalette>
#include <QWidget>

class QChart;
class QPainter;

namespace wadesk {

// The Dashboard's charts, built from a report. The same functions make the charts on screen
// (in the window's palette) and in the PDF (in the light palette of paper).
namespace DashboardCharts {

enum class Kind { Volume, Rates, ResponseTimes, Heatmap };
QString title(Kind kind);
// A file name for the chart's PNG: "volume", "rates", "response-times", "heatmap".
QString slug(Kind kind);

// Daily volume: stacked bars of the outbound funnel cut into parts that do not overlap (read,
// delivered not read, sent not delivered, failed), so a bar's height is every outbound message
// that finished, and a line of received messages.
QChart *volume(const DashboardReport &report, const QPalette &palette);
// Delivery and read rates per day (days with nothing sent have no point).
QChart *rates(const DashboardReport &report, const QPalette &palette);
// Responses per bucket: 0-1 h, 1-4 h, 4-8 h, 8-24 h, 24 h and more.
QChart *responseTimes(const DashboardReport &report, const QPalette &palette);

// Whether the palette is a dark one (the window behind text is darker than the text).
bool isDark(const QPalette &palette);

// The weekday x hour heatmap (messages sent and received per local hour), drawn into `area`.
void paintHeatmap(QPainter &painter, const QRectF &area, const QList<HeatmapCell> &cells, const QPalette &palette);

} // namespace DashboardCharts

// The heatmap on screen (Qt Charts has no heatmap): paints with DashboardCharts::paintHeatmap;
// the cell under the mouse has its figures as a tooltip.
class HeatmapWidget final : public QWidget {
    Q_OBJECT
public:
    explicit HeatmapWidget(QWidget *parent = nullptr);
    void setCells(const QList<HeatmapCell> &cells);
    const QList<HeatmapCell> &cells() const { return m_cells; }
    QSize sizeHint() const override { return {480, 240}; }
    QSize minimumSizeHint() const override { return {320, 180}; }

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    QList<HeatmapCell> m_cells;
};

} // namespace wadesk
