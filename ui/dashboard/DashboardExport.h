#pragma once

#include "ui/dashboard/DashboardCharts.h"
#include "ui/models/DashboardModels.h"

#include <QByteArray>
#include <QImage>
#include <QList>
#include <QPair>
#include <QString>

namespace wadesk {

// The Dashboard's exports, from the report it shows: the whole view as JSON, a table as CSV,
// a chart as an image, and the printable report as a PDF.
namespace DashboardExport {

// A tile as the Dashboard shows it: its title and text ("7", "98.5 %", "—").
struct Tile {
    QString key;   // messages_today, delivery_rate, ...
    QString title; // for people
    QString text;
    QString caption;
};

// {organization, time_zone, start_date, end_date, client_id, generated_at, tiles{...}, stats,
// metrics[], rates, response_times, heatmap[], clients[], members[]}: snake_case as the API.
QByteArray json(const DashboardReport &report, const QList<Tile> &tiles);

// The chart rendered at `size` (logical pixels) times `scale` (2 for a crisp PNG on high-DPI
// screens and paper), in `palette`.
QImage chartImage(const DashboardReport &report, DashboardCharts::Kind kind, const QSize &size, const QPalette &palette,
                  qreal scale = 2.0);

// The printable report: title, organization, range, tiles, every chart and the per-client and
// per-member tables, on A4 pages numbered "n / total" (tables continue over pages with their
// header repeated), always in the light palette of paper. False with `error` on failure.
bool writePdf(const QString &path, const DashboardReport &report, const QList<Tile> &tiles, const QString &clientName,
              QString *error = nullptr);

} // namespace DashboardExport

} // namespace wadesk
