#pragma once

#include <QStyledItemDelegate>

namespace wadesk {

// A row of the inbox (ConversationListModel): the name or number in bold with the time of the
// latest message on the right, the message's preview under it (elided), and the unread count in
// a round badge in the highlight colour. Colours come from the palette.
class ConversationDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    // "14:05" today, "Yesterday", the weekday within a week, else the short date.
    static QString timeText(const QDateTime &time);
};

} // namespace wadesk
