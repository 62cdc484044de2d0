#include "ui/conversations/MessageDelegate.h"

#include "ui/main/Icons.h"
#include "ui/models/MessageThreadModel.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QDateTime>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>

namespace wadesk {

namespace {
constexpr int kMargin = 6;       // around the bubble
constexpr int kPadding = 8;      // inside the bubble
constexpr qreal kRadius = 8.0;
constexpr int kTickWidth = 18;
constexpr qreal kMaxWidthShare = 0.72;

int availableWidth(const QStyleOptionViewItem &option)
{
    if (const auto *view = qobject_cast<const QAbstractItemView *>(option.widget))
        return view->viewport()->width();
    return option.rect.width() > 0 ? option.rect.width() : 480;
}

QColor bubbleColor(const QPalette &palette, bool outbound)
{
    if (!outbound)
        return palette.color(QPalette::AlternateBase) == palette.color(QPalette::Base)
            ? palette.color(QPalette::Button)
            : palette.color(QPalette::AlternateBase);
    // A tint of the highlight over the base: readable with the normal text colour.
    const QColor base = palette.color(QPalette::Base);
    const QColor hl = palette.color(QPalette::Highlight);
    const qreal share = 0.22;
    return QColor::fromRgbF(base.redF() * (1 - share) + hl.redF() * share, base.greenF() * (1 - share) + hl.greenF() * share,
                            base.blueF() * (1 - share) + hl.blueF() * share);
}
} // namespace

struct MessageDelegate::Layout {
    QRect bubble;
    QRect text;
    QRect footer;
    QString footerText;
    QString reason;
    QRect reasonRect;
};

MessageDelegate::Layout MessageDelegate::layout(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    Layout l;
    const bool outbound = index.data(MessageThreadModel::OutboundRole).toBool();
    const QString body = index.data(MessageThreadModel::BodyRole).toString();
    const QString status = index.data(MessageThreadModel::StatusRole).toString();
    const QDateTime time = index.data(MessageThreadModel::TimeRole).toDateTime();
    const QFontMetrics fm(option.font);
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    const QFontMetrics sfm(small);

    const int width = availableWidth(option);
    const int maxText = qMax(80, int(width * kMaxWidthShare) - 2 * kPadding);
    const QRect textBounds = fm.boundingRect(QRect(0, 0, maxText, 100000), Qt::TextWordWrap, body);
    l.footerText = QLocale().toString(time.time(), QLocale::ShortFormat);
    const int footerWidth = sfm.horizontalAdvance(l.footerText) + (outbound ? kTickWidth + 4 : 0);
    if (status == QLatin1String("failed")) {
        const QString reason = index.data(MessageThreadModel::FailureReasonRole).toString();
        l.reason = reason.isEmpty() ? tr("Not sent") : tr("Not sent: %1").arg(reason);
        l.reasonRect = sfm.boundingRect(QRect(0, 0, maxText, 100000), Qt::TextWordWrap, l.reason);
    }
    const int contentWidth = std::max({textBounds.width(), footerWidth, l.reasonRect.width()});
    const int contentHeight = textBounds.height() + 2 + sfm.height() + (l.reason.isEmpty() ? 0 : l.reasonRect.height() + 2);
    const int bubbleWidth = contentWidth + 2 * kPadding;
    const int bubbleHeight = contentHeight + 2 * kPadding;
    const int left = outbound ? option.rect.right() - kMargin - bubbleWidth : option.rect.left() + kMargin;
    l.bubble = QRect(left, option.rect.top() + kMargin / 2, bubbleWidth, bubbleHeight);
    l.text = QRect(left + kPadding, l.bubble.top() + kPadding, contentWidth, textBounds.height());
    int y = l.text.bottom() + 2;
    if (!l.reason.isEmpty()) {
        l.reasonRect = QRect(left + kPadding, y, contentWidth, l.reasonRect.height());
        y = l.reasonRect.bottom() + 2;
    }
    l.footer = QRect(left + kPadding, y, contentWidth, sfm.height());
    return l;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.rect = QRect(0, 0, availableWidth(option), 0);
    const Layout l = layout(opt, index);
    return QSize(opt.rect.width(), l.bubble.height() + kMargin);
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const Layout l = layout(opt, index);
    const QPalette &palette = opt.palette;
    const bool outbound = index.data(MessageThreadModel::OutboundRole).toBool();
    const QString status = index.data(MessageThreadModel::StatusRole).toString();

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QColor fill = bubbleColor(palette, outbound);
    painter->setPen(Qt::NoPen);
    painter->setBrush(fill);
    painter->drawRoundedRect(l.bubble, kRadius, kRadius);
    if (opt.state & QStyle::State_Selected) {
        painter->setPen(QPen(palette.color(QPalette::Highlight), 2));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(QRectF(l.bubble).adjusted(1, 1, -1, -1), kRadius, kRadius);
    }

    painter->setPen(palette.color(QPalette::Text));
    painter->setFont(opt.font);
    painter->drawText(l.text, Qt::TextWordWrap, index.data(MessageThreadModel::BodyRole).toString());

    QFont small = opt.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    painter->setFont(small);
    if (!l.reason.isEmpty()) {
        painter->setPen(Icons::badgeColor(palette, Icons::Tone::Bad));
        painter->drawText(l.reasonRect, Qt::TextWordWrap, l.reason);
    }
    QColor muted = palette.color(QPalette::Text);
    muted.setAlphaF(0.65);
    painter->setPen(muted);
    QRect timeRect = l.footer;
    if (outbound)
        timeRect.setRight(l.footer.right() - kTickWidth - 4);
    painter->drawText(timeRect, Qt::AlignRight | Qt::AlignVCenter, l.footerText);
    if (outbound) {
        const QRectF tickRect(l.footer.right() - kTickWidth, l.footer.top(), kTickWidth, l.footer.height());
        paintTicks(painter, tickRect, status, palette);
    }
    painter->restore();
}

void MessageDelegate::paintTicks(QPainter *painter, const QRectF &rect, const QString &status, const QPalette &palette)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QColor color = palette.color(QPalette::Text);
    color.setAlphaF(0.7);
    const qreal h = qMin(rect.height(), 12.0);
    const qreal cy = rect.center().y();
    const qreal x = rect.left();
    auto tick = [&](qreal dx) {
        QPainterPath p;
        p.moveTo(x + dx, cy);
        p.lineTo(x + dx + h * 0.3, cy + h * 0.3);
        p.lineTo(x + dx + h * 0.85, cy - h * 0.35);
        painter->drawPath(p);
    };
    if (status == QLatin1String("queued") || status == QLatin1String("sending")) {
        painter->setPen(QPen(color, 1.2));
        painter->setBrush(Qt::NoBrush);
        const QPointF c(x + h * 0.6, cy);
        painter->drawEllipse(c, h * 0.42, h * 0.42);
        painter->drawLine(c, c + QPointF(0, -h * 0.28));
        painter->drawLine(c, c + QPointF(h * 0.22, 0));
    } else if (status == QLatin1String("sent")) {
        painter->setPen(QPen(color, 1.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        painter->setBrush(Qt::NoBrush);
        tick(0);
    } else if (status == QLatin1String("delivered") || status == QLatin1String("read")) {
        const QColor c = status == QLatin1String("read") ? palette.color(QPalette::Highlight) : color;
        painter->setPen(QPen(c, 1.5, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        painter->setBrush(Qt::NoBrush);
        tick(0);
        tick(h * 0.45);
    } else if (status == QLatin1String("failed")) {
        const QColor bad = Icons::badgeColor(palette, Icons::Tone::Bad);
        painter->setPen(Qt::NoPen);
        painter->setBrush(bad);
        const QPointF c(x + h * 0.6, cy);
        painter->drawEllipse(c, h * 0.5, h * 0.5);
        painter->setPen(QPen(Icons::textOn(bad), 1.6, Qt::SolidLine, Qt::RoundCap));
        painter->drawLine(c + QPointF(0, -h * 0.25), c + QPointF(0, h * 0.08));
        painter->drawPoint(c + QPointF(0, h * 0.27));
    }
    painter->restore();
}

} // namespace wadesk
