#include "ui/main/Icons.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <QStyle>
#include <functional>

namespace wadesk::Icons {

namespace {

QIcon standard(QStyle::StandardPixmap pixmap)
{
    return QApplication::style() ? QApplication::style()->standardIcon(pixmap) : QIcon();
}

// Paints `draw` (in a 16×16 logical box) at several device pixel ratios, in the palette's
// window text colour; the disabled state uses the disabled text colour.
QIcon painted(const std::function<void(QPainter &, const QColor &)> &draw)
{
    QIcon icon;
    const QPalette palette = QApplication::palette();
    for (const auto &[mode, group] : {std::pair{QIcon::Normal, QPalette::Active}, std::pair{QIcon::Disabled, QPalette::Disabled}}) {
        const QColor color = palette.color(group, QPalette::WindowText);
        for (int size : {16, 22, 32}) {
            for (qreal dpr : {1.0, 2.0, 3.0}) {
                QPixmap pixmap(QSize(size, size) * dpr);
                pixmap.setDevicePixelRatio(dpr);
                pixmap.fill(Qt::transparent);
                QPainter p(&pixmap);
                p.setRenderHint(QPainter::Antialiasing);
                p.scale(size / 16.0, size / 16.0);
                draw(p, color);
                p.end();
                icon.addPixmap(pixmap, mode);
            }
        }
    }
    return icon;
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
