#include "core/messaging/Segments.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "core/messaging/ContactAttributes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <cmath>

namespace wadesk {

namespace {

constexpr int kMaxRuleTags = 50;
constexpr int kMaxDays = 3650;
constexpr int kMemberBatch = 1000;
constexpr qint64 kDayMs = 24LL * 3600 * 1000;

Result<QStringList> tagList(const QJsonObject &o, const QString &key)
{
    const QJsonValue v = o.value(key);
    const QString field = QStringLiteral("rules.") + key;
    if (v.isUndefined() || v.isNull())
        return QStringList();
    if (!v.isArray() || v.toArray().size() > kMaxRuleTags)
        return DomainError::validation(field, QStringLiteral("%1 must be an array of at most %2 tags").arg(field).arg(kMaxRuleTags));
    QStringList out;
    for (const QJsonValue &t : v.toArray()) {
        const QString tag = t.toString().trimmed();
        if (!t.isString() || tag.isEmpty() || tag.size() > 50 || tag.contains(QLatin1Char('"')) || tag.contains(QChar(0)))
            return DomainError::validation(field, QStringLiteral("%1 must hold tags of 1 to 50 characters, without quotes").arg(field));
        if (!out.contains(tag))
            out << tag;
    }
    return out;
}

// The text a stored JSON value holds for `value` (compact, as ContactRepository writes it).
QString jsonText(const QJsonValue &value)
{
    const QByteArray doc = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(doc.mid(1, doc.size() - 2));
}

SegmentRecord fromRow(const QSqlQuery &q)
{
    SegmentRecord s;
    s.id = q.value(0).toString();
    s.organizationId = q.value(1).toString();
    s.name = q.value(2).toString();
    Result<SegmentRules> rules = SegmentRules::fromJson(QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object());
    if (rules)
        s.rules = rules.value();
    s.createdBy = q.value(4).toString();
    s.createdAt = q.value(5).toLongLong();
    s.updatedAt = q.value(6).toLongLong();
    return s;
}

const QString kColumns = QStringLiteral("id, organization_id, name, rules, created_by, created_at, updated_at");

} // namespace

Result<SegmentRules> SegmentRules::fromJson(const QJsonValue &value)
{
    if (!value.isObject())
        return DomainError::validation(QStringLiteral("rules"), QStringLiteral("rules must be an object"));
    const QJsonObject o = value.toObject();
    static const QStringList known{QStringLiteral("tags_all"), QStringLiteral("tags_any"), QStringLiteral("attributes"),
                                   QStringLiteral("last_inbound_within_days"), QStringLiteral("never_messaged")};
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!known.contains(it.key()))
            return DomainError::validation(QStringLiteral("rules"),
                                           QStringLiteral("unknown rule %1: use %2").arg(it.key().left(60), known.join(QStringLiteral(", "))));
    }
    SegmentRules r;
    Result<QStringList> all = tagList(o, QStringLiteral("tags_all"));
    if (!all)
        return all.error();
    r.tagsAll = all.value();
    Result<QStringList> any = tagList(o, QStringLiteral("tags_any"));
    if (!any)
        return any.error();
    r.tagsAny = any.value();
    const QJsonValue attributes = o.value(QStringLiteral("attributes"));
    if (!attributes.isUndefined() && !attributes.isNull()) {
        Result<QJsonObject> a = ContactAttributes::changeFromJson(attributes, QStringLiteral("rules.attributes"));
        if (!a)
            return a.error();
        for (auto it = a.value().begin(); it != a.value().end(); ++it) {
            if (!it.value().isString())
                return DomainError::validation(QStringLiteral("rules.attributes"), QStringLiteral("rules.attributes values must be strings"));
        }
        r.attributes = a.value();
    }
    const QJsonValue days = o.value(QStringLiteral("last_inbound_within_days"));
    if (!days.isUndefined() && !days.isNull()) {
        const double d = days.toDouble(-1);
        if (!days.isDouble() || d < 1 || d > kMaxDays || d != std::floor(d))
            return DomainError::validation(QStringLiteral("rules.last_inbound_within_days"),
                                           QStringLiteral("rules.last_inbound_within_days must be a whole number from 1 to %1").arg(kMaxDays));
        r.lastInboundWithinDays = int(d);
    }
    const QJsonValue never = o.value(QStringLiteral("never_messaged"));
    if (!never.isUndefined() && !never.isNull()) {
        if (!never.isBool())
            return DomainError::validation(QStringLiteral("rules.never_messaged"), QStringLiteral("rules.never_messaged must be true or false"));
        r.neverMessaged = never.toBool();
    }
    return r;
}

