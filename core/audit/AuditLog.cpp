#include "core/audit/AuditLog.h"

#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonDocument>
#include <QMap>
#include <QSqlQuery>
#include <algorithm>

namespace wadesk {

namespace {
const QString kColumns = QStringLiteral("id, organization_id, seq, user_id, action, resource, resource_id, details, "
                                       "ip_address, created_at, prev_hash, hash");

AuditEntry fromRow(const QSqlQuery &q)
{
    AuditEntry e;
    e.id = q.value(0).toString();
    e.organizationId = q.value(1).toString();
    e.seq = q.value(2).toLongLong();
    e.userId = q.value(3).toString();
    e.action = q.value(4).toString();
    e.resource = q.value(5).toString();
    e.resourceId = q.value(6).toString();
    e.details = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object();
    e.ipAddress = q.value(8).toString();
    e.createdAt = q.value(9).toLongLong();
    e.prevHash = q.value(10).toString();
    e.hash = q.value(11).toString();
    return e;
}

QByteArray canonicalDetails(const QJsonObject &details)
{
    // QJsonDocument writes object keys sorted, so the text is stable for equal content.
    return QJsonDocument(details).toJson(QJsonDocument::Compact);
}
} // namespace

QString AuditLog::genesisHash()
{
    return QString(64, QLatin1Char('0'));
}

QString AuditLog::computeHash(const AuditEntry &e)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    const QList<QByteArray> fields = {e.prevHash.toUtf8(), e.id.toUtf8(), e.organizationId.toUtf8(), QByteArray::number(e.seq),
                                      e.userId.toUtf8(), e.action.toUtf8(), e.resource.toUtf8(), e.resourceId.toUtf8(),
                                      canonicalDetails(e.details), e.ipAddress.toUtf8(), QByteArray::number(e.createdAt)};
    for (const QByteArray &f : fields) {
        // Length-prefixed so that no two different field lists hash the same text.
        h.addData(QByteArray::number(f.size()) + ':');
        h.addData(f);
    }
    return QString::fromLatin1(h.result().toHex());
}

Status AuditLog::append(AuditEntry e)
{
    return appendMany({std::move(e)});
}

Status AuditLog::appendMany(QList<AuditEntry> entries)
{
    const QString lockSuffix = m_sql.database().isPostgres() ? QStringLiteral(" FOR UPDATE") : QString();
    QStringList organizations; // in order of first appearance
    for (const AuditEntry &e : std::as_const(entries)) {
        if (!organizations.contains(e.organizationId))
            organizations << e.organizationId;
    }
    const qint64 now = m_clock.nowMs();
    for (const QString &organizationId : std::as_const(organizations)) {
        Result<int> ensured = m_sql.change(
            QStringLiteral("INSERT INTO audit_heads (organization_id, seq, hash) VALUES (?, 0, ?) ON CONFLICT (organization_id) DO NOTHING"),
            {organizationId, genesisHash()}, "audit_heads.ensure");
        if (!ensured)
            return ensured.error();
        Result<std::optional<std::pair<qint64, QString>>> head = m_sql.query(
            QStringLiteral("SELECT seq, hash FROM audit_heads WHERE organization_id = ?") + lockSuffix, {organizationId},
            "audit_heads.lock", [](QSqlQuery &q) -> std::optional<std::pair<qint64, QString>> {
                if (!q.next())
                    return std::nullopt;
                return std::make_pair(q.value(0).toLongLong(), q.value(1).toString());
            });
        if (!head)
            return head.error();
        if (!head.value())
            return DomainError::internal(QStringLiteral("audit head missing"));
        qint64 seq = head.value()->first;
        QString hash = head.value()->second;
        QVariantList rows;
        for (AuditEntry &e : entries) {
            if (e.organizationId != organizationId)
                continue;
            e.seq = ++seq;
            e.prevHash = hash;
            if (e.id.isEmpty())
                e.id = Ids::make("log");
            if (e.createdAt <= 0)
                e.createdAt = now;
            e.hash = computeHash(e);
            hash = e.hash;
            rows << e.id << e.organizationId << e.seq << (e.userId.isEmpty() ? nullText() : QVariant(e.userId)) << e.action
                 << e.resource << (e.resourceId.isEmpty() ? nullText() : QVariant(e.resourceId))
                 << QString::fromUtf8(canonicalDetails(e.details)) << (e.ipAddress.isEmpty() ? nullText() : QVariant(e.ipAddress))
                 << e.createdAt << e.prevHash << e.hash;
        }
        Result<int> inserted = m_sql.insertRows(QStringLiteral("INSERT INTO audit_logs (") + kColumns + QStringLiteral(") VALUES"), 12,
                                                rows, "audit_logs.insert");
        if (!inserted)
            return inserted.error();
        Result<int> moved = m_sql.change(QStringLiteral("UPDATE audit_heads SET seq = ?, hash = ? WHERE organization_id = ?"),
                                         {seq, hash, organizationId}, "audit_heads.advance");
        if (!moved)
            return moved.error();
    }
    return {};
}

Status AuditLog::appendAlone(Database &database, const AuditEntry &entry, const Clock &clock)
{
    return runAudited(database, nullptr, [&](AuditedWrite &write) { return write.audit.append(entry); }, clock);
}

