#include "ui/common/DataSize.h"

#include <QLocale>

namespace wadesk {

QString dataSizeText(qint64 bytes)
{
    const QLocale locale;
    const QString one = locale.formattedDataSize(qMax<qint64>(0, bytes), 1, QLocale::DataSizeTraditionalFormat);
    const QString wholeMark = locale.decimalPoint() + QLatin1Char('0') + QLatin1Char(' ');
    if (one.contains(wholeMark))
        return locale.formattedDataSize(qMax<qint64>(0, bytes), 0, QLocale::DataSizeTraditionalFormat);
    return one;
}

} // namespace wadesk
