#include "ui/common/RowListView.h"

#include <QHeaderView>
#include <QTreeView>

namespace wadesk {

void configureRowList(QTreeView *view, int stretchColumn)
{
    view->setRootIsDecorated(false);
    view->setUniformRowHeights(true);
    view->setAllColumnsShowFocus(true);
    view->setAlternatingRowColors(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->header()->setStretchLastSection(false);
    view->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->header()->setSectionResizeMode(stretchColumn, QHeaderView::Stretch);
}

} // namespace wadesk
