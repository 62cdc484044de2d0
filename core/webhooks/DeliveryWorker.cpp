#include "webhooks/DeliveryWorker.h"

#include "audit/AuditLog.h"
#include "db/Database.h"
#include "db/SqlRunner.h"
#include "webhooks/TargetPolicy.h"
#include "webhooks/WebhookRepository.h"
#include "webhooks/WebhookRequest.h"

#include <QDateTime>
#include <QHostInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QRandomGenerator>
#include <QUrl>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
constexpr int kExcerptBytes = 4096;

qint64 retryAfterMs(const QNetworkReply *reply, qint64 now)
{
    const QByteArray value = reply->rawHeader("Retry-After").trimmed();
    if (value.isEmpty())
        return -1;
    bool ok = false;
    const qint64 seconds = value.toLongLong(&ok);
    if (ok)
        return seconds * 1000;
    const QDateTime when = QDateTime::fromString(QString::fromLatin1(value), Qt::RFC2822Date);
    return when.isValid() ? std::max<qint64>(0, when.toMSecsSinceEpoch() - now) : -1;
}
} // namespace

DeliveryWorker::DeliveryWorker(Database &database, const AesGcm &cipher, DeliverySettings settings, Clock clock)
    : m_database(database)
    , m_cipher(cipher)
    , m_settings(settings)
    , m_clock(clock ? std::move(clock) : Clock([]() { return QDateTime::currentMSecsSinceEpoch(); }))
{
}

DeliveryWorker::~DeliveryWorker() = default;

qint64 DeliveryWorker::backoffMs(int attempts, qint64 maxBackoffMs, double jitter)
{
    // 2^n seconds after the n-th failed attempt, capped, spread by ±20 % so endpoints that come
    // back are not hit by every retry at once.
    const qint64 base = attempts >= 22 ? maxBackoffMs : std::min<qint64>(maxBackoffMs, (qint64(1) << attempts) * 1000);
    return std::max<qint64>(1000, qint64(double(base) * (0.8 + 0.4 * jitter)));
}

void DeliveryWorker::start()
{
    m_network = new QNetworkAccessManager(this);
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m_timer = new QTimer(this);
    connect(m_timer, &QTimer::timeout, this, &DeliveryWorker::poll);
    m_timer->start(m_settings.pollMs);
    poll();
}

void DeliveryWorker::wake()
{
    if (!m_stopping)
        QTimer::singleShot(0, this, &DeliveryWorker::poll);
}

void DeliveryWorker::stop()
{
    m_stopping = true;
    if (m_timer)
        m_timer->stop();
    // Replies still open are aborted; their rows keep their lease and become due again later.
    const auto replies = findChildren<QNetworkReply *>();
    for (QNetworkReply *r : replies) {
        r->disconnect(this);
        r->abort();
    }
    m_database.closeThreadConnection();
}

void DeliveryWorker::poll()
{
    if (m_stopping || m_inFlight.size() >= m_settings.maxInFlight)
        return;
    const qint64 now = m_clock();
    SqlRunner sql(m_database);
    WebhookRepository repo(sql);
    Result<QList<DeliveryRecord>> due = repo.due(now, 200);
    if (!due)
        return;
    for (const DeliveryRecord &d : due.value()) {
        if (m_inFlight.size() >= m_settings.maxInFlight)
            break;
        if (m_inFlight.contains(d.id) || m_perEndpoint.value(d.webhookId) >= m_settings.maxInFlightPerEndpoint)
            continue;
        Result<bool> claimed = repo.claim(d.id, now, now + m_settings.timeoutMs + 60000);
        if (!claimed || !claimed.value())
            continue;
        send(d);
    }
}

void DeliveryWorker::send(const DeliveryRecord &delivery)
{
    const qint64 now = m_clock();
    SqlRunner sql(m_database);
    WebhookRepository repo(sql);
    Result<std::optional<WebhookRecord>> hook = repo.findById(delivery.webhookId);
    if (!hook || !hook.value() || !hook.value()->active) {
        repo.dead(delivery, 0, QStringLiteral("the webhook is disabled or gone"), QString(), now);
        return;
    }
    const WebhookRecord webhook = *hook.value();
    const QStringList secrets = WebhookRequest::activeSecrets(webhook, m_cipher, now);
    if (secrets.isEmpty()) {
        repo.dead(delivery, 0, QStringLiteral("the webhook secret cannot be opened with this master key"), QString(), now);
        return;
    }
    m_inFlight.insert(delivery.id);
    m_perEndpoint[delivery.webhookId] += 1;

    // Resolve first and check every address: a name may point at this machine's network.
    const QUrl url(webhook.url);
    QPointer<DeliveryWorker> self(this);
    QHostInfo::lookupHost(url.host(), this, [self, delivery, webhook, secrets, url](const QHostInfo &info) {
        if (!self)
            return;
        const Status allowed = TargetPolicy::checkAddresses(url.host(), info.addresses(), self->m_settings.allowPrivateTargets);
        if (!allowed) {
            const qint64 at = self->m_clock();
            SqlRunner sql(self->m_database);
            WebhookRepository repo(sql);
            repo.dead(delivery, 0, allowed.error().message, QString(), at);
            self->m_inFlight.remove(delivery.id);
            self->m_perEndpoint[delivery.webhookId] -= 1;
            emit self->delivered(delivery.id, false);
            return;
        }
        const QByteArray body = delivery.payload.toUtf8();
        const QNetworkRequest request = WebhookRequest::build(webhook, secrets, delivery.eventId, delivery.eventType, body,
                                                              self->m_clock() / 1000, self->m_settings.timeoutMs);
        QNetworkReply *reply = self->m_network->post(request, body);
        reply->setParent(self.data());
        QObject::connect(reply, &QNetworkReply::finished, self.data(), [self, reply, delivery]() {
            if (self)
                self->finished(reply, delivery);
        });
    });
}

