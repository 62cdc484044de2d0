#include "ui/conversations/MessageDelegate.h"

#include "ui/common/DataSize.h"
#include "ui/common/ImageThumbnailer.h"
#include "ui/main/Icons.h"
#include "ui/models/MessageThreadModel.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QDateTime>
#include <QImage>
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
constexpr int kIconSize = 32;
constexpr int kCardPadding = 6;

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
    enum class Media { None, Picture, Placeholder, Card };
    Media media = Media::None;
    QRect mediaRect;
    QImage picture;
    QString cardTitle;
    QString cardDetail;
    bool cardProblem = false; // the detail says the file is not there
    QString text;
    QRect bubble;
    QRect textRect;
    QRect footer;
    QString footerText;
    QString reason;
    QRect reasonRect;
    QString day;  // the date separator drawn above the first message of a day
    QRect dayRect;
};

MessageDelegate::Layout MessageDelegate::layout(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    Layout l;
    const bool outbound = index.data(MessageThreadModel::OutboundRole).toBool();
    const QString type = index.data(MessageThreadModel::TypeRole).toString();
    const bool hasFile = !type.isEmpty() && type != QLatin1String("text");
    const QString status = index.data(MessageThreadModel::StatusRole).toString();
    const QDateTime time = index.data(MessageThreadModel::TimeRole).toDateTime();
    const QFontMetrics fm(option.font);
    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    const QFontMetrics sfm(small);

    const int width = availableWidth(option);
    const int maxText = qMax(80, int(width * kMaxWidthShare) - 2 * kPadding);
    l.text = hasFile ? index.data(MessageThreadModel::CaptionRole).toString() : index.data(MessageThreadModel::BodyRole).toString();
    QSize mediaSize;
    if (hasFile) {
        const auto state = index.data(MessageThreadModel::MediaStateRole).value<MessageThreadModel::MediaState>();
        const auto thumbState = ImageThumbnailer::State(index.data(MessageThreadModel::ThumbnailStateRole).toInt());
        if (state == MessageThreadModel::MediaState::Available && thumbState == ImageThumbnailer::State::Ready) {
            l.media = Layout::Media::Picture;
            l.picture = index.data(MessageThreadModel::ThumbnailRole).value<QImage>();
            const qreal dpr = option.widget ? option.widget->devicePixelRatioF() : 1.0;
            mediaSize = (QSizeF(l.picture.size()) / dpr).toSize();
            if (mediaSize.width() > maxText)
                mediaSize = mediaSize.scaled(maxText, mediaSize.height(), Qt::KeepAspectRatio);
        } else if (state == MessageThreadModel::MediaState::Available && thumbState == ImageThumbnailer::State::Loading) {
            l.media = Layout::Media::Placeholder;
            mediaSize = kPlaceholderSize.boundedTo(QSize(maxText, kPlaceholderSize.height()));
        } else {
            l.media = Layout::Media::Card;
            const QString name = index.data(MessageThreadModel::FilenameRole).toString();
            l.cardTitle = name.isEmpty() ? MessageThreadModel::typeText(type) : name;
            const qint64 size = index.data(MessageThreadModel::MediaSizeRole).toLongLong();
            if (state == MessageThreadModel::MediaState::Downloading) {
                l.cardDetail = tr("%1 — downloading…").arg(MessageThreadModel::typeText(type));
            } else if (state == MessageThreadModel::MediaState::NotDownloaded) {
                l.cardDetail = tr("%1 — not downloaded").arg(MessageThreadModel::typeText(type));
                l.cardProblem = true;
            } else if (state == MessageThreadModel::MediaState::Missing) {
                l.cardDetail = tr("%1 — the file is no longer stored").arg(MessageThreadModel::typeText(type));
                l.cardProblem = true;
            } else if (size > 0) {
                l.cardDetail = tr("%1 · %2").arg(MessageThreadModel::typeText(type), dataSizeText(size));
            } else {
                l.cardDetail = MessageThreadModel::typeText(type);
            }
            const int cardWidth = qMin(kCardWidth, maxText);
            mediaSize = QSize(cardWidth, qMax(kIconSize, fm.height() + sfm.height() + 2) + 2 * kCardPadding);
        }
    }
    const QRect textBounds = l.text.isEmpty() ? QRect() : fm.boundingRect(QRect(0, 0, maxText, 100000), Qt::TextWordWrap, l.text);
    l.footerText = QLocale().toString(time.time(), QLocale::ShortFormat);
    const int footerWidth = sfm.horizontalAdvance(l.footerText) + (outbound ? kTickWidth + 4 : 0);
    if (status == QLatin1String("failed")) {
        const QString reason = index.data(MessageThreadModel::FailureReasonRole).toString();
        l.reason = reason.isEmpty() ? tr("Not sent") : tr("Not sent: %1").arg(reason);
        l.reasonRect = sfm.boundingRect(QRect(0, 0, maxText, 100000), Qt::TextWordWrap, l.reason);
    }
    const int contentWidth = std::max({textBounds.width(), footerWidth, l.reasonRect.width(), mediaSize.width()});
    const int mediaHeight = mediaSize.isEmpty() ? 0 : mediaSize.height() + (textBounds.isEmpty() ? 2 : 6);
    const int contentHeight = mediaHeight + textBounds.height() + 2 + sfm.height() + (l.reason.isEmpty() ? 0 : l.reasonRect.height() + 2);
    const int bubbleWidth = contentWidth + 2 * kPadding;
    const int bubbleHeight = contentHeight + 2 * kPadding;
    const int left = outbound ? option.rect.right() - kMargin - bubbleWidth : option.rect.left() + kMargin;
    int top = option.rect.top() + kMargin / 2;
    if (index.data(MessageThreadModel::DayStartsRole).toBool()) {
        l.day = index.data(MessageThreadModel::DayTextRole).toString();
        l.dayRect = QRect(option.rect.left(), top, option.rect.width(), sfm.height() + 8);
        top = l.dayRect.bottom() + 1 + kMargin / 2;
    }
    l.bubble = QRect(left, top, bubbleWidth, bubbleHeight);
    int y = l.bubble.top() + kPadding;
    if (!mediaSize.isEmpty()) {
        l.mediaRect = QRect(QPoint(left + kPadding, y), mediaSize);
        y += mediaHeight;
    }
    l.textRect = QRect(left + kPadding, y, contentWidth, textBounds.height());
    y = l.textRect.bottom() + 2;
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
    return QSize(opt.rect.width(), l.bubble.bottom() + 1 + kMargin / 2);
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
    if (!l.day.isEmpty()) {
        QFont dayFont = opt.font;
        dayFont.setPointSizeF(dayFont.pointSizeF() * 0.85);
        dayFont.setBold(true);
        painter->setFont(dayFont);
        const QFontMetrics dfm(dayFont);
        const int width = dfm.horizontalAdvance(l.day) + 20;
        const QRect pill(l.dayRect.center().x() - width / 2, l.dayRect.top(), width, l.dayRect.height());
        QColor shade = palette.color(QPalette::Text);
        shade.setAlphaF(0.08);
        painter->setPen(Qt::NoPen);
        painter->setBrush(shade);
        painter->drawRoundedRect(pill, pill.height() / 2.0, pill.height() / 2.0);
        painter->setPen(palette.color(QPalette::Text));
        painter->drawText(pill, Qt::AlignCenter, l.day);
        painter->setFont(opt.font);
    }
    QColor fill = bubbleColor(palette, outbound);
    painter->setPen(Qt::NoPen);
    painter->setBrush(fill);
    painter->drawRoundedRect(l.bubble, kRadius, kRadius);
    if (opt.state & QStyle::State_Selected) {
        painter->setPen(QPen(palette.color(QPalette::Highlight), 2));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(QRectF(l.bubble).adjusted(1, 1, -1, -1), kRadius, kRadius);
    }

    QFont small = opt.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    QColor muted = palette.color(QPalette::Text);
    muted.setAlphaF(0.65);
    switch (l.media) {
    case Layout::Media::None: break;
    case Layout::Media::Picture: {
        QPainterPath clip;
        clip.addRoundedRect(QRectF(l.mediaRect), kRadius / 2, kRadius / 2);
        painter->save();
        painter->setClipPath(clip);
        painter->setRenderHint(QPainter::SmoothPixmapTransform);
        painter->drawImage(l.mediaRect, l.picture);
        painter->restore();
        break;
    }
    case Layout::Media::Placeholder: {
        QColor shade = palette.color(QPalette::Text);
        shade.setAlphaF(0.08);
        painter->setPen(Qt::NoPen);
        painter->setBrush(shade);
        painter->drawRoundedRect(l.mediaRect, kRadius / 2, kRadius / 2);
        const QIcon icon = iconFor(index.data(MessageThreadModel::TypeRole).toString());
        icon.paint(painter, QRect(l.mediaRect.center() - QPoint(kIconSize / 2, kIconSize / 2), QSize(kIconSize, kIconSize)));
        break;
    }
    case Layout::Media::Card: {
        QColor shade = palette.color(QPalette::Text);
        shade.setAlphaF(0.06);
        painter->setPen(Qt::NoPen);
        painter->setBrush(shade);
        painter->drawRoundedRect(l.mediaRect, kRadius / 2, kRadius / 2);
        const QRect inner = l.mediaRect.adjusted(kCardPadding, kCardPadding, -kCardPadding, -kCardPadding);
        const QRect iconRect(inner.left(), inner.center().y() - kIconSize / 2, kIconSize, kIconSize);
        iconFor(index.data(MessageThreadModel::TypeRole).toString()).paint(painter, iconRect);
        const QFontMetrics fm(opt.font);
        const QFontMetrics sfm(small);
        const int textLeft = iconRect.right() + 8;
        const int textWidth = qMax(10, inner.right() - textLeft);
        const int top = inner.center().y() - (fm.height() + sfm.height() + 2) / 2;
        painter->setPen(palette.color(QPalette::Text));
        painter->setFont(opt.font);
        painter->drawText(QRect(textLeft, top, textWidth, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                          fm.elidedText(l.cardTitle, Qt::ElideMiddle, textWidth));
        painter->setFont(small);
        painter->setPen(l.cardProblem ? Icons::badgeColor(palette, Icons::Tone::Warning) : muted);
        painter->drawText(QRect(textLeft, top + fm.height() + 2, textWidth, sfm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                          sfm.elidedText(l.cardDetail, Qt::ElideRight, textWidth));
        break;
    }
    }

    painter->setPen(palette.color(QPalette::Text));
    painter->setFont(opt.font);
    if (!l.text.isEmpty())
        painter->drawText(l.textRect, Qt::TextWordWrap, l.text);

    painter->setFont(small);
    if (!l.reason.isEmpty()) {
        painter->setPen(Icons::badgeColor(palette, Icons::Tone::Bad));
        painter->drawText(l.reasonRect, Qt::TextWordWrap, l.reason);
    }
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

QRect MessageDelegate::mediaRect(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    return layout(opt, index).mediaRect;
}

QIcon MessageDelegate::iconFor(const QString &type) const
{
    auto found = m_icons.constFind(type);
    if (found != m_icons.constEnd())
        return *found;
    const QIcon icon = Icons::forMediaType(type);
    m_icons.insert(type, icon);
    return icon;
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
