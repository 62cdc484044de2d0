#pragma once

#include <QList>
#include <QString>
#include <optional>

namespace wadesk {

// What a list page says beside its rows. Lists cost in proportion to the page: the rows are
// read with one extra row to learn whether more follow, and the whole set is counted only on
// request (?total=exact). A page that ends the set tells its total for free (offset + rows),
// unless it was reached by a cursor, whose position from the start is not known.
struct PageInfo {
    bool hasMore = false;
    QString nextBefore;          // the cursor of the next page (the last row's id) when hasMore
    std::optional<qint64> total; // exact, or absent
};

namespace Paging {

// `rows` were read with LIMIT limit + 1: drops the extra row and fills hasMore and nextBefore.
template <class Row, class IdOf>
PageInfo trim(QList<Row> &rows, int limit, IdOf idOf)
{
    PageInfo info;
    if (rows.size() > limit) {
        rows.resize(limit);
        info.hasMore = true;
        if (!rows.isEmpty())
            info.nextBefore = idOf(rows.constLast());
    }
    return info;
}

// The total a page tells without counting: known when the page ends the set and was reached
// by offset from the start (an offset past the end says nothing: the set may be smaller).
inline std::optional<qint64> freeTotal(const PageInfo &info, qsizetype rows, int offset, bool byCursor)
{
    if (info.hasMore || byCursor || (rows == 0 && offset > 0))
        return std::nullopt;
    return qint64(offset) + rows;
}

} // namespace Paging

} // namespace wadesk
