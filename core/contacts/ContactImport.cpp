#include "core/contacts/ContactImport.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/common/PhoneNumbers.h"
#include "core/contacts/CsvReader.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactAttributes.h"
#include "core/messaging/ContactRepository.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>

namespace wadesk {

namespace {

constexpr int kMaxTags = 50;
constexpr int kMaxTagLength = 50;
constexpr int kMaxNameLength = 100;

struct Mapping {
    int phone = -1;
    int name = -1;
    int tags = -1;
    QList<QPair<int, QString>> attributes; // column, key
};

struct Row {
    qint64 line = 0;
    QString phone;
    QString name;
    QStringList tags;
    QJsonObject attributes;
};

struct RowError {
    QString code;
    QString message;
};

// The keys of the headers the import takes for its columns when the options name none.
QStringList usualPhoneHeaders()
{
    return {QStringLiteral("phone"), QStringLiteral("phone_number"), QStringLiteral("number"), QStringLiteral("mobile"),
            QStringLiteral("whatsapp"), QStringLiteral("msisdn"), QStringLiteral("telephone"), QStringLiteral("tel")};
}
QStringList usualNameHeaders() { return {QStringLiteral("name"), QStringLiteral("full_name"), QStringLiteral("contact_name")}; }
QStringList usualTagsHeaders() { return {QStringLiteral("tags"), QStringLiteral("tag"), QStringLiteral("labels")}; }

// The column named `wanted` (by its header text or its key), or the first of `usual`.
Result<int> findColumn(const QStringList &headers, const QStringList &keys, const QString &wanted, const QStringList &usual,
                       const QString &option)
{
    if (!wanted.isEmpty()) {
        for (int i = 0; i < headers.size(); ++i) {
            if (headers.at(i).compare(wanted.trimmed(), Qt::CaseInsensitive) == 0 || keys.at(i) == ContactAttributes::keyFromHeader(wanted))
                return i;
        }
        DomainError e = DomainError::validation(option, QStringLiteral("%1: the header has no column \"%2\"").arg(option, wanted.left(100)));
        e.code = QStringLiteral("unknown_column");
        return e;
    }
    for (const QString &name : usual) {
        const int i = int(keys.indexOf(name));
        if (i >= 0)
            return i;
    }
    return -1;
}

Result<Mapping> mapHeader(const QStringList &headers, const ContactImport::Options &options, QJsonObject *view)
{
    QStringList keys;
    for (const QString &h : headers)
        keys << ContactAttributes::keyFromHeader(h);
    Mapping m;
    Result<int> phone = findColumn(headers, keys, options.phoneColumn,
                                   usualPhoneHeaders(),
                                   QStringLiteral("phone_column"));
    if (!phone)
        return phone.error();
    if (phone.value() < 0) {
        DomainError e = DomainError::badRequest(QStringLiteral("The header names no phone column (phone, phone_number, number, mobile, "
                                                               "whatsapp): name it with phone_column"),
                                                QStringLiteral("phone_column_missing"));
        e.details.insert(QStringLiteral("header"), QJsonArray::fromStringList(headers));
        return e;
    }
    m.phone = phone.value();
    Result<int> name = findColumn(headers, keys, options.nameColumn,
                                  usualNameHeaders(), QStringLiteral("name_column"));
    if (!name)
        return name.error();
    m.name = name.value();
    Result<int> tags = findColumn(headers, keys, options.tagsColumn, usualTagsHeaders(),
                                  QStringLiteral("tags_column"));
    if (!tags)
        return tags.error();
    m.tags = tags.value();
    // A column found by its usual name but marked to be ignored is not taken.
    auto markedIgnored = [&](int column) { return column >= 0 && options.ignoreColumns.contains(headers.at(column), Qt::CaseInsensitive); };
    if (options.nameColumn.isEmpty() && markedIgnored(m.name))
        m.name = -1;
    if (options.tagsColumn.isEmpty() && markedIgnored(m.tags))
        m.tags = -1;
    if (m.name == m.phone)
        m.name = -1;
    if (m.tags == m.phone || m.tags == m.name)
        m.tags = -1;
    QJsonObject attributes;
    QJsonArray ignored;
    QSet<QString> taken;
    for (int i = 0; i < headers.size(); ++i) {
        if (i == m.phone || i == m.name || i == m.tags)
            continue;
        const QString &key = keys.at(i);
        // The export's own columns (id, opted_out, ...) and unnamed columns are not attributes.
        if (key.isEmpty() || ContactAttributes::reservedKey(key) || options.ignoreColumns.contains(headers.at(i), Qt::CaseInsensitive)) {
            ignored.append(headers.at(i));
            continue;
        }
        if (taken.contains(key)) {
            DomainError e = DomainError::badRequest(QStringLiteral("Two columns make the same attribute \"%1\"").arg(key),
                                                    QStringLiteral("duplicate_column"));
            e.details.insert(QStringLiteral("column"), headers.at(i).left(100));
            return e;
        }
        taken.insert(key);
        m.attributes.append({i, key});
        attributes.insert(headers.at(i), key);
    }
    if (m.attributes.size() > ContactAttributes::kMaxKeys)
        return DomainError::badRequest(QStringLiteral("At most %1 attribute columns").arg(ContactAttributes::kMaxKeys),
                                       QStringLiteral("too_many_columns"));
    *view = QJsonObject{{QStringLiteral("phone"), headers.at(m.phone)},
                        {QStringLiteral("name"), m.name >= 0 ? QJsonValue(headers.at(m.name)) : QJsonValue()},
                        {QStringLiteral("tags"), m.tags >= 0 ? QJsonValue(headers.at(m.tags)) : QJsonValue()},
                        {QStringLiteral("attributes"), attributes},
                        {QStringLiteral("ignored"), ignored}};
    return m;
}

// A cell as text; false when it is not UTF-8 (a replacement character the bytes did not spell)
// or holds a NUL, which QPSQL cannot bind.
bool decode(const QByteArray &cell, QString *out)
{
    *out = QString::fromUtf8(cell).trimmed();
    if (out->contains(QChar(0)))
        return false;
    return !out->contains(QChar(QChar::ReplacementCharacter)) || cell.contains("\xEF\xBF\xBD");
}

// One record as a contact row, or why it is skipped.
std::optional<RowError> readRow(const QList<QByteArray> &fields, const Mapping &m, const QString &region, Row *row)
{
    auto text = [&](int column, QString *out) {
        out->clear();
        if (column < 0 || column >= fields.size())
            return true;
        return decode(fields.at(column), out);
    };
    const RowError badText{QStringLiteral("invalid_encoding"), QStringLiteral("the row is not UTF-8 text (or holds a NUL)")};
    QString given;
    if (!text(m.phone, &given))
        return badText;
    if (given.isEmpty())
        return RowError{QStringLiteral("missing_number"), QStringLiteral("the phone column is empty")};
    Result<QString> phone = PhoneNumbers::toE164(given.left(40), region);
    if (!phone)
        return RowError{QStringLiteral("invalid_number"), QStringLiteral("\"%1\" is not a valid phone number%2")
                                                              .arg(given.left(40), region.isEmpty() ? QStringLiteral(" (give region for numbers without +country)")
                                                                                                    : QStringLiteral(" in region %1").arg(region))};
    row->phone = phone.value();
    if (!text(m.name, &row->name))
        return badText;
    if (row->name.size() > kMaxNameLength)
        return RowError{QStringLiteral("invalid_name"), QStringLiteral("the name is longer than %1 characters").arg(kMaxNameLength)};
    QString tags;
    if (!text(m.tags, &tags))
        return badText;
    row->tags.clear();
    static const QRegularExpression separators(QStringLiteral("[,;|]"));
    for (const QString &t : tags.split(separators, Qt::SkipEmptyParts)) {
        const QString tag = t.trimmed();
        if (tag.isEmpty())
            continue;
        if (tag.size() > kMaxTagLength || tag.contains(QLatin1Char('"')))
            return RowError{QStringLiteral("invalid_tags"), QStringLiteral("each tag must be 1 to %1 characters, without quotes").arg(kMaxTagLength)};
        if (!row->tags.contains(tag))
            row->tags << tag;
    }
    if (row->tags.size() > kMaxTags)
        return RowError{QStringLiteral("invalid_tags"), QStringLiteral("at most %1 tags").arg(kMaxTags)};
    row->attributes = QJsonObject();
    for (const auto &[column, key] : m.attributes) {
        QString value;
        if (!text(column, &value))
            return badText;
        if (value.isEmpty())
            continue;
        if (value.size() > ContactAttributes::kMaxValueLength)
            return RowError{QStringLiteral("invalid_attribute"),
                            QStringLiteral("%1 is longer than %2 characters").arg(key).arg(ContactAttributes::kMaxValueLength)};
        row->attributes.insert(key, value);
    }
    return std::nullopt;
}

// `row` merged into `contact`: tags unioned, non-empty attributes set, the name kept unless empty.
std::optional<RowError> merge(ContactRecord &contact, const Row &row)
{
    ContactRecord next = contact;
    if (next.name.isEmpty())
        next.name = row.name;
    for (const QString &t : row.tags) {
        if (!next.tags.contains(t))
            next.tags << t;
    }
    if (next.tags.size() > kMaxTags)
        return RowError{QStringLiteral("too_many_tags"), QStringLiteral("the contact would have more than %1 tags").arg(kMaxTags)};
    for (auto it = row.attributes.begin(); it != row.attributes.end(); ++it)
        next.attributes.insert(it.key(), it.value());
    if (next.attributes.size() > ContactAttributes::kMaxKeys)
        return RowError{QStringLiteral("too_many_attributes"),
                        QStringLiteral("the contact would have more than %1 attributes").arg(ContactAttributes::kMaxKeys)};
    contact = next;
    return std::nullopt;
}

} // namespace

QList<ContactImport::ColumnRole> ContactImport::guessRoles(const QStringList &headers)
{
    QStringList keys;
    for (const QString &h : headers)
        keys << ContactAttributes::keyFromHeader(h);
    QList<ColumnRole> roles;
    for (const QString &key : std::as_const(keys))
        roles << (key.isEmpty() || ContactAttributes::reservedKey(key) ? ColumnRole::Ignore : ColumnRole::Attribute);
    // The same order as mapHeader: the phone first, then the name and the tags among the rest.
    auto take = [&](const QStringList &usual, ColumnRole role) {
        for (const QString &name : usual) {
            const int i = int(keys.indexOf(name));
            if (i >= 0 && roles.at(i) != ColumnRole::Phone && roles.at(i) != ColumnRole::Name) {
                roles[i] = role;
                return;
            }
        }
    };
    take(usualPhoneHeaders(), ColumnRole::Phone);
    take(usualNameHeaders(), ColumnRole::Name);
    take(usualTagsHeaders(), ColumnRole::Tags);
    return roles;
}

Result<ContactImport::Report> ContactImport::run(const AuthContext &ctx, const QByteArray &csv, const Options &options)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    if (!options.region.isEmpty() && !QRegularExpression(QStringLiteral("^[A-Z]{2}$")).match(options.region).hasMatch())
        return DomainError::validation(QStringLiteral("region"), QStringLiteral("region must be a two-letter country code such as US"));
    if (csv.size() > kMaxBodyBytes) {
        DomainError e = DomainError::badRequest(QStringLiteral("The file is larger than %1 MB").arg(kMaxBodyBytes / (1024 * 1024)),
                                                QStringLiteral("payload_too_large"));
        e.httpStatus = 413;
        return e;
    }
    const QByteArrayView text = CsvReader::withoutBom(csv);
    if (text.trimmed().isEmpty())
        return DomainError::badRequest(QStringLiteral("The file is empty: send CSV text with a header row"), QStringLiteral("empty_file"));