QJsonObject SegmentRules::toJson() const
{
    QJsonObject o;
    if (!tagsAll.isEmpty())
        o.insert(QStringLiteral("tags_all"), QJsonArray::fromStringList(tagsAll));
    if (!tagsAny.isEmpty())
        o.insert(QStringLiteral("tags_any"), QJsonArray::fromStringList(tagsAny));
    if (!attributes.isEmpty())
        o.insert(QStringLiteral("attributes"), attributes);
    if (lastInboundWithinDays > 0)
        o.insert(QStringLiteral("last_inbound_within_days"), lastInboundWithinDays);
    if (neverMessaged)
        o.insert(QStringLiteral("never_messaged"), *neverMessaged);
    return o;
}

QString SegmentRules::fromWhere(bool postgres, const QString &organizationId, qint64 nowMs, QVariantList &bind) const
{
    // strpos/instr: a plain substring test, exact and case-sensitive in both dialects (LIKE is not
    // case-sensitive on SQLite and would need its wildcards escaped).
    const QString contains = postgres ? QStringLiteral("strpos(%1, ?) > 0") : QStringLiteral("instr(%1, ?) > 0");
    QString sql = QStringLiteral(" FROM contacts WHERE organization_id = ?");
    bind << organizationId;
    for (const QString &tag : tagsAll) {
        sql += QStringLiteral(" AND ") + contains.arg(QStringLiteral("tags"));
        bind << jsonText(tag);
    }
    if (!tagsAny.isEmpty()) {
        QStringList any;
        for (const QString &tag : tagsAny) {
            any << contains.arg(QStringLiteral("tags"));
            bind << jsonText(tag);
        }
        sql += QStringLiteral(" AND (") + any.join(QStringLiteral(" OR ")) + QLatin1Char(')');
    }
    for (auto it = attributes.begin(); it != attributes.end(); ++it) {
        sql += QStringLiteral(" AND ") + contains.arg(QStringLiteral("attributes"));
        const QByteArray pair = QJsonDocument(QJsonObject{{it.key(), it.value()}}).toJson(QJsonDocument::Compact);
        bind << QString::fromUtf8(pair.mid(1, pair.size() - 2));
    }
    if (lastInboundWithinDays > 0) {
        sql += QStringLiteral(" AND EXISTS (SELECT 1 FROM messages m WHERE m.contact_id = contacts.id AND m.direction = 'inbound' "
                              "AND m.created_at >= ?)");
        bind << nowMs - lastInboundWithinDays * kDayMs;
    }
    if (neverMessaged) {
        sql += *neverMessaged ? QStringLiteral(" AND NOT EXISTS") : QStringLiteral(" AND EXISTS");
        sql += QStringLiteral(" (SELECT 1 FROM messages m WHERE m.contact_id = contacts.id AND m.direction = 'outbound')");
    }
    return sql;
}

Result<std::optional<SegmentRecord>> SegmentRepository::find(const QString &organizationId, const QString &segmentId)
{
    return m_sql.query(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM segments WHERE organization_id = ? AND id = ?"),
                       {organizationId, segmentId}, "segments.find",
                       [](QSqlQuery &q) { return q.next() ? std::optional<SegmentRecord>(fromRow(q)) : std::nullopt; });
}

Result<QList<SegmentRecord>> SegmentRepository::list(const QString &organizationId)
{
    return m_sql.query(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM segments WHERE organization_id = ? ORDER BY name, id"),
                       {organizationId}, "segments.list", [](QSqlQuery &q) {
                           QList<SegmentRecord> out;
                           while (q.next())
                               out << fromRow(q);
                           return out;
                       });
}

