#include "core/analytics/AnalyticsCsv.h"

#include <QRegularExpression>

namespace wadesk::Csv {

QByteArray cell(const QString &text)
{
    // A phone number in E.164 (+ and digits only) is data a spreadsheet cannot run: it stays as
    // it is, so exported numbers can be read back or dialled.
    static const QRegularExpression e164(QStringLiteral("^\\+[1-9][0-9]{6,14}$"));
    QString value = text;
    if (!value.isEmpty() && !e164.match(value).hasMatch()) {
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
