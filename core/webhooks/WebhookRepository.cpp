#include "core/webhooks/WebhookRepository.h"

#include "core/db/Database.h"
#include "core/db/SqlRunner.h"

#include <QJsonArray>
#include <algorithm>
#include <QJsonDocument>
#include <QSqlQuery>

namespace wadesk {

namespace {
const QString kHookColumns = QStringLiteral(
    "id, organization_id, url, events, secret_sealed, previous_secret_sealed, previous_secret_expires_at, custom_headers, active, "
    "disabled_reason, failing_since, consecutive_failures, total_failures, last_success_at, last_failure_at, created_at, updated_at");
const QString kDeliveryColumns = QStringLiteral(
    "id, organization_id, webhook_id, event_id, event_type, payload, status, attempts, next_attempt_at, last_status_code, last_error, "
    "response_excerpt, created_at, delivered_at");

WebhookRecord hookFromRow(const QSqlQuery &q)
{
    WebhookRecord w;
    w.id = q.value(0).toString();
    w.organizationId = q.value(1).toString();
    w.url = q.value(2).toString();
    for (const QJsonValue &v : QJsonDocument::fromJson(q.value(3).toString().toUtf8()).array())
        w.events << v.toString();
    w.secretSealed = q.value(4).toString();
    w.previousSecretSealed = q.value(5).toString();
    w.previousSecretExpiresAt = q.value(6).toLongLong();
    w.headers = QJsonDocument::fromJson(q.value(7).toString().toUtf8()).object();
    w.active = q.value(8).toInt() != 0;
    w.disabledReason = q.value(9).toString();
    w.failingSince = q.value(10).toLongLong();
    w.consecutiveFailures = q.value(11).toInt();
    w.totalFailures = q.value(12).toInt();
    w.lastSuccessAt = q.value(13).toLongLong();
    w.lastFailureAt = q.value(14).toLongLong();
    w.createdAt = q.value(15).toLongLong();
    w.updatedAt = q.value(16).toLongLong();
    return w;
}

DeliveryRecord deliveryFromRow(const QSqlQuery &q)
{
    DeliveryRecord d;
    d.id = q.value(0).toString();
    d.organizationId = q.value(1).toString();
    d.webhookId = q.value(2).toString();
    d.eventId = q.value(3).toString();
    d.eventType = q.value(4).toString();
    d.payload = q.value(5).toString();
    d.status = q.value(6).toString();
    d.attempts = q.value(7).toInt();
    d.nextAttemptAt = q.value(8).toLongLong();
    d.lastStatusCode = q.value(9).toInt();
    d.lastError = q.value(10).toString();
    d.responseExcerpt = q.value(11).toString();
    d.createdAt = q.value(12).toLongLong();
    d.deliveredAt = q.value(13).toLongLong();
    return d;
}

QString json(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

Status WebhookRepository::insert(const WebhookRecord &w)
{
    Result<int> r = m_sql.change(
        QStringLiteral("INSERT INTO webhooks (id, organization_id, url, events, secret_sealed, custom_headers, active, created_at, updated_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        {w.id, w.organizationId, w.url, QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(w.events)).toJson(QJsonDocument::Compact)),
         w.secretSealed, json(w.headers), w.active ? 1 : 0, w.createdAt, w.updatedAt},
        "webhooks.insert");
    if (!r)
        return r.error();
    return {};
}

Status WebhookRepository::update(const WebhookRecord &w)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE webhooks SET url = ?, events = ?, secret_sealed = ?, previous_secret_sealed = ?, "
                       "previous_secret_expires_at = ?, custom_headers = ?, active = ?, disabled_reason = ?, failing_since = ?, "
                       "consecutive_failures = ?, updated_at = ? WHERE organization_id = ? AND id = ?"),
        {w.url, QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(w.events)).toJson(QJsonDocument::Compact)), w.secretSealed,
         textOrNull(w.previousSecretSealed), timeOrNull(w.previousSecretExpiresAt), json(w.headers), w.active ? 1 : 0,
         textOrNull(w.disabledReason), timeOrNull(w.failingSince), w.consecutiveFailures, w.updatedAt, w.organizationId, w.id},
        "webhooks.update");
    if (!r)
        return r.error();
    if (r.value() == 0)
        return DomainError::notFound(QStringLiteral("Webhook"));
    return {};
}

