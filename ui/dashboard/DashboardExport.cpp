#include "ui/dashboard/DashboardExport.h"

#include <QChart>
#include <QDateTime>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTimeZone>
#include <memory>

namespace wadesk::DashboardExport {

namespace {

QJsonValue optionalNumber(const std::optional<double> &v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

QJsonObject funnelJson(const FunnelCounts &c, bool withReceived = true)
{
    QJsonObject o{{QStringLiteral("sent"), c.sent},
                  {QStringLiteral("delivered"), c.delivered},
                  {QStringLiteral("read"), c.read},
                  {QStringLiteral("failed"), c.failed}};
    if (withReceived)
        o.insert(QStringLiteral("received"), c.received);
    return o;
}

// The palette of paper: dark text on white, whatever the window's.
QPalette paperPalette()
{
    QPalette p;
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::Window, Qt::white);
    p.setColor(QPalette::Text, QColor(0x20, 0x20, 0x20));
    p.setColor(QPalette::WindowText, QColor(0x20, 0x20, 0x20));
    return p;
}

// Draws a chart into `target` of any painter (vector on a PDF).
void renderChart(QPainter &painter, const QRectF &target, const DashboardReport &report, DashboardCharts::Kind kind,
                 const QSizeF &layoutSize, const QPalette &palette)
{
    if (kind == DashboardCharts::Kind::Heatmap) {
        painter.save();
        painter.translate(target.topLeft());
        painter.scale(target.width() / layoutSize.width(), target.height() / layoutSize.height());
        QFont title = painter.font();
        title.setBold(true);
        painter.setFont(title);
        painter.setPen(palette.color(QPalette::Text));
        const QFontMetricsF fm(title, painter.device());
        const QRectF titleRect(0, 0, layoutSize.width(), fm.height() * 1.6);
        painter.drawText(titleRect, Qt::AlignCenter,
                         QObject::tr("%1 (%2, messages sent and received)").arg(DashboardCharts::title(kind), report.timeZone));
        title.setBold(false);
        painter.setFont(title);
        DashboardCharts::paintHeatmap(painter, QRectF(4, titleRect.bottom(), layoutSize.width() - 12, layoutSize.height() - titleRect.bottom() - 4),
                                      report.heatmap, palette);
        painter.restore();
        return;
    }
    QChart *chart = kind == DashboardCharts::Kind::Volume ? DashboardCharts::volume(report, palette)
                    : kind == DashboardCharts::Kind::Rates ? DashboardCharts::rates(report, palette)
                                                           : DashboardCharts::responseTimes(report, palette);
    QGraphicsScene scene;
    scene.addItem(chart); // the scene owns it now
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->resize(layoutSize);
    if (chart->layout())
        chart->layout()->activate();
    scene.setSceneRect(QRectF(QPointF(0, 0), layoutSize));
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    scene.render(&painter, target, scene.sceneRect(), Qt::IgnoreAspectRatio);
    painter.restore();
}

// Lays out the PDF top to bottom; starts a new page where the next block does not fit.
class PdfLayout {
public:
    PdfLayout(QPdfWriter &writer, QPainter &painter)
        : m_writer(writer)
        , m_painter(painter)
    {
        m_width = writer.width();
        m_height = writer.height() - footerHeight();
    }
    double width() const { return m_width; }
    double y() const { return m_y; }
    void advance(double dy) { m_y += dy; }
    // True when a new page was started.
    bool ensure(double height)
    {
        if (m_y + height <= m_height || m_y == 0)
            return false;
        newPage();
        return true;
    }
    void newPage()
    {
        footer();
        m_writer.newPage();
        ++m_page;
        m_y = 0;
    }
    void finish() { footer(); }
    QPainter &painter() { return m_painter; }

private:
    double footerHeight() const { return QFontMetricsF(m_painter.font(), m_painter.device()).height() * 2; }
    void footer()
    {
        m_painter.save();
        QFont f = m_painter.font();
        f.setPointSizeF(f.pointSizeF() * 0.85);
        m_painter.setFont(f);
        m_painter.setPen(QColor(0x60, 0x60, 0x60));
        m_painter.drawText(QRectF(0, m_writer.height() - footerHeight(), m_width, footerHeight()), Qt::AlignRight | Qt::AlignBottom,
                           QObject::tr("WaDesk report · page %1").arg(m_page));
        m_painter.restore();
    }

