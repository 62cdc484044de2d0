#include "core/analytics/AnalyticsCsv.h"

namespace wadesk::Csv {

QByteArray cell(const QString &text)
{
    QString value = text;
    if (!value.isEmpty()) {
        const QChar first = value.front();
        if (first == QLatin1Char('=') || first == QLatin1Char('+') || first == QLatin1Char('-') || first == QLatin1Char('@')
            || first == QLatin1Char('\t') || first == QLatin1Char('\r'))
            value.prepend(QLatin1Char('\''));
    }
    QByteArray out = value.toUtf8();
    if (out.contains(',') || out.contains('"') || out.contains('\r') || out.contains('\n')) {
        out.replace("\"", "\"\"");
        out.prepend('"');
        out.append('"');
    }
    return out;
}

QByteArray row(const QStringList &cells)
{
    QByteArray out;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i > 0)
            out += ',';
        out += cell(cells.at(i));
    }
    out += "\r\n";
    return out;
}

} // namespace wadesk::Csv
