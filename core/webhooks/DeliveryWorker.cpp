#include "core/webhooks/DeliveryWorker.h"

#include "core/audit/AuditLog.h"
#include "core/db/Database.h"
#include "core/db/SqlRunner.h"
#include "core/webhooks/TargetPolicy.h"
#include "core/webhooks/WebhookRepository.h"
#include "core/webhooks/WebhookRequest.h"
#include "core/common/RuntimeMetrics.h"
#include "core/common/UtcTime.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHostInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QRandomGenerator>
#include <QUrl>
#include <spdlog/spdlog.h>

namespace wadesk {

namespace {
// The worker's bookkeeping is best effort by design: a row whose outcome could not be stored
// stays "delivering" until its lease runs out and is then claimed again (delivery is at least
// once), so a failed write is logged and the worker goes on.
void warnIfFailed(const Status &status, const char *what, const DeliveryRecord &delivery)
{
    if (!status)
        spdlog::warn("webhook delivery {}: cannot {}: {}", delivery.id.toStdString(), what, status.error().message.toStdString());
}
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
    // An HTTP date is IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 5.6.7), always GMT;
    // Qt's RFC 2822 parser only takes a numeric zone.
    QString text = QString::fromLatin1(value);
    if (text.endsWith(QLatin1String(" GMT")) || text.endsWith(QLatin1String(" UTC")))
        text = text.left(text.size() - 4) + QLatin1String(" +0000");
    const QDateTime when = QDateTime::fromString(text, Qt::RFC2822Date);
    return when.isValid() ? std::max<qint64>(0, when.toMSecsSinceEpoch() - now) : -1;
}
} // namespace

DeliveryWorker::DeliveryWorker(Database &database, const AesGcm &cipher, DeliverySettings settings, const Clock &clock)
    : m_database(database)
    , m_cipher(cipher)
    , m_settings(settings)
    , m_clock(clock)
{
}

DeliveryWorker::~DeliveryWorker() = default;

qint64 DeliveryWorker::backoffMs(int attempts, qint64 maxBackoffMs, double jitter)
{
    // 2^n seconds after the n-th failed attempt, capped, spread by ±20 % so endpoints that come
    // back are not hit by every retry at once.
    // The cap bounds the wait itself, jitter included.
    const qint64 base = attempts >= 22 ? maxBackoffMs : std::min<qint64>(maxBackoffMs, (qint64(1) << attempts) * 1000);
    return std::min<qint64>(maxBackoffMs, std::max<qint64>(1000, qint64(double(base) * (0.8 + 0.4 * jitter))));
}

void DeliveryWorker::start()
{
    m_network = new QNetworkAccessManager(this);
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m_timer = new QTimer(this);
    connect(m_timer, &QTimer::timeout, this, [this]() { poll(true); });
    m_timer->start(m_settings.pollMs);
    poll(true);
}

