#include "ui/dashboard/DashboardCharts.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QDateTime>
#include <QEvent>
#include <QHelpEvent>
#include <QLegend>
#include <QLineSeries>
#include <QLocale>
#include <QPainter>
#include <QStackedBarSeries>
#include <QToolTip>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace wadesk::DashboardCharts {

namespace {

// Series colours readable on light and dark backgrounds alike.
const QColor kRead(0x2e, 0x9d, 0x5b);
const QColor kDelivered(0x3d, 0x8e, 0xd8);
const QColor kSent(0x9c, 0xc3, 0xe8);
const QColor kFailed(0xd9, 0x4a, 0x4a);
const QColor kReceived(0xf0, 0x9a, 0x1a);

QColor mix(const QColor &a, const QColor &b, double t)
{
    t = std::clamp(t, 0.0, 1.0);
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t), float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

// Colours the chart after the palette (Qt Charts' themes are only light or dark; the window's
// own colours make it sit in the window).
void style(QChart *chart, const QPalette &palette, const QString &title)
{
    chart->setTheme(isDark(palette) ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setBackgroundBrush(palette.color(QPalette::Base));
    chart->setBackgroundRoundness(0);
    chart->setTitle(title);
    chart->setTitleBrush(palette.color(QPalette::Text));
    QFont titleFont = chart->titleFont();
    titleFont.setBold(true);
    chart->setTitleFont(titleFont);
    chart->legend()->setLabelColor(palette.color(QPalette::Text));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    const QColor grid = mix(palette.color(QPalette::Base), palette.color(QPalette::Text), 0.18);
    for (QAbstractAxis *axis : chart->axes()) {
        axis->setLabelsColor(palette.color(QPalette::Text));
        axis->setGridLineColor(grid);
        axis->setLinePenColor(grid);
        axis->setTitleBrush(palette.color(QPalette::Text));
    }
}

// Category labels for the days: at most ~12 shown; the others are distinct invisible strings
// (a category axis needs distinct categories).
QStringList dayLabels(const QList<DayMetrics> &days)
{
    const int step = std::max(1, int(std::ceil(double(days.size()) / 12.0)));
    QStringList labels;
    for (int i = 0; i < days.size(); ++i) {
        if (i % step == 0)
            labels << QLocale().toString(days.at(i).date, QStringLiteral("d MMM"));
        else
            labels << QString(i, QChar(0x200B)); // zero-width spaces
    }
    return labels;
}

QValueAxis *countAxis(qint64 max)
{
    auto *axis = new QValueAxis;
    axis->setLabelFormat(QStringLiteral("%d"));
    const qint64 top = std::max<qint64>(4, max);
    axis->setRange(0, double(top));
    axis->setTickCount(5);
    axis->applyNiceNumbers();
    return axis;
}

} // namespace

QString title(Kind kind)
{
    switch (kind) {
    case Kind::Volume:
        return QObject::tr("Daily volume");
    case Kind::Rates:
        return QObject::tr("Delivery and read rates");
    case Kind::ResponseTimes:
        return QObject::tr("First response times");
    case Kind::Heatmap:
        return QObject::tr("Busiest hours");
    }
    return {};
}

QString slug(Kind kind)
{
    switch (kind) {
    case Kind::Volume:
        return QStringLiteral("volume");
    case Kind::Rates:
        return QStringLiteral("rates");
    case Kind::ResponseTimes:
        return QStringLiteral("response-times");
    case Kind::Heatmap:
        return QStringLiteral("heatmap");
    }
    return {};
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < palette.color(QPalette::Text).lightness();
}

QChart *volume(const DashboardReport &report, const QPalette &palette)
{
    auto *chart = new QChart;
    auto *read = new QBarSet(QObject::tr("Read"));
    auto *delivered = new QBarSet(QObject::tr("Delivered"));
    auto *sent = new QBarSet(QObject::tr("Sent"));
    auto *failed = new QBarSet(QObject::tr("Failed"));
    auto *received = new QLineSeries;
    received->setName(QObject::tr("Received"));
    qint64 max = 0;
    for (int i = 0; i < report.days.size(); ++i) {
        const FunnelCounts &c = report.days.at(i).counts;
        *read << double(c.read);
        *delivered << double(c.delivered - c.read);
        *sent << double(c.sent - c.delivered);
        *failed << double(c.failed);
        received->append(i, double(c.received));
        max = std::max({max, c.sent + c.failed, c.received});
    }
    auto *bars = new QStackedBarSeries;
    bars->append({read, delivered, sent, failed});
    bars->setBarWidth(0.7);
    chart->addSeries(bars);
    chart->addSeries(received);
    auto *x = new QBarCategoryAxis;
    x->append(dayLabels(report.days));
    auto *y = countAxis(max);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries *s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    style(chart, palette, title(Kind::Volume));
    read->setColor(kRead);
    delivered->setColor(kDelivered);
    sent->setColor(kSent);
    failed->setColor(kFailed);
    for (QBarSet *set : {read, delivered, sent, failed})
        set->setBorderColor(set->color());
    received->setPen(QPen(kReceived, 2.5));
    received->setPointsVisible(report.days.size() <= 31);
    return chart;
}

QChart *rates(const DashboardReport &report, const QPalette &palette)
{
    auto *chart = new QChart;
    auto *delivery = new QLineSeries;
    delivery->setName(QObject::tr("Delivery rate"));
    auto *read = new QLineSeries;
    read->setName(QObject::tr("Read rate"));
    for (int i = 0; i < report.days.size(); ++i) {
        const FunnelCounts &c = report.days.at(i).counts;
        if (const std::optional<double> d = AnalyticsService::percent(c.delivered, c.sent))
            delivery->append(i, *d);
        if (const std::optional<double> r = AnalyticsService::percent(c.read, c.sent))
            read->append(i, *r);
    }
    chart->addSeries(delivery);
    chart->addSeries(read);
    auto *x = new QBarCategoryAxis; // the same days as the volume chart
    x->append(dayLabels(report.days));
    auto *y = new QValueAxis;
    y->setRange(0, 100);
    y->setTickCount(6);
    y->setLabelFormat(QStringLiteral("%d %%"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries *s : chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    style(chart, palette, title(Kind::Rates));
    delivery->setPen(QPen(kDelivered, 2.5));
    read->setPen(QPen(kRead, 2.5, Qt::DashLine));
    for (QLineSeries *s : {delivery, read})
        s->setPointsVisible(report.days.size() <= 31);
    return chart;
}

QChart *responseTimes(const DashboardReport &report, const QPalette &palette)
{
    auto *chart = new QChart;
    auto *set = new QBarSet(QObject::tr("Responses"));
    qint64 max = 0;
    for (qint64 n : report.responses.distribution) {
        *set << double(n);
        max = std::max(max, n);
    }
    auto *bars = new QBarSeries;
    bars->append(set);
    bars->setBarWidth(0.6);
    chart->addSeries(bars);
    auto *x = new QBarCategoryAxis;
    x->append({QObject::tr("0–1 h"), QObject::tr("1–4 h"), QObject::tr("4–8 h"), QObject::tr("8–24 h"), QObject::tr("24 h +")});
    auto *y = countAxis(max);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    bars->attachAxis(x);
    bars->attachAxis(y);
    style(chart, palette, title(Kind::ResponseTimes));
    chart->legend()->setVisible(false);
    set->setColor(kDelivered);
    set->setBorderColor(kDelivered);
    return chart;
}

void paintHeatmap(QPainter &painter, const QRectF &area, const QList<HeatmapCell> &cells, const QPalette &palette)
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    const QColor text = palette.color(QPalette::Text);
    const QColor base = palette.color(QPalette::Base);
    const QColor empty = mix(base, text, 0.07);
    const QColor hot = isDark(palette) ? QColor(0x5c, 0xb0, 0xff) : QColor(0x1f, 0x5f, 0xb4);
    painter.fillRect(area, base);
    QFont font = painter.font();
    const QFontMetricsF fm(font, painter.device());
    const double labelWidth = fm.horizontalAdvance(QStringLiteral("Wed")) + fm.height() * 0.6;
    const double labelHeight = fm.height() * 1.4;
    const QRectF grid(area.left() + labelWidth, area.top(), area.width() - labelWidth, area.height() - labelHeight);
    const double cw = grid.width() / 24.0;
    const double ch = grid.height() / 7.0;
    qint64 max = 0;
    qint64 value[7][24] = {};
    for (const HeatmapCell &c : cells) {
        if (c.weekday < 1 || c.weekday > 7 || c.hour < 0 || c.hour > 23)
            continue;
        value[c.weekday - 1][c.hour] = c.sent + c.received;
        max = std::max(max, c.sent + c.received);
    }
    painter.setPen(text);
    for (int d = 0; d < 7; ++d) {
        const QRectF label(area.left(), grid.top() + d * ch, labelWidth - fm.height() * 0.3, ch);
        painter.drawText(label, Qt::AlignRight | Qt::AlignVCenter, QLocale().dayName(d + 1, QLocale::ShortFormat));
        for (int h = 0; h < 24; ++h) {
            const QRectF cell = QRectF(grid.left() + h * cw, grid.top() + d * ch, cw, ch).adjusted(1, 1, -1, -1);
            const qint64 v = value[d][h];
            // Square root: a few busy hours do not wash out the rest.
            const QColor fill = v == 0 || max == 0 ? empty : mix(mix(base, hot, 0.18), hot, std::sqrt(double(v) / double(max)));
            painter.fillRect(cell, fill);
        }
    }
    for (int h = 0; h < 24; h += 3) {
        const QRectF label(grid.left() + h * cw - cw, grid.bottom(), cw * 3, labelHeight);
        painter.drawText(label, Qt::AlignHCenter | Qt::AlignVCenter, QStringLiteral("%1:00").arg(h, 2, 10, QLatin1Char('0')));
    }
    painter.restore();
}

} // namespace wadesk::DashboardCharts

namespace wadesk {

HeatmapWidget::HeatmapWidget(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setAccessibleName(DashboardCharts::title(DashboardCharts::Kind::Heatmap));
}

void HeatmapWidget::setCells(const QList<HeatmapCell> &cells)
{
    m_cells = cells;
    update();
}

void HeatmapWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    DashboardCharts::paintHeatmap(painter, QRectF(rect()), m_cells, palette());
}

bool HeatmapWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QFontMetricsF fm(font());
        const double labelWidth = fm.horizontalAdvance(QStringLiteral("Wed")) + fm.height() * 0.6;
        const double gridHeight = height() - fm.height() * 1.4;
        const int hour = int((help->pos().x() - labelWidth) / ((width() - labelWidth) / 24.0));
        const int day = int(help->pos().y() / (gridHeight / 7.0));
        if (help->pos().x() >= labelWidth && hour >= 0 && hour < 24 && day >= 0 && day < 7) {
            for (const HeatmapCell &c : m_cells) {
                if (c.weekday == day + 1 && c.hour == hour) {
                    QToolTip::showText(help->globalPos(),
                                       tr("%1 %2:00–%3:00: %4 sent, %5 received")
                                           .arg(QLocale().dayName(day + 1))
                                           .arg(hour, 2, 10, QLatin1Char('0'))
                                           .arg(hour + 1, 2, 10, QLatin1Char('0'))
                                           .arg(c.sent)
                                           .arg(c.received),
                                       this);
                    return true;
                }
            }
        }
        QToolTip::hideText();
        event->ignore();
        return true;
    }
    return QWidget::event(event);
}

} // namespace wadesk
