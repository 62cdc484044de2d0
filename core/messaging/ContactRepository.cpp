#include "core/messaging/ContactRepository.h"

#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactAttributes.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

namespace wadesk {

namespace {
const QString kColumns = QStringLiteral("id, organization_id, phone_number, wa_id, name, tags, opted_out, opted_out_at, created_at, updated_at, attributes");

ContactRecord fromRow(const QSqlQuery &q)
{
    ContactRecord c;
    c.id = q.value(0).toString();
    c.organizationId = q.value(1).toString();
    c.phoneNumber = q.value(2).toString();
    c.waId = q.value(3).toString();
    c.name = q.value(4).toString();
    for (const QJsonValue &v : QJsonDocument::fromJson(q.value(5).toString().toUtf8()).array())
        c.tags << v.toString();
    c.optedOut = q.value(6).toInt() != 0;
    c.optedOutAt = q.value(7).toLongLong();
    c.createdAt = q.value(8).toLongLong();
    c.updatedAt = q.value(9).toLongLong();
    c.attributes = ContactAttributes::parse(q.value(10).toString());
    return c;
}

std::optional<ContactRecord> firstRow(QSqlQuery &q)
{
    return q.next() ? std::optional<ContactRecord>(fromRow(q)) : std::nullopt;
}

QString filters(const QString &organizationId, const ContactQuery &query, QVariantList &bind)
{
    QString where = QStringLiteral(" FROM contacts WHERE organization_id = ?");
    bind << organizationId;
    if (!query.search.isEmpty()) {
        where += QStringLiteral(" AND (phone_number LIKE ? OR LOWER(COALESCE(name, '')) LIKE ?)");
        QString escaped = query.search;
        escaped.replace(QLatin1Char('%'), QString()).replace(QLatin1Char('_'), QString());
        bind << QStringLiteral("%") + escaped + QStringLiteral("%") << QStringLiteral("%") + escaped.toLower() + QStringLiteral("%");
    }
    if (!query.tag.isEmpty()) {
        where += QStringLiteral(" AND tags LIKE ?");
        bind << QStringLiteral("%\"") + QString(query.tag).remove(QLatin1Char('"')).remove(QLatin1Char('%')) + QStringLiteral("\"%");
    }
    if (query.optedOut) {
        where += QStringLiteral(" AND opted_out = ?");
        bind << (*query.optedOut ? 1 : 0);
    }
    if (!query.beforeId.isEmpty()) {
        // A range on the index (organization_id, updated_at, id); the OR only drops the ties.
        where += QStringLiteral(" AND updated_at <= ? AND (updated_at < ? OR id < ?)");
        bind << query.beforeUpdatedAt << query.beforeUpdatedAt << query.beforeId;
    }
    return where;
}
} // namespace

Result<ContactRecord> ContactRepository::upsert(const QString &organizationId, const QString &phoneNumber, const QString &waId,
                                                const QString &name)
{
    Result<std::optional<ContactRecord>> existing = findByPhone(organizationId, phoneNumber);
    if (!existing)
        return existing.error();
    const qint64 now = m_clock.nowMs();
    if (existing.value()) {
        ContactRecord c = *existing.value();
        const bool fill = (!waId.isEmpty() && c.waId != waId) || (!name.isEmpty() && c.name.isEmpty());
        if (fill) {
            if (!waId.isEmpty())
                c.waId = waId;
            if (!name.isEmpty() && c.name.isEmpty())
                c.name = name;
            c.updatedAt = now;
            if (Status s = update(c); !s)
                return s.error();
        }
        return c;
    }
    ContactRecord c;
    c.id = Ids::make("contact");
    c.organizationId = organizationId;
    c.phoneNumber = phoneNumber;
    c.waId = waId;
    c.name = name;
    c.createdAt = c.updatedAt = now;
    // ON CONFLICT: another thread may have created the same number a moment ago.
    Result<int> r = m_sql.change(
        QStringLiteral("INSERT INTO contacts (id, organization_id, phone_number, wa_id, name, tags, opted_out, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, '[]', 0, ?, ?) ON CONFLICT (organization_id, phone_number) DO NOTHING"),
        {c.id, organizationId, phoneNumber, waId.isEmpty() ? nullText() : QVariant(waId), name.isEmpty() ? nullText() : QVariant(name), now, now},
        "contacts.insert");
    if (!r)
        return r.error();
    if (r.value() == 0) {
        Result<std::optional<ContactRecord>> raced = findByPhone(organizationId, phoneNumber);
        if (!raced)
            return raced.error();
        if (raced.value())
            return *raced.value();
    }
    return c;
}

Result<std::optional<ContactRecord>> ContactRepository::find(const QString &organizationId, const QString &contactId)
{
    static const QString sql = QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM contacts WHERE organization_id = ? AND id = ?");
    return m_sql.query(sql, {organizationId, contactId}, "contacts.find", firstRow);
}

Result<std::optional<ContactRecord>> ContactRepository::findByPhone(const QString &organizationId, const QString &phoneNumber)
{
    // On every send: a statement prepared once.
    static const QString sql = QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM contacts WHERE organization_id = ? AND phone_number = ?");
    return m_sql.query(sql, {organizationId, phoneNumber}, "contacts.findByPhone", firstRow);
}

Result<QHash<QString, ContactRecord>> ContactRepository::findByPhones(const QString &organizationId, const QStringList &phoneNumbers)
{
    // In chunks of SqlRunner::nextChunk(): a handful of statement texts, each prepared once.
    QHash<QString, ContactRecord> found;
    int done = 0;
    while (done < phoneNumbers.size()) {
        const int chunk = SqlRunner::nextChunk(int(phoneNumbers.size()) - done);
        QString sql = QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM contacts WHERE organization_id = ? AND phone_number IN (?");
        QVariantList bind{organizationId};
        for (int i = 0; i < chunk; ++i) {
            if (i > 0)
                sql += QStringLiteral(", ?");
            bind << phoneNumbers.at(done + i);
        }
        sql += QLatin1Char(')');
        const auto read = [&found](QSqlQuery &q) {
            while (q.next()) {
                ContactRecord c = fromRow(q);
                found.insert(c.phoneNumber, c);
            }
            return true;
        };
        if (phoneNumbers.size() > chunk || chunk == 64) {
            // A bulk lookup is planned afresh each time: PostgreSQL's cached generic plan for a
            // long IN list scanned the organization's contacts (bench/README.md, "Campaigns").
            Result<QSqlQuery> q = m_sql.run(sql, bind, "contacts.findByPhones");
            if (!q)
                return q.error();
            read(q.value());
        } else {
            Result<bool> done = m_sql.query(sql, bind, "contacts.findByPhones", read);
            if (!done)
                return done.error();
        }
        done += chunk;
    }
    return found;
}

Result<QList<ContactRecord>> ContactRepository::list(const QString &organizationId, const ContactQuery &query)
{
    QVariantList bind;
    const QString where = filters(organizationId, query, bind);
    // One row more than the page, so that the caller learns whether more follow. Ties on
    // updated_at go newest id first, the order the keyset cursor walks.
    bind << query.limit + 1 << query.offset;
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + kColumns + where + QStringLiteral(" ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?"),
                                    bind, "contacts.list");
    if (!q)
        return q.error();
    QList<ContactRecord> out;
    while (q.value().next())
        out << fromRow(q.value());
    return out;
}

Result<std::optional<qint64>> ContactRepository::position(const QString &organizationId, const QString &contactId)
{
    return m_sql.query(QStringLiteral("SELECT updated_at FROM contacts WHERE id = ? AND organization_id = ?"), {contactId, organizationId},
                       "contacts.position",
                       [](QSqlQuery &q) { return q.next() ? std::optional<qint64>(q.value(0).toLongLong()) : std::nullopt; });
}

Result<int> ContactRepository::count(const QString &organizationId, const ContactQuery &query)
{
    QVariantList bind;
    ContactQuery whole = query; // the total is of the whole set, not of what follows the cursor
    whole.beforeId.clear();
    const QString where = filters(organizationId, whole, bind);
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT COUNT(*)") + where, bind, "contacts.count");
    if (!q)
        return q.error();
    q.value().next();
    return q.value().value(0).toInt();
}

Status ContactRepository::update(const ContactRecord &c)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE contacts SET wa_id = ?, name = ?, tags = ?, attributes = ?, opted_out = ?, opted_out_at = ?, updated_at = ? "
                       "WHERE organization_id = ? AND id = ?"),
        {c.waId.isEmpty() ? nullText() : QVariant(c.waId), c.name.isEmpty() ? nullText() : QVariant(c.name),
         QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(c.tags)).toJson(QJsonDocument::Compact)),
         ContactAttributes::toText(c.attributes), c.optedOut ? 1 : 0,
         c.optedOutAt > 0 ? QVariant(c.optedOutAt) : nullInt(), c.updatedAt, c.organizationId, c.id},
        "contacts.update");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return DomainError::notFound(QStringLiteral("Contact"));
    return {};
}

Status ContactRepository::upsertMany(const QList<ContactRecord> &contacts)
{
    QVariantList values;
    values.reserve(contacts.size() * 9);
    for (const ContactRecord &c : contacts) {
        values << c.id << c.organizationId << c.phoneNumber << textOrNull(c.name)
               << QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(c.tags)).toJson(QJsonDocument::Compact))
               << ContactAttributes::toText(c.attributes) << 0 << c.createdAt << c.updatedAt;
    }
    // The opt-out is left out of the update on purpose: an import never opts anyone back in.
    Result<int> r = m_sql.insertRows(
        QStringLiteral("INSERT INTO contacts (id, organization_id, phone_number, name, tags, attributes, opted_out, created_at, updated_at) VALUES"),
        9, values, "contacts.upsertMany",
        QStringLiteral("ON CONFLICT (organization_id, phone_number) DO UPDATE SET name = excluded.name, tags = excluded.tags, "
                       "attributes = excluded.attributes, updated_at = excluded.updated_at"));
    if (!r)
        return r.error();
    return {};
}

QString ContactRepository::columns()
{
    return kColumns;
}

ContactRecord ContactRepository::fromQuery(const QSqlQuery &q)
{
    return fromRow(q);
}

} // namespace wadesk
