#include "core/webhooks/WebhookService.h"

#include "core/audit/AuditEvent.h"
#include "core/audit/AuditedChange.h"
#include "core/common/Ids.h"
#include "core/db/SqlRunner.h"
#include "core/secrets/AesGcm.h"
#include "core/events/EventLog.h"
#include "core/events/EventType.h"
#include "core/webhooks/TargetPolicy.h"
#include "core/webhooks/WebhookRequest.h"
#include "core/webhooks/WebhookSigner.h"

#include <QDateTime>
#include <algorithm>
#include <QJsonArray>
#include <QRegularExpression>
#include <QUrl>

namespace wadesk {

WebhookService::WebhookService(Database &database, const AesGcm &cipher, EventBus *events, bool allowPrivateTargets,
                               QString operatorOrganization, const Clock &clock)
    : m_database(database)
    , m_cipher(cipher)
    , m_events(events)
    , m_allowPrivate(allowPrivateTargets)
    , m_operatorOrganization(std::move(operatorOrganization))
    , m_clock(clock)
{
}

Status WebhookService::validate(const Input &input, bool creating)
{
    if (creating && !input.url)
        return DomainError::validation(QStringLiteral("url"), QStringLiteral("url is required"));
    if (input.url) {
        if (Status s = TargetPolicy::checkUrl(QUrl(*input.url, QUrl::StrictMode)); !s)
            return s;
    }
    if (creating && !input.events)
        return DomainError::validation(QStringLiteral("events"), QStringLiteral("events is required (a list, or [\"*\"] for all)"));
    if (input.events) {
        if (input.events->isEmpty() || input.events->size() > 50)
            return DomainError::validation(QStringLiteral("events"), QStringLiteral("events must list 1 to 50 event names"));
        for (const QString &e : *input.events) {
            if (e != QLatin1String("*") && !EventTypes::fromName(e)) {
                DomainError err = DomainError::validation(
                    QStringLiteral("events"), QStringLiteral("unknown event '%1'; valid events: *, %2").arg(e.left(60), EventTypes::names().join(QStringLiteral(", "))));
                err.details.insert(QStringLiteral("valid_events"), QJsonArray::fromStringList(QStringList{QStringLiteral("*")} + EventTypes::names()));
                return err;
            }
        }
    }
    if (input.headers) {
        static const QRegularExpression token(QStringLiteral("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$"));
        static const QStringList reserved = {QStringLiteral("content-type"), QStringLiteral("content-length"), QStringLiteral("host"),
                                             QStringLiteral("user-agent"), QStringLiteral("x-webhook-event"), QStringLiteral("x-webhook-signature"),
                                             QStringLiteral("webhook-id"), QStringLiteral("webhook-timestamp"), QStringLiteral("webhook-signature"),
                                             QStringLiteral("transfer-encoding"), QStringLiteral("connection")};
        if (input.headers->size() > 20)
            return DomainError::validation(QStringLiteral("headers"), QStringLiteral("at most 20 custom headers"));
        for (auto it = input.headers->begin(); it != input.headers->end(); ++it) {
            if (!token.match(it.key()).hasMatch() || reserved.contains(it.key().toLower()))
                return DomainError::validation(QStringLiteral("headers"), QStringLiteral("header '%1' is not allowed").arg(it.key().left(100)));
            if (!it.value().isString() || it.value().toString().size() > 1000 || it.value().toString().contains(QLatin1Char('\n'))
                || it.value().toString().contains(QLatin1Char('\r')))
                return DomainError::validation(QStringLiteral("headers"), QStringLiteral("header values must be single-line strings up to 1000 characters"));
        }
    }
    return {};
}

Result<WebhookService::Created> WebhookService::create(const AuthContext &ctx, const Input &input)
{
    // The permission of the REST webhook routes, for every caller (the desktop too).
    if (Status allowed = ctx.require(Permission::ManageWebhooks); !allowed)
        return allowed.error();
    if (Status s = validate(input, true); !s)
        return s.error();
    const qint64 now = m_clock.nowMs();
    Created out;
    out.secret = WebhookSigner::newSecret();
    WebhookRecord &w = out.webhook;
    w.id = Ids::make("wh");
    w.organizationId = ctx.organizationId;
    w.url = *input.url;
    w.events = *input.events;
    w.events.removeDuplicates();
    w.headers = input.headers.value_or(QJsonObject());
    w.secretSealed = QString::fromLatin1(m_cipher.seal(out.secret.toLatin1(), WebhookRequest::sealingContext(w.id)));
    w.active = input.active.value_or(true);
    w.createdAt = w.updatedAt = now;
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = WebhookRepository(write.sql).insert(w); !s)
            return s;
        return write.audit.append(auditBy(ctx, QStringLiteral("create_webhook"), QStringLiteral("webhooks"), w.id,
                                          {{QStringLiteral("url"), w.url}, {QStringLiteral("events"), QJsonArray::fromStringList(w.events)}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return out;
}

Result<QList<WebhookRecord>> WebhookService::list(const AuthContext &ctx)
{
    // The permission of the REST webhook routes, for every caller (the desktop too).
    if (Status allowed = ctx.require(Permission::ManageWebhooks); !allowed)
        return allowed.error();
    SqlRunner sql(m_database);
    WebhookRepository repo(sql);
    return repo.list(ctx.organizationId);
}

Result<WebhookRecord> WebhookService::get(const AuthContext &ctx, const QString &webhookId)
{
    // The permission of the REST webhook routes, for every caller (the desktop too).
    if (Status allowed = ctx.require(Permission::ManageWebhooks); !allowed)
        return allowed.error();
    SqlRunner sql(m_database);
    WebhookRepository repo(sql);
    Result<std::optional<WebhookRecord>> found = repo.find(ctx.organizationId, webhookId);
    if (!found)
        return found.error();
    if (!found.value())
        return DomainError::notFound(QStringLiteral("Webhook"));
    return *found.value();
}

Result<WebhookRecord> WebhookService::update(const AuthContext &ctx, const QString &webhookId, const Input &input)
{
    // The permission of the REST webhook routes, for every caller (the desktop too).
    if (Status allowed = ctx.require(Permission::ManageWebhooks); !allowed)
        return allowed.error();
    if (Status s = validate(input, false); !s)
        return s.error();
    Result<WebhookRecord> found = get(ctx, webhookId);
    if (!found)
        return found;
    WebhookRecord w = found.value();
    QJsonObject details;
    if (input.url) {
        w.url = *input.url;
        details.insert(QStringLiteral("url"), w.url);
    }
    if (input.events) {
        w.events = *input.events;
        w.events.removeDuplicates();
        details.insert(QStringLiteral("events"), QJsonArray::fromStringList(w.events));
    }
    if (input.headers) {
        w.headers = *input.headers;
        details.insert(QStringLiteral("headers"), QJsonArray::fromStringList(w.headers.keys()));
    }
    if (input.active) {
        w.active = *input.active;
        if (w.active) {
            // Re-enabled by an operator: its failure history starts afresh.
            w.disabledReason.clear();
            w.failingSince = 0;
            w.consecutiveFailures = 0;
        }
        details.insert(QStringLiteral("active"), w.active);
    }
    // Always moves forward: the delivery worker reloads a webhook when this changes.
    w.updatedAt = std::max(m_clock.nowMs(), w.updatedAt + 1);
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = WebhookRepository(write.sql).update(w); !s)
            return s;
        return write.audit.append(auditBy(ctx, QStringLiteral("update_webhook"), QStringLiteral("webhooks"), w.id, details));
    }, m_clock);
    if (!stored)
        return stored.error();
    return w;
}