Result<bool> WebhookRepository::remove(const QString &organizationId, const QString &webhookId)
{
    Result<int> r = m_sql.change(QStringLiteral("DELETE FROM webhooks WHERE organization_id = ? AND id = ?"), {organizationId, webhookId},
                                 "webhooks.remove");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Result<std::optional<WebhookRecord>> WebhookRepository::find(const QString &organizationId, const QString &webhookId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + kHookColumns + QStringLiteral(" FROM webhooks WHERE organization_id = ? AND id = ?"),
                                    {organizationId, webhookId}, "webhooks.find");
    if (!q)
        return q.error();
    if (!q.value().next())
        return std::optional<WebhookRecord>();
    return std::optional<WebhookRecord>(hookFromRow(q.value()));
}

Result<std::optional<WebhookRecord>> WebhookRepository::findById(const QString &webhookId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + kHookColumns + QStringLiteral(" FROM webhooks WHERE id = ?"), {webhookId},
                                    "webhooks.findById");
    if (!q)
        return q.error();
    if (!q.value().next())
        return std::optional<WebhookRecord>();
    return std::optional<WebhookRecord>(hookFromRow(q.value()));
}

Result<qint64> WebhookRepository::activeStamp(const QString &webhookId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT updated_at, active FROM webhooks WHERE id = ?"), {webhookId}, "webhooks.stamp");
    if (!q)
        return q.error();
    if (!q.value().next() || q.value().value(1).toInt() == 0)
        return qint64(-1);
    return q.value().value(0).toLongLong();
}

Result<QList<WebhookRecord>> WebhookRepository::list(const QString &organizationId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + kHookColumns
                                        + QStringLiteral(" FROM webhooks WHERE organization_id = ? ORDER BY created_at, id LIMIT 500"),
                                    {organizationId}, "webhooks.list");
    if (!q)
        return q.error();
    QList<WebhookRecord> out;
    while (q.value().next())
        out << hookFromRow(q.value());
    return out;
}

Result<QStringList> WebhookRepository::organizationsWithWebhooks()
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT DISTINCT organization_id FROM webhooks WHERE active = 1"), {}, "webhooks.orgs");
    if (!q)
        return q.error();
    QStringList out;
    while (q.value().next())
        out << q.value().value(0).toString();
    return out;
}

Result<QList<DeliveryRecord>> WebhookRepository::deliveries(const QString &organizationId, const QString &webhookId, const QString &status,
                                                           int limit, int offset, const QString &beforeId, qint64 beforeCreatedAt)
{
    QString sql = QStringLiteral("SELECT ") + kDeliveryColumns + QStringLiteral(" FROM webhook_deliveries WHERE organization_id = ? AND webhook_id = ?");
    QVariantList bind{organizationId, webhookId};
    if (!status.isEmpty()) {
        sql += QStringLiteral(" AND status = ?");
        bind << status;
    }
    if (!beforeId.isEmpty()) {
        // A range on the index (webhook_id, created_at, id); the OR only drops the ties.
        sql += QStringLiteral(" AND created_at <= ? AND (created_at < ? OR id < ?)");
        bind << beforeCreatedAt << beforeCreatedAt << beforeId;
    }
    sql += QStringLiteral(" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");
    bind << limit << offset;
    Result<QSqlQuery> q = m_sql.run(sql, bind, "webhook_deliveries.list");
    if (!q)
        return q.error();
    QList<DeliveryRecord> out;
    while (q.value().next())
        out << deliveryFromRow(q.value());
    return out;
}

