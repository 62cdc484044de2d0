#include "core/media/MediaRepository.h"

#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QSqlQuery>

namespace wadesk {

namespace {
const QString kColumns = QStringLiteral(
    "SELECT m.id, m.organization_id, m.filename, m.mimetype, m.kind, m.sha256, m.size, m.created_at, m.created_by, b.storage "
    "FROM media m JOIN media_blobs b ON b.organization_id = m.organization_id AND b.sha256 = m.sha256");

MediaRecord fromRow(const QSqlQuery &q)
{
    MediaRecord r;
    r.info.id = q.value(0).toString();
    r.info.organizationId = q.value(1).toString();
    r.info.filename = q.value(2).toString();
    r.info.mimetype = q.value(3).toString();
    r.info.kind = q.value(4).toString();
    r.info.sha256 = q.value(5).toString();
    r.info.size = q.value(6).toLongLong();
    r.info.createdAt = q.value(7).toLongLong();
    r.createdBy = q.value(8).toString();
    r.storage = q.value(9).toString();
    return r;
}

QList<MediaRecord> allRows(QSqlQuery &q)
{
    QList<MediaRecord> out;
    while (q.next())
        out << fromRow(q);
    return out;
}

// Agents and viewers: what they uploaded, and what messages of their assigned clients carry.
const QString kVisibleTo = QStringLiteral(
    " AND (m.created_by = ? OR EXISTS (SELECT 1 FROM messages g JOIN client_assignments a ON a.client_id = g.client_id "
    "AND a.organization_id = g.organization_id WHERE g.organization_id = m.organization_id AND g.media_id = m.id AND a.user_id = ?))");
} // namespace

Result<std::optional<MediaRepository::Blob>> MediaRepository::findBlob(const QString &organizationId, const QString &sha256)
{
    return m_sql.query(QStringLiteral("SELECT size, storage, ref_count FROM media_blobs WHERE organization_id = ? AND sha256 = ?"),
                       {organizationId, sha256}, "media blob", [](QSqlQuery &q) -> std::optional<Blob> {
                           if (!q.next())
                               return std::nullopt;
                           return Blob{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toInt()};
                       });
}

Result<bool> MediaRepository::addReference(const QString &organizationId, const QString &sha256)
{
    Result<int> changed = m_sql.change(
        QStringLiteral("UPDATE media_blobs SET ref_count = ref_count + 1 WHERE organization_id = ? AND sha256 = ?"),
        {organizationId, sha256}, "media blob reference");
    if (!changed)
        return changed.error();
    return changed.value() > 0;
}

Status MediaRepository::insertBlob(const QString &organizationId, const QString &sha256, qint64 size, const QString &storage, qint64 now)
{
    Result<int> inserted = m_sql.change(
        QStringLiteral("INSERT INTO media_blobs (organization_id, sha256, size, storage, ref_count, created_at) VALUES (?, ?, ?, ?, 1, ?)"),
        {organizationId, sha256, size, storage, now}, "media blob insert");
    if (!inserted)
        return inserted.error();
    return {};
}

Result<bool> MediaRepository::dropReference(const QString &organizationId, const QString &sha256)
{
    Result<int> changed = m_sql.change(
        QStringLiteral("UPDATE media_blobs SET ref_count = ref_count - 1 WHERE organization_id = ? AND sha256 = ?"),
        {organizationId, sha256}, "media blob release");
    if (!changed)
        return changed.error();
    Result<int> removed = m_sql.change(
        QStringLiteral("DELETE FROM media_blobs WHERE organization_id = ? AND sha256 = ? AND ref_count <= 0"),
        {organizationId, sha256}, "media blob delete");
    if (!removed)
        return removed.error();
    return removed.value() > 0;
}

Result<qint64> MediaRepository::usedBytes(const QString &organizationId)
{
    return m_sql.query(QStringLiteral("SELECT COALESCE(SUM(size), 0) FROM media_blobs WHERE organization_id = ?"),
                       {organizationId}, "media usage",
                       [](QSqlQuery &q) { return q.next() ? q.value(0).toLongLong() : qint64(0); });
}

Status MediaRepository::lockOrganization(const QString &organizationId)
{
    if (!m_sql.database().isPostgres())
        return {};
    Result<bool> locked = m_sql.query(QStringLiteral("SELECT id FROM organizations WHERE id = ? FOR UPDATE"), {organizationId},
                                      "media organization lock", [](QSqlQuery &q) { return q.next(); });
    if (!locked)
        return locked.error();
    return {};
}

Status MediaRepository::insert(const MediaRecord &r)
{
    Result<int> inserted = m_sql.change(
        QStringLiteral("INSERT INTO media (id, organization_id, sha256, filename, mimetype, kind, size, created_by, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {r.info.id, r.info.organizationId, r.info.sha256, r.info.filename, r.info.mimetype, r.info.kind, r.info.size,
         textOrNull(r.createdBy), r.info.createdAt},
        "media insert");
    if (!inserted)
        return inserted.error();
    return {};
}

Result<std::optional<MediaRecord>> MediaRepository::find(const QString &organizationId, const QString &mediaId,
                                                         const QString &visibleTo)
{
    QString sql = kColumns + QStringLiteral(" WHERE m.organization_id = ? AND m.id = ?");
    QVariantList bindings{organizationId, mediaId};
    if (!visibleTo.isEmpty()) {
        sql += kVisibleTo;
        bindings << visibleTo << visibleTo;
    }
    return m_sql.query(sql, bindings, "media find",
                       [](QSqlQuery &q) { return q.next() ? std::optional<MediaRecord>(fromRow(q)) : std::nullopt; });
}

QString MediaRepository::filters(const QString &organizationId, const MediaQuery &query, QVariantList &bindings) const
{
    QString where = QStringLiteral(" WHERE m.organization_id = ?");
    bindings << organizationId;
    if (!query.kind.isEmpty()) {
        where += QStringLiteral(" AND m.kind = ?");
        bindings << query.kind;
    }
    if (query.since > 0) {
        where += QStringLiteral(" AND m.created_at >= ?");
        bindings << query.since;
    }
    if (query.until > 0) {
        where += QStringLiteral(" AND m.created_at < ?");
        bindings << query.until;
    }
    if (!query.visibleTo.isEmpty()) {
        where += kVisibleTo;
        bindings << query.visibleTo << query.visibleTo;
    }
    if (!query.beforeId.isEmpty()) {
        where += QStringLiteral(" AND m.id < ?");
        bindings << query.beforeId;
    }
    return where;
}

Result<QList<MediaRecord>> MediaRepository::list(const QString &organizationId, const MediaQuery &query)
{
    QVariantList bindings;
    const QString where = filters(organizationId, query, bindings);
    bindings << query.limit << query.offset;
    Result<QSqlQuery> q = m_sql.run(kColumns + where + QStringLiteral(" ORDER BY m.id DESC LIMIT ? OFFSET ?"), bindings, "media list");
    if (!q)
        return q.error();
    return allRows(q.value());
}

Result<qint64> MediaRepository::count(const QString &organizationId, const MediaQuery &query)
{
    QVariantList bindings;
    const QString where = filters(organizationId, query, bindings);
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT COUNT(*) FROM media m") + where, bindings, "media count");
    if (!q)
        return q.error();
    return q.value().next() ? q.value().value(0).toLongLong() : qint64(0);
}

Result<bool> MediaRepository::remove(const QString &organizationId, const QString &mediaId)
{
    Result<int> removed = m_sql.change(QStringLiteral("DELETE FROM media WHERE organization_id = ? AND id = ?"),
                                       {organizationId, mediaId}, "media delete");
    if (!removed)
        return removed.error();
    return removed.value() > 0;
}

Result<QList<MediaRecord>> MediaRepository::createdBefore(const QString &organizationId, qint64 cutoff, const QString &afterId,
                                                          int limit)
{
    // (A null QString binds as NULL, and "id > NULL" matches nothing: the bound only when set.)
    QString sql = kColumns + QStringLiteral(" WHERE m.organization_id = ? AND m.created_at < ?");
    QVariantList bindings{organizationId, cutoff};
    if (!afterId.isEmpty()) {
        sql += QStringLiteral(" AND m.id > ?");
        bindings << afterId;
    }
    bindings << limit;
    Result<QSqlQuery> q = m_sql.run(sql + QStringLiteral(" ORDER BY m.id LIMIT ?"), bindings, "media expired");
    if (!q)
        return q.error();
    return allRows(q.value());
}

Result<bool> MediaRepository::neededBySend(const QString &organizationId, const QString &mediaId)
{
    return m_sql.query(QStringLiteral("SELECT 1 FROM messages WHERE organization_id = ? AND media_id = ? "
                                      "AND status IN ('queued', 'sending') LIMIT 1"),
                       {organizationId, mediaId}, "media needed by a send", [](QSqlQuery &q) { return q.next(); });
}

} // namespace wadesk