Status WebhookService::remove(const AuthContext &ctx, const QString &webhookId)
{
    // The permission of the REST webhook routes, for every caller (the desktop too).
    if (Status allowed = ctx.require(Permission::ManageWebhooks); !allowed)
        return allowed.error();
    return runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        Result<bool> removed = WebhookRepository(write.sql).remove(ctx.organizationId, webhookId);
        if (!removed)
            return removed.error();
        if (!removed.value())
            return DomainError::notFound(QStringLiteral("Webhook"));
        return write.audit.append(auditBy(ctx, QStringLiteral("delete_webhook"), QStringLiteral("webhooks"), webhookId));
    }, m_clock);
}

Result<WebhookService::Created> WebhookService::rotateSecret(const AuthContext &ctx, const QString &webhookId)
{
    // The permission of the REST webhook routes, for every caller (the desktop too).
    if (Status allowed = ctx.require(Permission::ManageWebhooks); !allowed)
        return allowed.error();
    Result<WebhookRecord> found = get(ctx, webhookId);
    if (!found)
        return found.error();
    Created out;
    out.webhook = found.value();
    out.secret = WebhookSigner::newSecret();
    const qint64 now = m_clock.nowMs();
    // The old secret keeps signing for a day, so receivers can switch without losing events.
    out.webhook.previousSecretSealed = out.webhook.secretSealed;
    out.webhook.previousSecretExpiresAt = now + kRotationGraceMs;
    out.webhook.secretSealed = QString::fromLatin1(m_cipher.seal(out.secret.toLatin1(), WebhookRequest::sealingContext(webhookId)));
    out.webhook.updatedAt = std::max(now, out.webhook.updatedAt + 1); // the delivery worker reloads on a change
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        if (Status s = WebhookRepository(write.sql).update(out.webhook); !s)
            return s;
        return write.audit.append(auditBy(ctx, QStringLiteral("rotate_webhook_secret"), QStringLiteral("webhooks"), webhookId));
    }, m_clock);
    if (!stored)
        return stored.error();
    return out;
}