    Report report;
    report.dryRun = options.dryRun;
    report.delimiter = options.delimiter ? options.delimiter : CsvReader::detectDelimiter(text);
    CsvReader reader(text, report.delimiter);
    QList<QByteArray> fields;
    qint64 line = 0;
    if (reader.next(&fields, &line) != CsvReader::Status::Record)
        return DomainError::badRequest(QStringLiteral("The header row is not valid CSV"), QStringLiteral("invalid_header"));
    if (fields.size() > kMaxColumns)
        return DomainError::badRequest(QStringLiteral("At most %1 columns").arg(kMaxColumns), QStringLiteral("too_many_columns"));
    QStringList headers;
    for (const QByteArray &f : std::as_const(fields)) {
        QString header;
        if (!decode(f, &header))
            return DomainError::badRequest(QStringLiteral("The header row is not UTF-8 text"), QStringLiteral("invalid_encoding"));
        headers << header;
    }
    Result<Mapping> mapping = mapHeader(headers, options, &report.mapping);
    if (!mapping)
        return mapping.error();
    const Mapping &m = mapping.value();

    auto fail = [&report](qint64 at, const RowError &e) {
        ++report.skipped;
        if (report.errors.size() < kMaxErrors)
            report.errors.append({at, e.code, e.message});
        else
            report.errorsTruncated = true;
    };
    auto previewRow = [&report](qint64 at, const Row *row, const std::optional<RowError> &error) {
        if (report.preview.size() >= kPreviewRows)
            return;
        QJsonObject o{{QStringLiteral("line"), double(at)}};
        if (row) {
            o.insert(QStringLiteral("phone_number"), row->phone);
            o.insert(QStringLiteral("name"), row->name.isEmpty() ? QJsonValue() : QJsonValue(row->name));
            o.insert(QStringLiteral("tags"), QJsonArray::fromStringList(row->tags));
            o.insert(QStringLiteral("attributes"), row->attributes);
        }
        o.insert(QStringLiteral("error"), error ? QJsonValue(error->code) : QJsonValue());
        report.preview.append(o);
    };