Result<std::optional<qint64>> WebhookRepository::deliveryPosition(const QString &organizationId, const QString &webhookId,
                                                                  const QString &deliveryId)
{
    return m_sql.query(QStringLiteral("SELECT created_at FROM webhook_deliveries WHERE id = ? AND organization_id = ? AND webhook_id = ?"),
                       {deliveryId, organizationId, webhookId}, "webhook_deliveries.position",
                       [](QSqlQuery &q) { return q.next() ? std::optional<qint64>(q.value(0).toLongLong()) : std::nullopt; });
}

Result<std::optional<DeliveryRecord>> WebhookRepository::findDelivery(const QString &organizationId, const QString &deliveryId)
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + kDeliveryColumns
                                        + QStringLiteral(" FROM webhook_deliveries WHERE organization_id = ? AND id = ?"),
                                    {organizationId, deliveryId}, "webhook_deliveries.find");
    if (!q)
        return q.error();
    if (!q.value().next())
        return std::optional<DeliveryRecord>();
    return std::optional<DeliveryRecord>(deliveryFromRow(q.value()));
}

Result<bool> WebhookRepository::replay(const QString &organizationId, const QString &deliveryId, qint64 now)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL, "
                       "updated_at = ? WHERE organization_id = ? AND id = ? AND status <> 'delivering'"),
        {now, now, organizationId, deliveryId}, "webhook_deliveries.replay");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Result<QList<DeliveryRecord>> WebhookRepository::due(qint64 now, int limit, const QStringList &excludeWebhooks, bool expiredLeases)
{
    // One range of the (status, next_attempt_at) index per state, merged here: with an OR across
    // the states (or an IN list) the databases read and sort every due row on every poll, which
    // with a large backlog costs more than the deliveries themselves. A `delivering` row whose
    // lease ran out belonged to a process that died: it is due again.
    QString exclusion;
    QVariantList excluded;
    if (!excludeWebhooks.isEmpty()) {
        QStringList marks;
        for (const QString &id : excludeWebhooks) {
            marks << QStringLiteral("?");
            excluded << id;
        }
        exclusion = QStringLiteral(" AND webhook_id NOT IN (") + marks.join(QLatin1Char(',')) + QLatin1Char(')');
    }
    static const QString ranges[] = {QStringLiteral("status = 'pending' AND next_attempt_at <= ?"),
                                     QStringLiteral("status = 'retrying' AND next_attempt_at <= ?"),
                                     QStringLiteral("status = 'delivering' AND lease_until < ?")};
    QList<DeliveryRecord> out;
    for (const QString &range : ranges) {
        if (!expiredLeases && &range == &ranges[2])
            break;
        QVariantList bind{now};
        bind += excluded;
        bind << limit;
        Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT ") + kDeliveryColumns + QStringLiteral(" FROM webhook_deliveries WHERE ") + range
                                            + exclusion + QStringLiteral(" ORDER BY next_attempt_at, id LIMIT ?"),
                                        bind, "webhook_deliveries.due");
        if (!q)
            return q.error();
        while (q.value().next())
            out << deliveryFromRow(q.value());
    }
    std::sort(out.begin(), out.end(), [](const DeliveryRecord &a, const DeliveryRecord &b) {
        return a.nextAttemptAt != b.nextAttemptAt ? a.nextAttemptAt < b.nextAttemptAt : a.id < b.id;
    });
    if (out.size() > limit)
        out.resize(limit);
    return out;
}

Result<bool> WebhookRepository::claim(const QString &deliveryId, qint64 now, qint64 leaseUntil)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE webhook_deliveries SET status = 'delivering', lease_until = ?, updated_at = ? WHERE id = ? AND "
                       "((status IN ('pending', 'retrying') AND next_attempt_at <= ?) OR (status = 'delivering' AND lease_until < ?))"),
        {leaseUntil, now, deliveryId, now, now}, "webhook_deliveries.claim");
    if (!r)
        return r.error();
    return r.value() > 0;
}