void DeliveryWorker::wake()
{
    // Wakes make one poll at a time, and polls follow each other at least kMinPollGapMs apart:
    // under a stream of events one poll picks up several (replies claim what comes next in
    // their own transaction and need no poll).
    if (m_stopping || m_pollQueued)
        return;
    m_pollQueued = true;
    const qint64 since = m_lastPoll.isValid() ? m_lastPoll.elapsed() : kMinPollGapMs;
    QTimer::singleShot(int(std::max<qint64>(0, kMinPollGapMs - since)), Qt::PreciseTimer, this, [this]() {
        m_pollQueued = false;
        poll(false);
    });
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

void DeliveryWorker::poll(bool timer)
{
    if (m_stopping || m_inFlight.size() >= m_settings.maxInFlight)
        return;
    m_lastPoll.start();
    const qint64 now = m_clock.nowMs();
    SqlRunner sql(m_database);
    WebhookRepository repo(sql);
    // The claims of one poll commit together (the transaction opens with the first claim: most
    // polls find nothing to claim), and only committed claims are sent.
    Transaction tx(m_database);
    bool open = false;
    const QList<DeliveryRecord> claimed = claimDue(repo, now, timer, [&]() { return open || (open = tx.begin().ok()); });
    if (claimed.isEmpty() || !tx.commit())
        return;
    for (const DeliveryRecord &d : claimed)
        send(d);
}

QList<DeliveryRecord> DeliveryWorker::claimDue(WebhookRepository &repo, qint64 now, bool timer, const std::function<bool()> &beforeClaim)
{
    QList<DeliveryRecord> claimed;
    // What this call claims counts against the limits before send() takes it over.
    QHash<QString, int> perEndpoint = m_perEndpoint;
    QHash<QString, int> perHost = m_perHost;
    QSet<QString> taken;
    auto full = [&]() { return m_inFlight.size() + claimed.size() >= m_settings.maxInFlight; };
    auto busy = [&](const QString &webhookId) {
        return perEndpoint.value(webhookId) >= m_settings.maxInFlightPerEndpoint
            || perHost.value(m_hostOfWebhook.value(webhookId)) >= kMaxPerHost;
    };
    for (int round = 0; round < 4 && !full(); ++round) {
        // The first round takes the oldest due rows (an index walk that stops at the limit).
        // When some of them were held back by an endpoint's (or its host's) limit, later rounds
        // leave those endpoints out, so a stuck endpoint's backlog cannot hide other endpoints'
        // rows. Looking past a backlog means walking all of it, so that happens at most once a
        // second.
        QStringList saturated;
        if (round > 0) {
            if (m_fairness.isValid() && m_fairness.elapsed() < kFairnessIntervalMs)
                break;
            m_fairness.start();
            for (auto it = perEndpoint.cbegin(); it != perEndpoint.cend(); ++it) {
                if (busy(it.key()))
                    saturated << it.key();
            }
            for (auto it = m_hostOfWebhook.cbegin(); it != m_hostOfWebhook.cend(); ++it) {
                if (busy(it.key()) && !saturated.contains(it.key()))
                    saturated << it.key();
            }
        }
        // A page no larger than what can be sent now (rows are read with their payloads): polls
        // come with every reply and every burst of events.
        const int limit = std::min(kPageRows, m_settings.maxInFlight - int(m_inFlight.size() + claimed.size()));
        // Leases run out on the scale of the transfer timeout: the timer's polls look for them.
        Result<QList<DeliveryRecord>> due = repo.due(now, limit, saturated, timer);
        if (!due)
            break;
        bool heldBack = false;
        for (const DeliveryRecord &d : due.value()) {
            if (full())
                break;
            if (m_inFlight.contains(d.id) || taken.contains(d.id))
                continue;
            if (busy(d.webhookId)) {
                heldBack = true;
                continue;
            }
            if (!beforeClaim())
                return claimed;
            Result<bool> ok = repo.claim(d.id, now, now + m_settings.timeoutMs + 60000);
            if (!ok || !ok.value())
                continue;
            claimed << d;
            taken.insert(d.id);
            perEndpoint[d.webhookId] += 1;
            if (m_hostOfWebhook.contains(d.webhookId))
                perHost[m_hostOfWebhook.value(d.webhookId)] += 1;
        }
        if (!heldBack)
            break;
    }
    return claimed;
}

void DeliveryWorker::send(const DeliveryRecord &delivery)
{
    const qint64 now = m_clock.nowMs();
    SqlRunner sql(m_database);
    WebhookRepository repo(sql);
    // The webhook and its opened secrets are kept between deliveries and read again when the
    // row changed (every change through the service or the worker moves updated_at) or a
    // rotation's grace period ended: one small lookup per delivery instead of the whole row and
    // two decryptions.
    Result<qint64> stamp = repo.activeStamp(delivery.webhookId);
    if (!stamp) {
        warnIfFailed(repo.release(delivery, now), "give the row back", delivery);
        return;
    }
    if (stamp.value() < 0) {
        m_webhooks.remove(delivery.webhookId);
        RuntimeMetrics::instance().countWebhookDelivery(RuntimeMetrics::WebhookOutcome::Dead);
        warnIfFailed(repo.dead(delivery, 0, QStringLiteral("the webhook is disabled or gone"), QString(), now), "mark it dead", delivery);
        return;
    }
    auto cached = m_webhooks.constFind(delivery.webhookId);
    if (cached == m_webhooks.cend() || cached->webhook.updatedAt != stamp.value()
        || (cached->secrets.size() > 1 && now >= cached->webhook.previousSecretExpiresAt)) {
        Result<std::optional<WebhookRecord>> hook = repo.findById(delivery.webhookId);
        if (!hook) {
            warnIfFailed(repo.release(delivery, now), "give the row back", delivery);
            return;
        }
        if (!hook.value() || !hook.value()->active) {
            m_webhooks.remove(delivery.webhookId);
            RuntimeMetrics::instance().countWebhookDelivery(RuntimeMetrics::WebhookOutcome::Dead);
            warnIfFailed(repo.dead(delivery, 0, QStringLiteral("the webhook is disabled or gone"), QString(), now), "mark it dead", delivery);
            return;
        }
        cached = m_webhooks.insert(delivery.webhookId, CachedWebhook{*hook.value(), WebhookRequest::activeSecrets(*hook.value(), m_cipher, now)});
    }
    const WebhookRecord webhook = cached->webhook;
    const QStringList secrets = cached->secrets;
    if (secrets.isEmpty()) {
        RuntimeMetrics::instance().countWebhookDelivery(RuntimeMetrics::WebhookOutcome::Dead);
        warnIfFailed(repo.dead(delivery, 0, QStringLiteral("the webhook secret cannot be opened with this master key"), QString(), now),
                     "mark it dead", delivery);
        return;
    }
    const QUrl url(webhook.url);
    const QString host = hostKey(url);
    m_hostOfWebhook.insert(delivery.webhookId, host);
    if (m_perHost.value(host) >= kMaxPerHost) {
        // Learnt only now that its host is busy: back to the queue, still due.
        warnIfFailed(repo.release(delivery, now), "give the row back", delivery);
        return;
    }
    m_inFlight.insert(delivery.id);
    m_perEndpoint[delivery.webhookId] += 1;
    m_perHost[host] += 1;

    // Resolve first and check every address: a name may point at this machine's network.
    QPointer<DeliveryWorker> self(this);
    QHostInfo::lookupHost(url.host(), this, [self, delivery, webhook, secrets, url, host](const QHostInfo &info) {
        if (!self)
            return;
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            // Name resolution can fail for a while (resolver down, DNS change): retried like a
            // connection error.
            self->done(delivery, host);
            self->failed(delivery, 0, QStringLiteral("the host %1 does not resolve: %2").arg(url.host(), info.errorString()), QString(), -1);
            return;
        }
        const Status allowed = TargetPolicy::checkAddresses(url.host(), info.addresses(), self->m_settings.allowPrivateTargets);
        if (!allowed) {
            const qint64 at = self->m_clock.nowMs();
            SqlRunner sql(self->m_database);
            WebhookRepository repo(sql);
            RuntimeMetrics::instance().countWebhookDelivery(RuntimeMetrics::WebhookOutcome::Dead);
            warnIfFailed(repo.dead(delivery, 0, allowed.error().message, QString(), at), "mark it dead", delivery);
            self->done(delivery, host);
            emit self->delivered(delivery.id, false);
            return;
        }
        const QByteArray body = delivery.payload.toUtf8();
        const QNetworkRequest request = WebhookRequest::build(webhook, secrets, delivery.eventId, delivery.eventType, body,
                                                              self->m_clock.nowMs() / 1000, self->m_settings.timeoutMs);
        QElapsedTimer started;
        started.start();
        QNetworkReply *reply = self->m_network->post(request, body);
        reply->setParent(self.data());
        QObject::connect(reply, &QNetworkReply::finished, self.data(), [self, reply, delivery, host, started]() {
            RuntimeMetrics::instance().recordWebhookLatency(started.nsecsElapsed() / 1000);
            if (self)
                self->finished(reply, delivery, host);
        });
    });
}

