#include "core/contacts/ContactExport.h"

#include "core/analytics/AnalyticsCsv.h"
#include "core/common/Json.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactAttributes.h"
#include "core/messaging/ContactRepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <cstring>

namespace wadesk {

namespace {
const QStringList kColumns = {QStringLiteral("id"),        QStringLiteral("phone_number"), QStringLiteral("name"),
                              QStringLiteral("tags"),      QStringLiteral("opted_out"),    QStringLiteral("opted_out_at"),
                              QStringLiteral("created_at"), QStringLiteral("updated_at")};

QString isoText(qint64 ms)
{
    return ms <= 0 ? QString() : Json::isoTime(ms).toString();
}
} // namespace

ContactExport::ContactExport(Database &database, QString organizationId, Format format, QObject *parent)
    : QIODevice(parent)
    , m_database(database)
    , m_organizationId(std::move(organizationId))
    , m_format(format)
{
}

bool ContactExport::atEnd() const
{
    return !m_failed && m_finished && m_offset >= m_buffer.size();
}

qint64 ContactExport::bytesAvailable() const
{
    return (m_buffer.size() - m_offset) + QIODevice::bytesAvailable();
}

qint64 ContactExport::readData(char *data, qint64 maxSize)
{
    qint64 copied = 0;
    while (copied < maxSize) {
        if (m_offset >= m_buffer.size()) {
            m_buffer.clear();
            m_offset = 0;
            if (m_finished || m_failed || !(m_started ? fetchBatch() : start()))
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

bool ContactExport::start()
{
    m_started = true;
    if (m_format == Format::Json) {
        m_buffer = "{\"contacts\":[";
        return true;
    }
    // The attribute columns: every key some contact has, read in batches like the rows.
    QSet<QString> keys;
    QString after;
    SqlRunner sql(m_database);
    while (true) {
        // "0" sorts below every id (an empty string would bind as NULL).
        Result<int> read = sql.query(QStringLiteral("SELECT id, attributes FROM contacts WHERE organization_id = ? AND id > ? "
                                                    "AND attributes <> '{}' ORDER BY id LIMIT %1")
                                         .arg(kBatchRows * 4),
                                     {m_organizationId, after.isEmpty() ? QStringLiteral("0") : after}, "contacts.exportKeys", [&](QSqlQuery &q) {
                                         int n = 0;
                                         while (q.next()) {
                                             after = q.value(0).toString();
                                             const QJsonObject a = ContactAttributes::parse(q.value(1).toString());
                                             for (auto it = a.begin(); it != a.end() && keys.size() < kMaxAttributeColumns; ++it)
                                                 keys.insert(it.key());
                                             ++n;
                                         }
                                         return n;
                                     });
        if (!read) {
            m_failed = true;
            setErrorString(QStringLiteral("the export could not read the contacts"));
            return false;
        }
        if (read.value() < kBatchRows * 4)
            break;
    }
    m_attributeKeys = QStringList(keys.begin(), keys.end());
    m_attributeKeys.sort();
    m_buffer = Csv::row(kColumns + m_attributeKeys);
    return true;
}

bool ContactExport::fetchBatch()
{
    SqlRunner sql(m_database);
    Result<int> fetched = sql.query(
        QStringLiteral("SELECT ") + ContactRepository::columns()
            + QStringLiteral(" FROM contacts WHERE organization_id = ? AND id > ? ORDER BY id LIMIT %1").arg(kBatchRows),
        {m_organizationId, m_afterId.isEmpty() ? QStringLiteral("0") : m_afterId}, "contacts.export", [this](QSqlQuery &q) {
            int n = 0;
            while (q.next()) {
                const ContactRecord c = ContactRepository::fromQuery(q);
                if (m_format == Format::Csv) {
                    QStringList cells{c.id,
                                      c.phoneNumber,
                                      c.name,
                                      c.tags.join(QLatin1Char('|')),
                                      c.optedOut ? QStringLiteral("true") : QStringLiteral("false"),
                                      isoText(c.optedOutAt),
                                      isoText(c.createdAt),
                                      isoText(c.updatedAt)};
                    for (const QString &key : std::as_const(m_attributeKeys))
                        cells << c.attributes.value(key).toString();
                    m_buffer += Csv::row(cells);
                } else {
                    const QJsonObject o{{QStringLiteral("id"), c.id},
                                        {QStringLiteral("phone_number"), c.phoneNumber},
                                        {QStringLiteral("name"), Json::orNull(c.name)},
                                        {QStringLiteral("tags"), QJsonArray::fromStringList(c.tags)},
                                        {QStringLiteral("attributes"), c.attributes},
                                        {QStringLiteral("opted_out"), c.optedOut},
                                        {QStringLiteral("opted_out_at"), Json::isoTime(c.optedOutAt)},
                                        {QStringLiteral("created_at"), Json::isoTime(c.createdAt)},
                                        {QStringLiteral("updated_at"), Json::isoTime(c.updatedAt)}};
                    if (m_rows + n > 0)
                        m_buffer += ',';
                    m_buffer += QJsonDocument(o).toJson(QJsonDocument::Compact);
                }
                m_afterId = c.id;
                ++n;
            }
            return n;
        });
    if (!fetched) {
        m_failed = true;
        setErrorString(QStringLiteral("the export could not read the contacts"));
        return false;
    }
    m_rows += fetched.value();
    if (fetched.value() < kBatchRows) {
        m_finished = true;
        if (m_format == Format::Json)
            m_buffer += "],\"count\":" + QByteArray::number(m_rows) + '}';
    }
    return true;
}

} // namespace wadesk
