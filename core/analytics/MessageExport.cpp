#include "core/analytics/MessageExport.h"

#include "core/analytics/AnalyticsCsv.h"
#include "core/common/Json.h"
#include "core/db/SqlRunner.h"

#include <cstring>
#include <iterator>

namespace wadesk {

namespace {

// The columns in the order of the SELECT and of the CSV header.
const char *const kColumnNames[] = {"id",         "client_id",  "contact_phone", "direction", "status",
                                    "type",       "body",       "failure_reason", "created_by", "created_at",
                                    "sent_at",    "delivered_at", "read_at",     "failed_at"};
constexpr int kColumnCount = int(std::size(kColumnNames));
constexpr int kFirstTimeColumn = 9;
constexpr int kBodyColumn = 6; // an empty body stays "" in JSON; other empty cells are null
// The JSON rows keep the key order QJsonObject gave them (sorted by name), as column indexes.
constexpr int kJsonOrder[] = {6, 1, 2, 9, 8, 11, 3, 13, 7, 0, 12, 10, 4, 5};

QString isoText(const QVariant &ms)
{
    return ms.isNull() || ms.toLongLong() <= 0 ? QString() : Json::isoTime(ms.toLongLong()).toString();
}

} // namespace

MessageExport::MessageExport(Database &database, AnalyticsRange range, ExportFormat format, QObject *parent)
    : QIODevice(parent)
    , m_database(database)
    , m_range(std::move(range))
    , m_format(format)
    , m_afterCreatedAt(m_range.startMs() - 1)
{
}

bool MessageExport::atEnd() const
{
    return !m_failed && m_finished && m_offset >= m_buffer.size();
}

qint64 MessageExport::bytesAvailable() const
{
    return (m_buffer.size() - m_offset) + QIODevice::bytesAvailable();
}

qint64 MessageExport::readData(char *data, qint64 maxSize)
{
    qint64 copied = 0;
    while (copied < maxSize) {
        if (m_offset >= m_buffer.size()) {
            m_buffer.clear();
            m_offset = 0;
            if (m_finished || m_failed || !fetchBatch())
                break;
            continue;
        }
        const qint64 n = std::min<qint64>(maxSize - copied, m_buffer.size() - m_offset);
        std::memcpy(data + copied, m_buffer.constData() + m_offset, size_t(n));
        copied += n;
        m_offset += qsizetype(n);
    }
    if (copied == 0 && m_failed)
        return -1;
    return copied;
}

bool MessageExport::fetchBatch()
{
    if (!m_started) {
        m_started = true;
        QStringList header;
        for (const char *name : kColumnNames)
            header << QLatin1String(name);
        m_buffer = m_format == ExportFormat::Csv ? Csv::row(header) : QByteArray("{\"messages\":[");
        return true;
    }
    QVariantList bind;
    const QString scope = analyticsScope(m_range, bind);
    bind << m_range.endMs() << m_afterCreatedAt << m_afterCreatedAt << m_afterId;
    SqlRunner sql(m_database);
    // The keyset condition is written as a range on created_at (created_at >= ? AND ...), which
    // both databases turn into an index range on (organization_id | client_id, created_at, id):
    // written as "created_at > ? OR (created_at = ? AND id > ?)" SQLite scanned the range from
    // its start for every batch, which made a 1M-row export quadratic.
    Result<int> fetched = sql.query(
        QStringLiteral("SELECT m.id, m.client_id, c.phone_number, m.direction, m.status, m.type, m.body, m.failure_reason, m.created_by, "
                       "m.created_at, m.sent_at, m.delivered_at, m.read_at, m.failed_at "
                       "FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE ")
            + scope
            + QStringLiteral(" AND m.created_at < ? AND m.created_at >= ? AND (m.created_at > ? OR m.id > ?) "
                             "ORDER BY m.created_at, m.id LIMIT %1")
                  .arg(kBatchRows),
        bind, "analytics.export", [this](QSqlQuery &q) {
            int n = 0;
            const bool csv = m_format == ExportFormat::Csv;
            while (q.next()) {
                if (csv) {
                    for (int i = 0; i < kColumnCount; ++i) {
                        if (i > 0)
                            m_buffer += ',';
                        Csv::appendCell(m_buffer, i >= kFirstTimeColumn ? isoText(q.value(i)) : q.value(i).toString());
                    }
                    m_buffer += "\r\n";
                } else {
                    Json::Writer o(512);
                    o.beginObject();
                    for (const int i : kJsonOrder) {
                        const QString text = i >= kFirstTimeColumn ? isoText(q.value(i)) : q.value(i).toString();
                        o.key(QLatin1String(kColumnNames[i]));
                        if (text.isEmpty() && i != kBodyColumn)
                            o.null();
                        else
                            o.value(text);
                    }
                    o.endObject();
                    if (m_rows + n > 0)
                        m_buffer += ',';
                    m_buffer += o.take();
                }
                m_afterCreatedAt = q.value(9).toLongLong();
                m_afterId = q.value(0).toString();
                ++n;
            }
            return n;
        });
    if (!fetched) {
        m_failed = true;
        setErrorString(QStringLiteral("the export could not read the messages"));
        return false;
    }
    m_rows += fetched.value();
    if (fetched.value() < kBatchRows) {
        m_finished = true;
        if (m_format == ExportFormat::Json)
            m_buffer += "],\"count\":" + QByteArray::number(m_rows) + '}';
    }
    return true;
}

} // namespace wadesk