void DeliveryWorker::finished(QNetworkReply *reply, const DeliveryRecord &delivery)
{
    reply->deleteLater();
    const qint64 now = m_clock();
    m_inFlight.remove(delivery.id);
    m_perEndpoint[delivery.webhookId] -= 1;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString excerpt = QString::fromUtf8(reply->read(kExcerptBytes));
    SqlRunner sql(m_database);
    WebhookRepository repo(sql);
    const bool success = status >= 200 && status < 300;
    if (success) {
        repo.succeeded(delivery, status, excerpt, now);
        repo.noteOutcome(delivery.webhookId, true, now);
        emit delivered(delivery.id, true);
        wake();
        return;
    }
    QString error = status > 0 ? QStringLiteral("HTTP %1").arg(status) : reply->errorString();
    if (status == 410) {
        repo.dead(delivery, status, QStringLiteral("the endpoint answered 410 Gone: webhook disabled"), excerpt, now);
        repo.disable(delivery.webhookId, QStringLiteral("the endpoint answered 410 Gone"), now);
        AuditEntry entry;
        entry.organizationId = delivery.organizationId;
        entry.action = QStringLiteral("webhook_disabled");
        entry.resource = QStringLiteral("webhooks");
        entry.resourceId = delivery.webhookId;
        entry.details = QJsonObject{{QStringLiteral("reason"), QStringLiteral("410 Gone")}};
        AuditLog::appendAlone(m_database, entry);
        emit delivered(delivery.id, false);
        return;
    }
    Result<qint64> failingSince = repo.noteOutcome(delivery.webhookId, false, now);
    const int attempts = delivery.attempts + 1;
    if (attempts >= m_settings.maxAttempts) {
        repo.dead(delivery, status, error + QStringLiteral(" (gave up after %1 attempts)").arg(attempts), excerpt, now);
    } else {
        qint64 wait = backoffMs(attempts, m_settings.maxBackoffMs, QRandomGenerator::global()->generateDouble());
        const qint64 asked = retryAfterMs(reply, now);
        if (asked >= 0)
            wait = std::clamp<qint64>(asked, 1000, m_settings.maxBackoffMs);
        repo.retryLater(delivery, status, error, excerpt, now + wait, now);
    }
    if (failingSince && failingSince.value() > 0 && now - failingSince.value() >= m_settings.disableAfterFailingMs) {
        const QString reason = QStringLiteral("failing continuously since %1").arg(QDateTime::fromMSecsSinceEpoch(failingSince.value(), Qt::UTC).toString(Qt::ISODate));
        repo.disable(delivery.webhookId, reason, now);
        AuditEntry entry;
        entry.organizationId = delivery.organizationId;
        entry.action = QStringLiteral("webhook_disabled");
        entry.resource = QStringLiteral("webhooks");
        entry.resourceId = delivery.webhookId;
        entry.details = QJsonObject{{QStringLiteral("reason"), reason}};
        AuditLog::appendAlone(m_database, entry);
        spdlog::warn("webhook {} disabled: {}", delivery.webhookId.toStdString(), reason.toStdString());
    }
    emit delivered(delivery.id, false);
}

DeliveryService::DeliveryService(Database &database, const AesGcm &cipher, DeliverySettings settings)
    : m_database(database)
{
    m_thread.setObjectName(QStringLiteral("webhooks"));
    m_worker = new DeliveryWorker(database, cipher, settings);
    m_worker->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
}

DeliveryService::~DeliveryService()
{
    stop();
}

void DeliveryService::start()
{
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, &DeliveryWorker::start, Qt::QueuedConnection);
}

void DeliveryService::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(m_worker, &DeliveryWorker::stop, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

} // namespace wadesk
