#pragma once

#include "core/common/DomainError.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <optional>

namespace wadesk {

class SqlRunner;

struct WebhookRecord {
    QString id;
    QString organizationId;
    QString url;
    QStringList events;
    QString secretSealed;
    QString previousSecretSealed;
    qint64 previousSecretExpiresAt = 0;
    QJsonObject headers;
    bool active = true;
    QString disabledReason;
    qint64 failingSince = 0;
    int consecutiveFailures = 0;
    int totalFailures = 0;
    qint64 lastSuccessAt = 0;
    qint64 lastFailureAt = 0;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

struct DeliveryRecord {
    QString id;
    QString organizationId;
    QString webhookId;
    QString eventId;
    QString eventType;
    QString payload;
    QString status; // pending, delivering, retrying, succeeded, dead
    int attempts = 0;
    qint64 nextAttemptAt = 0;
    int lastStatusCode = 0;
    QString lastError;
    QString responseExcerpt;
    qint64 createdAt = 0;
    qint64 deliveredAt = 0;
};

class WebhookRepository {
public:
    explicit WebhookRepository(SqlRunner &sql) : m_sql(sql) {}

    Status insert(const WebhookRecord &webhook);
    Status update(const WebhookRecord &webhook);
    Result<bool> remove(const QString &organizationId, const QString &webhookId);
    Result<std::optional<WebhookRecord>> find(const QString &organizationId, const QString &webhookId);
    Result<std::optional<WebhookRecord>> findById(const QString &webhookId); // delivery worker
    // The webhook's updated_at when it exists and is active, else -1 (delivery worker).
    Result<qint64> activeStamp(const QString &webhookId);
    Result<QList<WebhookRecord>> list(const QString &organizationId);
    Result<QStringList> organizationsWithWebhooks();

    // Newest first (created_at, id descending); with `beforeId`, only those after that delivery,
    // whose created_at is `beforeCreatedAt` (read by deliveryPosition).
    Result<QList<DeliveryRecord>> deliveries(const QString &organizationId, const QString &webhookId, const QString &status,
                                             int limit, int offset, const QString &beforeId = QString(), qint64 beforeCreatedAt = 0);
    // The created_at of a delivery of that organization and webhook; none for anything else.
    Result<std::optional<qint64>> deliveryPosition(const QString &organizationId, const QString &webhookId, const QString &deliveryId);
    Result<std::optional<DeliveryRecord>> findDelivery(const QString &organizationId, const QString &deliveryId);
    // Replays a delivery (also a dead letter): due now, with a fresh attempt budget.
    Result<bool> replay(const QString &organizationId, const QString &deliveryId, qint64 now);

    // Delivery worker.
    // Due rows, oldest first, leaving out the given webhooks (those already at their limit);
    // with `expiredLeases`, also rows left "delivering" by a process that died.
    Result<QList<DeliveryRecord>> due(qint64 now, int limit, const QStringList &excludeWebhooks = {}, bool expiredLeases = true);
    Result<bool> claim(const QString &deliveryId, qint64 now, qint64 leaseUntil);
    // Gives a claimed row back unsent (still due).
    Status release(const DeliveryRecord &delivery, qint64 now);
    Status succeeded(const DeliveryRecord &delivery, int statusCode, const QString &excerpt, qint64 now);
    Status retryLater(const DeliveryRecord &delivery, int statusCode, const QString &error, const QString &excerpt, qint64 next, qint64 now);
    Status dead(const DeliveryRecord &delivery, int statusCode, const QString &error, const QString &excerpt, qint64 now);
    // Webhook health: returns the time it has been failing since (0 after a success).
    Result<qint64> noteOutcome(const QString &webhookId, bool success, qint64 now);
    Status disable(const QString &webhookId, const QString &reason, qint64 now);
    Result<int> pendingCount();

private:
    SqlRunner &m_sql;
};

} // namespace wadesk
