#include "ui/main/Icons.h"

#include <QApplication>
#include <QIconEngine>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QStyle>
#include <algorithm>
#include <functional>

namespace wadesk::Icons {

namespace {

QIcon standard(QStyle::StandardPixmap pixmap)
{
    return QApplication::style() ? QApplication::style()->standardIcon(pixmap) : QIcon();
}

using Drawing = std::function<void(QPainter &, const QColor &)>;

// Paints the vector drawing (in a 16×16 logical box) at whatever size and device pixel ratio it
// is asked for, so a 64 px icon on a 3x screen is drawn at 192 device pixels, not scaled up from
// a pixmap. The colour is the palette's window text at paint time (disabled text when disabled),
// so the icons follow a light/dark switch.
class VectorIconEngine final : public QIconEngine {
public:
    explicit VectorIconEngine(Drawing draw) : m_draw(std::move(draw)) {}

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State) override
    {
        const QPalette palette = QApplication::palette();
        const QColor color = palette.color(mode == QIcon::Disabled ? QPalette::Disabled : QPalette::Active, QPalette::WindowText);
        const qreal side = std::min(rect.width(), rect.height());
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->translate(rect.x() + (rect.width() - side) / 2.0, rect.y() + (rect.height() - side) / 2.0);
        painter->scale(side / 16.0, side / 16.0);
        m_draw(*painter, color);
        painter->restore();
    }