    QPdfWriter &m_writer;
    QPainter &m_painter;
    double m_width = 0;
    double m_height = 0;
    double m_y = 0;
    int m_page = 1;
};

void drawTable(PdfLayout &layout, const QString &title, const ReportTableModel &model)
{
    QPainter &p = layout.painter();
    QFont body = p.font();
    QFont bold = body;
    bold.setBold(true);
    const QFontMetricsF fm(body, p.device());
    const double rowHeight = fm.height() * 1.5;
    const int columns = model.columnCount();
    // The first column (a name) takes what the numbers leave.
    QList<double> widths;
    double fixed = 0;
    for (int c = 1; c < columns; ++c) {
        double w = QFontMetricsF(bold, p.device()).horizontalAdvance(model.headerData(c, Qt::Horizontal).toString()) + 12;
        for (int r = 0; r < model.rowCount(); ++r)
            w = std::max(w, fm.horizontalAdvance(model.index(r, c).data().toString()) + 12);
        widths << w;
        fixed += w;
    }
    widths.prepend(std::max(layout.width() * 0.2, layout.width() - fixed));
    if (fixed + widths.first() > layout.width()) { // too wide: shrink every column alike
        const double k = layout.width() / (fixed + widths.first());
        for (double &w : widths)
            w *= k;
    }
    auto header = [&]() {
        p.setFont(bold);
        p.setPen(Qt::black);
        double x = 0;
        for (int c = 0; c < columns; ++c) {
            // As the column's cells: names and emails left, numbers right.
            const Qt::Alignment align = model.rowCount() > 0 ? model.index(0, c).data(Qt::TextAlignmentRole).value<Qt::Alignment>() & Qt::AlignHorizontal_Mask
                                        : c == 0             ? Qt::AlignLeft
                                                             : Qt::AlignRight;
            p.drawText(QRectF(x + 3, layout.y(), widths.at(c) - 6, rowHeight), align | Qt::AlignVCenter,
                       model.headerData(c, Qt::Horizontal).toString());
            x += widths.at(c);
        }
        p.setPen(QPen(QColor(0x80, 0x80, 0x80), 1));
        p.drawLine(QPointF(0, layout.y() + rowHeight), QPointF(layout.width(), layout.y() + rowHeight));
        layout.advance(rowHeight);
        p.setFont(body);
    };
    layout.ensure(rowHeight * 4);
    p.setFont(bold);
    p.setPen(Qt::black);
    p.drawText(QRectF(0, layout.y(), layout.width(), rowHeight * 1.3), Qt::AlignLeft | Qt::AlignVCenter, title);
    layout.advance(rowHeight * 1.3);
    header();
    if (model.rowCount() == 0) {
        p.setPen(QColor(0x60, 0x60, 0x60));
        p.drawText(QRectF(0, layout.y(), layout.width(), rowHeight), Qt::AlignLeft | Qt::AlignVCenter, QObject::tr("No rows."));
        layout.advance(rowHeight);
    }
    for (int r = 0; r < model.rowCount(); ++r) {
        if (layout.ensure(rowHeight))
            header();
        if (r % 2 == 1)
            p.fillRect(QRectF(0, layout.y(), layout.width(), rowHeight), QColor(0xf2, 0xf4, 0xf7));
        p.setPen(QColor(0x20, 0x20, 0x20));
        double x = 0;
        for (int c = 0; c < columns; ++c) {
            const Qt::Alignment align = model.index(r, c).data(Qt::TextAlignmentRole).value<Qt::Alignment>();
            const QString text = fm.elidedText(model.index(r, c).data().toString(), Qt::ElideRight, widths.at(c) - 6);
            p.drawText(QRectF(x + 3, layout.y(), widths.at(c) - 6, rowHeight), align, text);
            x += widths.at(c);
        }
        layout.advance(rowHeight);
    }
    layout.advance(rowHeight);
}

} // namespace

QByteArray json(const DashboardReport &report, const QList<Tile> &tiles)
{
    QJsonObject tileObject;
    for (const Tile &t : tiles)
        tileObject.insert(t.key, t.text);
    QJsonArray metrics;
    for (const DayMetrics &d : report.days)
        metrics.append(metricsJson(d));
    QJsonArray cells;
    for (const HeatmapCell &c : report.heatmap) {
        cells.append(QJsonObject{{QStringLiteral("weekday"), c.weekday},
                                 {QStringLiteral("hour"), c.hour},
                                 {QStringLiteral("sent"), c.sent},
                                 {QStringLiteral("received"), c.received}});
    }
    QJsonArray clients;
    for (const ClientReportRow &c : report.clients) {
        QJsonObject o = funnelJson(c.counts);
        o.insert(QStringLiteral("client_id"), c.clientId);
        o.insert(QStringLiteral("name"), c.name);
        o.insert(QStringLiteral("phone_number"), c.phoneNumber);
        o.insert(QStringLiteral("responses"), c.responses);
        o.insert(QStringLiteral("average_response_hours"), optionalNumber(c.averageResponseHours));
        clients.append(o);
    }
    QJsonArray members;
    for (const MemberReportRow &m : report.members) {
        QJsonObject o = funnelJson(m.counts, false);
        o.insert(QStringLiteral("user_id"), m.userId);
        o.insert(QStringLiteral("name"), m.name);
        o.insert(QStringLiteral("email"), m.email);
        o.insert(QStringLiteral("role"), m.role);
        o.insert(QStringLiteral("responses"), m.responses);
        o.insert(QStringLiteral("average_response_hours"), optionalNumber(m.averageResponseHours));
        members.append(o);
    }
    QJsonArray distribution;
    for (qint64 n : report.responses.distribution)
        distribution.append(n);
    const DeliveryRates &r = report.rates;
    const ResponseTimes &t = report.responses;
    const QJsonObject root{
        {QStringLiteral("organization"), report.organizationName},
        {QStringLiteral("time_zone"), report.timeZone},
        {QStringLiteral("start_date"), report.start.toString(Qt::ISODate)},
        {QStringLiteral("end_date"), report.end.toString(Qt::ISODate)},
        {QStringLiteral("client_id"), report.clientId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(report.clientId)},
        {QStringLiteral("generated_at"),
         QDateTime::fromMSecsSinceEpoch(report.generatedAt, QTimeZone(QByteArrayLiteral("UTC"))).toString(Qt::ISODateWithMs)},
        {QStringLiteral("tiles"), tileObject},
        {QStringLiteral("stats"), QJsonObject{{QStringLiteral("total_clients"), report.stats.totalClients},
                                              {QStringLiteral("total_contacts"), report.stats.totalContacts},
                                              {QStringLiteral("total_messages"), report.stats.totalMessages},
                                              {QStringLiteral("messages_today"), report.stats.messagesToday},
                                              {QStringLiteral("active_campaigns"), report.stats.activeCampaigns}}},
        {QStringLiteral("metrics"), metrics},
        {QStringLiteral("rates"), QJsonObject{{QStringLiteral("delivery_rate"), optionalNumber(r.deliveryRate)},
                                              {QStringLiteral("read_rate"), optionalNumber(r.readRate)},
                                              {QStringLiteral("failure_rate"), optionalNumber(r.failureRate)},
                                              {QStringLiteral("reply_rate"), optionalNumber(r.replyRate)}}},
        {QStringLiteral("response_times"), QJsonObject{{QStringLiteral("conversations"), t.conversations},
                                                       {QStringLiteral("responses"), t.responses},
                                                       {QStringLiteral("average_hours"), optionalNumber(t.averageHours)},
                                                       {QStringLiteral("median_hours"), optionalNumber(t.medianHours)},
                                                       {QStringLiteral("p90_hours"), optionalNumber(t.p90Hours)},
                                                       {QStringLiteral("distribution"), distribution}}},
        {QStringLiteral("heatmap"), cells},
        {QStringLiteral("clients"), clients},
        {QStringLiteral("members"), members},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

QImage chartImage(const DashboardReport &report, DashboardCharts::Kind kind, const QSize &size, const QPalette &palette, qreal scale)
{
    QImage image(size * scale, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(scale);
    image.fill(palette.color(QPalette::Base));
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    renderChart(painter, QRectF(QPointF(0, 0), QSizeF(size)), report, kind, QSizeF(size), palette);
    painter.end();
    return image;
}

bool writePdf(const QString &path, const DashboardReport &report, const QList<Tile> &tiles, const QString &clientName, QString *error)
{
    QPdfWriter writer(path);
    writer.setResolution(96); // one unit is one screen pixel at 100 %: charts are laid out as on screen; all of it stays vector
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter));
    writer.setTitle(QObject::tr("WaDesk report: %1").arg(report.organizationName));
    writer.setCreator(QStringLiteral("WaDesk"));
    QPainter painter;
    if (!painter.begin(&writer)) {
        if (error)
            *error = QObject::tr("Cannot write %1").arg(path);
        return false;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    QFont body = painter.font();
    body.setPointSizeF(9);
    painter.setFont(body);
    PdfLayout layout(writer, painter);
    const double w = layout.width();
    const QPalette paper = paperPalette();

    // Title, organization, range.
    QFont titleFont = body;
    titleFont.setPointSizeF(18);
    titleFont.setBold(true);
    painter.setFont(titleFont);
    painter.setPen(Qt::black);
    const double titleHeight = QFontMetricsF(titleFont, &writer).height() * 1.3;
    painter.drawText(QRectF(0, 0, w, titleHeight), Qt::AlignLeft | Qt::AlignVCenter, QObject::tr("Messaging report"));
    layout.advance(titleHeight);
    painter.setFont(body);
    const QFontMetricsF fm(body, &writer);
    const QLocale locale;
    const QString range = report.start == report.end ? locale.toString(report.start, QLocale::LongFormat)
                                                     : QObject::tr("%1 – %2").arg(locale.toString(report.start, QLocale::LongFormat),
                                                                                  locale.toString(report.end, QLocale::LongFormat));
    const QStringList facts{
        QObject::tr("Organization: %1").arg(report.organizationName),
        QObject::tr("Range: %1 (days in %2)").arg(range, report.timeZone),
        QObject::tr("Clients: %1").arg(clientName.isEmpty() ? QObject::tr("all clients") : clientName),
        QObject::tr("Generated: %1").arg(locale.toString(QDateTime::fromMSecsSinceEpoch(report.generatedAt), QLocale::LongFormat)),
    };
    painter.setPen(QColor(0x30, 0x30, 0x30));
    for (const QString &line : facts) {
        painter.drawText(QRectF(0, layout.y(), w, fm.height() * 1.3), Qt::AlignLeft | Qt::AlignVCenter, line);
        layout.advance(fm.height() * 1.3);
    }
    layout.advance(fm.height());

    // Tiles: 3 per row.
    const double gap = 8;
    const double tileWidth = (w - 2 * gap) / 3;
    QFont valueFont = body;
    valueFont.setPointSizeF(16);
    valueFont.setBold(true);
    const double valueHeight = QFontMetricsF(valueFont, &writer).height();
    const double tileHeight = fm.height() * 4 + valueHeight; // title, value, a caption of up to two lines
    for (int i = 0; i < tiles.size(); ++i) {
        const int column = i % 3;
        if (column == 0 && i > 0)
            layout.advance(tileHeight + gap);
        const QRectF box(column * (tileWidth + gap), layout.y(), tileWidth, tileHeight);
        painter.setPen(QPen(QColor(0xc8, 0xcc, 0xd2), 1));
        painter.setBrush(QColor(0xf6, 0xf7, 0xf9));
        painter.drawRoundedRect(box, 4, 4);
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QColor(0x50, 0x50, 0x50));
        painter.setFont(body);
        painter.drawText(box.adjusted(8, 4, -8, 0), Qt::AlignLeft | Qt::AlignTop, tiles.at(i).title);
        painter.setPen(Qt::black);
        painter.setFont(valueFont);
        painter.drawText(box.adjusted(8, fm.height() * 1.2, -8, 0), Qt::AlignLeft | Qt::AlignTop, tiles.at(i).text);
        painter.setFont(body);
        painter.setPen(QColor(0x60, 0x60, 0x60));
        painter.drawText(box.adjusted(8, fm.height() * 1.4 + valueHeight, -8, -4), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                         tiles.at(i).caption);
    }
    layout.advance(tileHeight + 2 * gap);

    // Charts, full width, two to a page.
    // Laid out at the page's width, so their text is as large as the report's own.
    const QSizeF chartLayout(w, w * 0.46);
    const double chartHeight = chartLayout.height();
    for (DashboardCharts::Kind kind : {DashboardCharts::Kind::Volume, DashboardCharts::Kind::Rates, DashboardCharts::Kind::ResponseTimes,
                                       DashboardCharts::Kind::Heatmap}) {
        layout.ensure(chartHeight);
        renderChart(painter, QRectF(0, layout.y(), w, chartHeight), report, kind, chartLayout, paper);
        layout.advance(chartHeight + gap);
    }
    painter.setFont(body);

    // Tables.
    ReportTableModel clients;
    clients.showClients(report);
    ReportTableModel members;
    members.showMembers(report);
    layout.advance(gap);
    drawTable(layout, QObject::tr("Per client"), clients);
    drawTable(layout, QObject::tr("Per team member (messages they wrote)"), members);
    layout.finish();
    if (!painter.end()) {
        if (error)
            *error = QObject::tr("Cannot write %1").arg(path);
        return false;
    }
    return true;
}

} // namespace wadesk::DashboardExport
