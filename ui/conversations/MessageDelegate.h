#pragma once

#include <QStyledItemDelegate>

namespace wadesk {

// Draws a message as a bubble: outbound on the right, inbound on the left, with the time and,
// for outbound messages, the status ticks: a clock (queued, sending), one tick (sent), two
// ticks (delivered), two ticks in the highlight colour (read), or a warning mark and the reason
// (failed). Colours come from the palette.
class MessageDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The tick mark for a status, painted in `rect` (exposed for the screenshot legend and tests).
    static void paintTicks(QPainter *painter, const QRectF &rect, const QString &status, const QPalette &palette);

private:
    struct Layout;
    Layout layout(const QStyleOptionViewItem &option, const QModelIndex &index) const;
};

} // namespace wadesk
