#pragma once

#include "core/access/AuthContext.h"
#include "core/common/Clock.h"
#include "core/common/DomainError.h"
#include "core/common/Paging.h"
#include "core/webhooks/WebhookRepository.h"

#include <QJsonObject>
#include <optional>

namespace wadesk {

class AesGcm;
class Database;
class EventBus;

// Webhook endpoints of an organization (can_manage_webhooks). Secrets are "whsec_…", shown at
// registration and rotation only, and stored sealed with the master key.
class WebhookService {
public:
    static constexpr qint64 kRotationGraceMs = 24LL * 3600 * 1000;

    WebhookService(Database &database, const AesGcm &cipher, EventBus *events, bool allowPrivateTargets, QString operatorOrganization,
                   const Clock &clock = Clock::system());

    struct Input {
        std::optional<QString> url;
        std::optional<QStringList> events;
        std::optional<QJsonObject> headers;
        std::optional<bool> active;
    };
    // Checks what needs no network (URL form, event names, headers).
    static Status validate(const Input &input, bool creating);
    bool allowPrivateTargets() const { return m_allowPrivate; }

    struct Created {
        WebhookRecord webhook;
        QString secret;
    };
    Result<Created> create(const AuthContext &ctx, const Input &input);
    Result<QList<WebhookRecord>> list(const AuthContext &ctx);
    Result<WebhookRecord> get(const AuthContext &ctx, const QString &webhookId);
    Result<WebhookRecord> update(const AuthContext &ctx, const QString &webhookId, const Input &input);
    Status remove(const AuthContext &ctx, const QString &webhookId);
    Result<Created> rotateSecret(const AuthContext &ctx, const QString &webhookId);
    struct DeliveryPage {
        QList<DeliveryRecord> deliveries;
        PageInfo info; // no total: the delivery list never had one
    };
    // Newest first; `before`: the id of a delivery of this webhook (keyset).
    Result<DeliveryPage> deliveries(const AuthContext &ctx, const QString &webhookId, const QString &status, int limit, int offset,
                                    const QString &before = QString());
    Result<DeliveryRecord> replay(const AuthContext &ctx, const QString &deliveryId);
    // system.status and the like, to every organization's subscribed webhooks.
    Result<int> broadcast(const AuthContext &ctx, const QString &event, const QJsonObject &data);
    QStringList secretsFor(const WebhookRecord &webhook) const;

private:
    Database &m_database;
    const AesGcm &m_cipher;
    EventBus *m_events;
    bool m_allowPrivate;
    QString m_operatorOrganization;
    const Clock &m_clock;
};

} // namespace wadesk