    // `size` in device pixels.
    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override
    {
        if (size.isEmpty())
            return QPixmap();
        QPixmap pixmap(size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        paint(&p, QRect(QPoint(0, 0), size), mode, state);
        p.end();
        return pixmap;
    }

    // QIcon::pixmap(size, ratio) asks for this; it sets the ratio of the result itself. Before Qt
    // 6.8 it passes the size in device pixels, from 6.8 on the logical size.
    QPixmap scaledPixmap(const QSize &size, QIcon::Mode mode, QIcon::State state, qreal scale) override
    {
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
        QPixmap result = pixmap(QSize(qRound(size.width() * scale), qRound(size.height() * scale)), mode, state);
#else
        QPixmap result = pixmap(size, mode, state);
#endif
        result.setDevicePixelRatio(scale);
        return result;
    }

    QSize actualSize(const QSize &size, QIcon::Mode, QIcon::State) override { return size; }
    QIconEngine *clone() const override { return new VectorIconEngine(m_draw); }
    QString key() const override { return QStringLiteral("wadesk-vector"); }

private:
    Drawing m_draw;
};

QIcon painted(const Drawing &draw)
{
    return QIcon(new VectorIconEngine(draw));
}

QIcon themed(const char *name, const std::function<QIcon()> &fallback)
{
    const QString themeName = QString::fromLatin1(name);
    if (QIcon::hasThemeIcon(themeName))
        return QIcon::fromTheme(themeName);
    return fallback();
}

QPen pen(const QColor &color, qreal width = 1.6)
{
    return QPen(color, width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
}

} // namespace

QIcon addClient()
{
    return themed("list-add", [] {
        return painted([](QPainter &p, const QColor &c) {
            p.setPen(pen(c, 2.0));
            p.drawLine(QPointF(8, 3), QPointF(8, 13));
            p.drawLine(QPointF(3, 8), QPointF(13, 8));
        });
    });
}

QIcon rename()
{
    return themed("document-edit", [] {
        return painted([](QPainter &p, const QColor &c) {
            p.setPen(pen(c));
            QPainterPath path;
            path.moveTo(3, 13);
            path.lineTo(4, 10);
            path.lineTo(11, 3);
            path.lineTo(13, 5);
            path.lineTo(6, 12);
            path.closeSubpath();
            p.drawPath(path);
        });
    });
}

QIcon start() { return themed("media-playback-start", [] { return standard(QStyle::SP_MediaPlay); }); }
QIcon stop() { return themed("media-playback-stop", [] { return standard(QStyle::SP_MediaStop); }); }
QIcon pause() { return themed("media-playback-pause", [] { return standard(QStyle::SP_MediaPause); }); }
QIcon resume() { return themed("media-seek-forward", [] { return standard(QStyle::SP_MediaSeekForward); }); }
QIcon refresh() { return themed("view-refresh", [] { return standard(QStyle::SP_BrowserReload); }); }
QIcon about() { return themed("help-about", [] { return standard(QStyle::SP_MessageBoxInformation); }); }
QIcon quit() { return themed("application-exit", [] { return standard(QStyle::SP_DialogCloseButton); }); }

QIcon logout()
{
    return themed("system-log-out", [] {
        return painted([](QPainter &p, const QColor &c) {
            p.setPen(pen(c));
            p.drawPolyline(QPolygonF({QPointF(9, 3), QPointF(3, 3), QPointF(3, 13), QPointF(9, 13)}));
            p.drawLine(QPointF(6, 8), QPointF(14, 8));
            p.drawPolyline(QPolygonF({QPointF(11, 5), QPointF(14, 8), QPointF(11, 11)}));
        });
    });
}

QIcon send()
{
    return themed("mail-send", [] {
        return painted([](QPainter &p, const QColor &c) {
            p.setPen(pen(c));
            QPainterPath path;
            path.moveTo(2, 3);
            path.lineTo(14, 8);
            path.lineTo(2, 13);
            path.lineTo(4, 8);
            path.closeSubpath();
            p.drawPath(path);
            p.drawLine(QPointF(4, 8), QPointF(9, 8));
        });
    });
}

QIcon search()
{
    return themed("edit-find", [] {
        return painted([](QPainter &p, const QColor &c) {
            p.setPen(pen(c));
            p.drawEllipse(QPointF(7, 7), 4, 4);
            p.drawLine(QPointF(10, 10), QPointF(14, 14));
        });
    });
}

QIcon attach()
{
    return themed("mail-attachment", [] {
        return painted([](QPainter &p, const QColor &c) {
            p.setPen(pen(c, 1.4));
            // A paperclip: two nested loops open at the top.
            QPainterPath path;
            path.moveTo(10.5, 5);
            path.lineTo(10.5, 11.5);
            path.arcTo(QRectF(6.5, 9.5, 4, 4), 0, -180);
            path.lineTo(6.5, 3.5);
            path.arcTo(QRectF(6.5, 1.5, 5, 4), 180, -180);
            path.lineTo(11.5, 12);
            path.arcTo(QRectF(5, 8.5, 6.5, 6.5), 0, -180);
            path.lineTo(5, 5);
            p.drawPath(path);
        });
    });
}

QIcon removeAttachment()
{
    return themed("edit-delete", [] {
        return painted([](QPainter &p, const QColor &c) {
            p.setPen(pen(c, 1.8));
            p.drawLine(QPointF(4, 4), QPointF(12, 12));
            p.drawLine(QPointF(12, 4), QPointF(4, 12));
        });
    });
}

QIcon openFile() { return themed("document-open", [] { return standard(QStyle::SP_DialogOpenButton); }); }
QIcon saveFile() { return themed("document-save-as", [] { return standard(QStyle::SP_DialogSaveButton); }); }

namespace {
// A sheet of paper with a folded corner and `mark` drawn inside it.
QIcon sheet(const char *themeName, const std::function<void(QPainter &, const QColor &)> &mark)
{
    return themed(themeName, [mark] {
        return painted([mark](QPainter &p, const QColor &c) {
            p.setPen(pen(c, 1.2));
            QPainterPath path;
            path.moveTo(3.5, 1.5);
            path.lineTo(9.5, 1.5);
            path.lineTo(12.5, 4.5);
            path.lineTo(12.5, 14.5);
            path.lineTo(3.5, 14.5);
            path.closeSubpath();
            p.drawPath(path);
            p.drawPolyline(QPolygonF({QPointF(9.5, 1.5), QPointF(9.5, 4.5), QPointF(12.5, 4.5)}));
            mark(p, c);
        });
    });
}
} // namespace

QIcon document()
{
    return sheet("x-office-document", [](QPainter &p, const QColor &c) {
        p.setPen(pen(c, 1.0));
        for (qreal y : {7.0, 9.0, 11.0})
            p.drawLine(QPointF(5.5, y), QPointF(10.5, y));
    });
}

QIcon image()
{
    return sheet("image-x-generic", [](QPainter &p, const QColor &c) {
        p.setPen(pen(c, 1.0));
        p.drawPolyline(QPolygonF({QPointF(4.5, 12.5), QPointF(7, 9), QPointF(8.5, 11), QPointF(9.5, 10), QPointF(11.5, 12.5)}));
        p.setBrush(c);
        p.drawEllipse(QPointF(9.5, 7), 0.9, 0.9);
    });
}

QIcon video()
{
    return sheet("video-x-generic", [](QPainter &p, const QColor &c) {
        p.setPen(pen(c, 1.0));
        p.setBrush(c);
        p.drawPolygon(QPolygonF({QPointF(6, 7), QPointF(10.5, 9.5), QPointF(6, 12)}));
    });
}

QIcon audio()
{
    return sheet("audio-x-generic", [](QPainter &p, const QColor &c) {
        p.setPen(pen(c, 1.0));
        p.drawLine(QPointF(9.5, 6.5), QPointF(9.5, 11));
        p.drawLine(QPointF(9.5, 6.5), QPointF(11, 7.5));
        p.setBrush(c);
        p.drawEllipse(QPointF(8.2, 11.3), 1.3, 1.0);
    });
}

QIcon forMediaType(const QString &type)
{
    if (type == QLatin1String("image") || type == QLatin1String("sticker"))
        return image();
    if (type == QLatin1String("video"))
        return video();
    if (type == QLatin1String("audio") || type == QLatin1String("voice"))
        return audio();
    return document();
}

QColor badgeColor(const QPalette &palette, Tone tone)
{
    const QColor highlight = palette.color(QPalette::Active, QPalette::Highlight);
    const bool dark = palette.color(QPalette::Window).lightness() < 128;
    if (tone == Tone::Neutral)
        return palette.color(QPalette::Active, dark ? QPalette::Midlight : QPalette::Mid);
    const int saturation = qBound(110, highlight.hsvSaturation(), 200);
    const int value = qBound(140, highlight.value(), dark ? 200 : 190);
    int hue = 0;
    switch (tone) {
    case Tone::Good: hue = 130; break;
    case Tone::Warning: hue = 38; break;
    case Tone::Bad: hue = 2; break;
    case Tone::Busy: return highlight;
    case Tone::Neutral: break;
    }
    return QColor::fromHsv(hue, saturation, value);
}

QColor textOn(const QColor &background)
{
    // Relative luminance (sRGB approximation) decides between black and white.
    const qreal l = 0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
    return l > 0.55 ? QColor(Qt::black) : QColor(Qt::white);
}

} // namespace wadesk::Icons
