#include "ui/clients/ClientListDelegate.h"

#include "ui/main/Icons.h"
#include "ui/models/ClientListModel.h"

#include <QApplication>
#include <QPainter>

namespace wadesk {

namespace {
constexpr int kPad = 6;

Icons::Tone toneOf(SessionState state)
{
    switch (state) {
    case SessionState::Ready: return Icons::Tone::Good;
    case SessionState::Qr:
    case SessionState::Paused:
    case SessionState::Disconnected: return Icons::Tone::Warning;
    case SessionState::Failed:
    case SessionState::LoggedOut: return Icons::Tone::Bad;
    case SessionState::Initializing:
    case SessionState::Authenticating: return Icons::Tone::Busy;
    case SessionState::Stopped: return Icons::Tone::Neutral;
    }
    return Icons::Tone::Neutral;
}

// A rounded pill with `text`, right-aligned at `right`; returns its left edge.
int drawPill(QPainter *p, const QFont &font, int right, int centerY, const QString &text, const QColor &fill)
{
    const QFontMetrics fm(font);
    const int w = fm.horizontalAdvance(text) + 12;
    const int h = fm.height() + 2;
    const QRect r(right - w, centerY - h / 2, w, h);
    p->setPen(Qt::NoPen);
    p->setBrush(fill);
    p->drawRoundedRect(r, h / 2.0, h / 2.0);
    p->setPen(Icons::textOn(fill));
    p->setFont(font);
    p->drawText(r, Qt::AlignCenter, text);
    return r.left();
}
} // namespace

QSize ClientListDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QFontMetrics fm(opt.font);
    return QSize(220, fm.height() * 2 + 3 * kPad);
}

void ClientListDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget); // background, selection, focus

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette::ColorGroup group = opt.state & QStyle::State_Enabled ? QPalette::Normal : QPalette::Disabled;
    const QColor text = opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    QColor muted = text;
    muted.setAlphaF(0.7);

    QFont small = opt.font;
    small.setPointSizeF(small.pointSizeF() * 0.85);
    const QRect r = opt.rect.adjusted(kPad + 2, kPad, -kPad, -kPad);
    const QFontMetrics fm(opt.font);
    const int line1 = r.top() + fm.height() / 2;
    const int line2 = r.top() + fm.height() + kPad / 2 + fm.height() / 2;

    // Right side, line 1: state badge; line 2: unread, queue, paused.
    const auto state = SessionState(index.data(ClientListModel::StateRole).toInt());
    const int badgeLeft = drawPill(painter, small, r.right(), line1, index.data(ClientListModel::StateTextRole).toString(),
                                   Icons::badgeColor(opt.palette, toneOf(state)));
    int right = r.right();
    if (index.data(ClientListModel::PausedRole).toBool() && state != SessionState::Paused)
        right = drawPill(painter, small, right, line2, tr("paused"), Icons::badgeColor(opt.palette, Icons::Tone::Warning)) - 4;
    if (const int depth = index.data(ClientListModel::QueueDepthRole).toInt(); depth > 0)
        right = drawPill(painter, small, right, line2, tr("%n queued", nullptr, depth), Icons::badgeColor(opt.palette, Icons::Tone::Neutral)) - 4;
    if (const int unread = index.data(ClientListModel::UnreadRole).toInt(); unread > 0)
        right = drawPill(painter, small, right, line2, QString::number(unread), opt.palette.color(QPalette::Highlight)) - 4;

    QFont bold = opt.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(text);
    const QRect nameRect(r.left(), r.top(), badgeLeft - r.left() - kPad, fm.height());
    painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(bold).elidedText(index.data(ClientListModel::NameRole).toString(), Qt::ElideRight, nameRect.width()));
    painter->setFont(small);
    painter->setPen(muted);
    QString phone = index.data(ClientListModel::PhoneRole).toString();
    if (phone.isEmpty())
        phone = tr("no number linked");
    const QRect phoneRect(r.left(), line2 - fm.height() / 2, right - r.left() - kPad, fm.height());
    painter->drawText(phoneRect, Qt::AlignLeft | Qt::AlignVCenter, QFontMetrics(small).elidedText(phone, Qt::ElideRight, phoneRect.width()));
    painter->restore();
}

} // namespace wadesk
