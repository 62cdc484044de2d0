#pragma once

class QTreeView;

namespace wadesk {

// The desktop's lists of records (team members, proxies): one row per record, selected whole and
// one at a time, never edited in place, columns sized to their contents except `stretchColumn`,
// which takes the rest of the width.
void configureRowList(QTreeView *view, int stretchColumn);

} // namespace wadesk