Status SegmentRepository::insert(const SegmentRecord &s)
{
    Result<int> r = m_sql.change(QStringLiteral("INSERT INTO segments (id, organization_id, name, rules, created_by, created_at, updated_at) "
                                                "VALUES (?, ?, ?, ?, ?, ?, ?)"),
                                 {s.id, s.organizationId, s.name, QString::fromUtf8(QJsonDocument(s.rules.toJson()).toJson(QJsonDocument::Compact)),
                                  textOrNull(s.createdBy), s.createdAt, s.updatedAt},
                                 "segments.insert");
    if (!r)
        return r.error();
    return {};
}

Status SegmentRepository::update(const SegmentRecord &s)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE segments SET name = ?, rules = ?, updated_at = ? WHERE organization_id = ? AND id = ?"),
                                 {s.name, QString::fromUtf8(QJsonDocument(s.rules.toJson()).toJson(QJsonDocument::Compact)), s.updatedAt,
                                  s.organizationId, s.id},
                                 "segments.update");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return DomainError::notFound(QStringLiteral("Segment"));
    return {};
}

Status SegmentRepository::remove(const QString &organizationId, const QString &segmentId)
{
    Result<int> r = m_sql.change(QStringLiteral("DELETE FROM segments WHERE organization_id = ? AND id = ?"), {organizationId, segmentId},
                                 "segments.remove");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return DomainError::notFound(QStringLiteral("Segment"));
    return {};
}

Result<int> SegmentRepository::count(const QString &organizationId, const SegmentRules &rules, qint64 nowMs)
{
    QVariantList bind;
    const QString from = rules.fromWhere(m_sql.database().isPostgres(), organizationId, nowMs, bind);
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT COUNT(*)") + from, bind, "segments.count");
    if (!q)
        return q.error();
    q.value().next();
    return q.value().value(0).toInt();
}

Result<QList<ContactRecord>> SegmentRepository::sample(const QString &organizationId, const SegmentRules &rules, qint64 nowMs, int limit)
{
    QVariantList bind;
    const QString from = rules.fromWhere(m_sql.database().isPostgres(), organizationId, nowMs, bind);
    bind << limit;
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + ContactRepository::columns() + from
                                        + QStringLiteral(" ORDER BY updated_at DESC, id DESC LIMIT ?"),
                                    bind, "segments.sample");
    if (!q)
        return q.error();
    QList<ContactRecord> out;
    while (q.value().next())
        out << ContactRepository::fromQuery(q.value());
    return out;
}

Status SegmentRepository::members(const QString &organizationId, const SegmentRules &rules, qint64 nowMs,
                                  const std::function<bool(const ContactRecord &)> &each)
{
    QString after;
    while (true) {
        QVariantList bind;
        const QString from = rules.fromWhere(m_sql.database().isPostgres(), organizationId, nowMs, bind);
        bind << (after.isEmpty() ? QStringLiteral("0") : after) << kMemberBatch; // ids are letters first: "0" is below them all
        Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + ContactRepository::columns() + from
                                            + QStringLiteral(" AND id > ? ORDER BY id LIMIT ?"),
                                        bind, "segments.members");
        if (!q)
            return q.error();
        QList<ContactRecord> batch;
        while (q.value().next())
            batch << ContactRepository::fromQuery(q.value());
        q.value().finish();
        for (const ContactRecord &c : std::as_const(batch)) {
            if (!each(c))
                return {};
        }
        if (batch.size() < kMemberBatch)
            return {};
        after = batch.last().id;
    }
}

namespace {
DomainError nameTaken()
{
    return DomainError::conflict(QStringLiteral("Another segment has this name"), QStringLiteral("segment_name_taken"));
}

Result<QString> checkedName(const QString &given)
{
    const QString name = given.trimmed();
    if (name.isEmpty() || name.size() > 100 || name.contains(QChar(0)))
        return DomainError::validation(QStringLiteral("name"), QStringLiteral("name must be 1 to 100 characters"));
    return name;
}
} // namespace