Status WebhookRepository::release(const DeliveryRecord &d, qint64 now)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE webhook_deliveries SET status = CASE WHEN attempts = 0 THEN 'pending' ELSE 'retrying' END, lease_until = NULL, "
                       "updated_at = ? WHERE id = ? AND status = 'delivering'"),
        {now, d.id}, "webhook_deliveries.release");
    if (!r)
        return r.error();
    return {};
}

Status WebhookRepository::succeeded(const DeliveryRecord &d, int statusCode, const QString &excerpt, qint64 now)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE webhook_deliveries SET status = 'succeeded', attempts = attempts + 1, last_status_code = ?, last_error = NULL, "
                       "response_excerpt = ?, delivered_at = ?, lease_until = NULL, updated_at = ? WHERE id = ?"),
        {statusCode, excerpt, now, now, d.id}, "webhook_deliveries.succeeded");
    if (!r)
        return r.error();
    return {};
}

Status WebhookRepository::retryLater(const DeliveryRecord &d, int statusCode, const QString &error, const QString &excerpt, qint64 next,
                                     qint64 now)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE webhook_deliveries SET status = 'retrying', attempts = attempts + 1, last_status_code = ?, last_error = ?, "
                       "response_excerpt = ?, next_attempt_at = ?, lease_until = NULL, updated_at = ? WHERE id = ?"),
        {statusCode > 0 ? QVariant(statusCode) : nullInt(), error, excerpt, next, now, d.id}, "webhook_deliveries.retry");
    if (!r)
        return r.error();
    return {};
}

Status WebhookRepository::dead(const DeliveryRecord &d, int statusCode, const QString &error, const QString &excerpt, qint64 now)
{
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE webhook_deliveries SET status = 'dead', attempts = attempts + 1, last_status_code = ?, last_error = ?, "
                       "response_excerpt = ?, lease_until = NULL, updated_at = ? WHERE id = ?"),
        {statusCode > 0 ? QVariant(statusCode) : nullInt(), error, excerpt, now, d.id}, "webhook_deliveries.dead");
    if (!r)
        return r.error();
    return {};
}

Result<qint64> WebhookRepository::noteOutcome(const QString &webhookId, bool success, qint64 now)
{
    if (success) {
        Result<int> r = m_sql.change(QStringLiteral("UPDATE webhooks SET failing_since = NULL, consecutive_failures = 0, last_success_at = ? WHERE id = ?"),
                                     {now, webhookId}, "webhooks.success");
        if (!r)
            return r.error();
        return qint64(0);
    }
    Result<int> r = m_sql.change(
        QStringLiteral("UPDATE webhooks SET failing_since = COALESCE(failing_since, ?), consecutive_failures = consecutive_failures + 1, "
                       "total_failures = total_failures + 1, last_failure_at = ? WHERE id = ?"),
        {now, now, webhookId}, "webhooks.failure");
    if (!r)
        return r.error();
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT failing_since FROM webhooks WHERE id = ?"), {webhookId}, "webhooks.failingSince");
    if (!q)
        return q.error();
    return q.value().next() ? q.value().value(0).toLongLong() : qint64(0);
}

Status WebhookRepository::disable(const QString &webhookId, const QString &reason, qint64 now)
{
    Result<int> r = m_sql.change(QStringLiteral("UPDATE webhooks SET active = 0, disabled_reason = ?, updated_at = ? WHERE id = ?"),
                                 {reason, now, webhookId}, "webhooks.disable");
    if (!r)
        return r.error();
    return {};
}

Result<int> WebhookRepository::pendingCount()
{
    Result<QSqlQuery> q = m_sql.run(QStringLiteral("SELECT COUNT(*) FROM webhook_deliveries WHERE status IN ('pending', 'retrying', 'delivering')"),
                                    {}, "webhook_deliveries.pending");
    if (!q)
        return q.error();
    q.value().next();
    return q.value().value(0).toInt();
}

} // namespace wadesk
