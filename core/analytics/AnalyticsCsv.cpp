#include "core/analytics/AnalyticsCsv.h"

namespace wadesk::Csv {

namespace {

// A phone number in E.164 (+ and digits only) is data a spreadsheet cannot run: it stays as it
// is, so exported numbers can be read back or dialled.
bool isE164(const QString &text)
{
    if (text.size() < 8 || text.size() > 16 || text.at(0) != QLatin1Char('+') || text.at(1) < QLatin1Char('1')
        || text.at(1) > QLatin1Char('9'))
        return false;
    for (qsizetype i = 2; i < text.size(); ++i)
        if (text.at(i) < QLatin1Char('0') || text.at(i) > QLatin1Char('9'))
            return false;
    return true;
}

bool startsLikeFormula(const QString &text)
{
    if (text.isEmpty())
        return false;
    const QChar first = text.front();
    const bool risky = first == QLatin1Char('=') || first == QLatin1Char('+') || first == QLatin1Char('-') || first == QLatin1Char('@')
                       || first == QLatin1Char('\t') || first == QLatin1Char('\r');
    return risky && !isE164(text);
}

bool needsQuotes(const QString &text)
{
    for (const QChar c : text)
        if (c == QLatin1Char(',') || c == QLatin1Char('"') || c == QLatin1Char('\r') || c == QLatin1Char('\n'))
            return true;
    return false;
}

} // namespace

void appendCell(QByteArray &out, const QString &text)
{
    const bool quoted = needsQuotes(text);
    if (quoted)
        out += '"';
    if (startsLikeFormula(text))
        out += '\'';
    const QByteArray utf8 = text.toUtf8();
    if (quoted) {
        for (const char c : utf8) {
            if (c == '"')
                out += '"';
            out += c;
        }
        out += '"';
    } else {
        out += utf8;
    }
}

QByteArray cell(const QString &text)
{
    QByteArray out;
    appendCell(out, text);
    return out;
}

QByteArray row(const QStringList &cells)
{
    QByteArray out;
    for (qsizetype i = 0; i < cells.size(); ++i) {
        if (i > 0)
            out += ',';
        appendCell(out, cells.at(i));
    }
    out += "\r\n";
    return out;
}

} // namespace wadesk::Csv
