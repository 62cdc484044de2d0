#include "core/contacts/CsvReader.h"

namespace wadesk {

CsvReader::CsvReader(QByteArrayView text, char delimiter)
    : m_text(withoutBom(text))
    , m_delimiter(delimiter)
{
}

QByteArrayView CsvReader::withoutBom(QByteArrayView text)
{
    return text.startsWith("\xEF\xBB\xBF") ? text.sliced(3) : text;
}

char CsvReader::detectDelimiter(QByteArrayView text)
{
    text = withoutBom(text);
    int comma = 0, semicolon = 0, tab = 0;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted && c == ',')
            ++comma;
        else if (!quoted && c == ';')
            ++semicolon;
        else if (!quoted && c == '\t')
            ++tab;
    }
    if (semicolon > comma && semicolon >= tab)
        return ';';
    if (tab > comma && tab > semicolon)
        return '\t';
    return ',';
}

CsvReader::Status CsvReader::next(QList<QByteArray> *fields, qint64 *line)
{
    fields->clear();
    if (m_pos >= m_text.size())
        return Status::End;
    *line = m_line;
    QByteArray field;
    const qsizetype n = m_text.size();
    while (true) {
        if (m_pos < n && m_text.at(m_pos) == '"') {
            // A quoted field, up to the quote that is not doubled.
            ++m_pos;
            bool closed = false;
            while (m_pos < n) {
                const qsizetype quote = m_text.sliced(m_pos).indexOf('"');
                const qsizetype end = quote < 0 ? n : m_pos + quote;
                const QByteArrayView part = m_text.sliced(m_pos, end - m_pos);
                m_line += part.count('\n') + (part.contains('\r') ? part.count('\r') - part.count("\r\n") : 0);
                field += part;
                m_pos = end;
                if (quote < 0)
                    break;
                if (m_pos + 1 < n && m_text.at(m_pos + 1) == '"') {
                    field += '"';
                    m_pos += 2;
                    continue;
                }
                ++m_pos;
                closed = true;
                break;
            }
            if (!closed) {
                fields->append(field);
                return Status::UnterminatedQuote;
            }
        }
        // Unquoted text (or what follows a closing quote), up to the delimiter or the record's end.
        qsizetype i = m_pos;
        while (i < n) {
            const char c = m_text.at(i);
            if (c == m_delimiter || c == '\n' || c == '\r')
                break;
            ++i;
        }
        field += m_text.sliced(m_pos, i - m_pos);
        m_pos = i;
        fields->append(field);
        field.clear();
        if (m_pos >= n)
            return Status::Record;
        const char c = m_text.at(m_pos);
        if (c == m_delimiter) {
            ++m_pos;
            if (m_pos >= n) {
                fields->append(QByteArray());
                return Status::Record;
            }
            continue;
        }
        // CRLF, LF or CR ends the record.
        ++m_pos;
        if (c == '\r' && m_pos < n && m_text.at(m_pos) == '\n')
            ++m_pos;
        ++m_line;
        return Status::Record;
    }
}

} // namespace wadesk