Result<QList<AuditEntry>> AuditLog::list(const QString &organizationId, const AuditQuery &query)
{
    QString sql = QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM audit_logs WHERE organization_id = ?");
    QVariantList bind{organizationId};
    if (!query.userId.isEmpty()) {
        sql += QStringLiteral(" AND user_id = ?");
        bind << query.userId;
    }
    if (!query.action.isEmpty()) {
        sql += QStringLiteral(" AND action = ?");
        bind << query.action;
    }
    if (query.since > 0) {
        sql += QStringLiteral(" AND created_at >= ?");
        bind << query.since;
    }
    if (query.until > 0) {
        sql += QStringLiteral(" AND created_at <= ?");
        bind << query.until;
    }
    if (query.beforeSeq > 0) {
        sql += QStringLiteral(" AND seq < ?"); // a range on UNIQUE (organization_id, seq)
        bind << query.beforeSeq;
    }
    sql += QStringLiteral(" ORDER BY seq DESC LIMIT ? OFFSET ?");
    bind << query.limit << query.offset;
    Result<QSqlQuery> q = m_sql.run(sql, bind, "audit_logs.list");
    if (!q)
        return q.error();
    QList<AuditEntry> out;
    while (q.value().next())
        out << fromRow(q.value());
    return out;
}

Result<std::optional<qint64>> AuditLog::position(const QString &organizationId, const QString &entryId)
{
    return m_sql.query(QStringLiteral("SELECT seq FROM audit_logs WHERE id = ? AND organization_id = ?"), {entryId, organizationId},
                       "audit_logs.position",
                       [](QSqlQuery &q) { return q.next() ? std::optional<qint64>(q.value(0).toLongLong()) : std::nullopt; });
}

Result<AuditLog::Verification> AuditLog::verify(const QString &organizationId)
{
    Verification v;
    Result<QSqlQuery> heads = m_sql.run(QStringLiteral("SELECT organization_id, seq, hash FROM audit_heads"), {}, "audit_heads.all");
    if (!heads)
        return heads.error();
    QMap<QString, std::pair<qint64, QString>> headOf;
    while (heads.value().next())
        headOf.insert(heads.value().value(0).toString(), {heads.value().value(1).toLongLong(), heads.value().value(2).toString()});
    // Organizations with entries but no head row are checked too: without its head a chain
    // could be cut short (or removed whole) unnoticed.
    Result<QSqlQuery> logged = m_sql.run(QStringLiteral("SELECT DISTINCT organization_id FROM audit_logs"), {}, "audit_logs.organizations");
    if (!logged)
        return logged.error();
    QStringList organizations = headOf.keys();
    while (logged.value().next()) {
        const QString org = logged.value().value(0).toString();
        if (!headOf.contains(org))
            organizations << org;
    }
    std::sort(organizations.begin(), organizations.end());
    if (!organizationId.isEmpty())
        organizations = organizations.contains(organizationId) ? QStringList{organizationId} : QStringList();

    auto broken = [&v](const AuditEntry &e, const QString &org, qint64 seq, const QString &reason) {
        v.intact = false;
        v.firstBadEntryId = e.id;
        v.organizationId = org;
        v.seq = seq;
        v.reason = reason;
    };
    for (const QString &org : organizations) {
        ++v.organizations;
        const bool hasHead = headOf.contains(org);
        const qint64 headSeq = headOf.value(org).first;
        const QString headHash = headOf.value(org).second;
        Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + kColumns
                                            + QStringLiteral(" FROM audit_logs WHERE organization_id = ? ORDER BY seq"),
                                        {org}, "audit_logs.verify");
        if (!q)
            return q.error();
        QString previous = genesisHash();
        qint64 expectedSeq = 1;
        AuditEntry last;
        while (q.value().next()) {
            const AuditEntry e = fromRow(q.value());
            ++v.entries;
            if (e.seq != expectedSeq) {
                broken(e, org, e.seq, QStringLiteral("entry %1 is missing before this one").arg(expectedSeq));
                return v;
            }
            if (e.prevHash != previous) {
                broken(e, org, e.seq, QStringLiteral("it does not link to the previous entry"));
                return v;
            }
            if (computeHash(e) != e.hash) {
                broken(e, org, e.seq, QStringLiteral("its content does not match its hash (edited)"));
                return v;
            }
            if (hasHead && e.seq > headSeq) {
                broken(e, org, e.seq, QStringLiteral("it comes after the newest entry the log recorded (%1): added behind the log's back")
                                          .arg(headSeq));
                return v;
            }
            previous = e.hash;
            last = e;
            ++expectedSeq;
        }
        if (!hasHead) {
            broken(last, org, last.seq, QStringLiteral("the organization's head row is missing, so the end of its log cannot be checked"));
            return v;
        }
        if (expectedSeq - 1 != headSeq || previous != headHash) {
            AuditEntry missing;
            missing.id = last.id;
            broken(missing, org, headSeq, QStringLiteral("the log ends at entry %1 but %2 entries were written (truncated)")
                                              .arg(expectedSeq - 1)
                                              .arg(headSeq));
            return v;
        }
    }
    return v;
}

} // namespace wadesk
