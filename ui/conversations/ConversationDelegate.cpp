#include "ui/conversations/ConversationDelegate.h"

#include "ui/models/ConversationListModel.h"

#include <QApplication>
#include <QDateTime>
#include <QLocale>
#include <QPainter>

namespace wadesk {

namespace {
constexpr int kPadding = 6;
} // namespace

QString ConversationDelegate::timeText(const QDateTime &time)
{
    const QDate day = time.date();
    const QDate today = QDate::currentDate();
    if (day == today)
        return QLocale().toString(time.time(), QLocale::ShortFormat);
    if (day == today.addDays(-1))
        return tr("Yesterday");
    if (day > today.addDays(-7))
        return QLocale().dayName(day.dayOfWeek(), QLocale::ShortFormat);
    return QLocale().toString(day, QLocale::ShortFormat);
}

QSize ConversationDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const QFontMetrics fm(option.font);
    return QSize(option.rect.width() > 0 ? option.rect.width() : 240, 2 * fm.height() + 3 * kPadding);
}

void ConversationDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, opt.widget);

    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette &palette = opt.palette;
    const QColor text = palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    QColor muted = text;
    muted.setAlphaF(0.7);
    const QRect area = opt.rect.adjusted(kPadding, kPadding, -kPadding, -kPadding);
    QFont bold = opt.font;
    bold.setBold(true);
    QFont small = opt.font;
    small.setPointSizeF(small.pointSizeF() * 0.9);
    const QFontMetrics fm(opt.font);
    const QFontMetrics bfm(bold);
    const QFontMetrics sfm(small);

    const int unread = index.data(ConversationListModel::UnreadRole).toInt();
    const QString time = timeText(index.data(ConversationListModel::TimeRole).toDateTime());
    const int timeWidth = sfm.horizontalAdvance(time);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect top(area.left(), area.top(), area.width(), fm.height());
    painter->setFont(small);
    painter->setPen(unread > 0 && !selected ? palette.color(QPalette::Highlight) : muted);
    painter->drawText(top, Qt::AlignRight | Qt::AlignVCenter, time);
    painter->setFont(bold);
    painter->setPen(text);
    QString title = index.data(Qt::DisplayRole).toString();
    if (index.data(ConversationListModel::OptedOutRole).toBool())
        title = tr("%1 (opted out)").arg(title);
    painter->drawText(top.adjusted(0, 0, -(timeWidth + kPadding), 0), Qt::AlignLeft | Qt::AlignVCenter,
                      bfm.elidedText(title, Qt::ElideRight, top.width() - timeWidth - kPadding));

    const QRect bottom(area.left(), top.bottom() + kPadding, area.width(), fm.height());
    int previewWidth = bottom.width();
    if (unread > 0) {
        const QString count = unread > 999 ? QStringLiteral("999+") : QString::number(unread);
        const int h = sfm.height() + 2;
        const int w = qMax(h, sfm.horizontalAdvance(count) + 10);
        const QRect badge(bottom.right() - w + 1, bottom.center().y() - h / 2, w, h);
        painter->setPen(Qt::NoPen);
        painter->setBrush(palette.color(selected ? QPalette::HighlightedText : QPalette::Highlight));
        painter->drawRoundedRect(badge, h / 2.0, h / 2.0);
        painter->setFont(small);
        painter->setPen(palette.color(selected ? QPalette::Highlight : QPalette::HighlightedText));
        painter->drawText(badge, Qt::AlignCenter, count);
        previewWidth -= w + kPadding;
    }
    painter->setFont(opt.font);
    painter->setPen(muted);
    const QString preview = index.data(ConversationListModel::PreviewRole).toString();
    painter->drawText(QRect(bottom.left(), bottom.top(), previewWidth, bottom.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      fm.elidedText(preview, Qt::ElideRight, previewWidth));
    painter->restore();
}

} // namespace wadesk