    auto cancelled = []() -> Status {
        return DomainError::unprocessable(QStringLiteral("The import was cancelled: no contact was changed"), QStringLiteral("import_cancelled"));
    };
    const qint64 now = m_clock.nowMs();
    QSet<QString> seen; // numbers taken so far, to count a later row of the same number as an update
    // Reads the whole file batch by batch, merging each batch into the contacts through `sql`
    // (written unless this is a dry run).
    auto process = [&](SqlRunner &sql) -> Status {
        ContactRepository contacts(sql, m_clock);
        QList<Row> batch;
        auto flush = [&]() -> Status {
            if (batch.isEmpty())
                return {};
            QStringList phones;
            QSet<QString> listed;
            for (const Row &r : std::as_const(batch)) {
                if (!listed.contains(r.phone)) {
                    listed.insert(r.phone);
                    phones << r.phone;
                }
            }
            // One statement per batch, planned afresh each time (SqlRunner::run, not a cached
            // statement): PostgreSQL's cached generic plan was made while the table was small and
            // kept scanning it whole as the import grew it, which made a 100,000-row import
            // quadratic there.
            QString lookup = QStringLiteral("SELECT ") + ContactRepository::columns()
                             + QStringLiteral(" FROM contacts WHERE organization_id = ? AND phone_number IN (");
            QVariantList bind{ctx.organizationId};
            for (const QString &phone : std::as_const(phones)) {
                lookup += bind.size() == 1 ? QStringLiteral("?") : QStringLiteral(", ?");
                bind << phone;
            }
            lookup += QLatin1Char(')');
            Result<QSqlQuery> found = sql.run(lookup, bind, "contacts.importLookup");
            if (!found)
                return found.error();
            Result<QHash<QString, ContactRecord>> existing = QHash<QString, ContactRecord>();
            while (found.value().next()) {
                ContactRecord c = ContactRepository::fromQuery(found.value());
                existing.value().insert(c.phoneNumber, c);
            }
            found.value().finish();
            QHash<QString, ContactRecord> merged;
            QStringList order;
            for (const Row &r : std::as_const(batch)) {
                ContactRecord contact;
                bool known = seen.contains(r.phone);
                if (auto it = merged.constFind(r.phone); it != merged.constEnd()) {
                    contact = *it;
                    known = true;
                } else if (auto found = existing.value().constFind(r.phone); found != existing.value().constEnd()) {
                    contact = *found;
                    known = true;
                } else {
                    contact.id = Ids::make("contact");
                    contact.organizationId = ctx.organizationId;
                    contact.phoneNumber = r.phone;
                    contact.createdAt = now;
                }
                if (std::optional<RowError> e = merge(contact, r)) {
                    fail(r.line, *e);
                    continue;
                }
                contact.updatedAt = now;
                if (!merged.contains(r.phone))
                    order << r.phone;
                merged.insert(r.phone, contact);
                seen.insert(r.phone);
                ++(known ? report.updated : report.imported);
            }
            batch.clear();
            if (options.dryRun || order.isEmpty())
                return {};
            QList<ContactRecord> rows;
            rows.reserve(order.size());
            for (const QString &phone : std::as_const(order))
                rows << merged.value(phone);
            return contacts.upsertMany(rows);
        };
        while (true) {
            const CsvReader::Status read = reader.next(&fields, &line);
            if (read == CsvReader::Status::End)
                break;
            if (read == CsvReader::Status::Record && fields.size() == 1 && fields.at(0).trimmed().isEmpty())
                continue; // a blank line
            ++report.rows;
            if (read == CsvReader::Status::UnterminatedQuote) {
                const RowError e{QStringLiteral("unterminated_quote"), QStringLiteral("a quoted field is not closed before the end of the file")};
                fail(line, e);
                previewRow(line, nullptr, e);
                break;
            }
            Row row;
            row.line = line;
            if (std::optional<RowError> e = readRow(fields, m, options.region, &row)) {
                fail(line, *e);
                previewRow(line, nullptr, e);
                continue;
            }
            previewRow(line, &row, std::nullopt);
            batch.append(std::move(row));
            if (batch.size() >= kBatchRows) {
                if (Status s = flush(); !s)
                    return s;
                if (options.progress && !options.progress(qint64(reader.position()), qint64(text.size())))
                    return cancelled();
            }
        }
        return flush();
    };

    if (options.dryRun) {
        SqlRunner sql(m_database);
        if (Status s = process(sql); !s)
            return s.error();
        return report;
    }
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = process(write.sql); !s)
            return s;
        return write.audit.append(auditBy(ctx, QStringLiteral("import_contacts"), QStringLiteral("contacts"), QString(),
                                          QJsonObject{{QStringLiteral("rows"), double(report.rows)},
                                                      {QStringLiteral("imported"), double(report.imported)},
                                                      {QStringLiteral("updated"), double(report.updated)},
                                                      {QStringLiteral("skipped"), double(report.skipped)}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return report;
}

} // namespace wadesk
