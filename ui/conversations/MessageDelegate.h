#pragma once

#include <QHash>
#include <QIcon>
#include <QStyledItemDelegate>

namespace wadesk {

// Draws a message as a bubble: outbound on the right, inbound on the left, with the time and,
// for outbound messages, the status ticks: a clock (queued, sending), one tick (sent), two
// ticks (delivered), two ticks in the highlight colour (read), or a warning mark and the reason
// (failed). Colours come from the palette.
//
// A message with a file shows, above its caption, the picture's thumbnail (image, sticker; a
// placeholder of the same place while it is decoded) or a card with the kind's icon, the file
// name and its size (documents, audio, video, and any file without a thumbnail); a file that was
// not downloaded or is no longer stored says so on its card.
class MessageDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The tick mark for a status, painted in `rect` (exposed for the screenshot legend and tests).
    static void paintTicks(QPainter *painter, const QRectF &rect, const QString &status, const QPalette &palette);

    // Where the file's thumbnail or card is drawn for this row, in the row's coordinates as
    // painted with `option` (empty for a text message). For tests and hit testing.
    QRect mediaRect(const QStyleOptionViewItem &option, const QModelIndex &index) const;

    static constexpr QSize kPlaceholderSize{240, 160};
    static constexpr int kCardWidth = 280;

private:
    struct Layout;
    Layout layout(const QStyleOptionViewItem &option, const QModelIndex &index) const;
    QIcon iconFor(const QString &type) const;

    mutable QHash<QString, QIcon> m_icons; // painted icons are costly to make: one per type
};

} // namespace wadesk
