#include "core/common/UtcTime.h"

#include <QTimeZone>

namespace wadesk::UtcTime {

QDateTime fromMSecs(qint64 msecsSinceEpoch)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    return QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch, QTimeZone(QTimeZone::UTC));
#else
    return QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch, Qt::UTC);
#endif
}

QDateTime treatAsUtc(const QDateTime &wallTime)
{
    QDateTime t(wallTime);
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    t.setTimeZone(QTimeZone(QTimeZone::UTC));
#else
    t.setTimeSpec(Qt::UTC);
#endif
    return t;
}

} // namespace wadesk::UtcTime