Result<WebhookService::DeliveryPage> WebhookService::deliveries(const AuthContext &ctx, const QString &webhookId, const QString &status,
                                                               int limit, int offset, const QString &before)
{
    // The permission of the REST webhook routes, for every caller (the desktop too).
    if (Status allowed = ctx.require(Permission::ManageWebhooks); !allowed)
        return allowed.error();
    static const QStringList statuses = {QStringLiteral("pending"), QStringLiteral("delivering"), QStringLiteral("retrying"),
                                         QStringLiteral("succeeded"), QStringLiteral("dead")};
    if (!status.isEmpty() && !statuses.contains(status))
        return DomainError::validation(QStringLiteral("status"), QStringLiteral("status must be one of %1").arg(statuses.join(QStringLiteral(", "))));
    Result<WebhookRecord> hook = get(ctx, webhookId);
    if (!hook)
        return hook.error();
    SqlRunner sql(m_database);
    WebhookRepository repo(sql);
    qint64 beforeCreatedAt = 0;
    if (!before.isEmpty()) {
        // Checked before any SQL (QPSQL inlines values); a delivery of another webhook or
        // organization is refused like a malformed id, so a cursor tells nothing.
        const auto badCursor = [] {
            return DomainError::badRequest(QStringLiteral("before must be the id of a delivery of this webhook"), QStringLiteral("invalid_cursor"));
        };
        if (!Ids::looksValid(before, "dlv"))
            return badCursor();
        Result<std::optional<qint64>> at = repo.deliveryPosition(ctx.organizationId, webhookId, before);
        if (!at)
            return at.error();
        if (!at.value())
            return badCursor();
        beforeCreatedAt = *at.value();
    }
    Result<QList<DeliveryRecord>> rows = repo.deliveries(ctx.organizationId, webhookId, status, limit + 1, offset, before, beforeCreatedAt);
    if (!rows)
        return rows.error();
    DeliveryPage page;
    page.deliveries = rows.value();
    page.info = Paging::trim(page.deliveries, limit, [](const DeliveryRecord &d) { return d.id; });
    return page;
}

Result<DeliveryRecord> WebhookService::replay(const AuthContext &ctx, const QString &deliveryId)
{
    // The permission of the REST webhook routes, for every caller (the desktop too).
    if (Status allowed = ctx.require(Permission::ManageWebhooks); !allowed)
        return allowed.error();
    std::optional<DeliveryRecord> found;
    Status stored = runAudited(m_database, nullptr, [&](AuditedWrite &write) -> Status {
        WebhookRepository repo(write.sql);
        Result<std::optional<DeliveryRecord>> delivery = repo.findDelivery(ctx.organizationId, deliveryId);
        if (!delivery)
            return delivery.error();
        if (!delivery.value())
            return DomainError::notFound(QStringLiteral("Delivery"));
        found = delivery.value();
        Result<bool> replayed = repo.replay(ctx.organizationId, deliveryId, m_clock.nowMs());
        if (!replayed)
            return replayed.error();
        if (!replayed.value())
            return DomainError::conflict(QStringLiteral("The delivery is being sent right now"), QStringLiteral("delivery_in_flight"));
        return write.audit.append(auditBy(ctx, QStringLiteral("replay_delivery"), QStringLiteral("webhook_deliveries"), deliveryId));
    }, m_clock);
    if (!stored)
        return stored.error();
    DeliveryRecord d = *found;
    d.status = QStringLiteral("pending");
    d.attempts = 0;
    return d;
}

Result<int> WebhookService::broadcast(const AuthContext &ctx, const QString &event, const QJsonObject &data)
{
    // The permission of the REST webhook routes, for every caller (the desktop too).
    if (Status allowed = ctx.require(Permission::ManageWebhooks); !allowed)
        return allowed.error();
    if (m_operatorOrganization.isEmpty() || ctx.organizationId != m_operatorOrganization || ctx.role != Role::Admin)
        return DomainError::forbidden(QStringLiteral("Only an admin of the installation's operator organization may broadcast"),
                                      QStringLiteral("forbidden"));
    const std::optional<EventType> type = EventTypes::fromName(event);
    if (!type || EventTypes::subject(*type) == EventSubject::Message || EventTypes::subject(*type) == EventSubject::Client)
        return DomainError::validation(QStringLiteral("event"), QStringLiteral("broadcast events are system.status, test and campaign events"));
    SqlRunner sql(m_database);
    WebhookRepository repo(sql);
    Result<QStringList> orgs = repo.organizationsWithWebhooks();
    if (!orgs)
        return orgs.error();
    Status stored = runAudited(m_database, m_events, [&](AuditedWrite &write) -> Status {
        for (const QString &org : orgs.value()) {
            if (Status s = write.events.record(Event::make(*type, org, data, m_clock)); !s)
                return s;
        }
        return write.audit.append(auditBy(ctx, QStringLiteral("broadcast_event"), QStringLiteral("events"), QString(),
                                          {{QStringLiteral("event"), event}, {QStringLiteral("organizations"), int(orgs.value().size())}}));
    }, m_clock);
    if (!stored)
        return stored.error();
    return int(orgs.value().size());
}

QStringList WebhookService::secretsFor(const WebhookRecord &webhook) const
{
    return WebhookRequest::activeSecrets(webhook, m_cipher, m_clock.nowMs());
}

} // namespace wadesk
