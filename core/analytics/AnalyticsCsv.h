#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace wadesk::Csv {

// One RFC 4180 field, UTF-8: quoted when it holds a comma, a quote, CR or LF (quotes doubled).
// A cell that begins with = + - @, a tab or CR is prefixed with an apostrophe first, so that a
// spreadsheet shows it as text instead of running it as a formula (OWASP "CSV injection").
QByteArray cell(const QString &text);
// The same field appended to `out` (exports write a million cells: no temporary per cell).
void appendCell(QByteArray &out, const QString &text);
// The cells joined by commas, ended by CRLF.
QByteArray row(const QStringList &cells);

} // namespace wadesk::Csv