Result<SegmentRecord> SegmentService::create(const AuthContext &ctx, const QString &name, const SegmentRules &rules)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    Result<QString> checked = checkedName(name);
    if (!checked)
        return checked.error();
    SegmentRecord s;
    s.id = Ids::make("seg");
    s.organizationId = ctx.organizationId;
    s.name = checked.value();
    s.rules = rules;
    s.createdBy = ctx.userId;
    s.createdAt = s.updatedAt = m_clock.nowMs();
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        SegmentRepository segments(write.sql);
        Result<QList<SegmentRecord>> existing = segments.list(ctx.organizationId);
        if (!existing)
            return existing.error();
        if (existing.value().size() >= kMaxSegments)
            return DomainError::conflict(QStringLiteral("An organization may have at most %1 segments").arg(kMaxSegments),
                                         QStringLiteral("too_many_segments"));
        for (const SegmentRecord &other : existing.value()) {
            if (other.name == s.name)
                return nameTaken();
        }
        if (Status st = segments.insert(s); !st)
            return st;
        return write.audit.append(auditBy(ctx, QStringLiteral("create_segment"), QStringLiteral("segments"), s.id,
                                          QJsonObject{{QStringLiteral("name"), s.name}, {QStringLiteral("rules"), s.rules.toJson()}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return s;
}

Result<QList<SegmentRecord>> SegmentService::list(const AuthContext &ctx)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    SqlRunner sql(m_database);
    return SegmentRepository(sql).list(ctx.organizationId);
}

Result<SegmentRecord> SegmentService::get(const AuthContext &ctx, const QString &segmentId)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    if (!Ids::looksValid(segmentId, "seg"))
        return DomainError::notFound(QStringLiteral("Segment"));
    SqlRunner sql(m_database);
    Result<std::optional<SegmentRecord>> found = SegmentRepository(sql).find(ctx.organizationId, segmentId);
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Segment"));
    return *found.value();
}

Result<SegmentRecord> SegmentService::update(const AuthContext &ctx, const QString &segmentId, const std::optional<QString> &name,
                                             const std::optional<SegmentRules> &rules)
{
    Result<SegmentRecord> found = get(ctx, segmentId);
    if (!found)
        return found;
    SegmentRecord s = found.value();
    if (name) {
        Result<QString> checked = checkedName(*name);
        if (!checked)
            return checked.error();
        s.name = checked.value();
    }
    if (rules)
        s.rules = *rules;
    s.updatedAt = m_clock.nowMs();
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        SegmentRepository segments(write.sql);
        Result<QList<SegmentRecord>> existing = segments.list(ctx.organizationId);
        if (!existing)
            return existing.error();
        for (const SegmentRecord &other : existing.value()) {
            if (other.name == s.name && other.id != s.id)
                return nameTaken();
        }
        if (Status st = segments.update(s); !st)
            return st;
        return write.audit.append(auditBy(ctx, QStringLiteral("update_segment"), QStringLiteral("segments"), s.id,
                                          QJsonObject{{QStringLiteral("name"), s.name}, {QStringLiteral("rules"), s.rules.toJson()}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return s;
}

Status SegmentService::remove(const AuthContext &ctx, const QString &segmentId)
{
    Result<SegmentRecord> found = get(ctx, segmentId);
    if (!found)
        return found.error();
    return runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status st = SegmentRepository(write.sql).remove(ctx.organizationId, segmentId); !st)
            return st;
        return write.audit.append(auditBy(ctx, QStringLiteral("delete_segment"), QStringLiteral("segments"), segmentId,
                                          QJsonObject{{QStringLiteral("name"), found.value().name}}));
    }, m_clock);
}

Result<SegmentService::Preview> SegmentService::preview(const AuthContext &ctx, const SegmentRules &rules)
{
    if (Status s = ctx.require(Permission::ManageClients); !s)
        return s.error();
    SqlRunner sql(m_database);
    SegmentRepository segments(sql);
    const qint64 now = m_clock.nowMs();
    Preview p;
    Result<int> count = segments.count(ctx.organizationId, rules, now);
    if (!count)
        return count.error();
    p.count = count.value();
    Result<QList<ContactRecord>> sample = segments.sample(ctx.organizationId, rules, now, kSampleSize);
    if (!sample)
        return sample.error();
    p.sample = sample.value();
    return p;
}

} // namespace wadesk