QString DeliveryWorker::hostKey(const QUrl &url)
{
    return url.scheme() + QStringLiteral("://") + url.host() + QLatin1Char(':')
        + QString::number(url.port(url.scheme() == QLatin1String("https") ? 443 : 80));
}

void DeliveryWorker::done(const DeliveryRecord &delivery, const QString &host)
{
    m_inFlight.remove(delivery.id);
    if (--m_perEndpoint[delivery.webhookId] <= 0)
        m_perEndpoint.remove(delivery.webhookId);
    if (--m_perHost[host] <= 0)
        m_perHost.remove(host);
}

void DeliveryWorker::disableWebhook(WebhookRepository &repo, AuditLog &audit, const DeliveryRecord &delivery, const QString &reason, qint64 now)
{
    m_webhooks.remove(delivery.webhookId);
    m_healthyWritten.remove(delivery.webhookId);
    warnIfFailed(repo.disable(delivery.webhookId, reason, now), "disable its webhook", delivery);
    AuditEntry entry;
    entry.organizationId = delivery.organizationId;
    entry.action = QStringLiteral("webhook_disabled");
    entry.resource = QStringLiteral("webhooks");
    entry.resourceId = delivery.webhookId;
    entry.details = QJsonObject{{QStringLiteral("reason"), reason}};
    warnIfFailed(audit.append(entry), "audit the disabling of its webhook", delivery);
    spdlog::warn("webhook {} disabled: {}", delivery.webhookId.toStdString(), reason.toStdString());
}

