#pragma once

#include <QStyledItemDelegate>

namespace wadesk {

// A client in the session list: name and number on two lines, the state badge on the right,
// then the unread count, the queue depth and a "paused" mark. Colours come from the palette.
class ClientListDelegate final : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace wadesk
