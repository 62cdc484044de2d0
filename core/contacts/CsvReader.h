#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace wadesk {

// Reads RFC 4180 records from UTF-8 text one at a time, without copying the text: fields may be
// quoted ("" for a quote) and a quoted field may hold the delimiter, CR and LF. Records end at
// CRLF, LF or a lone CR. Lenient where the RFC is silent: text after a closing quote is kept, a
// quote inside an unquoted field is a quote.
class CsvReader {
public:
    // `text` must outlive the reader; a UTF-8 byte order mark at its start is skipped.
    CsvReader(QByteArrayView text, char delimiter);

    // Comma, semicolon or tab: the one found most often in the first record outside quotes
    // (comma when none is).
    static char detectDelimiter(QByteArrayView text);
    static QByteArrayView withoutBom(QByteArrayView text);

    enum class Status { Record, End, UnterminatedQuote };
    // The next record's fields; `line` is the number (from 1) of the line it starts on. After
    // UnterminatedQuote the rest of the text was taken by that field and End follows.
    Status next(QList<QByteArray> *fields, qint64 *line);
    // How far into the text (after the byte order mark) the reader is: for progress.
    qsizetype position() const { return m_pos; }

private:
    QByteArrayView m_text;
    qsizetype m_pos = 0;
    qint64 m_line = 1;
    char m_delimiter;
};

} // namespace wadesk