void DeliveryWorker::finished(QNetworkReply *reply, const DeliveryRecord &delivery, const QString &host)
{
    reply->deleteLater();
    const qint64 now = m_clock.nowMs();
    done(delivery, host);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString excerpt = reply->isOpen() ? QString::fromUtf8(reply->read(kExcerptBytes)) : QString();
    SqlRunner sql(m_database);
    WebhookRepository repo(sql);
    const bool success = status >= 200 && status < 300;
    if (success) {
        // The delivery, the webhook's health and the claims of what goes out next change together,
        // in one commit.
        Transaction tx(m_database);
        const bool inTransaction = tx.begin().ok();
        warnIfFailed(repo.succeeded(delivery, status, excerpt, now), "store its success", delivery);
        // A webhook this worker last saw succeed needs its health row written only now and then
        // (last_success_at to the second): one page less to commit per delivery.
        const auto healthy = m_healthyWritten.constFind(delivery.webhookId);
        if (healthy == m_healthyWritten.cend() || now - healthy.value() >= kHealthWriteMs || now < healthy.value()) {
            if (repo.noteOutcome(delivery.webhookId, true, now))
                m_healthyWritten.insert(delivery.webhookId, now);
        }
        QList<DeliveryRecord> next;
        if (inTransaction && !m_stopping)
            next = claimDue(repo, now, false, []() { return true; });
        const bool committed = inTransaction && tx.commit().ok();
        RuntimeMetrics::instance().countWebhookDelivery(RuntimeMetrics::WebhookOutcome::Succeeded);
        emit delivered(delivery.id, true);
        if (committed) {
            for (const DeliveryRecord &d : std::as_const(next))
                send(d);
        }
        if (!committed)
            wake();
        return;
    }
    if (status == 410) {
        Transaction tx(m_database);
        const bool inTransaction = tx.begin().ok();
        AuditLog audit(sql, m_clock);
        RuntimeMetrics::instance().countWebhookDelivery(RuntimeMetrics::WebhookOutcome::Dead);
        warnIfFailed(repo.dead(delivery, status, QStringLiteral("the endpoint answered 410 Gone: webhook disabled"), excerpt, now),
                     "mark it dead", delivery);
        disableWebhook(repo, audit, delivery, QStringLiteral("the endpoint answered 410 Gone"), now);
        if (inTransaction)
            warnIfFailed(tx.commit(), "commit its outcome", delivery);
        emit delivered(delivery.id, false);
        return;
    }
    failed(delivery, status, status > 0 ? QStringLiteral("HTTP %1").arg(status) : reply->errorString(), excerpt, retryAfterMs(reply, now));
}

void DeliveryWorker::failed(const DeliveryRecord &delivery, int status, const QString &error, const QString &excerpt, qint64 retryAfter)
{
    const qint64 now = m_clock.nowMs();
    SqlRunner sql(m_database);
    WebhookRepository repo(sql);
    AuditLog audit(sql, m_clock);
    Transaction tx(m_database);
    const bool inTransaction = tx.begin().ok();
    m_healthyWritten.remove(delivery.webhookId);
    Result<qint64> failingSince = repo.noteOutcome(delivery.webhookId, false, now);
    const int attempts = delivery.attempts + 1;
    if (attempts >= m_settings.maxAttempts) {
        RuntimeMetrics::instance().countWebhookDelivery(RuntimeMetrics::WebhookOutcome::Dead);
        warnIfFailed(repo.dead(delivery, status, error + QStringLiteral(" (gave up after %1 attempts)").arg(attempts), excerpt, now),
                     "mark it dead", delivery);
    } else {
        qint64 wait = backoffMs(attempts, m_settings.maxBackoffMs, QRandomGenerator::global()->generateDouble());
        if (retryAfter >= 0)
            wait = std::clamp<qint64>(retryAfter, 1000, m_settings.maxBackoffMs);
        RuntimeMetrics::instance().countWebhookDelivery(RuntimeMetrics::WebhookOutcome::Retried);
        warnIfFailed(repo.retryLater(delivery, status, error, excerpt, now + wait, now), "schedule its retry", delivery);
    }
    if (failingSince && failingSince.value() > 0 && now - failingSince.value() >= m_settings.disableAfterFailingMs) {
        const QString reason = QStringLiteral("failing continuously since %1")
                                   .arg(UtcTime::fromMSecs(failingSince.value()).toString(Qt::ISODate));
        disableWebhook(repo, audit, delivery, reason, now);
    }
    if (inTransaction)
        warnIfFailed(tx.commit(), "commit its outcome", delivery);
    emit delivered(delivery.id, false);
}

} // namespace wadesk
